"""Every step notebook on a complete journal, as a participant who has done everything sees it.

* Every input in every exercise has a name a screen reader can read (a ``<label>`` tied to it,
  or an aria label), not just a placeholder that disappears when you type.
* Colour is never the only signal: each state also carries a word or a ✔/✘.
* Buttons and sliders are drawn whole: no label cut off, no track too short to drag.
* axe-core finds nothing serious or critical, in the light theme and in the dark one.

The longest browser test (every notebook, run and checked twice): in a file of its own so that
``make test``, which hands whole files to its workers, runs it beside the others.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from journals import complete_answers  # tests/journals.py: a journal that completes all
from playwright.sync_api import Page, expect

from .axe import AXE_JS, COST, blocking, describe, lab_violations, summary
from .axe import SKIP_REASON as AXE_SKIP_REASON
from .labdriver import (
    LabServer,
    NotebookPage,
    accessible_name_problems,
    open_and_run,
    set_theme,
)

#: ``slow``: it runs every notebook, so ``make test`` starts it first (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2]
STEPS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


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
        nb = None
        for step in STEPS:  # one JupyterLab page, each step opened from the one before
            nb = _sweep_one(page, lab, folder, step, nb, unlabelled, drawn,
                            (axe_blocking, axe_other) if with_axe else None)
    finally:
        set_theme(lab, "JupyterLab Light")
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
               after: NotebookPage | None,
               unlabelled: dict[str, list[str]], drawn: dict[str, set[str]],
               axe: tuple[list[str], dict[str, str]] | None) -> NotebookPage:
    nb = open_and_run(page, lab, folder, step, after=after)
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
    return nb
