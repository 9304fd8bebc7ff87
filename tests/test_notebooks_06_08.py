"""Notebooks 06-08 run top to bottom in a real kernel: empty journal, complete, and grading."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import awarded, cell, cells, html_of, run_graded, run_notebook, stderr, write_journal
from journals import POINTS, answers_for

pytestmark = pytest.mark.slow  # every test here runs a notebook in a real kernel

STEPS = {"06_be_gracious": "06", "07_rejection": "07", "08_two_way": "08"}
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("step_id", list(STEPS))
def test_with_an_empty_journal(step_id: str, tmp_path: Path) -> None:
    nb = run_notebook(step_id, tmp_path)
    assert stderr(nb) == []
    assert awarded(nb) == 0
    shows = cells(nb, f"show_{STEPS[step_id]}_")
    assert len(shows) >= 2
    for show in shows:
        assert any(WIDGET in o.get("data", {}) for o in show.outputs), show.source


@pytest.mark.parametrize("step_id", list(STEPS))
def test_with_a_complete_journal(step_id: str, tmp_path: Path) -> None:
    write_journal(tmp_path / "journal.json", answers_for(*STEPS))
    nb = run_notebook(step_id, tmp_path)
    assert stderr(nb) == []
    assert awarded(nb) == POINTS[step_id]
    assert "Complete" in html_of([cell(nb, f"selfcheck_{STEPS[step_id]}")])


def test_while_grading_shows_summaries_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_journal(tmp_path / "journal.json", answers_for(*STEPS))
    nb = run_graded("06_be_gracious", tmp_path, monkeypatch)
    assert awarded(nb) == POINTS["06_be_gracious"]
    assert not (tmp_path / "first_meeting.ics").exists()
    shown = cells(nb, "show_06_")
    html = html_of(shown)
    assert "Thursday 28 March 2030" in html and "Friendship 7" in html
    assert not any(WIDGET in o.get("data", {}) for c in shown for o in c.outputs)
