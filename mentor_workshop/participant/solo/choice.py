"""The choice made in ``00_welcome``: in a workshop, or on my own; and, alone, the pace.

Why in the journal: every notebook opens in its own kernel, and the choice changes what several
of them show (a written role-play, a self-assessment). The journal is the one place all of them
read, so the choice made once in the welcome notebook holds everywhere, in a fresh kernel too.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date
from typing import Any

from mentor_workshop.core import solo
from mentor_workshop.core.answers import iso_date
from mentor_workshop.core.journal import Journal, JournalError
from mentor_workshop.core.journal_format import PRIVATE_PREFIX

__all__ = [
    "PATH_KEY",
    "SCHEDULE_KEY",
    "SELF_KEY",
    "is_solo",
    "pace_start",
    "schedule_html",
    "schedule_start",
]

PATH_KEY = "welcome.path"
SCHEDULE_KEY = "welcome.schedule"
#: The learner's self-scores: ``{step_id: {criterion_id: points}}``, private to them.
SELF_KEY = f"{PRIVATE_PREFIX}self_assessment"

def _load(journal: Journal, key: str) -> Any:
    try:
        return journal.load(key)
    except (JournalError, OSError):
        return None


def is_solo(journal: Journal) -> bool:
    """Whether the learner chose to work on their own.

    Parameters
    ----------
    journal : Journal
        The learner's journal.

    Returns
    -------
    bool
        True only for an explicit "on my own"; a workshop is the default.
    """
    return _load(journal, PATH_KEY) == "solo"


def schedule_start(journal: Journal) -> date | None:
    """The day the learner's suggested pace starts, if they chose one.

    Parameters
    ----------
    journal : Journal
        The learner's journal.

    Returns
    -------
    datetime.date or None
        The saved start date; None when not solo or not set.
    """
    return pace_start({PATH_KEY: _load(journal, PATH_KEY), SCHEDULE_KEY: _load(journal,
                                                                        SCHEDULE_KEY)})


def pace_start(answers: Mapping[str, Any]) -> date | None:
    """:func:`schedule_start` from the answers themselves (a plan may be built from them).

    Parameters
    ----------
    answers : mapping
        Journal key -> answer.

    Returns
    -------
    datetime.date or None
        The start of the pace when the learner is on their own and chose a day.
    """
    if answers.get(PATH_KEY) != "solo":
        return None
    stored = answers.get(SCHEDULE_KEY)
    return iso_date(stored.get("start")) if isinstance(stored, dict) else None


def schedule_html(start: date | None) -> str:
    """The suggested pace as a short dated list.

    Parameters
    ----------
    start : datetime.date or None
        The first sitting's day.

    Returns
    -------
    str
        Escaped HTML; a hint when no start date is chosen.
    """
    if start is None:
        return '<div class="mw-help">Pick the day of your first sitting to see the dates.</div>'
    content = solo.load().schedule
    items = "".join(
        f"<li><strong>{d.day:%a %d %b}</strong>: {html.escape(d.title)}</li>"
        for d in solo.schedule_days(start)
    )
    return (f"<div>A suggested pace (each sitting about {content.sitting_minutes} minutes). "
            "The dates go into your plan's calendar file (step 10).</div>"
            f'<ul class="mw-solo-schedule">{items}</ul>')
