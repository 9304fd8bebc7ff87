"""Checks tell completeness from content: a journal of filler fails every check it should, each
time with a sentence saying what to do, while real answers keep full marks.

The "nonsense journal" is the one from issue 12 (made-up reasons, one-letter beliefs, lorem
ipsum round a real ask, "thanks" thirty times, a commitment dated 1999, the ask-why starter
pasted back), plus other filler of the same families (keyboard mash, a copied example, single
letters, a repeated sentence), each put where a different check reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import write_journal
from journals import POINTS, complete_answers

from mentor_workshop.core import curriculum
from mentor_workshop.core.checks import check, grade

CUR = curriculum.load()
ASK_WHY = CUR.step("07_rejection").content.ask_why.template
LOREM = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. Could we meet for 20 minutes "
         "next week because I want to learn from you? Sed do eiusmod tempor incididunt ut "
         "labore et dolore magna aliqua. Thank you for considering it.")


def _nonsense() -> dict[str, Any]:
    answers = complete_answers()
    for leader in answers["shortlist.leaders"]:
        leader["why"] = "zork plonk quib frab nib snoo"
    answers["assumptions.beliefs"][0]["belief"] = "x"
    answers["assumptions.beliefs"][1]["belief"] = "y"
    answers["request.draft"] = LOREM
    answers["tone.revision"] = LOREM
    answers["gracious.thank_you"] = " ".join(["thanks"] * 30)
    answers["within.commitment"]["date"] = "1999-06-01"
    answers["rejection.ask_why"] = ASK_WHY
    return answers


#: step -> (criteria that must fail, words the first failing message must contain)
NONSENSE_FAILS = {
    "01_shortlist": ({"specific_reasons"}, "zork"),
    "02_assumptions": ({"count", "tested", "rated"}, "letter"),
    "03_request": ({"length", "clear_ask", "reason"}, "lorem ipsum"),
    "05_vulnerability_confidence": ({"revision", "balanced"}, "lorem ipsum"),
    "06_be_gracious": ({"note"}, "repeated 30 times"),
    "07_rejection": ({"ask_why"}, "starter text"),
    "09_lead_from_within": ({"commitment"}, "in the past"),
}


@pytest.mark.parametrize("step_id", list(NONSENSE_FAILS))
def test_the_nonsense_journal_fails_with_a_helpful_sentence(journal_path: Path,
                                                            step_id: str) -> None:
    write_journal(journal_path, _nonsense())
    result = check(step_id, journal_path)
    failing = {c.name for c in result.criteria if not c.passed}
    must, words = NONSENSE_FAILS[step_id]
    assert must <= failing, str(result)
    assert grade(step_id, journal_path, points=POINTS[step_id]) < POINTS[step_id]
    first = next(c.message for c in result.criteria if c.name in must and not c.passed)
    assert words in first.lower(), first
    for c in result.criteria:
        if not c.passed:
            assert len(c.message.split()) >= 8, c.message


def test_the_nonsense_journal_cannot_complete_the_plan(journal_path: Path) -> None:
    write_journal(journal_path, _nonsense())
    result = check("10_my_plan", journal_path)
    unfinished = {c.name for c in result.criteria if not c.passed}
    assert set(NONSENSE_FAILS) <= unfinished, str(result)


# Other filler, each in a different step's boxes: (step, answers to change, failing criterion,
# a word its message must contain).
OTHER_FILLER = [
    ("00_welcome", {"welcome.profile": {"name": "Ada", "role": "analyst",
                                        "hopes": "asdfgh jkl qwerty uiop zxcv"}},
     "hopes", "keyboard mash"),
    ("00_welcome", {"welcome.profile": {
        "name": "Ada", "role": "analyst",
        "hopes": "I'd like advice on moving from managing a project to leading a team."}},
     "hopes", "example"),
    ("00_welcome", {"welcome.profile": {"name": "qqqqq", "role": "analyst",
                                        "hopes": "Learning to lead a team of five well."}},
     "name", "keyboard mash"),
    ("04_from_the_heart", {"heart.admiration": {
        "work": "Your decision to publish the full results of the failed pilot in 2022.",
        "statement": "When you published the failed pilot's results, it gave me the nerve to "
                     "share my own team's mistakes — and we fixed the problem twice as fast."}},
     "work", "example"),
    ("08_two_way", {"two_way.cares": "a b c d e"}, "cares", "letter"),
    ("08_two_way", {"two_way.offers": ["research", "lorem ipsum dolor"]}, "offers",
     "lorem ipsum"),
    ("09_lead_from_within", {"within.report_back": (
        "I will email her what worked. I will email her what worked. I will email her what "
        "worked.")}, "report_back", "same sentence"),
    ("09_lead_from_within", {"within.commitment": {"action": "Send my request",
                                                   "date": "2091-01-01"}},
     "commitment", "days away"),
    ("07_rejection", {"rejection.self_compassion": {"first_reaction": "blah blah",
                                                    "rewrite": "test test test test test"}},
     "self_compassion", "stand-in"),
    ("06_be_gracious", {"gracious.meeting": {
        **complete_answers()["gracious.meeting"], "questions": ["?", "x", "test"]}},
     "questions", "stand-in"),
]


@pytest.mark.parametrize(("step_id", "change", "name", "words"), OTHER_FILLER,
                         ids=[f"{f[0]}-{f[2]}-{i}" for i, f in enumerate(OTHER_FILLER)])
def test_other_filler_fails_the_check_that_reads_it(journal_path: Path, step_id: str,
                                                   change: dict, name: str, words: str) -> None:
    write_journal(journal_path, {**complete_answers(), **change})
    result = check(step_id, journal_path)
    crit = next(c for c in result.criteria if c.name == name)
    assert not crit.passed, str(result)
    assert words in crit.message.lower() or words in crit.message, crit.message


def test_a_revision_that_drops_the_ask_fails_and_says_so(journal_path: Path) -> None:
    """Step 05's revision becomes the plan's request, so it must keep an ask and a reason."""
    answers = complete_answers()
    answers["tone.revision"] = (
        "Dear Dr Johnson, I am Ada, a data analyst at the city council. I have followed your "
        "career for years and I find it remarkable. I hope you are keeping well. Ada")
    write_journal(journal_path, answers)
    crit = next(c for c in check("05_vulnerability_confidence", journal_path).criteria
                if c.name == "revision")
    assert not crit.passed
    assert "a clear ask" in crit.message and "why you are asking" in crit.message


def test_terse_and_non_native_answers_still_pass(journal_path: Path) -> None:
    """Short, plain answers with grammar slips are real answers."""
    answers = complete_answers()
    answers["welcome.profile"] = {"name": "Nguyen Van An", "role": "QA lead",
                                  "hopes": "I want learn how lead my team good."}
    answers["two_way.cares"] = "More girls to study maths and engineering."
    answers["within.report_back"] = "After first team review I send her email what worked."
    answers["within.dormant_tie"] = {"name": "Linh", "why": "She is now manager in fintech."}
    write_journal(journal_path, answers)
    for step_id in ("00_welcome", "08_two_way", "09_lead_from_within"):
        result = check(step_id, journal_path)
        assert result.passed, str(result)
