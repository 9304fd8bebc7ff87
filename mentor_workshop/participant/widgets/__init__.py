"""Exercise widgets: one module per step, all on the shared base in :mod:`.base`.

``exercise(name)`` finds an exercise class by its name — the step id (``"01_shortlist"``) or,
for a step with several exercises, ``"<step id>.<part>"``
(``"05_vulnerability_confidence.sorting"``).
The registry of steps names each step's module; modules are imported on first use so opening
one notebook does not load every exercise.
"""

from __future__ import annotations

import importlib

from mentor_workshop.core.steps import STEPS
from mentor_workshop.participant.widgets.base import Exercise


def exercise(name: str) -> type[Exercise]:
    """The exercise class for ``name``; each module lists its classes in ``EXERCISES``.

    Parameters
    ----------
    name : str
        A step id (``"01_shortlist"``), or ``"<step id>.<part>"`` for a step with several
        exercises.

    Returns
    -------
    type of Exercise
        The class; instantiate it with a journal and call ``show()``.

    Raises
    ------
    KeyError
        For an unknown step or part; the message lists the valid names.
    """
    step_id, _, part = name.partition(".")
    if step_id not in STEPS:
        raise KeyError(f"Unknown exercise {name!r}; steps are: {', '.join(STEPS)}")
    module = importlib.import_module(f"{__name__}.{STEPS[step_id].widgets}")
    exercises: dict[str, type[Exercise]] = module.EXERCISES
    key = part or ""
    if key not in exercises:
        options = ", ".join(f"{step_id}.{p}" if p else step_id for p in exercises)
        raise KeyError(f"Unknown exercise {name!r}; this step has: {options}")
    return exercises[key]


__all__ = ["Exercise", "exercise"]
