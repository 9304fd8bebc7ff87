"""The vocabulary every part of the feedback shares: signal names, levels and results.

Kept apart from the logic so the rules loader, the signals and the HTML can all name a
signal or a level without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SIGNAL_NAMES: tuple[str, ...] = (
    "length",
    "readability",
    "clear_ask",
    "reason",
    "admiration",
    "gratitude",
    "neediness",
    "overconfidence",
    "reciprocity",
)


class Level(StrEnum):
    """How a message does on one signal; GOOD always means it does well."""

    GOOD = "good"
    CONSIDER = "consider"
    PROBLEM = "problem"


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``start:end`` of the analysed text (``text`` is that slice, for display)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Signal:
    """One rule's verdict, with everything the panel shows so a participant can argue with it."""

    name: str
    level: Level
    spans: tuple[Span, ...]
    message: str
    suggestion: str
    why: str
