"""The facilitator guide stays true: links resolve, generated pages match the curriculum data,
and every command it tells a facilitator to type is one the CLI accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from mentor_workshop.cli import build_parser
from mentor_workshop.core import curriculum
from mentor_workshop.facilitator import agenda

ROOT = Path(__file__).resolve().parent.parent
FACILITATOR = ROOT / "facilitator"
PAGES = sorted(FACILITATOR.glob("*.md"))
LINK = re.compile(r"(?<!!)\[[^\]]+\]\(([^)\s]+)\)")


@pytest.fixture(scope="module")
def cur() -> curriculum.Curriculum:
    return curriculum.load(ROOT / "exercises")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    return {_slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", page.read_text(), re.M)}


def _tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table in ``text`` as rows of cells (header and rule lines dropped)."""
    tables, current = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append([c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
        elif current:
            tables.append([row for row in current[2:]])
            current = []
    return tables


def test_guide_links_to_every_page_and_all_links_resolve() -> None:
    guide = FACILITATOR / "guide.md"
    linked = {m.group(1).split("#")[0] for m in LINK.finditer(guide.read_text())}
    for name in ("agenda.md", "roleplays.md", "answer_keys.md", "setup_checklist.md",
                 "rubric.md", "references.md", "templates.md", "model_requests.md",
                 "feedback_survey.md", "running_with_the_cli.md", "cohort_report.ipynb"):
        assert name in linked, f"guide.md does not link {name}"
    for page in PAGES:
        for target in (m.group(1) for m in LINK.finditer(page.read_text())):
            assert not target.startswith(("http:", "https:")), f"{page.name}: external {target}"
            path, _, anchor = target.partition("#")
            dest = (page.parent / path) if path else page
            assert dest.is_file(), f"{page.name}: broken link {target}"
            if anchor and dest.suffix == ".md":
                assert anchor in _anchors(dest), f"{page.name}: no heading for #{anchor}"


def test_generated_pages_are_up_to_date(cur: curriculum.Curriculum) -> None:
    assert (FACILITATOR / "agenda.md").read_text() == agenda.agenda_markdown(cur), (
        "facilitator/agenda.md is stale: run "
        "python -m mentor_workshop.facilitator.agenda --write facilitator/")
    for name, text in agenda.pages(cur).items():
        assert (FACILITATOR / name).read_text() == text, (
            f"facilitator/{name} is stale: run "
            "python -m mentor_workshop.facilitator.agenda --write facilitator/")


def _minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def test_agenda_tables_match_the_curriculum_and_add_up(cur: curriculum.Curriculum) -> None:
    """Read the tables as a facilitator would: rows follow on, step rows match curriculum.yaml,
    and every session's rows add up exactly to its length, the buffer included."""
    tables = _tables((FACILITATOR / "agenda.md").read_text())
    sessions = [s for fmt in ("half_day", "two_sessions") for s in agenda.agenda(cur, fmt)]
    assert len(tables) == len(sessions) == 3  # the half day, then the two sessions
    by_title = {f"{s.number:02d} {s.title}": s for s in cur.steps}
    for table, session in zip(tables, sessions, strict=True):
        previous_end = 0
        for start, end, title, framing, exercise, pair, reflection, minutes in table:
            assert _minutes(start) == previous_end, f"gap or overlap before {title}"
            assert _minutes(end) - _minutes(start) == int(minutes)
            previous_end = _minutes(end)
            step = by_title.get(title)
            if step is not None:
                live = step.live_minutes
                assert [int(framing), int(exercise), int(pair), int(reflection)] == [
                    live.framing, live.exercise, live.discussion, live.reflection], title
                assert int(minutes) == live.total
        assert previous_end == session.length, f"{session.title} does not add up"
        assert sum(s.minutes for s in session.segments) == session.length
        assert session.used + session.buffer == session.length
    for fmt in ("half_day", "two_sessions"):
        titles = [s.title for session in agenda.agenda(cur, fmt) for s in session.segments]
        steps = [t for t in titles if t in by_title]
        # every step of the core workshop, once and in order (a later step may be a named slot)
        core = [t for t, s in by_title.items() if s.number <= 10]
        assert [t for t in steps if t in core] == core


def test_half_day_has_buffer_break_roleplays_and_ends_with_the_ask(
        cur: curriculum.Curriculum) -> None:
    (day,) = agenda.agenda(cur, "half_day")
    assert day.length == 210 and day.buffer >= 15
    kinds = [s.kind for s in day.segments]
    assert kinds.count("break") == 1
    roleplays = [s for s in day.segments if s.kind == "roleplay"]
    assert len(roleplays) == 2 and all(12 <= s.minutes <= 15 for s in roleplays)
    # the trios of steps 03 and 07 are the role-plays, right after their step
    for play, step_id in zip(roleplays, ("03_request", "07_rejection"), strict=True):
        before = day.segments[day.segments.index(play) - 1]
        assert before.step_id == step_id
    planned = [s for s in day.segments if s.kind != "buffer"]
    assert any(s.kind == "plan" and "ask" in s.title.lower() and "follow-up" in s.title.lower()
               for s in planned[-3:])
    text = (FACILITATOR / "agenda.md").read_text()
    assert "### When you run late, cut this (half day)" in text


def test_two_sessions_break_in_each_notes_everywhere_and_debrief_first(
        cur: curriculum.Curriculum) -> None:
    first, second = agenda.agenda(cur, "two_sessions")
    for session in (first, second):
        assert session.length == 120 and session.buffer >= 0
        assert any(s.kind == "break" for s in session.segments)
        assert all(s.notes.strip() for s in session.segments)
    assert first.segments[-1].kind == "buffer" or first.segments[-1].kind == "plan"
    assert any(s.kind == "plan" and "ask" in s.title.lower() for s in first.segments)
    assert second.segments[0].kind == "debrief" and "real" in second.segments[0].title.lower()
    assert "11_follow_up" in second.segments[1].notes
    text = (FACILITATOR / "agenda.md").read_text()
    assert "### Between the sessions" in text


def test_an_agenda_that_overruns_its_buffer_is_refused(
        cur: curriculum.Curriculum, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "exercises"
    shutil.copytree(ROOT / "exercises", folder)
    path = folder / "agenda.yaml"
    path.write_text(path.read_text().replace("minutes: 210", "minutes: 200", 1))
    mine = curriculum.load(folder)
    with pytest.raises(curriculum.CurriculumError,
                       match=r"agenda.yaml, line \d+: .*cut 10 minutes"):
        agenda.agenda(mine, "half_day")
    assert agenda.main(["--exercises", str(folder), "--check", str(tmp_path)]) == 1


def test_answer_keys_match_the_yaml(cur: curriculum.Curriculum) -> None:
    text = (FACILITATOR / "answer_keys.md").read_text()
    rows = {r[0]: r for table in _tables(text) for r in table}
    tone = cur.step("05_vulnerability_confidence").content
    for phrase in tone.sorting:
        label = getattr(tone.categories, phrase.answer).label
        assert rows[phrase.text.replace("|", "\\|")][1] == label, phrase.id
    for scenario in cur.step("07_rejection").content.scenarios:
        for option in scenario.options:
            row = rows[" ".join(option.text.split())]
            assert (row[1] == "**best**") == option.best, (scenario.id, option.id)


def test_unknown_agenda_format(cur: curriculum.Curriculum) -> None:
    with pytest.raises(ValueError, match="unknown agenda format"):
        agenda.agenda(cur, "weekend")


def test_agenda_with_clock_times(cur: curriculum.Curriculum) -> None:
    text = agenda.agenda_markdown(cur, start="09:30")
    first_row = _tables(text)[0][0]
    assert first_row[:2] == ["09:30", f"09:{30 + cur.steps[0].live_minutes.total}"]


def test_write_and_check_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert agenda.main(["--check", str(tmp_path)]) == 1
    assert agenda.main(["--write", str(tmp_path)]) == 0
    assert agenda.main(["--check", str(tmp_path)]) == 0
    (tmp_path / "answer_keys.md").write_text("edited by hand\n")
    assert agenda.main(["--check", str(tmp_path)]) == 1
    assert "answer_keys.md" in capsys.readouterr().err


def test_every_command_in_the_guide_is_accepted_by_the_cli() -> None:
    page = (FACILITATOR / "running_with_the_cli.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", page, re.S)
    lines = [ln.strip() for block in blocks for ln in block.splitlines() if ln.strip()]
    parser = build_parser()
    seen = set()
    for line in lines:
        words = shlex.split(line)
        if words[0] == "mentor-workshop":
            args = parser.parse_args(words[1:])  # argparse exits (fails the test) on a bad line
            assert getattr(args, "handler", None), line
            seen.add(" ".join(words[1:3]) if words[1] == "grade" else words[1])
        elif words[:3] == ["python", "-m", "mentor_workshop.curriculum"]:
            seen.add("curriculum")
        elif words[:2] == ["make", "demo"]:
            seen.add("demo")
    required = {"demo", "curriculum", "init", "release", "personalize", "status", "collect",
                "autograde", "grade export", "grade import", "feedback", "export", "plans",
                "report"}
    assert required <= seen, f"the CLI page misses {sorted(required - seen)}"
    assert "grade_reflections.ipynb" in page
