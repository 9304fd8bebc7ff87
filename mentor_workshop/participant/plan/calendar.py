"""The plan's calendar events: the first meeting, keep-in-touch reminders, the commitment.

Why through :mod:`mentor_workshop.core.ics`: that module anchors every event in a real time
zone, keeps durations in elapsed time and gives stable UIDs, so downloading the plan again
updates the events in a calendar app rather than adding duplicates. Here we only decide which
events the plan holds. An event that cannot be placed (a time skipped by daylight saving) is
left out rather than shifted, and the rest of the calendar is still written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from mentor_workshop.core import ics
from mentor_workshop.participant.plan.model import Plan, Schedule

__all__ = ["REMINDER_HORIZON_WEEKS", "REMINDER_MINUTES", "to_ics"]

#: Keep-in-touch reminders run for about six months after the first meeting.
REMINDER_HORIZON_WEEKS = 26
REMINDER_MINUTES = 30


def _reminders(schedule: Schedule, uid_seed: str) -> list[Any]:
    if not schedule.every_weeks or schedule.meeting_start is None:
        return []
    weeks = schedule.every_weeks
    count = REMINDER_HORIZON_WEEKS // weeks
    if count < 1:
        return []
    first = schedule.meeting_start + timedelta(weeks=weeks)  # same wall-clock time
    try:
        first = ics.local_datetime(first.replace(tzinfo=None), first.tzinfo)
    except ics.IcsError:  # lands in a daylight-saving gap: an hour later exists
        first = ics.local_datetime(first.replace(tzinfo=None) + timedelta(hours=1), first.tzinfo)
    who = f" with {schedule.leader}" if schedule.leader else ""
    how = f" ({schedule.channel})" if schedule.channel else ""
    return [ics.ics_event(
        f"Keep in touch{who}{how}",
        first,
        duration=timedelta(minutes=REMINDER_MINUTES),
        description=(f"Your keep-in-touch rhythm: every {weeks} weeks. Share what you did with "
                     "their advice and what you are working on next."),
        uid=ics.stable_uid("within.rhythm", uid_seed),
        stamp=schedule.stamp,
        rrule={"freq": "weekly", "interval": weeks, "count": count},
    )]


def _events(plan: Plan) -> list[Any]:
    schedule = plan.schedule
    seed = plan.participant.id or plan.participant.name
    events: list[Any] = []
    if schedule.meeting is not None and schedule.meeting_start is not None:
        who = f" with {schedule.leader}" if schedule.leader else ""
        with contextlib.suppress(ics.IcsError):
            events.append(ics.meeting_event(
                schedule.meeting,
                summary=f"First mentoring meeting{who}",
                description="From your personal mentorship plan.",
                uid_parts=(seed,),
                stamp=schedule.stamp,
            ))
        with contextlib.suppress(ics.IcsError):
            events.extend(_reminders(schedule, seed))
    if schedule.commitment_date is not None:
        action = schedule.commitment_action or "the action in your mentorship plan"
        with contextlib.suppress(ics.IcsError):
            events.append(ics.ics_event(
                f"My commitment: {action}",
                schedule.commitment_date,
                description="The dated commitment from your personal mentorship plan.",
                uid=ics.stable_uid("within.commitment", seed),
                stamp=schedule.stamp,
            ))
    return events


def to_ics(plan: Plan, extra: Sequence[Any] = ()) -> bytes:
    """The plan's calendar: first meeting, keep-in-touch reminders and the dated commitment.

    Parameters
    ----------
    plan : Plan
        The built plan.
    extra : sequence of events, default ()
        Events from outside the plan (a self-paced learner's suggested pace).

    Returns
    -------
    bytes
        An iCalendar file; empty bytes when nothing in the plan is dated yet (``export`` then
        writes no file).
    """
    events = _events(plan) + list(extra)
    if not events:
        return b""
    return ics.calendar_bytes(events, name="My mentorship plan")

