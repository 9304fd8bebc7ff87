"""A process limit for one sandbox, through the pids cgroup, where the kernel lets us have one.

Why a cgroup and not only ``RLIMIT_NPROC``: that limit counts every process of the user
*outside* the sandbox, and the kernel ignores it for root (a CI machine grades as root). The
pids cgroup counts exactly the sandbox's processes. It needs a cgroup folder we may write: the
v1 ``pids`` hierarchy, or a delegated v2 one with the ``pids`` controller. Where neither is
writable, :func:`open_pids` returns None and the sandbox falls back to ``RLIMIT_NPROC`` (for a
user other than root), the PID namespace and the notebook's time limit.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from pathlib import Path

__all__ = ["PidsCgroup", "open_pids"]

_ROOT = Path("/sys/fs/cgroup")


class PidsCgroup:
    """One cgroup folder holding a sandbox, with ``pids.max`` set."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def procs(self) -> str:
        """The file a process writes its pid to, to join (a launcher's ``echo $$ > FILE``)."""
        return str(self.path / "cgroup.procs")

    def remove(self) -> None:
        """Remove the folder once the last process in it is gone (waits up to 2 s).

        Returns
        -------
        None
        """
        for _ in range(100):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)


def _candidates() -> list[Path]:
    """Where this process's pids cgroup lives, v1 first."""
    found = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, where = line.split(":", 2)
            if "pids" in controllers.split(","):
                found.append(_ROOT / "pids" / where.lstrip("/"))
            elif controllers == "":
                found.append(_ROOT / where.lstrip("/"))
    return found


def open_pids(limit: int) -> PidsCgroup | None:
    """A new pids cgroup under this process's own, allowing ``limit`` processes.

    Parameters
    ----------
    limit
        Processes the sandbox may hold at once.

    Returns
    -------
    PidsCgroup or None
        None where no writable pids cgroup is to be had.
    """
    for parent in _candidates():
        if not (parent / "cgroup.procs").exists():
            continue
        path = parent / f"mw-sandbox-{uuid.uuid4().hex[:12]}"
        try:
            path.mkdir()
        except OSError:
            continue
        try:
            (path / "pids.max").write_text(str(limit))
        except OSError:
            with contextlib.suppress(OSError):
                path.rmdir()
            continue
        if os.access(path / "cgroup.procs", os.W_OK):
            return PidsCgroup(path)
        with contextlib.suppress(OSError):
            path.rmdir()
    return None
