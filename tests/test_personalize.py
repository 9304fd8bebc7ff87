"""``personalize`` and ``plans``: jobs, journals, participant versions, the commands end to end."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import nbformat
import pytest
from conftest import parameter_notebook
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from mentor_workshop.cli import main
from mentor_workshop.core.journal import Journal
from mentor_workshop.facilitator import personalize as pz
from mentor_workshop.facilitator.roster import Participant

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "exercises" / "sample_cohort"

BASE_PARAMS = 'participant_id = ""\nparticipant_name = ""\njournal_path = "journal.json"'


def notebook(path: Path, *sources: str, params: str = BASE_PARAMS) -> Path:
    return parameter_notebook(path, *sources, params=params)


def roster(path: Path, *rows: str) -> Path:
    path.write_text("id,name,email,cohort,facilitator\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return path


TWO = ("p01,Amara Okafor,amara@example.org,spring-2027,Dana Whitcombe",
       "p02,Mateo Fernández,mateo@example.org,spring-2027,Dana Whitcombe")


def test_participant_version_removes_hidden_tests_and_solutions() -> None:
    nb = new_notebook(cells=[
        new_code_cell("# graded\n### BEGIN HIDDEN TESTS\nassert secret()\n### END HIDDEN TESTS\n"),
        new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 42\n    ### END SOLUTION"),
        new_markdown_cell("### BEGIN SOLUTION\nThe model answer.\n### END SOLUTION"),
        new_code_cell("print('kept as is')"),
    ])
    out = pz.participant_version(nb)
    assert out.cells[0].source == "# graded\n"
    assert out.cells[1].source == "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert out.cells[2].source == "YOUR ANSWER HERE"
    assert out.cells[3].source == "print('kept as is')"


def test_jobs_inject_only_declared_extras_and_journals_keep_everything(tmp_path: Path) -> None:
    plain = notebook(tmp_path / "src" / "00_plain.ipynb", "1")
    rich = notebook(tmp_path / "src" / "01_rich.ipynb", "1",
                    params=BASE_PARAMS + '\ncohort = ""\nworkshop_date = ""')
    out = tmp_path / "out"
    staged = pz.stage_notebooks(pz.step_notebooks(tmp_path / "src"), out)
    assert [s.step_id for s in staged] == ["00_plain", "01_rich"]
    assert staged[1].parameters >= {"cohort", "workshop_date"}
    assert all(s.path.parent == out / ".notebooks" for s in staged)
    assert plain.read_bytes() and rich.read_bytes()  # sources untouched

    # A participant who already started keeps their answers when personalised again.
    Journal(out / "p01" / "journal.json").save("welcome.profile", {"name": "Amara"})
    people = [Participant("p01", "Amara Okafor", "a@example.org", "spring-2027", "Dana"),
              Participant("p02", "Mateo", "m@example.org")]
    jobs = pz.personalize_jobs(people, staged, out, date(2027, 3, 15), cell_timeout=5,
                               timeout=20)
    assert [j.name for j in jobs] == ["p01/00_plain", "p01/01_rich", "p02/00_plain",
                                      "p02/01_rich"]
    first, rich_job = jobs[0], jobs[1]
    assert first.parameters == {"participant_id": "p01", "participant_name": "Amara Okafor",
                                "journal_path": "journal.json"}
    assert rich_job.parameters["cohort"] == "spring-2027"
    assert rich_job.parameters["workshop_date"] == "2027-03-15"
    assert "facilitator" not in rich_job.parameters  # not declared by the notebook
    assert "cohort" not in jobs[3].parameters  # p02 has no cohort
    assert first.cwd == out / "p01" and first.output_path == out / "p01" / "00_plain.ipynb"
    assert (first.cell_timeout, first.timeout) == (5, 20)

    journal = Journal(out / "p01" / "journal.json")
    assert journal.participant == {"id": "p01", "name": "Amara Okafor", "cohort": "spring-2027",
                                   "facilitator": "Dana", "workshop_date": "2027-03-15"}
    assert journal.all() == {"welcome.profile": {"name": "Amara"}}
    assert Journal(out / "p02" / "journal.json").participant == {
        "id": "p02", "name": "Mateo", "workshop_date": "2027-03-15"}


def test_personalize_command_reports_failures_tidies_and_reruns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "notebooks"
    # Saves an answer and writes a plan, as the real widgets and plan export do.
    notebook(src / "00_saves.ipynb",
             "from mentor_workshop.core.journal import Journal\n"
             "Journal(journal_path).save('welcome.profile', {'name': participant_name})\n"
             "open('my_plan.html', 'w').write(participant_name)")
    breaks = notebook(src / "01_breaks.ipynb",
                      "if participant_id == 'p02':\n    raise KeyError('shortlist.leaders')")
    rost = roster(tmp_path / "roster.csv", *TWO)
    out = tmp_path / "out"
    args = ["personalize", "--roster", str(rost), "--out", str(out), "--notebooks", str(src),
            "--workers", "2", "--date", "2027-03-15"]

    assert main(args) == 1
    printed = capsys.readouterr().out
    assert "p02/01_breaks" in printed and "KeyError: 'shortlist.leaders'" in printed
    assert "4 notebooks: 3 ok, 1 failed" in printed

    done = nbformat.read(out / "p01" / "00_saves.ipynb", as_version=4)
    injected = [c for c in done.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'participant_name = "Amara Okafor"' in injected[0].source
    # The proof run's traces are gone: the journal holds only who they are.
    data = json.loads((out / "p01" / "journal.json").read_text(encoding="utf-8"))
    assert data["answers"] == {}
    assert data["participant"]["workshop_date"] == "2027-03-15"
    leftovers = {p.name for p in (out / "p01").iterdir()}
    assert leftovers == {"00_saves.ipynb", "01_breaks.ipynb", "journal.json"}

    notebook(breaks, "x = 1")  # the facilitator fixes the notebook
    assert main([*args, "--rerun-failed"]) == 0
    printed = capsys.readouterr().out
    assert "4 notebooks: 1 ok, 0 failed, 0 timed out, 3 skipped (already done)" in printed
    manifest = json.loads((out / pz.PERSONALIZE_MANIFEST).read_text())
    assert {k: v["status"] for k, v in manifest["jobs"].items()} == {
        "p01/00_saves": "ok", "p01/01_breaks": "ok", "p02/00_saves": "ok", "p02/01_breaks": "ok"}


def test_plans_run_on_copies_and_redo_only_changed_journals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = notebook(tmp_path / "notebooks" / "10_my_plan.ipynb",
                   "import json, pathlib\n"
                   "answers = json.loads(pathlib.Path(journal_path).read_text())['answers']\n"
                   "for ext in ('html', 'md'):\n"
                   "    (pathlib.Path(out_dir) / f'my_plan.{ext}').write_text("
                   "f'{participant_name}: {len(answers)}')",
                   params=BASE_PARAMS + '\nout_dir = "."')
    course = tmp_path / "course"
    for top, pid in (("submitted", "p01"), ("autograded", "p02")):
        folder = course / top / pid / "mentor_workshop"
        folder.mkdir(parents=True)
        shutil.copy(SAMPLE / "journals" / f"{pid}.json", folder / "journal.json")
    damaged = course / "submitted" / "p03" / "mentor_workshop" / "journal.json"
    damaged.parent.mkdir(parents=True)
    damaged.write_text('{"schema_version": 1, "answers": {')
    before = {p: p.read_bytes() for p in course.rglob("*") if p.is_file()}
    out = tmp_path / "plans"
    args = ["plans", str(course), "--out", str(out), "--notebooks", str(src.parent),
            "--workers", "2"]

    assert main(args) == 0  # p03's journal is damaged: no plan, said plainly, others made
    assert "No plan for p03: the journal cannot be read" in capsys.readouterr().err
    assert not (out / "p03").exists()
    assert (out / "p01" / "my_plan.html").read_text() == "Amara Okafor: " + str(
        len(json.loads(before[course / "submitted/p01/mentor_workshop/journal.json"])["answers"]))
    assert (out / "p02" / "my_plan.md").read_text().startswith("Mateo Fernández: ")
    after = {p: p.read_bytes() for p in course.rglob("*") if p.is_file()}
    assert after == before  # the submissions are never written to, nor moved aside
    damaged.unlink()

    assert main(args) == 0
    assert "2 skipped (already done)" in capsys.readouterr().out
    Journal(course / "submitted/p01/mentor_workshop/journal.json").save("two_way.cares", "x")
    assert main(args) == 0
    result = capsys.readouterr().out
    assert "1 ok" in result and "1 skipped" in result


def test_command_errors_are_plain_messages(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["personalize", "--roster", str(tmp_path / "none.csv"), "--out", str(out)]) == 2
    assert "There is no file at" in capsys.readouterr().err
    rost = roster(tmp_path / "r.csv", *TWO)
    assert main(["personalize", "--roster", str(rost), "--out", str(out),
                 "--notebooks", str(tmp_path)]) == 2
    assert "No step notebooks" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    notebook(tmp_path / "nb" / "00_x.ipynb", "1")
    assert main(["personalize", "--roster", str(rost), "--out", str(tmp_path / "file"),
                 "--notebooks", str(tmp_path / "nb")]) == 2
    assert "is a file" in capsys.readouterr().err
    assert main(["plans", str(tmp_path / "empty"), "--out", str(out)]) == 2
    assert "There is no folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["plans", str(tmp_path / "empty"), "--out", str(out)]) == 2
    assert "No participant journals" in capsys.readouterr().err
    for bad in (["--date", "15/03/2027"], ["--workers", "0"], ["--timeout", "-1"]):
        with pytest.raises(SystemExit) as exit_:
            main(["personalize", "--roster", str(rost), "--out", str(out), *bad])
        assert exit_.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.slow
def test_personalize_two_participants_with_the_real_notebooks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rost = roster(tmp_path / "roster.csv", *TWO)
    out = tmp_path / "out"
    code = main(["personalize", "--roster", str(rost), "--out", str(out), "--workers", "2",
                 "--date", "2027-03-15"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    steps = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for pid, name in (("p01", "Amara Okafor"), ("p02", "Mateo Fernández")):
        folder = out / pid
        assert sorted(p.name for p in folder.glob("*.ipynb")) == steps
        journal = json.loads((folder / "journal.json").read_text(encoding="utf-8"))
        assert journal["participant"]["name"] == name
        assert journal["participant"]["cohort"] == "spring-2027"
        assert journal["answers"] == {}
        assert not list(folder.glob("my_plan.*"))
        for path in folder.glob("*.ipynb"):
            text = path.read_text(encoding="utf-8")
            assert "BEGIN HIDDEN TESTS" not in text
            assert json.dumps(name)[1:-1] in text or name in text


@pytest.mark.slow
def test_plans_with_the_real_plan_notebook(tmp_path: Path) -> None:
    journals = tmp_path / "journals"
    journals.mkdir()
    for pid in ("p01", "p12"):  # a complete journal and an empty one
        shutil.copy(SAMPLE / "journals" / f"{pid}.json", journals / f"{pid}.json")
    out = tmp_path / "plans"
    assert main(["plans", str(journals), "--out", str(out), "--workers", "2"]) == 0
    html = (out / "p01" / "my_plan.html").read_text(encoding="utf-8")
    assert "Amara Okafor" in html
    assert (out / "p01" / "my_plan.md").exists() and (out / "p12" / "my_plan.html").exists()
