"""Notebooks 03–05 run top to bottom headlessly — empty journal, complete journal, and as
nbgrader grades them — without an error, and the hidden test cell awards the right points."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from test_checks_03_05 import COMPLETE, POINTS, write

ROOT = Path(__file__).resolve().parent.parent


def execute(step_id: str, folder: Path) -> nbformat.NotebookNode:
    src = folder / f"{step_id}.ipynb"
    shutil.copy(ROOT / "notebooks" / src.name, src)
    nb = nbformat.read(src, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def hidden_test(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if "### BEGIN HIDDEN TESTS" in c.source)


def assert_clean(nb: nbformat.NotebookNode) -> None:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", "\n".join(out.get("traceback", []))
    for out in hidden_test(nb).outputs:
        assert not (out["output_type"] == "stream" and out["name"] == "stderr"), out["text"]


def awarded(nb: nbformat.NotebookNode) -> float:
    results = [o for o in hidden_test(nb).outputs if o["output_type"] == "execute_result"]
    assert len(results) == 1
    return float(results[0]["data"]["text/plain"])


def widget_texts(nb: nbformat.NotebookNode) -> str:
    """Every widget's state as nbclient saved it: what a browser would have drawn."""
    state: dict[str, Any] = nb.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return json.dumps(state, ensure_ascii=False)


#: Something each notebook must draw from the journal, proving the widgets read it.
DRAWN = {
    "03_request": ("You are writing to", "Amara Osei"),
    "04_from_the_heart": ("You are writing about", "Amara Osei"),
    "05_vulnerability_confidence": ("Your request from notebook 03", "Tone meter"),
}
EMPTY_STATES = {
    "03_request": "You have not chosen a first person to approach yet",
    "04_from_the_heart": "No first pick yet",
    "05_vulnerability_confidence": "There is no request from notebook 03 yet",
}


@pytest.mark.slow
@pytest.mark.parametrize("step_id", list(POINTS))
def test_runs_on_an_empty_journal(tmp_path: Path, step_id: str) -> None:
    nb = execute(step_id, tmp_path)
    assert_clean(nb)
    assert awarded(nb) == 0
    assert EMPTY_STATES[step_id] in widget_texts(nb)
    journal = tmp_path / "journal.json"
    if journal.exists():  # opening a notebook must not invent answers
        assert json.loads(journal.read_text())["answers"] == {}


@pytest.mark.slow
@pytest.mark.parametrize("step_id", list(POINTS))
def test_runs_on_a_complete_journal(tmp_path: Path, step_id: str) -> None:
    write(tmp_path / "journal.json", COMPLETE)
    nb = execute(step_id, tmp_path)
    assert_clean(nb)
    assert awarded(nb) == POINTS[step_id]
    texts = widget_texts(nb)
    for expected in DRAWN[step_id]:
        assert expected in texts
    saved = json.loads((tmp_path / "journal.json").read_text())["answers"]
    for key, value in COMPLETE.items():
        assert saved[key] == value, f"running the notebook changed {key}"


@pytest.mark.slow
@pytest.mark.parametrize("step_id", list(POINTS))
def test_grading_run_shows_summaries_and_writes_nothing(
        tmp_path: Path, step_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = tmp_path / "journal.json"
    write(journal, COMPLETE)
    before = journal.read_bytes()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    nb = execute(step_id, tmp_path)
    assert_clean(nb)
    assert awarded(nb) == POINTS[step_id]
    assert journal.read_bytes() == before
    shown = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells
                    for o in c.get("outputs", []))
    assert "mw-summary" in shown
