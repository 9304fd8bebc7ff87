"""Per-step completeness checks.

One function per step decides whether the exercise is complete and well formed. The same function
serves three callers — the "Check my work" button, ``mentor_workshop.check(step_id)`` typed in a
cell, and the nbgrader hidden test — so a participant who passes the self-check knows the grader
will agree. Each unmet criterion carries a message the participant can act on.

Checks only read the journal and never write to stdout or stderr: nbgrader scores a test cell
zero if anything reaches stderr, so a stray warning here would silently cost a participant points.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from mentor_workshop.core import curriculum
from mentor_workshop.core.criteria.reading import (
    feedback_context,
    first_pick,
    leader_by_id,
    leaders,
    words,
)
from mentor_workshop.core.criteria.result import CheckResult, Criterion, criteria_of
from mentor_workshop.core.criteria.the_ask import sorting_score as score_sorting
from mentor_workshop.core.journal import Journal
from mentor_workshop.core.journal_view import JournalView
from mentor_workshop.core.steps import STEPS

__all__ = [
    "CHECKS", "CheckResult", "Criterion", "check", "feedback_context", "first_pick", "grade",
    "leader_by_id", "leaders", "sorting_score", "step_criteria", "words",
]

#: step id -> its check function, derived from the one registry of steps.
CHECKS = STEPS.checks()


def _open(journal: Journal | str | Path | None) -> tuple[Journal, list[str]]:
    """Open the journal while capturing its warnings, so nothing reaches stderr during grading."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if journal is None:
            journal = Journal.for_notebook_dir(Path.cwd())
        elif isinstance(journal, str | Path):
            journal = Journal(journal)
        journal.all()
    return journal, [str(w.message) for w in caught]


def _run(step_id: str, journal: Journal, content: curriculum.Curriculum | None) -> CheckResult:
    content = content if content is not None else curriculum.load()
    return CheckResult(step_id, step_criteria(step_id, journal, content))


def step_criteria(step_id: str, journal: Journal | JournalView,
                  content: curriculum.Curriculum) -> tuple[Criterion, ...]:
    """One step's criteria, worked out once per read-only journal (see ``criteria_of``).

    Parameters
    ----------
    step_id : str
        A step the registry knows.
    journal : Journal or JournalView
        The journal to read.
    content : Curriculum
        The loaded curriculum.

    Returns
    -------
    tuple of Criterion
        The step check's criteria, in its order.
    """
    return criteria_of(step_id, STEPS[step_id].check, journal, content)


def check(step_id: str, journal: Journal | JournalView | str | Path | None = None, *,
          content: curriculum.Curriculum | None = None) -> CheckResult:
    """Check one step against the participant's journal.

    Parameters
    ----------
    step_id : str
        The step, for example ``"03_request"``.
    journal : Journal or path, optional
        The journal to read; ``journal.json`` in the current folder when omitted. Warnings from
        opening it (a damaged file moved aside) become notes on the result, never stderr. A
        :class:`~mentor_workshop.core.journal_view.JournalView` is read as it is, for tools that
        check many journals and change none.
    content : Curriculum, optional
        The loaded curriculum, for a caller checking many journals: looking up the cached one
        stats every YAML file, which is most of a check's cost on a thousand journals.

    Returns
    -------
    CheckResult
        The criteria with what is met and what is left, and the score as a fraction.

    Raises
    ------
    KeyError
        For a step id the registry does not know.
    """
    if step_id not in STEPS:
        raise KeyError(f"Unknown step {step_id!r}; choose one of: {', '.join(STEPS)}")
    opened, notes = _open(journal)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = _run(step_id, opened, content)
    return CheckResult(step_id, result.criteria, tuple(notes))


def grade(step_id: str, journal: Journal | str | Path | None = None, points: float = 1.0) -> float:
    """Points earned for a step, for the nbgrader hidden test cell.

    nbgrader reads a number returned by a test cell as partial credit, so the cell simply ends
    with this call.

    Parameters
    ----------
    step_id : str
        The step being graded.
    journal : Journal or path, optional
        The journal to read; ``journal.json`` in the current folder when omitted.
    points : float
        The cell's points in the gradebook.

    Returns
    -------
    float
        ``points`` times the fraction of criteria met, rounded to two decimals so the gradebook
        shows tidy numbers.
    """
    return round(check(step_id, journal).score * points, 2)


def sorting_score(journal: Journal) -> tuple[int, int]:
    """How many tone-sorting phrases are sorted right, against the loaded content.

    Parameters
    ----------
    journal : Journal
        The participant's answers.

    Returns
    -------
    tuple of int
        (correct, total).
    """
    return score_sorting(journal, curriculum.load())
