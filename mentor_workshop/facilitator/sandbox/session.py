"""One participant's sandboxes: the scratch copy of their hand-in, its sockets, its limits.

A participant's notebooks share their journal, so they share one scratch copy of the hand-in
and one sandbox (:mod:`.holder`); another participant's files are never in it. Each kernel is
forked from the worker's pre-warmed zygote and enters the sandbox (:mod:`.namespaces`), and
every process a notebook leaves there is killed before the next one starts.

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
from mentor_workshop.facilitator.sandbox.holder import Holder

__all__ = ["LIMITS_ENV", "Sandbox", "sandbox_environment"]

#: How a kernel started directly in a sandbox (no zygote) learns its limits.
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
        self._holder: Holder | None = None

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
        return sandbox_environment(env)

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

    def holder(self) -> Holder:
        """The running sandbox: started on first use, ended by :meth:`close`.

        Returns
        -------
        Holder
        """
        if self._holder is not None and not self._holder.running():
            self.stop()  # the last notebook killed it (only its own participant's to lose)
        if self._holder is None:
            self._holder = Holder(self.command)
        return self._holder

    def entry(self) -> dict[str, object]:
        """What a forked kernel needs to enter the running sandbox (see :mod:`.warm`).

        Returns
        -------
        dict
            ``pid`` (the holder's, as this process sees it), ``cgroup`` (the file to join,
            or None) and ``limits`` (:func:`.inside.apply_limits`).

        Raises
        ------
        OSError
            When the sandbox could not be made.
        """
        return {"pid": self.holder().pid(), "limits": self.limits,
                "cgroup": self.cgroup.procs if self.cgroup is not None else None}

    def reap(self, keep: Iterable[int] = ()) -> int:
        """Kill every process the last notebook left in the sandbox.

        Parameters
        ----------
        keep
            Processes not to count (the kernel, ending by itself).

        Returns
        -------
        int
            How many processes the notebook had left running (killed now).
        """
        return self._holder.reap(set(keep)) if self._holder is not None else 0

    def stop(self) -> None:
        """End the running sandbox and every process in it (the next kernel starts another).

        Returns
        -------
        None
        """
        holder, self._holder = self._holder, None
        if holder is not None:
            holder.close()

    def close(self) -> None:
        """Remove the scratch copy, the sockets and the cgroup (call after the processes died).

        Returns
        -------
        None
        """
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
        if self.cgroup is not None:
            self.cgroup.remove()


def sandbox_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a process in a sandbox gets: a short allow-list, nothing secret.

    It is also the environment the zygote that forks sandboxed kernels starts with, since its
    kernels inherit its memory, and the start of a process's memory holds its environment.

    Parameters
    ----------
    env
        The environment it would have had (this process's own when None).

    Returns
    -------
    dict
    """
    source = os.environ if env is None else env
    kept = {k: v for k, v in source.items() if k in _KEEP_ENV or k.startswith(_KEEP_PREFIXES)}
    bindir = os.path.dirname(os.path.abspath(sys.executable))
    kept.update(HOME="/tmp", TMPDIR="/tmp", PATH=f"{bindir}:/usr/bin:/bin",
                PYDEVD_DISABLE_FILE_VALIDATION="1")
    return kept


def _user_processes() -> int:
    uid = os.getuid()
    count = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{name}").st_uid == uid:
                    count += 1
    return count
