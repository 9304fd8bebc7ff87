"""The report's numbers: completion per step, scores, rubric matrices, signals, beliefs.

Why plain lists and small dataclasses: pandas is not a dependency of the kit, and the tables are
small (one row per participant or step). Each function takes a :class:`~.gather.Cohort` and
returns rows that the figures draw and the sections print, so a facilitator adapting the report
notebook can also use them directly.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from mentor_workshop.core.feedback import SIGNAL_NAMES
from mentor_workshop.facilitator.report.gather import DRAFT_SOURCES, Cohort, GradeRow

__all__ = [
    "BeliefRow",
    "SignalRow",
    "StepCompletion",
    "autograde_totals",
    "common_beliefs",
    "completion",
    "criteria_matrix",
    "reflection_scores",
    "rubric_matrix",
    "signal_rates",
]


@dataclass(frozen=True)
class StepCompletion:
    """How many participants started a step and how many passed its check."""

    step_id: str
    number: int
    title: str
    started: int
    completed: int
    participants: int

    @property
    def rate(self) -> float:
        return self.completed / self.participants if self.participants else 0.0


def completion(cohort: Cohort) -> list[StepCompletion]:
    """Per step, in order: how many participants started it and how many passed its check.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    list of StepCompletion
        One row per step of the curriculum.
    """
    total = len(cohort.participants)
    return [
        StepCompletion(step.id, step.number, step.title,
                       sum(p.started(step.id) or p.completed.get(step.id, False)
                           for p in cohort.participants),
                       sum(p.completed.get(step.id, False) for p in cohort.participants), total)
        for step in cohort.curriculum.steps
    ]


def autograde_totals(cohort: Cohort) -> list[dict[str, Any]]:
    """Per participant: the autograded checks' points, out of the points graded so far.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    list of dict
        In pseudonym order, each with ``pseudonym``, ``score``, ``max_score``, ``cells`` and
        ``percent``; empty when nothing has been autograded.
    """
    per: dict[str, dict[str, Any]] = {}
    for g in cohort.grades:
        if g.kind != "check" or g.score is None:
            continue
        row = per.setdefault(g.participant, {"pseudonym": g.pseudonym, "score": 0.0,
                                             "max_score": 0.0, "cells": 0})
        row["score"] += g.score
        row["max_score"] += g.max_score
        row["cells"] += 1
    out = []
    for row in sorted(per.values(), key=lambda r: r["pseudonym"]):
        row["percent"] = 100.0 * row["score"] / row["max_score"] if row["max_score"] else 0.0
        out.append(row)
    return out


def reflection_scores(cohort: Cohort) -> list[GradeRow]:
    """The reflections graded so far (ungraded ones have no score yet).

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    list of GradeRow
        The graded reflection cells.
    """
    return [g for g in cohort.grades if g.kind == "reflection" and g.score is not None]


def rubric_matrix(cohort: Cohort) -> tuple[list[str], list[str], list[list[float | None]]]:
    """(pseudonyms, step notebooks, fraction of the reflection's points), None where ungraded.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    tuple of (list of str, list of str, list of list of float or None)
        Row labels, column labels (in step order) and the matrix, one row per participant.
    """
    graded = reflection_scores(cohort)
    people = sorted({g.pseudonym for g in graded})
    order = {s: i for i, s in enumerate(cohort.step_ids)}
    notebooks = sorted({g.notebook for g in graded}, key=lambda n: (order.get(n, 99), n))
    cells: dict[tuple[str, str], list[float]] = {}
    for g in graded:
        if g.max_score:
            cells.setdefault((g.pseudonym, g.notebook), []).append(g.score / g.max_score)
    matrix = [[statistics.fmean(cells[(p, n)]) if (p, n) in cells else None for n in notebooks]
              for p in people]
    return people, notebooks, matrix


def criteria_matrix(cohort: Cohort) -> tuple[list[str], list[str], list[list[float | None]]]:
    """(pseudonyms, criterion titles, mean fraction of each criterion's top level).

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    tuple of (list of str, list of str, list of list of float or None)
        Row labels, column labels (in rubric order) and the matrix, None where no graded
        reflection recorded that criterion's level.
    """
    rubric = cohort.curriculum.rubric
    criteria = rubric.criteria
    sums: dict[tuple[str, str], list[float]] = {}
    for g in reflection_scores(cohort):
        for c in rubric.for_step(g.notebook):  # a step's own points (e.g. no action in 04)
            if c.id in g.levels and c.max_points:
                sums.setdefault((g.pseudonym, c.id), []).append(g.levels[c.id] / c.max_points)
    people = sorted({p for p, _ in sums})
    matrix = [[statistics.fmean(sums[(p, c.id)]) if (p, c.id) in sums else None
               for c in criteria] for p in people]
    return people, [c.title for c in criteria], matrix


@dataclass(frozen=True)
class SignalRow:
    """For one draft source and one feedback signal: how the drafts were rated."""

    source: str
    signal: str
    drafts: int
    good: int
    consider: int
    problem: int

    def share(self, level: str) -> float:
        """The share of drafts at one level.

        Parameters
        ----------
        level : str
            ``"good"``, ``"consider"`` or ``"problem"``.

        Returns
        -------
        float
            Between 0 and 1 (0 when there are no drafts).
        """
        return getattr(self, level) / self.drafts if self.drafts else 0.0


def signal_rates(cohort: Cohort) -> list[SignalRow]:
    """For each draft source and feedback signal: how many drafts were good, consider, problem.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    list of SignalRow
        Rows per source (first drafts, then revisions) and signal; none for a source nobody
        wrote yet.
    """
    rows = []
    for _, label in DRAFT_SOURCES:
        summaries = [p.signals[label] for p in cohort.participants if label in p.signals]
        if not summaries:
            continue
        for name in SIGNAL_NAMES:
            levels = Counter(s.get(name) for s in summaries)
            rows.append(SignalRow(label, name, len(summaries), levels["good"],
                                  levels["consider"], levels["problem"]))
    return rows


@dataclass(frozen=True)
class BeliefRow:
    """One limiting belief, how many tested it, and their mean confidence before and after."""

    belief: str
    from_bank: bool
    participants: int
    before: float | None
    after: float | None


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".!").casefold()


def _percent(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 <= value <= 100 and math.isfinite(value) else None


def common_beliefs(cohort: Cohort, top: int = 8) -> list[BeliefRow]:
    """The limiting beliefs participants tested in step 02, most frequent first.

    Beliefs picked from the bank are counted by their id (or exact text); beliefs written in a
    participant's own words are grouped when their wording is the same. Mean confidence before
    and after the exercise shows which beliefs the evidence moved.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.
    top : int
        How many beliefs to keep.

    Returns
    -------
    list of BeliefRow
        At most ``top`` rows; ties go to the bank's beliefs, then alphabetical order.
    """
    bank = cohort.curriculum.step("02_assumptions").content.belief_bank
    by_id = {b.id: b.text for b in bank}
    by_text = {_norm(b.text): b.text for b in bank}
    groups: dict[str, dict[str, Any]] = {}
    for person in cohort.participants:
        beliefs = person.answers.get("assumptions.beliefs")
        if not isinstance(beliefs, list):
            continue
        seen: set[str] = set()
        for item in beliefs:
            if not isinstance(item, dict):
                continue
            text = item.get("belief") if isinstance(item.get("belief"), str) else ""
            bid = item.get("id")
            if isinstance(bid, str) and bid in by_id:
                label, bank_item = by_id[bid], True
            elif _norm(text) in by_text:
                label, bank_item = by_text[_norm(text)], True
            elif text.strip():
                label, bank_item = re.sub(r"\s+", " ", text).strip(), False
            else:
                continue
            key = _norm(label)
            if key in seen:
                continue
            seen.add(key)
            group = groups.setdefault(key, {"wordings": Counter(), "bank": bank_item,
                                            "people": 0, "before": [], "after": []})
            group["wordings"][label] += 1
            group["people"] += 1
            for field_name in ("before", "after"):
                value = _percent(item.get(f"confidence_{field_name}"))
                if value is not None:
                    group[field_name].append(value)
    for group in groups.values():  # the commonest wording, the same whatever the order read
        group["label"] = min(group["wordings"].items(), key=lambda kv: (-kv[1], kv[0]))[0]
    ranked = sorted(groups.values(), key=lambda g: (-g["people"], not g["bank"], g["label"]))
    return [BeliefRow(g["label"], g["bank"], g["people"],
                      statistics.fmean(g["before"]) if g["before"] else None,
                      statistics.fmean(g["after"]) if g["after"] else None)
            for g in ranked[:top]]
