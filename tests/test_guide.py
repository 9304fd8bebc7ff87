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
    assert (FACILITATOR / "answer_keys.md").read_text() == agenda.answer_keys_markdown(cur), (
        "facilitator/answer_keys.md is stale: run "
        "python -m mentor_workshop.facilitator.agenda --write facilitator/")


def _minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def test_agenda_tables_match_the_curriculum(cur: curriculum.Curriculum) -> None:
    """Read the tables as a facilitator would and compare each row with curriculum.yaml."""
    tables = _tables((FACILITATOR / "agenda.md").read_text())
    assert len(tables) == 3  # the half day, then the two sessions
    by_title = {f"{s.number:02d} {s.title}": s for s in cur.steps}
    for index, table in enumerate(tables):
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
            elif title == "Break":
                assert index == 0 and int(minutes) == cur.session.break_minutes
        limit = cur.session.total_minutes if index == 0 else 120
        assert previous_end <= limit

    half_day = [row[2] for row in tables[0]]
    assert [t for t in half_day if t in by_title] == list(by_title)
    assert half_day.index("Break") == half_day.index(
        next(t for t, s in by_title.items() if s.id == cur.session.break_after)) + 1
    both = [row[2] for table in tables[1:] for row in table]
    assert [t for t in both if t in by_title] == list(by_title)


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


def test_agenda_splits_by_live_minutes_without_a_named_break(
        cur: curriculum.Curriculum) -> None:
    frame = cur.session.model_copy(update={"break_after": None})
    plain = curriculum.Curriculum(cur.root, cur.title, cur.subtitle, frame, cur.steps, cur.rubric)
    first, second = agenda.agenda(plain, "two_sessions")
    firsts = [s.step_id for s in first.segments if s.step_id]
    live = [s.live_minutes.total for s in cur.steps]
    cut = len(firsts)
    halfway = sum(live) / 2
    assert all(abs(sum(live[:cut]) - halfway) <= abs(sum(live[:k]) - halfway)
               for k in range(1, len(live)))
    assert [s.step_id for s in second.segments if s.step_id] == [s.id for s in cur.steps[cut:]]
    assert all(s.title != "Break" for s in agenda.agenda(plain)[0].segments)
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
