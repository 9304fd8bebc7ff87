"""The checks for steps 09 and 10 on complete, partial, empty and damaged journals."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import assert_complete_passes, write_journal
from journals import POINTS, answers_for, complete_answers

from mentor_workshop.core import curriculum
from mentor_workshop.core.checks import check, grade
from mentor_workshop.core.journal import Journal

WITHIN = "09_lead_from_within"
PLAN = "10_my_plan"
WITHIN_KEYS = ("within.rhythm", "within.report_back", "within.dormant_tie", "within.commitment")


# ------------------------------------------------------------------ 09 lead from within


def test_09_complete(journal_path: Path) -> None:
    assert_complete_passes(journal_path, WITHIN, answers_for(WITHIN), POINTS[WITHIN])


def test_09_partial(journal_path: Path) -> None:
    answers = answers_for(WITHIN)
    answers["within.commitment"] = {"action": "Send my request"}  # no date
    answers["within.report_back"] = "I'll tell her."  # too short to be a plan
    del answers["within.dormant_tie"]
    write_journal(journal_path, answers)
    result = check(WITHIN, journal_path)
    assert not result.passed
    assert [c.name for c in result.criteria if not c.passed] == [
        "report_back", "dormant_tie", "commitment"]
    assert result.messages == [
        "Say what you will report back after you act on their advice.",
        "Name one person you have lost touch with, and why you will reconnect.",
        "Write one action you commit to, with a date.",
    ]
    assert grade(WITHIN, journal_path, points=3) == 0.75


def test_09_empty_says_what_to_do_for_each_part(journal_path: Path) -> None:
    result = check(WITHIN, journal_path)
    assert result.score == 0.0 and len(result.messages) == 4
    for message, topic in zip(result.messages,
                              ("keep in touch", "report back", "lost touch", "with a date"),
                              strict=True):
        assert topic in message
    assert "To do:" in result._repr_html_()


@pytest.mark.parametrize("bad", [
    {"within.rhythm": {"every_weeks": 0, "channel": "Email"}},
    {"within.rhythm": {"every_weeks": "4", "channel": "Email"}},
    {"within.rhythm": {"every_weeks": 4, "channel": "  "}},
    {"within.commitment": {"action": "Call", "date": "2030-02-30"}},
    {"within.dormant_tie": {"name": "Jonas"}},
    {"within.rhythm": "every month"},
])
def test_09_rejects_malformed_answers_without_crashing(journal_path: Path, bad: dict) -> None:
    answers = {**answers_for(WITHIN), **bad}
    write_journal(journal_path, answers)
    result = check(WITHIN, journal_path)
    assert not result.passed and result.score == 0.75


@pytest.mark.parametrize("bad", [
    {"within.rhythm": {"every_weeks": True, "channel": "Email"}},
    {"within.commitment": {"action": "Call", "date": 20300415}},
], ids=["weeks_true", "date_as_int"])
def test_09_non_contract_values_do_not_pass(journal_path: Path, bad: dict) -> None:
    write_journal(journal_path, {**answers_for(WITHIN), **bad})
    assert not check(WITHIN, journal_path).passed


def test_checks_stay_silent_on_a_corrupt_journal(
        journal_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    journal_path.write_text("{ not json", encoding="utf-8")
    result = check(WITHIN, journal_path)
    assert result.score == 0.0 and any("moved" in n for n in result.notes)
    assert grade(PLAN, journal_path, points=2) == 0.0
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# ------------------------------------------------------------------ 10 my plan


def test_10_complete(journal_path: Path) -> None:
    assert_complete_passes(journal_path, PLAN, complete_answers(), POINTS[PLAN])


def test_10_partial_names_the_unfinished_notebooks(journal_path: Path) -> None:
    answers = complete_answers()
    for key in ("gracious.meeting", "gracious.thank_you", *WITHIN_KEYS[:2]):
        del answers[key]
    write_journal(journal_path, answers)
    result = check(PLAN, journal_path)
    assert not result.passed
    assert [c.name for c in result.criteria if not c.passed] == ["06_be_gracious", WITHIN]
    assert any("notebook 06_be_gracious" in m for m in result.messages)
    assert any(f"notebook {WITHIN}" in m for m in result.messages)
    # Partial credit: seven of nine steps complete, the other two partly.
    assert 2 * 7 / 9 < grade(PLAN, journal_path, points=2) < 2.0


def test_10_empty(journal_path: Path) -> None:
    result = check(PLAN, journal_path)
    ids = [s.id for s in curriculum.load().steps]
    steps = ids[1:ids.index(PLAN)]  # every step between the welcome and the plan, not after
    assert [c.name for c in result.criteria] == [*steps, "ask"]
    assert result.score == 0.0
    for message, step in zip(result.messages, steps, strict=False):
        assert f"still to finish in notebook {step}" in message
    assert "Schedule your ask" in result.messages[-1]


def test_10_survives_wrong_types_in_later_steps(journal_path: Path) -> None:
    answers = complete_answers()
    answers.update({key: "junk" for key in WITHIN_KEYS})
    answers["within.rhythm"] = 12
    write_journal(journal_path, answers)
    result = check(PLAN, journal_path)
    assert [c.name for c in result.criteria if not c.passed] == [WITHIN]


def test_10_grade_is_a_number_the_grader_can_use(journal_path: Path) -> None:
    Journal(journal_path).save("within.report_back", "x")
    points = grade(PLAN, journal_path, points=2)
    assert isinstance(points, float)
    assert points == 0.0  # a one-letter answer completes no step


@pytest.mark.parametrize("bad", [
    {"gracious.meeting": {"questions": 5}},
    {"two_way.offers": 5},
    {"request.channel": ["email"]},
    {"rejection.responses": {"not_now": {"choice": ["x"], "why": "because"}}},
], ids=["questions_int", "offers_int", "channel_list", "choice_list"])
def test_10_wrong_types_in_earlier_steps_do_not_crash(journal_path: Path, bad: dict) -> None:
    write_journal(journal_path, {**complete_answers(), **bad})
    assert not check(PLAN, journal_path).passed
