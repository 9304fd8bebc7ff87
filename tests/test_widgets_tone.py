"""Step 05 widgets: the tone-sorting exercise (autograded) and the revision with a tone meter."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import pytest
from conftest import FIND_SRC, find, grading_display, on_disk, one, rows, write_journal
from journals import DRAFT, KEY, PHRASES, answers_for

from mentor_workshop.core.checks import check, sorting_score
from mentor_workshop.core.journal import Journal
from mentor_workshop.participant.widgets import exercise
from mentor_workshop.participant.widgets.tone import (
    NO_DRAFT,
    PREFILLED,
    Revision,
    Sorting,
    Tone,
    tone_reading,
)

NEEDY = "I'm so sorry to bother you. I know you're far too busy for someone like me."
PUSHY = "You should mentor me. I need an answer by Friday."


def wrong(answer: str) -> str:
    return "balanced" if answer != "balanced" else "needy"


def test_registry() -> None:
    assert exercise("05_vulnerability_confidence.sorting") is Sorting
    assert exercise("05_vulnerability_confidence.revision") is Revision
    assert exercise("05_vulnerability_confidence") is Tone


# ------------------------------------------------------------------------------- sorting


def test_every_phrase_from_the_content_with_nothing_preselected(journal_path: Path) -> None:
    root = Sorting(journal_path).widget()
    boxes = find(root, "mw-05-sort")
    assert len(boxes) == len(PHRASES)
    for phrase, box in zip(PHRASES, boxes, strict=True):
        assert f"mw-05-sort-{phrase.id}" in box._dom_classes
        assert box.value is None
        assert [v for _, v in box.options] == ["needy", "balanced", "overconfident"]
    assert f"Score: 0 of {len(PHRASES)} matched · 0 of {len(PHRASES)} sorted" in \
        one(root, "mw-05-score").value


def test_answers_explained_scored_saved_and_restored(journal_path: Path, fresh_kernel) -> None:
    ex = Sorting(journal_path)
    root = ex.widget()
    first, second = PHRASES[0], PHRASES[-1]
    one(root, f"mw-05-sort-{first.id}").value = first.answer
    one(root, f"mw-05-sort-{second.id}").value = wrong(second.answer)

    right_html = one(root, f"mw-05-result-{first.id}").value
    assert "✔ Matches" in right_html and 'data-match="true"' in right_html
    assert escape(first.explanation) in right_html
    wrong_html = one(root, f"mw-05-result-{second.id}").value
    assert "✘ Not quite" in wrong_html and 'data-match="false"' in wrong_html
    assert escape(second.explanation) in wrong_html
    n = len(PHRASES)
    assert f"Score: 1 of {n} matched · 2 of {n} sorted · {n - 2} to go" in \
        one(root, "mw-05-score").value
    assert on_disk(journal_path)["tone.sorting"] == {first.id: first.answer,
                                                     second.id: wrong(second.answer)}
    assert sorting_score(Journal(journal_path)) == (1, n)

    # change of mind: the same phrase, answered again
    one(root, f"mw-05-sort-{second.id}").value = second.answer
    assert "✔ Matches" in one(root, f"mw-05-result-{second.id}").value
    assert on_disk(journal_path)["tone.sorting"][second.id] == second.answer

    out = fresh_kernel.run(FIND_SRC + '''
from mentor_workshop.participant.widgets.tone import Sorting
root = Sorting("journal.json").widget()
print(json.dumps({
    "values": {b._dom_classes[0][len("mw-05-sort-"):]: b.value
               for b in find(root, "mw-05-sort") if b.value},
    "score": find(root, "mw-05-score")[0].value,
}))
''')
    restored = json.loads(out)
    assert restored["values"] == {first.id: first.answer, second.id: second.answer}
    assert f"Score: 2 of {n} matched" in restored["score"]


def test_completing_the_deck_is_what_the_grader_sees(journal_path: Path) -> None:
    root = Sorting(journal_path).widget()
    for phrase in PHRASES:
        one(root, f"mw-05-sort-{phrase.id}").value = phrase.answer
    assert "done, well judged" in one(root, "mw-05-score").value
    assert on_disk(journal_path)["tone.sorting"] == KEY
    result = check("05_vulnerability_confidence", journal_path)
    assert {c.name for c in result.criteria if c.passed} >= {"sorted_all", "sorting"}


def test_sorting_keeps_answers_saved_elsewhere(journal_path: Path) -> None:
    """Two open copies of the notebook: one's answer must not erase the other's."""
    a, b = Sorting(journal_path), Sorting(journal_path)
    root_a, root_b = a.widget(), b.widget()
    one(root_a, f"mw-05-sort-{PHRASES[0].id}").value = "needy"
    one(root_b, f"mw-05-sort-{PHRASES[1].id}").value = "needy"
    assert on_disk(journal_path)["tone.sorting"] == {PHRASES[0].id: "needy",
                                                     PHRASES[1].id: "needy"}


def test_damaged_sorting_answers_are_ignored(journal_path: Path) -> None:
    write_journal(journal_path, {"tone.sorting": {PHRASES[0].id: "shouty", "gone": "needy",
                                                  PHRASES[1].id: PHRASES[1].answer}})
    root = Sorting(journal_path).widget()
    assert one(root, f"mw-05-sort-{PHRASES[0].id}").value is None
    assert one(root, f"mw-05-sort-{PHRASES[1].id}").value == PHRASES[1].answer


# ------------------------------------------------------------------------------- revision


def test_no_draft_yet(journal_path: Path) -> None:
    ex = Revision(journal_path)
    root = ex.widget()
    assert NO_DRAFT[:40] in one(root, "mw-05-original-box").value
    assert one(root, "mw-05-revision").value == ""
    assert one(root, "mw-05-keep").layout.display == "none"
    assert 'data-tone="none"' in one(root, "mw-05-meter").value


def test_prefilled_from_03_but_not_saved_until_kept(journal_path: Path) -> None:
    draft = NEEDY + " Would you be open to a call? <b>Thanks</b>"
    write_journal(journal_path, {"request.draft": draft})
    ex = Revision(journal_path)
    root = ex.widget()
    original = one(root, "mw-05-original-box").value
    # read-only copy: escaped, and only needy/pushy words marked
    assert "&lt;b&gt;Thanks&lt;/b&gt;" in original and "<b>Thanks" not in original
    marked = set(re.findall(r'data-signal="(\w+)"', original))
    assert marked == {"neediness"}
    assert "Needy words: several" in original

    assert one(root, "mw-05-revision").value == draft
    assert PREFILLED[:40] in ex.status.value
    assert "tone.revision" not in on_disk(journal_path)
    assert 'data-tone="needy"' in one(root, "mw-05-meter").value

    one(root, "mw-05-keep").click()
    assert on_disk(journal_path)["tone.revision"] == draft
    assert one(root, "mw-05-keep").layout.display == "none"


def test_tone_meter_follows_typing(journal_path: Path, fresh_kernel) -> None:
    write_journal(journal_path, {"request.draft": DRAFT})
    root = Revision(journal_path).widget()
    box, meter, panel = (one(root, "mw-05-revision"), one(root, "mw-05-meter"),
                         one(root, "mw-05-tone"))
    assert 'data-tone="balanced"' in meter.value and "Balanced" in meter.value
    box.value = PUSHY
    assert 'data-tone="overconfident"' in meter.value and "Leans overconfident" in meter.value
    assert rows(panel.value) == {"neediness": "good", "overconfidence": "problem"}
    box.value = NEEDY + " " + PUSHY
    assert 'data-tone="mixed"' in meter.value
    box.value = DRAFT.replace("Would you be", "I just wondered if maybe you might be")
    assert 'data-tone="slightly_needy"' in meter.value
    assert on_disk(journal_path)["tone.revision"] == box.value

    out = fresh_kernel.run(FIND_SRC + '''
from mentor_workshop.participant.widgets.tone import Revision
root = Revision("journal.json").widget()
print(json.dumps(find(root, "mw-05-revision")[0].value))
''')
    assert json.loads(out) == box.value  # the revision, not the 03 draft, comes back


def test_tone_reading_words() -> None:
    assert tone_reading({"neediness": "good", "overconfidence": "good"})[0] == "balanced"
    assert tone_reading({"neediness": "problem", "overconfidence": "good"})[1] == [0]
    assert tone_reading({"neediness": "good", "overconfidence": "consider"})[0] == "slightly_pushy"
    tone, marks, words = tone_reading({"neediness": "consider", "overconfidence": "problem"})
    assert (tone, marks) == ("mixed", [1, 4]) and "needy" in words and "pushy" in words


def test_combined_view_shows_both_parts(journal_path: Path) -> None:
    root = Tone(journal_path).widget()
    assert len(find(root, "mw-05-sort")) == len(PHRASES)
    assert len(find(root, "mw-05-revision")) == 1


def test_grading_mode_shows_summaries_and_writes_nothing(
        journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = dict(KEY)
    answers[PHRASES[0].id] = wrong(PHRASES[0].answer)
    write_journal(journal_path, {**answers_for("03_request", "05_vulnerability_confidence"),
                                 "tone.sorting": answers})
    before = journal_path.read_bytes()
    shown = grading_display(monkeypatch)
    Sorting(journal_path).show()
    Revision(journal_path).show()
    sorting_html, revision_html = (x.data for x in shown)
    n = len(PHRASES)
    assert f"Score: {n - 1} of {n} matched" in sorting_html
    assert "— expected" in sorting_html and "— matches" in sorting_html
    assert "Tone meter" in revision_html and "Balanced" in revision_html
    assert journal_path.read_bytes() == before
