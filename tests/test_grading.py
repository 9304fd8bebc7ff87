"""Blind rubric grading: pseudonyms, the gradebook writes, the CSV round trip, the keyboard
grader and its notebook."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import ipc_kernel_manager
from courses import ASSIGNMENT, ROOT, make_course, make_submission
from journals import complete_answers

from mentor_workshop.errors import UserError
from mentor_workshop.facilitator import course as mw_course
from mentor_workshop.facilitator import grading
from mentor_workshop.facilitator.sandbox import available as sandbox_available

ANSWERS = {
    "p01": "Asking felt risky. Amara Okafor will email Dana Osei on Monday 3 March.",
    "p02": "I realised my belief that leaders ignore strangers was untested.",
}


@pytest.fixture(scope="module")
def autograded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mentor_workshop.facilitator.autograde import autograde

    base = tmp_path_factory.mktemp("grading")
    course = make_course(base, ["00_welcome"])
    inbox = base / "inbox"
    for pid, text in ANSWERS.items():
        make_submission(course, inbox / pid, answers=complete_answers(), reflection=text)
    make_submission(course, inbox / "p03")
    mw_course.collect(course, inbox)
    autograde(course, workers=2, progress=False,
              sandbox=sandbox_available()[0])
    return course


@pytest.fixture
def course(autograded: Path, tmp_path: Path) -> Path:
    """A private copy, so a test's grades never leak into another test."""
    target = tmp_path / "course"
    shutil.copytree(autograded, target)
    return target


def _gradebook(course: Path, pid: str) -> tuple[float | None, str | None, bool]:
    with mw_course.open_course(course).gradebook() as gb:
        grade = gb.find_grade("reflection_00", "00_welcome", ASSIGNMENT, pid)
        comment = gb.find_comment("reflection_00", "00_welcome", ASSIGNMENT, pid)
        return grade.manual_score, comment.manual_comment, grade.needs_manual_grade


# ------------------------------------------------------------------------------ pure logic


def test_pseudonyms_are_stable_unique_and_do_not_reveal_ids() -> None:
    ids = [f"p{i:02d}" for i in range(200)]
    first = grading.pseudonyms(b"k" * 64, ids)
    assert first == grading.pseudonyms(b"k" * 64, reversed(ids))
    assert len(set(first.values())) == 200
    assert all(pid not in name for pid, name in first.items())
    assert first != grading.pseudonyms(b"other-key" * 8, ids)


def test_rubric_comment_round_trips() -> None:
    rubric = grading.RubricLevels.load()
    levels = {"depth": 2, "action": 1, "step_evidence": 2}
    text = grading.format_comment(rubric, levels, "Lovely detail.\nKeep going.")
    assert text.startswith("Rubric: Depth of reflection 2/3")
    assert grading.parse_comment(rubric, text) == (levels, "Lovely detail.\nKeep going.")
    # a comment typed in formgrader comes back whole
    assert grading.parse_comment(rubric, "Nice work") == ({}, "Nice work")
    assert rubric.check({"depth": 4, "nope": 1}) == [
        "Depth of reflection must be one of 0, 1, 2, 3, not 4", "unknown rubric criterion 'nope'"]


# --------------------------------------------------------------------------- the queue


@pytest.mark.slow  # runs autograde on a real course
def test_queue_is_blind_and_grades_into_the_gradebook(course: Path) -> None:
    queue = grading.GradingQueue(course)
    assert [q.cell for q in queue.questions] == ["reflection_00"]
    question = queue.questions[0]
    assert question.title.startswith("Step 0") and question.prompt
    answers = queue.answers(question)
    assert len(answers) == 3
    assert [a.pseudonym for a in answers] == sorted(a.pseudonym for a in answers)
    shown = " ".join(a.text + a.pseudonym for a in answers)
    for hidden in ("p01", "p02", "p03", "Amara", "Okafor"):
        assert hidden not in shown
    assert "Dana Osei" in shown  # other people's names are not the participant's
    assert sum(a.blank for a in answers) == 1
    assert queue.progress(question) == (1, 3)

    p01 = next(a for a in answers if queue.participant_of(a.pseudonym) == "p01")
    # step 00's prompt asks for no action, so its 2 points go to depth (0/1/3/4) and the
    # step's idea (0/2/3), and an action level is refused
    with pytest.raises(UserError, match="'action' is not scored in 00_welcome"):
        queue.grade(p01, levels={"depth": 3, "action": 2, "step_evidence": 2})
    queue.grade(p01, levels={"depth": 4, "step_evidence": 2}, comment="Specific!")
    score, comment, needs = _gradebook(course, "p01")
    assert score == 6.0 and needs is False
    assert comment == "Rubric: Depth of reflection 4/4 · Uses the step's idea 2/3\nSpecific!"
    again = grading.GradingQueue(course)
    p01_again = next(a for a in again.answers(0) if a.pseudonym == p01.pseudonym)
    assert p01_again.levels == {"depth": 4, "step_evidence": 2}
    assert p01_again.comment == "Specific!" and p01_again.manual_score == 6.0
    with pytest.raises(UserError, match="must be one of"):
        queue.grade(p01, levels={"depth": 2})


@pytest.mark.slow  # runs autograde on a real course
def test_same_pseudonyms_in_a_later_session(course: Path) -> None:
    first = [a.pseudonym for a in grading.GradingQueue(course).answers(0)]
    assert first == [a.pseudonym for a in grading.GradingQueue(course).answers(0)]
    key = course / grading.KEY_PATH
    assert key.is_file() and oct(key.stat().st_mode & 0o777) == "0o600"


# ------------------------------------------------------------------------------- CSV


def _sheet(course: Path, tmp_path: Path) -> tuple[Path, list[dict]]:
    out = tmp_path / "sheet.csv"
    assert grading.export_csv(course, out) == 3
    with out.open(encoding="utf-8-sig") as handle:
        return out, list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.slow  # runs autograde on a real course
def test_csv_round_trip(course: Path, tmp_path: Path) -> None:
    out, rows = _sheet(course, tmp_path)
    assert list(rows[0]) == ["pseudonym", "notebook", "cell", "max_score", "depth", "action",
                             "step_evidence", "score", "comment", "answer", "rubric_guide"]
    guide = rows[0]["rubric_guide"]
    assert "action: not scored in this step" in guide
    assert '0 Describes — "I signed up because my manager suggested it."' in guide
    text = out.read_text(encoding="utf-8-sig")
    assert "p01" not in text and "Okafor" not in text and "[name]" in text
    queue = grading.GradingQueue(course)
    by_pid = {queue.participant_of(r["pseudonym"]): r for r in rows}
    by_pid["p01"].update(depth="3", step_evidence="2", comment="=Clear plan")
    by_pid["p02"].update(score="4.5", comment="Good start")
    _write(tmp_path / "in.csv", rows)
    report = grading.import_csv(course, tmp_path / "in.csv")
    assert report.applied == 2 and report.unchanged_blank == 1
    assert _gradebook(course, "p01")[:2] == (5.0, "Rubric: Depth of reflection 3/4 · Uses the "
                                                  "step's idea 2/3\n=Clear plan")
    assert _gradebook(course, "p02")[:2] == (4.5, "Good start")
    # exported again, the sheet shows the grades and neutralises formula-like text
    _, rows = _sheet(course, tmp_path)
    again = {queue.participant_of(r["pseudonym"]): r for r in rows}
    assert again["p01"]["depth"] == "3" and again["p01"]["score"] == "5"
    assert again["p01"]["comment"] == "'=Clear plan"


@pytest.mark.slow  # runs autograde on a real course
def test_csv_import_is_all_or_nothing_with_line_numbers(course: Path, tmp_path: Path) -> None:
    _, rows = _sheet(course, tmp_path)
    rows[0].update(depth="4", step_evidence="3")  # fine on its own
    rows[1].update(score="9")  # out of range
    rows[2].update(depth="2", action="1", step_evidence="0")  # not a level here; no action
    rows.append(dict(rows[0]))  # duplicate of line 2
    rows.append({**rows[0], "pseudonym": "P-NOBODY"})
    _write(tmp_path / "bad.csv", rows)
    with pytest.raises(UserError) as info:
        grading.import_csv(course, tmp_path / "bad.csv")
    text = str(info.value)
    assert "nothing was saved" in text
    assert "line 3: score 9 is out of range 0–7" in text
    assert "line 4: depth must be one of 0, 1, 3, 4, not '2'" in text
    assert "line 4: action is not scored in 00_welcome; leave it empty" in text
    assert "line 5:" in text and "already appears on line 2" in text
    assert "line 6: unknown pseudonym 'P-NOBODY'" in text
    assert all(_gradebook(course, pid)[0] is None for pid in ("p01", "p02", "p03"))


@pytest.mark.slow  # runs autograde on a real course
def test_grade_commands(course: Path, tmp_path: Path) -> None:
    from courses import cli

    sheet = tmp_path / "out.csv"
    assert "Wrote 3 answers" in cli(["grade", "export", str(course), str(sheet)]).stdout
    rows = list(csv.DictReader(sheet.open(encoding="utf-8-sig")))
    rows[0].update(score="3", depth="1", step_evidence="0")
    _write(sheet, rows)
    bad = cli(["grade", "import", str(course), str(sheet)])
    assert bad.returncode == 2 and "does not match the levels" in bad.stderr
    rows[0]["score"] = "1"
    _write(sheet, rows)
    assert "Saved 1 grades" in cli(["grade", "import", str(course), str(sheet)]).stdout


# ------------------------------------------------------------------- the keyboard grader


@pytest.mark.slow  # runs autograde on a real course
def test_keyboard_grading_without_a_mouse(course: Path) -> None:
    state = grading.GraderState(grading.GradingQueue(course))
    start = state.answer.pseudonym
    # step 00 scores depth (0/1/3/4) and the step's idea (0/2/3); no action
    for key in "31":  # depth 3, then evidence 1 is not a level in this step: refused
        state.key(key)
    assert "goes from 0 to 3" in state.message and not state.answer.graded
    assert state.key("c") == "comment"
    state.comment = "Name the date."
    state.key("2")  # every criterion has a level now: saved
    assert state.answer.graded and state.answer.manual_score == 5.0
    pid = state.queue.participant_of(start)
    assert _gradebook(course, pid)[0] == 5.0
    assert _gradebook(course, pid)[1].endswith("Name the date.")
    state.key("n")
    assert state.answer.pseudonym != start
    state.key("p")
    assert state.answer.pseudonym == start and state.levels["depth"] == 3
    state.key("u")  # next ungraded skips the blank answer
    assert not state.answer.graded and not state.answer.blank


@pytest.mark.slow  # runs autograde on a real course
def test_grader_widgets_respond_to_keys(course: Path) -> None:
    ui = grading.grader_ui(course)
    state = ui._mw_state
    depth_row, action_row, evidence_row = ui.children[2:5]
    assert action_row.layout.display == "none"  # step 00 asks for no action
    assert "I signed up because my manager suggested it." in depth_row.children[2].value
    assert [o[1] for o in evidence_row.children[1].options] == [0, 2, 3]
    ui._mw_keys.value = "32"
    assert ui._mw_keys.value == ""
    assert state.answer.graded and state.answer.manual_score == 5.0
    assert "Saved" in ui.children[-1].value


@pytest.mark.slow  # runs autograde on a real course
def test_grader_notebook_runs(course: Path, tmp_path: Path) -> None:
    from nbclient import NotebookClient

    path = ROOT / "facilitator" / "grade_reflections.ipynb"
    nb = nbformat.read(path, as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = f"course_dir = {str(course)!r}\nassignment = None"
    NotebookClient(nb, km=ipc_kernel_manager(), timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


@pytest.mark.slow  # runs autograde on a real course
def test_private_reflections_stay_out_of_grading_unless_the_course_says_so(
        course: Path, tmp_path: Path) -> None:
    import dataclasses

    rubric = grading.RubricLevels.load()
    assert "07_rejection" in rubric.private  # the kit's default
    private = dataclasses.replace(rubric, private=frozenset({"00_welcome"}))
    queue = grading.GradingQueue(course, rubric=private)
    assert queue.questions == [] and not queue.grade_private
    assert grading.export_csv(course, tmp_path / "sheet.csv") == 3  # the kit's rubric: graded
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + "\nc.MentorWorkshop.grade_private_reflections = True\n")
    queue = grading.GradingQueue(course, rubric=private)
    assert queue.grade_private and [q.cell for q in queue.questions] == ["reflection_00"]


@pytest.mark.slow  # runs autograde on a real course
def test_a_private_reflection_counts_nowhere_in_the_grade_export(
        course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from mentor_workshop.core import curriculum
    from mentor_workshop.core.content.models import StepCriteria

    cur = curriculum.load()
    steps = {**cur.rubric.steps, "00_welcome": StepCriteria(
        criteria=["depth", "step_evidence"], points=cur.rubric.steps["00_welcome"].points,
        private=True)}
    private = dataclasses.replace(cur, rubric=cur.rubric.model_copy(update={"steps": steps}))
    monkeypatch.setattr(curriculum, "load", lambda *a, **k: private)

    def export() -> dict[str, dict[str, str]]:
        out = tmp_path / "grades.csv"
        mw_course.export_grades(course, out)
        return {r["participant_id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}

    rows = export()
    assert rows["p01"]["00_welcome_reflection"] == "private"
    assert rows["p01"]["max_score"] == "1.0" and rows["p01"]["needs_manual_grade"] == "False"
    assert rows["p05"]["max_score"] == "1.0"  # no submission: the assignment's total, less it
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + "\nc.MentorWorkshop.grade_private_reflections = True\n")
    rows = export()
    assert rows["p01"]["00_welcome_reflection"] == "" and rows["p01"]["max_score"] == "8.0"
    assert rows["p01"]["needs_manual_grade"] == "True"
