"""The self-paced path: scripted role-plays, private self-assessment, the pace, "Where am I"."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from conftest import html_of, on_disk, one, run_notebook, widget_texts, write_journal
from courses import grades, make_course
from journals import answers_for, complete_answers

from mentor_workshop.core import solo
from mentor_workshop.core.journal import JOURNAL_FILENAME, Journal
from mentor_workshop.core.journal_format import private_removed, read_journal_data
from mentor_workshop.core.steps import STEPS
from mentor_workshop.errors import ContentError
from mentor_workshop.facilitator.sandbox import available as sandbox_available
from mentor_workshop.participant.plan import export
from mentor_workshop.participant.solo.choice import PATH_KEY, SCHEDULE_KEY, SELF_KEY
from mentor_workshop.participant.solo.progress import done_steps, where_am_i_html
from mentor_workshop.participant.start import lay_out
from mentor_workshop.participant.widgets import exercise
from mentor_workshop.participant.widgets.roleplay import WrittenRoleplay
from mentor_workshop.participant.widgets.self_assessment import SelfAssessment, anchor
from mentor_workshop.participant.widgets.solo_path import PathChoice

ROOT = Path(__file__).resolve().parent.parent
NEEDY = ("Sorry, I'm so sorry to bother you, I know you are far too busy and I hate to ask, "
         "sorry again, I hope this is all right.")
CLEAR = ("Hello, I'm Priya, a product manager at a health start-up. Your talk on shipping "
         "small changes made me rethink how my team releases. Would you have thirty minutes "
         "for a call in the next month to talk about leading a team? Thank you either way.")


# ------------------------------------------------------------------ content and replies


def test_a_needy_draft_and_a_clear_one_get_different_replies() -> None:
    script = solo.load().roleplays["03_request"]
    needy, clear = solo.leader_reply(script, NEEDY), solo.leader_reply(script, CLEAR)
    assert needy.id == "apologetic" and needy.signals["neediness"] == "problem"
    assert clear.id == "glad_to"
    assert needy.leader != clear.leader and needy.lesson != clear.lesson
    vague = solo.leader_reply(script, "Hello, I'm Priya. I really liked your talk.")
    assert vague.id == "what_exactly"


def test_hearing_a_no_reacts_to_thanks_and_to_arguing() -> None:
    script = solo.load().roleplays["07_rejection"]
    assert script.leader_opens
    kind = solo.leader_reply(script, "Thank you for letting me know, I understand. I will get "
                                     "in touch in the spring.")
    curt = solo.leader_reply(script, "OK.")
    assert (kind.id, curt.id) == ("gracious", "no_thanks")


@pytest.mark.parametrize(("edit", "message"), [
    (lambda s: s.replace("{neediness: [problem]}", "{neediess: [problem]}", 1),
     "no feedback signal 'neediess'"),
    (lambda s: s.replace("[06_be_gracious,", "[06_be_gracous,", 1), "no step '06_be_gracous'"),
    (lambda s: s.replace("      - id: glad_to\n", "      - id: glad_to\n        when: "
                         "{length: [good]}\n", 1), "last reply is the default"),
    (lambda s: s.replace("ask_day: 7", "ask_day: 3"), "the ask comes after the last sitting"),
])
def test_a_broken_solo_file_names_file_line_and_fix(tmp_path: Path, edit, message: str) -> None:
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "solo.yaml").write_text(edit((ROOT / "exercises/solo.yaml").read_text()))
    with pytest.raises(ContentError) as caught:
        solo.load(folder)
    assert message in str(caught.value) and "exercises/solo.yaml, line " in str(caught.value)


def test_the_curriculum_checker_reports_a_broken_solo_file(tmp_path: Path, capsys) -> None:
    from mentor_workshop.core.curriculum import main

    folder = tmp_path / "exercises"
    shutil.copytree(ROOT / "exercises", folder)
    assert main([str(folder)]) == 0
    solo_file = folder / "solo.yaml"
    solo_file.write_text(solo_file.read_text().replace("{neediness: [problem]}",
                                                       "{neediness: [awful]}", 1))
    assert main([str(folder)]) == 1
    err = capsys.readouterr().err
    assert "exercises/solo.yaml, line" in err and "Traceback" not in err


def test_a_broken_solo_file_in_a_notebook_is_a_message_not_a_traceback(
        tmp_path: Path, journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mentor_workshop.participant import notebook_parts

    folder = tmp_path / "exercises"
    shutil.copytree(ROOT / "exercises", folder)
    (folder / "solo.yaml").write_text("roleplays: [\n")
    monkeypatch.setenv("MENTOR_WORKSHOP_EXERCISES", str(folder))
    journal = write_journal(journal_path, {PATH_KEY: "solo", SCHEDULE_KEY: {"start": "2031-03-03"}})
    shown: list = []
    monkeypatch.setattr(notebook_parts, "display", shown.append)
    notebook_parts.reflection("03_request", journal)
    notebook_parts.intro("03_request", journal=journal)
    text = "".join(h.data for h in shown)
    assert "The self-paced parts cannot be shown" in text and "solo.yaml" in text
    assert "Where am I" in text


def test_the_pace_is_three_sittings_in_a_week_then_the_ask_then_the_follow_up() -> None:
    start = date(2031, 3, 3)
    days = solo.schedule_days(start)
    sittings = [d for d in days if d.kind == "sitting"]
    assert len(sittings) == 3 and all(d.day - start < timedelta(days=7) for d in sittings)
    ask, follow_up = days[-2:]
    assert (ask.kind, follow_up.kind) == ("ask", "follow_up")
    assert ask.day > sittings[-1].day and follow_up.day - ask.day == timedelta(days=14)
    covered = [s for d in sittings for s in d.steps]
    assert covered[0] == "00_welcome" and "10_my_plan" in covered


# ------------------------------------------------------------------ widgets


def test_choosing_on_my_own_saves_the_path_and_a_dated_pace(journal_path: Path) -> None:
    assert exercise("00_welcome.path") is PathChoice
    ex = PathChoice(journal_path)
    root = ex.widget()
    one(root, "mw-00-path").value = "solo"
    saved = on_disk(journal_path)
    assert saved[PATH_KEY] == "solo"
    assert saved[SCHEDULE_KEY] == {"start": date.today().isoformat()}
    assert "Send your mentoring request" in ex.schedule.value
    one(root, "mw-00-start").value = date(2031, 3, 3)
    assert on_disk(journal_path)[SCHEDULE_KEY] == {"start": "2031-03-03"}
    assert "Mon 03 Mar" in ex.schedule.value
    again = PathChoice(journal_path)
    again.widget()
    assert again.choice.value == "solo" and again.start.value == date(2031, 3, 3)


def test_written_roleplay_answers_and_is_kept(journal_path: Path) -> None:
    ex = WrittenRoleplay("03_request", journal_path)
    root = ex.widget()
    one(root, "mw-solo-message").value = NEEDY
    one(root, "mw-solo-send").click()
    assert "no need to apologise" in ex.reply.value
    assert 'data-reply="apologetic"' in ex.reply.value
    assert on_disk(journal_path)["solo.roleplay.03_request"] == {"message": NEEDY,
                                                                 "reply": "apologetic"}
    one(root, "mw-solo-message").value = CLEAR + " <script>x</script>"
    one(root, "mw-solo-send").click()
    assert "glad to" in ex.reply.value and "<script>" not in ex.reply.value
    restored = WrittenRoleplay("03_request", journal_path)
    restored.widget()
    assert "glad to" in restored.reply.value


def test_self_assessment_is_saved_privately_with_a_total(journal_path: Path) -> None:
    ex = SelfAssessment("03_request", journal_path)
    root = ex.widget()
    one(root, "mw-self-depth").value = 2
    assert on_disk(journal_path)[SELF_KEY] == {"03_request": {"depth": 2}}
    assert "criteria scored" in ex.total.value
    for criterion_id, buttons in ex.choices.items():
        buttons.value = 1 if criterion_id != "depth" else 2
    assert "Your score:" in ex.total.value
    again = SelfAssessment("03_request", journal_path)
    again.widget()
    assert again.choices["depth"].value == 2


def test_levels_show_the_step_anchor_when_the_rubric_has_one() -> None:
    level = SimpleNamespace(description="Connects the idea to their own experience.",
                            anchors={"03_request": "I wrote four apologies before the ask."})
    assert "four apologies" in anchor(level, "03_request")
    assert anchor(level, "07_rejection") == level.description
    assert anchor(SimpleNamespace(description="d"), "03_request") == "d"


# ------------------------------------------------------------------ privacy


def _solo_journal(path: Path, share: bool = False) -> Journal:
    answers = {**answers_for("00_welcome"), PATH_KEY: "solo",
               SELF_KEY: {"03_request": {"depth": 3}}}
    if share:
        answers["welcome.share_self_assessment"] = True
    return write_journal(path, answers)


def test_facilitator_readers_never_see_self_scores(journal_path: Path) -> None:
    _solo_journal(journal_path)
    assert SELF_KEY in on_disk(journal_path)  # the learner's own copy keeps them
    seen = read_journal_data(journal_path)
    assert SELF_KEY not in seen["answers"] and SELF_KEY not in seen["saved_at"]
    assert seen["answers"][PATH_KEY] == "solo"
    stripped = json.loads(private_removed(journal_path.read_bytes()))
    assert SELF_KEY not in stripped["answers"]
    assert private_removed(b"{not json") == b"{not json"


def test_a_learner_may_share_self_scores_after_joining_a_cohort(journal_path: Path) -> None:
    _solo_journal(journal_path, share=True)
    assert read_journal_data(journal_path)["answers"][SELF_KEY] == {"03_request": {"depth": 3}}


@pytest.mark.slow  # makes, releases, collects and autogrades a course
def test_a_start_made_folder_is_collected_and_graded_like_any_other(tmp_path: Path) -> None:
    from mentor_workshop.facilitator import course as mw_course
    from mentor_workshop.facilitator.autograde import autograde

    course = make_course(tmp_path, ["00_welcome", "03_request"])
    folder = tmp_path / "inbox" / "p01"
    lay_out(folder)
    _solo_journal(folder / JOURNAL_FILENAME)
    shutil.copy(folder / JOURNAL_FILENAME, folder / f"{JOURNAL_FILENAME}.bak")
    report = mw_course.collect(course, tmp_path / "inbox")
    assert report.collected == ["p01"]
    line = next(ln for ln in report.lines if ln.participant == "p01")
    assert "not a readable notebook" not in line.message
    submitted = course / "submitted" / "p01" / "mentor_workshop"
    for name in (JOURNAL_FILENAME, f"{JOURNAL_FILENAME}.bak"):
        answers = json.loads((submitted / name).read_text())["answers"]
        assert SELF_KEY not in answers and answers[PATH_KEY] == "solo", name
    assert (submitted / "03_request.ipynb").is_file()
    autograde(course, workers=1, progress=False,
              sandbox=sandbox_available()[0])
    scores = grades(course)
    assert scores[("p01", "00_welcome", "test_00")][0] == 1.0  # 00 complete: full marks
    assert scores[("p01", "03_request", "test_03")][0] == 0.0  # 03 not done


# ------------------------------------------------------------------ where am I, pace, notebooks


def test_where_am_i_counts_done_steps_from_the_journal(journal_path: Path) -> None:
    journal = write_journal(journal_path, answers_for("00_welcome", "01_shortlist"))
    header = where_am_i_html("03_request", journal)
    assert "Done: 2 of " in header and "(00, 01)" in header
    assert "You are here: Step 3" in header and "Next: Step 4" in header
    assert "Still open before this one: 02" in header
    journal = write_journal(journal_path, complete_answers())
    ids = STEPS.ids()
    still_open = [s for s in ids[ids.index("03_request") + 1:] if s not in done_steps(journal)]
    expected = (f"Next: Step {int(still_open[0][:2])}" if still_open  # a step added later
                else "Next: every later step is done")
    assert expected in where_am_i_html("03_request", journal)
    assert "This is the last step" in where_am_i_html(ids[-1], journal)


def test_where_am_i_is_right_in_a_fresh_kernel(tmp_path: Path, fresh_kernel) -> None:
    write_journal(tmp_path / JOURNAL_FILENAME, answers_for("00_welcome"))
    out = fresh_kernel.run('''
from mentor_workshop.core.journal import Journal
from mentor_workshop.participant.solo.progress import done_steps, where_am_i_html
print(where_am_i_html("01_shortlist", Journal("journal.json")))
''')
    assert "Done: 1 of " in out and "You are here: Step 1" in out


def test_the_pace_goes_into_the_plan_calendar(tmp_path: Path) -> None:
    journal = write_journal(tmp_path / JOURNAL_FILENAME, {
        **complete_answers(), PATH_KEY: "solo", SCHEDULE_KEY: {"start": "2031-03-03"}})
    written = export(journal, tmp_path)
    ics = written["ics"].read_text()
    assert "sitting 1: steps 00–02" in ics and "DTSTART;VALUE=DATE:20310310" in ics
    assert "Follow up on your mentoring request" in ics
    assert "first mentoring meeting" in ics  # the plan's own events are still there
    journal.save(PATH_KEY, "workshop")
    assert "sitting 1" not in export(journal, tmp_path)["ics"].read_text()


@pytest.mark.slow  # executes notebooks
def test_solo_notebook_shows_roleplay_and_self_assessment(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write_journal(tmp_path / JOURNAL_FILENAME, {PATH_KEY: "solo"})
    nb = run_notebook("03_request", tmp_path)
    text = widget_texts(nb)
    assert "Where am I" in html_of(nb.cells)
    assert "Practise it: Make the ask, in writing" in text and "Score your own reflection" in text
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    graded = run_notebook("03_request", tmp_path)
    shown = widget_texts(graded) + html_of(graded.cells)
    assert "Where am I" not in shown and "Score your own reflection" not in shown


def test_workshop_notebook_has_no_solo_parts(tmp_path: Path) -> None:
    nb = nbformat.read(ROOT / "notebooks" / "00_welcome.ipynb", as_version=4)
    assert any(c.source == 'mw.show("00_welcome.path")' for c in nb.cells)


def test_hiding_the_solo_parts_hides_nothing_else(journal_path: Path) -> None:
    """The shared full-width layout must never be the one hidden (it would hide every widget)."""
    from mentor_workshop.participant.widgets.base import FULL

    ex = PathChoice(journal_path)
    ex.widget()
    ex.choice.value = "workshop"
    assert ex.solo_box.layout.display == "none" and FULL.display in (None, "")
