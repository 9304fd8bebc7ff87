"""The rubric as graders use it, and the ``Rubric: ...`` line kept in gradebook comments.

Why the levels live in the comment: nbgrader's gradebook stores one score and one comment per
cell, nothing more. Writing the chosen levels as the comment's first line
(``Rubric: Depth of reflection 2/3 · ...``) keeps them where formgrader, ``nbgrader
generate_feedback`` and the participants' feedback already look, and lets a later session (or the
cohort report) read the same levels back. A comment typed in formgrader has no such line and is
kept whole as the grader's free comment.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from mentor_workshop.core import curriculum
from mentor_workshop.errors import UserError

__all__ = [
    "RUBRIC_PREFIX",
    "Criterion",
    "Level",
    "RubricLevels",
    "format_comment",
    "parse_comment",
]

RUBRIC_PREFIX = "Rubric: "
_SEPARATOR = " · "


@dataclass(frozen=True)
class Level:
    """One level of a criterion: its points, its button label, what it looks like, and an
    example answer (anchor) per step id."""

    points: int
    label: str
    description: str
    anchors: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion (e.g. "Depth of reflection") with its levels."""

    id: str
    title: str
    description: str
    levels: tuple[Level, ...]

    @property
    def max_points(self) -> int:
        return max(level.points for level in self.levels)


@dataclass(frozen=True)
class RubricLevels:
    """The rubric as graders use it (a plain copy of ``curriculum.load().rubric``)."""

    title: str
    criteria: tuple[Criterion, ...]
    steps: dict[str, tuple[Criterion, ...]] = field(default_factory=dict, compare=False)
    private: frozenset[str] = frozenset()

    @property
    def total(self) -> int:
        return sum(c.max_points for c in self.criteria)

    def for_step(self, step_id: str | None) -> tuple[Criterion, ...]:
        """The criteria that score this step's reflection, with the step's level points.

        Parameters
        ----------
        step_id : str or None
            The step (a reflection's notebook name); None or an unlisted step uses them all.

        Returns
        -------
        tuple of Criterion
            E.g. no "Next action" for a step whose prompt asks for none.
        """
        return self.steps.get(step_id or "", self.criteria)

    @classmethod
    def load(cls, exercises: str | os.PathLike[str] | None = None) -> RubricLevels:
        """Read the rubric from ``exercises/rubric.yaml``.

        Parameters
        ----------
        exercises : str or PathLike, optional
            The exercises folder; the kit's own by default.

        Returns
        -------
        RubricLevels
            The rubric's criteria and levels.

        Raises
        ------
        UserError
            When the curriculum (and so the rubric) cannot be loaded.
        """
        try:
            rubric = curriculum.load(exercises).rubric
        except curriculum.CurriculumError as exc:
            raise UserError(f"The rubric cannot be loaded:\n{exc}") from None

        def plain(criteria: Any) -> tuple[Criterion, ...]:
            return tuple(
                Criterion(c.id, c.title, c.description, tuple(
                    Level(lv.points, lv.label, lv.description, dict(lv.anchors))
                    for lv in c.levels))
                for c in criteria)
        return cls(rubric.title, plain(rubric.criteria),
                   {step_id: plain(rubric.for_step(step_id)) for step_id in rubric.steps},
                   frozenset(s for s in rubric.steps if rubric.is_private(s)))

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id.

        Parameters
        ----------
        criterion_id : str
            The id used in ``rubric.yaml`` and in the CSV's column names.

        Returns
        -------
        Criterion
            The matching criterion.

        Raises
        ------
        KeyError
            When the rubric has no such criterion.
        """
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def check(self, levels: dict[str, int], step_id: str | None = None) -> list[str]:
        """Problems with a set of chosen levels (unknown criterion, level out of range).

        Parameters
        ----------
        levels : dict of str to int
            Points chosen per criterion id.
        step_id : str, optional
            The step graded, whose criteria and points apply.

        Returns
        -------
        list of str
            One message per problem; empty when the levels are valid.
        """
        problems = []
        criteria = {c.id: c for c in self.for_step(step_id)}
        for cid, points in levels.items():
            crit = criteria.get(cid)
            if crit is None:
                known = any(c.id == cid for c in self.criteria)
                problems.append(f"rubric criterion {cid!r} is not scored in {step_id}" if known
                                else f"unknown rubric criterion {cid!r}")
                continue
            allowed = [lv.points for lv in crit.levels]
            if points not in allowed:
                problems.append(f"{crit.title} must be one of {', '.join(map(str, allowed))}, "
                                f"not {points}")
        return problems


def format_comment(rubric: RubricLevels, levels: dict[str, int], comment: str,
                   step_id: str | None = None) -> str:
    """The gradebook comment: the rubric line (if levels were chosen), then the grader's words.

    Parameters
    ----------
    rubric : RubricLevels
        The rubric, for the criteria's titles and order.
    levels : dict of str to int
        Points chosen per criterion id (may be empty).
    comment : str
        The grader's free comment.
    step_id : str, optional
        The step graded, for its criteria's points.

    Returns
    -------
    str
        The text to store, e.g. ``"Rubric: Depth of reflection 2/3 · ...\\nWell done."``.
    """
    parts = [
        f"{c.title} {levels[c.id]}/{c.max_points}" for c in rubric.for_step(step_id)
        if c.id in levels
    ]
    head = RUBRIC_PREFIX + _SEPARATOR.join(parts) if parts else ""
    comment = comment.strip()
    return "\n".join(x for x in (head, comment) if x)


def parse_comment(rubric: RubricLevels, text: str | None) -> tuple[dict[str, int], str]:
    """(levels, free comment) from a gradebook comment written by :func:`format_comment`.

    A comment typed in formgrader has no rubric line and comes back whole as the free comment.

    Parameters
    ----------
    rubric : RubricLevels
        The rubric, to map the titles in the line back to criterion ids.
    text : str or None
        The gradebook comment (None when there is none).

    Returns
    -------
    tuple of (dict of str to int, str)
        The levels found (empty when the first line is not a rubric line this rubric wrote) and
        the rest of the comment.
    """
    text = text or ""
    first, _, rest = text.partition("\n")
    if not first.startswith(RUBRIC_PREFIX):
        return {}, text.strip()
    by_title = {c.title: c for c in rubric.criteria}
    levels: dict[str, int] = {}
    for item in first[len(RUBRIC_PREFIX):].split(_SEPARATOR):
        match = re.fullmatch(r"(.+) (\d+)/(\d+)", item.strip())
        crit = by_title.get(match.group(1)) if match else None
        if crit is None:
            return {}, text.strip()
        levels[crit.id] = int(match.group(2))
    return levels, rest.strip()
