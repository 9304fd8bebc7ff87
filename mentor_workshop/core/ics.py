"""Calendar files (iCalendar, RFC 5545) for the first meeting and the personal plan.

Why a module of its own: a meeting that lands at the wrong hour is worse than no file at all,
and the traps are all about time zones. So every event here is anchored in a real IANA zone
(``DTSTART;TZID=...`` plus a matching ``VTIMEZONE`` generated from :mod:`zoneinfo`) or in UTC;
durations are measured in elapsed time, so a meeting that spans a daylight-saving change still
lasts as long as planned; local times that do not exist (skipped by the clocks going forward)
are refused with a message instead of being silently shifted. UIDs are derived from stable
parts (who, which answer), so downloading the file again updates the event in a calendar app
rather than adding a duplicate.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from mentor_workshop.core.atomic import write_bytes_atomic
from mentor_workshop.core.local_time import local_datetime, zone, zone_name
from mentor_workshop.errors import IcsError

__all__ = [
    "EVENT_STATUSES",
    "PRODID",
    "IcsError",
    "calendar_bytes",
    "ics_event",
    "local_datetime",
    "meeting_event",
    "stable_uid",
    "write_ics",
    "zone",
]

PRODID = "-//mentor_workshop//Personal mentorship plan//EN"
#: The statuses RFC 5545 allows on a VEVENT.
EVENT_STATUSES = ("TENTATIVE", "CONFIRMED", "CANCELLED")
#: UIDs end in this domain; ``.invalid`` is reserved, so they can never clash with a real host.
UID_DOMAIN = "mentor-workshop.invalid"
_UID_NAMESPACE = uuid.UUID("6f1d3c2e-5b8a-4c67-9d0e-2a4b6c8d0e1f")
#: Control characters other than tab and newline break some calendar apps' parsers.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def stable_uid(*parts: str) -> str:
    """The same parts always give the same UID, so a re-downloaded file updates its event.

    Parameters
    ----------
    *parts : str
        What identifies the event durably, e.g. the journal key and the participant id.

    Returns
    -------
    str
        A UUID5 derived from the parts, ``@`` the reserved ``UID_DOMAIN``.
    """
    seed = "\x1f".join(str(p) for p in parts)
    return f"{uuid.uuid5(_UID_NAMESPACE, seed)}@{UID_DOMAIN}"


def _clean(text: str) -> str:
    return _CONTROL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n")).strip()


def _is_utc(tz: tzinfo | None) -> bool:
    if tz is None:
        return False
    return tz is UTC or zone_name(tz) in {"UTC", "Etc/UTC", "Etc/Zulu", "Zulu", "UCT", "Etc/UCT"}


def _check_aware(value: datetime, label: str) -> datetime:
    tz = value.tzinfo
    if tz is None or value.utcoffset() is None:
        raise IcsError(
            f"The {label} time has no time zone; give it one (for example with "
            "local_datetime('2025-03-14T09:30', 'Europe/London')) so the meeting is not "
            "moved when someone opens it elsewhere."
        )
    if _is_utc(tz):
        return value.astimezone(UTC)
    if not isinstance(tz, ZoneInfo):
        raise IcsError(
            f"The {label} time's zone ({tz}) has no IANA name, so calendar apps cannot apply "
            "its daylight-saving rules. Use a zoneinfo.ZoneInfo zone or UTC."
        )
    return value


def _writable(value: datetime | date) -> datetime | date:
    """The time as it can be written: a ``TZID`` local time names the first of two repeated
    times (clocks going back), so the second one is written in UTC instead of an hour early."""
    if (
        isinstance(value, datetime)
        and value.fold == 1
        and value.replace(fold=0).utcoffset() != value.utcoffset()
    ):
        return value.astimezone(UTC)
    return value


def ics_event(
    summary: str,
    start: datetime | date,
    *,
    end: datetime | date | None = None,
    duration: timedelta | None = None,
    description: str = "",
    location: str = "",
    uid: str | None = None,
    stamp: datetime | None = None,
    rrule: Mapping[str, Any] | None = None,
    alarm_before: timedelta | None = None,
    status: str | None = None,
) -> Event:
    """One VEVENT, anchored in its IANA zone (or UTC) or, for a ``date``, all day.

    ``duration`` is elapsed time: a 60-minute meeting at 01:30 on the night clocks go forward
    ends at 03:30 local time, as it should. ``uid`` defaults to one derived from the summary
    and start; pass :func:`stable_uid` of something more durable when the time may change.
    ``rrule`` is passed to icalendar (e.g. ``{"freq": "weekly", "interval": 4, "count": 6}``).

    Parameters
    ----------
    summary : str
        The event's title; control characters are removed.
    start : datetime or date
        An aware datetime in an IANA zone or UTC, or a date for an all-day event.
    end : datetime or date, optional
        When it ends, of the same kind as ``start``; not together with ``duration``.
    duration : timedelta, optional
        Elapsed length; one hour for a timed event, one day for an all-day one, when neither
        ``end`` nor ``duration`` is given.
    description : str, default ""
        The event's notes; left out when blank.
    location : str, default ""
        Where it happens; left out when blank.
    uid : str, optional
        The event's UID; derived from the summary and start when omitted.
    stamp : datetime, optional
        The ``DTSTAMP``; now, in UTC, when omitted (tests pass a fixed one).
    rrule : mapping, optional
        A repeat rule in icalendar's form.
    alarm_before : timedelta, optional
        Adds a display reminder this long before the start.
    status : str, optional
        ``"TENTATIVE"``, ``"CONFIRMED"`` or ``"CANCELLED"`` (RFC 5545 §3.8.1.11); a meeting
        that depends on an answer not yet given is tentative.

    Returns
    -------
    icalendar.Event
        The event, ready for :func:`calendar_bytes`.

    Raises
    ------
    IcsError
        For an empty title, both ``end`` and ``duration``, a naive or nameless zone, an end
        not after the start, mixed date/datetime bounds, or an unknown status.
    """
    if status is not None and status not in EVENT_STATUSES:
        raise IcsError(f"An event's status is one of {', '.join(EVENT_STATUSES)}, "
                       f"not {status!r}.")
    title = _clean(summary)
    if not title:
        raise IcsError("A calendar event needs a title.")
    if end is not None and duration is not None:
        raise IcsError("Give an event an end or a duration, not both.")
    event = Event()
    event.add("summary", title)

    if isinstance(start, datetime):
        begin = _check_aware(start, "start")
        if end is None:
            length = duration if duration is not None else timedelta(hours=1)
            if length <= timedelta(0):
                raise IcsError("A meeting needs a duration of at least one minute.")
            finish = (begin.astimezone(UTC) + length).astimezone(begin.tzinfo)
        else:
            if not isinstance(end, datetime):
                raise IcsError("A timed event needs a timed end (a datetime, not a date).")
            finish = _check_aware(end, "end")
            if finish <= begin:
                raise IcsError("The end of an event must come after its start.")
    elif isinstance(start, date):
        begin = start
        if duration is not None and (duration.seconds or duration.microseconds):
            raise IcsError("An all-day event lasts whole days; give a duration in days.")
        if end is None:
            finish = start + (duration if duration is not None else timedelta(days=1))
        elif isinstance(end, datetime):
            raise IcsError("An all-day event needs an end date, not a date and time.")
        else:
            finish = end
        if finish <= begin:
            raise IcsError("The end of an event must come after its start.")
    else:
        raise IcsError(f"An event starts at a date or a date and time, not {start!r}.")

    event.add("dtstart", _writable(begin))
    event.add("dtend", _writable(finish))
    event.add("dtstamp", (stamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0))
    event.add("uid", uid or stable_uid(title, begin.isoformat()))
    if description.strip():
        event.add("description", _clean(description))
    if location.strip():
        event.add("location", _clean(location))
    if status is not None:
        event.add("status", status)
    if rrule:
        event.add("rrule", dict(rrule))
    if alarm_before is not None:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", title)
        alarm.add("trigger", -abs(alarm_before))
        event.add_component(alarm)
    return event


def meeting_event(
    meeting: Mapping[str, Any],
    *,
    summary: str,
    description: str = "",
    uid_parts: Sequence[str] = (),
    stamp: datetime | None = None,
    status: str | None = None,
) -> Event:
    """The first meeting saved under ``gracious.meeting`` as an event.

    Kept here (not in the widget) because the personal plan exports the same meeting.

    Parameters
    ----------
    meeting : mapping
        The saved meeting: ``start``, ``timezone``, ``duration_minutes`` and ``questions``.
    summary : str
        The event's title.
    description : str, default ""
        Text placed before the numbered agenda of questions.
    uid_parts : sequence of str, default ()
        Extra parts for :func:`stable_uid` (e.g. the participant id), after the journal key.
    stamp : datetime, optional
        The ``DTSTAMP``; now when omitted.
    status : str, optional
        ``"TENTATIVE"`` while the meeting depends on a yes not yet given.

    Returns
    -------
    icalendar.Event
        The meeting with its agenda and a reminder one day before.

    Raises
    ------
    IcsError
        When no meeting is saved, or its time, zone or length is missing or invalid.
    """
    if not isinstance(meeting, Mapping):
        raise IcsError("There is no first meeting saved yet; fill in the meeting plan first.")
    start = local_datetime(str(meeting.get("start") or ""), str(meeting.get("timezone") or ""))
    minutes = meeting.get("duration_minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise IcsError("Give the meeting a length in minutes, for example 30.")
    questions = [q.strip() for q in meeting.get("questions") or [] if isinstance(q, str)
                 and q.strip()]
    text = description.strip()
    if questions:
        agenda = "\n".join(f"{i}. {q}" for i, q in enumerate(questions, start=1))
        text = f"{text}\n\nAgenda:\n{agenda}".strip()
    return ics_event(
        summary,
        start,
        duration=timedelta(minutes=minutes),
        description=text,
        uid=stable_uid("gracious.meeting", *uid_parts),
        stamp=stamp,
        alarm_before=timedelta(days=1),
        status=status,
    )


def _span(events: Sequence[Event]) -> tuple[date, date]:
    """Dates the VTIMEZONE blocks must cover: every event, plus room for a repeating one."""
    days: list[date] = []
    repeats = False
    for event in events:
        for key in ("dtstart", "dtend"):
            if key in event:
                value = event.decoded(key)
                days.append(value.date() if isinstance(value, datetime) else value)
        repeats = repeats or "rrule" in event
    if not days:
        today = date.today()
        return today, today + timedelta(days=1)
    first, last = min(days), max(days)
    # clamped to what a date can hold, so a far-future (or year-1) date cannot crash the file
    before = min(timedelta(days=366), first - date.min)
    after = min(timedelta(days=366 * (10 if repeats else 1)), date.max - last)
    return first - before, last + after


def calendar_bytes(events: Iterable[Event], name: str = "") -> bytes:
    """A complete VCALENDAR with a VTIMEZONE for every zone the events use.

    The VTIMEZONE blocks are generated from zoneinfo so calendar apps need not guess a zone's
    daylight-saving rules from its name.

    Parameters
    ----------
    events : iterable of icalendar.Event
        The events to include, in order.
    name : str, default ""
        The calendar's display name (``X-WR-CALNAME``); left out when blank.

    Returns
    -------
    bytes
        The ``.ics`` file's content.

    Raises
    ------
    IcsError
        When there are no events.
    """
    items = list(events)
    if not items:
        raise IcsError("There is nothing to put in the calendar file yet.")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name.strip():
        cal.add("x-wr-calname", _clean(name))
    for event in items:
        cal.add_component(event)
    first, last = _span(items)
    cal.add_missing_timezones(first_date=first, last_date=last)
    missing = cal.get_missing_tzids()
    if missing:  # pragma: no cover - zoneinfo zones always resolve
        raise IcsError(f"No time zone rules found for {', '.join(sorted(missing))}.")
    return cal.to_ical()


def write_ics(path: str | os.PathLike[str], events: Iterable[Event], name: str = "") -> Path:
    """Write the calendar file atomically: a half-written .ics would import as nonsense.

    Parameters
    ----------
    path : path-like
        The ``.ics`` file to write.
    events : iterable of icalendar.Event
        The events to include.
    name : str, default ""
        The calendar's display name.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    IcsError
        When there are no events.
    """
    target = Path(path)
    write_bytes_atomic(target, calendar_bytes(events, name))
    return target
