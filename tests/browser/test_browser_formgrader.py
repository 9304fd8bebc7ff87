"""nbgrader's own formgrader as a second client of the course the kit graded.

Why: the kit promises that its gradebook is nbgrader's, so a facilitator can switch to
formgrader at any time (or grade there with a colleague) and nothing is lost either way. Here
formgrader, opened from JupyterLab's Nbgrader menu in the same server, must show the autograded
scores and the rubric grades the kit wrote, and a grade changed in formgrader must come back in
the kit's next ``export`` and report.
"""

from __future__ import annotations

import csv
import re
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from courses import cli  # tests/courses.py: the CLI's entry point in this process
from playwright.sync_api import FrameLocator, Page, expect

from .facilitator_course import COHORT, roster_people
from .labdriver import LabServer, slug

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

STEP = "02_assumptions"
CELL = "reflection_02"
TEST = "test_02"
ASSIGNMENT = "mentor_workshop"
#: The participant whose grade is changed in formgrader.
CHANGED = "p03"


def grade_with_the_kit(course: Path) -> dict[str, tuple[dict[str, int], str]]:
    """Grade step 02's reflections through the kit, with the sample cohort's rubric sheet."""
    from mentor_workshop.facilitator.grading import GradingQueue

    with (COHORT / "rubric_grades.csv").open(encoding="utf-8", newline="") as f:
        sheet = {row["participant"]: row for row in csv.DictReader(f) if row["step"] == STEP}
    queue = GradingQueue(course)
    question = next(q for q in queue.questions if q.notebook == STEP)
    graded: dict[str, tuple[dict[str, int], str]] = {}
    for answer in queue.answers(question):
        pid = queue.participant_of(answer.pseudonym)
        row = sheet.get(pid)
        if row is None or answer.blank:
            continue
        levels = {c.id: int(row[c.id]) for c in queue.rubric.criteria}
        queue.grade(answer, levels=levels, comment=row["comment"])
        graded[pid] = (levels, row["comment"])
    assert CHANGED in graded and len(graded) >= 4, graded
    return graded


def export(course: Path, out: Path) -> dict[str, dict[str, str]]:
    result = cli(["export", str(course), str(out)])
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8-sig", newline="") as f:
        return {row["participant_id"]: row for row in csv.DictReader(f)}


def open_formgrader(page: Page, lab: LabServer) -> FrameLocator:
    """JupyterLab › Nbgrader › Formgrader, as a facilitator opens it; returns its frame."""
    page.goto(f"{lab.url}/lab/workspaces/formgrader?token={lab.token}")
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.locator(".lm-Menu [data-command='nbgrader:open-formgrader']").click()
    frame = page.frame_locator("iframe[src*='formgrader']")
    expect(frame.get_by_role("link", name="Manual Grading")).to_be_visible(timeout=30_000)
    return frame


def _number(text: str) -> float:
    return float(text.split("/")[0].strip())


def submissions_table(frame: FrameLocator) -> dict[str, dict[str, float]]:
    """Formgrader's Manual Grading › assignment › notebook table, names shown."""
    # Each click waits for the page it leads to: formgrader opens on "Manage Assignments",
    # which has a link named for the assignment too (to its source folder), and under load a
    # click made before the navigation landed there (a CI run once ended in the source tree).
    here = frame.locator(".breadcrumb li.active")
    frame.get_by_role("link", name="Manual Grading").click()
    expect(here).to_have_text("Manual Grading")
    frame.get_by_role("link", name=ASSIGNMENT, exact=True).click()
    expect(here).to_have_text(ASSIGNMENT)
    frame.get_by_role("link", name=STEP, exact=True).click()
    rows = frame.locator("#main-table tr")
    expect(rows).to_have_count(len(roster_people()), timeout=20_000)
    frame.get_by_role("button", name="Show All Names").click()
    table: dict[str, dict[str, float]] = {}
    for row in rows.all():
        cells = row.locator("td").all_inner_texts()
        name = row.locator("a.name-shown").inner_text().strip()
        # columns: reveal, name, overall, code, written, task, manual?, failed?, flagged?
        table[name] = {"overall": _number(cells[2]), "code": _number(cells[3]),
                       "written": _number(cells[4])}
    return table


def wait_for_gradebook(course: Path, pid: str, score: float, timeout: float = 20.0) -> None:
    """Until formgrader's save (sent when the score box loses focus) reaches the gradebook."""
    from mentor_workshop.facilitator import course as mw_course

    deadline = time.monotonic() + timeout
    found: Any = None
    while time.monotonic() < deadline:
        with mw_course.open_course(course).gradebook() as gb:
            found = gb.find_grade(CELL, STEP, ASSIGNMENT, pid).manual_score
        if found == score:
            return
        time.sleep(0.3)
    raise AssertionError(f"formgrader's grade for {pid} never reached the gradebook: {found}")


def reflection_scores(course: Path) -> list[float]:
    """Every graded reflection score, read with nbgrader's own API (not the kit's report)."""
    from mentor_workshop.facilitator import course as mw_course

    scores = []
    with mw_course.open_course(course).gradebook() as gb:
        for submission in gb.find_assignment(ASSIGNMENT).submissions:
            for nb in submission.notebooks:
                for g in nb.grades:
                    # the manual score, else autograde's (0 for a blank answer), else none yet
                    score = g.manual_score if g.manual_score is not None else g.auto_score
                    if g.name.startswith("reflection_") and score is not None:
                        scores.append(score)
    return scores


def test_formgrader_shows_the_kits_grades_and_the_kit_reads_its_changes(
        facilitator_page: Page, facilitator_lab: LabServer, facilitator_course: Path,
        tmp_path: Path) -> None:
    from mentor_workshop.facilitator.grading import RubricLevels, parse_comment
    from mentor_workshop.facilitator.report import gather

    course, page = facilitator_course, facilitator_page
    graded = grade_with_the_kit(course)
    before = export(course, tmp_path / "before.csv")
    people = roster_people()
    name_of = {pid: f"{row['name'].split()[-1]}, {' '.join(row['name'].split()[:-1])}"
               for pid, row in people.items()}

    # 1. The manual-grading table shows the kit's numbers for every participant.
    frame = open_formgrader(page, facilitator_lab)
    table = submissions_table(frame)
    shown = {pid: table[name_of[pid]] for pid in people}
    expected = {pid: {"code": float(before[pid][f"{STEP}_check"]),
                      "written": float(before[pid][f"{STEP}_reflection"] or 0)}
                for pid in people}
    assert {pid: {k: v[k] for k in ("code", "written")} for pid, v in shown.items()} == expected

    # 2. One submission: the autograded check, the rubric score and the rubric levels.
    frame.get_by_role("link", name=name_of[CHANGED], exact=True).click()
    score_box = frame.locator(f"#{CELL}")
    expect(score_box).to_have_value(re.compile(r"^\d"), timeout=20_000)
    assert float(score_box.input_value()) == float(before[CHANGED][f"{STEP}_reflection"])
    check = frame.locator(f"#{TEST}")
    auto = check.input_value() or check.get_attribute("placeholder") or ""
    assert float(auto) == float(before[CHANGED][f"{STEP}_check"])
    comment_box = frame.locator(f"#{CELL}-comment")
    # formgrader fills the comment in after the score; on a busy machine it can lag behind
    expect(comment_box).not_to_have_value("", timeout=20_000)
    comment = comment_box.input_value()
    levels, free = parse_comment(RubricLevels.load(), comment)
    assert (levels, free) == graded[CHANGED], comment

    # 3. Change the grade in formgrader (the score box saves when it loses focus).
    new_score = 1.0 if float(score_box.input_value()) != 1.0 else 2.0
    score_box.fill(f"{new_score:g}")
    score_box.press("Tab")
    wait_for_gradebook(course, CHANGED, new_score)
    page.screenshot(path=str(_artifact("12_formgrader_second_client")))

    # 4. The kit's next export and report read it.
    after = export(course, tmp_path / "after.csv")
    assert float(after[CHANGED][f"{STEP}_reflection"]) == new_score
    assert {pid: after[pid][f"{STEP}_reflection"] for pid in people if pid != CHANGED} == \
        {pid: before[pid][f"{STEP}_reflection"] for pid in people if pid != CHANGED}
    rows = [g for g in gather(course).grades
            if g.participant == CHANGED and g.notebook == STEP and g.kind == "reflection"]
    assert [g.score for g in rows] == [new_score]
    report = tmp_path / "report.html"
    result = cli(["report", str(course), "--out", str(report)])
    assert result.returncode == 0, result.stderr
    scores = reflection_scores(course)
    text = report.read_text(encoding="utf-8")
    assert f"Histogram of {len(scores)} reflection scores" in text
    assert f"median {statistics.median(scores):g}." in text


def _artifact(name: str) -> Path:
    from .labdriver import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{slug(name)}.png"
