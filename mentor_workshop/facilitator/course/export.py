"""Everyone's scores as one CSV file, for a spreadsheet or a certificate mail-merge.

Why its own export rather than formgrader's: the kit's workshop is one assignment of many step
notebooks, and a facilitator wants per-step columns, with the autograded exercise (``_check``)
apart from the rubric-graded reflection (``_reflection``, empty until a person graded it).
Participants' names are text they typed, so every cell goes through the CSV formula guard.
"""

from __future__ import annotations

import io
import os
from typing import Any

from mentor_workshop.core import curriculum
from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.core.safe_csv import dict_writer, guard_cell
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.course.config import open_course

__all__ = ["export_grades"]


def export_grades(
    course_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    assignment: str | None = None,
) -> int:
    """One CSV row per participant: identity, total, and per-step check and reflection scores.

    Steps are named by notebook; ``_check`` is the autograded exercise and ``_reflection`` the
    rubric score (empty until graded). A private reflection (step 07's, unless the course grades
    them) reads "private" and counts neither in ``max_score`` nor in ``needs_manual_grade``.

    Parameters
    ----------
    course_dir : str or path-like
        The course folder.
    out : str or path-like
        The CSV file to write (replaced in one step).
    assignment : str, optional
        The assignment (default: the course's only one, or the kit's).

    Returns
    -------
    int
        The number of participants written.

    Raises
    ------
    UserError
        The gradebook has no such assignment.
    """
    course = open_course(course_dir)
    assignment = course.pick_assignment(assignment)
    rubric = curriculum.load().rubric
    private = set() if course.grades_private_reflections else {
        step for step in rubric.steps if rubric.is_private(step)}
    with course.gradebook() as gb:
        try:
            record = gb.find_assignment(assignment)
        except Exception:
            raise UserError(f"The gradebook has no assignment {assignment!r}; release it first.") \
                from None
        notebooks = sorted(nb.name for nb in record.notebooks)
        manual = {(nb.name, c.name) for nb in record.notebooks for c in nb.solution_cells}
        header = ["participant_id", "last_name", "first_name", "email", "assignment",
                  "submitted_at", "score", "max_score", "needs_manual_grade"]
        for name in notebooks:
            header += [f"{name}_check", f"{name}_reflection"]
        rows = []
        for student in sorted(gb.students, key=lambda s: s.id):
            row: dict[str, Any] = {
                "participant_id": student.id, "last_name": student.last_name or "",
                "first_name": student.first_name or "", "email": student.email or "",
                "assignment": assignment,
            }
            try:
                sub = gb.find_submission(assignment, student.id)
            except Exception:
                sub = None
            if sub is not None:
                hidden = [g for nb in sub.notebooks if nb.name in private for g in nb.grades
                          if (nb.name, g.name) in manual]
                pending = any(g.needs_manual_grade for nb in sub.notebooks for g in nb.grades
                              if not any(g is h for h in hidden))
                row.update(submitted_at=sub.timestamp.isoformat() if sub.timestamp else "",
                           score=round(sub.score - sum(g.score or 0 for g in hidden), 2),
                           max_score=sub.max_score - sum(g.max_score for g in hidden),
                           needs_manual_grade=pending)
                for nb in sub.notebooks:
                    auto = [g for g in nb.grades if (nb.name, g.name) not in manual]
                    rubric = [g for g in nb.grades if (nb.name, g.name) in manual]
                    if nb.name in private and rubric:
                        row[f"{nb.name}_check"] = round(sum(g.score for g in auto), 2)
                        row[f"{nb.name}_reflection"] = "private"
                        continue
                    row[f"{nb.name}_check"] = round(sum(g.score for g in auto), 2)
                    graded = all(g.manual_score is not None or g.auto_score is not None
                                 for g in rubric)
                    row[f"{nb.name}_reflection"] = (
                        round(sum(g.score for g in rubric), 2) if rubric and graded else "")
            else:
                row["max_score"] = record.max_score - sum(
                    c.max_score for nb in record.notebooks if nb.name in private
                    for c in nb.grade_cells if (nb.name, c.name) in manual)
            rows.append(row)
    buffer = io.StringIO()
    writer = dict_writer(buffer, header)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: guard_cell(v) for k, v in row.items()})
    write_text_atomic(out, buffer.getvalue())
    return len(rows)
