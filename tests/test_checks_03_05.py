"""The checks for steps 03–05 on complete, partial and empty journals, and what they tell the
participant to do next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import assert_complete_passes, assert_empty_says_what_to_do, write_journal
from journals import KEY, PHRASES, POINTS, WORK, answers_for

from mentor_workshop.core import curriculum
from mentor_workshop.core.checks import check, grade, sorting_score
from mentor_workshop.core.journal import Journal

PART = ("03_request", "04_from_the_heart", "05_vulnerability_confidence")


def unmet(result: Any) -> set[str]:
    return {c.name for c in result.criteria if not c.passed}


@pytest.mark.parametrize("step_id", PART)
def test_complete_journal_passes(journal_path: Path, step_id: str) -> None:
    assert_complete_passes(journal_path, step_id, answers_for(*PART), POINTS[step_id])


@pytest.mark.parametrize("step_id", PART)
def test_empty_journal_says_where_to_start(journal_path: Path, step_id: str) -> None:
    assert_empty_says_what_to_do(journal_path, step_id, POINTS[step_id])


def test_request_partial(journal_path: Path) -> None:
    # A channel, and a long, reasonless draft that never asks for anything concrete.
    rambling = (
        "I started in housing straight after college, answering the phones for the repairs "
        "desk at a small association on the edge of town. After three years there I moved to "
        "the lettings team, where I learned how waiting lists are built and why they so often "
        "feel unfair to the families on them. Later I spent a long winter rewriting our policy "
        "on damp and mould, which taught me more about ventilation than I ever expected to "
        "know. These days I look after a patch of four hundred homes across two estates, and "
        "most of my week goes on visits, phone calls and small arguments about budgets. I "
        "enjoy the people enormously, although the paperwork can wear me down by Friday. My "
        "manager says I am good with tenants and less good with spreadsheets, which is fair. "
        "Outside work I volunteer at a food bank on Saturdays and coach an under-twelves "
        "football side, mostly badly but with great enthusiasm. We lost every match last "
        "season, yet the children kept turning up in the rain, which still amazes me. I have "
        "also been reading a lot about community organising, tenant panels and what makes a "
        "neighbourhood feel safe, and I keep a notebook of ideas I would like to try one day "
        "when I have more time and perhaps a little more say in how things are run."
    )
    write_journal(journal_path, {"request.channel": "in_person", "request.draft": rambling})
    result = check("03_request", journal_path)
    assert unmet(result) == {"length", "clear_ask", "reason"}
    text = " ".join(result.messages)
    assert "aim for 40–200" in text
    assert "how much time" in text
    assert "why you are asking this person" in text
    assert 0 < grade("03_request", journal_path, points=3) < 3


def test_request_unknown_channel_is_not_a_choice(journal_path: Path) -> None:
    write_journal(journal_path, {**answers_for(*PART), "request.channel": "carrier_pigeon"})
    result = check("03_request", journal_path)
    assert unmet(result) == {"channel"}
    assert "in person, email, phone or letter" in result.messages[0]


def test_from_the_heart_generic_flattery(journal_path: Path) -> None:
    write_journal(journal_path, {"heart.admiration": {
        "work": "everything",
        "statement": "You are such an inspiring leader and I've always been a huge fan of your "
                     "work; you're amazing at what you do.",
    }})
    result = check("04_from_the_heart", journal_path)
    assert unmet(result) == {"work", "specific"}
    assert any("Replace generic praise" in m for m in result.messages)
    assert any("Name one specific thing" in m for m in result.messages)


def test_from_the_heart_too_short(journal_path: Path) -> None:
    write_journal(journal_path,
                  {"heart.admiration": {"work": WORK, "statement": "Your talk helped."}})
    result = check("04_from_the_heart", journal_path)
    assert "length" in unmet(result)
    assert any("at least 15 words" in m for m in result.messages)


def test_tone_partial_sorting_and_pushy_revision(journal_path: Path) -> None:
    half = dict(list(KEY.items())[:5])
    wrong = {pid: ("needy" if answer != "needy" else "balanced") for pid, answer in half.items()}
    pushy = ("You should mentor me because I am leading a team for the first time. "
             "I need an answer by Friday.")
    write_journal(journal_path, {"tone.sorting": wrong, "tone.revision": pushy})
    result = check("05_vulnerability_confidence", journal_path)
    assert unmet(result) == {"sorted_all", "sorting", "balanced"}
    text = " ".join(result.messages)
    assert f"5 of {len(PHRASES)} done" in text
    assert "read the explanations and try again" in text
    assert "highlighted words" in text
    assert sorting_score(Journal(journal_path)) == (0, len(PHRASES))


def test_tone_sorting_partial_credit_follows_the_score(journal_path: Path) -> None:
    answers = dict(KEY)
    wrong_ids = [p.id for p in PHRASES][:6]
    for pid in wrong_ids:
        answers[pid] = "balanced" if KEY[pid] != "balanced" else "needy"
    write_journal(journal_path, {**answers_for(*PART), "tone.sorting": answers})
    correct, total = sorting_score(Journal(journal_path))
    assert (correct, total) == (total - 6, total)
    result = check("05_vulnerability_confidence", journal_path)
    assert unmet(result) == {"sorting"}
    sorting = next(c for c in result.criteria if c.name == "sorting")
    pass_ratio = curriculum.load().step("05_vulnerability_confidence").content.pass_ratio
    assert sorting.met == pytest.approx(min((correct / total) / pass_ratio, 1.0))


def test_damaged_values_are_checked_not_crashed(journal_path: Path) -> None:
    write_journal(journal_path, {"request.draft": 42, "heart.admiration": "oops",
                                 "tone.sorting": ["needy"], "tone.revision": None})
    for step_id in PART:
        result = check(step_id, journal_path)
        assert not result.passed
        assert grade(step_id, journal_path, points=3) == 0
