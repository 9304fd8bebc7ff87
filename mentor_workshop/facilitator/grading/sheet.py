"""The spreadsheet round trip: ``mentor-workshop grade export`` and ``grade import``.

Why a CSV at all: some graders prefer a spreadsheet to the notebook grader. The sheet holds the
same blind queue (pseudonyms, names struck out), one row per participant × reflection, with a
column per rubric criterion. Importing checks every row before writing anything, so a sheet with
one typo saves nothing and the grader gets every problem with its line number at once.

Participant text is guarded against spreadsheet formulas on the way out and un-guarded on the
way back (:mod:`mentor_workshop.core.safe_csv`), so an answer that starts with a dash survives.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.core.safe_csv import guard_cell, unguard_cell
from mentor_workshop.core.safe_csv import writer as csv_writer
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.grading.queue import GradingQueue
from mentor_workshop.facilitator.grading.rubric import RubricLevels

__all__ = ["FIXED_COLUMNS", "TAIL_COLUMNS", "ImportReport", "export_csv", "import_csv",
           "rubric_guide"]

FIXED_COLUMNS = ("pseudonym", "notebook", "cell", "max_score")
TAIL_COLUMNS = ("score", "comment", "answer", "rubric_guide")
_REQUIRED = ("pseudonym", "notebook", "cell", "score", "comment")


def rubric_guide(rubric: RubricLevels, step_id: str) -> str:
    """The sheet's last column: each criterion's levels with this step's example answers.

    Why in every row: a grader working in a spreadsheet has no blind grader beside it, and
    the anchors are what keep two graders' "2" the same "2".

    Parameters
    ----------
    rubric : RubricLevels
        The rubric.
    step_id : str
        The reflection's step (its notebook name).

    Returns
    -------
    str
        E.g. ``depth: 0 Describes — "I listed three leaders" | 1 ...; action: not scored``.
    """
    parts = []
    scored = {c.id: c for c in rubric.for_step(step_id)}
    for crit in rubric.criteria:
        if crit.id not in scored:
            parts.append(f"{crit.id}: not scored in this step")
            continue
        levels = [f"{lv.points} {lv.label}" + (f' — "{lv.anchors[step_id]}"'
                                                 if step_id in lv.anchors else "")
                  for lv in scored[crit.id].levels]
        parts.append(f"{crit.id}: " + " | ".join(levels))
    return "; ".join(parts)


def export_csv(
    course_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    assignment: str | None = None,
) -> int:
    """One row per participant × reflection, pseudonymous, with a column per rubric criterion.

    Fill in levels (or a score) and a comment, then ``grade import``.

    Parameters
    ----------
    course_dir : str or PathLike
        The nbgrader course folder.
    out : str or PathLike
        The CSV file to write (UTF-8 with a byte-order mark, for Excel).
    assignment : str, optional
        The assignment; the course's default when omitted.

    Returns
    -------
    int
        The number of rows written.
    """
    queue = GradingQueue(course_dir, assignment)
    header = [*FIXED_COLUMNS, *(c.id for c in queue.rubric.criteria), *TAIL_COLUMNS]
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(header)
    guides = {q.notebook: rubric_guide(queue.rubric, q.notebook) for q in queue.questions}
    rows = 0
    for question in queue.questions:
        for a in queue.answers(question):
            score = "" if a.manual_score is None else f"{a.manual_score:g}"
            writer.writerow([guard_cell(v) for v in (
                a.pseudonym, question.notebook, question.cell, f"{a.max_score:g}",
                *(a.levels.get(c.id, "") for c in queue.rubric.criteria),
                score, a.comment, a.text, guides[question.notebook],
            )])
            rows += 1
    # UTF-8 with a byte-order mark so Excel shows accents and dashes correctly.
    write_text_atomic(out, "\ufeff" + buffer.getvalue())
    return rows


@dataclass
class ImportReport:
    """What an import did: grades saved, and rows left as they were because they were empty."""

    applied: int = 0
    unchanged_blank: int = 0

    def lines(self) -> list[str]:
        """The summary to print after an import.

        Returns
        -------
        list of str
            One sentence per line.
        """
        out = [f"Saved {self.applied} grades to the gradebook."]
        if self.unchanged_blank:
            out.append(f"{self.unchanged_blank} rows had no score or levels and were left as "
                       "they were.")
        return out


def _read_text(path: str | os.PathLike[str]) -> str:
    """The sheet's text; spreadsheets save UTF-8 with or without a byte-order mark."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"{path} cannot be read ({exc.strerror}).") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path} is not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8' and try again."
        ) from None


def import_csv(
    course_dir: str | os.PathLike[str],
    path: str | os.PathLike[str],
    assignment: str | None = None,
) -> ImportReport:
    """Apply a graded CSV from :func:`export_csv`.

    Every row is checked first, and if any is wrong nothing is saved and every problem is listed
    with its line number.

    Parameters
    ----------
    course_dir : str or PathLike
        The nbgrader course folder.
    path : str or PathLike
        The filled-in sheet.
    assignment : str, optional
        The assignment; the course's default when omitted.

    Returns
    -------
    ImportReport
        How many grades were saved and how many rows were left blank.

    Raises
    ------
    UserError
        When the file cannot be read, lacks a column, or any row has a problem.
    """
    queue = GradingQueue(course_dir, assignment)
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[str] = []
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise UserError(f"{path} is empty.") from None
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise UserError(f"{path}, line 1: missing column(s) {', '.join(missing)}; export a fresh "
                        "sheet with `mentor-workshop grade export`.")
    col = {name: i for i, name in enumerate(header)}
    criteria = [c for c in queue.rubric.criteria if c.id in col]
    answers = {(a.pseudonym, q.notebook, q.cell): a
               for q in queue.questions for a in queue.answers(q)}
    seen: dict[tuple[str, str, str], int] = {}
    items = []
    report = ImportReport()
    last = 1
    try:
        for cells in reader:
            line = last + 1
            last = reader.line_num
            if not any(c.strip() for c in cells):
                continue

            def get(name: str, cells: list[str] = cells) -> str:
                index = col.get(name)
                return unguard_cell(cells[index].strip()) if index is not None and index < len(
                    cells) else ""

            key = (get("pseudonym"), get("notebook"), get("cell"))
            answer = answers.get(key)
            where = f"line {line}"
            if answer is None:
                if not queue.has_pseudonym(key[0]):
                    problems.append(f"{where}: unknown pseudonym {key[0]!r}")
                else:
                    problems.append(f"{where}: {key[1]}/{key[2]} is not a reflection to grade")
                continue
            if key in seen:
                problems.append(f"{where}: {key[0]} {key[1]}/{key[2]} already appears on line "
                                f"{seen[key]}")
                continue
            seen[key] = line
            levels: dict[str, int] = {}
            bad = False
            scored = {c.id: c for c in queue.rubric.for_step(key[1])}
            for crit in criteria:
                value = get(crit.id)
                if value == "":
                    continue
                if crit.id not in scored:
                    problems.append(f"{where}: {crit.id} is not scored in {key[1]}; leave it "
                                    "empty")
                    bad = True
                    continue
                crit = scored[crit.id]
                allowed = [lv.points for lv in crit.levels]
                try:
                    number = float(value)
                except ValueError:
                    number = -1.0
                if not number.is_integer() or int(number) not in allowed:
                    problems.append(f"{where}: {crit.id} must be one of "
                                    f"{', '.join(map(str, allowed))}, not {value!r}")
                    bad = True
                    continue
                levels[crit.id] = int(number)
            if levels and not bad and len(levels) != len(scored):
                gaps = [c for c in scored if c not in levels]
                problems.append(f"{where}: fill in every rubric level or none (missing "
                                f"{', '.join(gaps)})")
                bad = True
            score_text = get("score")
            score: float | None = None
            if score_text:
                try:
                    score = float(score_text)
                except ValueError:
                    problems.append(f"{where}: score {score_text!r} is not a number")
                    continue
                if not 0 <= score <= answer.max_score:
                    problems.append(f"{where}: score {score_text} is out of range 0–"
                                    f"{answer.max_score:g}")
                    continue
            if bad:
                continue
            if levels:
                total = queue.score_for(answer.question, levels)
                if score is not None and abs(score - total) > 1e-9:
                    problems.append(f"{where}: score {score:g} does not match the levels, which "
                                    f"add up to {total:g}; fix one or clear the score")
                    continue
                score = total
            if score is None:
                report.unchanged_blank += 1
                continue
            items.append((answer, levels, score, get("comment")))
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: the CSV is malformed ({exc})")
    if problems:
        count = len(problems)
        raise UserError(
            f"{path}: {count} problem{'s' if count != 1 else ''}; nothing was saved:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    queue.grade_many(items)
    report.applied = len(items)
    return report
