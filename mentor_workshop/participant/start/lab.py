"""Opening JupyterLab on the learner's folder, at the welcome notebook.

Why the same Python: ``jupyter`` on the PATH may belong to another environment (a conda base, a
system install) whose kernel cannot import this kit. Running JupyterLab with the interpreter
that runs ``mentor-workshop`` keeps the server, the kernel and the kit in one environment.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from mentor_workshop.errors import UserError

__all__ = ["FIRST_NOTEBOOK", "lab_command", "launch", "shown"]

#: The notebook JupyterLab opens first.
FIRST_NOTEBOOK = "00_welcome.ipynb"


def lab_command(folder: Path, *, no_browser: bool = False) -> list[str]:
    """The command that serves ``folder`` and opens the welcome notebook.

    Parameters
    ----------
    folder : Path
        The workshop folder, which becomes JupyterLab's root (the learner sees only it).
    no_browser : bool, default False
        Start the server without opening a browser (the address is printed instead).

    Returns
    -------
    list of str
        The argument vector, run from inside ``folder``.
    """
    # default_url, not a file argument: it is also the address printed with --no-browser
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}",
               f"--LabApp.default_url=/lab/tree/{FIRST_NOTEBOOK}"]
    if no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers often run as root; Jupyter refuses it
    return command


def shown(command: list[str]) -> str:
    """The command as a learner could paste it into a shell.

    Parameters
    ----------
    command : list of str
        An argument vector.

    Returns
    -------
    str
        The words quoted for a POSIX shell.
    """
    return shlex.join(command)


def launch(folder: Path, *, no_browser: bool = False) -> int:
    """Run JupyterLab until the learner stops it (Ctrl-C, or File → Shut Down).

    Parameters
    ----------
    folder : Path
        The workshop folder.
    no_browser : bool, default False
        Do not open a browser.

    Returns
    -------
    int
        JupyterLab's exit code.

    Raises
    ------
    UserError
        When JupyterLab is not installed in this environment.
    """
    command = lab_command(folder, no_browser=no_browser)
    try:
        server = subprocess.Popen(command, cwd=folder)
    except OSError as exc:
        raise UserError(f"JupyterLab could not be started ({exc.strerror or exc}). Install it in "
                        "this environment: pip install jupyterlab") from None
    # Ctrl-C is JupyterLab's to handle: it shuts its kernels down before it exits. Were this
    # process to stop on the first Ctrl-C, it would leave the server and its kernels behind.
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread (an embedding application): leave it alone
        previous = None
    try:
        return server.wait()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
