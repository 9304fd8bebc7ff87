"""Step 03 widget (channel, notes, draft) and the live feedback panel it shares with 04 and 05."""

from __future__ import annotations

import json
import re
from pathlib import Path

import ipywidgets as w
import pytest
from conftest import FIND_SRC, grading_display, on_disk, one, rows, write_journal
from journals import DRAFT, FIRST_PICK, LEADERS, PROFILE, answers_for

from mentor_workshop.core import curriculum
from mentor_workshop.participant.widgets import exercise
from mentor_workshop.participant.widgets.feedback_panel import (
    EMPTY_MESSAGE,
    FeedbackPanel,
    signal_names,
)
from mentor_workshop.participant.widgets.request import (
    BUILD_LABEL,
    NO_PICK,
    REPLACE_LABEL,
    Request,
    build_draft,
)

CONTENT = curriculum.load().step("03_request").content
NEEDY = "I'm so sorry to bother you. I know you're far too busy."
CALM = "Would you be open to a 30-minute call next month? Thank you for considering it."


# ------------------------------------------------------------------------ the feedback panel


def test_panel_signal_appears_and_clears() -> None:
    box = w.Textarea()
    panel = FeedbackPanel(box, names=("neediness", "overconfidence"))
    assert "mw-feedback-panel" in panel.widget._dom_classes
    assert 'class="mw-feedback mw-feedback-empty"' in panel.widget.value
    assert EMPTY_MESSAGE in panel.widget.value

    box.value = NEEDY
    assert rows(panel.widget.value) == {"neediness": "problem", "overconfidence": "good"}
    assert '<section class="mw-feedback"' in panel.widget.value
    assert "far too busy" in panel.widget.value  # the triggering words are quoted

    box.value = CALM
    assert rows(panel.widget.value) == {"neediness": "good", "overconfidence": "good"}
    assert panel.levels == {"neediness": "good", "overconfidence": "good"}


def test_panel_unfiltered_shows_every_signal_and_escapes_text() -> None:
    box = w.Textarea(value="<script>alert(1)</script> " + CALM)
    panel = FeedbackPanel(box)
    assert len(rows(panel.widget.value)) == 9
    assert "<script>" not in panel.widget.value
    assert "&lt;script&gt;" in panel.widget.value


def test_panel_reads_context_on_every_refresh() -> None:
    context = {"leader_work": ""}
    box = w.Textarea(value="The tenant panels at Northbridge changed how I plan repairs with "
                           "residents in my own team.")
    panel = FeedbackPanel(box, context=lambda: dict(context), names="admiration")
    assert panel.levels == {"admiration": "consider"}
    context["leader_work"] = "tenant panels at Northbridge"
    panel.refresh()
    assert panel.levels == {"admiration": "good"}


def test_panel_never_raises_on_bad_context() -> None:
    box = w.Textarea()
    panel = FeedbackPanel(box, context=lambda: {"leader_name": 42})
    box.value = CALM  # must not raise into the notebook
    assert panel.signals == []
    assert "mw-feedback-error" in panel.widget.value
    assert "Your text is still saved" in panel.widget.value
    assert "leader_name" in panel.error


def test_panel_rejects_unknown_signal_names_when_built() -> None:
    with pytest.raises(ValueError, match="choose from: length"):
        signal_names(["neediness", "tonality"])


def test_panel_listeners_hear_every_update() -> None:
    heard: list[list[str]] = []
    box = w.Textarea()
    panel = FeedbackPanel(box, names=("neediness",))
    panel.on_update(lambda sigs: heard.append([s.level.value for s in sigs]))
    box.value = NEEDY
    box.value = ""
    assert heard == [[], ["problem"], []]


# ------------------------------------------------------------------------ the request exercise


def test_registry() -> None:
    assert exercise("03_request") is Request


def test_no_first_pick_is_said_kindly(journal_path: Path) -> None:
    root = Request(journal_path).widget()
    assert NO_PICK.split(" — ")[0] in one(root, "mw-03-addressee").value
    # the participant can still write
    one(root, "mw-03-draft").value = CALM
    assert on_disk(journal_path)["request.draft"] == CALM


def test_first_pick_is_named_and_escaped(journal_path: Path) -> None:
    leaders = [dict(x, name="Katherine <b>Johnson</b>") if x["id"] == FIRST_PICK else x
               for x in LEADERS]
    write_journal(journal_path,
                  {"shortlist.leaders": leaders, "shortlist.first_pick": FIRST_PICK})
    html = one(Request(journal_path).widget(), "mw-03-addressee").value
    assert "Katherine &lt;b&gt;Johnson&lt;/b&gt;" in html and "<b>" not in html
    assert "Mathematician" in html


def test_channel_tradeoffs_from_content(journal_path: Path) -> None:
    root = Request(journal_path).widget()
    channel = one(root, "mw-03-channel")
    assert channel.value is None  # nothing preselected
    assert [v for _, v in channel.options] == ["in_person", "email", "phone", "letter"]
    tradeoffs = one(root, "mw-03-tradeoffs-box")
    for ch in CONTENT.channels:
        assert ch.label in tradeoffs.value
    assert "Roghanizad &amp; Bohns 2017" in tradeoffs.value
    assert "your choice" not in tradeoffs.value
    channel.value = "letter"
    assert re.search(r'data-channel="letter"><strong>Handwritten letter — ✓ your choice',
                     tradeoffs.value)
    assert on_disk(journal_path)["request.channel"] == "letter"


def test_compose_save_and_restore(journal_path: Path, fresh_kernel) -> None:
    write_journal(journal_path, {
        "shortlist.leaders": LEADERS, "shortlist.first_pick": FIRST_PICK,
        "welcome.profile": {"name": PROFILE["name"], "role": "", "hopes": ""}})
    ex = Request(journal_path)
    root = ex.widget()
    one(root, "mw-03-channel").value = "email"
    one(root, "mw-03-who_i_am").value = "I'm Ada, a data analyst at the city council"
    one(root, "mw-03-the_ask").value = "would you be open to a short call"
    one(root, "mw-03-the_time").value = "30 minutes next month."
    saved = on_disk(journal_path)
    assert saved["request.channel"] == "email"
    assert saved["request.scaffold"] == {
        "who_i_am": "I'm Ada, a data analyst at the city council", "why_you": "",
        "the_ask": "would you be open to a short call", "the_time": "30 minutes next month.",
        "thanks": "",
    }
    assert "request.draft" not in saved  # the notes never write the draft on their own

    one(root, "mw-03-build").click()
    draft = one(root, "mw-03-draft").value
    assert draft == ("Dear Katherine Johnson,\n\nI'm Ada, a data analyst at the city council.\n\n"
                     "Would you be open to a short call? 30 minutes next month.\n\n"
                     "Best wishes,\nAda Lovelace")
    assert on_disk(journal_path)["request.draft"] == draft
    assert "Draft built from your notes" in ex.status.value
    assert "<strong>28 words</strong> — a little short" in one(root, "mw-03-wordcount").value

    one(root, "mw-03-draft").value = DRAFT
    assert "<strong>86 words</strong> — a good length" in one(root, "mw-03-wordcount").value
    feedback_rows = rows(one(root, "mw-03-feedback").value)
    assert feedback_rows["clear_ask"] == "good" and feedback_rows["reason"] == "good"

    out = fresh_kernel.run(FIND_SRC + '''
from mentor_workshop.participant.widgets.request import Request
root = Request("journal.json").widget()
names = ("channel", "who_i_am", "why_you", "the_ask", "the_time", "thanks", "draft")
print(json.dumps({n: find(root, "mw-03-" + n)[0].value for n in names}))
''')
    assert json.loads(out) == {
        "channel": "email", "who_i_am": "I'm Ada, a data analyst at the city council",
        "why_you": "", "the_ask": "would you be open to a short call",
        "the_time": "30 minutes next month.", "thanks": "", "draft": DRAFT,
    }


def test_build_asks_before_replacing_a_draft(journal_path: Path) -> None:
    ex = Request(journal_path)
    root = ex.widget()
    draft, button = one(root, "mw-03-draft"), one(root, "mw-03-build")
    draft.value = "My own careful words."
    one(root, "mw-03-thanks").value = "Thank you for considering it"
    button.click()
    assert draft.value == "My own careful words."  # first press only warns
    assert button.description == REPLACE_LABEL
    assert "already has text" in ex.status.value
    draft.value = "My own careful words, edited."  # editing cancels the pending replace
    assert button.description == BUILD_LABEL
    button.click()
    assert draft.value == "My own careful words, edited."
    button.click()
    assert draft.value == "Dear [their name],\n\nThank you for considering it.\n\nBest wishes,"
    assert on_disk(journal_path)["request.draft"] == draft.value
    assert button.description == BUILD_LABEL


def test_build_with_no_notes_says_what_to_do(journal_path: Path) -> None:
    ex = Request(journal_path)
    one(ex.widget(), "mw-03-build").click()
    assert "Write at least one of the five notes" in ex.status.value
    assert "mw-status-error" in ex.status.value
    assert not journal_path.exists()


def test_build_draft_punctuates_notes() -> None:
    text = build_draft({"who_i_am": "  I lead a team  ", "the_ask": "Could we talk",
                        "the_time": "20 minutes", "thanks": "thanks!"}, "Lin Wu")
    assert text == ("Dear Lin Wu,\n\nI lead a team.\n\nCould we talk? 20 minutes.\n\n"
                    "Thanks!\n\nBest wishes,")


def test_damaged_journal_values_start_blank(journal_path: Path) -> None:
    write_journal(journal_path, {"request.channel": "carrier_pigeon", "request.scaffold": "oops",
                                 "request.draft": 42, "shortlist.first_pick": "nobody"})
    ex = Request(journal_path)
    root = ex.widget()
    assert one(root, "mw-03-channel").value is None
    assert one(root, "mw-03-who_i_am").value == ""
    assert one(root, "mw-03-draft").value == ""
    assert NO_PICK.split(" — ")[0] in one(root, "mw-03-addressee").value
    assert "mw-status-error" not in ex.status.value


def test_oversized_draft_is_refused_with_a_message(journal_path: Path) -> None:
    ex = Request(journal_path)
    root = ex.widget()
    one(root, "mw-03-draft").value = "word " * 250_000
    assert "Not saved" in ex.status.value and "limit" in ex.status.value
    assert one(root, "mw-03-draft").value.startswith("word word")  # the text stays on screen


def test_grading_mode_shows_summary_and_writes_nothing(
        journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_journal(journal_path, {**answers_for("03_request"), "request.draft": DRAFT + " <i>x</i>"})
    before = journal_path.read_bytes()
    shown = grading_display(monkeypatch)
    ex = Request(journal_path)
    ex.show()
    assert len(shown) == 1
    html = shown[0].data
    assert "mw-summary" in html
    assert "<dt>Channel</dt><dd>In person</dd>" in html
    assert "<dt>Addressed to</dt><dd>Katherine Johnson</dd>" in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html and "<i>x</i>" not in html
    # even a widget built by hand saves nothing while grading
    one(ex.widget(), "mw-03-draft").value = "changed"
    assert journal_path.read_bytes() == before
