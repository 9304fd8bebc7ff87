"""Step 07's exercises: scenario replies, asking why, self-compassion and the next leader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import built, on_disk
from journals import FIRST_PICK
from journals import LEADERS as SHORTLIST

from mentor_workshop.core import curriculum
from mentor_workshop.core.journal import Journal
from mentor_workshop.participant.widgets import exercise
from mentor_workshop.participant.widgets.rejection import NextLeader, Scenarios, template_text

CONTENT = curriculum.load().step("07_rejection").content
#: The shared shortlist, with markup in the first pick's name (it must reach the page escaped)
#: and no role for Mary (her menu entry is her name alone).
GRACE, KATHERINE, MARY = SHORTLIST
LEADERS = [GRACE, dict(KATHERINE, name="Katherine <Johnson>"), dict(MARY, role="")]


def best(scenario) -> str:
    return next(o.id for o in scenario.options if o.best)


def worst(scenario) -> str:
    return next(o.id for o in scenario.options if not o.best)


def shortlist(journal_path: Path, leaders=LEADERS, first: str | None = FIRST_PICK) -> Journal:
    journal = Journal(journal_path)
    journal.save("shortlist.leaders", leaders)
    if first:
        journal.save("shortlist.first_pick", first)
    return journal


# ------------------------------------------------------------------ scenarios


def test_each_scenario_saves_choice_and_reason(journal_path: Path) -> None:
    ex: Scenarios = built("07_rejection.scenarios", journal_path)
    for s in CONTENT.scenarios:
        ex.choices[s.id].value = best(s)
        ex.whys[s.id].value = f"Reason for {s.id}"
    assert on_disk(journal_path) == {"rejection.responses": {
        s.id: {"choice": best(s), "why": f"Reason for {s.id}"} for s in CONTENT.scenarios}}


def test_choosing_explains_whether_it_is_recommended(journal_path: Path) -> None:
    ex: Scenarios = built("07_rejection.scenarios", journal_path)
    s = CONTENT.scenarios[0]
    assert "Choose a reply" in ex.explanations[s.id].value
    ex.choices[s.id].value = worst(s)
    wrong = next(o for o in s.options if o.id == worst(s))
    assert "✘ Not the reply we recommend" in ex.explanations[s.id].value
    assert wrong.explanation.split()[0] in ex.explanations[s.id].value
    ex.choices[s.id].value = best(s)
    assert "✔ This is the reply we recommend" in ex.explanations[s.id].value
    assert on_disk(journal_path)["rejection.responses"][s.id] == {"choice": best(s), "why": ""}


def test_scenario_inputs_are_labelled_and_findable(journal_path: Path) -> None:
    ex: Scenarios = built("07_rejection.scenarios", journal_path)
    assert list(ex.choices) == list(ex.whys) == [s.id for s in CONTENT.scenarios] != []
    for s in CONTENT.scenarios:
        slug = s.id.replace("_", "-")
        assert f"mw-07-{slug}-choice" in ex.choices[s.id]._dom_classes
        assert f"mw-07-{slug}-why" in ex.whys[s.id]._dom_classes
        assert ex.choices[s.id].description and ex.whys[s.id].description
        assert ex.whys[s.id].continuous_update is True
        assert [v for _, v in ex.choices[s.id].options] == [o.id for o in s.options]


# ------------------------------------------------------------------ ask why


def test_template_is_addressed_to_the_first_pick_and_escaped_in_summary(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shortlist(journal_path)
    ex = built("07_rejection.ask_why", journal_path)
    ex.start.click()
    saved = on_disk(journal_path)["rejection.ask_why"]
    assert saved.startswith("Dear Katherine <Johnson>, thank you")
    assert ex.text.value == saved and "Template added" in ex.status.value
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert "Dear Katherine &lt;Johnson&gt;" in exercise("07_rejection.ask_why")(
        journal_path).summary_html()


def test_template_never_overwrites_what_was_typed(journal_path: Path) -> None:
    ex = built("07_rejection.ask_why", journal_path)
    ex.text.value = "My own words"
    ex.start.click()
    assert ex.text.value == "My own words"
    assert on_disk(journal_path)["rejection.ask_why"] == "My own words"
    assert "nothing was replaced" in ex.status.value


def test_template_without_a_first_pick_keeps_the_name_slot() -> None:
    assert template_text("Dear [name],\n  thanks", "") == "Dear [name], thanks"
    assert template_text("Dear [name], thanks", "Ana") == "Dear Ana, thanks"


# ------------------------------------------------------------------ self-compassion


def test_self_compassion_saves_both_fields(journal_path: Path) -> None:
    ex = built("07_rejection.self_compassion", journal_path)
    ex.reaction.value = "I knew I was not good enough."
    ex.rewrite.value = "You asked, which most people never do; try the next person."
    assert on_disk(journal_path)["rejection.self_compassion"] == {
        "first_reaction": "I knew I was not good enough.",
        "rewrite": "You asked, which most people never do; try the next person."}
    assert "mw-07-first-reaction" in ex.reaction._dom_classes
    assert "mw-07-rewrite" in ex.rewrite._dom_classes


# ------------------------------------------------------------------ next leader


def test_next_leader_offers_the_shortlist_without_the_first_pick(journal_path: Path) -> None:
    shortlist(journal_path)
    ex: NextLeader = built("07_rejection.next_leader", journal_path)
    assert list(ex.menu.options) == [("Choose a leader…", None),
                                     ("Grace Hopper — Rear admiral", "l1"), ("Mary Jackson", "l3")]
    assert "mw-07-next-leader" in ex.menu._dom_classes and ex.menu.description
    ex.menu.value = "l3"
    assert on_disk(journal_path)["rejection.next_leader"] == "l3"
    assert "ask <strong>Mary Jackson</strong> next" in ex.note.value


def test_empty_shortlist_has_a_helpful_empty_state(journal_path: Path) -> None:
    ex: NextLeader = built("07_rejection.next_leader", journal_path)
    assert ex.menu.disabled and list(ex.menu.options) == []
    assert "Your shortlist is empty" in ex.note.value and "notebook 01" in ex.note.value
    shortlist(journal_path, LEADERS[1:2], first="l2")
    ex.refresh_button.click()
    assert "only your first pick, Katherine &lt;Johnson&gt;" in ex.note.value
    shortlist(journal_path, LEADERS, first="l2")
    ex.refresh_button.click()
    assert not ex.menu.disabled and ("Mary Jackson", "l3") in ex.menu.options


def test_a_stale_choice_is_flagged_not_dropped(journal_path: Path) -> None:
    journal = shortlist(journal_path)
    journal.save("rejection.next_leader", "l1")
    journal.save("shortlist.first_pick", "l1")  # the next leader became the first pick
    ex: NextLeader = built("07_rejection.next_leader", journal_path)
    assert ex.menu.value is None
    assert "choose again" in ex.note.value
    assert on_disk(journal_path)["rejection.next_leader"] == "l1"


# ------------------------------------------------------------------ restart and grading


def test_answers_survive_a_kernel_restart(journal_path: Path, fresh_kernel) -> None:
    shortlist(journal_path)
    sc: Scenarios = built("07_rejection.scenarios", journal_path)
    s = CONTENT.scenarios[2]
    sc.choices[s.id].value = worst(s)
    sc.whys[s.id].value = "It felt natural"
    built("07_rejection.ask_why", journal_path).text.value = "May I ask what would have helped?"
    comp = built("07_rejection.self_compassion", journal_path)
    comp.reaction.value = "Ouch"
    comp.rewrite.value = "Be kind to yourself"
    built("07_rejection.next_leader", journal_path).menu.value = "l1"
    out = fresh_kernel.run(f"""
        import json
        from mentor_workshop.participant.widgets import exercise
        ex = exercise("07_rejection")({str(journal_path)!r})
        ex.widget()
        parts = {{}}
        for name in ("scenarios", "ask_why", "self_compassion", "next_leader"):
            parts[name] = exercise("07_rejection." + name)({str(journal_path)!r})
            parts[name].widget()
        sc = parts["scenarios"]
        print(json.dumps({{
            "choices": {{k: v.value for k, v in sc.choices.items()}},
            "whys": {{k: v.value for k, v in sc.whys.items()}},
            "explained": sc.explanations[{s.id!r}].value,
            "ask_why": parts["ask_why"].text.value,
            "reaction": parts["self_compassion"].reaction.value,
            "rewrite": parts["self_compassion"].rewrite.value,
            "next": parts["next_leader"].menu.value,
            "status": sc.status.value,
        }}))
    """)
    restored = json.loads(out.strip().splitlines()[-1])
    assert restored["choices"] == {x.id: (worst(s) if x.id == s.id else None)
                                   for x in CONTENT.scenarios}
    assert restored["whys"][s.id] == "It felt natural"
    assert "Not the reply we recommend" in restored["explained"]
    assert restored["ask_why"] == "May I ask what would have helped?"
    assert (restored["reaction"], restored["rewrite"]) == ("Ouch", "Be kind to yourself")
    assert restored["next"] == "l1"
    assert restored["status"] == "", "restoring is not a change: nothing is re-saved"


def test_grading_mode_shows_a_summary_and_writes_nothing(
    journal_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shortlist(journal_path)
    sc: Scenarios = built("07_rejection.scenarios", journal_path)
    s = CONTENT.scenarios[0]
    sc.choices[s.id].value = best(s)
    sc.whys[s.id].value = "<script>alert(1)</script>"
    built("07_rejection.next_leader", journal_path).menu.value = "l1"
    before = journal_path.read_bytes()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    html = exercise("07_rejection")(journal_path).summary_html()
    assert "(recommended)" in html and "&lt;script&gt;" in html and "<script>" not in html
    assert "Grace Hopper" in html
    again: Scenarios = built("07_rejection.scenarios", journal_path)
    again.choices[s.id].value = worst(s)
    assert journal_path.read_bytes() == before
