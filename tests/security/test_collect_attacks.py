"""Crafted hand-ins that used to stop ``collect`` for everyone after them.

Each attack sits in one inbox next to an honest hand-in: the attack becomes one line in the
summary, and the honest participant is still collected.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from courses import ASSIGNMENT, journal_text, make_course, make_submission

from mentor_workshop.facilitator import course as mw_course
from mentor_workshop.facilitator.course import collecting


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_course(tmp_path_factory.mktemp("sec-collect"), ["00_welcome"])


def _zip_of(folder: Path, target: Path, extra: list[tuple[str, bytes]] = ()) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.writestr(path.relative_to(folder).as_posix(), path.read_bytes())
        for name, data in extra:
            archive.writestr(name, data)
    return target


def _lines(report: mw_course.CollectReport) -> dict[str, tuple[str, str]]:
    return {ln.participant or ln.source: (ln.status, str(ln)) for ln in report.lines}


def test_odd_zips_each_cost_one_line_and_the_rest_are_collected(
        course: Path, tmp_path: Path) -> None:
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    make_submission(course, inbox / "p01")  # the honest one, sorted among the attacks
    make_submission(course, work / "base")
    # a file and a folder of one name
    _zip_of(work / "base", inbox / "p02.zip", [("extra", b"a"), ("extra/x", b"b")])
    # a member name far longer than any file system allows
    _zip_of(work / "base", inbox / "p03.zip", [("n" * 300 + ".txt", b"long")])
    # the same member twice: the second copy would replace the good notebook
    with pytest.warns(UserWarning, match="Duplicate name"):
        _zip_of(work / "base", inbox / "p04.zip",
                [("00_welcome.ipynb", b'{"cells": [], "forged": true}')])
    # a journal nested 100,000 levels deep
    make_submission(course, inbox / "p05",
                    journal='{"schema_version": 1, "answers": ' + "[" * 100_000 + "]" * 100_000
                    + "}")
    report = mw_course.collect(course, inbox)
    lines = _lines(report)
    assert "p01" in report.collected
    assert lines["p02"][0] == "unreadable" and "both a file and a folder" in lines["p02"][1]
    assert lines["p03"][0] == "collected" and "too long" in lines["p03"][1]
    assert lines["p04"][0] == "unreadable"
    assert "twice" in lines["p04"][1] and "00_welcome.ipynb" in lines["p04"][1]
    assert not (course / "submitted" / "p04").exists()
    assert lines["p05"][0] == "collected" and "nested too deep" in lines["p05"][1]


def test_zip_bomb_is_stopped_while_it_inflates(course: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    make_submission(course, inbox / "p01")
    make_submission(course, work / "base")
    bomb = inbox / "p02.zip"
    _zip_of(work / "base", bomb, [("padding.bin", b"\0" * (4 * 1024 * 1024))])
    assert bomb.stat().st_size < 100_000  # a few kilobytes that inflate to megabytes
    monkeypatch.setattr(collecting, "MAX_ZIP_BYTES", 1024 * 1024)
    report = mw_course.collect(course, inbox)
    lines = _lines(report)
    assert "p01" in report.collected
    assert lines["p02"][0] == "unreadable" and "unpacks to more than" in lines["p02"][1]


def test_a_folder_named_for_one_participant_holding_anothers_journal_is_flagged(
        course: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    make_submission(course, first / "p02")
    assert mw_course.collect(course, first).collected == ["p02"]
    before = (course / "submitted" / "p02" / ASSIGNMENT / "journal.json").read_text()
    # p03 names a folder for p02 (the "_final" suffix matches p02): their journal says p03
    state = json.loads(journal_text({}))
    state["participant"] = {"id": "p03", "name": "Someone Else"}
    make_submission(course, second / "p02_final", journal=json.dumps(state))
    make_submission(course, second / "p01")
    report = mw_course.collect(course, second)
    lines = _lines(report)
    assert lines["p02"][0] == "mismatch" and "'p03'" in lines["p02"][1]
    assert "p01" in report.collected
    after = (course / "submitted" / "p02" / ASSIGNMENT / "journal.json").read_text()
    assert after == before


def test_two_names_for_one_participant_overwrite_nothing(course: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    make_submission(course, inbox / "p06")
    make_submission(course, inbox / "P06_v2")
    report = mw_course.collect(course, inbox)
    assert {ln.status for ln in report.lines} == {"duplicate"}
    assert not (course / "submitted" / "p06").exists()
