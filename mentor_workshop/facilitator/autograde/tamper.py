"""What a participant changed that they should not have: edited, duplicated or deleted cells.

Why the kit looks: nbgrader silently puts an edited locked or test cell back before grading and
scores a deleted graded cell 0 (or puts it back), so neither the facilitator nor the participant
learns that the notebook was not what was handed out. The parent works out once per assignment,
from the gradebook, what each locked cell must look like (:func:`expectations`); the worker
compares each submitted notebook with it (:func:`tamper_notes`) before grading it.

Code the participant added or changed *before* a locked cell is reported too: it runs before
the locked cells and the test, so it is where a check would be replaced or ``journal_path``
pointed at someone else's journal. The scores no longer depend on it (:mod:`.trusted`), but a
facilitator should know. The parameters cell may hold only the released parameters, as plain
values, and ``journal_path`` only the journal beside the notebook.

nbgrader is imported inside the functions: the pre-warmed kernels fork from a process that
imports this package (see :mod:`mentor_workshop.facilitator.warm`).
"""

from __future__ import annotations

import ast
import contextlib
import json
from pathlib import Path
from typing import Any

from traitlets.config import Config

from mentor_workshop.core.journal_format import JOURNAL_FILENAME
from mentor_workshop.facilitator.autograde.trusted import kit_check_of

__all__ = ["expectations", "tamper_notes"]

_PARAMETER_TAGS = {"parameters", "injected-parameters"}


def _released_code(release: Path | None, notebook: str) -> tuple[set[str], set[str]]:
    """The unmarked code cells of the released notebook, and the names its parameters set."""
    if release is None:
        return set(), set()
    try:
        cells = json.loads((release / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return set(), set()
    code: set[str] = set()
    names: set[str] = set()
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _text(cell.get("source", ""))
        if set(cell.get("metadata", {}).get("tags", [])) & _PARAMETER_TAGS:
            names |= _assigned(source) or set()
        elif not cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"):
            code.add(source.strip())
    return code, names


def _text(source: Any) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def _assigned(source: str) -> set[str] | None:
    """Names a parameters cell sets, or None when it does more than set names to plain values."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names = set()
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and all(isinstance(t, ast.Name) for t in node.targets)):
            return None
        for target in node.targets:
            if target.id == "journal_path" and node.value.value != JOURNAL_FILENAME:
                return None
            names.add(target.id)
    return names


def expectations(gb: Any, assignment: str, config: Config, release: Path | None = None
                 ) -> dict[str, dict[str, Any]]:
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
    release
        The assignment's released folder, to know the cells a participant was given; None
        to skip the added-or-changed-code check.

    Returns
    -------
    dict
        Notebook id -> ``{"cells": {grade_id: {"locked", "grade", "checksums"}}, "graded":
        [grade ids], "checks": {grade_id: (step id, points)}, "code": [released unmarked code],
        "parameters": [parameter names]}``.
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
        checks: dict[str, tuple[str, float]] = {}
        for src in notebook.source_cells:
            kit = kit_check_of(src.source, grade[src.name]) \
                if src.name in grade and src.name not in solution else None
            if kit is not None and src.cell_type == "code":
                checks[src.name] = kit
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
        code, parameters = _released_code(release, notebook.name)
        out[notebook.name] = {"cells": cells, "graded": sorted(grade), "checks": checks,
                              "code": sorted(code), "parameters": sorted(parameters),
                              "compare_code": release is not None}
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
    notes += _code_before_locked(nb, expected)
    add_missing = config.get("OverwriteCells", {}).get("add_missing_cells", False)
    for grade_id in expected["graded"]:
        if grade_id not in seen:
            notes.append(
                f"the graded cell {grade_id} was deleted; "
                + ("it was put back and graded" if add_missing else
                   "it cannot be graded (add_missing_cells is off)")
            )
    return notes


def _code_before_locked(nb: Any, expected: dict[str, Any]) -> list[str]:
    """A note per code cell, added or changed by the participant, that runs before a locked
    cell; answer cells (unlocked graded or solution cells) are theirs to change."""
    if not expected.get("compare_code"):
        return []
    released = set(expected.get("code", []))
    parameters = set(expected.get("parameters", []))
    locked = [i for i, cell in enumerate(nb.cells) if expected["cells"].get(
        cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"), {}).get("locked")]
    if not locked:
        return []
    notes = []
    for index, cell in enumerate(nb.cells[:locked[-1]]):
        meta = cell.get("metadata", {})
        grade_id = meta.get("nbgrader", {}).get("grade_id")
        if cell.get("cell_type") != "code" or grade_id in expected["cells"]:
            continue
        source = _text(cell.get("source", "")).strip()
        if set(meta.get("tags", [])) & _PARAMETER_TAGS:
            names = _assigned(source)
            if names is None or not names <= (parameters or names):
                notes.append(f"the parameters cell (cell {index + 1}) was changed to run more "
                             "than the parameters, or to read another journal; scores come "
                             f"from the handed-in {JOURNAL_FILENAME} regardless")
            continue
        if source and source not in released:
            first = source.splitlines()[0][:60]
            notes.append(f"cell {index + 1} is code the participant added or changed, and it "
                         f"runs before locked cells ({first!r}); check what it does")
    return notes
