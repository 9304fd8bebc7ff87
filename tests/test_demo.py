"""`mentor-workshop demo`: the main job, end to end, on a slice of the sample cohort."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from mentor_workshop.cli import main
from mentor_workshop.core.resources import exercises_dir, notebooks_dir
from mentor_workshop.facilitator import demo

COHORT = exercises_dir() / "sample_cohort"


def test_refuses_to_wipe_a_folder_it_did_not_make(tmp_path: Path, capsys) -> None:
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("important")
    assert main(["demo", "--out", str(keep)]) == 2
    assert "was not made by the demo" in capsys.readouterr().err
    assert (keep / "notes.txt").read_text() == "important"


def test_submissions_carry_reflections_and_one_damaged_journal(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    demo.build_inbox(notebooks_dir(), COHORT, inbox, ["p01", "p11", "p12"])
    assert (inbox / "p01").is_dir() and (inbox / "p11.zip").is_file()
    nb = nbformat.reads((inbox / "p01" / "03_request.ipynb").read_text(), as_version=4)
    answer = next(c for c in nb.cells
                  if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution"))
    typed = yaml.safe_load((COHORT / "reflections/p01.yaml").read_text())["03_request"]
    assert answer.source == typed
    json.loads((inbox / "p01" / "journal.json").read_text())
    with zipfile.ZipFile(inbox / "p11.zip") as zf, pytest.raises(json.JSONDecodeError):
        json.loads(zf.read("mentor_workshop/journal.json"))


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path: Path, capsys) -> None:
    out = tmp_path / "demo"
    result = demo.run(out, workers=2, personalize=1, participants=["p01", "p11", "p12"],
                      command=main)
    demo.print_outputs(result)
    printed = capsys.readouterr().out
    assert "Where everything is" in printed
    # every stage left its output
    assert (out / "personalized" / "p01" / "01_shortlist.ipynb").is_file()
    assert (out / "plans" / "p01" / "my_plan.html").is_file()
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in report.lower()
    # the outcome funnel from the sample cohort's follow-ups (p01 asked, heard yes and met)
    assert "After the workshop: real asks" in report and "Held a first meeting" in report
    with (out / "grades.csv").open(encoding="utf-8-sig") as f:
        grades = {row["participant_id"]: row for row in csv.DictReader(f)}
    assert set(grades) == {"p01", "p11", "p12"}
    # p01's reflections were graded from the sample sheet, so the total includes manual points
    assert float(grades["p01"]["score"]) > 30
    assert float(grades["p12"]["score"]) == 0
    feedback = list((out / "course" / "feedback").rglob("*.html"))
    assert feedback, "feedback HTML was generated"
    # the broken submission is reported, not fatal; the strong participant scores full marks
    assert "journal.json is damaged" in printed
    assert "p01" in printed and "32/" in printed  # every check point of the 12 notebooks
