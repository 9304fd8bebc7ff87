"""Step 09's exercise: typed answers reach journal.json, survive a restart, and stay safe."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import ipywidgets as w
import pytest
from conftest import built, on_disk

from mentor_workshop.core import curriculum
from mentor_workshop.core.journal import Journal
from mentor_workshop.participant.widgets.within import LeadFromWithin

CONTENT = curriculum.load().step("09_lead_from_within").content


def fill(ex: LeadFromWithin) -> None:
    ex.every.value = 4
    ex.channel.value = CONTENT.rhythm.channels[1]
    ex.report_back.value = "After my first team review I'll email her what worked."
    ex.tie_name.value = "Jonas, my first manager"
    ex.tie_why.value = "He now leads analytics in the sector I want to join."
    ex.action.value = "Send my request to Dr Johnson"
    ex.when.value = date(2030, 4, 15)


EXPECTED = {
    "within.rhythm": {"every_weeks": 4, "channel": CONTENT.rhythm.channels[1]},
    "within.report_back": "After my first team review I'll email her what worked.",
    "within.dormant_tie": {"name": "Jonas, my first manager",
                           "why": "He now leads analytics in the sector I want to join."},
    "within.commitment": {"action": "Send my request to Dr Johnson", "date": "2030-04-15"},
}


def test_every_answer_is_saved_as_typed(journal_path: Path) -> None:
    ex = built("09_lead_from_within", journal_path)
    fill(ex)
    assert on_disk(journal_path) == EXPECTED
    assert "Saved" in ex.status.value


def test_answers_survive_a_kernel_restart(journal_path: Path, fresh_kernel) -> None:
    fill(built("09_lead_from_within", journal_path))
    out = fresh_kernel.run(f"""
        import json
        from mentor_workshop.participant.widgets import exercise
        ex = exercise("09_lead_from_within")({str(journal_path)!r})
        ex.widget()
        print(json.dumps({{
            "every": ex.every.value, "channel": ex.channel.value,
            "report_back": ex.report_back.value, "tie_name": ex.tie_name.value,
            "tie_why": ex.tie_why.value, "action": ex.action.value,
            "when": ex.when.value.isoformat(), "status": ex.status.value,
        }}))
    """)
    restored = json.loads(out.strip().splitlines()[-1])
    assert restored == {
        "every": 4, "channel": CONTENT.rhythm.channels[1],
        "report_back": EXPECTED["within.report_back"],
        "tie_name": "Jonas, my first manager", "tie_why": EXPECTED["within.dormant_tie"]["why"],
        "action": "Send my request to Dr Johnson", "when": "2030-04-15",
        "status": "",  # restoring is not a change: nothing is re-saved
    }


def test_inputs_are_labelled_and_findable(journal_path: Path) -> None:
    ex = built("09_lead_from_within", journal_path)
    inputs = {
        "mw-09-every-weeks": ex.every, "mw-09-channel": ex.channel,
        "mw-09-report-back": ex.report_back, "mw-09-tie-name": ex.tie_name,
        "mw-09-tie-why": ex.tie_why, "mw-09-action": ex.action, "mw-09-date": ex.when,
    }
    for css, widget in inputs.items():
        assert css in widget._dom_classes
        assert widget.description.strip(), f"{css} needs a visible label"
    for text in (ex.channel, ex.report_back, ex.tie_name, ex.tie_why, ex.action):
        assert text.continuous_update is True
    labels = [label for label, _ in ex.every.options]
    assert labels[1:] == [f"Every {n} weeks" for n in CONTENT.rhythm.options_weeks]
    assert list(ex.channel.options) == list(CONTENT.rhythm.channels)
    assert ex.report_back.description == CONTENT.fields.report_back.label
    assert ex.when.description == CONTENT.fields.commitment.date.label


def test_a_channel_of_your_own_is_kept(journal_path: Path) -> None:
    ex = built("09_lead_from_within", journal_path)
    ex.channel.value = "Lunch once a quarter"
    assert on_disk(journal_path)["within.rhythm"] == {"channel": "Lunch once a quarter"}


def test_an_old_answer_outside_todays_options_is_kept(journal_path: Path) -> None:
    Journal(journal_path).save("within.rhythm", {"every_weeks": 3, "channel": "Postcards"})
    ex = built("09_lead_from_within", journal_path)
    assert ex.every.value == 3 and ("Every 3 weeks", 3) in ex.every.options
    assert ex.channel.value == "Postcards"


def test_the_date_says_what_it_means(journal_path: Path) -> None:
    ex = built("09_lead_from_within", journal_path)
    assert "No date yet" in ex.date_note.value
    ex.when.value = date.today() + timedelta(days=3)
    assert "in 3 days" in ex.date_note.value and "✓" in ex.date_note.value
    ex.when.value = date.today() - timedelta(days=2)
    assert "has already passed" in ex.date_note.value
    assert on_disk(journal_path)["within.commitment"]["date"] == (
        date.today() - timedelta(days=2)).isoformat(), "a past date is kept, only questioned"
    ex.when.value = None
    assert "date" not in on_disk(journal_path)["within.commitment"]
    assert "No date yet" in ex.date_note.value


@pytest.mark.parametrize("junk", [7, "soon", ["x"], {"every_weeks": "often"}, None])
def test_malformed_journal_values_start_blank(journal_path: Path, junk: object) -> None:
    journal = Journal(journal_path)
    for key in LeadFromWithin.keys:
        journal.save(key, junk)
    journal.save("within.commitment", {"action": 5, "date": "next Tuesday"})
    ex = built("09_lead_from_within", journal_path)
    assert ex.every.value is None and ex.when.value is None
    assert ex.action.value == ""
    ex.tie_name.value = "Jonas"
    assert on_disk(journal_path)["within.dormant_tie"]["name"] == "Jonas"


def test_an_unwritable_journal_is_reported_in_words(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("", encoding="utf-8")
    ex = built("09_lead_from_within", blocker / "journal.json")
    ex.report_back.value = "I will tell her how the review went."
    assert "Not saved" in ex.status.value and "writable" in ex.status.value
    assert ex.report_back.value == "I will tell her how the review went."


def test_grading_mode_shows_a_summary_and_writes_nothing(
        journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = Journal(journal_path)
    for key, value in EXPECTED.items():
        journal.save(key, value)
    journal.save("within.report_back", "<script>alert(1)</script> then the review")
    before = journal_path.read_bytes()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    ex = LeadFromWithin(journal_path)
    summary = ex.summary_html()
    assert "Every 4 weeks — " + CONTENT.rhythm.channels[1] in summary
    assert "Send my request to Dr Johnson — by 2030-04-15" in summary
    assert "Jonas, my first manager — He now leads" in summary
    assert "&lt;script&gt;" in summary and "<script>" not in summary
    ex.widget()
    ex.report_back.value = "changed while grading"
    ex.when.value = date(2031, 1, 1)
    assert journal_path.read_bytes() == before


def test_summary_of_an_empty_journal_says_not_answered(journal_path: Path) -> None:
    summary = LeadFromWithin(journal_path).summary_html()
    assert summary.count("(not answered)") == 4


def test_check_button_runs_the_step_check(journal_path: Path) -> None:
    ex = built("09_lead_from_within", journal_path)
    button = next(c for c in ex.widget().children if isinstance(c, w.VBox)
                  and c.children and isinstance(c.children[0], w.Button))
    button.children[0].click()
    assert "Not complete yet" in ex.result.value
    fill(ex)
    ex.report_back.value = "After my first team review I will email her what worked and what not."
    # The check wants the participant's own words (not the placeholder's "Jonas, my first
    # manager") and a date that is ahead but not years away.
    ex.tie_name.value = "Tomasz, who trained me at my first job"
    ex.when.value = date.today() + timedelta(weeks=6)
    button.children[0].click()
    assert "Complete" in ex.result.value and "Not complete" not in ex.result.value
