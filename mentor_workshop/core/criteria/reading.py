"""Reading a journal for the checks: tolerant of damage, so a bad value costs one criterion.

A journal holds whatever a participant typed or a hand-edit left behind, so every reader here
turns a wrong-typed value into "empty" instead of raising.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from mentor_workshop.core import feedback
from mentor_workshop.core.answers import iso_date
from mentor_workshop.core.criteria.result import Criterion
from mentor_workshop.core.feedback.rules import active_rules
from mentor_workshop.core.journal import Journal
from mentor_workshop.core.reality import Verdict, day_of, judge, judge_date

__all__ = [
    "WORD", "criterion", "dict_of", "feedback_context", "first_pick", "is_number", "iso_date",
    "leader_by_id", "leaders", "list_of", "plausible_date", "real", "real_criterion",
    "shown_examples", "signal_levels", "text_of", "words",
]

WORD = re.compile(r"[\w'’-]+")


def words(text: Any) -> int:
    """Word count that treats a non-string as empty, since journals hold whatever was typed.

    Parameters
    ----------
    text : Any
        A journal value, normally a str.

    Returns
    -------
    int
        The number of words (apostrophes and hyphens stay inside a word); 0 for a non-string.
    """
    return len(WORD.findall(text)) if isinstance(text, str) else 0


def text_of(value: Any) -> str:
    """A journal value as stripped text, or "" when it is not a string.

    Parameters
    ----------
    value : Any
        A journal value, normally a str.

    Returns
    -------
    str
        The text without surrounding whitespace; "" for a non-string.
    """
    return value.strip() if isinstance(value, str) else ""


def list_of(value: Any) -> list:
    """A list from the journal, or [] for anything else: a damaged value still checks.

    Parameters
    ----------
    value : Any
        A journal value, normally a list.

    Returns
    -------
    list
        ``value`` itself when it is a list (not a copy), else a new empty list.
    """
    return value if isinstance(value, list) else []


def is_number(value: Any) -> bool:
    """Whether a journal value is an int or float; ``True``/``False`` do not count.

    Parameters
    ----------
    value : Any
        A journal value, e.g. a rating or a slider position.

    Returns
    -------
    bool
        True for a real number; False for a bool, a str or anything else.
    """
    return isinstance(value, int | float) and not isinstance(value, bool)


def criterion(name: str, ok: bool | float, done: str, todo: str) -> Criterion:
    """One criterion whose message praises the work once met, or says what is left otherwise.

    Parameters
    ----------
    name : str
        The criterion's short id, e.g. ``"hopes"``.
    ok : bool or float
        Whether it is met, or the fraction met for partial credit.
    done : str
        The message when fully met.
    todo : str
        The message otherwise: what the participant should do next.

    Returns
    -------
    Criterion
        ``met`` as a float, with ``done`` or ``todo`` as its message.
    """
    met = float(ok)
    return Criterion(name, met, done if met >= 1.0 else todo)


def leaders(journal: Journal) -> list[dict]:
    """The shortlist, ignoring malformed entries so a damaged journal still checks what it can.

    Parameters
    ----------
    journal : Journal
        The participant's journal.

    Returns
    -------
    list of dict
        The saved leaders that are mappings with a non-empty ``name``, in saved order.
    """
    raw = journal.load("shortlist.leaders", [])
    if not isinstance(raw, list):
        return []
    return [x for x in raw if isinstance(x, dict) and text_of(x.get("name"))]


def leader_by_id(journal: Journal, leader_id: Any) -> dict | None:
    """The shortlisted leader with this id.

    Parameters
    ----------
    journal : Journal
        The participant's journal.
    leader_id : Any
        The id to look for, as saved elsewhere in the journal (may be missing or damaged).

    Returns
    -------
    dict or None
        The first well-formed leader with that id, or ``None``.
    """
    return next((x for x in leaders(journal) if x.get("id") == leader_id), None)


def first_pick(journal: Journal) -> dict | None:
    """The leader the participant chose to approach first (``shortlist.first_pick``).

    Parameters
    ----------
    journal : Journal
        The participant's journal.

    Returns
    -------
    dict or None
        That leader's entry, or ``None`` when no pick is saved or it names no shortlisted leader.
    """
    return leader_by_id(journal, journal.load("shortlist.first_pick"))


def feedback_context(journal: Journal) -> dict[str, str]:
    """What the journal knows about the first pick, to sharpen the feedback engine's checks.

    Parameters
    ----------
    journal : Journal
        The participant's journal.

    Returns
    -------
    dict of str to str
        Any of ``leader_name``, ``leader_role``, ``leader_work`` and ``first_name`` that the
        journal has; keys with no value are left out.
    """
    ctx: dict[str, str] = {}
    pick = first_pick(journal)
    if pick:
        ctx["leader_name"] = text_of(pick.get("name"))
        ctx["leader_role"] = text_of(pick.get("role"))
    admiration = journal.load("heart.admiration", {})
    if isinstance(admiration, dict) and text_of(admiration.get("work")):
        ctx["leader_work"] = text_of(admiration.get("work"))
    profile = journal.load("welcome.profile", {})
    if isinstance(profile, dict) and text_of(profile.get("name")):
        ctx["first_name"] = text_of(profile.get("name")).split()[0]
    return ctx


def signal_levels(text: str, journal: Journal, names: Iterable[str]) -> dict[str, str]:
    """The feedback engine's level for each named signal in ``text``, with the journal's context.

    Checks grade the same signals the feedback panel shows, so both read the text the same way.
    Each check names the few signals it reads; a draft is read once and each signal worked out
    once, however many checks read it.

    Parameters
    ----------
    text : str
        The participant's draft.
    journal : Journal
        The journal, for the first pick's name, role and work.
    names : iterable of str
        The signals wanted.

    Returns
    -------
    dict of str to str
        Each named signal to its level ("good", "consider" or "problem").
    """
    context = feedback_context(journal)
    rules = active_rules()
    if _drafts.get("rules") is not rules:  # a facilitator edited the rules: start over
        _drafts.clear()
        _drafts["rules"] = rules
    key = (text, tuple(sorted(context.items())))
    draft = _drafts.get(key)
    if draft is None:
        if len(_drafts) > _DRAFTS_SIZE:
            _drafts.clear()
            _drafts["rules"] = rules
        draft = _drafts[key] = feedback.DraftSignals(text, context)
    return {name: feedback.Level(draft.signal(name).level).value for name in names}


#: Several checks grade the same draft (03's draft in 03, 04 and the plan; 05's revision in 05
#: and the plan), so the drafts seen last are kept, read; cleared when the rules change.
_drafts: dict[Any, Any] = {}
_DRAFTS_SIZE = 64


def dict_of(journal: Journal, key: str) -> dict:
    """A mapping from the journal, or {} when the key is missing or holds something else.

    Parameters
    ----------
    journal : Journal
        The participant's journal.
    key : str
        The dotted journal key, e.g. ``"welcome.profile"``.

    Returns
    -------
    dict
        The saved mapping, or a new empty dict.
    """
    value = journal.load(key, {})
    return value if isinstance(value, dict) else {}


def _strings_under(node: Any, keys: tuple[str, ...]) -> Iterator[str]:
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if name in keys and isinstance(value, str) and value.strip():
                yield value
            else:
                yield from _strings_under(value, keys)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _strings_under(item, keys)
    elif isinstance(node, dict):
        for item in node.values():
            yield from _strings_under(item, keys)


def shown_examples(content: Any) -> tuple[str, ...]:
    """Every placeholder and starter text a step shows, so a check can tell a copy of one.

    Read from the step's content model rather than listed by hand, so an example a facilitator
    adds to the YAML is recognised too.

    Parameters
    ----------
    content : pydantic.BaseModel
        A step's content (``cur.step(id).content``).

    Returns
    -------
    tuple of str
        The non-empty ``placeholder`` and ``template`` texts anywhere in it.
    """
    hit = _shown_memo.get(id(content))
    if hit is not None and hit[0] is content:
        return hit[1]
    shown = tuple(dict.fromkeys(_strings_under(content, ("placeholder", "template"))))
    if len(_shown_memo) > 64:  # curricula reloaded many times in one kernel
        _shown_memo.clear()
    _shown_memo[id(content)] = (content, shown)
    return shown


#: Content models are not changed once loaded (a new curriculum makes new objects), so the texts
#: found in each are kept, keyed by identity and holding the object so the id cannot be reused.
_shown_memo: dict[int, tuple[Any, tuple[str, ...]]] = {}


def real(value: Any, kind: str = "words", examples: Iterable[str] = (),
         template: str | None = None) -> Verdict:
    """The shared "is this real text?" judgement on a journal value.

    Parameters
    ----------
    value : Any
        A journal value; a non-string counts as empty.
    kind : {"prose", "words", "short"}
        What the box is for (see :func:`mentor_workshop.core.reality.judge`).
    examples : iterable of str
        The step's examples and placeholders, which an answer must not merely repeat.
    template : str, optional
        Starter text the box began with.

    Returns
    -------
    Verdict
        As :func:`mentor_workshop.core.reality.judge` gives it.
    """
    return judge(text_of(value), kind=kind, template=template, examples=examples)  # type: ignore[arg-type]


def real_criterion(name: str, ok: bool | float, texts: Iterable[tuple[str, Verdict]], done: str,
                   todo: str, *, brief: bool = False) -> Criterion:
    """A criterion that is met only when the texts it rests on are real, not filler.

    Filler earns no credit, and the message says which answer looks like filler and what to
    do about it; an empty answer keeps the usual "what is left" message.

    Parameters
    ----------
    name : str
        The criterion's short id.
    ok : bool or float
        Whether it is met otherwise (or the fraction met).
    texts : iterable of (str, Verdict)
        A label for each answer (e.g. ``"Your hopes"``) and its verdict from :func:`real`.
    done, todo : str
        The messages of :func:`criterion`.
    brief : bool
        Say only that the answer must be real first, for the second and later criteria resting
        on the same answer, so the participant reads the full reason once.

    Returns
    -------
    Criterion
        Unmet, with the first filler answer's reason, when any answer is filler; otherwise as
        :func:`criterion` gives it.
    """
    for label, verdict in texts:
        if not verdict.ok and verdict.signal != "empty":
            if brief:
                return Criterion(name, 0.0, f"{label} is checked for this once it is in your "
                                            "own words.")
            return Criterion(name, 0.0, f"{label}: {verdict.reason}")
    return criterion(name, ok, done, todo)


def plausible_date(journal: Journal, key: str, value: Any, future: bool = True) -> Verdict:
    """The date judgement, taking "today" as the day the answer was saved.

    A facilitator may grade weeks after the workshop; a date that lay ahead when the
    participant chose it stays valid.

    Parameters
    ----------
    journal : Journal
        The journal, for the answer's ``saved_at``.
    key : str
        The journal key the date was saved under.
    value : Any
        The saved date.
    future : bool
        Whether it must lie ahead of the day it was saved.

    Returns
    -------
    Verdict
        As :func:`mentor_workshop.core.reality.judge_date` gives it.
    """
    return judge_date(value, today=day_of(journal.saved_at(key)), future=future)
