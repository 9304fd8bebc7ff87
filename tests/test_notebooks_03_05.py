"""Notebooks 03–05 run top to bottom headlessly — empty journal, complete journal, and as
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
from test_checks_03_05 import COMPLETE, POINTS

pytestmark = pytest.mark.slow

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


@pytest.mark.parametrize("step_id", list(POINTS))
def test_runs_on_an_empty_journal(tmp_path: Path, step_id: str) -> None:
    nb = run_notebook(step_id, tmp_path)
    assert awarded(nb) == 0
    assert EMPTY_STATES[step_id] in widget_texts(nb)
    journal = tmp_path / "journal.json"
    if journal.exists():  # opening a notebook must not invent answers
        assert on_disk(journal) == {}


@pytest.mark.parametrize("step_id", list(POINTS))
def test_runs_on_a_complete_journal(tmp_path: Path, step_id: str) -> None:
    write_journal(tmp_path / "journal.json", COMPLETE)
    nb = run_notebook(step_id, tmp_path)
    assert awarded(nb) == POINTS[step_id]
    texts = widget_texts(nb)
    for expected in DRAWN[step_id]:
        assert expected in texts
    assert_kept(tmp_path / "journal.json", COMPLETE)


@pytest.mark.parametrize("step_id", list(POINTS))
def test_grading_run_shows_summaries_and_writes_nothing(
        tmp_path: Path, step_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    write_journal(tmp_path / "journal.json", COMPLETE)
    nb = run_graded(step_id, tmp_path, monkeypatch)
    assert awarded(nb) == POINTS[step_id]
    assert "mw-summary" in html_of(nb.cells)
