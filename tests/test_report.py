"""The cohort report: data gathered from any layout, sections that cope with missing data, and a
self-contained, escaped HTML file from one execution of the report notebook."""

from __future__ import annotations

import base64
import json
import re
import shutil
import time
import warnings
from pathlib import Path

import nbformat
import pytest

from mentor_workshop.cli import main
from mentor_workshop.core import checks, feedback
from mentor_workshop.core.journal import Journal
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator import report

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "exercises" / "sample_cohort" / "journals"
XSS = '<script>alert("owned")</script>'
PSEUDONYM = re.compile(r"^P-[0-9A-F]{6,}$")

DRAFT_GOOD = (
    "Dear Dr Osei, I'm Priya, a product manager at a small health-tech company in Leeds. Your "
    "talk on designing services with patients changed how my team works. Would you be open to "
    "a 30-minute call in the next month about moving into leadership? I'd be glad to share "
    "what we learn from our users in return. Thank you for considering it."
)
DRAFT_NEEDY = (
    "I'm so sorry to bother you, I know you're far too busy for someone like me, but maybe, "
    "possibly, you might perhaps mentor me at some point? Sorry again."
)


def _journal(path: Path, answers: dict) -> Path:
    journal = Journal(path)
    journal.set_participant(id=path.parent.name if path.name == "journal.json" else path.stem)
    for key, value in answers.items():
        journal.save(key, value)
    return path


def _belief(bid: str, text: str, before: int, after: int | None) -> dict:
    return {"id": bid, "belief": text, "confidence_before": before, "evidence_for": "some",
            "evidence_against": "some more", "rewrite": "a fairer version",
            "confidence_after": after}


def _synthetic(folder: Path, layout: str = "folders") -> dict[str, Path]:
    """Four journals with known content (and nothing else) in one of the supported layouts."""
    answers = {
        "p1": {
            "welcome.profile": {"name": "Ada Lovelace", "role": "Analyst at a bank",
                                "hopes": "Learn how to lead a data team well."},
            "assumptions.beliefs": [
                _belief("too_busy", "They are too busy to reply, let alone meet.", 80, 40),
                _belief("own_1", "My boss would mind.", 60, 30)],
            "request.draft": DRAFT_GOOD,
        },
        "p2": {
            "assumptions.beliefs": [
                _belief("own_7", "They are too busy to reply, let alone meet.", 70, 50),
                _belief("own_2", "my boss   would MIND", 40, 20)],
            "request.draft": DRAFT_NEEDY,
            "tone.revision": DRAFT_GOOD,
        },
        "p3": {
            "assumptions.beliefs": [
                _belief("too_busy", "They are too busy to reply, let alone meet.", 90, None),
                _belief("own_3", XSS + " $5 and $6", 50, 10)],
        },
    }
    paths = {}
    for pid, data in answers.items():
        path = (folder / pid / "journal.json") if layout == "folders" else folder / f"{pid}.json"
        paths[pid] = _journal(path, data)
    empty = (folder / "p4" / "journal.json") if layout == "folders" else folder / "p4.json"
    empty.parent.mkdir(parents=True, exist_ok=True)
    empty.write_text(json.dumps({"schema_version": 1, "participant": {}, "answers": {}}))
    paths["p4"] = empty
    return paths


def _sample_journals(wait: float = 30.0) -> list[Path]:
    """The bundled sample cohort (written by another part of the kit), once it exists."""
    deadline = time.monotonic() + wait
    while True:
        found = sorted(SAMPLE.glob("*.json")) if SAMPLE.is_dir() else []
        if found or time.monotonic() > deadline:
            return found
        time.sleep(2)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


# ----------------------------------------------------------------------------- finding data


def test_discover_recognises_each_layout(tmp_path: Path) -> None:
    _synthetic(tmp_path / "folders", "folders")
    _synthetic(tmp_path / "files", "files")
    course = tmp_path / "course"
    _journal(course / "submitted" / "p1" / "mentor_workshop" / "journal.json", {})
    (tmp_path / "empty").mkdir()

    folders = report.discover(tmp_path / "folders")
    assert (folders.layout, sorted(folders.journals)) == ("participant folders",
                                                          ["p1", "p2", "p3", "p4"])
    files = report.discover(tmp_path / "files")
    assert (files.layout, sorted(files.journals)) == ("journal files", ["p1", "p2", "p3", "p4"])
    found = report.discover(course)
    assert (found.layout, found.course, found.has_gradebook) == ("nbgrader course", True, False)
    assert list(found.journals) == ["p1"]
    empty = report.discover(tmp_path / "empty")
    assert empty.empty and "No journals found" in report.no_data_message(empty)

    with pytest.raises(UserError, match="no folder"):
        report.discover(tmp_path / "missing")
    with pytest.raises(UserError, match="is a file"):
        report.discover(tmp_path / "files" / "p1.json")


# ----------------------------------------------------------------------------- journals only


@pytest.fixture
def synthetic(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    folder = tmp_path / "cohort"
    paths = _synthetic(folder)
    damaged = folder / "p5" / "journal.json"
    damaged.parent.mkdir()
    damaged.write_text('{"schema_version": 1, "answers": {"welcome.prof')
    return folder, paths


def test_gather_reads_everything_and_changes_nothing(
        synthetic: tuple[Path, dict[str, Path]]) -> None:
    folder, paths = synthetic
    before = _snapshot(folder)
    cohort = report.gather(folder)
    assert _snapshot(folder) == before  # no lock, no backup, damaged file not moved aside

    assert len(cohort.participants) == 4
    assert len(cohort.notes) == 1 and "p5/journal.json" in cohort.notes[0]
    assert all(PSEUDONYM.match(p.pseudonym) for p in cohort.participants)
    assert len({p.pseudonym for p in cohort.participants}) == 4

    rows = {r.step_id: r for r in report.completion(cohort)}
    assert rows["00_welcome"].started == 1
    assert rows["02_assumptions"].started == 3
    assert rows["03_request"].started == 2
    assert rows["06_be_gracious"].started == 0
    for step_id, row in rows.items():  # the report agrees with the check button, step by step
        expected = sum(checks.check(step_id, Journal(p)).passed for p in paths.values())
        assert row.completed == expected, step_id
        assert row.participants == 4


def test_common_beliefs_group_bank_and_own_words(
        synthetic: tuple[Path, dict[str, Path]]) -> None:
    cohort = report.gather(synthetic[0])
    rows = report.common_beliefs(cohort, top=10)
    first, second = rows[0], rows[1]
    assert (first.belief, first.from_bank, first.participants) == (
        "They are too busy to reply, let alone meet.", True, 3)
    assert first.before == pytest.approx(80.0) and first.after == pytest.approx(45.0)
    assert (second.belief, second.from_bank, second.participants) == (
        "My boss would mind.", False, 2)
    assert second.before == pytest.approx(50.0) and second.after == pytest.approx(25.0)
    assert len(rows) == 3 and not rows[2].from_bank
    assert len(report.common_beliefs(cohort, top=1)) == 1

    page = report.beliefs_html(cohort)
    assert XSS not in page and "&lt;script&gt;alert(" in page


def test_signal_rates_match_the_feedback_rules(
        synthetic: tuple[Path, dict[str, Path]]) -> None:
    folder, paths = synthetic
    rows = report.signal_rates(report.gather(folder))
    by = {(r.source, r.signal): r for r in rows}
    assert {r.drafts for r in rows if r.source == "03 first draft"} == {2}
    assert {r.drafts for r in rows if r.source == "05 revision"} == {1}
    for name in feedback.SIGNAL_NAMES:
        counts = {"good": 0, "consider": 0, "problem": 0}
        for pid in ("p1", "p2"):
            journal = Journal(paths[pid])
            text = journal.load("request.draft")
            level = feedback.summary(feedback.analyze(text, checks.feedback_context(journal)))
            counts[level[name]] += 1
        row = by[("03 first draft", name)]
        assert (row.good, row.consider, row.problem) == (
            counts["good"], counts["consider"], counts["problem"]), name
    assert by[("03 first draft", "neediness")].problem >= 1  # the needy draft is caught


def test_sections_without_grades_say_so(synthetic: tuple[Path, dict[str, Path]]) -> None:
    cohort = report.gather(synthetic[0])
    assert not cohort.has_gradebook and cohort.grades == []
    assert report.NO_GRADES in report.autograde_html(cohort)
    assert report.NO_GRADES in report.rubric_html(cohort)
    assert report.figure_rubric_heatmap(cohort) is None
    funnel = report.completion_html(cohort)
    assert funnel.count('src="data:image/png;base64,') == 1 and 'alt="' in funnel
    text = re.sub(r"data:image/png;base64,[^\"]+", "", funnel + report.signals_html(cohort))
    for pid in ("p1", "p2", "p3", "Ada Lovelace"):
        assert pid not in text, "participants appear under pseudonyms only"


def test_empty_cohort_sections_do_not_fail(tmp_path: Path) -> None:
    cohort = report.gather(tmp_path)
    assert cohort.participants == []
    assert "No journals found" in report.overview_html(cohort, "Title")
    for section in (report.completion_html, report.signals_html, report.beliefs_html,
                    report.autograde_html, report.rubric_html, report.notes_html):
        assert "<p" in section(cohort) or "<ul" in section(cohort)


def test_html_table_escapes_every_cell() -> None:
    page = report.html_table(["<th>"], [[XSS], [None], [1.26]], caption="a & b")
    assert XSS not in page and "&lt;th&gt;" in page and "a &amp; b" in page
    assert "<td>–</td>" in page and "<td>1.3</td>" in page
    facts = report.html_table(None, [("Layout", "<b>x</b>")])
    assert '<th scope="row">Layout</th><td>&lt;b&gt;x&lt;/b&gt;</td>' in facts


# ----------------------------------------------------------------------------- with grades


def _course(root: Path, ids: list[str]) -> None:
    """A small nbgrader course made through the gradebook API, with known scores for p1, p2."""
    from nbgrader.api import Gradebook

    from mentor_workshop.facilitator.course import ensure_tools_on_path

    ensure_tools_on_path()
    (root / "nbgrader_config.py").parent.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "demo"\n')
    for pid in ids:
        _journal(root / "submitted" / pid / "mentor_workshop" / "journal.json",
                 {"request.draft": DRAFT_GOOD})
    steps = ("01_shortlist", "02_assumptions")
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{root / 'gradebook.db'}", "demo") as gb:
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes from nbgrader's API
        gb.add_assignment("mentor_workshop")
        for step in steps:
            gb.add_notebook(step, "mentor_workshop")
            gb.add_grade_cell(f"test_{step[:2]}", step, "mentor_workshop", max_score=3,
                              cell_type="code")
            gb.add_grade_cell(f"reflection_{step[:2]}", step, "mentor_workshop", max_score=7,
                              cell_type="markdown")
            gb.add_solution_cell(f"reflection_{step[:2]}", step, "mentor_workshop")
        for pid in ids:
            gb.add_student(pid)
            gb.add_submission("mentor_workshop", pid)
        # p1: checks 3 + 1 of 6, reflections 7 and (ungraded); p2: checks 0 + 0, reflection 2
        scores = {("p1", "01_shortlist"): (3, 7), ("p1", "02_assumptions"): (1, None),
                  ("p2", "01_shortlist"): (0, None), ("p2", "02_assumptions"): (0, 2)}
        for (pid, step), (check, reflection) in scores.items():
            if pid not in ids:
                continue
            gb.find_grade(f"test_{step[:2]}", step, "mentor_workshop", pid).auto_score = check
            if reflection is not None:
                gb.find_grade(f"reflection_{step[:2]}", step, "mentor_workshop",
                              pid).manual_score = reflection
        if ids:
            gb.find_comment("reflection_01", "01_shortlist", "mentor_workshop",
                            "p1").manual_comment = ("Rubric: Depth of reflection 3/3 · Next "
                                                    "action 2/2 · Uses the step's idea 2/2\nGreat.")
            gb.find_comment("reflection_02", "02_assumptions", "mentor_workshop",
                            "p2").manual_comment = ("Rubric: Depth of reflection 1/3 · "
                                                    "Next action 0/2")
        gb.db.commit()


def test_course_with_gradebook(tmp_path: Path) -> None:
    from mentor_workshop.facilitator.grading import KEY_PATH, pseudonyms

    course = tmp_path / "course"
    _course(course, ["p1", "p2"])
    key = b"k" * 64
    (course / KEY_PATH).parent.mkdir()
    (course / KEY_PATH).write_bytes(key + b"\n")

    cohort = report.gather(course)
    names = pseudonyms(key, ["p1", "p2"])  # the same pseudonyms as the blind grader
    assert cohort.has_gradebook and cohort.pseudonyms == names
    assert [p.pseudonym for p in cohort.participants] == sorted(names.values())

    totals = {t["pseudonym"]: t for t in report.autograde_totals(cohort)}
    assert totals[names["p1"]]["percent"] == pytest.approx(100 * 4 / 6)
    assert totals[names["p2"]]["percent"] == 0

    people, notebooks, matrix = report.rubric_matrix(cohort)
    assert notebooks == ["01_shortlist", "02_assumptions"]
    grid = dict(zip(people, matrix, strict=True))
    assert grid[names["p1"]] == [pytest.approx(1.0), None]
    assert grid[names["p2"]] == [None, pytest.approx(2 / 7)]

    people, titles, matrix = report.criteria_matrix(cohort)
    assert titles == ["Depth of reflection", "Next action", "Uses the step's idea"]
    grid = dict(zip(people, matrix, strict=True))
    assert grid[names["p1"]] == [1.0, 1.0, 1.0]
    assert grid[names["p2"]] == [pytest.approx(1 / 3), 0.0, None]

    rubric = report.rubric_html(cohort)
    assert rubric.count("data:image/png;base64,") == 3 and "2 reflections still to grade" in rubric
    assert report.NO_GRADES not in report.autograde_html(cohort)


# ----------------------------------------------------------------------------- the HTML file


def test_render_html_hides_code_stderr_and_skipped_cells() -> None:
    nb = nbformat.v4.new_notebook()
    skipped = nbformat.v4.new_markdown_cell("HOW-TO-ADAPT")
    skipped.metadata["tags"] = [report.SKIP_TAG]
    code = nbformat.v4.new_code_cell("SECRET_SOURCE = 1")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="A-WARNING"),
        nbformat.v4.new_output("display_data", data={"text/html": "<p>VISIBLE</p>"}),
    ]
    nb.cells = [skipped, code, nbformat.v4.new_markdown_cell("$x$ and a [link](#top)")]
    page = report.render_html(nb, "Spring <cohort> & co")
    assert "VISIBLE" in page
    for hidden in ("HOW-TO-ADAPT", "SECRET_SOURCE", "A-WARNING"):
        assert hidden not in page
    assert "<script" not in page
    assert report.remote_references(page) == []
    assert "<title>Spring &lt;cohort&gt; &amp; co</title>" in page


def test_remote_references_are_found() -> None:
    found = report.remote_references(
        '<img src="https://cdn.example/x.png"><link href=//cdn.example/a.css>'
        '<style>a{background:url( "http://x")} @import url(https://y);</style>'
        '<img src="data:image/png;base64,AAAA"><a href="#top">top</a>')
    assert len(found) == 4


def test_report_notebook_calls_real_functions() -> None:
    nb = nbformat.read(report.report_notebook(), as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assert {"source_dir", "title"} <= set(re.findall(r"^(\w+) =", params[0].source, re.M))
    called = {name for c in nb.cells if c.cell_type == "code"
              for name in re.findall(r"report\.(\w+)\(", c.source)}
    assert {"gather", "completion_html", "signals_html", "beliefs_html"} <= called
    assert all(hasattr(report, name) for name in called)


def _report_source(tmp_path: Path) -> Path:
    """The sample cohort as <id>.json files, plus three participants who typed markup."""
    source = tmp_path / "journals"
    source.mkdir()
    samples = _sample_journals()
    if samples:
        for path in samples:
            shutil.copy(path, source / path.name)
    else:  # the sample cohort never appeared: a synthetic one does the same job
        _synthetic(source, "files")
    for pid in ("zz1", "zz2", "zz3"):  # common enough to be among the beliefs shown
        _journal(source / f"{pid}.json", {"assumptions.beliefs": [_belief("own", XSS, 50, 20)]})
    return source


@pytest.mark.slow
def test_report_command_writes_self_contained_escaped_html(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _report_source(tmp_path)
    names = [json.loads(p.read_text()).get("participant", {}).get("name")
             for p in source.glob("*.json")]
    out = tmp_path / "out" / "report.html"
    kept = tmp_path / "executed.ipynb"
    code = main(["report", str(source), "--out", str(out), "--title", "Spring <cohort>",
                 "--notebook", str(kept)])
    assert code == 0, capsys.readouterr().err
    assert f"Report written to {out}" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")

    images = re.findall(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) >= 3
    assert all(base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n" for img in images)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert report.remote_references(page) == []
    assert "<script" not in page.lower()
    assert XSS not in page and "&lt;script&gt;alert(" in page
    assert "<h1>Spring &lt;cohort&gt;</h1>" in page
    assert report.NO_GRADES in page
    assert "print(" not in page and "report.gather" not in page  # code cells are hidden
    text = re.sub(r"data:image/[a-z+]+;base64,[^\"')]+", "", page)
    for name in filter(None, names):
        assert name not in text, "participants appear under pseudonyms only"
    assert not list(out.parent.glob(".*.tmp"))  # the atomic write left nothing behind

    executed = nbformat.read(kept, as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and str(source.resolve()) in injected[0].source


def test_report_command_on_an_empty_folder_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty"), "--out", str(out)]) == 2
    assert "No journals found" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    assert "There is no folder" in capsys.readouterr().err
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    assert main(["report", str(course), "--out", str(out)]) == 2
    assert "no submissions" in capsys.readouterr().err
    assert not out.exists()


def test_report_command_on_a_course_with_nothing_collected_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    course = tmp_path / "course"
    _course(course, [])
    assert main(["report", str(course), "--out", str(tmp_path / "r.html")]) == 2
    assert "no submissions" in capsys.readouterr().err
