"""The sample cohort is demo and test material for the whole kit, so it must stay true to it.

Why these tests: plans, reports, grading and the facilitator guide all lean on the sample cohort
having a known spread (strong, average, minimal, empty). If the checks or the journal contract
change, the cohort silently stops showing that spread; these tests say so, and name the
participant and the step.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from mentor_workshop.core import checks, curriculum
from mentor_workshop.core.journal import Journal
from mentor_workshop.core.steps import STEPS
from mentor_workshop.facilitator.roster import read_roster

ROOT = Path(__file__).resolve().parent.parent
COHORT = ROOT / "exercises" / "sample_cohort"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

STRONG = ("p01", "p03", "p06", "p09")
AVERAGE = ("p02", "p05", "p07", "p10")
MINIMAL = ("p04", "p08", "p11")
EMPTY = ("p12",)
ALL = tuple(sorted(STRONG + AVERAGE + MINIMAL + EMPTY))
GRADED_STEPS = tuple(f"{n:02d}_" for n in range(1, 10))  # 01 … 09, the steps with exercises
WORKSHOP_DAY = "2027-03-15"
#: Two weeks on: the day the follow-up (step 11) was recorded.
FOLLOW_UP_DAY = "2027-03-29"

#: The realistic reasons each average participant falls short: {id: {step: {criterion, ...}}}.
DESIGNED_FAILURES = {
    "p02": {"06_be_gracious": {"date"}, "08_two_way": {"offers"},
            "09_lead_from_within": {"dormant_tie"}},
    "p05": {"03_request": {"clear_ask", "reason"},
            "05_vulnerability_confidence": {"balanced"}, "07_rejection": {"scenarios"}},
    "p07": {"04_from_the_heart": {"specific"}, "07_rejection": {"next_leader"},
            "09_lead_from_within": {"commitment"}},
    "p10": {"02_assumptions": {"count", "tested"}, "03_request": {"length"},
            "09_lead_from_within": {"rhythm", "report_back", "dormant_tie", "commitment"}},
}


@pytest.fixture(scope="module")
def journals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Copies of the journals, so nothing a test does (a lock file, a recovery) touches the repo."""
    folder = tmp_path_factory.mktemp("cohort")
    paths = {}
    for pid in ALL:
        target = folder / pid / "journal.json"
        target.parent.mkdir()
        shutil.copyfile(COHORT / "journals" / f"{pid}.json", target)
        paths[pid] = target
    return paths


@pytest.fixture(scope="module")
def results(journals: dict[str, Path]) -> dict[str, dict[str, checks.CheckResult]]:
    return {pid: {step: checks.check(step, path) for step in checks.CHECKS}
            for pid, path in journals.items()}


def _graded(step_results: dict[str, checks.CheckResult]) -> dict[str, checks.CheckResult]:
    return {s: r for s, r in step_results.items() if s.startswith(GRADED_STEPS)}


def _failing(result: checks.CheckResult) -> set[str]:
    return {c.name for c in result.criteria if not c.passed}


def _contract() -> dict[str, list[str]]:
    """The journal-key table in docs/architecture.md: {key: field names its value must have}."""
    rows = re.findall(r"^\|\s*\d\d\s*\|\s*`([a-z0-9_.-]+)`\s*\|(.*)\|\s*$",
                      ARCHITECTURE.read_text(encoding="utf-8"), flags=re.M)
    assert len(rows) >= 25, "the journal-key table in docs/architecture.md was not found"
    # a workshop participant never has the keys of the self-paced path
    return {key: re.findall(r'"(\w+)"\s*:', value) for key, value in rows
            if "solo only" not in value}


# ------------------------------------------------------------------------ files and loading


def test_roster_ids_match_the_journal_and_reflection_files() -> None:
    roster = read_roster(COHORT / "roster.csv")
    ids = [p.id for p in roster]
    assert tuple(sorted(ids)) == ALL
    assert sorted(p.stem for p in (COHORT / "journals").glob("*.json")) == list(ALL)
    reflected = sorted(p.stem for p in (COHORT / "reflections").glob("*.yaml"))
    assert reflected == [pid for pid in ALL if pid not in EMPTY]


@pytest.mark.parametrize("pid", ALL)
def test_journal_loads_cleanly_and_names_its_participant(pid: str, journals: dict[str, Path],
                                                         recwarn: pytest.WarningsRecorder) -> None:
    roster = {p.id: p for p in read_roster(COHORT / "roster.csv")}
    journal = Journal(journals[pid])
    answers = journal.all()
    assert not recwarn.list, f"{pid}.json was not usable as it stands: {recwarn.list[0].message}"
    assert journal.recovered_from is None
    assert journal.participant == {"id": pid, "name": roster[pid].name}

    raw = json.loads(journals[pid].read_text(encoding="utf-8"))
    assert raw["schema_version"] == 1
    assert set(raw["saved_at"]) == set(answers)
    stamps = [raw["created"], raw["updated"], *raw["saved_at"].values()]
    for key, stamp in raw["saved_at"].items():
        day = FOLLOW_UP_DAY if key.startswith("follow_up.") else WORKSHOP_DAY
        assert stamp.startswith(day), f"{pid}: {key} saved on {stamp[:10]}, not {day}"
    assert raw["created"].startswith(WORKSHOP_DAY)
    assert raw["created"] <= min(stamps) and raw["updated"] == max(stamps)


def test_most_participants_recorded_a_follow_up_with_a_realistic_mix(
        journals: dict[str, Path]) -> None:
    """The demo's report needs a funnel to show: asked and not yet; yes, not now, no, silence."""
    from mentor_workshop.core.criteria.follow_up import read_follow_up

    follow = {pid: read_follow_up(Journal(path).all()) for pid, path in journals.items()}
    recorded = [pid for pid, f in follow.items() if f.recorded]
    assert len(recorded) > len(ALL) / 2
    assert {f.asked for f in follow.values()} >= {"yes", "not_yet"}
    assert {f.reply for f in follow.values()} >= {"yes", "not_now", "no", "no_reply"}
    assert any(f.reply == "yes" and f.meeting for f in follow.values())


def test_the_empty_journal_has_no_answers(journals: dict[str, Path]) -> None:
    assert Journal(journals["p12"]).all() == {}


@pytest.mark.parametrize("pid", STRONG)
def test_strong_journals_cover_every_contract_key_with_its_fields(
    pid: str, journals: dict[str, Path]
) -> None:
    answers = Journal(journals[pid]).all()
    for key, fields in _contract().items():
        assert key in answers, f"{pid} has no '{key}'"
        value = answers[key]
        if not fields:
            continue
        if isinstance(value, list):
            items = value
        elif all(isinstance(v, dict) for v in value.values()) and not set(fields) & set(value):
            items = list(value.values())  # {scenario_id: {"choice": …, "why": …}}
        else:
            items = [value]
        assert items, f"{pid}: '{key}' is empty"
        for item in items:
            missing = set(fields) - set(item)
            assert not missing, f"{pid}: '{key}' lacks {sorted(missing)}"


@pytest.mark.parametrize("pid", ALL)
def test_content_ids_exist_in_the_exercises(pid: str, journals: dict[str, Path]) -> None:
    """Ids in a journal must be ones the step YAML defines, or widgets would show nothing."""
    course = curriculum.load()
    answers = Journal(journals[pid]).all()
    if pid in EMPTY:
        assert answers == {}
    else:  # the keys themselves are ids too: each must belong to a step
        unknown = [key for key in answers if not key.startswith(tuple(STEPS.prefixes().values()))]
        assert answers and not unknown, f"{pid}: keys no step owns: {unknown}"
    leader_ids = {x["id"] for x in answers.get("shortlist.leaders", [])}
    for key in ("shortlist.first_pick", "rejection.next_leader"):
        if key in answers:
            assert answers[key] in leader_ids, f"{pid}: {key} is not on the shortlist"
    if "request.channel" in answers:
        assert answers["request.channel"] in curriculum.CHANNEL_IDS
    if "tone.sorting" in answers:
        phrases = {p.id for p in course.step("05_vulnerability_confidence").content.sorting}
        assert set(answers["tone.sorting"]) <= phrases
        assert set(answers["tone.sorting"].values()) <= set(curriculum.TONES)
    if "rejection.responses" in answers:
        scenarios = {s.id: {o.id for o in s.options}
                     for s in course.step("07_rejection").content.scenarios}
        for sid, response in answers["rejection.responses"].items():
            assert response["choice"] in scenarios[sid], f"{pid}: bad option for {sid}"
    if "two_way.prep" in answers:
        items = {i.id for i in course.step("08_two_way").content.prep_checklist}
        assert set(answers["two_way.prep"]) <= items
    if "gracious.meeting" in answers:
        meeting = answers["gracious.meeting"]
        ZoneInfo(meeting["timezone"])
        yes = date.fromisoformat(meeting["yes_date"])
        assert abs(yes - date.fromisoformat(WORKSHOP_DAY)) <= timedelta(days=14)
        datetime.fromisoformat(meeting["start"])


def test_escaping_and_unicode_fixtures_are_present() -> None:
    """Downstream HTML tests rely on these strings being in the cohort; keep them."""
    text = {pid: (COHORT / "journals" / f"{pid}.json").read_text(encoding="utf-8") for pid in ALL}
    answers = json.loads(text["p06"])["answers"]
    assert '<script>alert("hi")</script>' in answers["welcome.profile"]["hopes"]
    assert any("<b>" in x["why"] for x in answers["shortlist.leaders"])
    assert "&" in answers["welcome.profile"]["role"]
    assert "🌷" in json.loads(text["p09"])["answers"]["gracious.thank_you"]
    assert "Siobhán" in text["p12"]


# ------------------------------------------------------------------------ the spread of checks


@pytest.mark.parametrize("pid", STRONG)
def test_strong_participants_pass_every_step(pid: str, results: dict) -> None:
    failed = {s: r.messages for s, r in results[pid].items() if not r.passed}
    assert not failed, f"{pid} should pass every step: {failed}"


@pytest.mark.parametrize("pid", STRONG)
def test_strong_first_meeting_is_within_a_week_of_the_yes(pid: str, journals: dict) -> None:
    meeting = Journal(journals[pid]).load("gracious.meeting")
    gap = datetime.fromisoformat(meeting["start"]).date() - date.fromisoformat(meeting["yes_date"])
    assert timedelta(0) <= gap <= timedelta(days=7)


def test_the_empty_journal_passes_nothing(results: dict) -> None:
    assert all(not r.passed and r.score == 0 for r in results["p12"].values())


@pytest.mark.parametrize("pid", AVERAGE)
def test_average_participants_pass_some_steps_but_not_all(pid: str, results: dict) -> None:
    graded = _graded(results[pid])
    passed = [s for s, r in graded.items() if r.passed]
    assert 0 < len(passed) < len(graded), f"{pid} passed {passed}"


@pytest.mark.parametrize("pid", sorted(DESIGNED_FAILURES))
def test_average_participants_fail_for_their_designed_reasons(pid: str, results: dict) -> None:
    for step, criteria in DESIGNED_FAILURES[pid].items():
        assert criteria <= _failing(results[pid][step]), (
            f"{pid} {step}: expected {sorted(criteria)} to fail, "
            f"failing: {sorted(_failing(results[pid][step]))}"
        )


def test_p02_meeting_is_outside_the_window(journals: dict) -> None:
    meeting = Journal(journals["p02"]).load("gracious.meeting")
    gap = datetime.fromisoformat(meeting["start"]).date() - date.fromisoformat(meeting["yes_date"])
    assert gap > timedelta(days=7)


@pytest.mark.parametrize("pid", MINIMAL)
def test_minimal_participants_pass_no_graded_step(pid: str, results: dict) -> None:
    graded = _graded(results[pid])
    assert not [s for s, r in graded.items() if r.passed]
    assert 0 < sum(r.score for r in graded.values()) / len(graded) < 0.25


def test_levels_are_ordered_by_mean_score(results: dict) -> None:
    def mean(pids: tuple[str, ...]) -> float:
        scores = [r.score for pid in pids for r in _graded(results[pid]).values()]
        return sum(scores) / len(scores)

    assert mean(STRONG) == 1.0
    assert 1.0 > mean(AVERAGE) > mean(MINIMAL) > mean(EMPTY) == 0.0


# ------------------------------------------------------------------------ known gaps in checks


def test_a_generic_reason_fails_the_shortlist_check(results: dict) -> None:
    assert "specific_reasons" in _failing(results["p05"]["01_shortlist"])


def test_thanks_for_saying_yes_counts_as_a_thank_you(results: dict) -> None:
    assert "note" not in _failing(results["p07"]["06_be_gracious"])


# ------------------------------------------------------------------------ reflections


def _reflections(pid: str) -> dict[str, str]:
    return yaml.safe_load((COHORT / "reflections" / f"{pid}.yaml").read_text(encoding="utf-8"))


_DATED = re.compile(r"\b\d{1,2} (March|April|May)\b|\b(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b")


@pytest.mark.parametrize("pid", [p for p in ALL if p not in EMPTY])
def test_reflections_are_step_keyed_text(pid: str) -> None:
    data = _reflections(pid)
    assert isinstance(data, dict) and data
    assert set(data) <= set(curriculum.STEP_IDS)
    assert all(isinstance(text, str) and text.strip() for text in data.values())


@pytest.mark.parametrize("pid", STRONG)
def test_strong_reflections_cover_every_step_with_a_dated_action(pid: str) -> None:
    data = _reflections(pid)
    assert set(data) == set(curriculum.STEP_IDS)
    undated = [step for step, text in data.items() if not _DATED.search(text)]
    assert not undated, f"{pid}: no dated next action in {undated}"


@pytest.mark.parametrize("pid", MINIMAL)
def test_minimal_reflections_only_describe(pid: str) -> None:
    data = _reflections(pid)
    assert len(data) <= 3
    assert all(checks.words(t) < 25 and not _DATED.search(t) for t in data.values())
