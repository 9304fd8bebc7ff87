"""Exercise widgets: one module per step, all on the shared base in :mod:`.base`.

``exercise(name)`` finds an exercise class by its name — the step id (``"01_shortlist"``) or,
for a step with several exercises, ``"<step id>.<part>"``
(``"05_vulnerability_confidence.sorting"``).
Modules are imported on first use so opening one notebook does not load every exercise.
"""

from __future__ import annotations

import importlib

from mentor_workshop.participant.widgets.base import Exercise

#: step id -> module (under mentor_workshop.participant.widgets) holding that step's exercises
MODULES: dict[str, str] = {
    "00_welcome": "welcome",
    "01_shortlist": "shortlist",
    "02_assumptions": "assumptions",
    "03_request": "request",
    "04_from_the_heart": "from_the_heart",
    "05_vulnerability_confidence": "tone",
    "06_be_gracious": "gracious",
    "07_rejection": "rejection",
    "08_two_way": "two_way",
    "09_lead_from_within": "within",
    "10_my_plan": "my_plan",
}


def exercise(name: str) -> type[Exercise]:
    """The exercise class for ``name``; each module lists its classes in ``EXERCISES``."""
    step_id, _, part = name.partition(".")
    if step_id not in MODULES:
        raise KeyError(f"Unknown exercise {name!r}; steps are: {', '.join(MODULES)}")
    module = importlib.import_module(f"mentor_workshop.participant.widgets.{MODULES[step_id]}")
    exercises: dict[str, type[Exercise]] = module.EXERCISES
    key = part or ""
    if key not in exercises:
        options = ", ".join(f"{step_id}.{p}" if p else step_id for p in exercises)
        raise KeyError(f"Unknown exercise {name!r}; this step has: {options}")
    return exercises[key]


__all__ = ["MODULES", "Exercise", "exercise"]
