"""The plan's calendar events: the ask, its reminders, the first meeting, keeping in touch.

Why the calendar is honest about the ask: a plan is a means, the outcome is a request actually
made. So the file books the day of the ask with the final request text, one polite follow-up if
there is no reply (step 07: one friendly nudge after about two weeks of silence), and the day
to open notebook 11 and record what happened. The first meeting depends on a yes nobody has
given yet, so it is written only as a TENTATIVE event whose title says "if they say yes".

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
from mentor_workshop.participant.plan.model import AskEvent, Plan, Schedule

__all__ = ["FOLLOW_UP_NOTEBOOK", "REMINDER_HORIZON_WEEKS", "REMINDER_MINUTES", "to_ics"]

#: The notebook the follow-up reminder asks the participant to open.
FOLLOW_UP_NOTEBOOK = "11_follow_up"

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


def _ask_events(ask: AskEvent, seed: str, stamp: Any) -> list[Any]:
    """The ask on its day, one polite follow-up if there is no reply, then notebook 11."""
    how = ask.channel + (f" — {ask.occasion}" if ask.occasion else "")
    text = ask.text or "(Your request is not written yet: see notebooks 03 and 05.)"
    nudge = (ask.nudge_advice or "Send one short, friendly follow-up that restates your ask "
             "in a line; if there is still no answer, move on.")
    return [
        ics.ics_event(
            f"Send my request to {ask.leader}", ask.day,
            description=f"How: {how}\n\nMy request:\n{text}" if how else
            f"My request:\n{text}",
            location=ask.occasion, uid=ics.stable_uid("plan.ask", seed), stamp=stamp),
        ics.ics_event(
            f"No reply from {ask.leader} yet? Follow up politely",
            ask.day + timedelta(days=ask.nudge_after_days),
            description=(f"If {ask.leader} has not replied to the request you made on "
                         f"{ask.day.isoformat()}: {nudge}\n\nIf they have replied, "
                         "delete this reminder."),
            uid=ics.stable_uid("plan.ask.nudge", seed), stamp=stamp),
        ics.ics_event(
            f"Open notebook {FOLLOW_UP_NOTEBOOK}: what happened after my ask",
            ask.day + timedelta(days=ask.follow_up_after_days),
            description=(f"Open {FOLLOW_UP_NOTEBOOK}.ipynb and record what happened after "
                         f"you asked {ask.leader} — or what stopped you, and your new date."),
            uid=ics.stable_uid("plan.ask.follow_up", seed), stamp=stamp),
    ]


def _events(plan: Plan) -> list[Any]:
    schedule = plan.schedule
    seed = plan.participant.id or plan.participant.name
    events: list[Any] = []
    if schedule.ask is not None:
        with contextlib.suppress(ics.IcsError):
            events.extend(_ask_events(schedule.ask, seed, schedule.stamp))
    if schedule.meeting is not None and schedule.meeting_start is not None:
        who = schedule.ask.leader if schedule.ask is not None else schedule.leader
        with_who = f" with {who}" if who else ""
        with contextlib.suppress(ics.IcsError, OverflowError):  # far-future dates too
            events.append(ics.meeting_event(
                schedule.meeting,
                summary=f"If they say yes: first mentoring meeting{with_who} (tentative)",
                description=("Tentative: this meeting happens only if they say yes. Propose "
                             "times soon after the yes and confirm it then.\n\n"
                             "From your personal mentorship plan."),
                uid_parts=(seed,),
                stamp=schedule.stamp,
                status="TENTATIVE",
            ))
        with contextlib.suppress(ics.IcsError, OverflowError):  # far-future dates too
            events.extend(_reminders(schedule, seed))
    if schedule.commitment_date is not None:
        action = schedule.commitment_action or "the action in your mentorship plan"
        with contextlib.suppress(ics.IcsError, OverflowError):  # far-future dates too
            events.append(ics.ics_event(
                f"My commitment: {action}",
                schedule.commitment_date,
                description="The dated commitment from your personal mentorship plan.",
                uid=ics.stable_uid("within.commitment", seed),
                stamp=schedule.stamp,
            ))
    return events


def to_ics(plan: Plan, extra: Sequence[Any] = ()) -> bytes:
    """The plan's calendar: the ask and its reminders, the tentative first meeting,
    keep-in-touch reminders and the dated commitment.

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
    try:
        return ics.calendar_bytes(events, name="My mentorship plan")
    except OverflowError:  # dates at the very end of the calendar: nothing a calendar can hold
        return b""

