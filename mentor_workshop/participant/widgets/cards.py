"""A journal list shown as cards: the leaders of step 01, the beliefs of step 02.

Why cards are found by id, never by position: a participant may have the same journal open in
two notebooks, so the list on disk can change under a card that is on screen. Every action
therefore re-reads the list, finds its card by id, and says so plainly (and redraws) when the
card has gone. A removal can be undone once, which puts the card back where it was.

Why entries are read through :func:`dict_entries` and :func:`texts`: a hand-edited or older
journal can hold anything, and a card list must still draw, with every field present.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import ipywidgets as w

from mentor_workshop.participant.widgets.base import FULL, Exercise


def dict_entries(raw: Any) -> list[dict]:
    """The entries of a stored list that are dicts; anything else is left out.

    Parameters
    ----------
    raw : Any
        What the journal holds under a list key.

    Returns
    -------
    list of dict
        The dict entries, in order (the same objects); [] when ``raw`` is not a list.
    """
    return [entry for entry in raw if isinstance(entry, dict)] if isinstance(raw, list) else []


def texts(entry: Mapping[str, Any], fields: Iterable[str]) -> dict[str, str]:
    """Each field as stored when it is text, else ``""``, so a card can always show it.

    Parameters
    ----------
    entry : mapping
        One stored entry.
    fields : iterable of str
        The fields the card shows.

    Returns
    -------
    dict of str to str
        Every field in ``fields``, text or "".
    """
    return {f: entry[f] if isinstance(entry.get(f), str) else "" for f in fields}


class CardList:
    """The cards stored under one journal key, drawn into :attr:`box`, with remove and undo.

    The exercise keeps what is particular to its cards (how one card looks, what else must
    follow an edit); this class keeps what every card list must get right.
    """

    def __init__(
        self,
        exercise: Exercise,
        *,
        key: str,
        css: str,
        noun: str,
        empty: str,
        normalise: Callable[[Any], list[dict]],
        new_id: Callable[[dict], str],
        card: Callable[[int, dict], w.Widget],
        redraw: Callable[[], None] | None = None,
    ) -> None:
        """``css`` prefixes the classes browser tests find (``mw-01`` gives ``mw-01-undo``);
        ``redraw`` is what to refresh when the list changed elsewhere (default: the cards)."""
        self.exercise = exercise
        self.key = key
        self.css = css
        self.noun = noun
        self.empty = empty
        self._normalise = normalise
        self._new_id = new_id
        self._card = card
        self._redraw = redraw or self.render
        self.removed: tuple[int, dict] | None = None
        self.box = w.VBox(layout=FULL)
        self.box.add_class(f"{css}-cards")
        self.undo_button = w.Button(description="Undo remove", icon="undo",
                                    layout=w.Layout(display="none"))
        self.undo_button.add_class(f"{css}-undo")

    def entries(self) -> list[dict]:
        """The list as stored now, normalised (re-read each time: another kernel may write)."""
        return self._normalise(self.exercise.value(self.key, []))

    def store(self, entries: list[dict]) -> bool:
        """Save the whole list; False when it was not saved."""
        return self.exercise.save(self.key, entries)

    def ensure_ids(self) -> None:
        """Entries from a hand-edited or old journal get an id once, so edits can find them."""
        entries = self.entries()
        seen: set[str] = set()
        changed = False
        for entry in entries:
            if not entry["id"] or entry["id"] in seen:
                entry["id"] = self._new_id(entry)
                changed = True
            seen.add(entry["id"])
        if changed:
            self.store(entries)

    def render(self) -> None:
        """Rebuild every card from the journal: what is on screen is what was saved."""
        entries = self.entries()
        if not entries:
            empty = w.HTML(f'<p class="mw-empty">{self.empty}</p>')
            empty.add_class(f"{self.css}-empty")
            self.box.children = [empty]
        else:
            self.box.children = [self._card(i, entry) for i, entry in enumerate(entries)]

    def edit(self, entry_id: str, field: str, value: Any) -> dict | None:
        """Save one field of one card; the saved card, or None when it is gone or not saved."""
        entries = self.entries()
        entry = next((e for e in entries if e["id"] == entry_id), None)
        if entry is None:
            self.exercise.say(f"This {self.noun} was removed in another notebook; the list has "
                              "been refreshed.", error=True)
            self._redraw()
            return None
        entry[field] = value
        return entry if self.store(entries) else None

    def remove(self, entry_id: str) -> dict | None:
        """Take a card off the list and offer undo; the card removed, or None if nothing was."""
        entries = self.entries()
        index = next((i for i, e in enumerate(entries) if e["id"] == entry_id), None)
        if index is None:
            self.exercise.say(f"That {self.noun} was already removed (perhaps in another "
                              "notebook).", error=True)
            self._redraw()
            return None
        gone = entries.pop(index)
        if not self.store(entries):
            return None
        self.removed = (index, gone)
        self.undo_button.layout.display = None
        return gone

    def undo(self) -> dict | None:
        """Put the last removed card back where it was; the card, or None if nothing was."""
        if self.removed is None:
            return None
        index, entry = self.removed
        entries = self.entries()
        if not any(e["id"] == entry["id"] for e in entries):
            entries.insert(min(index, len(entries)), entry)
            if not self.store(entries):
                return None
        self.removed = None
        self.undo_button.layout.display = "none"
        return entry
