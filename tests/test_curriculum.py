"""The shipped curriculum loads, and a broken copy says which file, line and field to fix."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mentor_workshop.core import curriculum, resources
from mentor_workshop.core.curriculum import CurriculumError, load

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "exercises"

EXPECTED_IDS = [
    "00_welcome", "01_shortlist", "02_assumptions", "03_request", "04_from_the_heart",
    "05_vulnerability_confidence", "06_be_gracious", "07_rejection", "08_two_way",
    "09_lead_from_within", "10_my_plan", "11_follow_up",
]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A private copy of the YAML, safe to break."""
    dst = tmp_path / "exercises"
    dst.mkdir()
    for name in ("curriculum.yaml", "rubric.yaml", "references.yaml", "agenda.yaml"):
        shutil.copy2(SHIPPED / name, dst / name)
    shutil.copytree(SHIPPED / "steps", dst / "steps")
    return dst


def edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not found in {path.name}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, needle: str, after: str | None = None, nth: int = 1) -> int:
    """1-based line of the nth line containing needle (counting from the line holding after)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    hits = [i for i in range(start, len(lines)) if needle in lines[i]]
    return hits[nth - 1] + 1


def error_of(folder: Path) -> CurriculumError:
    with pytest.raises(CurriculumError) as info:
        load(folder)
    return info.value


# --- the shipped content ------------------------------------------------------------------------


def test_shipped_curriculum_has_the_twelve_steps_in_order() -> None:
    cur = load(SHIPPED)
    assert cur.title
    assert [s.id for s in cur.steps] == EXPECTED_IDS
    assert [s.number for s in cur.steps] == list(range(12))
    for step in cur.steps:
        assert step.notebook == f"{step.id}.ipynb"
        assert step.content_path.is_file()
        assert 2 <= len(step.objectives) <= 4
        assert step.minutes > 0
        assert step.content.reflection.prompt and step.content.reflection.hints
    assert cur.step("03_request").content.channels[0].label == "In person"


def test_live_timings_fit_a_half_day_with_a_break() -> None:
    cur = load(SHIPPED)
    live = sum(s.live_minutes.total for s in cur.steps if s.number <= 10)
    # the steps leave room for two role-plays, scheduling the ask, a survey and a buffer
    # (exercises/agenda.yaml; tests/test_guide.py checks that the agenda adds up)
    assert 130 <= live <= 160
    assert cur.session.total_minutes == 210 and cur.session.break_minutes >= 10


def test_evidence_is_cited_and_secondary_sources_are_marked() -> None:
    cur = load(SHIPPED)
    for step in cur.steps[1:10]:
        assert step.evidence, step.id
    evidence = [e for s in cur.steps for e in s.evidence]

    def cited(author: str) -> bool:
        (match,) = [e for e in evidence if e.cite.startswith(author)]
        return match.secondary

    assert cited("Flynn & Lake 2008") is False
    assert cited("Langer, Blank & Chanowitz 1978") is False  # the figures are the paper's own
    assert cited("Boomerang 2016") is True


def test_shipped_banks_and_scenarios_meet_the_brief() -> None:
    cur = load(SHIPPED)
    welcome = cur.step("00_welcome").content
    assert welcome.fields.hopes.label and welcome.setup_check

    shortlist = cur.step("01_shortlist").content
    assert (shortlist.weights.values, shortlist.weights.warmth) == (2, 1)
    assert shortlist.min_leaders == 3 and shortlist.specific_reason_min_words == 6
    assert {"great leader", "successful"} <= set(shortlist.generic_reasons)
    assert shortlist.fields.warmth.low.startswith("1")
    assert shortlist.fields.values.high.startswith("5")

    assumptions = cur.step("02_assumptions").content
    assert len(assumptions.belief_bank) >= 8 and assumptions.min_beliefs == 2
    assert "Flynn" in assumptions.calibration.research

    request = cur.step("03_request").content
    assert [c.id for c in request.channels] == ["in_person", "email", "phone", "letter"]
    assert [p.id for p in request.scaffold] == ["who_i_am", "why_you", "the_ask", "the_time",
                                                "thanks"]
    assert (request.draft.min_words, request.draft.max_words) == (40, 200)

    assert cur.step("04_from_the_heart").content.min_words == 15

    tone = cur.step("05_vulnerability_confidence").content
    assert len(tone.sorting) >= 12 and tone.pass_ratio == 0.7
    counts = {a: sum(p.answer == a for p in tone.sorting)
              for a in ("needy", "balanced", "overconfident")}
    assert min(counts.values()) >= len(tone.sorting) // 3 - 1

    meeting = cur.step("06_be_gracious").content.meeting
    assert (meeting.within_days, meeting.questions, meeting.default_duration_minutes,
            meeting.default_timezone) == (7, 3, 45, "Europe/London")

    rejection = cur.step("07_rejection").content
    assert [s.id for s in rejection.scenarios] == ["not_now", "too_busy", "silence", "referral"]
    for scenario in rejection.scenarios:
        assert len(scenario.options) == 3
        assert sum(o.best for o in scenario.options) == 1

    two_way = cur.step("08_two_way").content
    assert len(two_way.offer_bank) >= 8 and len(two_way.prep_checklist) >= 5
    assert two_way.min_offers == 2

    assert cur.step("09_lead_from_within").content.rhythm.options_weeks == [2, 4, 6, 8, 12]

    plan = cur.step("10_my_plan").content
    covered = {s for section in plan.sections for s in section.from_steps}
    assert set(EXPECTED_IDS[:10]) <= covered
    assert plan.missing_text(3, "Make your request").startswith(
        "Not yet written — see notebook 03")


def test_rubric_scores_depth_action_and_step_evidence() -> None:
    rubric = load(SHIPPED).rubric
    assert [(c.id, c.max_points, len(c.levels)) for c in rubric.criteria] == [
        ("depth", 3, 4), ("action", 2, 3), ("step_evidence", 2, 3)]
    assert rubric.total == 7
    assert any("Kember" in s.cite for s in rubric.sources)
    assert rubric.criterion("action").levels[2].label


def test_unknown_step_lists_the_valid_ids() -> None:
    with pytest.raises(KeyError, match="valid ids: 00_welcome, 01_shortlist"):
        load(SHIPPED).step("03_requests")


def test_load_is_cached_until_a_file_changes(copy: Path) -> None:
    first = load(copy)
    assert load(copy) is first
    edit(copy / "curriculum.yaml", "title: Finding a mentor you admire",
         "title: Finding a mentor you admire (adapted)")
    os.utime(copy / "curriculum.yaml", ns=(1, 1))  # a different mtime even on coarse clocks
    second = load(copy)
    assert second is not first and second.title.endswith("(adapted)")
    # a file in a sub-folder counts too, and so does one added there
    edit(copy / "steps/06_be_gracious.yaml", "  within_days: 7", "  within_days: 5")
    os.utime(copy / "steps/06_be_gracious.yaml", ns=(2, 2))
    third = load(copy)
    assert third is not second and third.step("06_be_gracious").content.meeting.within_days == 5
    assert load(copy) is third
    (copy / "steps" / "notes.yaml").write_text("# a facilitator's scratch file\n")
    assert load(copy) is not third


# --- broken copies: file, line and field --------------------------------------------------------


def test_missing_required_field(copy: Path) -> None:
    text = edit(copy / "steps/03_request.yaml", "    label: Email\n", "")
    line = line_of(text, "- id: email")
    assert (f"exercises/steps/03_request.yaml, line {line}: channels[1].label: field required"
            in str(error_of(copy)))


def test_wrong_type(copy: Path) -> None:
    text = edit(copy / "steps/03_request.yaml", "  min_words: 40", "  min_words: forty")
    err = error_of(copy)
    line = line_of(text, "min_words: forty")
    assert f"exercises/steps/03_request.yaml, line {line}: draft.min_words: " in str(err)
    assert "valid integer" in str(err) and "'forty'" in str(err)
    assert (err.file, err.line, err.field) == ("exercises/steps/03_request.yaml", line,
                                               "draft.min_words")


def test_unknown_field_suggests_the_right_spelling(copy: Path) -> None:
    text = edit(copy / "steps/06_be_gracious.yaml", "  within_days: 7", "  within_dayz: 7")
    message = str(error_of(copy))
    line = line_of(text, "within_dayz")
    assert (f"exercises/steps/06_be_gracious.yaml, line {line}: meeting.within_dayz: "
            "unknown field — did you mean 'within_days'?") in message
    # the misspelt key also leaves the real one missing, reported at the enclosing block
    assert f"line {line_of(text, 'meeting:')}: meeting.within_days: field required" in message


def test_yaml_syntax_error_gives_file_and_line(copy: Path) -> None:
    text = edit(copy / "steps/02_assumptions.yaml", "text: They will think I'm a nobody.",
                "text: They will think: I'm a nobody.")
    err = error_of(copy)
    line = line_of(text, "They will think: I'm")
    assert f"exercises/steps/02_assumptions.yaml, line {line}: YAML syntax error" in str(err)
    assert err.line == line


def test_tab_indentation_is_explained(copy: Path) -> None:
    text = edit(copy / "steps/04_from_the_heart.yaml", "    label: What you'd tell them",
                "\tlabel: What you'd tell them")
    err = error_of(copy)
    assert err.file == "exercises/steps/04_from_the_heart.yaml"
    assert err.line == line_of(text, "\tlabel:")
    assert "spaces, not tabs" in str(err)


def test_duplicate_step_id(copy: Path) -> None:
    text = edit(copy / "curriculum.yaml", "  - id: 03_request", "  - id: 02_assumptions")
    line = line_of(text, "- id: 02_assumptions", nth=2)
    message = str(error_of(copy))
    assert (f"exercises/curriculum.yaml, line {line}: steps[3].id: duplicate step id "
            "'02_assumptions'") in message


def test_missing_content_file(copy: Path) -> None:
    (copy / "steps/07_rejection.yaml").unlink()
    text = (copy / "curriculum.yaml").read_text(encoding="utf-8")
    line = line_of(text, "content: steps/07_rejection.yaml")
    assert (f"exercises/curriculum.yaml, line {line}: steps[7].content: file not found: "
            "exercises/steps/07_rejection.yaml") in str(error_of(copy))


def test_scenario_with_two_best_options(copy: Path) -> None:
    path = copy / "steps/07_rejection.yaml"
    text = path.read_text(encoding="utf-8")
    target = line_of(text, "best: false", after="id: not_now")  # not_now's second option
    lines = text.splitlines(keepends=True)
    lines[target - 1] = lines[target - 1].replace("best: false", "best: true")
    path.write_text("".join(lines), encoding="utf-8")
    err = error_of(copy)
    assert (f"exercises/steps/07_rejection.yaml, line {target}: scenarios[0].options[1].best: "
            "more than one option has 'best: true' (also scenarios[0].options[0])") in str(err)
    assert len(err.problems) == 1


def test_scenario_without_a_best_option(copy: Path) -> None:
    text = edit(copy / "steps/07_rejection.yaml",
                "text: Send one short, friendly follow-up", "text: Send a follow-up")
    text = edit(copy / "steps/07_rejection.yaml", "        best: true\n        explanation: >-\n"
                "          Busy people", "        best: false\n        explanation: >-\n"
                "          Busy people")
    line = line_of(text, "options:", after="id: silence")
    assert (f"exercises/steps/07_rejection.yaml, line {line}: scenarios[2].options: no option "
            "has 'best: true'") in str(error_of(copy))


def test_sorting_answer_outside_the_allowed_set(copy: Path) -> None:
    text = edit(copy / "steps/05_vulnerability_confidence.yaml", "answer: overconfident",
                "answer: cocky")
    line = line_of(text, "answer: cocky")
    message = str(error_of(copy))
    assert f"line {line}: sorting[5].answer: Input should be 'needy', 'balanced' or" in message


def test_duplicate_id_within_a_bank(copy: Path) -> None:
    text = edit(copy / "steps/08_two_way.yaml", "  - id: research\n", "  - id: front_line\n")
    line = line_of(text, "- id: front_line", nth=2)
    assert (f"exercises/steps/08_two_way.yaml, line {line}: offer_bank[3].id: duplicate id "
            "'front_line'") in str(error_of(copy))


def test_duplicate_yaml_key_is_not_silently_dropped(copy: Path) -> None:
    text = edit(copy / "steps/08_two_way.yaml", "min_offers: 2\n", "min_offers: 2\nmin_offers: 3\n")
    first, second = line_of(text, "min_offers: 2"), line_of(text, "min_offers: 3")
    assert (f"exercises/steps/08_two_way.yaml, line {second}: min_offers: "
            f"duplicate key (first on line {first})") in str(error_of(copy))


def test_rubric_total_must_match_the_criteria(copy: Path) -> None:
    text = edit(copy / "rubric.yaml", "total: 7", "total: 8")
    assert (f"exercises/rubric.yaml, line {line_of(text, 'total: 8')}: total: is 8 but the "
            "criteria add up to 7") in str(error_of(copy))


def test_every_problem_is_reported_at_once(copy: Path) -> None:
    edit(copy / "steps/03_request.yaml", "  min_words: 40", "  min_words: forty")
    edit(copy / "rubric.yaml", "total: 7", "total: 9")
    files = {p.file for p in error_of(copy).problems}
    assert files == {"exercises/steps/03_request.yaml", "exercises/rubric.yaml"}


def test_missing_folder_names_it(tmp_path: Path) -> None:
    err = error_of(tmp_path / "nowhere")
    assert "nowhere" in str(err) and "exercises folder not found" in str(err)


# --- command line -------------------------------------------------------------------------------


def test_cli_ok(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert curriculum.main([str(copy)]) == 0
    assert capsys.readouterr().out.startswith("OK: 12 steps")


def test_cli_reports_errors_without_a_traceback(copy: Path) -> None:
    text = edit(copy / "steps/03_request.yaml", "  min_words: 40", "  min_words: forty")
    run = subprocess.run([sys.executable, "-m", "mentor_workshop.curriculum", str(copy)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr + run.stdout
    assert (f"exercises/steps/03_request.yaml, line {line_of(text, 'forty')}: draft.min_words"
            in run.stderr)


# --- resources ----------------------------------------------------------------------------------


def test_exercises_dir_honours_the_environment(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTOR_WORKSHOP_EXERCISES", str(tmp_path))
    assert resources.exercises_dir() == tmp_path.resolve()
    monkeypatch.delenv("MENTOR_WORKSHOP_EXERCISES")
    assert (resources.exercises_dir() / "curriculum.yaml").is_file()


def test_load_without_arguments_uses_the_override(copy: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    edit(copy / "curriculum.yaml", "title: Finding a mentor you admire", "title: Adapted copy")
    monkeypatch.setenv("MENTOR_WORKSHOP_EXERCISES", str(copy))
    assert load().title == "Adapted copy"


def test_checkout_folders_are_used_when_no_installed_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MENTOR_WORKSHOP_EXERCISES", raising=False)
    assert resources.exercises_dir() == SHIPPED
    assert resources.notebooks_dir() == ROOT / "notebooks"
    assert resources.facilitator_dir() == ROOT / "facilitator"


def test_installed_data_wins_over_the_checkout(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site" / "mentor_workshop"
    (package / "_data" / "exercises").mkdir(parents=True)
    (tmp_path / "site" / "exercises").mkdir()
    monkeypatch.delenv("MENTOR_WORKSHOP_EXERCISES", raising=False)
    monkeypatch.setattr(resources, "_package_dir", lambda: package)
    assert resources.exercises_dir() == package / "_data" / "exercises"
    assert resources.notebooks_dir() == tmp_path / "site" / "notebooks"
