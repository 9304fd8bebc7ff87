"""A participant's sandbox while it runs: a bubblewrap process holding the namespaces kernels enter.

Why a holder: bubblewrap makes the namespaces, the mounts and the user mapping, then runs a
program. The program here is ``cat`` reading a pipe we keep open, which costs a few
milliseconds and no Python; each kernel is forked from the worker's pre-warmed zygote and joins
the holder's namespaces (:mod:`.namespaces`). After each notebook every other process in the
sandbox is killed (:meth:`Holder.reap`); a process cannot leave a PID namespace, so a detached
or double-forked one is found just the same. When the participant is done the pipe is closed:
``cat`` exits, bubblewrap's init follows, and the PID namespace ends with whatever is in it.

One holder per participant, not per notebook: making and tearing down a sandbox's namespaces
costs the kernel about 25 ms of CPU (measured), an eighth of all the CPU a notebook took.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable, Collection, Iterable

__all__ = ["Holder", "inside_pids", "outer_pid"]

#: What bubblewrap runs: say our pid (inside), then wait for the pipe to close.
HOLD = ["/bin/sh", "-c", "echo $$ && exec cat"]


class Holder:
    """A running holder (started at once; its pid is read on first use).

    Parameters
    ----------
    command
        Turns the program to run into the command that runs it in the sandbox
        (:meth:`.session.Sandbox.command`).
    timeout
        Seconds to wait for the sandbox to come up before giving up.
    """

    def __init__(self, command: Callable[[Iterable[str]], list[str]],
                 timeout: float = 10.0) -> None:
        self.proc = subprocess.Popen(command(HOLD), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.timeout = timeout
        self._pid: int | None = None

    def pid(self) -> int:
        """The holder's process id as this process sees it (waits until the sandbox is up).

        Returns
        -------
        int

        Raises
        ------
        OSError
            When bubblewrap could not make the sandbox, or took longer than ``timeout``.
        """
        if self._pid is None:
            assert self.proc.stdout is not None
            ready = select.select([self.proc.stdout], [], [], self.timeout)[0]
            line = self.proc.stdout.readline() if ready else b""
            inner = int(line) if line.strip().isdigit() else None
            pid = None if inner is None else outer_pid(self.proc.pid, inner)
            if pid is None:
                self.proc.kill()
                self.proc.wait()
                why = (self.proc.stderr.read() if self.proc.stderr else b"").decode(
                    "utf-8", "replace").strip() or "no sandbox within the time limit"
                self.close()
                raise OSError(f"the sandbox did not start: {why[-300:]}")
            self._pid = pid
        return self._pid

    def reap(self, keep: Collection[int] = (), rounds: int = 50) -> int:
        """Kill every process in the sandbox but bubblewrap's init and the holder itself.

        Parameters
        ----------
        keep
            Processes not to count (the last kernel, ending by itself); killed all the same.
        rounds
            Passes before giving up (a fork bomb refills between passes; the process limit
            stops it, so a few passes win).

        Returns
        -------
        int
            How many processes the notebook had left running there.
        """
        killed: set[int] = set()
        for _ in range(rounds):
            left = [pid for pid, inner in inside_pids(self.proc.pid).items()
                    if inner != 1 and pid != self._pid]
            if not left:
                break
            for pid in left:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
                    killed.add(pid)
            time.sleep(0.01)
        return len(killed - set(keep))

    def running(self) -> bool:
        """Whether the sandbox is still up (a notebook can end it by killing the holder).

        Returns
        -------
        bool
        """
        return self.proc.poll() is None

    def close(self) -> None:
        """End the sandbox, and every process in it with it (its PID namespace ends).

        Returns
        -------
        None
        """
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
        for stream in (self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()


def inside_pids(root: int) -> dict[int, int]:
    """Every living process under ``root`` that is in a deeper PID namespace, with its pid there.

    Parameters
    ----------
    root
        The sandbox's outermost process (``bwrap``), as the host knows it.

    Returns
    -------
    dict
        Host pid -> pid inside the sandbox; zombies left out.
    """
    import psutil  # ipykernel depends on it, so it is there wherever kernels run

    try:
        children = psutil.Process(root).children(recursive=True)
    except psutil.Error:
        return {}
    found = {}
    for child in children:
        with contextlib.suppress(OSError, ValueError, IndexError), open(
                f"/proc/{child.pid}/status", encoding="ascii", errors="replace") as fh:
            fields = dict(line.split(":", 1) for line in fh if ":" in line)
            spaces = fields.get("NSpid", "").split()
            if len(spaces) > 1 and not fields.get("State", "").strip().startswith("Z"):
                found[child.pid] = int(spaces[-1])
    return found


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
    return next((pid for pid, seen in inside_pids(root).items() if seen == inner), None)

