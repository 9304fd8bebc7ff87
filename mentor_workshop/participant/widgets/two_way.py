"""Step 08, make it two-way: what the leader cares about, what you can offer, how you prepare.

Why the two columns side by side: an offer lands when it meets something the leader already
cares about, so writing their concerns next to your offers invites the match. Mentors gain from
mentoring too (Ghosh & Reio 2013), and a junior colleague's view can itself be the gift — the
idea behind reverse mentoring (Murphy 2012). Offers are saved as their texts, not bank ids, so
the personal plan reads the same whether an offer came from the bank or was written by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as w

from mentor_workshop.core import checks, curriculum
from mentor_workshop.participant.widgets.base import FULL, Exercise, add_from_box, esc, labelled
from mentor_workshop.participant.widgets.parts import WholeStep

STEP_ID = "08_two_way"
CARES = "two_way.cares"
OFFERS = "two_way.offers"
PREP = "two_way.prep"
#: An own offer shorter than this is too vague to act on ("help out").
MIN_OFFER_WORDS = 3
MAX_OFFER_CHARS = 300
_CSS = """
<style>
.mw-08-columns { flex-wrap: wrap; gap: 12px; }
.mw-08-column { flex: 1 1 22rem; min-width: 18rem; }
.mw-08-column .widget-checkbox { width: 100%; height: auto; }
.mw-08-column .widget-checkbox label, .mw-08-prep .widget-checkbox label {
  white-space: normal; line-height: 1.35; }
</style>
"""


def _content() -> Any:
    return curriculum.load().step(STEP_ID).content


def _texts(value: Any) -> list[str]:
    return [v.strip() for v in value if isinstance(v, str) and v.strip()] \
        if isinstance(value, list) else []


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _checkbox(text: str, css: str) -> w.Checkbox:
    box = w.Checkbox(value=False, description=text, indent=False,
                     layout=w.Layout(width="100%"))
    box.add_class(css)
    return box


# ================================================================================ offers


class CaresAndOffers(Exercise):
    """What the leader cares about, beside what you can offer them."""

    step_id = STEP_ID
    title = "What they care about, and what you can offer"
    keys = (CARES, OFFERS)

    def build(self) -> w.Widget:
        content = _content()
        fields = content.fields
        self.min_offers = content.min_offers
        self.bank = list(content.offer_bank)

        self.cares = w.Textarea(placeholder=fields.cares.placeholder, continuous_update=True,
                                layout=w.Layout(width="100%", height="9em"))
        self.cares.add_class("mw-08-cares")
        self.bind(self.cares, CARES, default="")

        stored = _texts(self.value(OFFERS, []))
        bank_keys = {_key(item.text) for item in self.bank}
        chosen = {_key(t) for t in stored}
        self.boxes: dict[str, w.Checkbox] = {}
        for item in self.bank:
            box = _checkbox(item.text, f"mw-08-offer-{item.id.replace('_', '-')}")
            box.value = _key(item.text) in chosen
            box.observe(self.guard(lambda _change: self._save()), names="value")
            self.boxes[item.id] = box
        self.own: list[str] = [t for t in stored if _key(t) not in bank_keys]

        # Not an answer, only the way in to the list: add_from_box makes it send its text
        # whole, so Add never reads half an offer.
        self.new_offer = w.Text(placeholder=fields.offers.placeholder, continuous_update=False,
                                layout=w.Layout(width="100%"))
        self.new_offer.add_class("mw-08-own-offer")
        self.add_button = w.Button(description="Add my offer", icon="plus",
                                   tooltip="Add the offer you typed to your list")
        self.add_button.add_class("mw-08-add-offer")
        add_from_box(self, self.new_offer, self.add_button, lambda _text: self._add(None))
        self.own_list = w.VBox(layout=FULL)
        self.count = w.HTML(layout=FULL)
        self._render_own()
        self._describe()

        pick = checks.first_pick(self.journal)
        who = (f'<div class="mw-help">Your first pick: <strong>{esc(pick["name"])}</strong>'
               "</div>") if pick else ""
        left = w.VBox([labelled(self.cares, fields.cares.label, fields.cares.help),
                       w.HTML(who)])
        left.add_class("mw-08-column")
        right = w.VBox([
            w.HTML("<strong>What you can offer</strong>"
                   f'<div class="mw-help">{esc(fields.offers.help)}</div>'),
            *self.boxes.values(),
            labelled(self.new_offer, fields.offers.label),
            self.add_button,
            self.own_list,
            self.count,
        ])
        right.add_class("mw-08-column")
        columns = w.HBox([left, right], layout=FULL)
        columns.add_class("mw-08-columns")
        return w.VBox([w.HTML(_CSS), columns], layout=FULL)

    # -- the offer list ------------------------------------------------------------------------

    def offers(self) -> list[str]:
        """Ticked bank offers in bank order, then your own in the order you added them."""
        ticked = [item.text for item in self.bank if self.boxes[item.id].value]
        return ticked + list(self.own)

    def _save(self) -> None:
        self.save(OFFERS, self.offers())
        self._describe()

    def _add(self, _button: w.Button | None = None) -> None:
        text = " ".join(self.new_offer.value.split())
        if not text:
            self.say("Type your offer in the box first, then press Add my offer.", error=True)
            return
        if len(text) > MAX_OFFER_CHARS:
            self.say(f"Keep an offer under {MAX_OFFER_CHARS} characters — one concrete thing.",
                     error=True)
            return
        if checks.words(text) < MIN_OFFER_WORDS:
            self.say(f"Make '{text}' more concrete: say what you would do, and for whom or "
                     "what — at least a few words.", error=True)
            return
        for item in self.bank:
            if _key(item.text) == _key(text):
                self.new_offer.value = ""
                self.boxes[item.id].value = True  # its observer saves
                self.say("That one is in the list above, so it is now ticked.")
                return
        if any(_key(t) == _key(text) for t in self.own):
            self.say("That offer is already on your list.", error=True)
            return
        self.own.append(text)
        self.new_offer.value = ""
        self._save()
        self._render_own()

    def _remove(self, index: int) -> None:
        if 0 <= index < len(self.own):
            del self.own[index]
            self._save()
        self._render_own()

    def _render_own(self) -> None:
        """Rebuild your own offers from the list that was just saved."""
        rows: list[w.Widget] = []
        for i, text in enumerate(self.own):
            remove = w.Button(description="Remove", icon="trash",
                              tooltip=f"Remove the offer: {text[:60]}",
                              layout=w.Layout(width="auto"))
            remove.add_class(f"mw-08-remove-offer-{i + 1}")
            remove.on_click(self.guard(lambda _b, i=i: self._remove(i)))
            rows.append(w.HBox([w.HTML(f"• {esc(text)}", layout=w.Layout(flex="1 1 auto")),
                                remove]))
        if not rows:
            rows.append(w.HTML('<span class="mw-empty">No offers of your own yet — add one '
                               "above if the list misses what you bring.</span>"))
        self.own_list.children = rows

    def _describe(self) -> None:
        n = len(self.offers())
        if n >= self.min_offers:
            text, cls = f"✓ {n} offer{'s' if n != 1 else ''} — enough to start a two-way " \
                        "conversation.", ""
        else:
            text = (f"{n} offer{'s' if n != 1 else ''} so far — pick at least {self.min_offers}. "
                    "Tick some above or add your own.")
            cls = "mw-empty"
        self.count.value = f'<p class="{cls}" role="status">{esc(text)}</p>'

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        yield "What the leader cares about", self.value(CARES, "")
        yield "What I can offer", _texts(self.value(OFFERS, []))


# ================================================================================ prep


class Preparation(Exercise):
    """A checklist for the first meeting, so their time is well used."""

    step_id = STEP_ID
    title = "Prepare for the first meeting"
    keys = (PREP,)

    def build(self) -> w.Widget:
        self.items = list(_content().prep_checklist)
        self.need = min(3, len(self.items))  # the same bar as checks.check_two_way
        stored = self.value(PREP, {})
        stored = stored if isinstance(stored, dict) else {}
        self.boxes: dict[str, w.Checkbox] = {}
        for item in self.items:
            box = _checkbox(item.text, f"mw-08-prep-{item.id.replace('_', '-')}")
            box.value = stored.get(item.id) is True
            box.observe(self.guard(lambda _change: self._save()), names="value")
            self.boxes[item.id] = box
        self.progress = w.HTML(layout=FULL)
        self._describe()
        checklist = w.VBox([
            w.HTML('<div class="mw-help">Tick what you will do before you meet.</div>'),
            *self.boxes.values(),
            self.progress,
        ], layout=FULL)
        checklist.add_class("mw-08-prep")
        return w.VBox([w.HTML(_CSS), checklist], layout=FULL)

    def _save(self) -> None:
        stored = self.value(PREP, {})
        current = dict(stored) if isinstance(stored, dict) else {}
        current.update({item_id: box.value for item_id, box in self.boxes.items()})
        self.save(PREP, current)
        self._describe()

    def _describe(self) -> None:
        done = sum(box.value for box in self.boxes.values())
        total = len(self.boxes)
        if done >= self.need:
            text, cls = f"✓ {done} of {total} ticked — your preparation is under way.", ""
        else:
            text = f"{done} of {total} ticked — tick at least {self.need} you will do."
            cls = "mw-empty"
        self.progress.value = f'<p class="{cls}" role="status">{esc(text)}</p>'

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        stored = self.value(PREP, {})
        stored = stored if isinstance(stored, dict) else {}
        items = _content().prep_checklist
        yield "Preparation I will do", [i.text for i in items if stored.get(i.id) is True]


# ================================================================================ whole step


class TwoWay(WholeStep):
    """What they care about, what you can offer and how you will prepare, as one card."""

    step_id = STEP_ID
    title = "Make it a two-way relationship"
    parts = (CaresAndOffers, Preparation)


EXERCISES: dict[str, type[Exercise]] = {
    "": TwoWay,
    "offers": CaresAndOffers,
    "prep": Preparation,
}
