"""A whole step on one card, built from the step's separate exercises.

A step notebook shows each exercise in its own cell with teaching in between, but
``mw.show("<step id>")`` and the grader's summary want the step in one place. Building that card
from the very same exercise classes (rather than a second copy of their widgets) keeps the two
views in step: whatever a part saves or summarises, the whole card does too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import ipywidgets as w

from mentor_workshop.participant.widgets.base import FULL, Exercise, esc


class WholeStep(Exercise):
    """Every part on one card, under one status line; subclasses list them in ``parts``."""

    parts: ClassVar[tuple[type[Exercise], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """The step's answers are exactly its parts' answers, so ``keys`` cannot drift."""
        super().__init_subclass__(**kwargs)
        cls.keys = tuple(key for part in cls.parts for key in part.keys)

    def build(self) -> w.Widget:
        boxes: list[w.Widget] = []
        for cls in self.parts:
            part = cls(self.journal)
            part.status = self.status  # one status line for the whole card
            boxes += [w.HTML(f"<h5>{esc(cls.title)}</h5>"), part.build()]
        return w.VBox(boxes, layout=FULL)

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        for cls in self.parts:
            yield from cls(self.journal).summary_items()
