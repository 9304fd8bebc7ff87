"""How a date stored in a journal is read: the one date parser of the kit.

Why one parser: the checks, the step widgets, the personal plan and the cohort report all read
the same ``journal.json``. If each parsed dates its own way, the calendar could show a
commitment the widget had refused, or a check could pass a date the plan cannot place. Which
keys belong to which step is the registry's business (:mod:`mentor_workshop.core.steps`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

__all__ = ["iso_date"]


def iso_date(value: Any) -> date | None:
    """A saved ``YYYY-MM-DD`` as a date.

    Parameters
    ----------
    value : Any
        Whatever the journal holds under a date key.

    Returns
    -------
    datetime.date or None
        The date; ``None`` for anything else (empty, a typo, a number, a hand-edited journal),
        which readers show as "not written" rather than failing.
    """
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None
