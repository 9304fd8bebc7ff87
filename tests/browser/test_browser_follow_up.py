"""Scenario: two weeks on, a participant opens 11_follow_up and records what happened.

The journal holds the whole workshop, including the ask scheduled in notebook 10. The notebook
must show that ask and the request as written, then save each answer the participant gives —
"Yes, I asked", the day, the reply, what they learned, the next action — to journal.json, and
the self-check must agree that the follow-up is complete.
"""

from __future__ import annotations

from datetime import date

import pytest
from journals import FOLLOW_UP, REVISION, complete_answers
from playwright.sync_api import Page, expect

from .labdriver import LabServer, NotebookPage, type_like_a_person, wait_for_journal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LEARNED = "Asking in person felt less awkward than I feared; the hard part was picking the day."


def prepared() -> dict:
    answers = complete_answers()
    for key in FOLLOW_UP:  # the follow-up is what this test records
        answers.pop(key)
    return answers


def test_follow_up_records_what_happened(page: Page, lab: LabServer) -> None:
    folder = lab.folder("follow_up", ["11_follow_up"], answers=prepared())
    nb = NotebookPage(page, lab, folder, "11_follow_up").open()
    nb.run_all()

    request = nb.widget("mw-11-request")
    expect(request).to_contain_text("Katherine Johnson")
    expect(request).to_contain_text("Monday 18 March 2030")
    expect(request).to_contain_text(REVISION[:60])

    nb.widget("mw-11-asked").get_by_role("button", name="Yes, I asked").click()
    asked_on = nb.field("mw-11-asked-on")
    expect(asked_on).to_be_visible()
    today = date.today().isoformat()
    asked_on.fill(today)
    asked_on.press("Tab")
    nb.widget("mw-11-reply").get_by_role("button", name="Not now").click()
    expect(nb.exercise_of("mw-11-reply")).to_contain_text("about timing")
    learned = nb.field("mw-11-learned")
    learned.click()
    type_like_a_person(learned, LEARNED)
    nb.widget("mw-11-next").get_by_label("Ask the next person on my shortlist").check()

    def recorded(answers: dict) -> bool:
        return (answers.get("follow_up.asked", {}).get("status") == "yes"
                and answers.get("follow_up.asked", {}).get("on") == today
                and answers.get("follow_up.reply", {}).get("choice") == "not_now"
                and answers.get("follow_up.learned") == LEARNED
                and answers.get("follow_up.next", {}).get("action") == "next_person")

    saved = wait_for_journal(folder, recorded, timeout=30, what="the follow-up as recorded")
    assert saved["plan.ask"]["leader"] == "l2", "the rest of the journal is untouched"
    # "Not yet" questions stay hidden after "Yes, I asked"
    expect(nb.widget("mw-11-stopped")).to_be_hidden()

    nb.exercise_of("mw-11-asked").get_by_role("button", name="Check my work").click()
    expect(nb.exercise_of("mw-11-asked")).to_contain_text("Complete")
    nb.assert_no_traceback()
    nb.assert_labelled()
    nb.screenshot("11_follow_up_recorded", nb.exercise_of("mw-11-asked"))
