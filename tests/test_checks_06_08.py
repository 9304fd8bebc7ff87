"""The checks for steps 06-08 on complete, partial and empty journals, with actionable messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mentor_workshop import curriculum
from mentor_workshop.checks import check, grade
from mentor_workshop.journal import Journal

GRACIOUS = curriculum.load().step("06_be_gracious").content
REJECTION = curriculum.load().step("07_rejection").content
TWO_WAY = curriculum.load().step("08_two_way").content

LEADERS = [
    {"id": "l1", "name": "Grace Hopper", "role": "Rear admiral", "why": "", "learn": "",
     "reach": "", "warmth": 2, "values": 5, "stretch": True},
    {"id": "l2", "name": "Katherine Johnson", "role": "Mathematician", "why": "", "learn": "",
     "reach": "", "warmth": 3, "values": 4, "stretch": False},
]


def complete_answers() -> dict[str, Any]:
    """Answers that complete steps 06-08 (the notebook tests reuse them)."""
    return {
        "shortlist.leaders": LEADERS,
        "shortlist.first_pick": "l2",
        "gracious.thank_you": (
            "Dear Dr Johnson, thank you so much for agreeing to meet me. I am grateful that you "
            "would make time for this, and I am looking forward to hearing how you checked the "
            "Friendship 7 numbers by hand. See you on Thursday. Ada"
        ),
        "gracious.meeting": {
            "yes_date": "2030-03-25", "start": "2030-03-28T09:30",
            "timezone": "America/New_York", "duration_minutes": 30,
            "questions": ["What do you wish you had known at my stage?",
                          "How did you earn trust as a new lead?",
                          "How would you like us to keep in touch?"],
        },
        "rejection.responses": {
            s.id: {"choice": next(o.id for o in s.options if o.best),
                   "why": "It is gracious and keeps the door open."}
            for s in REJECTION.scenarios
        },
        "rejection.ask_why": ("Dear Dr Johnson, thank you for replying. Is there anything I "
                              "could do better when I ask someone next time?"),
        "rejection.self_compassion": {
            "first_reaction": "I was silly to ask someone so important.",
            "rewrite": "You were brave to ask, and a full diary is not a verdict on you.",
        },
        "rejection.next_leader": "l1",
        "two_way.cares": "Getting more young people into mathematics and engineering.",
        "two_way.offers": [TWO_WAY.offer_bank[0].text,
                           "Run a half-day data workshop for her outreach team"],
        "two_way.prep": {item.id: i < 3 for i, item in enumerate(TWO_WAY.prep_checklist)},
    }


def write(path: Path, answers: dict[str, Any]) -> Path:
    journal = Journal(path)
    for key, value in answers.items():
        journal.save(key, value)
    return path


def crit(result, name: str):
    return next(c for c in result.criteria if c.name == name)


@pytest.mark.parametrize("step_id", ["06_be_gracious", "07_rejection", "08_two_way"])
def test_complete_journal_passes(journal_path: Path, step_id: str) -> None:
    write(journal_path, complete_answers())
    result = check(step_id, journal_path)
    assert result.passed, str(result)
    assert grade(step_id, journal_path, points=3) == 3.0


@pytest.mark.parametrize("step_id", ["06_be_gracious", "07_rejection", "08_two_way"])
def test_empty_journal_fails_with_a_message_for_every_criterion(journal_path: Path,
                                                                step_id: str) -> None:
    result = check(step_id, journal_path)
    assert not result.passed and result.score == 0.0
    assert grade(step_id, journal_path, points=3) == 0.0
    assert len(result.messages) == len(result.criteria)
    assert all(len(m.split()) >= 5 for m in result.messages), result.messages


# ------------------------------------------------------------------ 06


def test_06_partial(journal_path: Path) -> None:
    answers = complete_answers()
    answers["gracious.thank_you"] = "Thanks!"
    answers["gracious.meeting"] = {**answers["gracious.meeting"], "start": "2030-04-10T09:30",
                                   "questions": ["Only one?", "", " "]}
    write(journal_path, answers)
    result = check("06_be_gracious", journal_path)
    assert [c.name for c in result.criteria if not c.passed] == ["note", "date", "questions"]
    assert f"at least {GRACIOUS.thank_you.min_words} words" in crit(result, "note").message
    assert f"within {GRACIOUS.meeting.within_days} days" in crit(result, "date").message
    assert "you have 1" in crit(result, "questions").message


def test_06_a_long_note_without_thanks_is_not_enough(journal_path: Path) -> None:
    answers = complete_answers()
    answers["gracious.thank_you"] = (
        "Dear Dr Johnson, I am looking forward to our meeting next Thursday at your office. I "
        "will bring my notes on the project and a short list of the questions I would like to "
        "ask about leading a small analytics team. Ada")
    write(journal_path, answers)
    result = check("06_be_gracious", journal_path)
    assert not crit(result, "note").passed and "thanks them clearly" in crit(result, "note").message


def test_06_meeting_needs_a_real_zone(journal_path: Path) -> None:
    answers = complete_answers()
    answers["gracious.meeting"] = {**answers["gracious.meeting"], "timezone": "Mars/Base"}
    write(journal_path, answers)
    assert "valid time zone" in crit(check("06_be_gracious", journal_path), "date").message


# ------------------------------------------------------------------ 07


def test_07_partial(journal_path: Path) -> None:
    answers = complete_answers()
    first_two = {s.id for s in REJECTION.scenarios[:2]}
    answers["rejection.responses"] = {
        k: (v if k in first_two else {"choice": v["choice"], "why": ""})
        for k, v in answers["rejection.responses"].items()}
    answers["rejection.ask_why"] = "Why not?"
    answers["rejection.next_leader"] = "l2"  # the first pick itself
    write(journal_path, answers)
    result = check("07_rejection", journal_path)
    scen = crit(result, "scenarios")
    assert scen.met == pytest.approx(2 / len(REJECTION.scenarios))
    assert f"for 2 of {len(REJECTION.scenarios)} scenarios" in scen.message
    assert "gracious reply" in crit(result, "ask_why").message
    assert "not your first pick" in crit(result, "next_leader").message
    assert crit(result, "self_compassion").passed
    assert 0 < grade("07_rejection", journal_path, points=3) < 3


def test_07_unknown_option_does_not_count(journal_path: Path) -> None:
    answers = complete_answers()
    sid = REJECTION.scenarios[0].id
    answers["rejection.responses"][sid] = {"choice": "made_up", "why": "because"}
    write(journal_path, answers)
    assert not crit(check("07_rejection", journal_path), "scenarios").passed


# ------------------------------------------------------------------ 08


def test_08_partial(journal_path: Path) -> None:
    answers = complete_answers()
    answers["two_way.cares"] = "Maths"
    answers["two_way.offers"] = ["Run a half-day data workshop for her outreach team", "  "]
    answers["two_way.prep"] = {TWO_WAY.prep_checklist[0].id: True,
                               TWO_WAY.prep_checklist[1].id: True}
    write(journal_path, answers)
    result = check("08_two_way", journal_path)
    assert [c.name for c in result.criteria if not c.passed] == ["cares", "offers", "prep"]
    assert f"at least {TWO_WAY.min_offers}" in crit(result, "offers").message
    assert "you have 1" in crit(result, "offers").message
    assert "Tick at least 3" in crit(result, "prep").message
