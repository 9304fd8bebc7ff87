"""Calendar files: right zone, right length across daylight-saving changes, stable UIDs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mentor_workshop.core import ics
from mentor_workshop.core.atomic import TEMP_SUFFIX
from mentor_workshop.core.ics import IcsError

STAMP = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def only_event(cal: Calendar):
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def own_zone(cal: Calendar, tzid: str):
    """A tzinfo built from the file's own VTIMEZONE, not from this machine's zone database."""
    [tz] = [t for t in cal.timezones if t.tz_name == tzid]
    return tz.to_tz(lookup_tzid=False)


def meeting(start: str, tz: str, minutes: int = 60, questions: list[str] | None = None) -> dict:
    return {"yes_date": start[:10], "start": start, "timezone": tz,
            "duration_minutes": minutes, "questions": questions or []}


# ------------------------------------------------------------------ time zones and DST


def test_spring_forward_meeting_keeps_its_length_and_zone() -> None:
    # Berlin skips 02:00-03:00 on 2025-03-30: 60 minutes from 01:30 CET ends at 03:30 CEST.
    event = ics.meeting_event(meeting("2025-03-30T01:30", "Europe/Berlin"), summary="First meeting",
                              stamp=STAMP)
    data = ics.calendar_bytes([event])
    text = data.decode()
    assert "DTSTART;TZID=Europe/Berlin:20250330T013000" in text
    assert "DTEND;TZID=Europe/Berlin:20250330T033000" in text
    cal = parse(data)
    tz = own_zone(cal, "Europe/Berlin")
    start = datetime(2025, 3, 30, 1, 30, tzinfo=tz)
    end = datetime(2025, 3, 30, 3, 30, tzinfo=tz)
    assert start.astimezone(UTC) == datetime(2025, 3, 30, 0, 30, tzinfo=UTC)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=60)
    offsets = {sub.decoded("TZOFFSETTO") for sub in cal.timezones[0].walk()
               if sub.name in ("STANDARD", "DAYLIGHT")}
    assert {timedelta(hours=1), timedelta(hours=2)} <= offsets


def test_fall_back_end_in_repeated_hour_is_written_in_utc() -> None:
    # New York repeats 01:00-02:00 on 2025-11-02; the end is the *second* 01:30 (EST).
    event = ics.meeting_event(meeting("2025-11-02T01:30", "America/New_York"), summary="Meet",
                              stamp=STAMP)
    cal = parse(ics.calendar_bytes([event]))
    ev = only_event(cal)
    start, end = ev.decoded("dtstart"), ev.decoded("dtend")
    assert start.astimezone(UTC) == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # first 01:30, EDT
    assert end.astimezone(UTC) == datetime(2025, 11, 2, 6, 30, tzinfo=UTC)
    assert end - start == timedelta(hours=1)


def test_vtimezone_matches_zoneinfo_on_both_sides_of_the_change() -> None:
    events = [ics.ics_event("Summer", ics.local_datetime("2025-07-01T09:00", "Europe/London"),
                            stamp=STAMP),
              ics.ics_event("Winter", ics.local_datetime("2025-12-01T09:00", "Europe/London"),
                            stamp=STAMP)]
    cal = parse(ics.calendar_bytes(events))
    assert [t.tz_name for t in cal.timezones] == ["Europe/London"]  # one block per zone
    tz = own_zone(cal, "Europe/London")
    real = ZoneInfo("Europe/London")
    for when in (datetime(2025, 7, 1, 9), datetime(2025, 12, 1, 9)):
        assert when.replace(tzinfo=tz).utcoffset() == when.replace(tzinfo=real).utcoffset()


def test_each_zone_gets_its_own_vtimezone() -> None:
    events = [ics.ics_event("A", ics.local_datetime("2025-05-05T10:00", "Asia/Tokyo"), stamp=STAMP),
              ics.ics_event("B", ics.local_datetime("2025-05-05T10:00", "America/Sao_Paulo"),
                            stamp=STAMP)]
    cal = parse(ics.calendar_bytes(events))
    assert sorted(t.tz_name for t in cal.timezones) == ["America/Sao_Paulo", "Asia/Tokyo"]
    assert cal.get_missing_tzids() == set()


def test_utc_is_written_with_z_and_needs_no_vtimezone() -> None:
    for tz in (UTC, ZoneInfo("UTC"), ZoneInfo("Etc/UTC")):
        event = ics.ics_event("Call", datetime(2025, 6, 1, 15, 0, tzinfo=tz), stamp=STAMP)
        text = ics.calendar_bytes([event]).decode()
        assert "DTSTART:20250601T150000Z" in text
        assert "DTEND:20250601T160000Z" in text
        assert "VTIMEZONE" not in text


def test_nonexistent_local_time_is_refused_with_a_reason() -> None:
    with pytest.raises(IcsError, match=r"does not exist in America/New_York.*clocks jump forward"):
        ics.local_datetime("2025-03-09T02:30", "America/New_York")


@pytest.mark.parametrize(
    ("value", "tz", "message"),
    [
        ("2025-03-09T09:30", "Mars/Olympus", "not a time zone this computer knows"),
        ("2025-03-09T09:30", "", "Choose a time zone"),
        ("9:30 tomorrow", "Europe/Paris", "not a date and time like"),
        ("2025-02-30T09:30", "Europe/Paris", "not a real date"),
    ],
)
def test_bad_input_gets_an_actionable_message(value: str, tz: str, message: str) -> None:
    with pytest.raises(IcsError, match=message):
        ics.local_datetime(value, tz)


def test_naive_and_nameless_zones_are_refused() -> None:
    with pytest.raises(IcsError, match="has no time zone"):
        ics.ics_event("x", datetime(2025, 1, 1, 9))
    from datetime import timezone

    with pytest.raises(IcsError, match="no IANA name"):
        ics.ics_event("x", datetime(2025, 1, 1, 9, tzinfo=timezone(timedelta(hours=2))))


def test_end_before_start_and_empty_title_are_refused() -> None:
    start = ics.local_datetime("2025-01-01T09:00", "Europe/Paris")
    with pytest.raises(IcsError, match="after its start"):
        ics.ics_event("x", start, end=start - timedelta(minutes=5))
    with pytest.raises(IcsError, match="needs a title"):
        ics.ics_event("   ", start)
    with pytest.raises(IcsError, match="nothing to put"):
        ics.calendar_bytes([])


# ------------------------------------------------------------------ event content


def test_uid_is_stable_across_time_changes_and_distinct_per_person() -> None:
    a = ics.meeting_event(meeting("2025-04-01T09:00", "Europe/Paris"), summary="M",
                          uid_parts=("p1",), stamp=STAMP)
    b = ics.meeting_event(meeting("2025-04-02T15:00", "Asia/Tokyo"), summary="M",
                          uid_parts=("p1",), stamp=STAMP)
    c = ics.meeting_event(meeting("2025-04-01T09:00", "Europe/Paris"), summary="M",
                          uid_parts=("p2",), stamp=STAMP)
    assert str(a["uid"]) == str(b["uid"]) != str(c["uid"])
    assert str(a["uid"]).endswith("@mentor-workshop.invalid")


def test_required_properties_and_text_round_trip() -> None:
    summary = "Coffee with Ana; café, 'Le Nord' \\ 1st"
    event = ics.ics_event(summary, ics.local_datetime("2025-04-01T09:00", "Europe/Paris"),
                          description="Line one\r\nLine two\x07 end", location="Rue X, 3",
                          stamp=STAMP)
    data = ics.calendar_bytes([event], name="My plan")
    cal = parse(data)
    assert str(cal["version"]) == "2.0"
    assert str(cal["prodid"]) == ics.PRODID
    assert str(cal["x-wr-calname"]) == "My plan"
    ev = only_event(cal)
    assert str(ev["summary"]) == summary
    assert str(ev["description"]) == "Line one\nLine two end"
    assert str(ev["location"]) == "Rue X, 3"
    assert ev.decoded("dtstamp") == STAMP
    assert data.endswith(b"\r\n") and b"\r\n" in data  # RFC 5545 line endings


def test_meeting_event_carries_agenda_and_reminder() -> None:
    event = ics.meeting_event(
        meeting("2025-04-01T09:00", "Europe/Paris", 45, ["What did you wish you knew?", " ", "B"]),
        summary="First meeting", description="With Ana", stamp=STAMP)
    text = str(event["description"])
    assert text == "With Ana\n\nAgenda:\n1. What did you wish you knew?\n2. B"
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == -timedelta(days=1)


@pytest.mark.parametrize("minutes", [0, -5, "30", None, True])
def test_meeting_needs_a_positive_whole_duration(minutes) -> None:
    bad = meeting("2025-04-01T09:00", "Europe/Paris")
    bad["duration_minutes"] = minutes
    with pytest.raises(IcsError, match="length in minutes"):
        ics.meeting_event(bad, summary="M")


def test_all_day_and_repeating_events() -> None:
    day = ics.ics_event("Report back", date(2025, 5, 2), stamp=STAMP)
    rhythm = ics.ics_event("Keep in touch", ics.local_datetime("2025-05-05T08:00", "Europe/Oslo"),
                           rrule={"freq": "weekly", "interval": 4, "count": 8}, stamp=STAMP)
    text = ics.calendar_bytes([day, rhythm]).decode()
    assert "DTSTART;VALUE=DATE:20250502" in text
    assert "DTEND;VALUE=DATE:20250503" in text
    assert "RRULE:FREQ=WEEKLY;COUNT=8;INTERVAL=4" in text
    cal = parse(text.encode())
    tz = own_zone(cal, "Europe/Oslo")
    # the zone block still covers the last repeat (28 weeks later, after the October change)
    last = datetime(2025, 5, 5, 8) + timedelta(weeks=28)
    assert last.replace(tzinfo=tz).utcoffset() == last.replace(
        tzinfo=ZoneInfo("Europe/Oslo")).utcoffset() == timedelta(hours=1)


# ------------------------------------------------------------------ writing


def test_write_ics_is_atomic_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "first_meeting.ics"
    target.write_bytes(b"old")
    event = ics.meeting_event(meeting("2025-04-01T09:00", "Europe/Paris"), summary="M", stamp=STAMP)
    assert ics.write_ics(target, [event]) == target
    assert target.read_bytes() == ics.calendar_bytes([event])
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(TEMP_SUFFIX)]


def test_failed_build_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "first_meeting.ics"
    target.write_bytes(b"old")
    with pytest.raises(IcsError):
        ics.write_ics(target, [])
    assert target.read_bytes() == b"old"
