"""A journal already read into memory, for tools that check many journals and write none.

Why not :class:`~mentor_workshop.core.journal.Journal`: that class is built for the participant's
kernel, where every read must see the latest save, so it stats the file, takes care of a damaged
file by moving it aside and hands out deep copies. A facilitator's ``status`` or cohort report
reads a thousand journals once each and must never change them; for those the file is parsed
once (by :func:`~mentor_workshop.core.journal_format.read_journal_data`, the same rules as the
kernel) and every check reads the parsed answers. The checks only read, so no copies are made.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from mentor_workshop.core.journal_format import check_exercise_id, read_journal_data

__all__ = ["JournalView", "remembered", "view_of"]

T = TypeVar("T")


class JournalView:
    """The read side of a journal (``load``, ``all``, ``saved_at``, ``participant``) over data.

    Parameters
    ----------
    state : mapping
        A parsed journal: ``answers``, ``saved_at`` and ``participant``, as read by
        :func:`~mentor_workshop.core.journal_format.read_journal_data`.
    path : path, optional
        Where it was read from, for messages.
    """

    def __init__(self, state: Mapping[str, Any], path: str | os.PathLike[str] | None = None
                 ) -> None:
        self.path = Path(path) if path is not None else None
        answers = state.get("answers")
        saved_at = state.get("saved_at")
        participant = state.get("participant")
        self._answers: dict[str, Any] = answers if isinstance(answers, dict) else {}
        self._saved_at: dict[str, Any] = saved_at if isinstance(saved_at, dict) else {}
        self._participant: dict[str, Any] = participant if isinstance(participant, dict) else {}
        self._remembered: dict[Any, tuple[Any, Any]] = {}

    def __repr__(self) -> str:
        return f"JournalView({str(self.path)!r})"

    def load(self, exercise_id: str, default: Any = None) -> Any:
        """The saved answer for ``exercise_id``, or ``default`` (not a copy: do not change it).

        Parameters
        ----------
        exercise_id : str
            The answer's key, e.g. ``"request.draft"``.
        default : Any, optional
            What to return when nothing is saved under that key.

        Returns
        -------
        Any
            The saved answer.
        """
        check_exercise_id(exercise_id)
        return self._answers.get(exercise_id, default)

    def all(self) -> dict[str, Any]:
        """Every saved answer, keyed by exercise id.

        Returns
        -------
        dict of str to Any
            A shallow copy of the answers.
        """
        return dict(self._answers)

    def saved_at(self, exercise_id: str) -> str | None:
        """When ``exercise_id`` was last saved (ISO 8601, UTC), or None.

        Parameters
        ----------
        exercise_id : str
            The answer's key.

        Returns
        -------
        str or None
            The stored timestamp, when there is a well-formed one.
        """
        check_exercise_id(exercise_id)
        stamp = self._saved_at.get(exercise_id)
        return stamp if isinstance(stamp, str) else None

    @property
    def participant(self) -> dict[str, Any]:
        """Who this journal belongs to (``id``, ``name`` and any extra details)."""
        return dict(self._participant)


def view_of(path: str | os.PathLike[str]) -> JournalView:
    """Read ``path`` once, with the journal's own rules, into a :class:`JournalView`.

    Parameters
    ----------
    path : path
        A ``journal.json`` (or ``<id>.json``) file.

    Returns
    -------
    JournalView
        The parsed journal; the file is not changed, even when it is damaged.

    Raises
    ------
    UnreadableJournal
        When the file is missing, damaged or not a journal.
    """
    return JournalView(read_journal_data(path), path)


def remembered(journal: Any, key: Any, basis: object, compute: Callable[[], T]) -> T:
    """``compute()`` worked out once per read-only journal, and every time for a live one.

    Why: the plan's check re-runs the check of every earlier step, so ``status`` and the report,
    which check every step of a journal, would check most steps twice. A
    :class:`JournalView` never changes, so what was worked out from it holds for its lifetime;
    a participant's :class:`~mentor_workshop.core.journal.Journal` can change between two
    reads, so nothing is kept for it.

    Parameters
    ----------
    journal : JournalView or Journal
        The journal the value is worked out from.
    key : hashable
        What the value is (for a step check, the step id).
    basis : object
        What else it was worked out from (the loaded curriculum): a value is reused only for
        this very object.
    compute : callable
        Works the value out.

    Returns
    -------
    Any
        The value.
    """
    if not isinstance(journal, JournalView):
        return compute()
    hit = journal._remembered.get(key)
    if hit is not None and hit[0] is basis:
        return hit[1]
    value = compute()
    journal._remembered[key] = (basis, value)
    return value
