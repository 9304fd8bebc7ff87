"""Notebooks 09 and 10 run top to bottom in a real kernel: empty, complete and while grading."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
import pytest
from conftest import ROOT, awarded, cell, html_of, run_graded, run_notebook, write_journal
from conftest import ipc_kernel_manager as kernel_manager  # IPC: see conftest
from journals import ADA, POINTS, complete_answers

pytestmark = pytest.mark.slow  # every test here runs a notebook in a real kernel

PLAN_FILES = ("my_plan.md", "my_plan.html", "my_plan.ics")


def stdout(c: nbformat.NotebookNode) -> str:
    return "".join(o.text for o in c.outputs if o.output_type == "stream" and o.name == "stdout")


def test_09_with_an_empty_journal(tmp_path: Path) -> None:
    nb = run_notebook("09_lead_from_within", tmp_path)
    assert awarded(nb) == 0
    show = cell(nb, "show_09_main")
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for o in show.outputs), "the exercise is displayed as a widget"


def test_09_with_a_complete_journal(tmp_path: Path) -> None:
    write_journal(tmp_path / "journal.json", complete_answers(), **ADA)
    nb = run_notebook("09_lead_from_within", tmp_path)
    assert awarded(nb) == POINTS["09_lead_from_within"]


def test_10_with_an_empty_journal_writes_a_partial_plan(tmp_path: Path) -> None:
    nb = run_notebook("10_my_plan", tmp_path)
    assert awarded(nb) == 0
    printed = stdout(cell(nb, "export_10"))
    assert "my_plan.md" in printed and "my_plan.html" in printed and "my_plan.ics" not in printed
    assert "Not yet written" in (tmp_path / "my_plan.md").read_text(encoding="utf-8")
    assert not (tmp_path / "my_plan.ics").exists()


def test_10_with_a_complete_journal_writes_the_whole_plan(tmp_path: Path) -> None:
    write_journal(tmp_path / "journal.json", complete_answers(), **ADA)
    nb = run_notebook("10_my_plan", tmp_path)
    assert awarded(nb) == POINTS["10_my_plan"]
    printed = stdout(cell(nb, "export_10"))
    for name in PLAN_FILES:
        assert (tmp_path / name).is_file() and name in printed
    assert "Every part of the plan is written." in (tmp_path / "my_plan.md").read_text("utf-8")


def test_10_while_grading_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_journal(tmp_path / "journal.json", complete_answers(), **ADA)
    before = sorted(p.name for p in tmp_path.iterdir())
    nb = run_graded("10_my_plan", tmp_path, monkeypatch)
    assert awarded(nb) == POINTS["10_my_plan"]
    assert "Grading run" in stdout(cell(nb, "export_10"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "10_my_plan.ipynb"])
    summary = html_of([cell(nb, "show_10_main")])
    assert "My shortlist and first pick" in summary, "graders see a read-only summary"


def test_10_through_papermill_writes_into_out_dir(tmp_path: Path) -> None:
    journal = tmp_path / "journals" / "p001.json"
    write_journal(journal, complete_answers())
    out_dir = tmp_path / "plans" / "p001"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "10_my_plan.ipynb"), str(tmp_path / "p001_10.ipynb"),
        parameters={"journal_path": str(journal), "out_dir": str(out_dir),
                    "participant_id": ADA["pid"], "participant_name": ADA["name"]},
        kernel_name="python3", cwd=str(tmp_path), progress_bar=False, km=kernel_manager(),
    )
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(PLAN_FILES)
    assert f"**{ADA['name']}**" in (out_dir / "my_plan.md").read_text(encoding="utf-8")
    assert not (tmp_path / "my_plan.md").exists()
