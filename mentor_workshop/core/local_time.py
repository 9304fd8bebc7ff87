"""A wall-clock time in a named zone: the one place a meeting's "when" is read.

Why apart from :mod:`mentor_workshop.core.ics`: checks read a booked meeting's time for every
journal (``status``, the report), and only writing a calendar file needs icalendar, which takes a
twentieth of a second to import. This module needs only :mod:`zoneinfo`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentor_workshop.errors import IcsError

__all__ = ["local_datetime", "zone", "zone_name"]

_LOCAL_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")


def zone(name: str | tzinfo) -> tzinfo:
    """An IANA time zone by name (``Europe/Paris``), with a plain message for a typo.

    Parameters
    ----------
    name : str or tzinfo
        The zone's IANA name, or a zone object (returned as is).

    Returns
    -------
    tzinfo
        A :class:`zoneinfo.ZoneInfo` for a name.

    Raises
    ------
    IcsError
        For an empty or unknown name; the message gives examples of valid ones.
    """
    if isinstance(name, tzinfo):
        return name
    text = (name or "").strip()
    if not text:
        raise IcsError("Choose a time zone, for example Europe/London or America/New_York.")
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise IcsError(
            f"'{text}' is not a time zone this computer knows. Use a name like "
            "Europe/London, America/New_York or Asia/Singapore (Region/City, with an "
            "underscore for spaces)."
        ) from None


def local_datetime(value: str | datetime, tz: str | tzinfo) -> datetime:
    """A wall-clock time (``YYYY-MM-DDTHH:MM`` or a naive datetime) placed in ``tz``.

    Refuses times the clocks skip when daylight saving starts: a calendar app would move such a
    meeting by an hour without telling anyone. A time that happens twice (clocks going back) is
    the first occurrence, which is also how RFC 5545 reads a ``TZID`` time.

    Parameters
    ----------
    value : str or datetime
        ``YYYY-MM-DDTHH:MM`` or a naive datetime; an aware datetime is converted to ``tz``.
    tz : str or tzinfo
        The zone (IANA name or zone object) the wall-clock time is in.

    Returns
    -------
    datetime
        An aware datetime in ``tz``.

    Raises
    ------
    IcsError
        For a bad zone, a malformed or impossible date, or a time skipped by daylight saving.
    """
    where = zone(tz)
    if isinstance(value, str):
        text = value.strip()
        if not _LOCAL_FORMAT.match(text):
            raise IcsError(
                f"'{text}' is not a date and time like 2025-03-14T09:30 (year-month-day, then "
                "T, then hours:minutes on a 24-hour clock)."
            )
        try:
            naive = datetime.fromisoformat(text)
        except ValueError:
            raise IcsError(f"'{text}' is not a real date and time; check the day and month.") \
                from None
    elif isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(where)
        naive = value
    else:
        raise IcsError(f"A start time must be text like 2025-03-14T09:30, not {value!r}.")
    placed = naive.replace(tzinfo=where, fold=0)
    if placed.astimezone(UTC).astimezone(where).replace(tzinfo=None) != naive:
        raise IcsError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone_name(where)}: the clocks jump "
            "forward that night for daylight saving. Pick a time an hour or more later."
        )
    return placed


def zone_name(tz: tzinfo | None) -> str:
    """A zone's IANA name (``Europe/Paris``), or its string form for a zone without one.

    Parameters
    ----------
    tz : tzinfo or None
        The zone.

    Returns
    -------
    str
        The name to show a participant or write into a calendar file.
    """
    return getattr(tz, "key", None) or str(tz)
