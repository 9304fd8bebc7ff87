"""The cohort report notebook runs in JupyterLab and shows its plots, with no error output.

Why in a browser: ``mentor-workshop report`` runs this notebook headless through papermill, which
says nothing about what a facilitator who opens it (to adapt it, as its first cell invites) sees:
whether every section draws, whether the figures load inside JupyterLab's sanitised HTML
output, and whether anything writes to stderr.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .axe import blocking, describe, lab_violations
from .labdriver import LabServer, NotebookPage

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

#: The sections the notebook draws from the sample cohort's journals, each with a figure. The
#: notebook's default source is the sample cohort (journals, no gradebook), so the two
#: gradebook sections say in words that there are no grades instead of drawing.
FIGURE_SECTIONS = ("How far people got", "Feedback on draft requests",
                   "The beliefs that held people back")
NO_GRADES_SECTIONS = ("Autograded checks", "Reflections")


def test_cohort_report_notebook_runs_and_shows_its_plots(
        facilitator_page: Page, facilitator_lab: LabServer, facilitator_course: Path) -> None:
    page = facilitator_page
    folder = facilitator_course / "facilitator"
    nb = NotebookPage(page, facilitator_lab, folder, "cohort_report", workspace="report").open()
    nb.run_all(timeout=180_000)
    nb.assert_no_traceback()
    errors = nb.panel.locator(".jp-OutputArea-output[data-mime-type="
                              "'application/vnd.jupyter.error']")
    assert errors.count() == 0, errors.all_inner_texts()
    figures = nb.panel.locator(".jp-OutputArea-output figure.mw-figure img")
    expect(figures.first).to_be_visible(timeout=30_000)
    count = figures.count()
    assert count >= len(FIGURE_SECTIONS), f"only {count} figures drawn"
    for i in range(count):
        img = figures.nth(i)
        img.scroll_into_view_if_needed()
        # Drawn, not a broken-image icon: the PNG decoded to a real size, and it has alt text.
        assert img.evaluate("e => e.complete && e.naturalWidth > 100 && e.naturalHeight > 50"), i
        assert len(img.get_attribute("alt") or "") > 20, i
    for title in FIGURE_SECTIONS + NO_GRADES_SECTIONS:
        expect(nb.panel.get_by_role("heading", name=title, exact=True)).to_have_count(1)
    expect(nb.panel.get_by_text("No grades yet").first).to_be_attached()
    found = blocking(lab_violations(page))
    assert found == [], describe("cohort_report.ipynb", found)
    nb.screenshot("13_cohort_report_notebook",
                  nb.panel.locator(".jp-Cell").filter(
                      has=page.locator("figure.mw-figure img")).first)
