"""The suggested pace as calendar events, for the plan's ``.ics`` file.

Why beside the plan and not in it: the plan's calendar holds what the learner decided (the
meeting, the rhythm, the commitment); these are suggestions from the self-paced path. The plan
asks this module for them in one call, so the pace can change without touching the plan.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mentor_workshop.core import ics, solo
from mentor_workshop.core.journal import Journal, JournalError
from mentor_workshop.participant.solo.choice import pace_start

__all__ = ["pace_events"]


def pace_events(source: Any, stamp: datetime | None = None) -> list[Any]:
    """Calendar events for a self-paced learner's sittings, ask and follow-up.

    Parameters
    ----------
    source : Journal, path or mapping
        What the plan is built from: an open journal, its path, or the answers themselves.
        A workshop participant, or a journal that cannot be read, gives no events.
    stamp : datetime, optional
        The events' DTSTAMP, so a rebuilt file is identical.

    Returns
    -------
    list
        All-day :func:`mentor_workshop.core.ics.ics_event` events; empty when there is no pace.
    """
    answers, who = _answers(source)
    start = pace_start(answers)
    if start is None:
        return []
    content = solo.load()
    seed = str(who.get("id") or who.get("name") or "solo")
    events = []
    for number, day in enumerate(solo.schedule_days(start, content), 1):
        if day.kind == "sitting":
            about = (f"About {content.schedule.sitting_minutes} minutes: open the notebooks for "
                     f"{', '.join(day.steps)}.")
        else:
            about = "A suggested date from the self-paced path."
        with contextlib.suppress(ics.IcsError):
            events.append(ics.ics_event(
                day.title, day.day, description=about,
                uid=ics.stable_uid(f"solo.pace.{number}", seed), stamp=stamp))
    return events


def _answers(source: Any) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    if isinstance(source, Mapping):
        return source, {}
    try:
        journal = source if isinstance(source, Journal) else Journal(source)
        return journal.all(), journal.participant
    except (JournalError, OSError, TypeError):
        return {}, {}
