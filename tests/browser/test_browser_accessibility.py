"""Keyboard, themes and bad input — checked on the real page, as a participant meets them.

* Every action works from the keyboard.
* The widgets stay readable in JupyterLab's light and dark themes.
* Bad input gets a sentence, never a traceback.

The sweep of every notebook (names for every input, words beside every colour, controls drawn
whole, axe-core in both themes) is ``test_browser_sweep.py``: the longest browser test, in a
file of its own so that ``make test`` can run it beside these.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .axe import blocking, describe, lab_violations
from .labdriver import (
    TRACEBACK_TEXT,
    LabServer,
    open_and_run,
    set_theme,
    type_like_a_person,
    wait_for_journal,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------ keyboard


def test_profile_and_self_check_work_by_keyboard_alone(page: Page, lab: LabServer) -> None:
    folder = lab.folder("keyboard", ["00_welcome"])
    nb = open_and_run(page, lab, folder, "00_welcome")
    name = nb.field("mw-00-name")
    name.focus()
    page.keyboard.type("Priya Shah", delay=35)
    page.keyboard.press("Tab")
    expect(nb.field("mw-00-role")).to_be_focused()
    page.keyboard.type("Product manager", delay=35)
    page.keyboard.press("Tab")
    expect(nb.field("mw-00-hopes")).to_be_focused()
    page.keyboard.type("Advice on leading a team for the first time.", delay=20)
    page.keyboard.press("Tab")
    check = nb.exercise_of("mw-00-name").get_by_role("button", name="Check my work")
    expect(check).to_be_focused()
    page.keyboard.press("Enter")
    expect(nb.exercise_of("mw-00-name").locator(".mw-check")).to_contain_text(
        "✔ Complete")
    wait_for_journal(folder, lambda a: a.get("welcome.profile") == {
        "name": "Priya Shah", "role": "Product manager",
        "hopes": "Advice on leading a team for the first time."}, what="the profile")
    nb.assert_no_traceback()


def test_shortlist_card_controls_work_by_keyboard(page: Page, lab: LabServer) -> None:
    leader = {"id": "ada-1", "name": "Ada Okafor", "role": "", "why": "", "learn": "",
              "reach": "", "warmth": 3, "values": 3, "stretch": False}
    folder = lab.folder("keyboard01", ["01_shortlist"],
                        answers={"shortlist.leaders": [leader]})
    nb = open_and_run(page, lab, folder, "01_shortlist")
    stretch = nb.panel.locator(".mw-01-card .mw-01-stretch input[type=checkbox]")
    stretch.focus()
    page.keyboard.press("Space")
    expect(stretch).to_be_checked()
    pick = nb.field("mw-01-first-pick")
    pick.focus()
    # Alt+Down opens the menu. (A bare ArrowDown on a focused menu is taken by JupyterLab's
    # notebook, which moves to the next cell instead.)
    page.keyboard.press("Alt+ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(pick.locator("option:checked")).to_have_text("Ada Okafor")
    saved = wait_for_journal(folder, lambda a: a.get("shortlist.first_pick") == "ada-1"
                             and a["shortlist.leaders"][0]["stretch"] is True,
                             what="stretch pick and first pick set by keyboard")
    assert saved["shortlist.leaders"][0]["name"] == "Ada Okafor"
    # "Remove" and "Undo remove" by keyboard.
    nb.button("mw-01-remove").focus()
    page.keyboard.press("Enter")
    expect(nb.widget("mw-01-empty")).to_contain_text("No leaders yet")
    undo = nb.button("mw-01-undo")
    expect(undo).to_be_visible()
    undo.focus()
    page.keyboard.press("Enter")
    expect(nb.panel.locator(".mw-01-card")).to_have_count(1)
    wait_for_journal(folder, lambda a: len(a.get("shortlist.leaders") or []) == 1,
                     what="the leader back after undo")


# ------------------------------------------------------------------------ themes


def _axe_in_this_state(page: Page, where: str) -> list[str]:
    """axe-core on the page as it is (its colour-contrast rule covers the kit's text)."""
    return list(filter(None, [describe(where, blocking(lab_violations(page)))]))


def test_light_and_dark_themes_stay_readable(page: Page, lab: LabServer) -> None:
    """A needy draft's feedback (marked words, problem rows) in both themes, through axe-core.

    The sweep above sees complete journals, whose drafts raise no problem; this is the state
    with the most colour on screen. axe-core's colour-contrast rule (WCAG AA, 4.5:1 for text)
    replaces the hand-written contrast measure this test used to make.
    """
    draft = ("Dear Dr Osei, I just wanted to ask if maybe you could possibly spare a little bit "
             "of your time. Sorry to bother you, I'm nobody special. Priya")
    folder = lab.folder("themes", ["03_request"], answers={"request.draft": draft})
    nb = open_and_run(page, lab, folder, "03_request")
    nb.exercise_of("mw-03-draft").get_by_role("button", name="Check my work").click()
    expect(nb.panel.locator(".mw-feedback mark.mw-sig-neediness").first).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "true")
    found = _axe_in_this_state(page, "03_request, needy draft (light)")
    nb.screenshot("07_theme_light", nb.exercise_of("mw-03-draft"))
    try:
        nb.menu("Settings", "JupyterLab Dark", submenu="Theme")
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false",
                                                       timeout=15_000)
        page.wait_for_timeout(500)
        found += _axe_in_this_state(page, "03_request, needy draft (dark)")
        nb.screenshot("07_theme_dark", nb.exercise_of("mw-03-draft"))
        nb.assert_no_traceback()
    finally:
        set_theme(lab, "JupyterLab Light")
    assert found == [], "axe-core: serious or critical violations\n" + "\n".join(found)


# ------------------------------------------------------------------------ bad input


def test_bad_input_gets_a_sentence_not_a_traceback(context: BrowserContext,
                                                   lab: LabServer) -> None:
    folder = lab.folder("bad_input", ["01_shortlist", "03_request", "06_be_gracious"])
    page = context.new_page()

    shortlist = open_and_run(page, lab, folder, "01_shortlist")
    name = shortlist.field("mw-01-new-name")
    name.fill("A" * 300)
    shortlist.button("mw-01-add").click()
    status = shortlist.exercise_of("mw-01-cards").locator(".mw-status-error")
    expect(status).to_contain_text("characters long")
    expect(shortlist.panel.locator(".mw-01-card")).to_have_count(0)
    shortlist.field("mw-01-new-name").fill("")
    shortlist.button("mw-01-add").click()
    expect(status).to_contain_text("Type the leader's name")
    shortlist.assert_no_traceback()

    request = open_and_run(page, lab, folder, "03_request", after=shortlist)
    huge = ("I just wanted to ask whether maybe you could help. " * 400).strip()
    request.field("mw-03-draft").fill(huge)
    expect(request.widget("mw-03-wordcount")).to_contain_text("longer than")
    expect(request.panel.locator("li.mw-fb-item.mw-sig-length")).to_have_attribute(
        "data-level", "problem", timeout=20_000)
    wait_for_journal(folder, lambda a: a.get("request.draft") == huge, what="the long draft")
    request.assert_no_traceback()

    meeting = open_and_run(page, lab, folder, "06_be_gracious", after=request)
    meeting.field("mw-06-start-date").fill("2030-03-28")
    wait_for_journal(folder, lambda a: (a.get("gracious.meeting") or {}).get("start", "")
                     .startswith("2030-03-28T"), what="the meeting day")
    time_box = meeting.field("mw-06-start-time")
    time_box.fill("")
    type_like_a_person(time_box, "25:99")
    advice = meeting.exercise_of("mw-06-start-time").locator("[role=alert]")
    expect(advice).to_contain_text("⚠")
    meeting.field("mw-06-timezone").select_option(label="Another time zone (type it below)…")
    type_like_a_person(meeting.field("mw-06-timezone-other"), "Mars/Olympus_Mons")
    expect(advice).to_contain_text("Mars/Olympus_Mons")
    answers = wait_for_journal(folder, lambda a: "gracious.meeting" in a, what="the meeting")
    # The bad time and zone were not saved: the last valid choices are kept, as the page says.
    assert "25:99" not in answers["gracious.meeting"].get("start", "")
    assert answers["gracious.meeting"].get("timezone") != "Mars/Olympus_Mons"
    expect(advice).to_contain_text("last valid choice is kept")
    meeting.assert_labelled()
    meeting.assert_no_traceback()
    assert TRACEBACK_TEXT not in page.locator("body").inner_text()
    meeting.screenshot("08_bad_input_meeting", meeting.exercise_of("mw-06-start-time"))
