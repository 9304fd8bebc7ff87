"""Journals crafted to crash the readers: deep nesting, huge files, far-future dates.

Each is one line in the output of ``status``, ``report`` and ``plans``; the honest participant
next to it is still shown.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from courses import cli
from journals import MEETING, complete_answers

from mentor_workshop.core import journal_format
from mentor_workshop.core.journal import Journal
from mentor_workshop.core.journal_format import load_json_bounded, read_journal_data
from mentor_workshop.core.steps import STEPS
from mentor_workshop.errors import UnreadableJournal

DEEP = "[" * 100_000 + "]" * 100_000


def _state(answers: dict, pid: str) -> str:
    return json.dumps({"schema_version": 1, "participant": {"id": pid, "name": pid.upper()},
                       "answers": answers, "saved_at": {}})


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two layouts of one hostile cohort: <id>/journal.json folders and flat <id>.json files."""
    base = tmp_path_factory.mktemp("sec-journals")
    far = complete_answers()
    far["gracious.meeting"] = dict(MEETING, yes_date="9999-12-30", start="9999-12-31T09:30")
    far["within.commitment"] = {"action": "Write to Dr Johnson", "date": "9999-12-31"}
    texts = {
        "p01": _state(complete_answers(), "p01"),
        "p02": '{"schema_version": 1, "answers": {"x": ' + DEEP + "}}",
        "p03": DEEP,
        "p04": _state(far, "p04"),
        "p05": '{"schema_version": 1, "answers": {"x": ' + "[" * 900 + "]" * 900 + "}}",
    }
    folders, flat = base / "folders", base / "flat"
    flat.mkdir()
    for pid, text in texts.items():
        (folders / pid).mkdir(parents=True)
        (folders / pid / "journal.json").write_text(text, encoding="utf-8")
        (flat / f"{pid}.json").write_text(text, encoding="utf-8")
    return {"folders": folders, "flat": flat, "base": base}


@pytest.mark.parametrize("layout", ["folders", "flat"])
def test_status_lists_everyone_and_names_the_bad_journals(cohort: dict, layout: str) -> None:
    result = cli(["status", str(cohort[layout])])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line[:1] == "p"}
    n = len(STEPS)
    assert f"{n}/{n}" in rows["p01"] and "all steps done" in rows["p01"]
    for pid in ("p02", "p03", "p05"):
        assert "nested too deep" in rows[pid], rows[pid]
    assert "could not be checked" not in rows["p04"]  # far-future dates are just dates


def test_deep_json_never_raises_recursion_error() -> None:
    for raw in (DEEP, '{"a":' * 100_000 + "1" + "}" * 100_000, "[" * 2000):
        with pytest.raises(UnreadableJournal, match="nested too deep"):
            load_json_bounded(raw.encode())
    # strings full of brackets are text, not nesting
    assert load_json_bounded(b'{"s": "[[[[{{{{\\"[["}') == {"s": '[[[[{{{{"[['}


def test_a_huge_journal_is_refused_before_it_is_read(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_format, "MAX_JOURNAL_BYTES", 1024)
    path = tmp_path / "journal.json"
    path.write_text(_state({"x": "y" * 5000}, "p01"), encoding="utf-8")
    with pytest.raises(UnreadableJournal, match="too large"):
        read_journal_data(path)


def test_the_participant_kernel_moves_a_deep_journal_aside(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    path.write_text('{"schema_version": 1, "answers": {"x": ' + DEEP + "}}", encoding="utf-8")
    journal = Journal(path)
    with pytest.warns(UserWarning):
        assert journal.all() == {}
    assert journal.recovered_from is not None and journal.recovered_from.exists()


@pytest.mark.slow  # one report kernel
def test_report_is_written_with_every_journal_it_can_read(cohort: dict) -> None:
    out = cohort["base"] / "report.html"
    result = cli(["report", str(cohort["flat"]), "--out", str(out)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "5 participants" in result.stdout and out.is_file()


@pytest.mark.slow  # a plan kernel per readable journal
def test_plans_skip_only_the_unreadable_journals(cohort: dict) -> None:
    out = cohort["base"] / "plans"
    result = cli(["plans", str(cohort["folders"]), "--out", str(out), "--workers", "2"])
    assert "Traceback" not in result.stdout + result.stderr
    assert (out / "p01" / "my_plan.html").is_file() and (out / "p04" / "my_plan.html").is_file()
    for pid in ("p02", "p03", "p05"):
        assert f"No plan for {pid}" in result.stdout + result.stderr
