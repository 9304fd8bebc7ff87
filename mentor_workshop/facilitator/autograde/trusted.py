"""The score of each kit step, worked out in the grader's own process from the hand-in's journal.

Why: a test cell runs in the participant's kernel, after cells the participant wrote. Those
cells can replace the check function (the hidden test then returns nothing, and nbgrader gives
full points for a cell without output) or point ``journal_path`` at someone else's journal. So
for the kit's own steps the number nbgrader records is not the kernel's: the parent process runs
the same check (:func:`mentor_workshop.core.checks.grade`) on a private copy of the journal the
participant handed in, and puts that number in the test cell's output before nbgrader's
``SaveAutoGrades`` reads it. The kernel still runs the cell, so an error there still scores 0
exactly as in nbgrader, and the feedback page shows the participant the number that counted.
On an honest hand-in the kernel and the grader compute the same number, so the gradebook is
exactly what ``nbgrader autograde`` writes.

Which cells: a test cell whose source in the gradebook (the facilitator's own ``source/``
notebook, not the hand-in) calls ``grade("<step id>", ...)`` for a registered step.
"""

from __future__ import annotations

import contextlib
import math
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from mentor_workshop.core.journal_format import JOURNAL_FILENAME, MAX_JOURNAL_BYTES
from mentor_workshop.core.steps import STEPS

__all__ = ["kit_check_of", "score_from_journal"]

_GRADE_CALL = re.compile(r"""\bgrade\(\s*["']([0-9]{2}_[a-z0-9_]+)["']([^)]*)\)""")
_POINTS = re.compile(r"\bpoints\s*=\s*([0-9]+(?:\.[0-9]+)?)\s*(?:,|$)")


def kit_check_of(source: str, max_score: float) -> tuple[str, float] | None:
    """The kit step a test cell grades and the points its call asks for.

    The points are read from the call (``points=3``) because that is what the kernel computes
    with; a call without them gets :func:`~mentor_workshop.core.checks.grade`'s default of 1,
    and one whose points are not a plain number the gradebook's maximum.

    Parameters
    ----------
    source : str
        The test cell's source from the gradebook.
    max_score : float
        The cell's points in the gradebook.

    Returns
    -------
    tuple or None
        ``(step id, points)``, or None when the cell is not one of the kit's step checks.
    """
    match = _GRADE_CALL.search(source or "")
    if not match or match.group(1) not in STEPS:
        return None
    rest = match.group(2)
    if "points" not in rest:
        return match.group(1), 1.0
    number = _POINTS.search(rest.strip())
    return match.group(1), float(number.group(1)) if number else float(max_score)


def _trusted_points(step_id: str, journal: Path | None, points: float) -> float:
    from mentor_workshop.core.checks import grade  # deferred: loads the curriculum

    if journal is None:
        return 0.0
    try:
        return float(grade(step_id, journal, points=points))
    except Exception:  # a journal the check cannot read earns what the kernel would: nothing
        return 0.0


def _private_copy(submitted: Path, into: Path) -> Path | None:
    """The handed-in journal (and its backup) copied where no kernel can reach or change it."""
    found = None
    for name in (JOURNAL_FILENAME, f"{JOURNAL_FILENAME}.bak"):
        source = submitted / name
        with contextlib.suppress(OSError):
            if source.is_file() and not source.is_symlink() and \
                    source.stat().st_size <= MAX_JOURNAL_BYTES:
                shutil.copyfile(source, into / name)
                found = into / JOURNAL_FILENAME
    return found


def _number(output: Any) -> float | None:
    text = output.get("data", {}).get("text/plain")
    try:
        value = float("".join(text) if isinstance(text, list) else text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _scores_zero(outputs: list[Any]) -> bool:
    """nbgrader's rule: the first error or stderr output, unless a result came before it."""
    for output in outputs:
        kind = output.get("output_type")
        if kind == "error" or (kind == "stream" and output.get("name") == "stderr"):
            return True
        if kind == "execute_result":
            return False
    return False


def score_from_journal(nb: Any, checks: dict[str, tuple[str, float]], submitted: Path
                       ) -> list[str]:
    """Put the grader's own score into each kit test cell of an executed notebook.

    Each such cell keeps what nbgrader scores 0 (an error, anything on stderr, in the order it
    came); every number the kernel returned is replaced by the grader's, and a cell that
    returned nothing (a replaced check) gets the grader's number instead of nbgrader's full
    points.

    Parameters
    ----------
    nb
        The executed notebook (changed in place), before the gradebook-writing preprocessors.
    checks
        Grade id -> (step id, points) of the notebook's kit test cells.
    submitted
        The participant's ``submitted/`` folder: its ``journal.json`` is the one graded,
        whatever the notebook's variables say.

    Returns
    -------
    list of str
        One note per cell where the kernel's result differed from the journal's score.
    """
    from nbformat import NotebookNode  # deferred: see the package docstring

    cells = [c for c in nb.cells if c.get("cell_type") == "code" and
             c.get("metadata", {}).get("nbgrader", {}).get("grade_id") in checks]
    if not cells:
        return []
    notes = []
    with tempfile.TemporaryDirectory(prefix="mw-trusted-") as private:
        journal = _private_copy(submitted, Path(private))
        for cell in cells:
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            step_id, points = checks[grade_id]
            outputs = list(cell.get("outputs", []))
            if _scores_zero(outputs):
                continue  # nbgrader scores it 0 whatever the number: nothing to protect
            score = _trusted_points(step_id, journal, points)
            shown = NotebookNode(output_type="execute_result", metadata={},
                                 execution_count=cell.get("execution_count"),
                                 data={"text/plain": repr(score)})
            results = [i for i, o in enumerate(outputs) if o.get("output_type") ==
                       "execute_result"]
            claimed = _number(outputs[results[0]]) if results else None
            if results:
                outputs[results[0]] = shown
                outputs = [o for i, o in enumerate(outputs) if i not in results[1:]]
            else:
                outputs.append(shown)
            cell.outputs = outputs
            if claimed is None or abs(claimed - score) > 1e-9:
                said = "nothing" if claimed is None else f"{claimed:g}"
                notes.append(f"{grade_id} returned {said} in the notebook, but its journal "
                             f"earns {score:g}/{points:g}; the journal's score counts (was the "
                             "check replaced, or another journal used?)")
    return notes
