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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mentor_workshop.core.journal_format import check_exercise_id, read_journal_data

__all__ = ["JournalView", "view_of"]


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
