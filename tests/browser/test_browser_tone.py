"""Scenario 4: the participant sorts the phrases; the self-check reports their score."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mentor_workshop.core import curriculum

from .labdriver import LabServer, NotebookPage, wait_for_journal

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

STEP = "05_vulnerability_confidence"
DRAFT = ("Dear Dr Osei, I just wanted to ask if maybe you could spare a little bit of your time. "
         "Sorry to bother you. Priya")


def test_sorting_answers_are_explained_saved_and_scored(page: Page, lab: LabServer) -> None:
    content = curriculum.load().step(STEP).content
    phrases = list(content.sorting)
    labels = {t: getattr(content.categories, t).label for t in curriculum.TONES}
    # Two deliberate mistakes: each wrong answer is the next tone round.
    wrong = {phrases[0].id, phrases[-1].id}
    tones = list(curriculum.TONES)
    chosen = {p.id: (tones[(tones.index(p.answer) + 1) % 3] if p.id in wrong else p.answer)
              for p in phrases}
    correct = len(phrases) - len(wrong)

    folder = lab.folder("tone", [STEP], answers={"request.draft": DRAFT})
    nb = NotebookPage(page, lab, folder, STEP).open()
    nb.run_all()
    score = nb.widget("mw-05-score")
    expect(score).to_contain_text(f"0 of {len(phrases)} sorted")

    for i, phrase in enumerate(phrases):
        option = nb.widget(f"mw-05-sort-{phrase.id}").get_by_role(
            "button", name=labels[chosen[phrase.id]], exact=True)
        if i == 1:  # one answer by keyboard alone
            option.focus()
            page.keyboard.press("Enter")
        else:
            option.click()
        result = nb.widget(f"mw-05-result-{phrase.id}")
        # Right or wrong is said with a mark and in words, never by colour alone.
        if phrase.id in wrong:
            expect(result).to_contain_text("✘ Not quite")
            expect(result).to_contain_text(labels[phrase.answer])
        else:
            expect(result).to_contain_text("✔ Matches")

    expect(score).to_contain_text(f"Score: {correct} of {len(phrases)} matched")
    expect(score).to_contain_text(f"{len(phrases)} of {len(phrases)} sorted")
    saved = wait_for_journal(folder, lambda a: a.get("tone.sorting") == chosen,
                             what="every sorting answer")
    assert saved["tone.sorting"] == chosen

    # The self-check (the grader's own check) reports the same score.
    sorting = nb.exercise_of("mw-05-score")
    sorting.get_by_role("button", name="Check my work").click()
    report = sorting.locator(".mw-check")
    expect(report).to_contain_text(f"✔ Done: You sorted {correct} of {len(phrases)} phrases")
    expect(report).to_contain_text("✔ Done: You sorted every phrase.")
    # The revision is not written yet, so the step is not complete — said in words.
    expect(report).to_contain_text("✘ Not complete yet.")
    expect(report).to_contain_text("✘ To do:")

    nb.assert_no_traceback()
    nb.assert_labelled()
    nb.screenshot("04_tone_sorting_scored", sorting)
