"""Notebooks 06-08 run top to bottom in a real kernel: empty journal, complete, and grading."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from test_checks_06_08 import complete_answers, write

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

STEPS = {"06_be_gracious": "06", "07_rejection": "07", "08_two_way": "08"}
WIDGET = "application/vnd.jupyter.widget-view+json"


def execute(step_id: str, folder: Path) -> nbformat.NotebookNode:
    source = folder / f"{step_id}.ipynb"
    shutil.copy(ROOT / "notebooks" / f"{step_id}.ipynb", source)
    nb = nbformat.read(source, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    client.execute()
    return nb


def errors(nb: nbformat.NotebookNode) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells if c.cell_type == "code"
            for o in c.outputs if o.output_type == "error"]


def stderr(nb: nbformat.NotebookNode) -> list[str]:
    return [o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "stream" and o.name == "stderr"]


def by_id(nb: nbformat.NotebookNode, prefix: str) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith(prefix)]


def graded(nb: nbformat.NotebookNode, number: str) -> str:
    [test] = by_id(nb, f"test_{number}")
    assert not [o for o in test.outputs if o.output_type == "stream" and o.name == "stderr"], \
        "the graded cell must write nothing to stderr"
    results = [o for o in test.outputs if o.output_type == "execute_result"]
    assert len(results) == 1
    return results[0].data["text/plain"]


@pytest.mark.parametrize("step_id", list(STEPS))
def test_with_an_empty_journal(step_id: str, tmp_path: Path) -> None:
    nb = execute(step_id, tmp_path)
    assert errors(nb) == [] and stderr(nb) == []
    assert graded(nb, STEPS[step_id]) == "0.0"
    shows = by_id(nb, f"show_{STEPS[step_id]}_")
    assert len(shows) >= 2
    for show in shows:
        assert any(WIDGET in o.get("data", {}) for o in show.outputs), show.source


@pytest.mark.parametrize("step_id", list(STEPS))
def test_with_a_complete_journal(step_id: str, tmp_path: Path) -> None:
    write(tmp_path / "journal.json", complete_answers())
    nb = execute(step_id, tmp_path)
    assert errors(nb) == [] and stderr(nb) == []
    assert graded(nb, STEPS[step_id]) == "3.0"
    [selfcheck] = by_id(nb, f"selfcheck_{STEPS[step_id]}")
    assert "Complete" in "".join(o.get("data", {}).get("text/html", "")
                                 for o in selfcheck.outputs)


def test_while_grading_shows_summaries_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = write(tmp_path / "journal.json", complete_answers())
    before = journal.read_bytes()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # the kernel inherits it
    nb = execute("06_be_gracious", tmp_path)
    assert errors(nb) == []
    assert graded(nb, "06") == "3.0"
    assert journal.read_bytes() == before
    assert not (tmp_path / "first_meeting.ics").exists()
    html = "".join(o.get("data", {}).get("text/html", "") for c in by_id(nb, "show_06_")
                   for o in c.outputs)
    assert "Thursday 28 March 2030" in html and "Friendship 7" in html
    assert not any(WIDGET in o.get("data", {}) for c in by_id(nb, "show_06_")
                   for o in c.outputs)
