"""Notebook 11 runs top to bottom in a real kernel: empty, complete, while grading, by papermill."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest
from conftest import ROOT, awarded, cell, html_of, run_graded, run_notebook, write_journal
from conftest import ipc_kernel_manager as kernel_manager  # IPC: see conftest
from journals import ADA, POINTS, complete_answers

pytestmark = pytest.mark.slow  # every test here runs a notebook in a real kernel

STEP = "11_follow_up"


def test_11_with_an_empty_journal(tmp_path: Path) -> None:
    nb = run_notebook(STEP, tmp_path)
    assert awarded(nb) == 0
    show = cell(nb, "show_11_main")
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for o in show.outputs), "the exercise is displayed as a widget"


def test_11_while_grading_shows_the_summary_and_full_points(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_journal(tmp_path / "journal.json", complete_answers(), **ADA)
    nb = run_graded(STEP, tmp_path, monkeypatch)
    assert awarded(nb) == POINTS[STEP]
    summary = html_of([cell(nb, "show_11_main")])
    assert "Arrange a second meeting" in summary and "Yes, I asked" in summary


def test_11_through_papermill_with_parameters(tmp_path: Path) -> None:
    journal = tmp_path / "journals" / "p001.json"
    write_journal(journal, complete_answers())
    out = tmp_path / "p001_11.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / f"{STEP}.ipynb"), str(out),
        parameters={"journal_path": str(journal), "participant_id": ADA["pid"],
                    "participant_name": ADA["name"]},
        kernel_name="python3", cwd=str(tmp_path), progress_bar=False, km=kernel_manager(),
    )
    nb = nbformat.read(out, as_version=4)
    assert awarded(nb) == POINTS[STEP], "the hidden test read the journal papermill passed in"
    assert "Complete" in html_of([cell(nb, "selfcheck_11")])
