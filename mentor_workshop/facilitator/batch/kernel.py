"""The kernel of one batch job, watched: its own sockets, its stderr kept, killable on time.

Why a watched kernel rather than papermill's default: a headless kernel fails in ways a
facilitator cannot see. Its stderr (a start-up error, a crash's last words) is written to a file
we can quote in the summary instead of all over the terminal; the watchdog must be able to kill
its whole process tree when the notebook passes its time limit; and parallel kernels must not
race for TCP ports (papermill#511), so on POSIX each talks over IPC sockets in a private folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

from mentor_workshop.facilitator.pool import POLICY

__all__ = ["KernelWatch", "descendants", "kill_tree", "strip_ansi"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes, which tracebacks carry and a summary must not.

    Parameters
    ----------
    text
        Text as a kernel or a library printed it.

    Returns
    -------
    str
        The same text without ANSI escape sequences.
    """
    return _ANSI.sub("", text)


def kill_tree(pid: int | None) -> None:
    """Kill a process and everything it started (a kernel may have spawned helpers).

    Parameters
    ----------
    pid
        The root process; nothing happens for ``None`` or 0.

    Returns
    -------
    None
    """
    if not pid:
        return
    try:
        import psutil  # ipykernel depends on it, so it is there wherever kernels run

        try:
            root = psutil.Process(pid)
            procs = [*root.children(recursive=True), root]
        except psutil.Error:
            return
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        psutil.wait_procs(procs, timeout=5)
    except ImportError:  # pragma: no cover - psutil ships with ipykernel
        with contextlib.suppress(OSError):
            os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))


def descendants(pid: int | None) -> list[Any]:
    """Every process ``pid`` started, so a stuck worker's kernels can be killed with it.

    Parameters
    ----------
    pid
        The parent process.

    Returns
    -------
    list
        psutil handles; empty when the process is already gone or psutil is missing.
    """
    if not pid:
        return []
    try:
        import psutil

        return psutil.Process(pid).children(recursive=True)
    except Exception:  # psutil.Error, or no psutil
        return []


class KernelWatch:
    """Tracks the kernel of one attempt so the watchdog can kill it and we can read its stderr."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.stderr_path = scratch / "kernel-stderr.log"
        self.manager: Any = None
        self.timed_out = False

    def manager_class(self) -> type:
        """A kernel manager class for papermill that reports to this watch.

        Returns
        -------
        type
            An ``AsyncKernelManager`` subclass using IPC sockets where it can and sending the
            kernel's stderr to :attr:`stderr_path`.
        """
        # deferred: the batch package is imported when the CLI starts
        from jupyter_client.manager import AsyncKernelManager

        from mentor_workshop.facilitator.warm import current_zygote, forking_manager_class

        # a worker with a warm pool forks its kernels from it (the same pool as autograde's)
        base = forking_manager_class() if current_zygote() is not None else AsyncKernelManager
        watch = self
        ipc_prefix = str(self.scratch / "k")
        # AF_UNIX paths are limited to about 104 bytes; fall back to TCP when the temp folder
        # is unusually deep, and on Windows, which has no IPC transport in jupyter_client.
        use_ipc = os.name == "posix" and len(ipc_prefix) < 90

        class WatchedKernelManager(base):  # type: ignore[misc, valid-type]
            def __init__(self, **kwargs: Any) -> None:
                if use_ipc:
                    kwargs.setdefault("transport", "ipc")
                    kwargs.setdefault("ip", ipc_prefix)
                super().__init__(**kwargs)
                watch.manager = self

            async def start_kernel(self, **kwargs: Any) -> None:
                # The kernel's own stderr (start-up errors, a crash's last words) goes to a
                # file we can quote in the error, not all over the facilitator's terminal.
                with open(watch.stderr_path, "ab") as sink:
                    kwargs.setdefault("stdout", subprocess.DEVNULL)
                    kwargs.setdefault("stderr", sink)
                    await super().start_kernel(**kwargs)

        return WatchedKernelManager

    def kill(self) -> None:
        """Called by the watchdog timer when the job's time is up."""
        self.timed_out = True
        provisioner = getattr(self.manager, "provisioner", None)
        kill_tree(getattr(provisioner, "pid", None))

    def stderr_tail(self, lines: int = POLICY.stderr_tail_lines) -> str | None:
        """The last non-empty lines the kernel wrote to stderr, or None when it wrote nothing.

        Parameters
        ----------
        lines
            How many lines to keep (the pool policy's ``stderr_tail_lines``).

        Returns
        -------
        str or None
            The lines, without terminal colours.
        """
        try:
            text = self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        text = strip_ansi(text)
        tail = [ln for ln in text.splitlines() if ln.strip()][-lines:]
        return "\n".join(tail) or None
