"""The judgement on a date a participant commits to: is it one they could mean?

A commitment dated 1999 or 2090 is a box filled in, not a plan. "Now" is the day the answer was
saved when the journal knows it, not the day a check runs: a facilitator may autograde weeks
after the workshop, and a date that was ahead of the participant when they chose it must not
turn into a failure later.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from mentor_workshop.core.answers import iso_date
from mentor_workshop.core.reality.config import load_config
from mentor_workshop.core.reality.text import OK, Verdict


def day_of(stamp: Any) -> date | None:
    """The calendar day of an ISO 8601 timestamp (as the journal's ``saved_at`` holds).

    Parameters
    ----------
    stamp : Any
        A timestamp such as ``"2027-03-15T09:05:17.000+00:00"``; anything else gives None.

    Returns
    -------
    datetime.date or None
        Its date, or None when it is not a readable timestamp.
    """
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp.strip()).date()
    except ValueError:
        return iso_date(stamp[:10])


def judge_date(
    value: Any,
    *,
    today: date | None = None,
    future: bool = True,
    max_days_ahead: int | None = None,
) -> Verdict:
    """Whether a saved date is one the participant could mean.

    Parameters
    ----------
    value : Any
        The journal's value: a ``YYYY-MM-DD`` string (read by the one date parser,
        :func:`mentor_workshop.core.answers.iso_date`) or a ``datetime.date``.
    today : datetime.date, optional
        The day the date was chosen (the journal's ``saved_at``); the current date when omitted.
    future : bool
        Whether the date must lie ahead (a commitment, a meeting) rather than merely be near.
    max_days_ahead : int, optional
        How far ahead is still plausible; ``date_max_days_ahead`` of ``reality.yaml`` (two
        years) when omitted.

    Returns
    -------
    Verdict
        ``ok`` for a plausible date; otherwise the reason, with ``signal`` ``date_missing``,
        ``date_past`` or ``date_far``.
    """
    cfg = load_config()
    t = cfg.thresholds
    day = value if isinstance(value, date) and not isinstance(value, datetime) else iso_date(value)
    if day is None:
        return Verdict(False, cfg.messages["date_missing"], "date_missing")
    now = today or date.today()
    ahead = t.date_max_days_ahead if max_days_ahead is None else max_days_ahead
    shown = day.isoformat()
    if future and day < now - timedelta(days=t.date_grace_days):
        return Verdict(False, cfg.messages["date_past"].format(example=shown), "date_past")
    if day > now + timedelta(days=ahead):
        msg = cfg.messages["date_far"].format(example=shown, days=ahead)
        return Verdict(False, msg, "date_far")
    return OK
