"""The setup check: one PASS/FAIL line per requirement, a real journal round trip, no tracebacks."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
from conftest import on_disk

from mentor_workshop.core import curriculum
from mentor_workshop.core.journal import Journal
from mentor_workshop.core.steps import STEPS
from mentor_workshop.participant import setup_check
from mentor_workshop.participant.setup_check import (
    PROBE_KEY,
    WAITING_TEXT,
    Item,
    check_curriculum,
    check_journal,
    check_package,
    check_python,
    items_html,
    run_checks,
)

EXPECTED_IDS = ["python", "jupyterlab", "ipywidgets", "nbgrader", "papermill", "journal",
                "curriculum", "widgets"]


def test_run_checks_in_this_environment(journal_path: Path) -> None:
    items = run_checks(journal_path)
    assert [i.id for i in items] == EXPECTED_IDS
    by_id = {i.id: i for i in items}
    for item_id in EXPECTED_IDS[:-1]:
        assert by_id[item_id].passed is True, by_id[item_id].line()
    assert by_id["widgets"].passed is None
    assert by_id["widgets"].detail == WAITING_TEXT
    assert f"{len(STEPS)} steps" in by_id["curriculum"].detail
    # the journal check really wrote, and the value read back is what is on disk
    probe = on_disk(journal_path)[PROBE_KEY]
    assert set(probe) == {"checked_at", "token"}


def test_each_run_really_writes(journal_path: Path) -> None:
    run_checks(journal_path)
    first = on_disk(journal_path)[PROBE_KEY]["token"]
    run_checks(journal_path)
    assert on_disk(journal_path)[PROBE_KEY]["token"] != first


def test_old_python_fails_with_a_fix() -> None:
    item = check_python((3, 10, 4))
    assert item.passed is False
    assert "3.10.4" in item.detail and "Change Kernel" in item.detail
    assert check_python((3, 12, 0)).passed is True


def _versions(found: dict[str, str]):
    def version_of(dist: str) -> str:
        if dist not in found:
            raise metadata.PackageNotFoundError(dist)
        return found[dist]

    return version_of


@pytest.mark.parametrize(
    ("installed", "wanted", "passed", "words"),
    [
        ("0.9.6", (0, 9), True, "0.9.6 is installed"),
        ("0.10.0", (0, 9), False, "needs 0.9"),
        ("3.6.1", (4,), False, "needs 4"),
        ("4.2.0rc1", (4,), True, "4.2.0rc1"),
        (None, (8,), False, "not installed"),
    ],
)
def test_package_versions(installed: str | None, wanted: tuple[int, ...], passed: bool,
                          words: str) -> None:
    found = {} if installed is None else {"pkg": installed}
    item = check_package("pkg", "Pkg", wanted, version_of=_versions(found))
    assert item.passed is passed
    assert words in item.detail
    if not passed:
        assert "pip install" in item.detail and "facilitator" in item.detail


def test_unwritable_journal_is_a_fail_not_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "journal.json"
    folder.mkdir()  # a folder where the journal file should be
    item = check_journal(Journal(folder))
    assert item.passed is False
    assert "folder" in item.detail


def test_broken_content_is_a_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTOR_WORKSHOP_EXERCISES", str(tmp_path / "missing"))
    curriculum.clear_cache()
    item = check_curriculum()
    assert item.passed is False
    assert "facilitator" in item.detail and "python -m mentor_workshop.curriculum" in item.detail


def test_a_crashing_check_becomes_a_fail(journal_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_a: object, **_k: object) -> Item:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(setup_check, "check_python", boom)
    items = run_checks(journal_path)
    assert items[0].passed is False and "disk on fire" in items[0].detail


def test_grading_never_writes(journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    item = check_journal(Journal(journal_path))
    assert item.passed is None
    assert not journal_path.exists()


def test_html_says_each_state_in_words_and_escapes() -> None:
    items = [Item("A", True, "ok", "a"), Item("B", False, "bad <b>path</b>", "b"),
             Item("C", None, WAITING_TEXT, "c")]
    out = items_html(items)
    assert "✔ PASS</strong> — A" in out
    assert "✘ FAIL</strong> — B" in out
    assert "WAITING</strong> — C" in out
    assert "&lt;b&gt;path&lt;/b&gt;" in out and "<b>path" not in out
    assert "1 of 3 checks FAIL" in out


def test_headline_all_pass() -> None:
    assert setup_check.headline([Item("A", True, "ok")]) == "✔ All 1 checks PASS. You are " \
        "ready to start."
