"""``mentor-workshop grade agreement``: two graders' rubric levels compared with weighted kappa,
on the sample cohort's two graders and on sheets built to have a known answer."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.grading.agreement import agreement

ROOT = Path(__file__).resolve().parent.parent
COHORT = ROOT / "exercises" / "sample_cohort"
HEADER = ["participant", "step", "depth", "action", "step_evidence", "comment"]


def _sheet(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_sample_cohort_graders_agree_substantially_but_not_perfectly() -> None:
    result = agreement(COHORT / "rubric_grades.csv", COHORT / "rubric_grades_second.csv")
    assert result.shared == 96 and result.only_a == result.only_b == 0
    by_id = {c.id: c for c in result.criteria}
    assert set(by_id) == {"depth", "action", "step_evidence"}
    # action is not scored in steps 00, 04, 06 and 09, so fewer reflections carry it
    assert by_id["action"].pairs < by_id["depth"].pairs == 96
    for c in by_id.values():
        assert c.kappa is not None and 0.5 < c.kappa < 1
        assert 0.5 < c.exact < 1
    assert result.worst and all(d.gap >= result.worst[-1].gap for d in result.worst)
    text = "\n".join(result.lines())
    assert "Depth of reflection" in text and "kappa 0." in text
    assert f"{result.worst[0].who} {result.worst[0].step}" in text


def test_identical_sheets_agree_perfectly() -> None:
    result = agreement(COHORT / "rubric_grades.csv", COHORT / "rubric_grades.csv")
    assert all(c.kappa == pytest.approx(1.0) and c.exact == 1 for c in result.criteria)
    assert result.worst == [] and "No disagreements" in "\n".join(result.lines())


def test_kappa_is_chance_level_for_independent_marks(tmp_path: Path) -> None:
    # both graders use levels 0 and 1 half the time, and agree exactly half the time: chance
    a = _sheet(tmp_path / "a.csv", [[f"p{i}", "01_shortlist", d, "1", "1", ""]
                                    for i, d in enumerate("0011")])
    b = _sheet(tmp_path / "b.csv", [[f"p{i}", "01_shortlist", d, "1", "1", ""]
                                    for i, d in enumerate("0101")])
    depth = next(c for c in agreement(a, b).criteria if c.id == "depth")
    assert depth.kappa == pytest.approx(0.0) and depth.exact == 0.5
    action = next(c for c in agreement(a, b).criteria if c.id == "action")
    assert action.kappa is None  # one level throughout: kappa undefined, said so plainly
    assert "n/a" in "\n".join(agreement(a, b).lines())


def test_points_of_a_reweighted_step_are_compared_as_levels(tmp_path: Path) -> None:
    # in 04 depth scores 0/1/3/4: a 3 and a 4 are one level apart, like a 2 and a 3 elsewhere
    a = _sheet(tmp_path / "a.csv", [["p1", "04_from_the_heart", "3", "", "3", ""]])
    b = _sheet(tmp_path / "b.csv", [["p1", "04_from_the_heart", "4", "", "3", ""]])
    (worst,) = agreement(a, b).worst
    assert worst.gap == 1 and worst.a["depth"] == 2 and worst.b["depth"] == 3


def test_an_export_sheet_compares_with_a_facilitator_sheet(tmp_path: Path) -> None:
    header = ["pseudonym", "notebook", "cell", "max_score", "depth", "action", "step_evidence",
              "score", "comment", "answer"]
    a = _sheet(tmp_path / "a.csv", [["P-1", "02_assumptions.ipynb", "reflection_02", "7", "2",
                                     "1", "2", "", "", "text"]], header)
    b = _sheet(tmp_path / "b.csv", [["P-1", "02_assumptions", "2", "2", "2", ""]],
               ["participant", "step", "depth", "action", "step_evidence", "comment"])
    result = agreement(a, b)
    assert result.shared == 1 and result.worst[0].gap == 1


@pytest.mark.parametrize(("rows", "header", "message"), [
    ([["p1", "01_shortlist", "2", "1", "1", ""]], ["who", "what", "depth"],
     "needs the columns participant and step"),
    ([["p1", "01_shortlist", ""]], ["participant", "step", "mood"], "no rubric criterion"),
    ([["p1", "01_shortlist", "5", "1", "1", ""]], HEADER,
     "line 2: depth in 01_shortlist must be one of 0, 1, 2, 3, not '5'"),
    ([["p1", "04_from_the_heart", "3", "1", "2", ""]], HEADER,
     "line 2: action is not scored in 04_from_the_heart"),
    ([["p1", "01_shortlist", "2", "1", "1", ""], ["p1", "01_shortlist", "1", "1", "1", ""]],
     HEADER, "line 3: p1 01_shortlist already appears on line 2"),
    ([], HEADER, "no graded reflection in common"),
])
def test_bad_sheets_get_a_clear_error(tmp_path: Path, rows: list[list[str]], header: list[str],
                                      message: str) -> None:
    bad = _sheet(tmp_path / "bad.csv", rows, header)
    with pytest.raises(UserError, match=message):
        agreement(bad, COHORT / "rubric_grades.csv")


def test_unreadable_sheets(tmp_path: Path) -> None:
    (tmp_path / "latin1.csv").write_bytes("participant,step,depth\np1,01_shortlist,\xe9".encode(
        "latin-1"))
    with pytest.raises(UserError, match="not UTF-8"):
        agreement(tmp_path / "latin1.csv", COHORT / "rubric_grades.csv")
    with pytest.raises(UserError, match="cannot be read"):
        agreement(tmp_path / "missing.csv", COHORT / "rubric_grades.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(UserError, match="is empty"):
        agreement(tmp_path / "empty.csv", COHORT / "rubric_grades.csv")


def test_command_line(tmp_path: Path) -> None:
    from courses import cli

    done = cli(["grade", "agreement", str(COHORT / "rubric_grades.csv"),
                str(COHORT / "rubric_grades_second.csv"), "--top", "2"])
    assert done.returncode == 0 and "Weighted Cohen's kappa (quadratic)" in done.stdout
    assert done.stdout.count(" (levels)") == 2
    bad = cli(["grade", "agreement", str(COHORT / "roster.csv"),
               str(COHORT / "rubric_grades.csv")])
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "needs the columns participant and step" in bad.stderr
