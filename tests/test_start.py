"""``mentor-workshop start``: a learner's own folder, laid out, reopened and updated safely."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import errors, write_journal
from courses import cli

from mentor_workshop.core.journal import JOURNAL_FILENAME
from mentor_workshop.participant import start as start_pkg
from mentor_workshop.participant.start import lab, layout

ROOT = Path(__file__).resolve().parent.parent
STEPS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _start(folder: Path, *extra: str) -> str:
    result = cli(["start", str(folder), "--print-command", *extra])
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_lays_out_every_step_notebook_and_an_empty_journal(tmp_path: Path) -> None:
    folder = tmp_path / "my workshop"
    out = _start(folder, "--no-browser")
    assert sorted(p.name for p in folder.glob("*.ipynb")) == STEPS
    journal = json.loads((folder / JOURNAL_FILENAME).read_text())
    assert journal["answers"] == {}
    assert f"Copied {len(STEPS)} step notebooks" in out
    # the printed command serves the folder, opens the welcome notebook, and no browser
    command = out.strip().splitlines()[-1]
    assert "jupyterlab" in command and "--no-browser" in command
    assert "default_url=/lab/tree/00_welcome.ipynb" in command and str(folder) in command


def test_the_learner_copy_has_no_hidden_tests_but_keeps_the_cells(tmp_path: Path) -> None:
    _start(tmp_path / "w")
    for name in STEPS:
        text = (tmp_path / "w" / name).read_text()
        assert "HIDDEN TESTS" not in text and "grade(" not in text, name
        mine = nbformat.read(tmp_path / "w" / name, as_version=4)
        source = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        # every cell, with its nbgrader id, is still there, so a facilitator can grade it
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in mine.cells]
        assert ids == [c.metadata.get("nbgrader", {}).get("grade_id") for c in source.cells]


def test_second_run_keeps_every_answer_and_changed_notebooks(tmp_path: Path) -> None:
    folder = tmp_path / "w"
    _start(folder)
    journal = folder / JOURNAL_FILENAME
    write_journal(journal, {"welcome.path": "solo", "request.draft": "Hello, I'm Priya."})
    before = journal.read_bytes()
    # the learner writes their reflection in 03 (a notebook change) and only runs 01
    nb = nbformat.read(folder / "03_request.ipynb", as_version=4)
    reflection = next(c for c in nb.cells
                      if c.metadata.get("nbgrader", {}).get("grade_id") == "reflection_03")
    reflection.source = "My reflection: asking felt easier once I named the time."
    nbformat.write(nb, folder / "03_request.ipynb")
    ran = nbformat.read(folder / "01_shortlist.ipynb", as_version=4)
    ran.cells[2].outputs = [nbformat.v4.new_output("stream", text="ran\n")]
    nbformat.write(ran, folder / "01_shortlist.ipynb")

    out = _start(folder)
    assert journal.read_bytes() == before
    assert "were not touched" in out
    assert "Left alone because you changed them" in out and "03_request.ipynb" in out
    assert "01_shortlist.ipynb" not in out  # running a notebook is not a change to protect
    assert "My reflection: asking felt easier" in (folder / "03_request.ipynb").read_text()


def test_newer_kit_updates_only_untouched_notebooks(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "w"
    _start(folder)
    nb = nbformat.read(folder / "04_from_the_heart.ipynb", as_version=4)
    nb.cells[0].source += "\n\nMy own note."
    nbformat.write(nb, folder / "04_from_the_heart.ipynb")
    (folder / "02_assumptions.ipynb").unlink()  # deleted by the learner: brought back

    kit = tmp_path / "newer-kit"
    kit.mkdir()
    for name in STEPS:
        book = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        book.cells[0].source += "\n\nNew in this version."
        nbformat.write(book, kit / name)
    book = nbformat.read(ROOT / "notebooks" / "00_welcome.ipynb", as_version=4)
    nbformat.write(book, kit / "99_extra.ipynb")  # a step the old kit did not have
    monkeypatch.setattr(layout.resources, "notebooks_dir", lambda: kit)

    result = layout.lay_out(folder)
    assert result.kept == ["04_from_the_heart.ipynb"]
    assert "02_assumptions.ipynb" in result.copied and "99_extra.ipynb" in result.copied
    assert "00_welcome.ipynb" in result.updated and len(result.updated) == len(STEPS) - 2
    assert "New in this version." in (folder / "00_welcome.ipynb").read_text()
    kept = (folder / "04_from_the_heart.ipynb").read_text()
    assert "My own note." in kept and "New in this version." not in kept
    assert "04_from_the_heart.ipynb" in result.summary()
    # a third run with the same kit changes nothing more
    again = layout.lay_out(folder)
    assert again.updated == [] and again.copied == [] and again.kept == ["04_from_the_heart.ipynb"]


def test_a_file_in_the_way_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "w").write_text("not a folder")
    result = cli(["start", str(tmp_path / "w"), "--print-command"])
    assert result.returncode == 2
    assert "is a file, not a folder" in result.stderr and "Traceback" not in result.stderr


def test_start_launches_jupyterlab_in_the_folder(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    class FakeServer:
        def __init__(self, command: list[str], cwd: Path) -> None:
            calls.append((command, cwd))

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(lab.subprocess, "Popen", FakeServer)
    said: list[str] = []
    assert start_pkg.start(tmp_path / "w", no_browser=True, say=said.append) == 0
    (command, cwd), = calls
    assert cwd == (tmp_path / "w").resolve()
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert "--no-browser" in command
    assert "--LabApp.default_url=/lab/tree/00_welcome.ipynb" in command
    assert any("Opening JupyterLab" in line for line in said)
    start_pkg.start(tmp_path / "w", say=said.append)
    assert "--no-browser" not in calls[-1][0]  # the browser opens unless asked not to


@pytest.mark.slow  # builds the wheel and executes a notebook in a fresh venv
def test_wheel_in_a_fresh_venv_lays_out_a_working_folder(tmp_path: Path) -> None:
    """Only the built wheel: no checkout on the path. Its `start` makes a folder whose notebook
    runs headless, and a second `start` keeps every answer."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    (wheel,) = wheels.glob("mentor_workshop-*.whl")
    assert any(n.endswith("_data/notebooks/00_welcome.ipynb")
               for n in zipfile.ZipFile(wheel).namelist())
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # the kit's dependencies (jupyterlab, ipywidgets ...) come from this environment, after the
    # fresh venv's own site-packages, so the wheel's copy of the kit is the one imported
    site = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    base = [p for p in sys.path if p.endswith("site-packages")]
    Path(site, "base_env.pth").write_text("\n".join(base) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "MENTOR_WORKSHOP_EXERCISES", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:/usr/bin:/bin"
    where = subprocess.run([str(python), "-c", "import mentor_workshop; "
                            "print(mentor_workshop.__file__)"], env=env, cwd=tmp_path,
                           check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(venv)), where

    folder = tmp_path / "learner"
    run = subprocess.run([str(venv / "bin" / "mentor-workshop"), "start", str(folder),
                          "--no-browser", "--print-command"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in folder.glob("*.ipynb")) == STEPS

    # notebooks run headless there, on the solo path, in the venv's own kernel: the first, the
    # one with the written role-play and self-assessment, and the plan (every step notebook
    # also runs headless in tests/test_notebooks_*.py; only the hidden test cell differs)
    ran_here = ["00_welcome.ipynb", "03_request.ipynb", "10_my_plan.ipynb"]
    script = f"""
import nbformat
from nbclient import NotebookClient
from mentor_workshop.core.journal import Journal
Journal("journal.json").save("welcome.path", "solo")
for name in {ran_here!r}:
    nb = nbformat.read(name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import mentor_workshop; print(mentor_workshop.__file__)"))
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={{"metadata": {{"path": "."}}}}).execute()
    nbformat.write(nb, "{tmp_path}/ran-" + name)
"""
    subprocess.run([str(python), "-c", script], env=env, cwd=folder, check=True,
                   capture_output=True, text=True, timeout=600)
    for name in ran_here:
        ran = nbformat.read(tmp_path / f"ran-{name}", as_version=4)
        assert errors(ran) == [], name
        html = "".join(o.get("data", {}).get("text/html", "") for c in ran.cells
                       if c.cell_type == "code" for o in c.outputs)
        assert "Where am I" in html, name
        kit = "".join(o.get("text", "") for o in ran.cells[-1].outputs)
        assert kit.startswith(str(venv)), kit  # the kernel ran the wheel's kit

    journal = (folder / JOURNAL_FILENAME).read_bytes()
    assert json.loads(journal)["answers"]["welcome.path"] == "solo"
    again = subprocess.run([str(venv / "bin" / "mentor-workshop"), "start", str(folder),
                            "--print-command"], env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert (folder / JOURNAL_FILENAME).read_bytes() == journal
