"""Temporary nbgrader courses and synthetic hand-ins for the course, autograde and grading tests.

A plain helper module (not a test module), imported as ``from courses import ...``, so no test
module reaches into another for its data. Journals come from the one shared builder in
``journals.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat

from mentor_workshop.cli import main
from mentor_workshop.core.journal import JOURNAL_FILENAME
from mentor_workshop.facilitator import course as mw_course

ROOT = Path(__file__).resolve().parent.parent
ROSTER = ROOT / "exercises" / "sample_cohort" / "roster.csv"
NOTEBOOKS = ROOT / "notebooks"
ASSIGNMENT = mw_course.DEFAULT_ASSIGNMENT
XSS = "<script>alert('mw-xss')</script>"

def journal_text(answers: dict) -> str:
    return json.dumps({"schema_version": 1, "participant": {}, "answers": answers,
                       "saved_at": {}}, indent=2)


def make_course(base: Path, notebooks: list[str], *, timeout: int = 3,
                cli_env: dict | None = None) -> Path:
    """A released course with the given step notebooks and the sample roster."""
    folder = base / "course"
    paths = [NOTEBOOKS / f"{name}.ipynb" for name in notebooks]
    if cli_env is None:
        mw_course.init_course(folder, ROSTER, notebooks=paths, timeout=timeout)
    else:
        nb_dir = base / "notebooks"
        nb_dir.mkdir()
        for path in paths:
            shutil.copy(path, nb_dir)
        run_cli(["init", str(folder), "--roster", str(ROSTER), "--notebooks", str(nb_dir)],
                env=cli_env)
        config = folder / "nbgrader_config.py"
        config.write_text(config.read_text().replace("timeout = 30", f"timeout = {timeout}"))
    mw_course.release(folder)
    return folder


def run_cli(args: list[str], env: dict | None = None, check: bool = True
            ) -> subprocess.CompletedProcess:
    """The installed command, called by its full path (as a facilitator might)."""
    exe = Path(sys.executable).parent / "mentor-workshop"
    result = subprocess.run([str(exe), *args], capture_output=True, text=True, env=env,
                            timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"mentor-workshop {args[0]} failed:\n{result.stdout}\n"
                             f"{result.stderr}")
    return result


def cli(args: list[str]) -> subprocess.CompletedProcess:
    """The command's own entry point, in this process (much faster than a new interpreter)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


Edit = Callable[[str, nbformat.NotebookNode], None]


def make_submission(course: Path, folder: Path, *, answers: dict | None = None,
                    journal: str | None = None, reflection: str | None = None,
                    edit: Edit | None = None) -> Path:
    """A participant's hand-in: the release, their journal, their reflections, their edits."""
    shutil.copytree(course / "release" / ASSIGNMENT, folder)
    if journal is None:
        journal = journal_text(answers or {})
    (folder / JOURNAL_FILENAME).write_text(journal, encoding="utf-8")
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if reflection is not None and re.fullmatch(r"reflection_\d+", grade_id):
                cell.source = reflection
        if edit is not None:
            edit(path.stem, nb)
        nbformat.write(nb, path)
    return folder


def cell_by_id(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def grades(course: Path) -> dict:
    """Every grade and automatic comment in a course's gradebook, keyed for comparison."""
    out = {}
    with mw_course.open_course(course).gradebook() as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                for nb in sub.notebooks:
                    for g in nb.grades:
                        out[(sub.student.id, nb.name, g.name)] = (
                            g.auto_score, g.manual_score, g.needs_manual_grade)
                    for c in nb.comments:
                        out[(sub.student.id, nb.name, c.name, "comment")] = c.auto_comment
    return out
