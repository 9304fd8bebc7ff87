"""The grader's own score for the kit's test cells, without a kernel: fast and exact.

``score_from_journal`` gets an executed notebook as a worker returns it and must put in the
journal's score wherever nbgrader would read the kernel's, and nowhere else.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from journals import complete_answers
from nbformat.v4 import new_code_cell, new_notebook, new_output

from mentor_workshop.facilitator.autograde.trusted import kit_check_of, score_from_journal

CHECKS = {"test_01": ("01_shortlist", 3.0)}


def _nb(*outputs: dict) -> object:
    cell = new_code_cell('grade("01_shortlist", journal_path, points=3)')
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test_01", "points": 3,
                                 "solution": False, "locked": True}
    cell.outputs = list(outputs)
    return new_notebook(cells=[cell])


def _result(value: str) -> dict:
    return new_output("execute_result", data={"text/plain": value}, execution_count=1)


@pytest.fixture
def submitted(tmp_path: Path) -> Path:
    (tmp_path / "journal.json").write_text(json.dumps(
        {"schema_version": 1, "participant": {}, "answers": complete_answers(),
         "saved_at": {}}), encoding="utf-8")
    return tmp_path


def _shown(nb: object) -> list:
    return [(o["output_type"], o.get("data", {}).get("text/plain", o.get("name")))
            for o in nb.cells[0].outputs]


def test_an_honest_result_is_left_as_the_kernel_showed_it(submitted: Path) -> None:
    nb = _nb(_result("3.0"))
    assert score_from_journal(nb, CHECKS, submitted) == []
    assert _shown(nb) == [("execute_result", "3.0")]


@pytest.mark.parametrize("outputs", [[], [_result("99")], [_result("'full'")]])
def test_a_forged_or_missing_result_gets_the_journals_score(submitted: Path,
                                                            outputs: list) -> None:
    empty = submitted / "empty"
    empty.mkdir()
    nb = _nb(*outputs)
    notes = score_from_journal(nb, CHECKS, empty)  # no journal handed in: nothing earned
    assert _shown(nb) == [("execute_result", "0.0")]
    assert notes and "the journal's score counts" in notes[0]


def test_what_nbgrader_scores_zero_stays_zero(submitted: Path) -> None:
    error = new_output("error", ename="KernelDied", evalue="x", traceback=[])
    stderr = new_output("stream", name="stderr", text="oops")
    for outputs in ([error], [stderr, _result("3.0")]):
        nb = _nb(*outputs)
        assert score_from_journal(nb, CHECKS, submitted) == []
        assert nb.cells[0].outputs == outputs


def test_a_result_before_stderr_is_replaced_in_place(submitted: Path) -> None:
    nb = _nb(_result("1.0"), new_output("stream", name="stderr", text="late"))
    score_from_journal(nb, CHECKS, submitted)
    assert _shown(nb) == [("execute_result", "3.0"), ("stream", "stderr")]


@pytest.mark.parametrize("source,expected", [
    ('grade("03_request", journal_path, points=3)', ("03_request", 3.0)),
    ('grade("03_request")', ("03_request", 1.0)),
    ('grade("03_request", journal_path, points=n)', ("03_request", 7.0)),
    ('grade("99_unknown")', None),
    ("assert True", None),
])
def test_kit_checks_are_recognised_from_the_gradebook_source(source: str, expected) -> None:
    assert kit_check_of(source, 7) == expected
