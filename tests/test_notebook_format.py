"""Committed notebooks are clean nbgrader sources with the shared frame every step needs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator, ValidationError

ROOT = Path(__file__).resolve().parent.parent
STEP_NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ALL_NOTEBOOKS = STEP_NOTEBOOKS + sorted((ROOT / "facilitator").glob("*.ipynb"))


def _nbgrader_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if "nbgrader" in c.metadata]


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: a cell carries outputs"
            assert cell["execution_count"] is None, f"{path.name}: a cell carries a count"
    nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))


@pytest.mark.parametrize("path", STEP_NOTEBOOKS, ids=lambda p: p.name)
def test_valid_nbgrader_metadata(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    try:
        MetadataValidator().validate_nb(nb)
    except ValidationError as exc:  # pragma: no cover - the message is the point
        pytest.fail(f"{path.name}: {exc}")
    ids = [c.metadata.nbgrader["grade_id"] for c in _nbgrader_cells(nb)]
    assert len(ids) == len(set(ids)), f"{path.name}: duplicate grade ids"


@pytest.mark.parametrize("path", STEP_NOTEBOOKS, ids=lambda p: p.name)
def test_step_frame(path: Path) -> None:
    step_id = path.stem
    nb = nbformat.read(path, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, "exactly one papermill parameters cell"
    for name in ("participant_id", "participant_name", "journal_path"):
        assert f"{name} =" in params[0].source
    manual = [c for c in _nbgrader_cells(nb)
              if c.cell_type == "markdown" and c.metadata.nbgrader.get("solution")]
    assert len(manual) == 1, "one reflection (manually graded answer) cell"
    assert manual[0].metadata.nbgrader["points"] == 7
    tests = [c for c in _nbgrader_cells(nb)
             if c.cell_type == "code" and c.metadata.nbgrader.get("grade")
             and not c.metadata.nbgrader.get("solution")]
    assert len(tests) == 1, "one autograded test cell"
    src = tests[0].source
    assert "### BEGIN HIDDEN TESTS" in src and "### END HIDDEN TESTS" in src
    assert f'grade("{step_id}"' in src
    assert tests[0].metadata.nbgrader["locked"] is True
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert f'mw.intro("{step_id}"' in code
    assert f'mw.check("{step_id}")' in code
    assert f'mw.reflection("{step_id}")' in code


def test_every_step_notebook_exists() -> None:
    from mentor_workshop.core import curriculum

    expected = {s.notebook for s in curriculum.load().steps}
    assert {p.name for p in STEP_NOTEBOOKS} == expected
