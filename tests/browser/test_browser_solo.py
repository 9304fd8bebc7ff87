"""Scenario: a learner on their own, in a folder made by `mentor-workshop start`, chooses the
solo path, practises the ask with the scripted leader and scores their own reflection."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import Page, expect

from mentor_workshop.participant.start import lay_out

from .labdriver import LabServer, NotebookPage, type_like_a_person, wait_for_journal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEEDY = "Sorry, I'm so sorry to bother you, I know you are far too busy, sorry again."
CLEAR = ("Hello, I'm Priya, a product manager at a health start-up. Your talk on shipping small "
         "changes made me rethink how my team releases. Would you have thirty minutes for a "
         "call in the next month? Thank you either way.")


def test_solo_learner_roleplays_and_assesses_themselves(page: Page, lab: LabServer) -> None:
    folder = lab.root / "solo-learner"
    if folder.exists():
        shutil.rmtree(folder)
    lay_out(folder)  # what `mentor-workshop start` lays out

    welcome = NotebookPage(page, lab, folder, "00_welcome").open()
    welcome.run_all()
    expect(welcome.panel.locator("nav.mw-where")).to_contain_text("Where am I")
    welcome.widget("mw-00-path").get_by_label("I'm on my own").check()
    answers = wait_for_journal(folder, lambda a: a.get("welcome.path") == "solo"
                               and "welcome.schedule" in a, what="the solo choice and the pace")
    expect(welcome.panel.locator(".mw-solo-schedule li")).to_have_count(5)
    welcome.assert_no_traceback()
    welcome.screenshot("solo_01_choice", welcome.exercise_of("mw-00-path"))
    assert answers["welcome.schedule"]["start"]

    request = NotebookPage(page, lab, folder, "03_request").open()
    request.run_all()
    header = request.panel.locator("nav.mw-where")
    expect(header).to_contain_text("You are here: Step 3")
    box = request.field("mw-solo-message")
    type_like_a_person(box, NEEDY, delay=5)
    request.button("mw-solo-send").click()
    reply = request.widget("mw-solo-reply")
    expect(reply).to_contain_text("no need to apologise")
    wait_for_journal(folder, lambda a: a.get("solo.roleplay.03_request", {}).get("reply")
                     == "apologetic", what="the needy message and its reply")

    box.fill(CLEAR)
    request.button("mw-solo-send").click()
    expect(reply).to_contain_text("glad to")
    wait_for_journal(folder, lambda a: a.get("solo.roleplay.03_request", {}).get("reply")
                     == "glad_to", what="the clear message and its reply")
    request.screenshot("solo_02_roleplay", request.exercise_of("mw-solo-reply"))

    # one group of level buttons per rubric criterion that applies to this step
    groups = request.panel.locator(".widget-radio[class*='mw-self-']")
    expect(groups.first).to_be_visible()
    count = groups.count()
    assert count >= 2, f"only {count} criteria to score"
    expect(request.widget("mw-self-total")).to_contain_text(f"0 of {count} criteria scored")
    for i in range(count):
        groups.nth(i).locator("input[type=radio]").nth(1).check()
    expect(request.widget("mw-self-total")).to_contain_text("Your score:")
    scores = wait_for_journal(folder, lambda a: len(a.get("private.self_assessment", {})
                                                     .get("03_request", {})) == count,
                              what="every self-score")
    assert set(scores["private.self_assessment"]["03_request"].values()) == {1}
    request.assert_no_traceback()
    request.assert_labelled()
    request.screenshot("solo_03_self_assessment", request.exercise_of("mw-self-total"))
