"""Scenario 5: the plan shows the participant's own words — as text, even when they look like code.

Anything typed reaches the page through ipywidgets' HTML widget, which sets ``innerHTML``: an
unescaped ``<img onerror>`` would run. So the participant types markup into notebook 00, the
journal carries more, and the test proves none of it runs in notebook 10 or the exported page.
"""

from __future__ import annotations

import pytest
from journals import complete_answers  # tests/journals.py: a journal that completes all
from playwright.sync_api import Dialog, Page, expect

from .labdriver import LabServer, NotebookPage, type_like_a_person, wait_for_journal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NAME = "Ada <script>window.__mw_xss='name';alert('name')</script>"
ROLE = "Data analyst & team lead"
HOPES = ("I want to learn to lead <img src=x onerror=\"window.__mw_xss='hopes';alert('hopes')\">"
         " a small analytics team well.")
LEADER = "Katherine <svg onload=\"window.__mw_xss='leader';alert('leader')\"></svg> Johnson"
COMMITMENT = "Send my request to Katherine by Friday"


def seeded_answers() -> dict:
    answers = complete_answers()
    answers.pop("welcome.profile", None)  # typed in the browser below
    pick = answers["shortlist.first_pick"]
    for leader in answers["shortlist.leaders"]:
        if leader["id"] == pick:
            leader["name"] = LEADER
    answers["within.commitment"] = {**answers["within.commitment"], "action": COMMITMENT}
    return answers


def test_plan_shows_own_words_and_never_runs_them(page: Page, lab: LabServer) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        if dialog.type == "beforeunload":  # JupyterLab asking before we leave notebook 00
            dialog.accept()
            return
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    folder = lab.folder("plan", ["00_welcome", "10_my_plan"], answers=seeded_answers())

    welcome = NotebookPage(page, lab, folder, "00_welcome").open()
    welcome.run_all()
    type_like_a_person(welcome.field("mw-00-name"), NAME)
    type_like_a_person(welcome.field("mw-00-role"), ROLE)
    welcome.field("mw-00-hopes").fill(HOPES)
    profile = {"name": NAME, "role": ROLE, "hopes": HOPES}
    wait_for_journal(folder, lambda a: a.get("welcome.profile") == profile,
                     what="the profile exactly as typed")
    welcome.assert_no_traceback()
    welcome.assert_labelled()

    plan = NotebookPage(page, lab, folder, "10_my_plan").open()
    plan.run_all()
    preview = plan.widget("mw-10-preview")
    for words in (NAME, ROLE, HOPES, LEADER, COMMITMENT):
        expect(preview).to_contain_text(words)  # shown literally, markup and all
    # Nothing the participant typed became an element.
    assert preview.locator("script, img, svg, iframe, [onerror], [onload]").count() == 0
    page.wait_for_timeout(500)  # an onerror/onload would have fired by now
    assert page.evaluate("() => window.__mw_xss") is None
    assert dialogs == []

    # The exported, printable page escapes them too.
    plan.button("mw-10-export").click()
    expect(plan.exercise_of("mw-10-preview")).to_contain_text("Saved your plan")
    html_file = folder / "my_plan.html"
    text = html_file.read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__mw_xss=" in text
    assert "<script>window.__mw_xss" not in text
    assert "<img src=x" not in text and "<svg onload" not in text
    markdown = (folder / "my_plan.md").read_text(encoding="utf-8")
    assert "Ada" in markdown and "Katherine" in markdown

    plan.assert_no_traceback()
    plan.assert_labelled()
    assert page.evaluate("() => window.__mw_xss") is None and dialogs == []
    plan.screenshot("05_plan_own_words", plan.exercise_of("mw-10-preview"))
