"""Generate the participants' version of the workshop and prove it hides what it must.

Why a check after nbgrader's own clean-up: a facilitator who edits a notebook can mistype a
marker, leave outputs in, or try the notebooks in ``source/`` and save answers into the blank
journal. nbgrader would release all of that. Here the release is compared line by line with the
source; a release that would leak is deleted before anyone can hand it out.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mentor_workshop.core.journal import JOURNAL_FILENAME
from mentor_workshop.errors import ReleaseLeakError, UserError
from mentor_workshop.facilitator.course.config import Course, log_tail, open_course
from mentor_workshop.facilitator.markers import Markers, markers

__all__ = ["ReleaseReport", "release", "verify_release"]

#: The four delimiters that must never appear in a release, as ``Markers`` attribute names.
_DELIMITERS = ("begin_solution", "end_solution", "begin_test", "end_test")


@dataclass
class ReleaseReport:
    """Where the checked release is and whether it went to the exchange."""

    assignment: str
    folder: Path
    notebooks: list[str]
    exchange: bool = False

    def lines(self) -> list[str]:
        """The report as lines to print, ending with what to do next.

        Returns
        -------
        list of str
            One line per fact.
        """
        out = [
            f"Released {len(self.notebooks)} notebooks and {JOURNAL_FILENAME} to {self.folder}.",
            "Checked: no solution text, no hidden tests, no outputs, a blank journal.",
        ]
        if self.exchange:
            out.append("Copied to the nbgrader exchange for participants to fetch.")
        else:
            out.append(
                "Hand the folder out as it is (zip it), or personalise it first; collect with "
                "`mentor-workshop collect COURSE_DIR --from FOLDER`."
            )
        return out


def release(
    course_dir: str | os.PathLike[str],
    assignment: str | None = None,
    *,
    to_exchange: bool = False,
) -> ReleaseReport:
    """Generate the participants' version, then prove it hides what it must.

    Parameters
    ----------
    course_dir : str or path-like
        The course folder.
    assignment : str, optional
        The assignment (default: the course's only one, or the kit's).
    to_exchange : bool
        Also copy the release to the nbgrader exchange (JupyterHub set-ups).

    Returns
    -------
    ReleaseReport
        The release folder and its notebooks.

    Raises
    ------
    ReleaseLeakError
        The release would show solutions, hidden tests, outputs or answers; it was deleted.
    UserError
        There is nothing to release, or nbgrader failed.
    """
    course = open_course(course_dir)
    assignment = course.pick_assignment(assignment)
    if not course.source_notebooks(assignment):
        raise UserError(
            f"source/{assignment}/ has no notebooks; run `mentor-workshop init` first."
        )
    api = course.api()
    result = api.generate_assignment(assignment, force=True, create=True)
    if not result.get("success"):
        raise UserError(
            f"nbgrader could not generate the release of {assignment!r}:\n{log_tail(result)}"
        )
    folder = course.path("release", ".", assignment)
    problems = verify_release(course, assignment)
    if problems:
        from nbgrader.utils import rmtree  # nbgrader is slow to import

        rmtree(str(folder))
        raise ReleaseLeakError(
            f"The release of {assignment!r} was NOT safe to hand out, so {folder} was deleted:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    report = ReleaseReport(assignment, folder, sorted(p.name for p in folder.glob("*.ipynb")))
    if to_exchange:
        result = api.release_assignment(assignment)
        if not result.get("success"):
            raise UserError(
                f"The release is ready in {folder}, but copying it to the nbgrader exchange "
                f"failed:\n{log_tail(result)}"
            )
        report.exchange = True
    return report


def _secret_lines(cell: Any, marks: Markers) -> tuple[set[str], set[str]]:
    """(lines only a facilitator may see, lines participants see) of one source cell."""
    secret: set[str] = set()
    visible: set[str] = set()
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    lines = cell.source.split("\n")
    has_region = any(marks.begin_solution in ln or marks.begin_test in ln for ln in lines)
    if nbg.get("solution") and not has_region:
        # nbgrader replaces a whole solution cell without markers by the stub.
        stub = marks.text_stub
        secret |= {ln.strip() for ln in lines if ln.strip() and ln.strip() != stub}
        return secret, visible
    inside = False
    for line in lines:
        if marks.begin_solution in line or marks.begin_test in line:
            inside = True
        elif marks.end_solution in line or marks.end_test in line:
            inside = False
        elif line.strip():
            (secret if inside else visible).add(line.strip())
    return secret, visible


def verify_release(course: Course, assignment: str) -> list[str]:
    """Every way the release could leak, one line each (empty when it is safe).

    Checks: no solution or hidden-test delimiters or the lines between them (compared with the
    source), no saved outputs, and a journal with no answers (a facilitator who tried the
    notebooks in ``source/`` would otherwise hand their answers to everyone).

    Parameters
    ----------
    course : Course
        The open course.
    assignment : str
        The assignment whose ``release/`` folder to check.

    Returns
    -------
    list of str
        One problem per line, naming notebook, cell and what it shows.
    """
    # deferred: nbformat's schema validator takes over a second to import, and the report's
    # kernel and the CLI open courses without reading a notebook
    import nbformat

    marks = markers(course.config)
    source = course.path("source", ".", assignment)
    folder = course.path("release", ".", assignment)
    problems: list[str] = []
    if not folder.is_dir():
        return [f"{folder} was not created"]
    for src_path in course.source_notebooks(assignment):
        rel_path = folder / src_path.name
        if not rel_path.is_file():
            problems.append(f"{src_path.name} is missing from the release")
            continue
        src = nbformat.read(src_path, as_version=4)
        rel = nbformat.read(rel_path, as_version=4)
        secret: set[str] = set()
        visible: set[str] = set()
        for cell in src.cells:
            s, v = _secret_lines(cell, marks)
            secret |= s
            visible |= v
        secret -= visible
        for index, cell in enumerate(rel.cells, start=1):
            where = f"{rel_path.name}, cell {index}"
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id:
                where += f" ({grade_id})"
            for key in _DELIMITERS:
                marker = getattr(marks, key)
                if marker in cell.source:
                    problems.append(f"{where} still contains the marker '{marker}'")
            leaked = sorted({ln.strip() for ln in cell.source.split("\n")} & secret)
            if leaked:
                problems.append(f"{where} shows hidden text: {leaked[0]!r}")
            if cell.cell_type == "code" and cell.get("outputs"):
                problems.append(f"{where} has saved output (it may show answers)")
    journal = folder / JOURNAL_FILENAME
    if (source / JOURNAL_FILENAME).exists():
        if not journal.is_file():
            problems.append(f"{JOURNAL_FILENAME} is missing from the release")
        else:
            try:
                answers = json.loads(journal.read_text(encoding="utf-8")).get("answers")
            except (ValueError, AttributeError):
                answers = "unreadable"
            if answers:
                problems.append(
                    f"{JOURNAL_FILENAME} holds answers ({_describe_answers(answers)}); replace "
                    f"{source / JOURNAL_FILENAME} with a blank journal (delete it and run init)"
                )
    return problems


def _describe_answers(answers: Any) -> str:
    if isinstance(answers, dict):
        keys = sorted(answers)
        return ", ".join(keys[:3]) + (" ..." if len(keys) > 3 else "")
    return "not a blank journal"
