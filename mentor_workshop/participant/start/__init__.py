"""``mentor-workshop start``: a learner's own workshop folder, then JupyterLab on it.

The folder work is in :mod:`.layout` (copy, update, never overwrite what the learner changed)
and the server in :mod:`.lab`; :func:`start` joins them for the command.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable

from mentor_workshop.errors import UserError
from mentor_workshop.participant.start.lab import lab_command, launch, shown
from mentor_workshop.participant.start.layout import Layout, lay_out

__all__ = ["Layout", "lay_out", "start"]


def start(
    folder: str | os.PathLike[str],
    *,
    no_browser: bool = False,
    print_command: bool = False,
    say: Callable[[str], object] = print,
) -> int:
    """Lay out (or update) the learner's folder, then serve it with JupyterLab.

    Parameters
    ----------
    folder : path-like
        The learner's workshop folder.
    no_browser : bool, default False
        Start JupyterLab without opening a browser.
    print_command : bool, default False
        Lay out the folder and print the JupyterLab command instead of running it (for
        scripts, tests, and learners who start JupyterLab their own way).
    say : callable, default print
        Where the summary goes; it must be shown before the server takes the terminal.

    Returns
    -------
    int
        0, or JupyterLab's exit code.

    Raises
    ------
    UserError
        When the folder cannot be used, or JupyterLab is missing and a launch was asked for.
    """
    layout = lay_out(folder)
    say(layout.summary())
    if print_command:
        say(shown(lab_command(layout.folder, no_browser=no_browser)))
        return 0
    if importlib.util.find_spec("jupyterlab") is None:
        raise UserError("JupyterLab is not installed in this environment, so the folder is "
                        "ready but cannot be opened. Install it: pip install jupyterlab")
    say("Opening JupyterLab on 00_welcome. Stop it with Ctrl-C when you are done; your answers "
        "are saved as you type.")
    return launch(layout.folder, no_browser=no_browser)
