"""Step 01 widget: leader cards are added, edited and removed as a participant would, the
ranking follows the visible formula, and everything comes back in a fresh kernel."""

from __future__ import annotations

import json
from pathlib import Path

import ipywidgets as w
import pytest
from conftest import FIND_SRC, find, inputs, on_disk, one

from mentor_workshop.core.journal import Journal
from mentor_workshop.participant.widgets import exercise
from mentor_workshop.participant.widgets.shortlist import Shortlist, new_id


def add(root: w.Widget, name: str) -> None:
    one(root, "mw-01-new-name").value = name
    one(root, "mw-01-add").click()


def fill(root: w.Widget, index: int, **values: object) -> None:
    for field, value in values.items():
        find(root, f"mw-01-{field}")[index].value = value



def test_registry() -> None:
    assert exercise("01_shortlist") is Shortlist


def test_empty_state(journal_path: Path) -> None:
    root = Shortlist(journal_path).widget()
    assert "No leaders yet — add your first" in one(root, "mw-01-empty").value
    assert "No leaders yet — add your first" in one(root, "mw-01-table").value
    assert [v for _, v in one(root, "mw-01-first-pick").options] == [""]


def test_build_a_shortlist_and_restore_it(journal_path: Path, fresh_kernel) -> None:
    ex = Shortlist(journal_path)
    root = ex.widget()
    add(root, "Amara Osei")
    add(root, "Tom Reyes")
    add(root, "Lin Wu")
    assert one(root, "mw-01-new-name").value == ""  # ready for the next name
    fill(root, 0, role="COO, Northbridge Housing",
         why="She rebuilt the repairs service around tenants' feedback",
         learn="Winning support for change", reach="Regional housing forum in May",
         warmth=2, values=5)
    fill(root, 1, why="He turned around a failing clinic in two years flat", warmth=4, values=2)
    fill(root, 2, why="Her book on quiet leadership changed how I run meetings",
         stretch=True, warmth=1, values=4)
    one(root, "mw-01-w-warmth").value = 1.5
    leaders = on_disk(journal_path)["shortlist.leaders"]
    amara = leaders[0]
    one(root, "mw-01-first-pick").value = amara["id"]

    saved = on_disk(journal_path)
    assert [x["name"] for x in saved["shortlist.leaders"]] == ["Amara Osei", "Tom Reyes", "Lin Wu"]
    assert saved["shortlist.leaders"][0] == {
        "id": amara["id"], "name": "Amara Osei", "role": "COO, Northbridge Housing",
        "why": "She rebuilt the repairs service around tenants' feedback",
        "learn": "Winning support for change", "reach": "Regional housing forum in May",
        "warmth": 2, "values": 5, "stretch": False,
    }
    assert saved["shortlist.leaders"][2]["stretch"] is True
    assert saved["shortlist.weights"] == {"values": 2.0, "warmth": 1.5}
    assert saved["shortlist.first_pick"] == amara["id"]
    assert len({x["id"] for x in saved["shortlist.leaders"]}) == 3
    assert "Amara Osei first" in ex.status.value

    out = fresh_kernel.run(FIND_SRC + '''
from mentor_workshop.participant.widgets.shortlist import Shortlist
root = Shortlist("journal.json").widget()
print(json.dumps({
    "names": [b.value for b in find(root, "mw-01-name")],
    "why": [b.value for b in find(root, "mw-01-why")],
    "warmth": [b.value for b in find(root, "mw-01-warmth")],
    "values": [b.value for b in find(root, "mw-01-values")],
    "stretch": [b.value for b in find(root, "mw-01-stretch")],
    "weights": [find(root, "mw-01-w-values")[0].value, find(root, "mw-01-w-warmth")[0].value],
    "pick": find(root, "mw-01-first-pick")[0].value,
    "table": find(root, "mw-01-table")[0].value,
}))
''')
    restored = json.loads(out)
    assert restored["names"] == ["Amara Osei", "Tom Reyes", "Lin Wu"]
    assert restored["why"][1] == "He turned around a failing clinic in two years flat"
    assert restored["warmth"] == [2, 4, 1]
    assert restored["values"] == [5, 2, 4]
    assert restored["stretch"] == [False, False, True]
    assert restored["weights"] == [2.0, 1.5]
    assert restored["pick"] == amara["id"]
    assert "Amara Osei" in restored["table"]


def _order(table_html: str, names: list[str]) -> list[str]:
    return sorted(names, key=table_html.index)


def test_ranking_follows_the_formula_shown(journal_path: Path) -> None:
    root = Shortlist(journal_path).widget()
    add(root, "Values Person")
    add(root, "Warm Person")
    fill(root, 0, values=5, warmth=1)
    fill(root, 1, values=1, warmth=5)
    table, formula = one(root, "mw-01-table"), one(root, "mw-01-formula")
    # default weights from the content: values × 2 + warmth × 1 → 11 vs 7
    assert "shared values (1–5) × 2 + warmth (1–5) × 1" in formula.value
    assert _order(table.value, ["Values Person", "Warm Person"]) == ["Values Person",
                                                                      "Warm Person"]
    assert "<strong>11</strong>" in table.value and "<strong>7</strong>" in table.value
    one(root, "mw-01-w-values").value = 0.5
    one(root, "mw-01-w-warmth").value = 3.0
    # now 5×0.5+1×3 = 5.5 vs 1×0.5+5×3 = 15.5
    assert "× 0.5 + warmth (1–5) × 3" in formula.value
    assert _order(table.value, ["Values Person", "Warm Person"]) == ["Warm Person",
                                                                      "Values Person"]
    assert "<strong>15.5</strong>" in table.value


def test_bad_input_gets_a_friendly_message(journal_path: Path) -> None:
    ex = Shortlist(journal_path)
    root = ex.widget()
    add(root, "   ")
    assert "Type the leader's name" in ex.status.value.replace("&#x27;", "'")
    assert not journal_path.exists()
    add(root, "Amara Osei")
    add(root, "amara osei")
    assert "already on your shortlist" in ex.status.value
    add(root, "x" * 500)
    assert "keep it under" in ex.status.value
    assert len(on_disk(journal_path)["shortlist.leaders"]) == 1


def test_remove_and_undo(journal_path: Path) -> None:
    ex = Shortlist(journal_path)
    root = ex.widget()
    add(root, "Amara Osei")
    add(root, "Tom Reyes")
    tom = on_disk(journal_path)["shortlist.leaders"][1]["id"]
    one(root, "mw-01-first-pick").value = tom
    find(root, "mw-01-remove")[1].click()
    saved = on_disk(journal_path)
    assert [x["name"] for x in saved["shortlist.leaders"]] == ["Amara Osei"]
    assert saved["shortlist.first_pick"] is None  # never points at a leader who is gone
    assert "Removed Tom Reyes" in ex.status.value
    assert [v for _, v in one(root, "mw-01-first-pick").options] == ["", saved[
        "shortlist.leaders"][0]["id"]]
    undo = one(root, "mw-01-undo")
    assert undo.layout.display is None
    undo.click()
    saved = on_disk(journal_path)
    assert [x["name"] for x in saved["shortlist.leaders"]] == ["Amara Osei", "Tom Reyes"]
    assert saved["shortlist.first_pick"] == tom
    assert len(find(root, "mw-01-card")) == 2


def test_names_are_escaped_everywhere(journal_path: Path) -> None:
    root = Shortlist(journal_path).widget()
    add(root, "<img src=x onerror=alert(1)>")
    assert "<img" not in one(root, "mw-01-table").value
    assert "&lt;img" in one(root, "mw-01-table").value
    assert "<img" not in one(root, "mw-01-card-title").value


def test_editing_the_name_updates_card_table_and_menu(journal_path: Path) -> None:
    root = Shortlist(journal_path).widget()
    add(root, "Amra")
    fill(root, 0, name="Amara Osei")
    assert "Amara Osei" in one(root, "mw-01-card-title").value
    assert "Amara Osei" in one(root, "mw-01-table").value
    assert [label for label, _ in one(root, "mw-01-first-pick").options][1] == "Amara Osei"


def test_damaged_journal_is_repaired_not_fatal(journal_path: Path) -> None:
    Journal(journal_path).save("shortlist.leaders", [
        {"name": "No Id", "warmth": "hot", "values": 9},
        "not a leader",
        {"id": "dup", "name": "A"},
        {"id": "dup", "name": "B"},
    ])
    root = Shortlist(journal_path).widget()
    saved = on_disk(journal_path)["shortlist.leaders"]
    ids = [x["id"] for x in saved]
    assert len(saved) == 3 and len(set(ids)) == 3 and all(ids)
    assert [b.value for b in find(root, "mw-01-values")] == [5, 3, 3]


def test_new_ids_are_short_stable_slugs() -> None:
    a, b = new_id("Dr Amara Osei!"), new_id("Dr Amara Osei!")
    assert a != b and a.startswith("dr-amara-osei-") and len(a) <= 27
    assert new_id("学").startswith("leader-")


def test_grading_mode_summary(journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal = Journal(journal_path)
    journal.save("shortlist.leaders", [
        {"id": "a", "name": "Amara <b>", "role": "COO", "why": "w", "learn": "l", "reach": "r",
         "warmth": 2, "values": 5, "stretch": True}])
    journal.save("shortlist.first_pick", "a")
    before = journal_path.read_bytes()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    ex = Shortlist(journal_path)
    html = ex.summary_html()
    assert "Amara &lt;b&gt;" in html and "Amara <b>" not in html
    assert "First to approach" in html and "Score" in html and "× 2" in html
    ex.show()
    root = Shortlist(journal_path).widget()
    add(root, "Someone New")
    assert journal_path.read_bytes() == before



def test_every_input_has_a_label_and_a_class(journal_path: Path) -> None:
    root = Shortlist(journal_path).widget()
    add(root, "Amara Osei")
    boxes = inputs(root)
    assert len(boxes) >= 12
    for box in boxes:
        assert box.description, f"{type(box).__name__} {box._dom_classes} has no label"
        assert any(c.startswith("mw-01-") for c in box._dom_classes)
    for button in find(root, "mw-01-add") + find(root, "mw-01-remove"):
        assert button.icon and button.description


def test_new_name_box_sends_the_whole_name_before_add(journal_path: Path) -> None:
    """Keystroke updates are held back by the browser but clicks are not: the box must not be
    continuous, so it sends the whole name when Add takes the focus."""
    root = Shortlist(journal_path).widget()
    assert one(root, "mw-01-new-name").continuous_update is False


def test_a_name_arriving_just_after_the_click_is_still_added(
        journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The browser may deliver the click before the name typed just before it."""
    from mentor_workshop.participant.widgets import base

    clock = [100.0]
    monkeypatch.setattr(base.time, "monotonic", lambda: clock[0])
    root = Shortlist(journal_path).widget()
    one(root, "mw-01-add").click()  # the click overtook the text
    one(root, "mw-01-new-name").value = "Chen Wei"  # ... which arrives a moment later
    assert [x["name"] for x in on_disk(journal_path)["shortlist.leaders"]] == ["Chen Wei"]
    assert one(root, "mw-01-new-name").value == ""
    # typed long after a click on an empty box, a name waits for its own click
    one(root, "mw-01-add").click()
    clock[0] += base.ADD_GRACE_SECONDS + 1
    one(root, "mw-01-new-name").value = "Bea Lindqvist"
    assert [x["name"] for x in on_disk(journal_path)["shortlist.leaders"]] == ["Chen Wei"]
