"""The plan's calendar is honest about the ask, and two independent readers agree on it.

icalendar writes the file; vobject is a second, unrelated parser. Both must read back the
participant's own words exactly, however many commas, semicolons, backslashes and line breaks
they hold (RFC 5545 §3.3.11), and nobody's text may smuggle a new line or property into the file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import vobject
from conftest import write_journal
from icalendar import Calendar
from journals import ADA, REVISION, complete_answers

from mentor_workshop.participant import plan

NASTY = ("Dear Dr J; thanks, truly.\\ A backslash, a comma, a semicolon;\n"
         "A second line\r\nA third line\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injected")
NASTY_NAME = "Katherine \"Kate\" Johnson, PhD; NASA\\Langley"
NASTY_OCCASION = "After her talk, room 3; bring notes\\slides"


def _icalendar(data: bytes) -> dict[str, Any]:
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def _vobject(data: bytes) -> dict[str, Any]:
    cal = vobject.readOne(data.decode("utf-8"))
    return {e.summary.value: e for e in cal.vevent_list}


def _ics(journal_path: Path, answers: dict[str, Any]) -> bytes:
    write_journal(journal_path, answers, **ADA)
    return plan.to_ics(plan.build_plan(journal_path))


SEND = "Send my request to Katherine Johnson"
NUDGE = "No reply from Katherine Johnson yet? Follow up politely"
OPEN_11 = "Open notebook 11_follow_up: what happened after my ask"
MEETING = "If they say yes: first mentoring meeting with Katherine Johnson (tentative)"


def test_the_ask_its_reminders_and_a_tentative_meeting(journal_path: Path) -> None:
    data = _ics(journal_path, complete_answers())
    for events in (_icalendar(data), _vobject(data)):
        assert {SEND, NUDGE, OPEN_11, MEETING} <= set(events)
    ical = _icalendar(data)
    assert ical[SEND].decoded("DTSTART") == date(2030, 3, 18)
    assert ical[SEND]["DTSTART"].params.get("VALUE") == "DATE"
    assert REVISION in str(ical[SEND]["DESCRIPTION"]), "the final (05) text, not the 03 draft"
    assert "In person" in str(ical[SEND]["DESCRIPTION"])
    assert str(ical[SEND]["LOCATION"]) == "After her talk at the spring data conference"
    # step 07: one friendly nudge after two weeks of silence; notebook 11 two weeks on
    assert ical[NUDGE].decoded("DTSTART") == date(2030, 4, 1)
    assert "friendly follow-up" in str(ical[NUDGE]["DESCRIPTION"])
    assert ical[OPEN_11].decoded("DTSTART") == date(2030, 4, 1)
    assert "11_follow_up.ipynb" in str(ical[OPEN_11]["DESCRIPTION"])
    assert ical[MEETING]["STATUS"] == "TENTATIVE"
    assert "only if they say yes" in str(ical[MEETING]["DESCRIPTION"])
    assert not [s for s in ical if s.startswith("First mentoring meeting")], \
        "no meeting booked as if the answer were already yes"

    vob = _vobject(data)
    assert vob[SEND].dtstart.value == date(2030, 3, 18)
    assert vob[SEND].description.value == str(ical[SEND]["DESCRIPTION"])
    assert vob[MEETING].status.value == "TENTATIVE"
    assert vob[NUDGE].dtstart.value == date(2030, 4, 1)
    uids = [e.uid.value for e in vob.values()]
    assert len(uids) == len(set(uids))


def test_no_scheduled_ask_means_no_ask_events(journal_path: Path) -> None:
    answers = complete_answers()
    del answers["plan.ask"]
    events = _icalendar(_ics(journal_path, answers))
    assert SEND not in events and NUDGE not in events and OPEN_11 not in events
    assert MEETING in events, "the tentative meeting is named after the first pick"


def test_the_ask_alone_is_enough_for_a_calendar(journal_path: Path) -> None:
    answers = {k: v for k, v in complete_answers().items()
               if k.startswith(("shortlist.", "request.", "plan."))}
    events = _vobject(_ics(journal_path, answers))
    assert set(events) == {SEND, NUDGE, OPEN_11}
    assert "Dear Dr Johnson" in events[SEND].description.value, "falls back to the 03 draft"


def test_participant_text_is_escaped_and_read_back_exactly_by_both_parsers(
        journal_path: Path) -> None:
    answers = complete_answers()
    answers["tone.revision"] = NASTY
    answers["shortlist.leaders"][1]["name"] = NASTY_NAME
    answers["plan.ask"]["occasion"] = NASTY_OCCASION
    data = _ics(journal_path, answers)
    text = data.decode("utf-8")
    # one BEGIN:VEVENT per real event: the participant's text added none
    lines = text.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == len(Calendar.from_ical(data).walk("VEVENT")) == 6
    assert "\nSUMMARY:injected" not in text.replace("\r\n ", "")
    unfolded = text.replace("\r\n ", "")
    assert "thanks\\, truly.\\\\ A backslash\\, a comma\\, a semicolon\\;\\n" in unfolded
    assert all(line.endswith("\r") or line == "" for line in text.split("\n")), \
        "every line ends in CRLF; no bare newline from the participant's text"

    expected = NASTY.replace("\r\n", "\n")
    send = f"Send my request to {NASTY_NAME}"
    for events, read in ((_icalendar(data), lambda e, k: str(e[k])),
                         (_vobject(data), lambda e, k: getattr(e, k.lower()).value)):
        assert send in events
        assert read(events[send], "DESCRIPTION").endswith(expected)
        assert read(events[send], "LOCATION") == NASTY_OCCASION
