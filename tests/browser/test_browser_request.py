"""Scenario 3: the feedback panel reacts to what the participant types in their request."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mentor_workshop.core import checks, feedback
from mentor_workshop.core.journal import Journal
from mentor_workshop.participant.widgets.feedback_panel import spans_by_signal

from .labdriver import LabServer, NotebookPage, wait_for_journal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LEADER = {"id": "amara-osei-1a2b3c", "name": "Dr Amara Osei", "role": "Director, Northbridge",
          "why": "She rebuilt the repairs service around tenants' feedback.", "learn": "",
          "reach": "", "warmth": 3, "values": 5, "stretch": False}
SEED = {
    "welcome.profile": {"name": "Priya Shah", "role": "Product manager", "hopes": "Lead a team"},
    "shortlist.leaders": [LEADER],
    "shortlist.first_pick": LEADER["id"],
}

NEEDY = (
    "Dear Dr Osei,\n\nI'm so sorry to bother you, I know you are far too busy for someone like "
    "me. I just wanted to ask, if it's not too much trouble, whether maybe you could possibly "
    "spare a little bit of your time. Sorry again, I'm nobody special.\n\nPriya"
)
REVISED = (
    "Dear Dr Osei,\n\nI am a product manager at Northbridge Housing. Your talk on tenant-led "
    "repairs changed how my team plans its work. Would you be open to a 20-minute call in the "
    "next few weeks, so I can ask how you won support for that change? Thank you for "
    "considering it.\n\nBest wishes,\nPriya"
)


def test_feedback_panel_marks_needy_words_and_clears_after_revision(
        page: Page, lab: LabServer) -> None:
    folder = lab.folder("request", ["03_request"], answers=SEED)
    context = checks.feedback_context(Journal(folder / "journal.json"))
    needy_words = spans_by_signal(feedback.analyze(NEEDY, context))["neediness"]
    assert len(needy_words) >= 3  # the draft below really is needy by the kit's own rules
    levels = feedback.load_rules().ui["levels"]

    nb = NotebookPage(page, lab, folder, "03_request").open()
    nb.run_all()
    expect(nb.widget("mw-03-addressee")).to_contain_text(LEADER["name"])
    panel = nb.widget("mw-03-feedback")
    expect(panel.locator(".mw-feedback-empty")).to_be_visible()

    draft = nb.field("mw-03-draft")
    draft.click()
    draft.press_sequentially(NEEDY, delay=5)

    row = panel.locator("li.mw-fb-item.mw-sig-neediness")
    expect(row).to_have_attribute("data-level", "problem", timeout=20_000)
    expect(row).to_have_class(_has("mw-level-problem"))
    # The level is said in words and with an icon, never by colour alone.
    expect(row.locator(".mw-fb-head")).to_contain_text(levels["problem"]["word"])
    expect(row.locator(".mw-fb-head")).to_contain_text(levels["problem"]["icon"])
    marks = panel.locator("mark.mw-sig-neediness")
    expect(marks.first).to_be_visible()
    marked = " | ".join(m.strip() for m in marks.all_inner_texts())
    for words in needy_words:
        assert words in marked, f"{words!r} is not highlighted; highlighted: {marked}"
    expect(panel.locator(".mw-highlight")).to_contain_text("nobody special")  # the whole draft

    saved = wait_for_journal(folder, lambda a: a.get("request.draft") == NEEDY,
                             what="the needy draft")
    assert saved["request.draft"] == NEEDY
    nb.screenshot("03_request_needy", nb.exercise_of("mw-03-feedback"))

    # Revise: select everything and type over it, as a participant pasting a new version.
    draft.click()
    page.keyboard.press("ControlOrMeta+a")
    draft.fill(REVISED)
    expect(row).to_have_attribute("data-level", "good", timeout=20_000)
    expect(row.locator(".mw-fb-head")).to_contain_text(levels["good"]["word"])
    expect(marks).to_have_count(0)
    expect(panel.locator(".mw-highlight")).to_contain_text("Would you be open")
    wait_for_journal(folder, lambda a: a.get("request.draft") == REVISED,
                     what="the revised draft")
    nb.assert_no_traceback()
    nb.assert_labelled()
    nb.screenshot("03_request_revised", nb.exercise_of("mw-03-feedback"))


def _has(css_class: str) -> object:
    import re

    return re.compile(rf"(^|\s){re.escape(css_class)}(\s|$)")
