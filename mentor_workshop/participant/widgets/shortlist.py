"""Step 01: a shortlist of leaders, ranked by a score the participant can see through.

The list lives in the journal (``shortlist.leaders``), and the card view is rebuilt from it
whenever a leader is added or removed, so what is on screen is always what was saved. Typing in
a card updates only that leader (found by its id), and refreshes the ranked table and the
first-pick menu without rebuilding the cards, so the cursor stays where the participant is typing.

The score is deliberately simple — shared values × weight + warmth × weight — and is written out
in words beside the table: a prompt for judgement, not an algorithm to obey.
"""

from __future__ import annotations

import re
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

LEADERS = "shortlist.leaders"
WEIGHTS = "shortlist.weights"
FIRST_PICK = "shortlist.first_pick"

TEXT_FIELDS = ("name", "role", "why", "learn", "reach")
SCALE_FIELDS = ("warmth", "values")
EMPTY = "No leaders yet — add your first above."
NAME_LIMIT = 120


def _content() -> Any:
    return curriculum.load().step("01_shortlist").content


def new_id(name: str) -> str:
    """A short id that stays with the leader even if the name is later corrected.

    Parameters
    ----------
    name : str
        The leader's name, used only to make the id readable.

    Returns
    -------
    str
        A slug of up to 20 characters (``leader`` when empty) plus 6 random hex digits.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:20].strip("-")
    return f"{slug or 'leader'}-{uuid.uuid4().hex[:6]}"


def _scale(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 3
    return min(max(number, 1), 5)


def normalise(raw: Any) -> list[dict]:
    """The stored list made safe to show: every entry a dict with every field and an id.

    Parameters
    ----------
    raw : Any
        What the journal holds under ``shortlist.leaders``.

    Returns
    -------
    list of dict
        New dicts: text fields ("" when missing), ratings clamped to 1–5 (3 when unreadable),
        and ``stretch`` as a bool. A missing id is "" here; the card list assigns one.
    """
    out = []
    for entry in dict_entries(raw):
        leader: dict[str, Any] = texts(entry, ("id", *TEXT_FIELDS))
        for f in SCALE_FIELDS:
            leader[f] = _scale(entry.get(f))
        leader["stretch"] = entry.get("stretch") is True
        out.append(leader)
    return out


def weights_of(raw: Any, defaults: Any) -> tuple[float, float]:
    """(values weight, warmth weight), falling back to the content's defaults.

    Parameters
    ----------
    raw : Any
        What the journal holds under ``shortlist.weights``.
    defaults : Any
        The content's default weights (``values`` and ``warmth`` attributes).

    Returns
    -------
    tuple of float
        Each saved weight that is a number of 0 or more, else its default.
    """
    raw = raw if isinstance(raw, dict) else {}

    def pick(name: str) -> float:
        value = raw.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
        return float(getattr(defaults, name))

    return pick("values"), pick("warmth")


def score(leader: dict, w_values: float, w_warmth: float) -> float:
    """A leader's weighted score: shared values and warmth (each 1–5) times their weights.

    Parameters
    ----------
    leader : dict
        One shortlist entry.
    w_values : float
        Weight of shared values.
    w_warmth : float
        Weight of warmth.

    Returns
    -------
    float
        The score; unreadable ratings count as 3.
    """
    return _scale(leader.get("values")) * w_values + _scale(leader.get("warmth")) * w_warmth


def ranked(leaders: list[dict], w_values: float, w_warmth: float) -> list[tuple[float, dict]]:
    """The named leaders with their scores, highest first.

    Parameters
    ----------
    leaders : list of dict
        Normalised shortlist entries.
    w_values : float
        Weight of shared values.
    w_warmth : float
        Weight of warmth.

    Returns
    -------
    list of tuple
        ``(score, leader)`` pairs; ties keep the order the participant added them in.
    """
    named = [x for x in leaders if x.get("name", "").strip()]
    scored = [(score(x, w_values, w_warmth), x) for x in named]
    # Highest score first; ties keep the order the participant added them in.
    return sorted(scored, key=lambda pair: -pair[0])


def _num(x: float) -> str:
    return f"{x:g}"


def formula_text(w_values: float, w_warmth: float) -> str:
    """The scoring formula in words, with the current weights.

    Spelled out so the ranking is never a black box, and the choice stays the participant's.

    Parameters
    ----------
    w_values : float
        Weight of shared values.
    w_warmth : float
        Weight of warmth.

    Returns
    -------
    str
        Plain text (not HTML).
    """
    return (
        f"Score = shared values (1–5) × {_num(w_values)} + warmth (1–5) × {_num(w_warmth)}. "
        "Change the two weights to change how much each counts. The score only sorts the list; "
        "the choice of whom to approach first is yours."
    )


def table_html(leaders: list[dict], w_values: float, w_warmth: float) -> str:
    """The ranked shortlist as an accessible table (caption and column headers).

    Parameters
    ----------
    leaders : list of dict
        Normalised shortlist entries.
    w_values : float
        Weight of shared values.
    w_warmth : float
        Weight of warmth.

    Returns
    -------
    str
        Escaped HTML; the empty-list message when no leader has a name.
    """
    rows = ranked(leaders, w_values, w_warmth)
    if not rows:
        return f'<p class="mw-empty">{EMPTY}</p>'
    body = "".join(
        "<tr>"
        f"<td>{rank}</td><td>{esc(x['name'])}</td><td>{esc(x['role'])}</td>"
        f"<td>{x['values']}</td><td>{x['warmth']}</td>"
        f"<td>{'yes' if x['stretch'] else 'no'}</td><td><strong>{_num(s)}</strong></td>"
        "</tr>"
        for rank, (s, x) in enumerate(rows, start=1)
    )
    return (
        '<table class="mw-rank"><caption>Your shortlist, highest score first</caption>'
        '<thead><tr><th scope="col">Rank</th><th scope="col">Leader</th>'
        '<th scope="col">Role and organisation</th><th scope="col">Shared values</th>'
        '<th scope="col">Warmth</th><th scope="col">Stretch pick</th>'
        f'<th scope="col">Score</th></tr></thead><tbody>{body}</tbody></table>'
    )


TABLE_STYLE = """<style>
.mw-rank { border-collapse: collapse; margin: 4px 0; }
.mw-rank th, .mw-rank td { border: 1px solid var(--jp-border-color1, #bbb); padding: 2px 8px;
  text-align: left; }
.mw-rank caption { text-align: left; font-weight: 600; }
</style>"""


class Shortlist(Exercise):
    """Leader cards, a transparent ranking and the choice of whom to approach first."""

    step_id = "01_shortlist"
    title = "Your shortlist of leaders"
    keys = (LEADERS, WEIGHTS, FIRST_PICK)

    # ---------------------------------------------------------------- journal helpers

    def leaders(self) -> list[dict]:
        """The saved shortlist, normalised (re-read: another notebook may have changed it)."""
        return normalise(self.value(LEADERS, []))

    # ---------------------------------------------------------------- building

    def build(self) -> w.Widget:
        content = _content()
        self._quiet = False
        self._removed_was_pick = False
        self.deck = CardList(self, key=LEADERS, css="mw-01", noun="leader", empty=EMPTY,
                             normalise=normalise, new_id=lambda leader: new_id(leader["name"]),
                             card=self._card, redraw=self._redraw)
        self.deck.ensure_ids()

        # Not an answer, only the way in to a new card: add_from_box makes it send its text
        # whole, so Add never reads half a name.
        self.new_name = w.Text(placeholder=content.fields.name.placeholder,
                               continuous_update=False, layout=FULL)
        self.new_name.add_class("mw-01-new-name")
        self.add_button = w.Button(description="Add leader", icon="plus", button_style="success",
                                   tooltip="Add a card for this leader")
        self.add_button.add_class("mw-01-add")
        add_from_box(self, self.new_name, self.add_button, self.add)
        self.deck.undo_button.on_click(self.guard(lambda _: self.undo_remove()))
        name_box = labelled(self.new_name, "New leader's name")
        add_row = row(name_box, self.add_button, self.deck.undo_button, grow=name_box)

        w_values, w_warmth = weights_of(self.value(WEIGHTS), content.weights)
        # Number boxes, not sliders: a screen reader names them by their label, and the
        # arrow keys still step by 0.5.
        self.w_values = w.BoundedFloatText(value=w_values, min=0, max=5, step=0.5,
                                           description="Weight for shared values (0–5)",
                                           style={"description_width": "initial"},
                                           layout=w.Layout(width="20em"))
        self.w_warmth = w.BoundedFloatText(value=w_warmth, min=0, max=5, step=0.5,
                                           description="Weight for warmth (0–5)",
                                           style={"description_width": "initial"},
                                           layout=w.Layout(width="20em"))
        for slider, field in ((self.w_values, "values"), (self.w_warmth, "warmth")):
            slider.add_class(f"mw-01-w-{field}")
            slider.observe(self.guard(lambda _: self._weights_changed()), names="value")
        self.formula = w.HTML()
        self.formula.add_class("mw-01-formula")
        self.table = w.HTML(layout=FULL)
        self.table.add_class("mw-01-table")

        self.first_pick = w.Dropdown(description=content.first_pick.label,
                                     style={"description_width": "initial"},
                                     layout=w.Layout(width="auto"))
        self.first_pick.add_class("mw-01-first-pick")
        self.first_pick.observe(self.guard(self._pick_changed), names="value")

        self._redraw()
        return w.VBox([
            w.HTML("<strong>Add the leaders you admire</strong>"),
            add_row,
            self.deck.box,
            w.HTML(TABLE_STYLE + "<strong>Ranked by shared values and warmth</strong>"),
            self.formula,
            row(self.w_values, self.w_warmth),
            self.table,
            labelled(self.first_pick, content.first_pick.label, content.first_pick.help),
        ], layout=FULL)

    def _card(self, index: int, leader: dict) -> w.Widget:
        fields = _content().fields
        lid = leader["id"]
        header = w.HTML(self._header_html(index, leader))
        header.add_class("mw-01-card-title")
        parts: list[w.Widget] = [header]
        for field in TEXT_FIELDS:
            spec = getattr(fields, field)
            if field in ("why", "learn", "reach"):
                box: w.ValueWidget = w.Textarea(layout=w.Layout(width="100%", height="4em"))
            else:
                box = w.Text(layout=FULL)
            box.placeholder = spec.placeholder
            box.continuous_update = True
            box.value = leader[field]
            box.add_class(f"mw-01-{field}")
            box.observe(self.guard(lambda ch, f=field, h=header, i=index:
                                   self._edit(lid, f, ch["new"], h, i)), names="value")
            parts.append(labelled(box, spec.label, spec.help))
        for field in SCALE_FIELDS:
            spec = getattr(fields, field)
            # Five labelled buttons rather than a slider: each has a name a screen reader
            # reads, and the arrow keys move between them.
            rating = w.ToggleButtons(options=[(str(i), i) for i in range(1, 6)],
                                     value=leader[field],
                                     tooltips=[f"{i} of 5" for i in range(1, 6)],
                                     style={"button_width": "3em"})
            rating.add_class(f"mw-01-{field}")
            rating.observe(self.guard(lambda ch, f=field: self._edit(lid, f, ch["new"])),
                           names="value")
            parts.append(labelled(rating, spec.label, f"{spec.help} {spec.low}; {spec.high}."))
        stretch = w.Checkbox(value=leader["stretch"], description=fields.stretch.label,
                             indent=False)
        stretch.add_class("mw-01-stretch")
        stretch.observe(self.guard(lambda ch, h=header, i=index:
                                   self._edit(lid, "stretch", bool(ch["new"]), h, i)),
                        names="value")
        parts.append(labelled(stretch, fields.stretch.label, fields.stretch.help))
        remove = w.Button(description="Remove this leader", icon="trash",
                          button_style="warning", tooltip="Take this card off your shortlist")
        remove.add_class("mw-01-remove")
        remove.on_click(self.guard(lambda _: self.remove(lid)))
        parts.append(remove)
        card = w.VBox(parts, layout=FULL)
        card.add_class("mw-card")
        card.add_class("mw-01-card")
        return card

    @staticmethod
    def _header_html(index: int, leader: dict) -> str:
        name = leader["name"].strip()
        shown = esc(name) if name else '<span class="mw-empty">(no name yet — type one)</span>'
        stretch = " · stretch pick" if leader["stretch"] else ""
        return f"<strong>Leader {index + 1}: {shown}</strong>{stretch}"

    def _redraw(self) -> None:
        """After the list itself changed: new cards, then the table and menu that follow them."""
        self.deck.render()
        self._refresh_derived()

    def _refresh_derived(self) -> None:
        """The ranked table and first-pick menu follow every edit."""
        leaders = self.leaders()
        wv, ww = self.w_values.value, self.w_warmth.value
        self.formula.value = f'<div class="mw-help">{esc(formula_text(wv, ww))}</div>'
        self.table.value = table_html(leaders, wv, ww)
        named = [x for x in leaders if x["name"].strip()]
        counts: dict[str, int] = {}
        for x in named:
            counts[x["name"].strip()] = counts.get(x["name"].strip(), 0) + 1
        options = [("Choose a leader…", "")]
        for x in named:
            label = x["name"].strip()
            if counts[label] > 1:
                label += f" — {x['role'].strip() or x['id']}"
            options.append((label, x["id"]))
        stored = self.value(FIRST_PICK)
        current = stored if any(v == stored for _, v in options[1:]) else ""
        self._quiet = True
        try:
            if list(self.first_pick.options) != options:
                self.first_pick.options = options
            self.first_pick.value = current
        finally:
            self._quiet = False

    # ---------------------------------------------------------------- actions

    def add(self, name: str) -> bool:
        """Add a card for ``name``; refuse an empty or duplicate name with a clear reason."""
        name = (name or "").strip()
        if not name:
            self.say("Type the leader's name in the box first, then press Add leader.", error=True)
            return False
        if len(name) > NAME_LIMIT:
            self.say(f"That name is {len(name)} characters long; keep it under {NAME_LIMIT} and "
                     "put the details in the card.", error=True)
            return False
        leaders = self.leaders()
        if any(x["name"].strip().casefold() == name.casefold() for x in leaders):
            self.say(f"{name} is already on your shortlist — edit their card below.", error=True)
            return False
        leaders.append({"id": new_id(name), "name": name, "role": "", "why": "", "learn": "",
                        "reach": "", "warmth": 3, "values": 3, "stretch": False})
        if not self.deck.store(leaders):
            return False
        self.new_name.value = ""
        self._redraw()
        self.say(f"✓ Added {name}. Fill in their card below.")
        return True

    def remove(self, leader_id: str) -> None:
        """Remove a leader's card, offering undo; a removed first pick is cleared too."""
        gone = self.deck.remove(leader_id)
        if gone is None:
            return
        # the first pick never points at a leader who is gone; undo brings the choice back
        self._removed_was_pick = self.value(FIRST_PICK) == leader_id
        if self._removed_was_pick:
            self.save(FIRST_PICK, None)
        self._redraw()
        who = gone["name"].strip() or "The unnamed leader"
        self.say(f"Removed {who} from your shortlist. Changed your mind? Press Undo remove.")

    def undo_remove(self) -> None:
        """Put the last removed leader back, and restore them as first pick if they were."""
        leader = self.deck.undo()
        if leader is None:
            return
        if self._removed_was_pick and not self.value(FIRST_PICK):
            self.save(FIRST_PICK, leader["id"])
        self._redraw()
        self.say(f"✓ {leader['name'].strip() or 'The leader'} is back on your shortlist.")

    def _edit(self, leader_id: str, field: str, value: Any,
              header: w.HTML | None = None, index: int = 0) -> None:
        leader = self.deck.edit(leader_id, field, value)
        if leader is None:
            return
        if header is not None:
            header.value = self._header_html(index, leader)
        self._refresh_derived()

    def _weights_changed(self) -> None:
        self.save(WEIGHTS, {"values": float(self.w_values.value),
                            "warmth": float(self.w_warmth.value)})
        self._refresh_derived()

    def _pick_changed(self, change: dict) -> None:
        if self._quiet:
            return
        chosen = change["new"] or None
        self.save(FIRST_PICK, chosen)
        if chosen:
            name = next((label for label, v in self.first_pick.options if v == chosen), "")
            self.say(f"✓ Saved: you will approach {name} first.")

    # ---------------------------------------------------------------- grading summary

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        content = _content()
        fields = content.fields
        leaders = self.leaders()
        wv, ww = weights_of(self.value(WEIGHTS), content.weights)
        cards = []
        for s, x in ranked(leaders, wv, ww):
            cards.append({
                fields.name.label: x["name"],
                fields.role.label: x["role"],
                fields.why.label: x["why"],
                fields.learn.label: x["learn"],
                fields.reach.label: x["reach"],
                "Warmth (1–5)": x["warmth"],
                "Shared values (1–5)": x["values"],
                "Stretch pick": "yes" if x["stretch"] else "no",
                "Score": _num(s),
            })
        yield "Leaders, highest score first", cards
        yield "How the score was worked out", formula_text(wv, ww)
        pick = next((x for x in leaders if x["id"] == self.value(FIRST_PICK)), None)
        yield "First to approach", pick["name"] if pick else None


EXERCISES: dict[str, type[Exercise]] = {"": Shortlist}
