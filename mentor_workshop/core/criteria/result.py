"""The outcome of a check: criteria met in part or in full, and the score they give.

Why fractions: nbgrader reads a number returned by a test cell as partial credit, so a
participant who did most of a step gets most of its points, and the self-check button shows the
same result.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

from mentor_workshop.core.journal_view import remembered

if TYPE_CHECKING:
    from mentor_workshop.core.curriculum import Curriculum
    from mentor_workshop.core.journal import Journal

__all__ = ["CheckFunction", "CheckResult", "Criterion", "criteria_of"]


@dataclass(frozen=True)
class Criterion:
    """One thing the check looks for; ``met`` is a fraction so partial work earns partial credit."""

    name: str
    met: float
    message: str

    @property
    def passed(self) -> bool:
        """Whether the criterion is fully met."""
        return self.met >= 1.0


@dataclass(frozen=True)
class CheckResult:
    """What a step's check found: its criteria in order, plus notes that cost no points."""

    step_id: str
    criteria: tuple[Criterion, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """Whether every criterion is fully met."""
        return all(c.passed for c in self.criteria)

    @property
    def score(self) -> float:
        """Fraction of the criteria met, used for nbgrader partial credit."""
        if not self.criteria:
            return 0.0
        return sum(min(max(c.met, 0.0), 1.0) for c in self.criteria) / len(self.criteria)

    @property
    def messages(self) -> list[str]:
        """What to do next: the unmet criteria's messages, in order."""
        return [c.message for c in self.criteria if not c.passed]

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [f"{self.step_id}: " + ("complete ✔" if self.passed else "not complete yet ✘")]
        for c in self.criteria:
            lines.append(f"  {'✔' if c.passed else '✘'} {c.message}")
        lines.extend(f"  • {n}" for n in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (
            "<strong>✔ Complete — well done.</strong>"
            if self.passed
            else "<strong>✘ Not complete yet.</strong> Here is what is left:"
        )
        items = "".join(
            f"<li>{'✔ Done:' if c.passed else '✘ To do:'} {html.escape(c.message)}</li>"
            for c in self.criteria
        )
        notes = "".join(f"<li>ℹ {html.escape(n)}</li>" for n in self.notes)
        return f'<div class="mw-check">{head}<ul>{items}{notes}</ul></div>'


#: A step's check: reads the journal (and the content it is checked against) and returns what
#: it looked for and how much was met.
CheckFunction: TypeAlias = "Callable[[Journal, Curriculum], list[Criterion]]"


def criteria_of(step_id: str, check: CheckFunction, journal: Journal,
                cur: Curriculum) -> tuple[Criterion, ...]:
    """A step's criteria, worked out once per read-only journal.

    The plan's check runs every earlier step's check, and ``status`` and the report check
    every step too; both come here, so on a journal read once each step is checked once (see
    :func:`~mentor_workshop.core.journal_view.remembered`).

    Parameters
    ----------
    step_id : str
        The step.
    check : callable
        Its check function, from the registry of steps.
    journal : Journal or JournalView
        The journal to read.
    cur : Curriculum
        The loaded curriculum.

    Returns
    -------
    tuple of Criterion
        The check's criteria, in its order.
    """
    return remembered(journal, ("criteria", step_id), cur, lambda: tuple(check(journal, cur)))
