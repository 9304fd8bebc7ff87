"""The checks for steps 06-08 on complete, partial and empty journals, with actionable messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import assert_complete_passes, assert_empty_says_what_to_do, write_journal
from journals import FIRST_PICK, POINTS, answers_for

from mentor_workshop.core import curriculum
from mentor_workshop.core.checks import check, grade

GRACIOUS = curriculum.load().step("06_be_gracious").content
REJECTION = curriculum.load().step("07_rejection").content
TWO_WAY = curriculum.load().step("08_two_way").content
PART = ("06_be_gracious", "07_rejection", "08_two_way")


def crit(result, name: str):
    return next(c for c in result.criteria if c.name == name)


@pytest.mark.parametrize("step_id", PART)
def test_complete_journal_passes(journal_path: Path, step_id: str) -> None:
    assert_complete_passes(journal_path, step_id, answers_for(*PART), POINTS[step_id])


@pytest.mark.parametrize("step_id", PART)
def test_empty_journal_fails_with_a_message_for_every_criterion(journal_path: Path,
                                                                step_id: str) -> None:
    assert_empty_says_what_to_do(journal_path, step_id, POINTS[step_id], min_words=5)


# ------------------------------------------------------------------ 06


def test_06_partial(journal_path: Path) -> None:
    answers = answers_for(*PART)
    answers["gracious.thank_you"] = "Thanks!"
    answers["gracious.meeting"] = {**answers["gracious.meeting"], "start": "2030-04-10T09:30",
                                   "questions": ["Only one?", "", " "]}
    write_journal(journal_path, answers)
    result = check("06_be_gracious", journal_path)
    assert [c.name for c in result.criteria if not c.passed] == ["note", "date", "questions"]
    assert f"at least {GRACIOUS.thank_you.min_words} words" in crit(result, "note").message
    assert f"within {GRACIOUS.meeting.within_days} days" in crit(result, "date").message
    assert "you have 1" in crit(result, "questions").message


def test_06_a_long_note_without_thanks_is_not_enough(journal_path: Path) -> None:
    answers = answers_for(*PART)
    answers["gracious.thank_you"] = (
        "Dear Dr Johnson, I am looking forward to our meeting next Thursday at your office. I "
        "will bring my notes on the project and a short list of the questions I would like to "
        "ask about leading a small analytics team. Ada")
    write_journal(journal_path, answers)
    result = check("06_be_gracious", journal_path)
    assert not crit(result, "note").passed and "thanks them clearly" in crit(result, "note").message


def test_06_meeting_needs_a_real_zone(journal_path: Path) -> None:
    answers = answers_for(*PART)
    answers["gracious.meeting"] = {**answers["gracious.meeting"], "timezone": "Mars/Base"}
    write_journal(journal_path, answers)
    assert "valid time zone" in crit(check("06_be_gracious", journal_path), "date").message


# ------------------------------------------------------------------ 07


def test_07_partial(journal_path: Path) -> None:
    answers = answers_for(*PART)
    first_two = {s.id for s in REJECTION.scenarios[:2]}
    answers["rejection.responses"] = {
        k: (v if k in first_two else {"choice": v["choice"], "why": ""})
        for k, v in answers["rejection.responses"].items()}
    answers["rejection.ask_why"] = "Why not?"
    answers["rejection.next_leader"] = FIRST_PICK
    write_journal(journal_path, answers)
    result = check("07_rejection", journal_path)
    scen = crit(result, "scenarios")
    assert scen.met == pytest.approx(2 / len(REJECTION.scenarios))
    assert f"for 2 of {len(REJECTION.scenarios)} scenarios" in scen.message
    assert "gracious reply" in crit(result, "ask_why").message
    assert "not your first pick" in crit(result, "next_leader").message
    assert crit(result, "self_compassion").passed
    assert 0 < grade("07_rejection", journal_path, points=3) < 3


def test_07_unknown_option_does_not_count(journal_path: Path) -> None:
    answers = answers_for(*PART)
    sid = REJECTION.scenarios[0].id
    answers["rejection.responses"][sid] = {"choice": "made_up", "why": "because"}
    write_journal(journal_path, answers)
    assert not crit(check("07_rejection", journal_path), "scenarios").passed


# ------------------------------------------------------------------ 08


def test_08_partial(journal_path: Path) -> None:
    answers = answers_for(*PART)
    answers["two_way.cares"] = "Maths"
    answers["two_way.offers"] = ["Run a half-day data workshop for her outreach team", "  "]
    answers["two_way.prep"] = {TWO_WAY.prep_checklist[0].id: True,
                               TWO_WAY.prep_checklist[1].id: True}
    write_journal(journal_path, answers)
    result = check("08_two_way", journal_path)
    assert [c.name for c in result.criteria if not c.passed] == ["cares", "offers", "prep"]
    assert f"at least {TWO_WAY.min_offers}" in crit(result, "offers").message
    assert "you have 1" in crit(result, "offers").message
    assert "Tick at least 3" in crit(result, "prep").message
