"""The personal mentorship plan: structure, partial journals, safe HTML, calendar, export."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import write_journal
from icalendar import Calendar
from journals import ADA, COMMITMENT_DATE, complete_answers

from mentor_workshop.core import atomic, curriculum
from mentor_workshop.core.journal import Journal
from mentor_workshop.core.safe_html import CSP_META
from mentor_workshop.participant import plan

LONDON = ZoneInfo("Europe/London")

# ------------------------------------------------------------------ HTML inspection


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> _Tags:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser


# ------------------------------------------------------------------ structure


def test_empty_journal_gives_a_plan_with_everything_missing(journal_path: Path) -> None:
    result = plan.build_plan(journal_path)
    sections = curriculum.load().step("10_my_plan").content.sections
    assert [s.id for s in result.sections] == [s.id for s in sections]
    assert [s.title for s in result.sections] == [s.title for s in sections]
    for section, spec in zip(result.sections, sections, strict=True):
        assert section.items == ()
        assert section.missing, f"{section.id} should say what is missing"
        for m in section.missing:
            assert m.step_id in spec.from_steps
            assert f"notebook {m.step_id[:2]}" in m.message
    assert not result.complete and not result.dated
    assert plan.to_ics(result) == b""
    assert not journal_path.exists(), "building a plan must not create a journal"


def test_complete_journal_gives_a_complete_plan(journal_path: Path) -> None:
    write_journal(journal_path, complete_answers(), **ADA)
    result = plan.build_plan(journal_path)
    assert result.complete, [str(m) for m in result.missing]
    assert result.participant == plan.Participant(name="Ada Lovelace", id="p001")
    shortlist = result.section("shortlist")
    assert shortlist.items[0].text == "Katherine Johnson (Mathematician)"
    # Ranked by the participant's weights: values·2 + warmth·1 → Grace 12, Katherine 11, Mary 11.
    ranking = shortlist.items[1].lines
    assert [line.split(",")[0] for line in ranking] == [
        "Grace Hopper", "Katherine Johnson", "Mary Jackson"]
    assert "my stretch pick" in ranking[0]
    request = result.section("request")
    assert request.items[0].text == "In person"
    assert request.items[1].quote and "gladly" in request.items[1].text, "05 revision wins"
    keep = {i.label: i.text for i in result.section("keep_in_touch").items}
    assert keep["How I will keep in touch"] == "A short email update, every 4 weeks"
    day = COMMITMENT_DATE
    assert keep["My commitment"] == (
        f"Send my request to Dr Johnson — by {day:%A} {day.day} {day:%B %Y}")
    if_yes = {i.label: i for i in result.section("if_yes").items}
    assert if_yes["Our first meeting"].text == (
        "Thursday 28 March 2030, 09:30–10:15 (Europe/London, 45 minutes)")
    two_way = {i.label: i for i in result.section("two_way").items}
    assert two_way["What I can offer them"].lines[0].startswith("Look into a question")
    if_no = {i.label: i for i in result.section("if_no").items}
    assert if_no["Who I will ask next"].text == "Mary Jackson"
    assert result.dated


def test_draft_is_used_when_there_is_no_revision(journal_path: Path) -> None:
    answers = complete_answers()
    del answers["tone.revision"]
    write_journal(journal_path, answers, **ADA)
    item = plan.build_plan(journal_path).section("request").items[1]
    assert item.label.endswith("(first draft from notebook 03)")
    assert item.text == answers["request.draft"]


def test_partial_journal_names_only_what_is_missing(journal_path: Path) -> None:
    answers = complete_answers()
    for key in ("gracious.meeting", "within.commitment", "two_way.offers", "plan.ask"):
        del answers[key]
    write_journal(journal_path, answers, **ADA)
    result = plan.build_plan(journal_path)
    missing = {(m.what, m.step_id) for m in result.missing}
    assert missing == {
        ("The date and time of your first meeting", "06_be_gracious"),
        ("Your questions for the first meeting", "06_be_gracious"),
        ("One action you commit to, with a date", "09_lead_from_within"),
        ("What you can offer in return", "08_two_way"),
        ("Who you will ask, how, and the day", "10_my_plan"),
    }
    assert any("notebook 06" in n for n in result.notes), "reminders need a meeting date"
    assert not result.dated


JUNK: list[Any] = [None, 7, -1.5, True, "text", [], ["a", 3, None], {}, {"x": [1, {"y": 2}]}]


@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_malformed_values_never_raise(junk: Any, journal_path: Path, tmp_path: Path) -> None:
    answers = {key: junk for key in complete_answers()}
    write_journal(journal_path, answers, **ADA)
    result = plan.build_plan(journal_path)
    assert not result.complete
    assert plan.to_markdown(result) and plan.to_html(result)
    assert plan.to_ics(result) == b""
    written = plan.export(journal_path, tmp_path / "out")
    assert set(written) == {"md", "html"}


def test_malformed_fields_inside_good_shapes(journal_path: Path) -> None:
    answers = complete_answers()
    answers["shortlist.leaders"] = [5, {"name": 3}, {"id": "x", "name": "Real", "warmth": "hot",
                                                     "values": [1], "stretch": "yes"}]
    answers["shortlist.weights"] = {"values": "lots", "warmth": None}
    answers["shortlist.first_pick"] = ["l1"]
    answers["gracious.meeting"] = {"start": "2030-02-30T25:00", "timezone": "Mars/Olympus",
                                   "duration_minutes": "an hour", "questions": "why?"}
    answers["within.rhythm"] = {"every_weeks": True, "channel": 4}
    answers["within.commitment"] = {"action": "Act", "date": "next Tuesday"}
    answers["rejection.responses"] = {"not_now": "thank_and_diary", "too_busy": {"choice": 1}}
    answers["two_way.prep"] = {"agenda": "yes"}
    write_journal(journal_path, answers, **ADA)
    result = plan.build_plan(journal_path)
    lines = result.section("shortlist").items[0].lines
    assert lines == ("Real",)
    whats = {m.what for m in result.missing}
    assert "The date and time of your first meeting" in whats
    assert "How often and how you will keep in touch" in whats
    assert "One action you commit to, with a date" in whats
    assert "How you would answer each kind of no" in whats
    assert "How you will prepare for meetings" in whats
    assert plan.to_ics(result) == b""


def test_unreadable_journal_gives_an_empty_plan_with_a_note(tmp_path: Path) -> None:
    folder_as_journal = tmp_path / "journal.json"
    folder_as_journal.mkdir()
    result = plan.build_plan(folder_as_journal)
    assert result.notes and "could not be read" in result.notes[0]
    assert len(result.missing) >= len(result.sections)


def test_corrupt_journal_is_reported_in_the_plan(journal_path: Path) -> None:
    journal_path.write_text("{ not json", encoding="utf-8")
    result = plan.build_plan(journal_path)
    assert any("moved" in n for n in result.notes)
    assert "Note:" in plan.to_markdown(result)


def test_a_section_added_by_a_facilitator_lists_its_answers(
        tmp_path: Path, journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    adapted = tmp_path / "exercises"
    shutil.copytree(curriculum.load().root, adapted)
    yaml_path = adapted / "steps" / "10_my_plan.yaml"
    text = yaml_path.read_text(encoding="utf-8").replace(
        "\nmissing:", "\n  - id: extra\n    title: My extra notes\n    from_steps: [08_two_way]\n"
        "\nmissing:", 1)
    yaml_path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("MENTOR_WORKSHOP_EXERCISES", str(adapted))
    write_journal(journal_path, {"two_way.cares": "Open data for everyone"}, **ADA)
    extra = plan.build_plan(journal_path).section("extra")
    assert extra.title == "My extra notes"
    assert extra.items[0].lines == ("Open data for everyone",)


# ------------------------------------------------------------------ Markdown and HTML


def test_markdown_carries_the_plan(journal_path: Path) -> None:
    write_journal(journal_path, complete_answers(), **ADA)
    md = plan.to_markdown(plan.build_plan(journal_path))
    assert md.startswith("# My mentorship plan\n")
    for section in curriculum.load().step("10_my_plan").content.sections:
        assert f"## {section.title}" in md
    assert "> Dear Dr Johnson" in md
    assert "Every part of the plan is written." in md


HOSTILE = "<script>alert(1)</script>"


def hostile_journal(path: Path) -> None:
    answers = complete_answers()
    answers["welcome.profile"]["name"] = HOSTILE
    answers["request.draft"] = f"Look {HOSTILE} at https://evil.example/pixel.png"
    answers["tone.revision"] = f'{HOSTILE} <img src="https://evil.example/x.png"> bye'
    answers["within.dormant_tie"]["name"] = '<a href="http://evil.example">Jonas</a>'
    write_journal(path, answers, name=HOSTILE, pid=ADA["pid"])


def test_html_is_self_contained_and_safe(journal_path: Path) -> None:
    hostile_journal(journal_path)
    page = plan.to_html(plan.build_plan(journal_path))
    parsed = parse_html(page)
    names = [tag for tag, _ in parsed.tags]
    assert "script" not in names and "<script" not in page.lower()
    assert not {"img", "a", "link", "iframe", "object"} & set(names)
    for tag, attrs in parsed.tags:
        for attr, value in attrs:
            assert attr not in ("href", "src", "srcset", "action"), (tag, attr)
            assert "http" not in (value or ""), (tag, attr, value)
            assert not attr.startswith("on"), (tag, attr)
    assert "url(" not in page and "@import" not in page
    text = "".join(parsed.text)
    assert HOSTILE in text, "participant text shows up as text"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert names[:1] == ["html"] and "style" in names and "@media print" in page


def test_html_of_a_clean_plan_mentions_no_url(journal_path: Path) -> None:
    write_journal(journal_path, complete_answers(), **ADA)
    page = plan.to_html(plan.build_plan(journal_path))
    assert CSP_META in page  # its http-equiv is the one "http" allowed
    assert "http" not in page.replace(CSP_META, "").lower()
    assert "<title>My mentorship plan — Ada Lovelace</title>" in page


def test_markdown_does_not_pass_raw_html(journal_path: Path) -> None:
    hostile_journal(journal_path)
    md = plan.to_markdown(plan.build_plan(journal_path))
    assert "<script" not in md and "<img" not in md and "<a " not in md
    assert "&lt;script&gt;" in md


def test_missing_parts_are_said_in_words(journal_path: Path) -> None:
    page = plan.to_html(plan.build_plan(journal_path))
    assert "Still to write:" in page and "Not yet written — see notebook 06 (Be gracious)" in page
    write_journal(journal_path, complete_answers(), **ADA)
    page = plan.to_html(plan.build_plan(journal_path))
    assert "Still to write" not in page and "✔ Every part of the plan is written." in page


# ------------------------------------------------------------------ calendar


MEETING_SUMMARY = "If they say yes: first mentoring meeting with Katherine Johnson (tentative)"


def _events(data: bytes) -> tuple[dict[str, Any], Calendar]:
    cal = Calendar.from_ical(data)
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}, cal


def test_ics_has_the_meeting_reminders_and_commitment(journal_path: Path) -> None:
    write_journal(journal_path, complete_answers(), **ADA)
    data = plan.to_ics(plan.build_plan(journal_path))
    events, cal = _events(data)
    meeting = events[MEETING_SUMMARY]
    assert meeting["STATUS"] == "TENTATIVE", "the meeting waits for a yes"
    assert meeting["DTSTART"].params["TZID"] == "Europe/London"
    assert meeting.decoded("DTSTART") == datetime(2030, 3, 28, 9, 30, tzinfo=LONDON)
    assert meeting.decoded("DTEND") == datetime(2030, 3, 28, 10, 15, tzinfo=LONDON)
    assert "How did you earn trust as a new lead?" in str(meeting["DESCRIPTION"])
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]

    reminder = events["Keep in touch with Katherine Johnson (A short email update)"]
    start = reminder.decoded("DTSTART")
    # Four weeks later, same wall-clock time, now in summer time (UTC+1).
    assert start == datetime(2030, 4, 25, 9, 30, tzinfo=LONDON)
    assert reminder["DTSTART"].params["TZID"] == "Europe/London"
    assert start.utcoffset() == timedelta(hours=1)
    rule = reminder["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["INTERVAL"] == [4] and rule["COUNT"] == [6]
    last = start + timedelta(weeks=4 * (rule["COUNT"][0] - 1))
    first_meeting = datetime(2030, 3, 28, 9, 30, tzinfo=LONDON)
    assert timedelta(days=150) <= last - first_meeting <= timedelta(days=190), "about 6 months"

    commitment = events["My commitment: Send my request to Dr Johnson"]
    assert commitment.decoded("DTSTART") == COMMITMENT_DATE
    assert commitment["DTSTART"].params.get("VALUE") == "DATE"
    assert len({str(e["UID"]) for e in events.values()}) == 6  # + the ask and its 2 reminders


@pytest.mark.parametrize(("weeks", "count"), [(2, 13), (6, 4), (12, 2)])
def test_reminder_count_follows_the_rhythm(weeks: int, count: int, journal_path: Path) -> None:
    answers = complete_answers()
    answers["within.rhythm"]["every_weeks"] = weeks
    write_journal(journal_path, answers, **ADA)
    events, _ = _events(plan.to_ics(plan.build_plan(journal_path)))
    rule = next(e for s, e in events.items() if s.startswith("Keep in touch"))["RRULE"]
    assert rule["INTERVAL"] == [weeks] and rule["COUNT"] == [count]


def test_ics_uses_the_meeting_time_zone(journal_path: Path) -> None:
    answers = complete_answers()
    answers["gracious.meeting"]["timezone"] = "America/New_York"
    answers["gracious.meeting"]["start"] = "2030-03-28T17:00"
    write_journal(journal_path, answers, **ADA)
    events, cal = _events(plan.to_ics(plan.build_plan(journal_path)))
    meeting = events[MEETING_SUMMARY]
    assert meeting["DTSTART"].params["TZID"] == "America/New_York"
    start = meeting.decoded("DTSTART")
    assert start == datetime(2030, 3, 28, 21, 0, tzinfo=ZoneInfo("UTC"))
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {"America/New_York"}


def test_ics_is_stable_across_exports(journal_path: Path) -> None:
    write_journal(journal_path, complete_answers(), **ADA)
    first = plan.to_ics(plan.build_plan(journal_path))
    assert plan.to_ics(plan.build_plan(journal_path)) == first


def test_commitment_alone_is_enough_for_a_calendar(journal_path: Path) -> None:
    write_journal(journal_path, {"within.commitment": {"action": "Call Jonas",
                                                       "date": "2030-05-02"}}, **ADA)
    events, _ = _events(plan.to_ics(plan.build_plan(journal_path)))
    assert list(events) == ["My commitment: Call Jonas"]


# ------------------------------------------------------------------ export


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir()
            if p.name.startswith(".") or p.name.endswith(atomic.TEMP_SUFFIX)]


def test_export_writes_three_files(journal_path: Path, tmp_path: Path) -> None:
    write_journal(journal_path, complete_answers(), **ADA)
    out = tmp_path / "plans" / "p001"
    written = plan.export(Journal(journal_path), out)
    assert written == {"md": out / "my_plan.md", "html": out / "my_plan.html",
                       "ics": out / "my_plan.ics"}
    result = plan.build_plan(journal_path)
    assert written["md"].read_text(encoding="utf-8") == plan.to_markdown(result)
    assert written["html"].read_text(encoding="utf-8") == plan.to_html(result)
    Calendar.from_ical(written["ics"].read_bytes())
    assert sorted(p.name for p in out.iterdir()) == ["my_plan.html", "my_plan.ics", "my_plan.md"]
    assert _leftovers(out) == []


def test_export_without_dates_writes_no_calendar_and_drops_a_stale_one(
        journal_path: Path, tmp_path: Path) -> None:
    write_journal(journal_path, complete_answers(), **ADA)
    plan.export(journal_path, tmp_path / "out")
    assert (tmp_path / "out" / "my_plan.ics").exists()
    Journal(journal_path).save("gracious.meeting", {})
    Journal(journal_path).save("within.commitment", {"action": "Later"})
    Journal(journal_path).save("plan.ask", {})
    written = plan.export(str(journal_path), tmp_path / "out")
    assert set(written) == {"md", "html"}
    assert not (tmp_path / "out" / "my_plan.ics").exists()


def test_interrupted_export_keeps_the_previous_file(
        journal_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "my_plan.html").write_text("previous version", encoding="utf-8")
    write_journal(journal_path, complete_answers(), **ADA)
    real_replace = os.replace

    def failing_replace(src: Any, dst: Any) -> None:
        if str(dst).endswith("my_plan.html"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(plan.PlanExportError) as caught:
        plan.export(journal_path, out)
    message = str(caught.value)
    assert str(out) in message and "No space left on device" in message
    assert "out_dir" in message and "journal are safe" in message
    assert (out / "my_plan.html").read_text(encoding="utf-8") == "previous version"
    assert _leftovers(out) == []


def test_export_to_a_file_path_fails_clearly(journal_path: Path, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "taken"
    not_a_folder.write_text("x", encoding="utf-8")
    with pytest.raises(plan.PlanExportError, match="could not be saved in"):
        plan.export(journal_path, not_a_folder)


def test_export_accepts_answers_as_a_mapping(tmp_path: Path) -> None:
    written = plan.export(complete_answers(), tmp_path)
    assert set(written) == {"md", "html", "ics"}
    assert "Ada Lovelace" in written["md"].read_text(encoding="utf-8")


# ------------------------------------------------------------------ the step 10 preview widget


def _plan_exercise(journal_path: Path, out_dir: Path) -> Any:
    from mentor_workshop.participant.widgets.my_plan import MyPlan

    ex = MyPlan(journal_path, out_dir=out_dir)
    ex.widget()
    return ex


def test_preview_shows_the_plan_and_refreshes(journal_path: Path, tmp_path: Path) -> None:
    from mentor_workshop.participant.widgets import exercise
    from mentor_workshop.participant.widgets.my_plan import MyPlan

    assert exercise("10_my_plan") is MyPlan
    ex = _plan_exercise(journal_path, tmp_path / "out")
    assert "mw-10-preview" in ex.preview._dom_classes
    assert "mw-10-export" in ex.export_button._dom_classes
    assert ex.export_button.description == "Export my plan" and ex.export_button.icon
    assert "Not yet written — see notebook 09" in ex.preview.value
    assert "part(s) still to write" in ex.status.value
    write_journal(journal_path, complete_answers(), **ADA)
    assert "Katherine Johnson" not in ex.preview.value
    ex.refresh_button.click()
    assert "Katherine Johnson" in ex.preview.value
    assert "Every part of your plan is written" in ex.status.value
    assert not (tmp_path / "out").exists(), "previewing writes nothing"


def test_export_button_writes_the_files(journal_path: Path, tmp_path: Path) -> None:
    write_journal(journal_path, complete_answers(), **ADA)
    ex = _plan_exercise(journal_path, tmp_path / "out")
    ex.export_button.click()
    for name in ("my_plan.md", "my_plan.html", "my_plan.ics"):
        assert (tmp_path / "out" / name).is_file()
        assert name in ex.files.value
    assert "Exported 3 file(s)" in ex.status.value


def test_export_button_without_dates_explains_the_missing_calendar(
        journal_path: Path, tmp_path: Path) -> None:
    ex = _plan_exercise(journal_path, tmp_path / "out")
    ex.export_button.click()
    assert "No calendar file yet" in ex.files.value
    assert not (tmp_path / "out" / "my_plan.ics").exists()


def test_export_button_failure_is_a_message(journal_path: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("x", encoding="utf-8")
    ex = _plan_exercise(journal_path, blocker)
    ex.export_button.click()
    assert "could not be saved" in ex.status.value and "mw-status-error" in ex.status.value


def test_preview_default_folder_is_the_notebook_folder(
        journal_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mentor_workshop.participant.widgets.my_plan import MyPlan

    monkeypatch.chdir(tmp_path)
    assert MyPlan(journal_path).out_dir == tmp_path


def test_plan_summary_in_grading_mode(journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mentor_workshop.participant.widgets.my_plan import MyPlan

    hostile_journal(journal_path)
    before = journal_path.read_bytes()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    summary = MyPlan(journal_path).summary_html()
    for section in curriculum.load().step("10_my_plan").content.sections:
        assert section.title in summary
    assert "&lt;script&gt;" in summary and "<script>" not in summary
    assert journal_path.read_bytes() == before
