"""Step 08's exercises: what the leader cares about, offers (bank and own), preparation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import built, on_disk

from mentor_workshop.core import curriculum
from mentor_workshop.participant.widgets import exercise
from mentor_workshop.participant.widgets.two_way import CaresAndOffers, Preparation

CONTENT = curriculum.load().step("08_two_way").content
BANK = CONTENT.offer_bank
PREP_ITEMS = CONTENT.prep_checklist
OWN = "Run a half-day data workshop for her team"


def offers_ex(journal_path: Path) -> CaresAndOffers:
    return built("08_two_way.offers", journal_path)


def prep_ex(journal_path: Path) -> Preparation:
    return built("08_two_way.prep", journal_path)


def test_cares_and_offers_are_saved_as_texts(journal_path: Path) -> None:
    ex = offers_ex(journal_path)
    assert "0 offers so far" in ex.count.value
    assert "No offers of your own yet" in ex.own_list.children[0].value
    ex.cares.value = "Getting more young people into engineering"
    ex.boxes[BANK[3].id].value = True
    ex.boxes[BANK[0].id].value = True
    assert "2 offers" in ex.count.value and "✓" in ex.count.value
    ex.new_offer.value = f"  {OWN}  "
    ex.add_button.click()
    assert ex.new_offer.value == ""
    assert on_disk(journal_path) == {
        "two_way.cares": "Getting more young people into engineering",
        "two_way.offers": [BANK[0].text, BANK[3].text, OWN],  # bank order, then your own
    }
    ex.boxes[BANK[0].id].value = False
    assert on_disk(journal_path)["two_way.offers"] == [BANK[3].text, OWN]


def test_own_offers_can_be_removed(journal_path: Path) -> None:
    ex = offers_ex(journal_path)
    for text in (OWN, "Translate her talks into Portuguese for my network"):
        ex.new_offer.value = text
        ex.add_button.click()
    assert len(ex.own_list.children) == 2
    remove = ex.own_list.children[0].children[1]
    assert "mw-08-remove-offer-1" in remove._dom_classes and remove.icon == "trash"
    remove.click()
    assert on_disk(journal_path)["two_way.offers"] == [
        "Translate her talks into Portuguese for my network"]
    assert len(ex.own_list.children) == 1


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Type your offer in the box first"),
    ("help out", "more concrete"),
    ("x " * 200, "under 300 characters"),
])
def test_vague_or_empty_offers_get_a_friendly_message(journal_path: Path, typed: str,
                                                      message: str) -> None:
    ex = offers_ex(journal_path)
    ex.new_offer.value = typed
    ex.add_button.click()
    assert message in ex.status.value and "⚠" in ex.status.value
    assert not journal_path.exists() or on_disk(journal_path).get("two_way.offers") is None


def test_duplicates_are_caught_and_bank_texts_ticked(journal_path: Path) -> None:
    ex = offers_ex(journal_path)
    ex.new_offer.value = BANK[2].text.upper()
    ex.add_button.click()
    assert ex.boxes[BANK[2].id].value is True and "now ticked" in ex.status.value
    ex.new_offer.value = OWN
    ex.add_button.click()
    ex.new_offer.value = OWN.lower()
    ex.add_button.click()
    assert "already on your list" in ex.status.value
    assert on_disk(journal_path)["two_way.offers"] == [BANK[2].text, OWN]


def test_own_offers_are_escaped(journal_path: Path) -> None:
    ex = offers_ex(journal_path)
    ex.new_offer.value = "Show her <b>our</b> dashboards & tools"
    ex.add_button.click()
    shown = ex.own_list.children[0].children[0].value
    assert "&lt;b&gt;our&lt;/b&gt; dashboards &amp; tools" in shown and "<b>" not in shown


def test_inputs_are_labelled_and_findable(journal_path: Path) -> None:
    ex = offers_ex(journal_path)
    prep = prep_ex(journal_path)
    assert "mw-08-cares" in ex.cares._dom_classes and ex.cares.description
    assert "mw-08-own-offer" in ex.new_offer._dom_classes and ex.new_offer.description
    assert ex.cares.continuous_update  # an answer: saved as it is typed
    # the new-offer box sends its text whole (on blur or Enter), so a quick Add never reads half
    assert not ex.new_offer.continuous_update
    for item in BANK:
        box = ex.boxes[item.id]
        assert f"mw-08-offer-{item.id.replace('_', '-')}" in box._dom_classes
        assert box.description == item.text
    for item in PREP_ITEMS:
        assert f"mw-08-prep-{item.id.replace('_', '-')}" in prep.boxes[item.id]._dom_classes
    assert ex.add_button.description == "Add my offer" and ex.add_button.icon


def test_preparation_checklist_saves_every_item(journal_path: Path) -> None:
    ex = prep_ex(journal_path)
    assert f"0 of {len(PREP_ITEMS)} ticked" in ex.progress.value
    for item in PREP_ITEMS[:3]:
        ex.boxes[item.id].value = True
    saved = on_disk(journal_path)["two_way.prep"]
    assert saved == {item.id: item in PREP_ITEMS[:3] for item in PREP_ITEMS}
    assert f"✓ 3 of {len(PREP_ITEMS)} ticked" in ex.progress.value


def test_answers_survive_a_kernel_restart(journal_path: Path, fresh_kernel) -> None:
    ex = offers_ex(journal_path)
    ex.cares.value = "Her new book on hybrid teams"
    ex.boxes[BANK[1].id].value = True
    ex.new_offer.value = OWN
    ex.add_button.click()
    prep_ex(journal_path).boxes[PREP_ITEMS[4].id].value = True
    out = fresh_kernel.run(f"""
        import json
        from mentor_workshop.participant.widgets import exercise
        ex = exercise("08_two_way")({str(journal_path)!r})
        ex.widget()
        o = exercise("08_two_way.offers")({str(journal_path)!r})
        o.widget()
        p = exercise("08_two_way.prep")({str(journal_path)!r})
        p.widget()
        print(json.dumps({{
            "cares": o.cares.value,
            "ticked": [k for k, b in o.boxes.items() if b.value],
            "own": o.own, "shown": [r.children[0].value for r in o.own_list.children],
            "prep": [k for k, b in p.boxes.items() if b.value],
            "status": o.status.value + p.status.value,
        }}))
    """)
    restored = json.loads(out.strip().splitlines()[-1])
    assert restored["cares"] == "Her new book on hybrid teams"
    assert restored["ticked"] == [BANK[1].id]
    assert restored["own"] == [OWN] and OWN in restored["shown"][0]
    assert restored["prep"] == [PREP_ITEMS[4].id]
    assert restored["status"] == ""


def test_grading_mode_shows_a_summary_and_writes_nothing(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ex = offers_ex(journal_path)
    ex.cares.value = "Mentoring <women> in tech"
    ex.boxes[BANK[0].id].value = True
    prep_ex(journal_path).boxes[PREP_ITEMS[0].id].value = True
    before = journal_path.read_bytes()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    html = exercise("08_two_way")(journal_path).summary_html()
    assert "Mentoring &lt;women&gt; in tech" in html
    assert BANK[0].text in html and PREP_ITEMS[0].text in html
    again = offers_ex(journal_path)
    again.boxes[BANK[5].id].value = True
    again.new_offer.value = OWN
    again.add_button.click()
    assert journal_path.read_bytes() == before
