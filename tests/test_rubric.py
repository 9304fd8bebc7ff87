"""The rubric's content: Next action only where the prompt asks for one, the same total as the
notebook's reflection points in every step, an example answer for every level, and the
participant's view of it (scored criteria, step 07 private)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mentor_workshop.core import curriculum
from mentor_workshop.participant.notebook_parts import reflection_html

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
NO_ACTION = {"00_welcome", "04_from_the_heart", "06_be_gracious", "09_lead_from_within"}


@pytest.fixture(scope="module")
def cur() -> curriculum.Curriculum:
    return curriculum.load(EXERCISES)


def _reflection_points(notebook: str) -> float:
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    (points,) = [c["metadata"]["nbgrader"]["points"] for c in cells
                 if c["metadata"].get("nbgrader", {}).get("grade_id", "").startswith(
                     "reflection_") and c["metadata"]["nbgrader"].get("grade")]
    return points


def test_action_is_scored_only_where_the_prompt_asks_for_one(
        cur: curriculum.Curriculum) -> None:
    for step in cur.steps:
        scored = [c.id for c in cur.rubric.for_step(step.id)]
        assert ("action" in scored) == (step.id not in NO_ACTION), step.id
        assert "depth" in scored and "step_evidence" in scored
        if step.id in NO_ACTION:
            # nothing nudges a participant to invent a date to score
            reflection = step.content.reflection
            for text in (reflection.prompt, *reflection.hints):
                assert not any(w in text.lower() for w in ("date", "by when", "what day")), text


def _declared(cur: curriculum.Curriculum) -> list[curriculum.Step]:
    """The steps rubric.yaml declares (all of them today); a step added later falls back to every
    criterion until its own anchors are written."""
    return [s for s in cur.steps if s.id in cur.rubric.steps]


def test_every_step_totals_the_notebook_reflection_points(cur: curriculum.Curriculum) -> None:
    assert len(_declared(cur)) == len(cur.steps)
    for step in _declared(cur):
        total = sum(c.max_points for c in cur.rubric.for_step(step.id))
        assert total == cur.rubric.total == _reflection_points(step.notebook), step.id


def test_every_level_has_an_example_answer_for_every_step(cur: curriculum.Curriculum) -> None:
    for step in _declared(cur):
        for criterion in cur.rubric.for_step(step.id):
            for level in criterion.levels:
                anchor = level.anchors.get(step.id, "")
                assert 3 <= len(anchor.split()) <= 40, (step.id, criterion.id, level.points)
    action = cur.rubric.criterion("action")
    assert not any(step in level.anchors for level in action.levels for step in NO_ACTION)


def test_the_rubric_page_shows_the_anchors(cur: curriculum.Curriculum) -> None:
    page = (ROOT / "facilitator" / "rubric.md").read_text(encoding="utf-8")
    depth = cur.rubric.criterion("depth")
    for step in _declared(cur):
        assert depth.levels[-1].anchors[step.id].replace("|", "\\|") in page
    assert page.count("Not scored here: Next action") == len(NO_ACTION)


@pytest.mark.parametrize(("edit", "message"), [
    (("points: {depth: [0, 1, 3, 4], step_evidence: [0, 2, 3]}",
      "points: {depth: [0, 1, 3, 4], step_evidence: [0, 1, 2]}"),
     r"rubric.yaml, line \d+: steps.00_welcome: the points add up to 6, not the total 7"),
    (("points: {depth: [0, 1, 3, 4], step_evidence: [0, 2, 3]}",
      "points: {depth: [0, 3, 1, 4], step_evidence: [0, 2, 3]}"),
     r"steps.00_welcome.points.depth: needs 4 rising numbers starting at 0"),
    (("01_shortlist: {criteria: [depth, action, step_evidence]}",
      "01_shortlist: {criteria: [depth, actoin, step_evidence]}"),
     r"steps.01_shortlist.criteria: unknown criterion actoin"),
    (("          01_shortlist: \"I should find out more about them.\"",
      "          01_shortlst: \"I should find out more about them.\""),
     r"anchors.01_shortlst: unknown step id '01_shortlst'"),
])
def test_a_broken_rubric_is_reported_with_its_line(tmp_path: Path, edit: tuple[str, str],
                                                   message: str) -> None:
    folder = tmp_path / "exercises"
    shutil.copytree(EXERCISES, folder, ignore=shutil.ignore_patterns("sample_cohort"))
    rubric = folder / "rubric.yaml"
    text = rubric.read_text(encoding="utf-8")
    assert edit[0] in text
    rubric.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(curriculum.CurriculumError, match=message):
        curriculum.load(folder)


def test_participants_see_the_criteria_of_their_step_and_privacy() -> None:
    welcome = reflection_html("00_welcome")
    assert "Next action" not in welcome and "Depth of reflection</strong> (0–4)" in welcome
    assert "(7 points)" in welcome and "private" not in welcome
    rejection = reflection_html("07_rejection")
    assert "Next action" in rejection and "This reflection is private" in rejection
