"""Step 02 widget: beliefs from the bank or in one's own words, each tested and re-rated; the
calibration research stays hidden until a guess is saved, and the guess then stays locked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIND_SRC, find, inputs, on_disk, one

from mentor_workshop.core import curriculum
from mentor_workshop.core.journal import Journal
from mentor_workshop.participant.widgets import exercise
from mentor_workshop.participant.widgets.assumptions import Assumptions, comparison_text

BANK = curriculum.load().step("02_assumptions").content.belief_bank


def test_registry() -> None:
    assert exercise("02_assumptions") is Assumptions


def test_empty_state(journal_path: Path) -> None:
    root = Assumptions(journal_path).widget()
    assert "No beliefs yet" in one(root, "mw-02-empty").value
    assert one(root, "mw-02-research").value == ""


def test_test_two_beliefs_and_restore(journal_path: Path, fresh_kernel) -> None:
    ex = Assumptions(journal_path)
    root = ex.widget()
    one(root, "mw-02-bank").value = BANK[1].id
    one(root, "mw-02-add-bank").click()
    one(root, "mw-02-own").value = "  She only mentors people from her own company.  "
    one(root, "mw-02-add-own").click()
    assert one(root, "mw-02-own").value == ""

    saved = on_disk(journal_path)["assumptions.beliefs"]
    assert [b["belief"] for b in saved] == [BANK[1].text,
                                            "She only mentors people from her own company."]
    # untouched sliders are not ratings
    assert saved[0]["confidence_before"] is None and saved[0]["confidence_after"] is None
    assert "Not rated yet" in find(root, "mw-02-change")[0].value

    for i, (before, after) in enumerate(((80, 35), (60, 60))):
        find(root, "mw-02-before")[i].value = before
        find(root, "mw-02-for")[i].value = f"evidence for {i}"
        find(root, "mw-02-against")[i].value = f"evidence against {i}"
        find(root, "mw-02-rewrite")[i].value = f"a fairer version {i}"
        find(root, "mw-02-after")[i].value = after
    assert "Before 80 → after 35: down 45 points" in find(root, "mw-02-change")[0].value
    assert "no change" in find(root, "mw-02-change")[1].value
    saved = on_disk(journal_path)["assumptions.beliefs"]
    assert saved[0] == {
        "id": saved[0]["id"], "belief": BANK[1].text, "confidence_before": 80,
        "evidence_for": "evidence for 0", "evidence_against": "evidence against 0",
        "rewrite": "a fairer version 0", "confidence_after": 35,
    }
    assert saved[0]["id"].startswith(BANK[1].id.replace("_", "-"))
    assert saved[1]["id"].startswith("own-")

    out = fresh_kernel.run(FIND_SRC + '''
from mentor_workshop.participant.widgets.assumptions import Assumptions
root = Assumptions("journal.json").widget()
print(json.dumps({c: [x.value for x in find(root, "mw-02-" + c)]
                  for c in ("belief", "before", "for", "against", "rewrite", "after")}))
''')
    assert json.loads(out) == {
        "belief": [BANK[1].text, "She only mentors people from her own company."],
        "before": [80, 60], "for": ["evidence for 0", "evidence for 1"],
        "against": ["evidence against 0", "evidence against 1"],
        "rewrite": ["a fairer version 0", "a fairer version 1"], "after": [35, 60],
    }


def test_research_only_after_a_saved_guess(journal_path: Path, fresh_kernel) -> None:
    ex = Assumptions(journal_path)
    root = ex.widget()
    research, guess = one(root, "mw-02-research"), one(root, "mw-02-guess")
    assert guess.value is None  # no anchor: nothing is preselected
    assert one(root, "mw-02-reveal").layout.display == "none"

    one(root, "mw-02-save-guess").click()  # nothing picked yet
    assert "Pick a number from 0 to 10" in ex.status.value
    assert research.value == "" and not journal_path.exists()

    guess.value = 3
    assert research.value == ""  # choosing is not saving
    one(root, "mw-02-save-guess").click()
    assert on_disk(journal_path)["assumptions.calibration"] == {"guess": 3, "revealed": False}
    assert research.value == ""  # saved, not yet revealed
    assert one(root, "mw-02-reveal").layout.display is None

    one(root, "mw-02-reveal").click()
    assert on_disk(journal_path)["assumptions.calibration"] == {"guess": 3, "revealed": True}
    assert "Your guess: 3 out of 10" in research.value
    for cite in ("Flynn and Lake", "(Bohns 2016)"):  # keys rendered as readable citations
        assert cite in research.value
    assert guess.disabled and one(root, "mw-02-save-guess").disabled

    ex.record_guess(9)  # a changed mind after the reveal does not rewrite history
    assert "locked" in ex.status.value
    assert on_disk(journal_path)["assumptions.calibration"]["guess"] == 3

    out = fresh_kernel.run(FIND_SRC + '''
from mentor_workshop.participant.widgets.assumptions import Assumptions
root = Assumptions("journal.json").widget()
g = find(root, "mw-02-guess")[0]
print(json.dumps({"guess": g.value, "disabled": g.disabled,
                  "research": find(root, "mw-02-research")[0].value}))
''')
    restored = json.loads(out)
    assert restored["guess"] == 3 and restored["disabled"] is True
    assert "Your guess: 3 out of 10" in restored["research"]


def test_saved_but_unrevealed_guess_restores_hidden(journal_path: Path) -> None:
    Journal(journal_path).save("assumptions.calibration", {"guess": 7, "revealed": False})
    root = Assumptions(journal_path).widget()
    assert one(root, "mw-02-guess").value == 7
    assert one(root, "mw-02-research").value == ""
    assert "Your guess is saved" in one(root, "mw-02-guess-note").value


def test_comparison_never_overstates() -> None:
    assert "nobody" in comparison_text(0)
    low = comparison_text(2)
    assert "higher than 2" in low and "not a forecast" in low
    assert "promise" in comparison_text(9)


def test_bad_input_gets_a_friendly_message(journal_path: Path) -> None:
    ex = Assumptions(journal_path)
    root = ex.widget()
    one(root, "mw-02-add-own").click()
    assert "Write the belief in the box first" in ex.status.value
    one(root, "mw-02-own").value = "x" * 400
    one(root, "mw-02-add-own").click()
    assert "one sentence" in ex.status.value
    one(root, "mw-02-bank").value = BANK[0].id
    one(root, "mw-02-add-bank").click()
    one(root, "mw-02-add-bank").click()
    assert "already on your list" in ex.status.value
    assert ex.add_from_bank("no_such_belief") is False
    assert "Choose a belief" in ex.status.value
    assert len(on_disk(journal_path)["assumptions.beliefs"]) == 1


def test_remove_and_undo(journal_path: Path) -> None:
    root = Assumptions(journal_path).widget()
    for item in BANK[:2]:
        one(root, "mw-02-bank").value = item.id
        one(root, "mw-02-add-bank").click()
    find(root, "mw-02-remove")[0].click()
    assert [b["belief"] for b in on_disk(journal_path)["assumptions.beliefs"]] == [BANK[1].text]
    one(root, "mw-02-undo").click()
    assert [b["belief"] for b in on_disk(journal_path)["assumptions.beliefs"]] == [
        BANK[0].text, BANK[1].text]


def test_damaged_values_do_not_break_the_page(journal_path: Path) -> None:
    journal = Journal(journal_path)
    journal.save("assumptions.beliefs", [{"belief": "Too busy", "confidence_before": "high",
                                          "confidence_after": 250}, 42])
    journal.save("assumptions.calibration", {"guess": 99, "revealed": True})
    root = Assumptions(journal_path).widget()
    assert [b.value for b in find(root, "mw-02-belief")] == ["Too busy"]
    assert find(root, "mw-02-after")[0].value == 100
    assert one(root, "mw-02-research").value == ""  # an impossible guess reveals nothing
    assert on_disk(journal_path)["assumptions.beliefs"][0]["id"].startswith("own-")


def test_grading_mode_summary(journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = Journal(journal_path)
    journal.save("assumptions.beliefs", [{"id": "a", "belief": "<i>Too busy</i>",
                                          "confidence_before": 80, "evidence_for": "",
                                          "evidence_against": "talks", "rewrite": "ask small",
                                          "confidence_after": 40}])
    journal.save("assumptions.calibration", {"guess": 4, "revealed": True})
    before = journal_path.read_bytes()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    ex = Assumptions(journal_path)
    html = ex.summary_html()
    assert "&lt;i&gt;Too busy" in html and "<i>Too" not in html
    assert "Calibration guess" in html and ">4<" in html
    ex.show()
    root = Assumptions(journal_path).widget()
    one(root, "mw-02-own").value = "new"
    one(root, "mw-02-add-own").click()
    assert journal_path.read_bytes() == before



def test_every_input_has_a_label_and_a_class(journal_path: Path) -> None:
    root = Assumptions(journal_path).widget()
    one(root, "mw-02-add-bank").click()
    boxes = inputs(root)
    assert len(boxes) >= 9
    for box in boxes:
        assert box.description, f"{type(box).__name__} {box._dom_classes} has no label"
        assert any(c.startswith("mw-02-") for c in box._dom_classes)
