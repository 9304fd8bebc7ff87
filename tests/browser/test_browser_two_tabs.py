"""Scenario 6: two notebooks in two browser tabs, two kernels, both saving at once: nothing lost.

Every step notebook writes the same ``journal.json``. If one kernel's save could overwrite the
other's (read, modify, write without a lock), an answer typed in one tab would silently vanish.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, expect

from .labdriver import LabServer, NotebookPage, wait_for_journal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LEADER = {"id": "amara-osei-1a2b3c", "name": "Dr Amara Osei", "role": "Director",
          "why": "", "learn": "", "reach": "", "warmth": 3, "values": 4, "stretch": False}
HOPES = ("I would like advice on moving from running projects to leading a team, and on "
         "finding my own voice in senior meetings.")
WHY = ("She rebuilt the repairs service around tenants' own feedback and then published "
       "what went wrong along the way.")
CHUNK = 4


def test_two_tabs_typing_at_once_lose_nothing(context: BrowserContext, lab: LabServer) -> None:
    folder = lab.folder("two_tabs", ["00_welcome", "01_shortlist"],
                        answers={"shortlist.leaders": [LEADER]})
    welcome = NotebookPage(context.new_page(), lab, folder, "00_welcome", "two-tabs-a").open()
    shortlist = NotebookPage(context.new_page(), lab, folder, "01_shortlist", "two-tabs-b").open()
    welcome.run_all()
    shortlist.run_all()

    sessions = [s for s in lab.api("GET", "/api/sessions") if s["path"].startswith("two_tabs/")]
    kernels = {s["path"]: s["kernel"]["id"] for s in sessions}
    assert len(kernels) == 2 and len(set(kernels.values())) == 2, kernels

    hopes = welcome.field("mw-00-hopes")
    why = shortlist.panel.locator(".mw-01-card").first.locator(".mw-01-why textarea")
    hopes.click()
    why.click()
    # Real keystrokes, a few at a time in each tab in turn: both kernels save throughout.
    for start in range(0, max(len(HOPES), len(WHY)), CHUNK):
        if start < len(HOPES):
            hopes.press_sequentially(HOPES[start:start + CHUNK])
        if start < len(WHY):
            why.press_sequentially(WHY[start:start + CHUNK])

    expect(hopes).to_have_value(HOPES)
    expect(why).to_have_value(WHY)

    def both(answers: dict) -> bool:
        leaders = answers.get("shortlist.leaders") or [{}]
        return ((answers.get("welcome.profile") or {}).get("hopes") == HOPES
                and leaders[0].get("why") == WHY)

    saved = wait_for_journal(folder, both, timeout=30, what="both tabs' text in full")
    # The rest of each tab's answers survived the other's saves too.
    assert saved["shortlist.leaders"][0]["name"] == LEADER["name"]
    assert len(saved["shortlist.leaders"]) == 1
    assert "welcome.setup_check" in saved
    for nb in (welcome, shortlist):
        expect(nb.panel.locator(".mw-status-error")).to_have_count(0)
        nb.assert_no_traceback()
    welcome.screenshot("06_two_tabs_welcome", welcome.exercise_of("mw-00-hopes"))
    shortlist.screenshot("06_two_tabs_shortlist", shortlist.exercise_of("mw-01-cards"))
