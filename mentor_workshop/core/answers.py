"""What every reader of a journal must agree on: which keys belong to which step, and how a
stored date is read.

Why one module: the personal plan, the cohort report and the step widgets all read the same
``journal.json``. If each kept its own copy of the key prefixes, a step renamed in one place
would count as started in the report yet missing from the plan; if each parsed dates its own
way, the calendar could show a commitment the widget had refused. Both follow the journal-key
contract in docs/architecture.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

__all__ = ["STEP_KEY_PREFIXES", "iso_date"]

#: Which journal keys belong to which step. A step "has answers" when any key with its prefix
#: does. The plan (10) has no keys of its own.
STEP_KEY_PREFIXES: dict[str, str] = {
    "00_welcome": "welcome.",
    "01_shortlist": "shortlist.",
    "02_assumptions": "assumptions.",
    "03_request": "request.",
    "04_from_the_heart": "heart.",
    "05_vulnerability_confidence": "tone.",
    "06_be_gracious": "gracious.",
    "07_rejection": "rejection.",
    "08_two_way": "two_way.",
    "09_lead_from_within": "within.",
}


def iso_date(value: Any) -> date | None:
    """A saved ``YYYY-MM-DD`` as a date; anything else (a typo, a number, a hand-edited journal)
    is ``None``, which readers show as "not written" rather than failing."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None
