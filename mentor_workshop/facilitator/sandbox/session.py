"""One sandbox for one participant's hand-in: its scratch copy, its sockets, its limits.

Why one sandbox per hand-in rather than per notebook: a sandbox holds a fork-server that has
imported the kit and ipykernel once (about half a core-second); each of the participant's
notebooks then gets a freshly forked kernel in it, and every process a notebook leaves is
killed before the next one starts (:func:`.inside.reap_others`). A participant's notebooks
share their journal anyway, so they share one scratch copy of the hand-in; another
participant's files are never in it.

The scratch copy is thrown away afterwards: nothing a notebook writes reaches the course. The
grader reads the executed notebook over the kernel's sockets, never from the sandbox.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping

from mentor_workshop.facilitator.pool import POLICY, PoolPolicy
from mentor_workshop.facilitator.sandbox.bwrap import bwrap_command
from mentor_workshop.facilitator.sandbox.cgroup import PidsCgroup, open_pids

__all__ = ["LIMITS_ENV", "Sandbox", "outer_pid"]

#: How the zygote inside learns the limits to put on each kernel it forks.
LIMITS_ENV = "MW_SANDBOX_LIMITS"
_KEEP_ENV = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH", "PYTHONHASHSEED",
             "PYDEVD_DISABLE_FILE_VALIDATION", "MENTOR_WORKSHOP_EXERCISES", "MPLBACKEND")
_KEEP_PREFIXES = ("JPY_", "NBGRADER_", "PYDEVD_")


class Sandbox:
    """A participant's sandbox, before and while it runs (its processes are the caller's).

    Parameters
    ----------
    handin
        The participant's hand-in folder; a scratch copy of it is mounted at its path.
    hide
        Folders covered with an empty one inside (the course folder).
    policy
        The limits (the pool policy).
    """

    def __init__(self, handin: str, *, hide: Iterable[str] = (),
                 policy: PoolPolicy = POLICY) -> None:
        self.handin = os.path.abspath(handin)
        self.hide = [os.path.abspath(h) for h in hide]
        self.base = tempfile.mkdtemp(prefix="mw-sbx-")  # short: socket paths have a limit
        self.scratch = os.path.join(self.base, "handin")
        self.runtime = os.path.join(self.base, "run")
        shutil.copytree(self.handin, self.scratch, symlinks=True)
        os.mkdir(self.runtime)
        self.cgroup: PidsCgroup | None = open_pids(policy.max_processes)
        self.limits: dict[str, int] = {"memory": policy.memory_bytes,
                                       "file_bytes": policy.file_bytes}
        if self.cgroup is None and os.getuid() != 0:
            # RLIMIT_NPROC counts the user's processes outside the sandbox too
            self.limits["processes"] = _user_processes() + policy.max_processes
        self.policy = policy

    def describe(self) -> str:
        """The limits in force, in words (for the log and the security notes).

        Returns
        -------
        str
        """
        processes = ("pids cgroup" if self.cgroup else
                     "RLIMIT_NPROC" if "processes" in self.limits else
                     "PID namespace and time limit only")
        return (f"memory {self.limits['memory'] // 2**20} MiB a process, processes: "
                f"{processes}, output {self.policy.output_bytes // 2**20} MiB a notebook")

    def environment(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment a process inside gets: a short allow-list, nothing secret.

        Parameters
        ----------
        env
            The environment it would have had (the worker's own when None).

        Returns
        -------
        dict
        """
        source = os.environ if env is None else env
        kept = {k: v for k, v in source.items()
                if k in _KEEP_ENV or k.startswith(_KEEP_PREFIXES)}
        bindir = os.path.dirname(os.path.abspath(sys.executable))
        kept.update(HOME="/tmp", TMPDIR="/tmp", PATH=f"{bindir}:/usr/bin:/bin",
                    PYDEVD_DISABLE_FILE_VALIDATION="1")
        return kept

    def command(self, argv: Iterable[str]) -> list[str]:
        """The command that runs ``argv`` in this sandbox (joining its cgroup first).

        Parameters
        ----------
        argv
            What to run inside (the zygote, or a kernel).

        Returns
        -------
        list of str
        """
        env = self.environment()
        env[LIMITS_ENV] = json.dumps(self.limits)
        cmd = bwrap_command(argv, binds={self.scratch: self.handin,
                                         self.runtime: self.runtime},
                            hide=self.hide, cwd=self.handin, env=env)
        if self.cgroup is not None:
            cmd = ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', self.cgroup.procs, *cmd]
        return cmd

    def close(self) -> None:
        """Remove the scratch copy, the sockets and the cgroup (call after the processes died).

        Returns
        -------
        None
        """
        shutil.rmtree(self.base, ignore_errors=True)
        if self.cgroup is not None:
            self.cgroup.remove()


def outer_pid(root: int, inner: int) -> int | None:
    """The host's pid of the process a sandbox knows as ``inner``.

    Parameters
    ----------
    root
        The sandbox's outermost process (``bwrap``), as the host knows it.
    inner
        The process id inside the sandbox's PID namespace.

    Returns
    -------
    int or None
        None when no descendant of ``root`` has that pid inside.
    """
    import psutil  # ipykernel depends on it, so it is there wherever kernels run

    try:
        children = psutil.Process(root).children(recursive=True)
    except psutil.Error:
        return None
    for child in children:
        status = f"/proc/{child.pid}/status"
        with contextlib.suppress(OSError), open(status, encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("NSpid:"):
                    if int(line.split()[-1]) == inner and len(line.split()) > 2:
                        return child.pid
                    break
    return None


def _user_processes() -> int:
    uid = os.getuid()
    count = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{name}").st_uid == uid:
                    count += 1
    return count
