"""``status``: finding journals in every layout, reading them without changing them, the table."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from mentor_workshop.cli import main
from mentor_workshop.core.journal import Journal
from mentor_workshop.facilitator import status
from mentor_workshop.facilitator.status import (
    ParticipantStatus,
    StepState,
    cohort_status,
    find_journals,
    format_status,
    step_ids,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "exercises" / "sample_cohort"


@pytest.fixture(autouse=True)
def _fresh_memo() -> None:
    """Each test checks its journals itself (cohort_status remembers rows within a process)."""
    status._memo.clear()


def journal(path: Path, name: str = "", **answers: object) -> Path:
    j = Journal(path)
    j.set_participant(id=path.parent.name, name=name or None)
    for key, value in answers.items():
        j.save(key, value)
    return path


def test_nbgrader_course_layout_newest_copy_wins(tmp_path: Path) -> None:
    old = journal(tmp_path / "submitted" / "p01" / "mentor_workshop" / "journal.json")
    new = journal(tmp_path / "autograded" / "p01" / "mentor_workshop" / "journal.json")
    os.utime(old, (1_000_000, 1_000_000))
    only = journal(tmp_path / "submitted" / "p02" / "session2" / "journal.json")
    journal(tmp_path / "source" / "mentor_workshop" / "journal.json")  # not a participant
    journal(tmp_path / "submitted" / ".hidden" / "a" / "journal.json")  # not a safe id
    assert find_journals(tmp_path) == {"p01": new, "p02": only}


def test_folder_and_file_layouts(tmp_path: Path) -> None:
    folders = tmp_path / "folders"
    a = journal(folders / "p01" / "journal.json")
    journal(folders / ".notebooks" / "journal.json")
    (folders / "plans-manifest.json").write_text('{"format": "x", "jobs": {}}')
    (folders / "notes").mkdir()
    files = tmp_path / "files"
    files.mkdir()
    b = shutil.copy(SAMPLE / "journals" / "p02.json", files / "p02.json")
    (files / "bad id.json").write_text("{}")
    assert find_journals(folders) == {"p01": a}
    assert find_journals(files) == {"p02": Path(b)}
    assert list(find_journals(SAMPLE)) == [f"p{i:02d}" for i in range(1, 13)]
    assert find_journals(folders / "p01") == {"p01": a}  # one participant's own folder


def test_states_follow_the_checks_and_nothing_is_written(tmp_path: Path) -> None:
    folder = tmp_path / "room"
    folder.mkdir()
    for pid in ("p01", "p04", "p12"):  # strong, minimal, empty (see the sample README)
        shutil.copy(SAMPLE / "journals" / f"{pid}.json", folder / f"{pid}.json")
    (folder / "p99.json").write_text('{"schema_version": 1, "answers": {"x": ')  # cut short
    (folder / "p98").mkdir()
    (folder / "p98" / "journal.json").write_text('["not", "a", "journal"]')
    (folder / "p97.json").write_text('{"format": "a manifest", "jobs": {}}')  # not a journal
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    steps = step_ids()
    rows = {r.id: r for r in cohort_status(find_journals(folder), steps)}
    assert set(rows) == {"p01", "p04", "p12", "p98", "p99"}
    assert rows["p01"].done == len(steps) and rows["p01"].next_step is None
    assert rows["p01"].name == "Amara Okafor"
    assert rows["p12"].done == 0
    assert {s.state for s in rows["p12"].steps} <= {"not_started", "started"}
    assert rows["p12"].steps[0].state == "not_started"
    p04 = {s.step_id: s.state for s in rows["p04"].steps}
    assert p04["00_welcome"] == "done" and p04["01_shortlist"] == "started"
    assert p04["05_vulnerability_confidence"] == "not_started"
    assert "not a workshop journal" in rows["p98"].problem
    assert "not valid JSON" in rows["p99"].problem

    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before  # nothing moved aside, nothing rewritten


def test_table_shows_symbols_words_and_totals() -> None:
    steps = ["00_welcome", "01_shortlist", "02_assumptions"]
    rows = [
        ParticipantStatus("p01", "Amara Okafor", Path("a"), (
            StepState(steps[0], "done", 1), StepState(steps[1], "started", 0.5),
            StepState(steps[2], "not_started"))),
        ParticipantStatus("p02", "Mateo", Path("b"), tuple(
            StepState(s, "done", 1) for s in steps)),
        ParticipantStatus("p03", "p03", Path("c"), problem="journal unreadable: it is not JSON"),
    ]
    text = format_status(rows, steps)
    lines = text.splitlines()
    assert lines[0].split()[:5] == ["id", "name", "00", "01", "02"]
    amara = next(line for line in lines if line.startswith("p01"))
    assert "✔  ✘  ·" in amara and "1/3" in amara and "working on 01_shortlist" in amara
    assert "all steps done" in next(line for line in lines if line.startswith("p02"))
    assert "journal unreadable" in text
    assert lines[-3].split() == ["done", "by", "2", "1", "1"]
    assert "✔ done" in text and "✘ started, not complete" in text and "· not started" in text


def test_status_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", str(SAMPLE / "journals")]) == 0
    out = capsys.readouterr().out
    assert "Siobhán O'Rourke" in out and "next: 00_welcome" in out
    assert "(12 participants)" in out
    assert main(["status", str(tmp_path)]) == 2
    assert "No participant journals were found" in capsys.readouterr().err
    assert main(["status", str(tmp_path / "missing")]) == 2


def test_the_installed_program_prints_all_of_it_and_exits_with_its_code(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``status`` ends with a quick exit (``cli.run``): the program's output must still be
    whole and its exit code the command's, for a cohort, an error, and a reader that stops
    early (``| head``), which gets no traceback."""
    import subprocess
    import sys

    program = [sys.executable, "-c", "from mentor_workshop.cli import run; run()"]
    assert main(["status", str(SAMPLE / "journals")]) == 0
    expected = capsys.readouterr().out
    done = subprocess.run([*program, "status", str(SAMPLE / "journals")], capture_output=True,
                          text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, expected, "")

    done = subprocess.run([*program, "status", str(tmp_path / "missing")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("mentor-workshop status: There is no folder at")

    # rows enough for twice what a pipe holds, so the program is still writing when the
    # reader goes
    for n in range(1500):
        shutil.copy(SAMPLE / "journals" / "p01.json", tmp_path / f"q{n:04d}.json")
    reader = subprocess.Popen([*program, "status", str(tmp_path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    assert reader.stdout.readline().startswith(b"id ")
    reader.stdout.close()
    err = reader.stderr.read().decode()
    assert reader.wait(timeout=120) == 1
    assert "Traceback" not in err and err == ""


def test_sample_journals_are_journals() -> None:
    for path in (SAMPLE / "journals").glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == 1


def test_checking_in_several_processes_gives_the_same_rows_in_the_same_order(
        tmp_path: Path) -> None:
    folder = tmp_path / "cohort"
    folder.mkdir()
    for i, source in enumerate(sorted((SAMPLE / "journals").glob("*.json")) * 2):
        state = json.loads(source.read_text(encoding="utf-8"))
        state["participant"] = {"id": f"x{i:02d}", "name": f"Person \u202e{i}"}
        (folder / f"x{i:02d}.json").write_text(json.dumps(state), encoding="utf-8")
    (folder / "x99.json").write_text('{"schema_version": 1, "answers": {"a', encoding="utf-8")
    journals = find_journals(folder)
    serial = cohort_status(journals, workers=1)
    status._memo.clear()  # check them again, in two processes this time
    parallel = cohort_status(journals, workers=2)
    assert [r.id for r in parallel] == list(journals) == [r.id for r in serial]
    assert parallel == serial
    assert serial[-1].problem and "unreadable" in serial[-1].problem
    assert all("\u202e" not in r.name for r in serial)  # a name cannot reorder the table


def test_a_second_look_checks_only_the_journals_that_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a live room view relies on: it asks every few seconds, and few journals change."""
    folder = tmp_path / "cohort"
    folder.mkdir()
    for source in sorted((SAMPLE / "journals").glob("*.json"))[:4]:
        shutil.copy(source, folder / source.name)
    journals = find_journals(folder)
    calls: list[str] = []
    real_check = status.step_criteria

    def counted(step_id: str, *args: object, **kwargs: object) -> object:
        calls.append(step_id)
        return real_check(step_id, *args, **kwargs)

    monkeypatch.setattr(status, "step_criteria", counted)
    first = cohort_status(journals)
    assert len(calls) == 4 * len(step_ids())
    calls.clear()
    assert cohort_status(journals) == first
    assert calls == []
    # one participant saves: only their journal is checked again, and the row follows it
    changed = journals["p02"]
    state = json.loads(changed.read_text(encoding="utf-8"))
    state["answers"] = {}
    changed.write_text(json.dumps(state), encoding="utf-8")
    third = cohort_status(journals)
    assert len(calls) == len(step_ids())
    assert [r.done for r in third][1] == 0 < first[1].done
    assert third[0] == first[0] and third[2:] == first[2:]
    # the same bytes under another path are known too (the room view checks fresh copies)
    calls.clear()
    moved = {pid: shutil.copy(path, tmp_path / f"copy-{pid}.json")
             for pid, path in journals.items()}
    again = cohort_status({pid: Path(p) for pid, p in moved.items()})
    assert calls == [] and [r.steps for r in again] == [r.steps for r in third]


def test_every_step_is_checked_once_per_journal_and_the_plan_reuses_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan's check gathers the checks of steps 01 to 09: on a journal read once (status,
    the report) it reuses their results instead of checking them again; on a participant's live
    journal, which can change between two reads, it checks afresh. Either way the same result."""
    import dataclasses

    from mentor_workshop.core import checks
    from mentor_workshop.core.journal_view import view_of
    from mentor_workshop.core.steps import STEPS

    calls: list[str] = []
    for step_id in STEPS.ids():
        step = STEPS[step_id]

        def counted(journal: object, cur: object, _step=step) -> object:
            calls.append(_step.id)
            return _step.check(journal, cur)

        monkeypatch.setitem(STEPS._steps, step_id, dataclasses.replace(step, check=counted))

    path = shutil.copy(SAMPLE / "journals" / "p01.json", tmp_path / "p01.json")
    view = view_of(path)
    read_once = [checks.check(s, view) for s in step_ids()]
    assert sorted(calls) == sorted(step_ids())  # 10 did not check 01 to 09 again
    calls.clear()
    live = Journal(tmp_path / "p01.json")
    afresh = [checks.check(s, live) for s in step_ids()]
    assert calls.count("03_request") == 2  # its own check, and again inside the plan's
    assert [r.criteria for r in afresh] == [r.criteria for r in read_once]
    assert read_once[step_ids().index("10_my_plan")].passed
    # a live journal is read again: an answer cleared after the first check shows at once
    live.save("request.draft", "")
    assert not checks.check("10_my_plan", live).passed
