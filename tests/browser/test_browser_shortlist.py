"""Scenario 2: a shortlist typed into the browser is saved, and comes back after a restart."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .labdriver import LabServer, NotebookPage, type_like_a_person, wait_for_journal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LEADERS = ["Amara Okafor", "Bea Lindqvist", "Chen Wei"]
ROLE = "Chief nursing officer, St Mary's"


def names_saved(answers: dict) -> list[str]:
    return [x.get("name") for x in answers.get("shortlist.leaders") or []]


def test_shortlist_is_saved_and_survives_a_restart(page: Page, lab: LabServer) -> None:
    folder = lab.folder("shortlist", ["01_shortlist"])
    nb = NotebookPage(page, lab, folder, "01_shortlist").open()
    nb.run_all()

    cards = nb.panel.locator(".mw-01-card")
    expect(nb.widget("mw-01-empty")).to_contain_text("No leaders yet")
    name_box = nb.field("mw-01-new-name")
    add = nb.button("mw-01-add")

    # First leader: type, then click "Add leader".
    type_like_a_person(name_box, LEADERS[0])
    add.click()
    expect(cards).to_have_count(1)
    expect(name_box).to_have_value("")

    # Second leader by keyboard only: type, Tab to "Add leader", press Enter.
    type_like_a_person(name_box, LEADERS[1])
    page.keyboard.press("Tab")
    expect(add).to_be_focused()
    page.keyboard.press("Enter")
    expect(cards).to_have_count(2)

    # Third leader: click and type.
    type_like_a_person(name_box, LEADERS[2])
    add.click()
    expect(cards).to_have_count(3)
    expect(nb.widget("mw-01-empty")).to_have_count(0)
    wait_for_journal(folder, lambda a: names_saved(a) == LEADERS, what="three leaders")

    # Fill in a card, mark the third leader as the stretch pick, choose the first one.
    type_like_a_person(cards.nth(0).locator(".mw-01-role input"), ROLE)
    stretch = cards.nth(2).locator(".mw-01-stretch input[type=checkbox]")
    stretch.check()
    expect(cards.nth(2).locator(".mw-01-card-title")).to_contain_text("stretch pick")
    nb.field("mw-01-first-pick").select_option(label=LEADERS[0])

    def complete(a: dict) -> bool:
        leaders = a.get("shortlist.leaders") or []
        return (names_saved(a) == LEADERS and len(leaders) == 3
                and leaders[0].get("role") == ROLE
                and [x.get("stretch") for x in leaders] == [False, False, True]
                and a.get("shortlist.first_pick") == leaders[0].get("id"))

    saved = wait_for_journal(folder, complete, what="the shortlist, stretch pick and first pick")
    ids = [x["id"] for x in saved["shortlist.leaders"]]
    assert len(set(ids)) == 3, f"leader ids are not unique: {ids}"

    # On screen: the ranked table lists all three and says which is the stretch pick in words.
    table = nb.widget("mw-01-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    for name in LEADERS:
        expect(table).to_contain_text(name)
    expect(table.locator("tbody tr", has_text=LEADERS[2])).to_contain_text("yes")

    # A restart forgets every widget: what comes back must come from journal.json.
    nb.restart_and_run_all()
    expect(cards).to_have_count(3)
    for i, name in enumerate(LEADERS):
        expect(cards.nth(i).locator(".mw-01-name input")).to_have_value(name)
        expect(cards.nth(i).locator(".mw-01-card-title")).to_contain_text(name)
    expect(cards.nth(0).locator(".mw-01-role input")).to_have_value(ROLE)
    expect(cards.nth(2).locator(".mw-01-stretch input[type=checkbox]")).to_be_checked()
    expect(cards.nth(0).locator(".mw-01-stretch input[type=checkbox]")).not_to_be_checked()
    expect(nb.field("mw-01-first-pick").locator("option:checked")).to_have_text(LEADERS[0])
    expect(nb.widget("mw-01-table").locator("tbody tr")).to_have_count(3)

    # Restoring must not rewrite the answers.
    after = wait_for_journal(folder, complete, what="the same shortlist after the restart")
    assert after["shortlist.leaders"] == saved["shortlist.leaders"]
    nb.assert_no_traceback()
    nb.assert_labelled()
    nb.screenshot("02_shortlist_after_restart", nb.exercise_of("mw-01-cards"))
