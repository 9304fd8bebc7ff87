"""Reading a journal for the checks: tolerant of damage, so a bad value costs one criterion.

A journal holds whatever a participant typed or a hand-edit left behind, so every reader here
turns a wrong-typed value into "empty" instead of raising.
"""

from __future__ import annotations

import re
from typing import Any

from mentor_workshop.core import feedback
from mentor_workshop.core.answers import iso_date
from mentor_workshop.core.criteria.result import Criterion
from mentor_workshop.core.journal import Journal

__all__ = [
    "WORD", "criterion", "dict_of", "feedback_context", "first_pick", "is_number", "iso_date",
    "leader_by_id", "leaders", "list_of", "signal_levels", "text_of", "words",
]

WORD = re.compile(r"[\w'’-]+")


def words(text: Any) -> int:
    """Word count that treats a non-string as empty, since journals hold whatever was typed."""
    return len(WORD.findall(text)) if isinstance(text, str) else 0


def text_of(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def list_of(value: Any) -> list:
    """A list from the journal, or [] for anything else: a damaged value still checks."""
    return value if isinstance(value, list) else []


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def criterion(name: str, ok: bool | float, done: str, todo: str) -> Criterion:
    met = float(ok)
    return Criterion(name, met, done if met >= 1.0 else todo)


def leaders(journal: Journal) -> list[dict]:
    """The shortlist, ignoring malformed entries so a damaged journal still checks what it can."""
    raw = journal.load("shortlist.leaders", [])
    if not isinstance(raw, list):
        return []
    return [x for x in raw if isinstance(x, dict) and text_of(x.get("name"))]


def leader_by_id(journal: Journal, leader_id: Any) -> dict | None:
    return next((x for x in leaders(journal) if x.get("id") == leader_id), None)


def first_pick(journal: Journal) -> dict | None:
    return leader_by_id(journal, journal.load("shortlist.first_pick"))


def feedback_context(journal: Journal) -> dict[str, str]:
    """What the journal knows about the first pick, to sharpen the feedback engine's checks."""
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


def signal_levels(text: str, journal: Journal) -> dict[str, str]:
    return feedback.summary(feedback.analyze(text, feedback_context(journal)))


def dict_of(journal: Journal, key: str) -> dict:
    value = journal.load(key, {})
    return value if isinstance(value, dict) else {}
