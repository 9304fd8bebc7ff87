"""Accessibility, themes and bad input — checked on the real page, as a participant meets them.

* Every input in every exercise has a name a screen reader can read (a ``<label>`` tied to it,
  or an aria label), not just a placeholder that disappears when you type.
* Every action works from the keyboard.
* Colour is never the only signal: each state also carries a word or a ✔/✘.
* Buttons and sliders are drawn whole: no label cut off, no track too short to drag.
* The widgets stay readable in JupyterLab's light and dark themes.
* Bad input gets a sentence, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from journals import complete_answers  # tests/journals.py: a journal that completes all
from playwright.sync_api import BrowserContext, Page, expect

from .axe import AXE_JS, COST, blocking, describe, lab_violations, summary
from .axe import SKIP_REASON as AXE_SKIP_REASON
from .labdriver import (
    TRACEBACK_TEXT,
    LabServer,
    NotebookPage,
    accessible_name_problems,
    type_like_a_person,
    wait_for_journal,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2]
STEPS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
THEMES_PLUGIN = "@jupyterlab/apputils-extension:themes"


def open_and_run(page: Page, lab: LabServer, folder: Path, step: str) -> NotebookPage:
    nb = NotebookPage(page, lab, folder, step).open()
    nb.run_all()
    expect(nb.exercises().first).to_be_visible()
    return nb


# ------------------------------------------------------------------------ labels and words

#: Known drawing problems, by notebook, that the lead has been told about. The sweep below
#: fails on any problem not listed here AND on any listed problem that is gone, so fixing one
#: means deleting its line (the same contract as a strict xfail).
#: "unnamed slider" is ipywidgets itself: it draws a slider handle as <div role=slider> without
#: aria-label/aria-labelledby, so only replacing the sliders with named controls fixes it.
KNOWN_PROBLEMS: dict[str, set[str]] = {}

#: Finds what a participant cannot use as intended: a button label cut off with an ellipsis, a
#: slider whose track is too short to drag, a slider handle a screen reader cannot name.
_LOOK_JS = r"""
(root) => {
  const found = new Set();
  const label = w => (w.querySelector('.widget-label')?.textContent || '').trim() || '(no label)';
  for (const b of root.querySelectorAll('.mw-exercise button')) {
    if (b.offsetWidth && b.scrollWidth > b.clientWidth + 1)
      found.add('cut-off button: ' + b.textContent.trim());
  }
  for (const s of root.querySelectorAll('.mw-exercise .widget-slider')) {
    const track = s.querySelector('.slider-container');
    if (track && track.getBoundingClientRect().width < 100)
      found.add('narrow slider: ' + label(s));
    const handle = s.querySelector('[role=slider]');
    if (handle && !handle.getAttribute('aria-label') && !handle.getAttribute('aria-labelledby'))
      found.add('unnamed slider: ' + label(s));
  }
  return [...found].sort();
}
"""


def test_every_notebook_is_labelled_and_drawn_whole(page: Page, lab: LabServer) -> None:
    """Every step notebook on a complete journal, so every card and list is on screen.

    Checks that axe-core finds no serious or critical violation in the light or the dark
    theme (JupyterLab's chrome excepted only for the rules in ``axe_rules.py``), that every
    input has a name a screen reader can read from a label (axe accepts a placeholder; a
    participant who has typed no longer sees it), that "Check my work" and the feedback rows
    say each state in words, that nothing shows a traceback, and that buttons and sliders are
    drawn usable (see ``KNOWN_PROBLEMS``). One pass: each notebook is run once and checked in
    the theme it opened in, then in the other (the theme alternates from one notebook to the
    next, so each costs one switch).
    """
    folder = lab.folder("sweep", STEPS, answers=complete_answers())
    with_axe = AXE_JS.is_file()
    unlabelled: dict[str, list[str]] = {}
    drawn: dict[str, set[str]] = {}
    axe_blocking: list[str] = []
    axe_other: dict[str, str] = {}
    try:
        for step in STEPS:
            _sweep_one(page, lab, folder, step, unlabelled, drawn,
                       (axe_blocking, axe_other) if with_axe else None)
    finally:
        _set_theme(lab, "JupyterLab Light")
    print(f"axe-core: {COST['runs']} runs, {COST['seconds']:.1f} s so far this session; "
          "moderate and minor findings:\n" + json.dumps(axe_other, indent=1))
    assert axe_blocking == [], "axe-core: serious or critical violations\n" + "\n".join(
        axe_blocking)
    assert unlabelled == {}, ("inputs a screen reader cannot name:\n"
                              + json.dumps(unlabelled, indent=2))
    new = {step: sorted(p - KNOWN_PROBLEMS.get(step, set())) for step, p in drawn.items()}
    gone = {step: sorted(p - drawn.get(step, set())) for step, p in KNOWN_PROBLEMS.items()}
    new = {step: p for step, p in new.items() if p}
    gone = {step: p for step, p in gone.items() if p}
    assert new == {}, f"new drawing problems: {json.dumps(new, indent=2, ensure_ascii=False)}"
    assert gone == {}, ("fixed — delete these from KNOWN_PROBLEMS: "
                        + json.dumps(gone, indent=2, ensure_ascii=False))
    if not with_axe:
        pytest.skip(f"the checks above passed, but not axe-core's: {AXE_SKIP_REASON}")


def _theme(page: Page) -> str:
    return "light" if page.locator("body").get_attribute("data-jp-theme-light") == "true" \
        else "dark"


def _axe_both_themes(page: Page, nb: NotebookPage, step: str, found: list[str],
                     other: dict[str, str]) -> None:
    """axe-core in the theme the notebook opened in, then in the other one (left switched)."""
    for turn in range(2):
        theme = _theme(page)
        violations = lab_violations(page)
        found.extend(filter(None, [describe(f"{step} ({theme})", blocking(violations))]))
        rest = [v for v in violations if v not in blocking(violations)]
        if rest:
            other[f"{step} ({theme})"] = summary(rest)
        if turn == 0:
            target = "JupyterLab Dark" if theme == "light" else "JupyterLab Light"
            nb.menu("Settings", target, submenu="Theme")
            expect(page.locator("body")).to_have_attribute(
                "data-jp-theme-light", "false" if theme == "light" else "true", timeout=15_000)
            page.wait_for_timeout(400)  # the new theme's CSS variables settle


def _sweep_one(page: Page, lab: LabServer, folder: Path, step: str,
               unlabelled: dict[str, list[str]], drawn: dict[str, set[str]],
               axe: tuple[list[str], dict[str, str]] | None) -> None:
    nb = open_and_run(page, lab, folder, step)
    found = [p for p in accessible_name_problems(nb.panel.locator(".jp-Notebook"))
             if not p.startswith("div")]  # slider handles: see _LOOK_JS
    if found:
        unlabelled[step] = found
    looks = set(nb.panel.evaluate(_LOOK_JS))
    if looks:
        drawn[step] = looks

    # Press every "Check my work": its verdict and each line carry ✔/✘ and words.
    buttons = nb.panel.get_by_role("button", name="Check my work")
    for i in range(buttons.count()):
        buttons.nth(i).click()
    expect(nb.panel.locator(".mw-exercise .mw-check")).to_have_count(buttons.count())
    for report in nb.panel.locator(".mw-check").all():
        verdict = report.locator("strong").first.inner_text()
        assert verdict in ("✔ Complete — well done.", "✘ Not complete yet."), (step, verdict)
        for line in report.locator("li").all_inner_texts():
            assert line.startswith(("✔ Done:", "✘ To do:", "ℹ")), (step, line)
    for row in nb.panel.locator("li.mw-fb-item").all():
        level = row.get_attribute("data-level")
        head = row.locator(".mw-fb-head").inner_text()
        assert level and level.capitalize() in head, (step, head)
    nb.assert_no_traceback()
    if axe is not None:
        _axe_both_themes(page, nb, step, *axe)


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


def _set_theme(lab: LabServer, theme: str) -> None:
    """Through the settings API: the safety net that puts the shared server back to light."""
    import urllib.request

    body = json.dumps({"raw": json.dumps({"theme": theme})}).encode()
    request = urllib.request.Request(
        f"{lab.url}/lab/api/settings/{THEMES_PLUGIN}", data=body, method="PUT",
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()


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
        _set_theme(lab, "JupyterLab Light")
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

    request = open_and_run(page, lab, folder, "03_request")
    huge = ("I just wanted to ask whether maybe you could help. " * 400).strip()
    request.field("mw-03-draft").fill(huge)
    expect(request.widget("mw-03-wordcount")).to_contain_text("longer than")
    expect(request.panel.locator("li.mw-fb-item.mw-sig-length")).to_have_attribute(
        "data-level", "problem", timeout=20_000)
    wait_for_journal(folder, lambda a: a.get("request.draft") == huge, what="the long draft")
    request.assert_no_traceback()

    meeting = open_and_run(page, lab, folder, "06_be_gracious")
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
