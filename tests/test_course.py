"""The nbgrader course lifecycle: init, release (leak check), collect, feedback, export.

Temporary courses and hand-ins come from ``courses.py``, journals from ``journals.py``.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from courses import (
    ASSIGNMENT,
    NOTEBOOKS,
    ROSTER,
    XSS,
    cell_by_id,
    cli,
    journal_text,
    make_course,
    make_submission,
)
from journals import complete_answers, partial_answers

from mentor_workshop.errors import UserError
from mentor_workshop.facilitator import course as mw_course
from mentor_workshop.facilitator.sandbox import available as sandbox_available

ROOT = Path(__file__).resolve().parent.parent



# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course made by the CLI without the venv on PATH, collected and autograded."""
    from mentor_workshop.facilitator.autograde import autograde

    base = tmp_path_factory.mktemp("course")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV",)}
    env["PATH"] = "/usr/bin:/bin"  # no alembic, no jupyter: the kit must cope
    course = make_course(base, ["00_welcome"], cli_env=env)
    inbox = base / "inbox"
    answers = complete_answers()
    answers["welcome.profile"] = {**answers["welcome.profile"], "role": f"Nurse {XSS}"}
    make_submission(course, inbox / "p01", answers=answers,
                    reflection=f"I learned a lot, Amara Okafor here. {XSS}")
    make_submission(course, inbox / "p02", answers=partial_answers())
    make_submission(course, inbox / "p03")
    report = mw_course.collect(course, inbox)
    assert sorted(report.collected) == ["p01", "p02", "p03"]
    autograde(course, workers=2, progress=False,
              sandbox=sandbox_available()[0])
    return course


# ---------------------------------------------------------------------------------- init


@pytest.mark.slow  # runs autograde on a real course
def test_init_creates_a_course_nbgrader_can_use(graded: Path) -> None:
    config = mw_course.load_config(graded)
    assert config.OverwriteCells.add_missing_cells is True
    assert config.Autograde.exclude_overwriting == {ASSIGNMENT: ["journal.json"]}
    source = graded / "source" / ASSIGNMENT
    assert (source / "00_welcome.ipynb").is_file()
    assert json.loads((source / "journal.json").read_text())["answers"] == {}
    with mw_course.open_course(graded).gradebook() as gb:
        students = {s.id: s for s in gb.students}
    assert len(students) == 12
    assert students["p02"].first_name == "Mateo" and students["p02"].last_name == "Fernández"
    assert students["p02"].email == "mateo.fernandez@example.org"


@pytest.mark.slow  # runs autograde on a real course
def test_init_again_updates_and_keeps_grades(graded: Path, tmp_path: Path) -> None:
    shutil.copytree(graded, tmp_path / "c")
    graded = tmp_path / "c"
    course = mw_course.open_course(graded)
    with course.gradebook() as gb:
        grade = gb.find_grade("reflection_00", "00_welcome", ASSIGNMENT, "p01")
        grade.manual_score = 5.0
        gb.db.commit()
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER.read_text() + "p99,New Person,new.person@example.org,,\n")
    report = mw_course.init_course(graded, roster, notebooks=[NOTEBOOKS / "00_welcome.ipynb"])
    assert report.participants_added == ["p99"]
    assert mw_course.load_config(graded).Execute.timeout == 3  # the facilitator's setting stays
    assert not report.notebooks_added and not report.notebooks_updated
    with course.gradebook() as gb:
        assert gb.find_grade("reflection_00", "00_welcome", ASSIGNMENT, "p01").manual_score == 5.0


def test_init_reports_every_roster_problem(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email\n../x,A,a@example.org\np1,,not-an-email\n")
    with pytest.raises(UserError) as info:
        mw_course.init_course(tmp_path / "c", roster)
    text = str(info.value)
    assert "line 2" in text and "line 3" in text
    assert not (tmp_path / "c" / "gradebook.db").exists()


@pytest.mark.slow  # runs autograde on a real course
def test_init_refuses_to_change_the_course_id(graded: Path) -> None:
    with pytest.raises(UserError, match="course's id"):
        mw_course.init_course(graded, ROSTER, course_id="another",
                              notebooks=[NOTEBOOKS / "00_welcome.ipynb"])


# ------------------------------------------------------------------------------- release


@pytest.mark.slow  # runs autograde on a real course
def test_release_hides_solutions_and_hidden_tests(graded: Path) -> None:
    release = graded / "release" / ASSIGNMENT
    text = (release / "00_welcome.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" not in text and \
        "from mentor_workshop.core.checks import" not in text
    assert mw_course.verify_release(mw_course.open_course(graded), ASSIGNMENT) == []


@pytest.mark.slow  # runs autograde on a real course
def test_verify_release_catches_every_kind_of_leak(graded: Path, tmp_path: Path) -> None:
    copy_dir = tmp_path / "c"
    shutil.copytree(graded, copy_dir)
    release = copy_dir / "release" / ASSIGNMENT
    path = release / "00_welcome.ipynb"
    nb = nbformat.read(path, as_version=4)
    test = cell_by_id(nb, "test_00")
    test.source += '\ngrade("00_welcome", journal_path, points=1)'
    test.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1.0"})]
    cell_by_id(nb, "setup_00").source += "\n### BEGIN SOLUTION"
    nbformat.write(nb, path)
    (release / "journal.json").write_text(journal_text({"welcome.profile": {"name": "F"}}))
    problems = mw_course.verify_release(mw_course.open_course(copy_dir), ASSIGNMENT)
    joined = "\n".join(problems)
    assert "test_00) shows hidden text" in joined
    assert "saved output" in joined
    assert "BEGIN SOLUTION" in joined
    assert "journal.json holds answers (welcome.profile)" in joined


@pytest.mark.slow  # runs autograde on a real course
def test_release_fails_loudly_and_deletes_a_leaking_release(graded: Path, tmp_path: Path) -> None:
    copy_dir = tmp_path / "c"
    shutil.copytree(graded, copy_dir)
    source_journal = copy_dir / "source" / ASSIGNMENT / "journal.json"
    source_journal.write_text(journal_text({"welcome.profile": {"name": "Facilitator"}}))
    with pytest.raises(mw_course.ReleaseLeakError, match="NOT safe"):
        mw_course.release(copy_dir)
    assert not (copy_dir / "release" / ASSIGNMENT).exists()


# ------------------------------------------------------------------------------- collect


def _zip(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return target


@pytest.mark.slow  # runs autograde on a real course
def test_collect_reports_each_problem_and_collects_the_rest(graded: Path, tmp_path: Path) -> None:
    course_dir = tmp_path / "c"
    shutil.copytree(graded, course_dir)
    inbox = tmp_path / "inbox"
    work = tmp_path / "work"
    # a folder, a zip with the notebooks one level down, a zip named "id_something"
    make_submission(course_dir, inbox / "p04", answers=partial_answers())
    make_submission(course_dir, work / "p05", answers=complete_answers())
    _zip(work / "p05", inbox / "p05.zip", prefix="mentor_workshop/")
    make_submission(course_dir, work / "p06")
    _zip(work / "p06", inbox / "P06_final.zip")
    # problems: unknown id, duplicate, not a zip, zip-slip, unreadable notebook
    make_submission(course_dir, inbox / "stranger")
    make_submission(course_dir, inbox / "p07")
    _zip(inbox / "p07", inbox / "p07.zip")
    (inbox / "p08.zip").write_bytes(b"this is not a zip file")
    with zipfile.ZipFile(inbox / "p09.zip", "w") as archive:
        archive.writestr("00_welcome.ipynb", (work / "p06" / "00_welcome.ipynb").read_text())
        archive.writestr("../../escaped.txt", "gotcha")
    make_submission(course_dir, inbox / "p10")
    (inbox / "p10" / "00_welcome.ipynb").write_text("{ not a notebook")
    (inbox / "p10" / "extra.ipynb").write_text((work / "p06" / "00_welcome.ipynb").read_text())
    (inbox / "notes.txt").write_text("hello")

    report = mw_course.collect(course_dir, inbox)
    status = {(ln.participant, ln.status) for ln in report.lines}
    assert sorted(report.collected) == ["p04", "p05", "p06"]
    assert (None, "unknown") in status and (None, "skipped") in status
    assert ("p07", "duplicate") in status
    assert ("p08", "unreadable") in status and ("p09", "unreadable") in status
    assert ("p10", "unreadable") in status
    lines = {ln.participant: str(ln) for ln in report.lines}
    assert "outside its own folder" in lines["p09"]
    assert "not a readable notebook" in lines["p10"]
    assert not list(tmp_path.rglob("escaped.txt"))
    submitted = course_dir / "submitted"
    assert (submitted / "p05" / ASSIGNMENT / "00_welcome.ipynb").is_file()
    assert (submitted / "p05" / ASSIGNMENT / "timestamp.txt").is_file()
    assert json.loads((submitted / "p05" / ASSIGNMENT / "journal.json").read_text())["answers"]
    assert not (submitted / "p07").exists() and not (submitted / "stranger").exists()

    again = mw_course.collect(course_dir, inbox)
    assert {ln.participant for ln in again.lines if ln.status == "updated"} >= {"p04", "p05"}


@pytest.mark.slow  # runs autograde on a real course
def test_collect_from_an_nbgrader_exchange(graded: Path, tmp_path: Path) -> None:
    course_dir = tmp_path / "c"
    shutil.copytree(graded, course_dir)
    course_id = mw_course.open_course(course_dir).course_id
    inbound = tmp_path / "exchange" / course_id / "inbound"
    stamp = "2027-03-01 10:00:00.000000 UTC"
    for pid in ("p04", "zz9"):
        make_submission(course_dir, inbound / f"{pid}+{ASSIGNMENT}+{stamp}+x1",
                        answers=partial_answers())
        (inbound / f"{pid}+{ASSIGNMENT}+{stamp}+x1" / "timestamp.txt").write_text(stamp)
    report = mw_course.collect(course_dir, tmp_path / "exchange")
    assert report.collected == ["p04"]
    assert [(ln.participant, ln.status) for ln in report.lines if not ln.ok] == [
        ("zz9", "unknown")]
    assert (course_dir / "submitted" / "p04" / ASSIGNMENT / "journal.json").is_file()


# --------------------------------------------------------------------- feedback and export


@pytest.mark.slow  # runs autograde on a real course
def test_feedback_removes_hidden_tests_and_escapes_participant_text(graded: Path) -> None:
    report = mw_course.feedback(graded)
    assert not report.failed
    pages = {p.parent.parent.name: p.read_text(encoding="utf-8") for p in report.files}
    assert set(pages) == {"p01", "p02", "p03"}
    for page in pages.values():
        assert "BEGIN HIDDEN TESTS" not in page
        assert "from mentor_workshop.core.checks import grade" not in page
    assert XSS not in pages["p01"] and "alert('mw-xss')</script>" not in pages["p01"]
    assert "&lt;script&gt;" in pages["p01"]
    # the kit's own summaries (locked cells) render as HTML; what the participant typed inside
    # them (here the role in the journal) arrives escaped
    assert "&lt;style&gt;" not in pages["p01"]
    assert 'class="mw-exercise mw-summary"' in pages["p01"]
    assert "Nurse &lt;script&gt;alert(" in pages["p01"]
    # the autograded notebook still holds the test (nbgrader needs it there)
    autograded = (graded / "autograded" / "p01" / ASSIGNMENT / "00_welcome.ipynb").read_text()
    assert "BEGIN HIDDEN TESTS" in autograded


LINKS = ("Her talk: https://talks.example.org/mentoring?a=1&b=2 and "
         "[my notes](https://notes.example.com/x) ![pixel](https://tracker.example.net/p.png) <img src=\"https://tracker.example.net/q.png\">")


def _copy_with_reflection(graded: Path, tmp_path: Path, student: str, text: str) -> Path:
    """A copy of the course whose autograded notebook for ``student`` has ``text`` as reflection."""
    course = tmp_path / "course"
    shutil.copytree(graded, course)
    path = course / "autograded" / student / ASSIGNMENT / "00_welcome.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell_by_id(nb, "reflection_00").source = text
    nbformat.write(nb, path)
    return course


@pytest.mark.slow  # runs autograde on a real course
def test_feedback_pages_load_nothing_from_the_internet(graded: Path, tmp_path: Path) -> None:
    from mentor_workshop.facilitator.report import remote_references

    course = _copy_with_reflection(graded, tmp_path, "p02", LINKS)
    report = mw_course.feedback(course, participants=["p01", "p02"])
    assert not report.failed
    assert len(report.files) == 2
    for path in report.files:
        page = path.read_text(encoding="utf-8")
        assert remote_references(page) == [], path
        assert not re.search(r"<script[^>]*\ssrc\s*=", page, re.I), path
        assert not re.search(r"@import", page, re.I), path
        assert "MathJax.Hub" not in page
    page = (course / "feedback" / "p02" / ASSIGNMENT / "00_welcome.html").read_text()
    # the participant's links are still readable, as text
    assert "https://talks.example.org/mentoring?a=1&amp;b=2" in page
    assert "my notes (https://notes.example.com/x)" in page
    assert "tracker.example.net/p.png" not in page  # a markdown image loads nothing
    assert "&lt;img src=" in page  # raw HTML stays escaped text
    # the score summary nbgrader puts on top is still there
    assert "(Score:" in page


@pytest.mark.slow  # runs autograde on a real course
def test_feedback_refuses_a_page_a_template_sends_online(graded: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """If a template brings a CDN reference the clean-up does not know, the page is not kept."""
    course = tmp_path / "course"
    shutil.copytree(graded, course)
    # by module name: the package's ``feedback`` attribute is the function, not the module
    feedback_pages = importlib.import_module("mentor_workshop.facilitator.course.feedback_pages")
    monkeypatch.setattr(feedback_pages, "_OFFLINE_MATHJAX",
                        "{% macro mathjax(url='') %}<style>@import url('https://cdn.example/m.css');"
                        "</style>{% endmacro %}")
    report = mw_course.feedback(course, participants=["p03"])
    assert report.files == []
    assert len(report.failed) == 1
    assert report.failed[0].startswith("p03: 00_welcome.html would load files from the internet")
    assert not (course / "feedback" / "p03" / ASSIGNMENT / "00_welcome.html").exists()
    assert "Could not write feedback for p03" in "\n".join(report.lines())


@pytest.mark.slow  # runs autograde on a real course
def test_export_writes_one_row_per_participant(graded: Path, tmp_path: Path) -> None:
    import csv

    out = tmp_path / "grades.csv"
    result = cli(["export", str(graded), str(out)])
    assert "Wrote 12 participants" in result.stdout
    rows = {r["participant_id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["p01"]["00_welcome_check"] == "1.0"
    assert rows["p03"]["00_welcome_check"] == "0.0"
    assert rows["p03"]["00_welcome_reflection"] == "0.0"  # blank answer: nbgrader scores 0
    assert rows["p01"]["00_welcome_reflection"] == ""  # answered, awaiting the rubric
    assert rows["p05"]["score"] == ""  # no submission


def test_cli_errors_are_one_clear_line(tmp_path: Path) -> None:
    result = cli(["release", str(tmp_path / "nowhere")])
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "There is no course folder" in result.stderr


# ------------------------------------------------------------------------------ start-up


def test_building_the_cli_imports_neither_nbgrader_nor_nbformat() -> None:
    """--help and quick commands like status must not pay nbgrader's seconds of start-up."""
    code = ("import sys; from mentor_workshop.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('nbformat', 'nbgrader', "
            "'mentor_workshop.facilitator.course', 'mentor_workshop.facilitator.autograde', "
            "'mentor_workshop.facilitator.grading') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def test_cli_default_assignment_is_the_course_default() -> None:
    from mentor_workshop.cli import main
    from mentor_workshop.commands import course as course_commands

    assert course_commands.DEFAULT_ASSIGNMENT == mw_course.DEFAULT_ASSIGNMENT
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["init", "--help"])
    assert f"(default: {mw_course.DEFAULT_ASSIGNMENT})" in " ".join(out.getvalue().split())
