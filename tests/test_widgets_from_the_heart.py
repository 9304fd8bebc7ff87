"""Step 04 widget: the specific work, the admiration statement and the admiration-only panel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIND_SRC, grading_display, on_disk, one, rows, write_journal
from journals import FIRST_PICK, LEADERS, STATEMENT, WORK, answers_for

from mentor_workshop.core import curriculum
from mentor_workshop.core.checks import check
from mentor_workshop.participant.widgets import exercise
from mentor_workshop.participant.widgets.from_the_heart import EMPTY, NO_PICK, Heart

CONTENT = curriculum.load().step("04_from_the_heart").content
FLATTERY = ("You are such an inspiring leader and I've always been a huge fan of your work; "
            "you're amazing at what you do.")


def test_registry() -> None:
    assert exercise("04_from_the_heart") is Heart


def test_empty_states(journal_path: Path) -> None:
    root = Heart(journal_path).widget()
    assert NO_PICK.split(" — ")[0] in one(root, "mw-04-leader").value
    assert EMPTY in one(root, "mw-04-feedback").value
    assert "<strong>0 words</strong>" in one(root, "mw-04-wordcount").value
    # the content's examples are on screen, labelled in words
    html = one(root, "mw-04-examples").value
    assert "Generic" in html and CONTENT.examples.specific[0][:30] in html


def test_first_pick_and_their_why_are_shown(journal_path: Path) -> None:
    write_journal(journal_path,
                  {"shortlist.leaders": LEADERS, "shortlist.first_pick": "l1"})
    html = one(Heart(journal_path).widget(), "mw-04-leader").value
    assert "<strong>Grace Hopper</strong>" in html
    assert "inventing the first compiler" in html


def test_flattery_flagged_with_its_words_then_cleared(journal_path: Path, fresh_kernel) -> None:
    write_journal(journal_path,
                  {"shortlist.leaders": LEADERS, "shortlist.first_pick": FIRST_PICK})
    root = Heart(journal_path).widget()
    statement, panel = one(root, "mw-04-statement"), one(root, "mw-04-feedback")
    statement.value = FLATTERY
    assert rows(panel.value) == {"admiration": "problem"}  # only the admiration signal
    for word in ("inspiring", "huge fan"):
        assert f"<q>{word}</q>" in panel.value
    assert on_disk(journal_path)["heart.admiration"] == {"work": "", "statement": FLATTERY}

    one(root, "mw-04-work").value = WORK
    statement.value = STATEMENT
    assert rows(panel.value) == {"admiration": "good"}
    assert "<strong>33 words</strong> — developed enough" in one(root, "mw-04-wordcount").value
    assert on_disk(journal_path)["heart.admiration"] == {"work": WORK, "statement": STATEMENT}
    assert check("04_from_the_heart", journal_path).passed

    out = fresh_kernel.run(FIND_SRC + '''
from mentor_workshop.participant.widgets.from_the_heart import Heart
root = Heart("journal.json").widget()
print(json.dumps({n: find(root, "mw-04-" + n)[0].value for n in ("work", "statement")}))
''')
    assert json.loads(out) == {"work": WORK, "statement": STATEMENT}


def test_the_named_work_counts_as_specific(journal_path: Path) -> None:
    root = Heart(journal_path).widget()
    statement, panel = one(root, "mw-04-statement"), one(root, "mw-04-feedback")
    statement.value = ("The tenant panels at Northbridge changed how I plan repairs with "
                       "residents in my own team.")
    assert rows(panel.value) == {"admiration": "consider"}
    one(root, "mw-04-work").value = "tenant panels at Northbridge"  # refreshes the verdict
    assert rows(panel.value) == {"admiration": "good"}


def test_damaged_journal_value_starts_blank(journal_path: Path) -> None:
    write_journal(journal_path, {"heart.admiration": ["not", "a", "dict"]})
    ex = Heart(journal_path)
    root = ex.widget()
    assert one(root, "mw-04-work").value == "" and one(root, "mw-04-statement").value == ""
    one(root, "mw-04-work").value = "Her 2023 keynote"
    assert on_disk(journal_path)["heart.admiration"] == {"work": "Her 2023 keynote",
                                                         "statement": ""}


def test_grading_mode_shows_summary_and_writes_nothing(
        journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_journal(journal_path, {**answers_for("04_from_the_heart"),
                                 "heart.admiration": {"work": "<b>talk</b>",
                                                      "statement": STATEMENT}})
    before = journal_path.read_bytes()
    shown = grading_display(monkeypatch)
    Heart(journal_path).show()
    html = shown[0].data
    assert "mw-summary" in html and "<dt>About</dt><dd>Katherine Johnson</dd>" in html
    assert "&lt;b&gt;talk&lt;/b&gt;" in html and STATEMENT[:40] in html
    assert journal_path.read_bytes() == before
