"""Step 07, treat rejection as a lesson: practise replies to a no, then plan what comes next.

Why scenarios with explained options: people who are sensitive to rejection read it into
ambiguous replies (Downey & Feldman 1996), so seeing why a "not now" or a silence is usually
about timing does more than being told not to take it personally. Why the self-compassion
rewrite: a kind view of one's own setback raised the motivation to improve (Breines & Chen 2012).
Why the next leader comes from the participant's own shortlist: a no hurts less, and stalls
less, when the next step is already named.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as w

from mentor_workshop.core import checks, curriculum
from mentor_workshop.participant.widgets.base import FULL, Exercise, esc, labelled
from mentor_workshop.participant.widgets.parts import WholeStep

STEP_ID = "07_rejection"
RESPONSES = "rejection.responses"
ASK_WHY = "rejection.ask_why"
SELF_COMPASSION = "rejection.self_compassion"
NEXT_LEADER = "rejection.next_leader"
#: The template's stand-in for the leader's name.
NAME_SLOT = "[name]"
_CSS = """
<style>
.mw-07-scenario .widget-radio-box label { white-space: normal; line-height: 1.35;
  margin-bottom: 4px; }
.mw-07-message { font-style: italic; margin: 4px 0 8px 0; }
</style>
"""


def _content() -> Any:
    return curriculum.load().step(STEP_ID).content


def _dict(value: Any) -> dict:
    return dict(value) if isinstance(value, dict) else {}


def option_feedback_html(option: Any) -> str:
    """Whether the chosen reply is the recommended one, in words and not colour alone.

    Parameters
    ----------
    option : Any
        The chosen scenario option from the content (``best`` and ``explanation``).

    Returns
    -------
    str
        A status line: the verdict with ✔ or ✘, then the option's explanation, escaped.
    """
    if option.best:
        head = "✔ This is the reply we recommend."
        cls = ""
    else:
        head = "✘ Not the reply we recommend — read why, and choose again if you like."
        cls = "mw-status-error"
    return (f'<div role="status"><strong class="{cls}">{esc(head)}</strong> '
            f"{esc(option.explanation)}</div>")


# ================================================================================ scenarios


class Scenarios(Exercise):
    """One card per scenario: the reply you would send, and why."""

    step_id = STEP_ID
    title = "When the answer is not yes"
    keys = (RESPONSES,)

    def build(self) -> w.Widget:
        content = _content()
        stored = _dict(self.value(RESPONSES, {}))
        self.choices: dict[str, w.RadioButtons] = {}
        self.whys: dict[str, w.Textarea] = {}
        self.explanations: dict[str, w.HTML] = {}
        cards = [w.HTML(_CSS)]
        for number, scenario in enumerate(content.scenarios, start=1):
            cards.append(self._card(number, scenario, content.why_label,
                                    _dict(stored.get(scenario.id))))
        return w.VBox(cards, layout=FULL)

    def _card(self, number: int, scenario: Any, why_label: str, saved: dict) -> w.Widget:
        sid = scenario.id
        slug = sid.replace("_", "-")
        choice = w.RadioButtons(
            options=[(o.text, o.id) for o in scenario.options], value=None,
            description="Your reply", style={"description_width": "initial"},
            layout=w.Layout(width="100%"),
        )
        choice.add_class(f"mw-07-{slug}-choice")
        if saved.get("choice") in {o.id for o in scenario.options}:
            choice.value = saved["choice"]
        why = w.Textarea(placeholder="In a sentence or two", continuous_update=True,
                         layout=w.Layout(width="100%", height="4em"))
        why.add_class(f"mw-07-{slug}-why")
        why.value = saved.get("why") if isinstance(saved.get("why"), str) else ""
        explanation = w.HTML(layout=FULL)
        self.choices[sid], self.whys[sid], self.explanations[sid] = choice, why, explanation
        self._explain(scenario)

        def on_change(_change: dict) -> None:
            self._save(sid)
            self._explain(scenario)

        choice.observe(self.guard(on_change), names="value")
        why.observe(self.guard(on_change), names="value")
        card = w.VBox([
            w.HTML(f"<strong>Scenario {number}: {esc(scenario.title)}</strong>"
                   f'<div class="mw-07-message">{esc(scenario.message)}</div>'),
            choice,
            explanation,
            labelled(why, why_label),
        ], layout=FULL)
        card.add_class("mw-card")
        card.add_class("mw-07-scenario")
        return card

    def _save(self, sid: str) -> None:
        responses = _dict(self.value(RESPONSES, {}))
        responses[sid] = {"choice": self.choices[sid].value or "", "why": self.whys[sid].value}
        self.save(RESPONSES, responses)

    def _explain(self, scenario: Any) -> None:
        chosen = self.choices[scenario.id].value
        option = next((o for o in scenario.options if o.id == chosen), None)
        self.explanations[scenario.id].value = (
            option_feedback_html(option) if option is not None else
            '<span class="mw-empty">Choose a reply to see what it is likely to do.</span>'
        )

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        stored = _dict(self.value(RESPONSES, {}))
        for scenario in _content().scenarios:
            saved = _dict(stored.get(scenario.id))
            option = next((o for o in scenario.options if o.id == saved.get("choice")), None)
            if option is None:
                yield scenario.title, ""
                continue
            verdict = "recommended" if option.best else "not the recommended reply"
            why = str(saved.get("why") or "").strip() or "(no reason given)"
            yield scenario.title, f"{option.text} ({verdict}). Why: {why}"


# ================================================================================ ask why


def template_text(template: str, leader_name: str) -> str:
    """The starter reply, addressed to the first pick when we know who that is.

    Parameters
    ----------
    template : str
        The content's starter text, possibly holding ``NAME_SLOT``.
    leader_name : str
        The first pick's name; "" leaves the slot as written.

    Returns
    -------
    str
        The template with its whitespace collapsed and the name filled in.
    """
    text = " ".join(template.split())
    return text.replace(NAME_SLOT, leader_name) if leader_name else text


class AskWhy(Exercise):
    """A short, gracious reply asking what would make a future request work."""

    step_id = STEP_ID
    title = "Ask, kindly, what you could do better"
    keys = (ASK_WHY,)

    def build(self) -> w.Widget:
        spec = _content().ask_why
        self.template = spec.template
        self.text = w.Textarea(placeholder=spec.placeholder, continuous_update=True,
                               layout=w.Layout(width="100%", height="8em"))
        self.text.add_class("mw-07-ask-why")
        self.bind(self.text, ASK_WHY, default="")
        self.start = w.Button(description="Start from the template", icon="pencil",
                              tooltip="Fill the box with a starter reply you can adapt")
        self.start.add_class("mw-07-template")
        self.start.on_click(self.guard(self._use_template))
        return w.VBox([labelled(self.text, spec.label), self.start], layout=FULL)

    def _use_template(self, _button: w.Button) -> None:
        if self.text.value.strip():
            self.say("Your box already has text, so nothing was replaced. Clear it first if "
                     "you want to start again from the template.", error=True)
            return
        pick = checks.first_pick(self.journal)
        name = str(pick.get("name") or "").strip() if pick else ""
        self.text.value = template_text(self.template, name)  # the bound observer saves it
        hint = (" Replace [name] with their name," if NAME_SLOT in self.text.value else "")
        self.say(f"✓ Template added and saved.{hint} Now make it sound like you.")

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        yield "My 'may I ask why?' reply", self.value(ASK_WHY, "")


# ================================================================================ self-compassion


class SelfCompassion(Exercise):
    """The first reaction to a no, then what you would say to a friend in the same spot."""

    step_id = STEP_ID
    title = "Be a good friend to yourself"
    keys = (SELF_COMPASSION,)

    def build(self) -> w.Widget:
        spec = _content().self_compassion
        self.reaction = w.Textarea(placeholder="Whatever went through your head first",
                                   continuous_update=True,
                                   layout=w.Layout(width="100%", height="4em"))
        self.reaction.add_class("mw-07-first-reaction")
        self.rewrite = w.Textarea(placeholder="Kind, honest and forward-looking",
                                  continuous_update=True,
                                  layout=w.Layout(width="100%", height="6em"))
        self.rewrite.add_class("mw-07-rewrite")
        self.bind(self.reaction, SELF_COMPASSION, "first_reaction", default="")
        self.bind(self.rewrite, SELF_COMPASSION, "rewrite", default="")
        hints = "".join(f"<li>{esc(h)}</li>" for h in spec.hints)
        return w.VBox([
            labelled(self.reaction, spec.reaction_label),
            w.HTML(f'<div class="mw-help">Questions to help the rewrite:<ul>{hints}</ul></div>'),
            labelled(self.rewrite, spec.rewrite_label),
        ], layout=FULL)

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        saved = _dict(self.value(SELF_COMPASSION, {}))
        yield "My first reaction", saved.get("first_reaction", "")
        yield "What I would tell a friend", saved.get("rewrite", "")


# ================================================================================ next leader


def next_leader_options(journal: Any) -> tuple[list[tuple[str, str]], str]:
    """(label, id) for every shortlisted leader except the first pick, and an empty-state text.

    Parameters
    ----------
    journal : Journal
        The participant's journal, re-read so a change in notebook 01 shows after Refresh.

    Returns
    -------
    tuple
        ``(options, message)``: dropdown options "name — role"; ``message`` is "" when there
        are options, otherwise it says what to do in notebook 01.
    """
    people = checks.leaders(journal)
    first = journal.load("shortlist.first_pick")
    options = []
    for leader in people:
        if leader.get("id") == first or not isinstance(leader.get("id"), str):
            continue
        role = str(leader.get("role") or "").strip()
        label = str(leader["name"]).strip() + (f" — {role}" if role else "")
        options.append((label, leader["id"]))
    if options:
        return options, ""
    if not people:
        return [], ("Your shortlist is empty — add leaders in notebook 01 (the shortlist), "
                    "then press Refresh.")
    pick = checks.first_pick(journal)
    who = f", {pick['name']}" if pick else ""
    return [], (f"Your shortlist has only your first pick{who}. Add at least one more leader "
                "in notebook 01, then press Refresh.")


class NextLeader(Exercise):
    """Whom to ask next if the first pick says no: chosen from your own shortlist."""

    step_id = STEP_ID
    title = "Who you will ask next"
    keys = (NEXT_LEADER,)

    def build(self) -> w.Widget:
        spec = _content().next_leader
        self.menu = w.Dropdown(options=[], value=None, description=spec.label,
                               style={"description_width": "initial"},
                               layout=w.Layout(width="40rem"))
        self.menu.add_class("mw-07-next-leader")
        self.note = w.HTML(layout=FULL)
        self.refresh_button = w.Button(description="Refresh", icon="refresh",
                                       tooltip="Reload the list from your shortlist (notebook 01)")
        self.refresh_button.add_class("mw-07-refresh")
        self.refresh()
        self.menu.observe(self.guard(self._on_pick), names="value")
        self.refresh_button.on_click(self.guard(lambda _b: self.refresh()))
        parts: list[w.Widget] = [w.HBox([self.menu, self.refresh_button])]
        if spec.help:
            parts.append(w.HTML(f'<div class="mw-help">{esc(spec.help)}</div>'))
        parts.append(self.note)
        return w.VBox(parts, layout=FULL)

    def refresh(self) -> None:
        """Rebuild the menu from the journal; a stale choice is shown as such, not dropped."""
        self._loading = True
        try:
            options, empty = next_leader_options(self.journal)
            self.menu.options = [("Choose a leader…", None), *options] if options else []
            self.menu.disabled = not options
            stored = self.value(NEXT_LEADER)
            ids = {value for _, value in options}
            self.menu.value = stored if stored in ids else None
        finally:
            self._loading = False
        if empty:
            self.note.value = f'<p class="mw-empty" role="status">{esc(empty)}</p>'
        elif stored and stored not in ids:
            self.note.value = (
                '<p class="mw-status-error" role="status">⚠ The leader you chose before is no '
                "longer on your shortlist, or is now your first pick — choose again.</p>")
        else:
            self._describe()

    def _on_pick(self, change: dict) -> None:
        if self._loading:
            return
        self.save(NEXT_LEADER, change["new"])  # None when the participant clears the choice
        self._describe()

    def _describe(self) -> None:
        leader = checks.leader_by_id(self.journal, self.menu.value)
        if leader is None:
            self.note.value = '<p class="mw-empty" role="status">No one chosen yet.</p>'
        else:
            self.note.value = (f'<p role="status">✓ If the answer is no, you will ask '
                               f"<strong>{esc(leader['name'])}</strong> next.</p>")

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        leader = checks.leader_by_id(self.journal, self.value(NEXT_LEADER))
        yield "Next leader to ask", leader["name"] if leader else ""


# ================================================================================ whole step


class Rejection(WholeStep):
    """Replies to a no, asking why, self-compassion and who is next, as one card."""

    step_id = STEP_ID
    title = "Treat rejection as a lesson"
    parts = (Scenarios, AskWhy, SelfCompassion, NextLeader)


EXERCISES: dict[str, type[Exercise]] = {
    "": Rejection,
    "scenarios": Scenarios,
    "ask_why": AskWhy,
    "self_compassion": SelfCompassion,
    "next_leader": NextLeader,
}
