"""The ask scheduled in step 10 and the follow-up of step 11: checks and widgets.

The rules under test: an ask needs who, how and a day not before the day it was planned (and an
occasion in person); a follow-up is complete after "not yet" with a reason and a new day — no
participant is marked down for not having asked yet.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import built, grading_display, on_disk, one, write_journal
from journals import ASK, FOLLOW_UP, POINTS, answers_for, complete_answers

from mentor_workshop.core.checks import check, grade
from mentor_workshop.core.criteria.follow_up import read_ask, read_follow_up

PLAN = "10_my_plan"
FOLLOW = "11_follow_up"
TODAY = date.today()


def _not_yet(**extra: object) -> dict:
    return {
        **answers_for("01_shortlist"),
        "follow_up.asked": {"status": "not_yet", "stopped": "A week of night shifts.",
                            "new_date": "2030-05-02", "noted_on": "2030-04-01", **extra},
        "follow_up.learned": "Planning the day was easy; keeping it when work piled up was not.",
        "follow_up.next": {"action": "next_person", "note": "Ask Mary in May."},
    }


# ------------------------------------------------------------------ the ask (step 10)


def test_the_complete_plan_includes_the_scheduled_ask(journal_path: Path) -> None:
    write_journal(journal_path, complete_answers())
    result = check(PLAN, journal_path)
    assert result.passed and result.criteria[-1].name == "ask"
    assert "Monday 18 March 2030" in result.criteria[-1].message
    assert grade(PLAN, journal_path, points=POINTS[PLAN]) == POINTS[PLAN]


def test_the_follow_up_does_not_hold_the_plan_back(journal_path: Path) -> None:
    answers = complete_answers()
    for key in FOLLOW_UP:
        del answers[key]
    write_journal(journal_path, answers)
    result = check(PLAN, journal_path)
    assert result.passed
    assert FOLLOW not in {c.name for c in result.criteria}


@pytest.mark.parametrize(("change", "met"), [
    ({"date": "2030-03-14"}, 0.75),            # before the day it was planned
    ({"date": "18/03/2030"}, 0.75),            # not a date
    ({"occasion": ""}, 0.75),                  # in person, but no occasion
    ({"leader": "someone-else"}, 0.75),        # not on the shortlist
    ({"channel": "carrier_pigeon", "occasion": ""}, 0.75),  # unknown channel: no occasion due
    ({"leader": "", "channel": "", "date": ""}, 0.0),
])
def test_an_incomplete_ask_earns_part_of_its_criterion(
        journal_path: Path, change: dict, met: float) -> None:
    answers = complete_answers()
    answers["plan.ask"] = {**ASK, **change}
    write_journal(journal_path, answers)
    ask = check(PLAN, journal_path).criteria[-1]
    assert ask.name == "ask" and ask.met == met
    if met < 1:
        assert "Schedule your ask" in ask.message


def test_an_email_ask_needs_no_occasion(journal_path: Path) -> None:
    answers = complete_answers()
    answers["plan.ask"] = {**ASK, "channel": "email", "occasion": ""}
    write_journal(journal_path, answers)
    assert check(PLAN, journal_path).passed


def test_read_ask_tolerates_damage() -> None:
    assert read_ask({}).scheduled is False
    assert read_ask({"plan.ask": ["not", "a", "dict"]}).scheduled is False
    ask = read_ask({"plan.ask": {**ASK, "date": 20300318}})
    assert ask.day is None and not ask.scheduled
    assert read_ask({"plan.ask": ASK}).day == date(2030, 3, 18)


# ------------------------------------------------------------------ the follow-up (step 11)


def test_a_complete_follow_up_passes(journal_path: Path) -> None:
    write_journal(journal_path, answers_for(FOLLOW))
    result = check(FOLLOW, journal_path)
    assert result.passed, result.messages
    assert [c.name for c in result.criteria] == ["asked", "reply", "learned", "next"]
    assert grade(FOLLOW, journal_path, points=POINTS[FOLLOW]) == POINTS[FOLLOW]


def test_not_asked_yet_with_a_reason_and_a_new_day_is_complete_and_encouraging(
        journal_path: Path) -> None:
    write_journal(journal_path, _not_yet())
    result = check(FOLLOW, journal_path)
    assert result.passed, result.messages
    asked = result.criteria[0].message
    assert "that is fine" in asked and "Thursday 2 May" in asked
    assert "✘" not in str(result)


@pytest.mark.parametrize(("extra", "todo"), [
    ({"stopped": ""}, "Say what stopped you"),
    ({"new_date": ""}, "pick a new day"),
    ({"new_date": "2030-03-30"}, "pick a new day"),   # before the day it was noted
])
def test_not_asked_yet_needs_a_reason_and_a_day_ahead(
        journal_path: Path, extra: dict, todo: str) -> None:
    write_journal(journal_path, _not_yet(**extra))
    result = check(FOLLOW, journal_path)
    assert result.criteria[0].met == 0.5
    assert todo in result.criteria[0].message
    assert "common" in result.criteria[0].message, "encouragement, not blame"


def test_asked_needs_a_reply_and_a_day(journal_path: Path) -> None:
    answers = answers_for(FOLLOW)
    answers["follow_up.asked"] = {"status": "yes"}
    answers["follow_up.reply"] = {"choice": "maybe"}
    write_journal(journal_path, answers)
    failing = {c.name: c for c in check(FOLLOW, journal_path).criteria if not c.passed}
    assert set(failing) == {"asked", "reply"}
    assert failing["asked"].met == 0.5


def test_an_empty_follow_up_says_what_to_do(journal_path: Path) -> None:
    result = check(FOLLOW, journal_path)
    assert result.score == 0 and len(result.messages) == 4


def test_read_follow_up_drops_a_reply_after_not_yet() -> None:
    follow = read_follow_up({**_not_yet(), "follow_up.reply": {"choice": "yes", "meeting": "x"}})
    assert follow.asked == "not_yet" and follow.reply == "" and follow.meeting == ""
    assert read_follow_up({"follow_up.asked": "yes"}).asked == ""


# ------------------------------------------------------------------ widgets


def test_the_ask_card_is_preset_from_the_first_pick_and_channel(journal_path: Path) -> None:
    write_journal(journal_path, answers_for("01_shortlist", "03_request"))
    ex = built("10_my_plan.ask", journal_path)
    assert ex.who.value == "l2" and ex.how.value == "in_person"
    assert ex.occasion_box.layout.display == ""
    ex.when.value = TODAY + timedelta(days=3)
    ex.occasion.value = "At the data meetup"
    saved = on_disk(journal_path)["plan.ask"]
    assert saved == {"leader": "l2", "channel": "in_person",
                     "date": (TODAY + timedelta(days=3)).isoformat(),
                     "occasion": "At the data meetup", "planned_on": TODAY.isoformat()}
    assert check(PLAN, journal_path).criteria[-1].passed
    ex.how.value = "email"
    assert ex.occasion_box.layout.display == "none"
    assert on_disk(journal_path)["plan.ask"]["occasion"] == ""


def test_the_ask_card_refuses_a_past_day_and_keeps_the_saved_one(journal_path: Path) -> None:
    write_journal(journal_path, answers_for("01_shortlist", "03_request"))
    ex = built("10_my_plan.ask", journal_path)
    ex.when.value = TODAY
    ex.when.value = TODAY - timedelta(days=1)
    assert on_disk(journal_path)["plan.ask"]["date"] == TODAY.isoformat()
    assert "already passed" in ex.date_note.value and "not saved" in ex.date_note.value


def test_the_follow_up_card_shows_the_request_escaped(journal_path: Path) -> None:
    answers = complete_answers()
    answers["tone.revision"] = "Dear Dr J, <script>alert(1)</script> & thanks"
    write_journal(journal_path, answers)
    ex = built(FOLLOW, journal_path)
    shown = ex.request.value
    assert "Katherine Johnson" in shown and "Monday 18 March 2030" in shown
    assert "&lt;script&gt;" in shown and "<script>" not in shown


def test_the_follow_up_card_saves_not_yet_and_hides_the_reply(journal_path: Path) -> None:
    write_journal(journal_path, answers_for("01_shortlist"))
    ex = built(FOLLOW, journal_path)
    assert ex.asked_box.layout.display == "none" and ex.not_yet_box.layout.display == "none"
    ex.asked.value = "not_yet"
    assert ex.not_yet_box.layout.display == "" and ex.asked_box.layout.display == "none"
    ex.stopped.value = "The event was cancelled."
    picker = one(ex.widget(), "mw-11-new-date")
    picker.value = TODAY - timedelta(days=2)
    assert "new_date" not in on_disk(journal_path)["follow_up.asked"]
    picker.value = TODAY + timedelta(days=7)
    ex.learned.value = "I waited for a perfect moment that never came; a plain email would do."
    ex.next_action.value = "next_person"
    saved = on_disk(journal_path)
    assert saved["follow_up.asked"] == {"status": "not_yet", "stopped": "The event was cancelled.",
                                        "new_date": (TODAY + timedelta(days=7)).isoformat(),
                                        "noted_on": TODAY.isoformat()}
    assert saved["follow_up.next"] == {"action": "next_person"}
    assert check(FOLLOW, journal_path).passed


def test_the_follow_up_card_restores_and_answers_a_reply(journal_path: Path) -> None:
    write_journal(journal_path, answers_for(FOLLOW))
    ex = built(FOLLOW, journal_path)
    assert ex.asked.value == "yes" and ex.reply.value == "yes"
    assert ex.asked_box.layout.display == ""
    assert "thank-you note" in ex.reply_note.value
    ex.reply.value = "no_reply"
    assert "friendly follow-up" in ex.reply_note.value
    assert on_disk(journal_path)["follow_up.reply"]["choice"] == "no_reply"


def test_grading_shows_a_summary_and_writes_nothing(
        journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_journal(journal_path, {**complete_answers()})
    before = journal_path.read_bytes()
    shown = grading_display(monkeypatch)
    from mentor_workshop.participant.widgets import exercise
    exercise(FOLLOW)(journal_path).show()
    exercise("10_my_plan.ask")(journal_path).show()
    html = " ".join(str(getattr(x, "data", x)) for x in shown)
    assert "Arrange a second meeting" in html and "Katherine Johnson" in html
    assert journal_path.read_bytes() == before


# ------------------------------------------------------------------ status


def test_status_has_a_column_for_the_follow_up() -> None:
    from mentor_workshop.facilitator.status import (
        cohort_status,
        find_journals,
        format_status,
        step_ids,
    )

    sample = Path(__file__).resolve().parent.parent / "exercises" / "sample_cohort"
    steps = step_ids()
    assert steps[-1] == FOLLOW
    rows = {r.id: r for r in cohort_status(find_journals(sample), steps)}
    states = {pid: rows[pid].steps[-1].state for pid in ("p01", "p02", "p08", "p12")}
    # p02 has not asked yet but gave a reason and a new day: done, not a failure
    assert states == {"p01": "done", "p02": "done", "p08": "started", "p12": "not_started"}
    assert " 11" in format_status(list(rows.values()), steps).splitlines()[0]
