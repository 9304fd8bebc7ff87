"""Step 06's exercises: the thank-you card and the first meeting, saved, restored and exported."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, timedelta
from pathlib import Path

import ipywidgets as w
import pytest
from conftest import built, descendants, on_disk
from icalendar import Calendar

from mentor_workshop.core import curriculum, ics
from mentor_workshop.core.journal import Journal
from mentor_workshop.participant.widgets import exercise
from mentor_workshop.participant.widgets.gracious import (
    OTHER_ZONE,
    FirstMeeting,
    ThankYouNote,
    file_link_html,
    parse_time,
)

CONTENT = curriculum.load().step("06_be_gracious").content
NOTE = ("Dear Dr Johnson, thank you so much for agreeing to meet me. I am grateful that you "
        "would make time for this, and I am looking forward to hearing how you checked the "
        "Friendship 7 numbers. See you on Thursday. Ada")


def note_ex(journal_path: Path) -> ThankYouNote:
    return built("06_be_gracious.thank_you", journal_path)


def meeting_ex(journal_path: Path) -> FirstMeeting:
    return built("06_be_gracious.meeting", journal_path)


def fill_meeting(ex: FirstMeeting) -> None:
    ex.yes_date.value = date(2030, 3, 25)
    ex.start_date.value = date(2030, 3, 28)
    ex.start_time.value = "9:30"
    ex.zone_menu.value = "America/New_York"
    ex.duration.value = 30
    ex.questions[0].value = "What do you wish you had known at my stage?"
    ex.questions[1].value = "How did you earn trust as a new lead?"
    ex.questions[2].value = "How would you like us to keep in touch?"


MEETING = {
    "yes_date": "2030-03-25", "start": "2030-03-28T09:30", "timezone": "America/New_York",
    "duration_minutes": 30,
    "questions": ["What do you wish you had known at my stage?",
                  "How did you earn trust as a new lead?",
                  "How would you like us to keep in touch?"],
}


# ------------------------------------------------------------------ thank-you note


def test_note_is_saved_as_typed_and_shown_as_an_escaped_card(journal_path: Path) -> None:
    ex = note_ex(journal_path)
    assert "appears here as you type" in ex.card.value
    assert "feedback appears here as you type" in ex.feedback.value
    ex.note.value = "Dear <Ana> & team,\nthank you!"
    assert on_disk(journal_path) == {"gracious.thank_you": "Dear <Ana> & team,\nthank you!"}
    assert "&lt;Ana&gt; &amp; team" in ex.card.value and "<Ana>" not in ex.card.value
    assert 'class="mw-06-card"' in ex.card.value
    assert "more to reach 30" in ex.count.value
    ex.note.value = NOTE
    assert "✓ long enough" in ex.count.value
    assert ex.note.continuous_update is True


def test_card_has_a_print_layout(journal_path: Path) -> None:
    root = note_ex(journal_path).widget()
    css = "".join(c.value for c in descendants(root) if isinstance(c, w.HTML))
    assert re.search(r"@media print\s*{[^}]*\.mw-06-card\s*{", css)


def test_feedback_shows_only_gratitude_and_tone(journal_path: Path) -> None:
    ex = note_ex(journal_path)
    ex.note.value = ("Thank you for saying yes. I'm so sorry, I know you're far too busy and I'm "
                     "no expert. You must reply by Friday.")
    shown = set(re.findall(r'<li class="mw-fb-item[^"]*" data-signal="(\w+)" data-level="(\w+)"',
                           ex.feedback.value))
    assert {name for name, _ in shown} == {"gratitude", "neediness", "overconfidence"}
    assert ("neediness", "problem") in shown and ("overconfidence", "problem") in shown
    ex.note.value = NOTE
    levels = dict(re.findall(r'<li class="mw-fb-item[^"]*" data-signal="(\w+)" '
                             r'data-level="(\w+)"', ex.feedback.value))
    assert levels == {"gratitude": "good", "neediness": "good", "overconfidence": "good"}


# ------------------------------------------------------------------ meeting form


def test_meeting_is_saved_as_filled_in(journal_path: Path) -> None:
    ex = meeting_ex(journal_path)
    fill_meeting(ex)
    assert on_disk(journal_path) == {"gracious.meeting": MEETING}
    assert "Thursday 28 March 2030, 09:30–10:00 (America/New_York; 13:30 UTC)" in ex.advice.value
    assert "3 days after their yes" in ex.advice.value and "Within the week" in ex.advice.value


def test_every_input_is_labelled_and_findable(journal_path: Path) -> None:
    ex = meeting_ex(journal_path)
    note = note_ex(journal_path)
    inputs = {"mw-06-yes-date": ex.yes_date, "mw-06-start-date": ex.start_date,
              "mw-06-start-time": ex.start_time, "mw-06-timezone": ex.zone_menu,
              "mw-06-timezone-other": ex.zone_other, "mw-06-duration": ex.duration,
              "mw-06-question-1": ex.questions[0], "mw-06-question-3": ex.questions[2],
              "mw-06-suggestion": ex.suggestion, "mw-06-thank-you": note.note}
    for css, widget in inputs.items():
        assert css in widget._dom_classes
        assert widget.description.strip(), f"{css} needs a visible label"
        if isinstance(widget, w.Text | w.Textarea):
            assert widget.continuous_update, f"{css} saves as the participant types"
    assert "mw-06-download" in ex.download._dom_classes
    assert ex.download.description == "Download calendar file" and ex.download.icon


@pytest.mark.parametrize(("typed", "expected"), [
    ("9:30", (9, 30)), ("09.30", (9, 30)), ("14h15", (14, 15)), ("2:30 pm", (14, 30)),
    ("12am", (0, 0)), ("12:05 PM", (12, 5)), (" 7:00 a.m. ", (7, 0)),
])
def test_parse_time_reads_what_people_type(typed: str, expected: tuple[int, int]) -> None:
    assert parse_time(typed) == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("soon", "not a time I can read"), ("9", "Add the minutes"), ("25:00", "not a time of day"),
    ("13:00 pm", "mixes am/pm"),
])
def test_parse_time_explains_bad_input(typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_time(typed)


def test_bad_time_is_explained_and_the_last_good_start_kept(journal_path: Path) -> None:
    ex = meeting_ex(journal_path)
    fill_meeting(ex)
    ex.start_time.value = "half past nine"
    assert on_disk(journal_path)["gracious.meeting"]["start"] == "2030-03-28T09:30"
    assert "not a time I can read" in ex.advice.value
    assert "last valid choice is kept" in ex.advice.value
    assert "Traceback" not in ex.advice.value + ex.status.value


def test_time_skipped_by_daylight_saving_is_refused(journal_path: Path) -> None:
    ex = meeting_ex(journal_path)
    ex.zone_menu.value = "Europe/Berlin"
    ex.yes_date.value = date(2025, 3, 27)
    ex.start_date.value = date(2025, 3, 30)
    ex.start_time.value = "02:30"
    assert "does not exist in Europe/Berlin" in ex.advice.value
    # picking the date saved it with the default time shown; the impossible time is not saved
    assert on_disk(journal_path)["gracious.meeting"]["start"] == "2025-03-30T10:00"


def test_a_late_meeting_is_saved_but_questioned(journal_path: Path) -> None:
    ex = meeting_ex(journal_path)
    fill_meeting(ex)
    ex.start_date.value = date(2030, 4, 10)
    assert on_disk(journal_path)["gracious.meeting"]["start"] == "2030-04-10T09:30"
    assert "16 days after their yes" in ex.advice.value
    assert f"within {CONTENT.meeting.within_days} days" in ex.advice.value
    ex.start_date.value = date(2030, 3, 20)
    assert "before they said yes" in ex.advice.value


def test_other_time_zone_is_typed_and_validated(journal_path: Path) -> None:
    ex = meeting_ex(journal_path)
    fill_meeting(ex)
    ex.zone_menu.value = OTHER_ZONE
    assert ex.zone_other.layout.display is None, "the free-text box appears"
    ex.zone_other.value = "Mars/Olympus_Mons"
    assert "not a time zone this computer knows" in ex.advice.value
    assert on_disk(journal_path)["gracious.meeting"]["timezone"] == "America/New_York"
    ex.zone_other.value = "Asia/Manila"
    assert on_disk(journal_path)["gracious.meeting"]["timezone"] == "Asia/Manila"


def test_suggested_questions_fill_the_first_empty_box(journal_path: Path) -> None:
    ex = meeting_ex(journal_path)
    ex.questions[0].value = "My own question?"
    ex.suggestion.value = CONTENT.meeting.suggested_questions[0]
    ex.use_suggestion.click()
    assert ex.questions[1].value == CONTENT.meeting.suggested_questions[0]
    assert on_disk(journal_path)["gracious.meeting"]["questions"][:2] == [
        "My own question?", CONTENT.meeting.suggested_questions[0]]
    ex.suggestion.value = CONTENT.meeting.suggested_questions[0]
    ex.use_suggestion.click()
    assert "already on your list" in ex.status.value
    ex.questions[2].value = "Third?"
    ex.suggestion.value = CONTENT.meeting.suggested_questions[1]
    ex.use_suggestion.click()
    assert "All question boxes are full" in ex.status.value


# ------------------------------------------------------------------ calendar file


def test_download_writes_a_valid_calendar_beside_the_notebook(
    journal_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    journal = Journal(journal_path)
    journal.set_participant(id="p007", name="Ada")
    journal.save("shortlist.leaders", [{"id": "l1", "name": "Katherine Johnson"}])
    journal.save("shortlist.first_pick", "l1")
    ex = meeting_ex(journal_path)
    # Berlin's clocks go forward at 02:00 on 2025-03-30: 60 minutes from 01:30 ends at 03:30.
    ex.zone_menu.value = "Europe/Berlin"
    ex.yes_date.value = date(2025, 3, 27)
    ex.start_date.value = date(2025, 3, 30)
    ex.start_time.value = "01:30"
    ex.duration.value = 60
    ex.questions[0].value = "What matters most, in your view?"
    ex.download.click()
    path = tmp_path / "first_meeting.ics"
    assert path.is_file(), ex.status.value
    text = path.read_text(encoding="utf-8")
    assert "DTSTART;TZID=Europe/Berlin:20250330T013000" in text
    assert "DTEND;TZID=Europe/Berlin:20250330T033000" in text
    cal = Calendar.from_ical(path.read_bytes())
    [tz] = cal.timezones
    assert tz.tz_name == "Europe/Berlin"
    [event] = cal.walk("VEVENT")
    assert str(event["summary"]) == (
        "If they say yes: first mentoring meeting with Katherine Johnson (tentative)")
    assert event["status"] == "TENTATIVE"
    assert "1. What matters most, in your view?" in str(event["description"])
    elapsed = event.decoded("dtend").astimezone(UTC) - event.decoded("dtstart").astimezone(UTC)
    assert elapsed == timedelta(hours=1)
    # the same UID as the personal plan's copy, so importing both updates one event
    assert str(event["uid"]) == ics.stable_uid("gracious.meeting", "p007")
    assert "first_meeting.ics" in ex.status.value
    [shown] = ex.link.outputs
    assert 'href="first_meeting.ics" download="first_meeting.ics"' in shown["data"]["text/html"]


def test_download_without_a_meeting_says_what_to_do(
    journal_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ex = meeting_ex(journal_path)
    ex.download.click()
    assert "Pick the meeting date and start time first" in ex.status.value
    assert not (tmp_path / "first_meeting.ics").exists()


def test_file_link_is_relative_and_escaped(tmp_path: Path) -> None:
    path = tmp_path / 'my "<plan>".ics'
    html = file_link_html(path, base=tmp_path)
    assert 'href="my%20%22%3Cplan%3E%22.ics"' in html
    assert "my &quot;&lt;plan&gt;&quot;.ics</a>" in html
    assert "<plan>" not in html and "download=" in html


# ------------------------------------------------------------------ restart and grading


def test_answers_survive_a_kernel_restart(journal_path: Path, tmp_path: Path,
                                          fresh_kernel) -> None:
    fill_meeting(meeting_ex(journal_path))
    note_ex(journal_path).note.value = NOTE
    out = fresh_kernel.run(f"""
        import json
        from mentor_workshop.participant.widgets import exercise
        m = exercise("06_be_gracious.meeting")({str(journal_path)!r})
        m.widget()
        n = exercise("06_be_gracious.thank_you")({str(journal_path)!r})
        n.widget()
        m.download.click()
        link = "".join(o.get("data", {{}}).get("text/html", "") for o in m.link.outputs)
        print(json.dumps({{
            "yes": m.yes_date.value.isoformat(), "start": m.start_date.value.isoformat(),
            "time": m.start_time.value, "zone": m.zone_menu.value, "minutes": m.duration.value,
            "questions": [q.value for q in m.questions], "note": n.note.value,
            "card": n.card.value, "link": link,
        }}))
    """)
    restored = json.loads(out.strip().splitlines()[-1])
    assert restored["yes"] == "2030-03-25" and restored["start"] == "2030-03-28"
    assert restored["time"] == "09:30" and restored["zone"] == "America/New_York"
    assert restored["minutes"] == 30 and restored["questions"] == MEETING["questions"]
    assert restored["note"] == NOTE and "Friendship 7" in restored["card"]
    assert 'href="first_meeting.ics"' in restored["link"]
    assert (tmp_path / "first_meeting.ics").is_file()  # the kernel runs in tmp_path


def test_grading_mode_shows_a_summary_and_writes_nothing(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_meeting(meeting_ex(journal_path))
    note_ex(journal_path).note.value = "Thank you <b>so</b> much"
    before = journal_path.read_bytes()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    whole = exercise("06_be_gracious")(journal_path)
    html = whole.summary_html()
    assert "Thank you &lt;b&gt;so&lt;/b&gt; much" in html
    assert "Thursday 28 March 2030, 09:30–10:00" in html
    assert "How did you earn trust as a new lead?" in html
    ex = meeting_ex(journal_path)
    ex.duration.value = 90
    ex.questions[0].value = "changed"
    assert journal_path.read_bytes() == before


def test_whole_step_builds_both_parts(journal_path: Path) -> None:
    ex = exercise("06_be_gracious")(journal_path)
    root = ex.widget()
    classes = {c for widget in descendants(root) for c in getattr(widget, "_dom_classes", ())}
    assert {"mw-06-thank-you", "mw-06-start-date", "mw-06-download"} <= classes
