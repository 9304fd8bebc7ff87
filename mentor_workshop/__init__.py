"""mentor_workshop: a Jupyter workshop kit for building a mentoring relationship.

The names here are what a notebook calls, one per exercise: ``setup`` once, then ``intro``,
``show``, ``check`` and ``reflection`` for the step. Imports are deferred so the command-line
tool and the nbgrader test cells start fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from mentor_workshop.core.journal import JOURNAL_FILENAME

if TYPE_CHECKING:
    from mentor_workshop.core.checks import CheckResult
    from mentor_workshop.core.journal import Journal

__version__ = "0.1.0"

_current: Journal | None = None


def setup(
    journal_path: str | os.PathLike = JOURNAL_FILENAME,
    participant_id: str = "",
    participant_name: str = "",
) -> Journal:
    """Open the participant's journal for this notebook and remember who they are.

    papermill injects ``participant_id`` and ``participant_name`` when a facilitator personalises
    the notebooks; they are stored once so the plan and reports can name the participant. While
    nbgrader grades, the journal is opened but never written.

    Parameters
    ----------
    journal_path : str or os.PathLike, default ``JOURNAL_FILENAME``
        The journal file, relative to the notebook's folder unless absolute.
    participant_id : str, default ""
        The facilitator's id for the participant; empty leaves the stored one alone.
    participant_name : str, default ""
        The participant's display name; empty leaves the stored one alone.

    Returns
    -------
    Journal
        The opened journal, also remembered for :func:`current_journal`.
    """
    global _current
    from mentor_workshop.core.journal import Journal
    from mentor_workshop.participant.widgets.base import grading_mode

    journal = Journal(Path(journal_path))
    if not grading_mode():
        current = journal.participant
        wanted = {k: v for k, v in (("id", participant_id), ("name", participant_name)) if v}
        if any(current.get(k) != v for k, v in wanted.items()):
            journal.set_participant(**wanted)
    _current = journal
    return journal


def current_journal() -> Journal:
    """The journal ``setup`` opened, or the default journal in the current folder.

    Lets ``show``/``check`` work in a notebook that forgot to call ``setup`` first.

    Returns
    -------
    Journal
        The journal remembered by the last :func:`setup` call (opening one if there was none).
    """
    if _current is None:
        return setup()
    return _current


def show(name: str, journal_path: str | os.PathLike | None = None) -> None:
    """Display one exercise (see :func:`mentor_workshop.participant.widgets.exercise` for names).

    Returns None on purpose, so the notebook cell does not echo the widget object's repr.

    Parameters
    ----------
    name : str
        The exercise name or step id, as accepted by ``exercise``.
    journal_path : str or os.PathLike, optional
        The journal to save into; the :func:`current_journal` when omitted.
    """
    from mentor_workshop.participant.widgets import exercise

    target = current_journal() if journal_path is None else journal_path
    ex = exercise(name)(target)
    ex.show()
    return None


def check(step_id: str, journal_path: str | os.PathLike | None = None) -> CheckResult:
    """The step's self-check: the same function the grader runs.

    Parameters
    ----------
    step_id : str
        The step to check, e.g. ``"03_request"``.
    journal_path : str or os.PathLike, optional
        The journal to read; the :func:`current_journal` when omitted.

    Returns
    -------
    CheckResult
        The per-criterion result; its repr is the participant-facing summary.
    """
    from mentor_workshop.core.checks import check as run

    return run(step_id, current_journal() if journal_path is None else journal_path)


def intro(step_id: str, evidence: bool = True) -> None:
    """Show the step's title, objectives and time from the curriculum data.

    ``evidence=False`` holds back "What the research says" — step 2 asks for a guess first.

    Parameters
    ----------
    step_id : str
        The curriculum step to introduce.
    evidence : bool, default True
        Whether to show the research summary now rather than after the exercise.
    """
    from mentor_workshop.participant.notebook_parts import intro as render

    render(step_id, evidence=evidence, journal=current_journal())


def export_plan(out_dir: str | os.PathLike = ".") -> None:
    """Write my_plan.md/.html/.ics into ``out_dir`` and say where they went.

    While nbgrader grades, nothing is written: the grading folder is not the participant's.

    Parameters
    ----------
    out_dir : str or os.PathLike, default "."
        The folder to write the plan files into.
    """
    from mentor_workshop.participant.plan import export
    from mentor_workshop.participant.widgets.base import grading_mode

    if grading_mode():
        print("Grading run: your plan files are not written here. Export them from your own copy.")
        return
    for path in export(current_journal(), out_dir).values():
        print(f"Saved {path}")


def evidence(step_id: str) -> None:
    """Show the research behind the step (for steps that reveal it after the exercise).

    Parameters
    ----------
    step_id : str
        The curriculum step whose evidence to show.
    """
    from mentor_workshop.participant.notebook_parts import evidence as render

    render(step_id)


def reflection(step_id: str) -> None:
    """Show the step's reflection prompt, hints and the rubric it is graded against.

    Parameters
    ----------
    step_id : str
        The curriculum step whose reflection prompt to show.
    """
    from mentor_workshop.participant.notebook_parts import reflection as render

    render(step_id, journal=current_journal())


__all__ = [
    "check", "current_journal", "evidence", "export_plan", "intro", "reflection", "setup", "show",
]
