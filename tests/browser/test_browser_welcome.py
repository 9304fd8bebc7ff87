"""Scenario 1: a participant opens the welcome notebook, runs it, and sees a green setup check."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .labdriver import LabServer, NotebookPage, wait_for_journal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_setup_check_turns_all_pass_once_drawn(page: Page, lab: LabServer) -> None:
    folder = lab.folder("welcome", ["00_welcome"])
    nb = NotebookPage(page, lab, folder, "00_welcome").open()
    nb.run_all()

    setup = nb.widget("mw-00-setup")
    items = setup.locator("li.mw-setup-item")
    expect(items.first).to_be_visible()
    # The browser line starts as WAITING and must turn PASS by itself once the view is drawn.
    expect(setup.locator("li.mw-setup-item[data-item='widgets']")).to_have_attribute(
        "data-state", "PASS", timeout=20_000)
    expect(setup.locator("li.mw-setup-item:not([data-state='PASS'])")).to_have_count(0)
    count = items.count()
    assert count >= 8, f"only {count} setup lines"
    for text in items.all_inner_texts():
        assert text.startswith("✔ PASS"), f"a setup line is not PASS in words: {text!r}"
    expect(setup).to_contain_text(f"All {count} checks PASS")

    # The save test really wrote to the journal beside the notebook.
    answers = wait_for_journal(folder, lambda a: "welcome.setup_check" in a,
                               what="the setup check's test save")
    assert set(answers["welcome.setup_check"]) >= {"checked_at", "token"}

    nb.assert_no_traceback()
    nb.assert_labelled()
    nb.screenshot("01_welcome_setup_check", nb.exercise_of("mw-00-setup"))
