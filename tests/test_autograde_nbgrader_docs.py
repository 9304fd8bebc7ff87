"""nbgrader's own documentation course, graded by ``nbgrader autograde`` and by the kit.

The course the nbgrader documentation walks through (``ps1``: two notebooks with an image,
hand-ins from ``bitdiddle`` and ``hacker``) ships inside nbgrader's package. It was written by
nbgrader's authors, not by this kit: autograding it is the plainest check that the kit's
parallel, sandboxed grading gives nbgrader's grades on any course, cell by cell.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbgrader
import pytest
from courses import grades

from mentor_workshop.facilitator import course as mw_course
from mentor_workshop.facilitator.autograde import autograde
from mentor_workshop.facilitator.sandbox import available

pytestmark = pytest.mark.slow

DOCS = Path(nbgrader.__file__).parent / "docs" / "source" / "user_guide"
STUDENTS = ("bitdiddle", "hacker")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not (DOCS / "source" / "ps1").is_dir():
        pytest.skip("this nbgrader package does not ship its documentation course")
    base = tmp_path_factory.mktemp("nbgrader-docs")
    course = base / "course"
    shutil.copytree(DOCS / "source" / "ps1", course / "source" / "ps1")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'course101'\n", encoding="utf-8")
    api = mw_course.open_course(course).api()
    result = api.generate_assignment("ps1", force=True, create=True)
    assert result["success"], result.get("log", "")[-3000:]
    for student in STUDENTS:
        shutil.copytree(DOCS / "submitted" / student / "ps1",
                        course / "submitted" / student / "ps1")

    reference = base / "reference"
    shutil.copytree(course, reference)
    result = mw_course.open_course(reference).api().autograde("ps1", "*", force=True)
    assert result["success"], result.get("log", "")[-3000:]

    report = autograde(course, workers=2, progress=False, sandbox=available()[0])
    return {"course": course, "reference": reference, "report": report}


def test_the_documentation_course_gets_nbgraders_grades(graded: dict) -> None:
    ours, theirs = grades(graded["course"]), grades(graded["reference"])
    assert {key[0] for key in theirs} == set(STUDENTS)
    assert len(theirs) > 10  # both notebooks' grade cells, for both students
    assert ours == theirs


def test_every_hand_in_is_graded_without_problems(graded: dict) -> None:
    outcomes = {p.participant: p for p in graded["report"].participants}
    assert set(outcomes) == set(STUDENTS)
    for outcome in outcomes.values():
        assert outcome.error is None
        assert [n.notebook for n in outcome.notebooks] == ["problem1", "problem2"]
        assert all(n.status == "graded" for n in outcome.notebooks), outcome.notebooks
    for student in STUDENTS:
        folder = graded["course"] / "autograded" / student / "ps1"
        assert sorted(p.name for p in folder.glob("*.ipynb")) == ["problem1.ipynb",
                                                                  "problem2.ipynb"]
