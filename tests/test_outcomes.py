"""The cohort report's outcome funnel: counts from the journals, pseudonymous, plain when empty."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from conftest import write_journal
from journals import ASK, FOLLOW_UP, complete_answers

from mentor_workshop.core import curriculum
from mentor_workshop.facilitator import report
from mentor_workshop.facilitator.report.outcomes import NO_FOLLOW_UP, categorise, outcomes

ROOT = Path(__file__).resolve().parent.parent
CONTENT = curriculum.load().step("11_follow_up").content


def _asked(reply: str, on: str = "2030-03-18", meeting: str = "") -> dict:
    return {"plan.ask": ASK,
            "follow_up.asked": {"status": "yes", "on": on, "noted_on": "2030-04-01"},
            "follow_up.reply": {"choice": reply, "meeting": meeting}}


def _not_yet(stopped: str) -> dict:
    return {"plan.ask": ASK,
            "follow_up.asked": {"status": "not_yet", "stopped": stopped,
                                "new_date": "2030-04-20", "noted_on": "2030-04-01"}}


def test_the_funnel_counts_each_stage_and_reply() -> None:
    cohort = [
        _asked("yes", meeting="We met for an hour."),   # planned 15 March, asked 18: 3 days
        _asked("yes", on="2030-03-20"),                  # 5 days, no meeting yet
        _asked("not_now", on="2030-03-16"),              # 1 day
        _asked("no_reply", on="2030-03-25"),             # 10 days
        _not_yet("Work got busy and I was nervous."),
        {"plan.ask": ASK},                               # planned, nothing recorded
        {},                                              # nothing at all
    ]
    result = outcomes(cohort, CONTENT)
    assert result.participants == 7
    assert dict(result.funnel) == {"planned": 6, "asked": 4, "replied": 3, "yes": 2, "met": 1}
    assert dict(result.replies) == {"yes": 2, "not_now": 1, "no_reply": 1}
    assert result.recorded == 5 and result.not_yet == 1
    assert sorted(result.days_to_ask) == [1, 3, 5, 10] and result.median_days_to_ask == 4
    assert dict(result.stopped) == {"No time, or work got busy": 1,
                                    "Nerves or fear of a no": 1}


def test_someone_who_asked_without_planning_still_counts_from_asked() -> None:
    answers = {**complete_answers()}
    del answers["plan.ask"]
    result = outcomes([answers], CONTENT)
    assert result.funnel["planned"] == 0 and result.funnel["asked"] == 1
    assert result.days_to_ask == (), "no planned day, so no days to count"


def test_categories_match_words_and_word_beginnings_in_any_case() -> None:
    cats = CONTENT.stopped_categories
    other = CONTENT.other_category
    assert categorise("The event was CANCELLED", cats, other) == ["No chance to reach them"]
    assert categorise("I was waiting for the right time", cats, other) == [
        "No time, or work got busy", "Waiting for the right moment"]
    assert categorise("My cat ate my homework", cats, other) == [other]
    assert categorise("   ", cats, other) == []
    # "time" must not match inside another word
    assert categorise("sometimes", cats, other) == [other]


def test_other_comes_last_whatever_its_count() -> None:
    cohort = [_not_yet("My cat ate it"), _not_yet("The dog too"), _not_yet("Too busy")]
    stopped = outcomes(cohort, CONTENT).stopped
    assert stopped[-1] == (CONTENT.other_category, 2)


def _cohort(answers: list[dict]) -> SimpleNamespace:
    return SimpleNamespace(participants=[SimpleNamespace(answers=a) for a in answers])


def test_no_follow_up_data_is_a_sentence_not_zeros() -> None:
    page = report.outcomes_html(_cohort([{}, {"welcome.profile": {"name": "Ada"}}]))
    assert "<table" not in page and "No follow-up recorded yet" in page
    assert NO_FOLLOW_UP.split(".")[0] in page


def test_planned_but_not_yet_followed_up_shows_the_plan_and_says_why_the_rest_is_empty() -> None:
    page = report.outcomes_html(_cohort([{"plan.ask": ASK}, {}]))
    assert "Planned an ask" in page and "No follow-up recorded yet" in page
    assert "The replies" not in page


def test_the_section_shows_counts_never_names_or_words(tmp_path: Path) -> None:
    secret = "<b>Dr Secret</b> never answered my <script>x</script>"
    journals = tmp_path / "journals"
    journals.mkdir()
    answers = complete_answers()
    write_journal(journals / "p001.json", answers, name="Ada Lovelace", pid="p001")
    write_journal(journals / "p002.json", {**_not_yet(secret)}, name="Bob Babbage", pid="p002")
    page = report.outcomes_html(report.gather(journals))
    assert "Held a first meeting" in page and "Median days" in page
    for private in ("Ada", "Bob", "Dr Secret", "script", FOLLOW_UP["follow_up.learned"]):
        assert private not in page


def test_the_sample_cohort_shows_the_whole_funnel() -> None:
    cohort = report.gather(ROOT / "exercises" / "sample_cohort")
    result = outcomes(p.answers for p in cohort.participants)
    funnel = result.funnel
    assert funnel["planned"] >= funnel["asked"] >= funnel["replied"] >= funnel["yes"] \
        >= funnel["met"] >= 1
    assert set(result.replies) == {"yes", "not_now", "no", "no_reply"}
    assert result.not_yet >= 2 and result.stopped
    assert result.median_days_to_ask is not None
