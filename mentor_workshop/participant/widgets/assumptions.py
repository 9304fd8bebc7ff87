"""Step 02: put limiting beliefs to the test, then calibrate a guess against research.

Beliefs come from the content's belief bank or the participant's own words. Each is a card:
how sure they are, evidence for and against, a fairer rewrite, and how sure they are afterwards.
A confidence stays ``None`` ("not rated yet") until the participant changes its number, so the
self-check cannot be passed by a box nobody touched.

The calibration question is answered *before* the research is shown, on purpose: seeing the
finding first would make the guess worthless. The research panel appears only after a guess is
saved (``assumptions.calibration.revealed``), and the guess is then locked so the comparison
stays honest.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import ipywidgets as w

from mentor_workshop.core import curriculum
from mentor_workshop.participant.widgets.base import (
    FULL,
    Exercise,
    add_from_box,
    esc,
    labelled,
    row,
)
from mentor_workshop.participant.widgets.cards import CardList, dict_entries, texts

BELIEFS = "assumptions.beliefs"
CALIBRATION = "assumptions.calibration"

TEXT_FIELDS = ("belief", "evidence_for", "evidence_against", "rewrite")
CONFIDENCE_FIELDS = ("confidence_before", "confidence_after")
CSS = {"belief": "belief", "evidence_for": "for", "evidence_against": "against",
       "rewrite": "rewrite", "confidence_before": "before", "confidence_after": "after"}
EMPTY = "No beliefs yet — pick one from the list above, or write your own."
BELIEF_LIMIT = 300

# FALLBACK CONTENT: exercises/steps/02_assumptions.yaml has no wording for comparing a guess
# with the research, so it lives here until the YAML gains it (see the step-02 report).
# Keep the claims no stronger than the studies: small favours from strangers, not mentoring.
COMPARISON_FALLBACK = {
    "none": (
        "You guessed that nobody would say yes. In these studies the opposite happened: "
        "plenty of people agreed when asked directly, far more than the askers expected."
    ),
    "low": (
        "People in these studies guessed low too. If your gut errs the way theirs did, the "
        "real number could be higher than {guess} — in some studies askers expected only about "
        "half the yeses they got. That is an illustration, not a forecast."
    ),
    "high": (
        "You guessed higher than most people do. The studies point the same way: askers "
        "usually expect too few yeses, rarely too many. Nobody can promise a yes, and these "
        "were small favours, not mentoring — but the direction of your guess fits the research."
    ),
}


def _content() -> Any:
    return curriculum.load().step("02_assumptions").content


def _confidence(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(min(max(round(value), 0), 100))


def normalise(raw: Any) -> list[dict]:
    """The stored beliefs made safe to show: every field present, confidences 0–100 or None.

    Parameters
    ----------
    raw : Any
        What the journal holds under ``assumptions.beliefs``.

    Returns
    -------
    list of dict
        New dicts with ``id``, the text fields ("" when missing) and the two confidences
        (rounded and clamped, ``None`` when not rated), in a fixed key order.
    """
    out = []
    for entry in dict_entries(raw):
        belief: dict[str, Any] = texts(entry, ("id", *TEXT_FIELDS))
        for f in CONFIDENCE_FIELDS:
            belief[f] = _confidence(entry.get(f))
        out.append({k: belief[k] for k in ("id", "belief", "confidence_before", "evidence_for",
                                           "evidence_against", "rewrite", "confidence_after")})
    return out


def calibration_of(raw: Any) -> tuple[int | None, bool]:
    """(guess 0–10 or None, revealed); a revealed flag without a guess counts as not revealed.

    Parameters
    ----------
    raw : Any
        What the journal holds under ``assumptions.calibration``.

    Returns
    -------
    tuple
        ``(guess, revealed)``: the guess as an int, or ``(None, False)`` for no valid guess.
    """
    raw = raw if isinstance(raw, dict) else {}
    guess = raw.get("guess")
    if isinstance(guess, bool) or not isinstance(guess, int | float) or not 0 <= guess <= 10:
        return None, False
    return int(guess), raw.get("revealed") is True


def comparison_text(guess: int) -> str:
    """What the research says about a guess like this one, worded no stronger than the studies.

    Parameters
    ----------
    guess : int
        The participant's guess, 0–10.

    Returns
    -------
    str
        One of the ``COMPARISON_FALLBACK`` texts: for 0, for 1–5 (with the guess), or above 5.
    """
    if guess == 0:
        return COMPARISON_FALLBACK["none"]
    if guess <= 5:
        return COMPARISON_FALLBACK["low"].format(guess=guess)
    return COMPARISON_FALLBACK["high"]


def research_html(guess: int) -> str:
    """The research panel shown once a guess is saved: the guess, the comparison, the finding.

    Parameters
    ----------
    guess : int
        The saved guess, 0–10.

    Returns
    -------
    str
        Escaped HTML for the ``mw-02-research-panel`` card, with the content's research text.
    """
    cal = _content().calibration
    return (
        '<div class="mw-card mw-02-research-panel" role="region" aria-label="What the research '
        f'found"><p><strong>Your guess: {guess} out of 10.</strong></p>'
        f"<p>{esc(comparison_text(guess))}</p>"
        f"<p><strong>What the research found.</strong> {esc(cal.research)}</p>"
        f'<p class="mw-help">{esc(cal.typical_guess_note)}</p></div>'
    )


def _change_text(before: int | None, after: int | None) -> str:
    if before is None and after is None:
        return "Not rated yet: set both numbers (0–100) to rate this belief."
    if before is None:
        return "Rate how sure you were before, too."
    if after is None:
        return f"Before: {before}. When you have weighed the evidence, rate it again below."
    diff = after - before
    if diff == 0:
        moved = "no change — noticing it is still progress"
    else:
        moved = f"{'down' if diff < 0 else 'up'} {abs(diff)} points"
    return f"Before {before} → after {after}: {moved}."


class Assumptions(Exercise):
    """Belief cards and the calibration question."""

    step_id = "02_assumptions"
    title = "Test your assumptions"
    keys = (BELIEFS, CALIBRATION)

    def beliefs(self) -> list[dict]:
        """The saved beliefs, normalised (re-read: another notebook may have changed them)."""
        return normalise(self.value(BELIEFS, []))

    # ---------------------------------------------------------------- building

    def build(self) -> w.Widget:
        content = _content()
        self.deck = CardList(self, key=BELIEFS, css="mw-02", noun="belief", empty=EMPTY,
                             normalise=normalise, new_id=lambda _: f"own-{uuid.uuid4().hex[:6]}",
                             card=self._card)
        self.deck.ensure_ids()

        self.bank = w.Dropdown(description="Common beliefs",
                               options=[(b.text, b.id) for b in content.belief_bank],
                               style={"description_width": "initial"},
                               layout=w.Layout(width="auto"))
        self.bank.add_class("mw-02-bank")
        self.add_bank = w.Button(description="Add this belief", icon="plus",
                                 button_style="success", tooltip="Add the belief shown in the list")
        self.add_bank.add_class("mw-02-add-bank")
        self.add_bank.on_click(self.guard(lambda _: self.add_from_bank(self.bank.value)))

        # Not an answer, only the way in to a new card: add_from_box makes it send its text
        # whole, so Add never reads half a belief.
        self.own = w.Text(placeholder=content.fields.belief.placeholder, continuous_update=False,
                          layout=FULL)
        self.own.add_class("mw-02-own")
        self.add_own = w.Button(description="Add my own belief", icon="plus",
                                tooltip="Add the belief you typed")
        self.add_own.add_class("mw-02-add-own")
        add_from_box(self, self.own, self.add_own, self.add_own_belief)
        self.deck.undo_button.on_click(self.guard(lambda _: self.undo_remove()))
        self.deck.render()

        own_box = labelled(self.own, "Or in your own words")
        return w.VBox([
            w.HTML("<strong>1. Name the beliefs that could stop you asking</strong>"),
            row(self.bank, self.add_bank),
            row(own_box, self.add_own, self.deck.undo_button, grow=own_box),
            self.deck.box,
            w.HTML("<strong>2. A quick guess before the research</strong>"),
            self._calibration(),
        ], layout=FULL)

    def _card(self, index: int, belief: dict) -> w.Widget:
        fields = _content().fields
        bid = belief["id"]
        header = w.HTML(f"<strong>Belief {index + 1}</strong>")
        text = _change_text(belief["confidence_before"], belief["confidence_after"])
        change = w.HTML(f'<div class="mw-help">{esc(text)}</div>')
        change.add_class("mw-02-change")
        parts: list[w.Widget] = [header]
        order = ("belief", "confidence_before", "evidence_for", "evidence_against", "rewrite",
                 "confidence_after")
        for field in order:
            spec = getattr(fields, field)
            if field in CONFIDENCE_FIELDS:
                stored = belief[field]
                # A number box, not a slider: a screen reader names it by its label, and a
                # long label cannot squeeze it to nothing.
                number = w.BoundedIntText(value=50 if stored is None else stored, min=0,
                                          max=100, step=5, layout=w.Layout(width="auto"))
                number.add_class(f"mw-02-{CSS[field]}")
                number.observe(self.guard(lambda ch, f=field, c=change:
                                          self._edit(bid, f, int(ch["new"]), c)), names="value")
                parts.append(labelled(number, spec.label, spec.help))
                if field == "confidence_after":
                    parts.append(change)
                continue
            box = w.Textarea(value=belief[field], placeholder=spec.placeholder,
                             continuous_update=True, layout=w.Layout(width="100%", height="4em"))
            box.add_class(f"mw-02-{CSS[field]}")
            box.observe(self.guard(lambda ch, f=field: self._edit(bid, f, ch["new"])),
                        names="value")
            parts.append(labelled(box, spec.label, spec.help))
        remove = w.Button(description="Remove this belief", icon="trash", button_style="warning",
                          tooltip="Take this belief off your list")
        remove.add_class("mw-02-remove")
        remove.on_click(self.guard(lambda _: self.remove(bid)))
        parts.append(remove)
        card = w.VBox(parts, layout=FULL)
        card.add_class("mw-card")
        card.add_class("mw-02-card")
        return card

    def _calibration(self) -> w.Widget:
        cal = _content().calibration
        guess, _ = calibration_of(self.value(CALIBRATION))
        self.guess = w.ToggleButtons(options=[(str(i), i) for i in range(11)], index=None,
                                     description="Your guess (out of 10)",
                                     style={"description_width": "initial", "button_width": "3em"},
                                     tooltips=[f"{i} out of 10" for i in range(11)])
        self.guess.add_class("mw-02-guess")
        if guess is not None:
            self.guess.value = guess
        self.save_guess = w.Button(description="Save my guess", icon="lock",
                                   button_style="primary",
                                   tooltip="Save your guess; the research appears after this")
        self.save_guess.add_class("mw-02-save-guess")
        self.save_guess.on_click(self.guard(lambda _: self.record_guess(self.guess.value)))
        self.reveal_button = w.Button(description="Show me the research", icon="book")
        self.reveal_button.add_class("mw-02-reveal")
        self.reveal_button.on_click(self.guard(lambda _: self.reveal()))
        self.guess_note = w.HTML()
        self.guess_note.add_class("mw-02-guess-note")
        self.research = w.HTML(layout=FULL)
        self.research.add_class("mw-02-research")
        self._show_calibration()
        return w.VBox([w.HTML(f"<div>{esc(cal.question)}</div>"), self.guess,
                       w.HBox([self.save_guess, self.reveal_button]), self.guess_note,
                       self.research], layout=FULL)

    def _show_calibration(self) -> None:
        """Lay out the calibration box for its state: no guess, guess saved, or revealed."""
        guess, revealed = calibration_of(self.value(CALIBRATION))
        self.guess.disabled = revealed
        self.save_guess.disabled = revealed
        self.save_guess.layout.display = "none" if revealed else None
        self.reveal_button.layout.display = None if guess is not None and not revealed else "none"
        if guess is None:
            self.guess_note.value = (
                '<div class="mw-help">Pick a number, then press Save my guess. The research '
                "appears only after you have guessed, so your gut answer stays your own.</div>")
            self.research.value = ""
        elif not revealed:
            self.guess_note.value = (
                f'<div role="status">Your guess is saved: <strong>{guess} out of 10</strong>. '
                "Change it and save again if you like, or press Show me the research.</div>")
            self.research.value = ""
        else:
            self.guess_note.value = (
                f'<div role="status">Your guess, saved before you saw the research: '
                f"<strong>{guess} out of 10</strong> (locked).</div>")
            self.research.value = research_html(guess)

    # ---------------------------------------------------------------- actions

    def _add(self, text: str, prefix: str) -> bool:
        text = (text or "").strip()
        if not text:
            self.say("Write the belief in the box first, then press Add my own belief.",
                     error=True)
            return False
        if len(text) > BELIEF_LIMIT:
            self.say(f"That belief is {len(text)} characters long; say it in one sentence "
                     f"(under {BELIEF_LIMIT}) and use the evidence boxes for the rest.", error=True)
            return False
        beliefs = self.beliefs()
        if any(b["belief"].strip().casefold() == text.casefold() for b in beliefs):
            self.say("That belief is already on your list — you can work on it below.",
                     error=True)
            return False
        beliefs.append({"id": f"{prefix}-{uuid.uuid4().hex[:6]}", "belief": text,
                        "confidence_before": None, "evidence_for": "", "evidence_against": "",
                        "rewrite": "", "confidence_after": None})
        if not self.save(BELIEFS, beliefs):
            return False
        self.deck.render()
        self.say("✓ Added. Now rate how sure you are, and weigh the evidence.")
        return True

    def add_from_bank(self, bank_id: str) -> bool:
        """Add the belief-bank item with this id as a card; False (with a message) if not added."""
        item = next((b for b in _content().belief_bank if b.id == bank_id), None)
        if item is None:
            self.say("Choose a belief from the list first.", error=True)
            return False
        return self._add(item.text, item.id.replace("_", "-"))

    def add_own_belief(self, text: str) -> bool:
        """Add a belief in the participant's words and clear the box; False if not added."""
        if self._add(text, "own"):
            self.own.value = ""
            return True
        return False

    def remove(self, belief_id: str) -> None:
        """Remove a belief card, offering undo."""
        if self.deck.remove(belief_id) is not None:
            self.deck.render()
            self.say("Removed that belief. Changed your mind? Press Undo remove.")

    def undo_remove(self) -> None:
        """Put the last removed belief back where it was."""
        if self.deck.undo() is not None:
            self.deck.render()
            self.say("✓ The belief is back on your list.")

    def _edit(self, belief_id: str, field: str, value: Any, change: w.HTML | None = None) -> None:
        belief = self.deck.edit(belief_id, field, value)
        if belief is not None and change is not None:
            text = _change_text(belief["confidence_before"], belief["confidence_after"])
            change.value = f'<div class="mw-help">{esc(text)}</div>'

    def record_guess(self, guess: Any) -> bool:
        """Save a 0–10 calibration guess; refused once the research has been revealed."""
        _, revealed = calibration_of(self.value(CALIBRATION))
        if revealed:
            self.say("Your guess is locked now that you have seen the research.", error=True)
            return False
        if isinstance(guess, bool) or not isinstance(guess, int) or not 0 <= guess <= 10:
            self.say("Pick a number from 0 to 10 first, then press Save my guess.", error=True)
            return False
        if not self.save(CALIBRATION, {"guess": guess, "revealed": False}):
            return False
        self._show_calibration()
        self.say(f"✓ Guess saved: {guess} out of 10.")
        return True

    def reveal(self) -> bool:
        """Show the research and lock the guess; refused until a guess is saved."""
        guess, _ = calibration_of(self.value(CALIBRATION))
        if guess is None:
            self.say("Save a guess first — the research appears after you have guessed.",
                     error=True)
            return False
        if not self.save(CALIBRATION, {"guess": guess, "revealed": True}):
            return False
        self._show_calibration()
        return True

    # ---------------------------------------------------------------- grading summary

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        fields = _content().fields
        rows = []
        for b in self.beliefs():
            rows.append({
                fields.belief.label: b["belief"],
                "How sure before (0–100)": b["confidence_before"],
                fields.evidence_for.label: b["evidence_for"],
                fields.evidence_against.label: b["evidence_against"],
                fields.rewrite.label: b["rewrite"],
                "How sure after (0–100)": b["confidence_after"],
            })
        yield "Beliefs tested", rows
        guess, revealed = calibration_of(self.value(CALIBRATION))
        yield "Calibration guess (out of 10)", guess
        yield "Saw the research after guessing", revealed if guess is not None else None


EXERCISES: dict[str, type[Exercise]] = {"": Assumptions}
