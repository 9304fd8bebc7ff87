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
from journals import POINTS, answers_for

pytestmark = pytest.mark.slow  # every test here runs a notebook in a real kernel

PART = ("03_request", "04_from_the_heart", "05_vulnerability_confidence")
#: A journal where steps 03–05 are complete, with the shortlist they draw on.
COMPLETE = answers_for(*PART)

#: Something each notebook must draw from the journal, proving the widgets read it (Katherine
#: Johnson is the first pick).
DRAWN = {
    "03_request": ("You are writing to", "Katherine Johnson"),
    "04_from_the_heart": ("You are writing about", "Katherine Johnson"),
    "05_vulnerability_confidence": ("Your request from notebook 03", "Tone meter"),
}
EMPTY_STATES = {
    "03_request": "You have not chosen a first person to approach yet",
    "04_from_the_heart": "No first pick yet",
    "05_vulnerability_confidence": "There is no request from notebook 03 yet",
}


@pytest.mark.parametrize("step_id", PART)
def test_runs_on_an_empty_journal(tmp_path: Path, step_id: str) -> None:
    nb = run_notebook(step_id, tmp_path)
    assert awarded(nb) == 0
    assert EMPTY_STATES[step_id] in widget_texts(nb)
    journal = tmp_path / "journal.json"
    if journal.exists():  # opening a notebook must not invent answers
        assert on_disk(journal) == {}


@pytest.mark.parametrize("step_id", PART)
def test_runs_on_a_complete_journal(tmp_path: Path, step_id: str) -> None:
    write_journal(tmp_path / "journal.json", COMPLETE)
    nb = run_notebook(step_id, tmp_path)
    assert awarded(nb) == POINTS[step_id]
    texts = widget_texts(nb)
    for expected in DRAWN[step_id]:
        assert expected in texts
    assert_kept(tmp_path / "journal.json", COMPLETE)


@pytest.mark.parametrize("step_id", PART)
def test_grading_run_shows_summaries_and_writes_nothing(
        tmp_path: Path, step_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    write_journal(tmp_path / "journal.json", COMPLETE)
    nb = run_graded(step_id, tmp_path, monkeypatch)
    assert awarded(nb) == POINTS[step_id]
    assert "mw-summary" in html_of(nb.cells)
