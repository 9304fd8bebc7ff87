"""Parallel autograde: the same scores as nbgrader's own autograde, and no stops on bad input.

One course, two copies of the same collected submissions: nbgrader's ``Autograde`` grades one,
``mentor_workshop.facilitator.autograde`` the other, and every grade in the two gradebooks must
agree. The submissions cover what participants really hand in: complete, partial, empty, a
tampered test cell, a deleted cell, a corrupt journal and an endless loop.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from courses import ASSIGNMENT, cell_by_id, cli, grades, make_course, make_submission
from journals import complete_answers, partial_answers
from nbformat.v4 import new_code_cell

from mentor_workshop.errors import UserError
from mentor_workshop.facilitator import course as mw_course
from mentor_workshop.facilitator.autograde import AutogradeReport, ParticipantOutcome, autograde
from mentor_workshop.facilitator.sandbox import available

#: Grade sandboxed where the machine allows it (tests/security/test_sandbox.py covers the rest)
SANDBOX = available()[0]

pytestmark = pytest.mark.slow
STEPS = ["00_welcome", "01_shortlist"]
BEYOND_NBGRADER = ("p08", "p09")


def _tamper(name: str, nb: nbformat.NotebookNode) -> None:
    if name == "01_shortlist":  # replace the hidden test by a constant full score
        cell_by_id(nb, "test_01").source = "3"


def _dropper(**drop: str) -> Callable[[str, nbformat.NotebookNode], None]:
    def edit(name: str, nb: nbformat.NotebookNode) -> None:
        gone = drop.get(f"s{name[:2]}")
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != gone]

    return edit


def _loop(name: str, nb: nbformat.NotebookNode) -> None:
    if name == "00_welcome":
        nb.cells.insert(2, new_code_cell("while True:\n    pass"))


def _crash(name: str, nb: nbformat.NotebookNode) -> None:
    if name == "00_welcome":
        nb.cells.insert(3, new_code_cell("import os\nos._exit(1)"))


@pytest.fixture(scope="module")
def courses(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Collected submissions graded twice: by nbgrader (serial) and by the kit (parallel)."""
    base = tmp_path_factory.mktemp("autograde")
    course = make_course(base, STEPS, timeout=2)
    inbox = base / "inbox"
    full = complete_answers()
    make_submission(course, inbox / "p01", answers=full, reflection="I will ask Dana on Monday.")
    make_submission(course, inbox / "p02", answers=partial_answers())
    make_submission(course, inbox / "p03")
    make_submission(course, inbox / "p04", answers=partial_answers(), edit=_tamper)
    make_submission(course, inbox / "p05", answers=full,
                    edit=_dropper(s00="test_00", s01="test_01"))
    make_submission(course, inbox / "p06", journal='{"schema_version": 1, "answers": {"welc')
    make_submission(course, inbox / "p07", answers=full, edit=_loop)
    make_submission(course, inbox / "p08", answers=full, edit=_crash)
    make_submission(course, inbox / "p09", answers=full, reflection="Mine.",
                    edit=_dropper(s01="reflection_01"))
    assert len(mw_course.collect(course, inbox).collected) == 9

    reference = base / "reference"
    shutil.copytree(course, reference)
    # nbgrader gives up on a participant whose kernel dies (p08) or who deleted a reflection
    # (p09, its add_missing_cells fails); the kit grades them, see the tests below
    for beyond in BEYOND_NBGRADER:
        shutil.rmtree(reference / "submitted" / beyond)
    result = mw_course.open_course(reference).api().autograde(ASSIGNMENT, "*", force=True)
    assert result["success"], result.get("log", "")[-3000:]

    report = autograde(course, workers=2, progress=False, sandbox=SANDBOX)
    return {"course": course, "reference": reference, "report": report}


def _outcome(report: AutogradeReport, pid: str) -> ParticipantOutcome:
    return next(p for p in report.participants if p.participant == pid)


def test_scores_match_nbgrader_autograde(courses: dict) -> None:
    ours = {k: v for k, v in grades(courses["course"]).items() if k[0] not in BEYOND_NBGRADER}
    theirs = grades(courses["reference"])
    assert set(ours) == set(theirs)
    different = {k: (theirs[k], ours[k]) for k in theirs if theirs[k] != ours[k]}
    assert different == {}
    # and the scores are the ones the submissions deserve
    assert ours[("p01", "00_welcome", "test_00")][0] == 1.0
    assert ours[("p01", "01_shortlist", "test_01")][0] == 3.0
    assert ours[("p03", "01_shortlist", "test_01")][0] == 0.0
    assert 0 < ours[("p02", "00_welcome", "test_00")][0] < 1.0
    assert ours[("p04", "01_shortlist", "test_01")][0] < 3.0  # tampering earned nothing
    assert ours[("p05", "00_welcome", "test_00")][0] == 1.0  # deleted cell put back and graded
    assert ours[("p05", "01_shortlist", "test_01")][0] == 3.0
    assert ours[("p06", "00_welcome", "test_00")][0] == 0.0
    assert ours[("p07", "00_welcome", "test_00")][0] == 1.0  # the loop was stopped, rest ran


def test_every_problem_is_reported_per_participant(courses: dict) -> None:
    report = courses["report"]
    assert len(report.participants) == 9 and all(p.error is None for p in report.participants)
    assert _outcome(report, "p01").problems == []
    assert any("test cell test_01 was edited" in x for x in _outcome(report, "p04").problems)
    deleted = "\n".join(_outcome(report, "p05").problems)
    assert "test_00 was deleted" in deleted and "test_01 was deleted" in deleted
    assert any("journal.json is damaged" in x for x in _outcome(report, "p06").problems)
    assert any("ran longer than 2 s" in x for x in _outcome(report, "p07").problems)
    assert any("kernel died" in x for x in _outcome(report, "p08").problems)
    lines = "\n".join(report.lines())
    assert "Autograded 9 participants" in lines


def test_a_crashed_kernel_does_not_lose_the_participant(courses: dict) -> None:
    scores = grades(courses["course"])
    assert scores[("p08", "00_welcome", "test_00")][0] == 0.0  # never ran: no free points
    assert scores[("p08", "01_shortlist", "test_01")][0] == 3.0  # the next notebook still graded
    nb = nbformat.read(courses["course"] / "autograded" / "p08" / ASSIGNMENT / "00_welcome.ipynb",
                       as_version=4)
    errors = [o for o in cell_by_id(nb, "test_00").outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "KernelDied"


def test_a_deleted_reflection_is_put_back_and_graded(courses: dict) -> None:
    """nbgrader's add_missing_cells fails when the deleted cell follows a locked cell."""
    scores = grades(courses["course"])
    assert scores[("p09", "01_shortlist", "test_01")][0] == 3.0
    # back with nbgrader's "this cell was missing" note, so a person looks at it
    assert scores[("p09", "01_shortlist", "reflection_01")] == (None, None, True)
    assert any("reflection_01 was deleted" in x
               for x in _outcome(courses["report"], "p09").problems)


def test_test_cells_write_nothing_to_stderr(courses: dict) -> None:
    """nbgrader scores a test cell 0 if anything reaches stderr: the checks must stay silent,
    even on an empty, partial or corrupt journal."""
    for pid in ("p01", "p02", "p03", "p06"):
        for step in STEPS:
            path = courses["course"] / "autograded" / pid / ASSIGNMENT / f"{step}.ipynb"
            cell = cell_by_id(nbformat.read(path, as_version=4), f"test_{step[:2]}")
            kinds = [(o.output_type, o.get("name")) for o in cell.outputs]
            assert ("stream", "stderr") not in kinds, (pid, step, cell.outputs)
            assert [k for k, _ in kinds] == ["execute_result"], (pid, step, cell.outputs)


def test_autograded_files_match_nbgrader_layout(courses: dict) -> None:
    for root in (courses["course"], courses["reference"]):
        folder = root / "autograded" / "p01" / ASSIGNMENT
        assert sorted(p.name for p in folder.iterdir() if p.suffix == ".ipynb") == [
            f"{s}.ipynb" for s in STEPS]
        assert (folder / "journal.json").read_text() == (
            root / "submitted" / "p01" / ASSIGNMENT / "journal.json").read_text()


def test_regrade_one_participant_and_skip_the_rest(courses: dict) -> None:
    course = courses["course"]
    p03 = course / "autograded" / "p03" / ASSIGNMENT / "00_welcome.ipynb"
    before = p03.stat().st_mtime_ns
    again = autograde(course, workers=1, progress=False, sandbox=SANDBOX)
    assert all(p.skipped for p in again.participants)
    result = cli(["autograde", str(course), "--participant", "p02", "--workers", "1",
                  *([] if SANDBOX else ["--unsafe-no-sandbox"])])
    assert "Autograded 1 participants" in result.stdout
    assert p03.stat().st_mtime_ns == before
    assert grades(course)[("p02", "00_welcome", "test_00")] == grades(
        courses["reference"])[("p02", "00_welcome", "test_00")]


def test_unknown_participant_is_a_clear_error(courses: dict) -> None:
    with pytest.raises(UserError, match="No submission to grade for: nobody"):
        autograde(courses["course"], participants=["nobody"], progress=False, sandbox=SANDBOX)


def test_works_on_a_course_the_kit_did_not_make(courses: dict, tmp_path: Path) -> None:
    """Only nbgrader's own layout and gradebook: no kit config, a different assignment name."""
    plain = tmp_path / "plain"
    shutil.copytree(courses["reference"], plain)
    (plain / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'other'\n"
        "c.Autograde.exclude_overwriting = {'mentor_workshop': ['journal.json']}\n"
        "c.OverwriteCells.add_missing_cells = True\nc.Execute.timeout = 2\n")
    shutil.rmtree(plain / "autograded")
    # kernels started from scratch, as nbgrader starts them (no pre-warmed zygote)
    report = autograde(plain, participants=["p01"], progress=False, prewarm=False,
                       sandbox=SANDBOX)
    assert report.participants[0].score == 4.0
    assert grades(plain)[("p01", "01_shortlist", "test_01")] == grades(
        courses["reference"])[("p01", "01_shortlist", "test_01")]
