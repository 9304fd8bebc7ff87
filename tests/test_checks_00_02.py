"""The checks for steps 00–02 on complete, partial and empty journals, and what they tell the
participant to do next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import assert_complete_passes, assert_empty_says_what_to_do, write_journal

from mentor_workshop.core.checks import check, grade

LEADERS = [
    {"id": "amara-1a2b3c", "name": "Amara Osei", "role": "COO, Northbridge Housing",
     "why": "She rebuilt the repairs service around tenants' own feedback",
     "learn": "How to win support for change", "reach": "Housing forum in May",
     "warmth": 2, "values": 5, "stretch": False},
    {"id": "tom-4d5e6f", "name": "Tom Reyes", "role": "Clinic director",
     "why": "He turned a failing clinic around in two years without layoffs",
     "learn": "Leading through a crisis", "reach": "A former colleague knows him",
     "warmth": 4, "values": 3, "stretch": False},
    {"id": "lin-7a8b9c", "name": "Lin Wu", "role": "Author and CEO",
     "why": "Her book on quiet leadership changed how I run my meetings",
     "learn": "Building a calm culture", "reach": "Email via her publisher",
     "warmth": 1, "values": 4, "stretch": True},
]

BELIEFS = [
    {"id": "too-busy-aaaaaa", "belief": "They are too busy to reply, let alone meet.",
     "confidence_before": 80, "evidence_for": "She runs a big team",
     "evidence_against": "She answers questions after every talk",
     "rewrite": "She is busy, so I will ask for twenty minutes and let her decide.",
     "confidence_after": 40},
    {"id": "own-bbbbbb", "belief": "I need to achieve more before I'm worth their time.",
     "confidence_before": 70, "evidence_for": "I am early in my career",
     "evidence_against": "Mentors often choose people who are still learning",
     "rewrite": "Being early in my career is exactly why advice would help now.",
     "confidence_after": 30},
]

#: A journal where steps 00–02 are complete (the notebook tests reuse it).
COMPLETE: dict[str, Any] = {
    "welcome.profile": {"name": "Priya Shah", "role": "Product manager",
                        "hopes": "Advice on moving from managing projects to leading a team"},
    "shortlist.leaders": LEADERS,
    "shortlist.weights": {"values": 2, "warmth": 1},
    "shortlist.first_pick": "amara-1a2b3c",
    "assumptions.beliefs": BELIEFS,
    "assumptions.calibration": {"guess": 3, "revealed": True},
}

POINTS = {"00_welcome": 1, "01_shortlist": 3, "02_assumptions": 3}


@pytest.mark.parametrize("step_id", list(POINTS))
def test_complete_journal_passes(journal_path: Path, step_id: str) -> None:
    assert_complete_passes(journal_path, step_id, COMPLETE, POINTS[step_id])


@pytest.mark.parametrize("step_id", list(POINTS))
def test_empty_journal_says_where_to_start(journal_path: Path, step_id: str) -> None:
    assert_empty_says_what_to_do(journal_path, step_id, POINTS[step_id])


def test_welcome_partial(journal_path: Path) -> None:
    write_journal(journal_path,
                  {"welcome.profile": {"name": "Priya", "role": "", "hopes": "a mentor"}})
    result = check("00_welcome", journal_path)
    assert result.messages == [
        "Describe your current role in a few words.",
        "Say in at least five words what you hope a mentor could help you with.",
    ]
    assert grade("00_welcome", journal_path, points=1) == pytest.approx(0.33)


def test_shortlist_partial_names_what_is_missing(journal_path: Path) -> None:
    vague = dict(LEADERS[1], why="inspiring")
    write_journal(journal_path, {"shortlist.leaders": [LEADERS[0], vague],
                                 "shortlist.first_pick": "gone-000000"})
    result = check("01_shortlist", journal_path)
    text = " ".join(result.messages)
    assert "at least 3 leaders — you have 2" in text
    assert "Tom Reyes" in text and "Amara Osei" not in text  # only the vague reason is named
    assert "stretch pick" in text
    # a first pick that is not on the list counts for nothing
    assert "Choose the first leader" in text
    assert 0 < grade("01_shortlist", journal_path, points=3) < 3


def test_shortlist_ignores_unnamed_cards(journal_path: Path) -> None:
    blank = dict(LEADERS[2], name="  ")
    write_journal(journal_path, {**COMPLETE, "shortlist.leaders": [*LEADERS[:2], blank]})
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
    write_journal(journal_path, {**COMPLETE, "assumptions.beliefs": [lazy, BELIEFS[1]]})
    assert "rewritten, fairer version" in " ".join(check("02_assumptions", journal_path).messages)


def test_one_belief_is_not_enough(journal_path: Path) -> None:
    write_journal(journal_path, {**COMPLETE, "assumptions.beliefs": BELIEFS[:1]})
    result = check("02_assumptions", journal_path)
    assert result.messages == [
        "Name at least 2 beliefs that could hold you back — you have 1."]
