"""The facilitator grades reflections blind, by keyboard, in ``grade_reflections.ipynb``.

Why in a browser: the grader's unit tests drive its state class from Python. Only a browser
shows that the keys typed reach the kernel one by one, that the comment box takes focus and gives
it back, that the rubric buttons follow, and that no participant's name is ever on the screen;
and only reading the gradebook and ``mentor-workshop export`` afterwards shows that what was
typed was saved where nbgrader and the kit read it.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from courses import cli  # tests/courses.py: the CLI's entry point in this process
from playwright.sync_api import Page, expect

from .axe import blocking, describe, lab_violations
from .facilitator_course import roster_people
from .labdriver import LabServer, NotebookPage

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

QUESTION = "00_welcome"
def levels_typed() -> list[str]:
    """The keys typed for each answer graded, in the order the grader meets them: one digit per
    criterion that scores this step, each a level's points (step 00 scores no action, and its
    depth levels are worth 0, 1, 3 and 4), cycling through the levels so answers differ."""
    from mentor_workshop.facilitator.grading.rubric import RubricLevels

    criteria = RubricLevels.load().for_step(QUESTION)
    return ["".join(str(c.levels[(i + j) % len(c.levels)].points)
                    for j, c in enumerate(criteria)) for i in range(6)]


def step_criteria() -> list[str]:
    from mentor_workshop.facilitator.grading.rubric import RubricLevels

    return [c.id for c in RubricLevels.load().for_step(QUESTION)]
COMMENT = "Clear goal & a date: ask <her> at the breakfast."


def forbidden_words(ids: list[str] | None = None) -> list[str]:
    """What would un-blind the grader: names, e-mail addresses and ids from the roster."""
    words: list[str] = []
    for pid, row in roster_people().items():
        if ids is None or pid in ids:
            words += [pid, row["email"], *row["name"].split()]
    return words


def assert_blind(text: str) -> None:
    shown = sorted({w for w in forbidden_words()
                    if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)})
    assert shown == [], f"the blind grader shows who wrote an answer: {shown}"


class Grader:
    """The grader widget of an open ``grade_reflections.ipynb``, used from the keyboard."""

    def __init__(self, nb: NotebookPage) -> None:
        self.nb = nb
        self.page = nb.page
        self.keys = nb.panel.get_by_placeholder("Click here, then grade with the keyboard")
        self.comment = nb.panel.get_by_placeholder("Comment for the participant (optional)")
        self.output = nb.panel.locator(".jp-OutputArea-output").filter(
            has=self.page.get_by_placeholder("Click here, then grade with the keyboard"))

    def text(self) -> str:
        """Everything the notebook shows: its cells and the grader (not the file browser)."""
        return self.nb.panel.inner_text()

    def heading(self) -> str:
        """The line naming the answer shown: ``P-3F2A1C · answer 2 of 6 · not graded``."""
        return self.output.locator("p", has_text=re.compile(r"· answer \d+ of \d+")).inner_text()

    def pseudonym(self) -> str:
        return self.heading().split(" · ")[0].strip()

    def press(self, key: str) -> None:
        """One key into the grading box, then wait until the kernel has taken it.

        The kernel empties the box once a key is applied, then redraws the grader; a person
        looks at the screen before the next key, and so does this: until the box is empty and
        the kernel idle again, which is after the redraw reached the page (keys typed into a
        box the kernel is about to empty would otherwise be applied twice).
        """
        expect(self.keys).to_be_focused()
        self.page.keyboard.type(key)
        expect(self.keys).to_have_value("", timeout=15_000)
        self.nb.wait_kernel_idle(timeout=15_000)

    def chosen(self) -> list[str]:
        """The rubric toggle buttons shown pressed, in criterion order."""
        return self.output.locator(".widget-toggle-button.mod-active").all_inner_texts()


def grade_by_keyboard(page: Page, lab: LabServer, course: Path) -> dict[str, tuple[str, str]]:
    """Grade five answers and comment on one, keyboard only; returns pseudonym -> (levels, comment).

    The one focus change a keyboard user makes with Tab from the notebook (into the grading
    box) is made with ``focus()``: JupyterLab's own tab order is not what is tested here.
    """
    nb = NotebookPage(page, lab, course, "grade_reflections", workspace="grading").open()
    nb.run_all()
    grader = Grader(nb)
    expect(grader.keys).to_be_visible()
    nb.assert_no_traceback()
    assert_blind(grader.text())
    grader.keys.focus()
    graded: dict[str, tuple[str, str]] = {}
    seen: list[str] = []
    for i, levels in enumerate(levels_typed()[:5]):
        who = grader.pseudonym()
        assert re.fullmatch(r"P-[0-9A-F]{6}", who), who
        assert who not in seen, f"{who} came round again before five answers were graded"
        seen.append(who)
        assert "not graded" in grader.heading()
        for digit in levels:
            grader.press(digit)
        expect(grader.output).to_contain_text(f"Saved {who}: {sum(map(int, levels))}/7")
        comment = ""
        if i == 1:
            # "c" puts the cursor in the comment box; Tab leads back to the grading box.
            grader.press("c")
            expect(grader.comment).to_be_focused()
            page.keyboard.type(COMMENT, delay=20)
            page.keyboard.press("Tab")
            grader.press("s")
            comment = COMMENT
            expect(grader.output).to_contain_text(f"Saved {who}")
        graded[who] = (levels, comment)
        assert_blind(grader.text())
        if i == 0:
            # Back and forth: "p" shows the previous answer with its grade, "n" returns.
            grader.press("n")
            nxt = grader.pseudonym()
            grader.press("p")
            assert grader.pseudonym() == who and "graded" in grader.heading()
            assert len(grader.chosen()) == len(step_criteria())
            grader.press("n")
            assert grader.pseudonym() == nxt
            continue
        grader.press("u")  # the next answer that still needs a grade
    found = blocking(lab_violations(page))
    assert found == [], describe("grade_reflections.ipynb", found)
    nb.screenshot("11_blind_grading", grader.output)
    return graded


def test_blind_grading_by_keyboard(facilitator_page: Page, facilitator_lab: LabServer,
                                   facilitator_course: Path, tmp_path: Path) -> None:
    from mentor_workshop.facilitator import course as mw_course
    from mentor_workshop.facilitator.grading import GradingQueue, parse_comment

    course = facilitator_course
    graded = grade_by_keyboard(facilitator_page, facilitator_lab, course)
    assert len(graded) == 5

    # Reload: the grader opens on what is saved, still blind.
    facilitator_page.reload()
    nb = NotebookPage(facilitator_page, facilitator_lab, course, "grade_reflections",
                      workspace="grading")
    nb.wait_kernel_idle()
    nb.run_all()
    grader = Grader(nb)
    expect(grader.output).to_contain_text(re.compile(r"\b[56]/6 graded\)"))
    assert_blind(grader.text())
    nb.assert_no_traceback()

    # The gradebook holds each score, the rubric levels and the comment.
    queue = GradingQueue(course)
    who_is = {pseudonym: queue.participant_of(pseudonym) for pseudonym in graded}
    expected = {who_is[p]: sum(map(int, levels)) for p, (levels, _) in graded.items()}
    with mw_course.open_course(course).gradebook() as gb:
        for pseudonym, (levels, comment) in graded.items():
            pid = who_is[pseudonym]
            grade = gb.find_grade("reflection_00", QUESTION, "mentor_workshop", pid)
            note = gb.find_comment("reflection_00", QUESTION, "mentor_workshop", pid)
            assert grade.manual_score == expected[pid], pid
            chosen, free = parse_comment(queue.rubric, note.manual_comment or "")
            assert [chosen[c] for c in step_criteria()] == [int(d) for d in levels]
            assert free == comment

    # `mentor-workshop export` shows the same scores.
    out = tmp_path / "grades.csv"
    result = cli(["export", str(course), str(out)])
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = {row["participant_id"]: row for row in csv.DictReader(f)}
    assert {pid: float(rows[pid][f"{QUESTION}_reflection"]) for pid in expected} == \
        {pid: float(score) for pid, score in expected.items()}

