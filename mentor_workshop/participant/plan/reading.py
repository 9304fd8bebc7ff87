"""Reading a journal's answers defensively: a value of the wrong type counts as "not written".

Why: a participant opens notebook 10 half-way through, or with a journal an older kit version
wrote, or one they edited by hand. A plan that crashes teaches nothing; a plan that says "not
yet written — see notebook 06" tells them exactly where to go. So nothing here raises on a
journal's content: every accessor returns an empty value instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["Answers", "int_value", "number_value", "text_value"]


def text_value(value: Any) -> str:
    """A saved text, stripped.

    Parameters
    ----------
    value : Any
        Whatever the journal holds.

    Returns
    -------
    str
        The text, or ``""`` for anything that is not a string.
    """
    return value.strip() if isinstance(value, str) else ""


def number_value(value: Any) -> float | None:
    """A saved number (a rating, a weight, a percentage).

    Parameters
    ----------
    value : Any
        Whatever the journal holds.

    Returns
    -------
    float or None
        The number; ``None`` for anything else, including ``True``/``False``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def int_value(value: Any) -> int | None:
    """A saved whole number (minutes, weeks).

    Parameters
    ----------
    value : Any
        Whatever the journal holds.

    Returns
    -------
    int or None
        The number; ``None`` for anything else, including floats and booleans.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


class Answers:
    """The journal's answers with accessors that turn a wrong type into "not written"."""

    def __init__(self, answers: Mapping[str, Any]) -> None:
        self.raw = answers

    def text(self, key: str) -> str:
        return text_value(self.raw.get(key))

    def obj(self, key: str) -> dict[str, Any]:
        value = self.raw.get(key)
        return value if isinstance(value, dict) else {}

    def seq(self, key: str) -> list[Any]:
        value = self.raw.get(key)
        return value if isinstance(value, list) else []

    def texts(self, key: str, field_name: str | None = None) -> list[str]:
        """The non-empty texts of a list answer, or of the list under ``field_name`` in one."""
        source = self.obj(key).get(field_name) if field_name else self.raw.get(key)
        if not isinstance(source, list):
            return []
        return [text_value(v) for v in source if text_value(v)]

    def leaders(self) -> list[dict[str, Any]]:
        """The shortlisted leaders that have at least a name."""
        return [x for x in self.seq("shortlist.leaders") if isinstance(x, dict)
                and text_value(x.get("name"))]

    def leader(self, leader_id: Any) -> dict[str, Any] | None:
        """The shortlisted leader with this id, or ``None`` (no id, or one no longer listed)."""
        if not isinstance(leader_id, str) or not leader_id:
            return None
        return next((x for x in self.leaders() if x.get("id") == leader_id), None)
