"""Notebooks 00–02 run top to bottom headlessly — empty journal, complete journal, and as
nbgrader grades them — without an error, and the hidden test cell awards the right points."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import (
    assert_kept,
    awarded,
    html_of,
    on_disk,
    run_graded,
    run_notebook,
    widget_texts,
    write_journal,
)
from journals import POINTS, answers_for

pytestmark = pytest.mark.slow  # every test here runs a notebook in a real kernel

PART = ("00_welcome", "01_shortlist", "02_assumptions")
#: A journal where steps 00–02 are complete.
COMPLETE = answers_for(*PART)


@pytest.mark.parametrize("step_id", PART)
def test_runs_on_an_empty_journal(tmp_path: Path, step_id: str) -> None:
    nb = run_notebook(step_id, tmp_path)
    assert awarded(nb) == 0
    if step_id == "00_welcome":
        texts = widget_texts(nb)
        # the setup check ran for real; headless, the browser line waits rather than failing
        assert "7 of 8 checks PASS; 1 still waiting for your browser" in texts
        assert "waiting for the browser to draw this" in texts
        assert "FAIL</strong>" not in texts
        assert "welcome.setup_check" in on_disk(tmp_path / "journal.json")


@pytest.mark.parametrize("step_id", PART)
def test_runs_on_a_complete_journal(tmp_path: Path, step_id: str) -> None:
    write_journal(tmp_path / "journal.json", COMPLETE)
    nb = run_notebook(step_id, tmp_path)
    assert awarded(nb) == POINTS[step_id]
    assert_kept(tmp_path / "journal.json", COMPLETE)


@pytest.mark.parametrize("step_id", PART)
def test_grading_run_shows_summaries_and_writes_nothing(
        tmp_path: Path, step_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    write_journal(tmp_path / "journal.json", COMPLETE)
    nb = run_graded(step_id, tmp_path, monkeypatch)
    assert awarded(nb) == POINTS[step_id]
    assert "mw-summary" in html_of(nb.cells)
