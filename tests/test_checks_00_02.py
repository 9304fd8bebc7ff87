"""The checks for steps 00–02 on complete, partial and empty journals, and what they tell the
participant to do next."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import assert_complete_passes, assert_empty_says_what_to_do, write_journal
from journals import BELIEFS, LEADERS, POINTS, answers_for, complete_answers

from mentor_workshop.core.checks import check, grade

PART = ("00_welcome", "01_shortlist", "02_assumptions")


@pytest.mark.parametrize("step_id", PART)
def test_complete_journal_passes(journal_path: Path, step_id: str) -> None:
    assert_complete_passes(journal_path, step_id, answers_for(*PART), POINTS[step_id])


@pytest.mark.parametrize("step_id", PART)
def test_empty_journal_says_where_to_start(journal_path: Path, step_id: str) -> None:
    assert_empty_says_what_to_do(journal_path, step_id, POINTS[step_id])


def test_welcome_partial(journal_path: Path) -> None:
    write_journal(journal_path,
                  {"welcome.profile": {"name": "Ada", "role": "", "hopes": "a mentor"}})
    result = check("00_welcome", journal_path)
    assert result.messages == [
        "Describe your current role in a few words.",
        "Say in at least five words what you hope a mentor could help you with.",
    ]
    assert grade("00_welcome", journal_path, points=1) == pytest.approx(0.33)


def test_shortlist_partial_names_what_is_missing(journal_path: Path) -> None:
    # Two leaders, neither a stretch pick (Grace, the stretch pick, is left out), one vague.
    grace, katherine, mary = LEADERS
    assert grace["stretch"] and not katherine["stretch"] and not mary["stretch"]
    vague = dict(katherine, why="inspiring")
    write_journal(journal_path, {"shortlist.leaders": [vague, mary],
                                 "shortlist.first_pick": "gone-000000"})
    result = check("01_shortlist", journal_path)
    text = " ".join(result.messages)
    assert "at least 3 leaders — you have 2" in text
    # only the vague reason is named
    assert "Katherine Johnson" in text and "Mary Jackson" not in text
    assert "stretch pick" in text
    # a first pick that is not on the list counts for nothing
    assert "Choose the first leader" in text
    assert 0 < grade("01_shortlist", journal_path, points=3) < 3


def test_shortlist_ignores_unnamed_cards(journal_path: Path) -> None:
    blank = dict(LEADERS[2], name="  ")
    write_journal(journal_path,
                  {**complete_answers(), "shortlist.leaders": [*LEADERS[:2], blank]})
    result = check("01_shortlist", journal_path)
    assert "you have 2 so far" in " ".join(result.messages)


def test_assumptions_partial(journal_path: Path) -> None:
    untested = dict(BELIEFS[1], evidence_against="", confidence_after=None)
    write_journal(journal_path, {"assumptions.beliefs": [BELIEFS[0], untested]})
    result = check("02_assumptions", journal_path)
    text = " ".join(result.messages)
    assert "evidence against it and a rewritten" in text
    assert "before and after" in text
    assert "calibration question" in text
    assert "Name at least" not in text


def test_assumptions_rewrite_must_differ(journal_path: Path) -> None:
    lazy = dict(BELIEFS[0], rewrite=BELIEFS[0]["belief"].upper())
    write_journal(journal_path, {**complete_answers(), "assumptions.beliefs": [lazy, BELIEFS[1]]})
    assert "rewritten, fairer version" in " ".join(check("02_assumptions", journal_path).messages)


def test_one_belief_is_not_enough(journal_path: Path) -> None:
    write_journal(journal_path, {**complete_answers(), "assumptions.beliefs": BELIEFS[:1]})
    result = check("02_assumptions", journal_path)
    assert result.messages == [
        "Name at least 2 beliefs that could hold you back — you have 1."]
