"""What a participant changed that they should not have: edited, duplicated or deleted cells.

Why the kit looks: nbgrader silently puts an edited locked or test cell back before grading and
scores a deleted graded cell 0 (or puts it back), so neither the facilitator nor the participant
learns that the notebook was not what was handed out. The parent works out once per assignment,
from the gradebook, what each locked cell must look like (:func:`expectations`); the worker
compares each submitted notebook with it (:func:`tamper_notes`) before grading it.

nbgrader is imported inside the functions: the pre-warmed kernels fork from a process that
imports this package (see :mod:`mentor_workshop.facilitator.warm`).
"""

from __future__ import annotations

import contextlib
from typing import Any

from traitlets.config import Config

__all__ = ["expectations", "tamper_notes"]


def expectations(gb: Any, assignment: str, config: Config) -> dict[str, dict[str, Any]]:
    """Per notebook, what each locked cell must look like: the checksum nbgrader stored for the
    source and the one of the released version (hidden tests removed).

    Parameters
    ----------
    gb
        An open nbgrader ``Gradebook``.
    assignment
        The assignment whose notebooks to describe.
    config
        The course's config (for the hidden-test markers).

    Returns
    -------
    dict
        Notebook id -> ``{"cells": {grade_id: {"locked", "grade", "checksums"}}, "graded":
        [grade ids]}``.
    """
    # deferred: see the module docstring
    from nbformat import NotebookNode
    from nbgrader import utils
    from nbgrader.preprocessors import ClearHiddenTests

    clearer = ClearHiddenTests(config=config, enforce_metadata=False)
    out: dict[str, dict[str, Any]] = {}
    for notebook in gb.find_assignment(assignment).notebooks:
        grade = {c.name: c.max_score for c in notebook.grade_cells}
        solution = {c.name for c in notebook.solution_cells}
        cells: dict[str, dict[str, Any]] = {}
        for src in notebook.source_cells:
            meta = {"grade": src.name in grade, "solution": src.name in solution,
                    "locked": bool(src.locked), "grade_id": src.name}
            if src.name in grade:
                meta["points"] = grade[src.name]
            cell = NotebookNode(cell_type=src.cell_type, source=src.source,
                                metadata=NotebookNode(nbgrader=NotebookNode(meta)))
            checksums = {src.checksum}
            clearer._remove_hidden_test_region(cell)
            with contextlib.suppress(KeyError, ValueError, TypeError):
                checksums.add(utils.compute_checksum(cell))
            cells[src.name] = {"locked": bool(src.locked), "grade": src.name in grade,
                               "checksums": checksums}
        out[notebook.name] = {"cells": cells, "graded": sorted(grade)}
    return out



def tamper_notes(nb: Any, expected: dict[str, Any], config: Config) -> list[str]:
    """What the participant changed that they should not have, found with nbgrader checksums.

    Parameters
    ----------
    nb
        The notebook as handed in (before nbgrader puts locked cells back).
    expected
        The notebook's entry of :func:`expectations` (empty: nothing to compare).
    config
        The course's config (is ``OverwriteCells.add_missing_cells`` on?).

    Returns
    -------
    list of str
        One note per edited locked or test cell, duplicated cell and deleted graded cell.
    """
    from nbgrader import utils  # deferred: see the module docstring

    if not expected:
        return []
    notes = []
    seen: dict[str, int] = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if not grade_id:
            continue
        seen[grade_id] = seen.get(grade_id, 0) + 1
        want = expected["cells"].get(grade_id)
        if want is None or not want["locked"]:
            continue
        try:
            checksum = utils.compute_checksum(cell)
        except (KeyError, ValueError, TypeError):
            checksum = None
        if checksum not in want["checksums"]:
            kind = "test cell" if want["grade"] else "locked cell"
            notes.append(f"the {kind} {grade_id} was edited; the original was put back before "
                         "grading")
    for grade_id, count in sorted(seen.items()):
        if count > 1 and grade_id in expected["cells"]:
            notes.append(f"the cell {grade_id} appears {count} times; only the last copy counts")
    add_missing = config.get("OverwriteCells", {}).get("add_missing_cells", False)
    for grade_id in expected["graded"]:
        if grade_id not in seen:
            notes.append(
                f"the graded cell {grade_id} was deleted; "
                + ("it was put back and graded" if add_missing else
                   "it cannot be graded (add_missing_cells is off)")
            )
    return notes
