"""What runs inside a sandbox: the limits each kernel gets, and killing what a notebook left.

Both run in the sandbox's fork-server (the pre-warmed zygote, :mod:`mentor_workshop.facilitator.
warm`), which is the only process there that outlives a notebook:

* :func:`apply_limits` -- in each forked kernel, before it runs a single cell: address space
  (a memory bomb gets ``MemoryError``), file size, no core dumps and, where the cgroup is not to
  be had, ``RLIMIT_NPROC``. Hard limits equal soft ones, so a notebook cannot raise them.
* :func:`reap_others` -- after each notebook: every process in the sandbox's PID namespace
  except the zygote and bubblewrap's init is killed. A process cannot leave a PID namespace,
  so a detached ``nohup``/double-forked process is found and killed just the same.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Mapping

__all__ = ["apply_limits", "reap_others"]


def apply_limits(limits: Mapping[str, int]) -> None:
    """Set this process's hard and soft resource limits (inherited by what it starts).

    Parameters
    ----------
    limits
        ``memory`` (bytes of address space), ``file_bytes``, ``processes`` (``RLIMIT_NPROC``);
        a missing or zero entry is left as it is.

    Returns
    -------
    None
    """
    import resource  # deferred: POSIX only, and only a sandboxed kernel needs it

    wanted = {resource.RLIMIT_CORE: 0}
    for key, name in (("memory", "RLIMIT_AS"), ("file_bytes", "RLIMIT_FSIZE"),
                      ("processes", "RLIMIT_NPROC")):
        if limits.get(key):
            wanted[getattr(resource, name)] = int(limits[key])
    for which, value in wanted.items():
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, (value, value))


def reap_others(keep: int | None = None, rounds: int = 50) -> set[int]:
    """Kill every other process in this PID namespace, until none is left.

    Parameters
    ----------
    keep
        One more process id to spare (besides this one and init, pid 1); None for none.
    rounds
        Passes before giving up (a fork bomb refills between passes; the process limit stops
        it, so a few passes always win).

    Returns
    -------
    set of int
        The processes killed.
    """
    spare = {1, os.getpid(), keep}
    killed: set[int] = set()
    for _ in range(rounds):
        try:
            pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
        except OSError:
            return killed
        left = [p for p in pids if p not in spare and not _zombie(p)]
        if not left:
            break
        for pid in left:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
        time.sleep(0.01)
    return killed


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return True


def kernel_main() -> None:
    """A kernel started directly in a sandbox (no zygote): limits first, then ipykernel.

    ``python -m mentor_workshop.facilitator.sandbox.inside ARGS`` behaves as
    ``python -m ipykernel_launcher ARGS`` with the sandbox's limits applied.

    Returns
    -------
    None
    """
    import json
    import runpy
    import sys

    apply_limits(json.loads(os.environ.pop("MW_SANDBOX_LIMITS", "{}") or "{}"))
    sys.argv = ["ipykernel_launcher", *sys.argv[1:]]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    kernel_main()
