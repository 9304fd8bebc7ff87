"""Where the workshop's data folders live, whichever way the package was installed.

Why a module of its own: the same code runs from a source checkout (data in the repo's top-level
folders), from an installed wheel (data force-included under ``mentor_workshop/_data``) and from a
facilitator's adapted copy of ``exercises/`` (named by an environment variable). Every caller asks
here instead of guessing paths, so the three cases cannot drift apart.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming a facilitator's adapted copy of ``exercises/``.
EXERCISES_ENV = "MENTOR_WORKSHOP_EXERCISES"


def _package_dir() -> Path:
    # A function (not a constant) so tests can point it at a fake installed layout.
    return Path(__file__).resolve().parent.parent


def _data_dir(name: str) -> Path:
    """The wheel's copy wins when it exists; otherwise the checkout's top-level folder."""
    package = _package_dir()
    installed = package / "_data" / name
    if installed.is_dir():
        return installed
    return package.parent / name


def exercises_dir() -> Path:
    """The folder holding ``curriculum.yaml``, ``rubric.yaml`` and ``steps/``.

    ``MENTOR_WORKSHOP_EXERCISES`` overrides it so a facilitator can run the kit on an adapted
    copy without editing the installed package. The path is returned even if it does not exist:
    the curriculum loader reports a missing folder with a message that names it.

    Returns
    -------
    pathlib.Path
        The override (expanded and resolved), else the installed or checkout ``exercises/``.
    """
    override = os.environ.get(EXERCISES_ENV, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return _data_dir("exercises")


def notebooks_dir() -> Path:
    """The step notebooks (nbgrader source versions).

    Returns
    -------
    pathlib.Path
        The installed ``_data/notebooks`` when present, else the checkout's ``notebooks/``.
    """
    return _data_dir("notebooks")


def facilitator_dir() -> Path:
    """The facilitator's guide and notebooks.

    Returns
    -------
    pathlib.Path
        The installed ``_data/facilitator`` when present, else the checkout's ``facilitator/``.
    """
    return _data_dir("facilitator")
