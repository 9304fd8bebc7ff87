"""``mentor-workshop grade agreement A.csv B.csv``: how far two graders' rubric levels agree.

Why: a rubric is only fair if two facilitators reading the same reflection give it the same
level. The anchors in ``exercises/rubric.yaml`` are meant to make that happen; this command
measures whether they did, per criterion, and lists the reflections the graders read most
differently so they can talk those through and sharpen the anchors.

The statistic is Cohen's weighted kappa (Cohen 1968) from scikit-learn, with **quadratic**
weights: the levels are ordered (0 < 1 < 2 < 3), so a one-level difference should cost less than
a two-level one, and quadratic weighting makes the grader-to-grader kappa approximate an
intraclass correlation, the usual reading of "these two graders agree". Levels are compared as
level numbers (0, 1, 2, ...), not points, because a step may weight a criterion differently
(``steps:`` in the rubric) and agreement is about which level was chosen.

Both sheets may be either the sample cohort's facilitator sheet (``participant``, ``step``,
one column per criterion) or a sheet from ``grade export`` (``pseudonym``, ``notebook``, ...).
"""

from __future__ import annotations

import csv
import io
import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.grading.rubric import RubricLevels

__all__ = ["Agreement", "CriterionAgreement", "Disagreement", "agreement"]

#: The columns that identify a reflection, in the two sheet formats the kit writes.
_KEYS = (("participant", "step"), ("pseudonym", "notebook"))


@dataclass(frozen=True)
class CriterionAgreement:
    """Agreement on one criterion over the reflections both graders scored on it."""

    id: str
    title: str
    pairs: int
    exact: float  # share of identical levels
    kappa: float | None  # None when kappa is undefined (e.g. both gave one level throughout)


@dataclass(frozen=True)
class Disagreement:
    """One reflection the graders read differently: the level gap summed over criteria."""

    who: str
    step: str
    gap: int
    a: dict[str, int]
    b: dict[str, int]


@dataclass
class Agreement:
    """The result of :func:`agreement`, printable with :meth:`lines`."""

    a_name: str
    b_name: str
    shared: int
    only_a: int
    only_b: int
    criteria: list[CriterionAgreement] = field(default_factory=list)
    worst: list[Disagreement] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report to print.

        Returns
        -------
        list of str
            One line each: counts, a row per criterion, then the largest disagreements.
        """
        out = [f"{self.shared} reflections graded in both {self.a_name} and {self.b_name}."]
        if self.only_a or self.only_b:
            out.append(f"Not compared: {self.only_a} only in {self.a_name}, {self.only_b} only "
                       f"in {self.b_name}.")
        out.append("Weighted Cohen's kappa (quadratic) per criterion; 1 is perfect agreement, "
                   "0 is chance, above 0.6 is usually read as substantial:")
        for c in self.criteria:
            kappa = "n/a (no variation to compare)" if c.kappa is None else f"{c.kappa:.2f}"
            out.append(f"  {c.title:<24} kappa {kappa:<8} exact {c.exact:.0%} "
                       f"of {c.pairs} reflections")
        if self.worst:
            out.append("Largest disagreements (talk these through, then sharpen the anchors):")
            for d in self.worst:
                detail = ", ".join(f"{cid} {d.a.get(cid, '-')} vs {d.b.get(cid, '-')}"
                                   for cid in sorted(set(d.a) | set(d.b))
                                   if d.a.get(cid) != d.b.get(cid))
                out.append(f"  {d.who} {d.step}: {detail} (levels)")
        else:
            out.append("No disagreements: every level matched.")
        return out


def _read(path: Path, rubric: RubricLevels) -> tuple[dict[tuple[str, str], dict[str, int]],
                                                     list[str]]:
    """{(who, step): {criterion: level number}} and the criterion columns present."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path} cannot be read ({exc.strerror or exc}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path} is not UTF-8 text (byte {exc.start}); save it as "
                        "'CSV UTF-8' and try again.") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise UserError(f"{path} is empty.") from None
    except csv.Error as exc:
        raise UserError(f"{path}, line 1: the CSV is malformed ({exc}).") from None
    keys = next((k for k in _KEYS if all(c in header for c in k)), None)
    if keys is None:
        raise UserError(f"{path}, line 1: needs the columns participant and step (the "
                        "facilitator sheet) or pseudonym and notebook (from `grade export`).")
    columns = [c.id for c in rubric.criteria if c.id in header]
    if not columns:
        raise UserError(f"{path}, line 1: no rubric criterion columns; expected some of "
                        f"{', '.join(c.id for c in rubric.criteria)}.")
    col = {name: i for i, name in enumerate(header)}
    rows: dict[tuple[str, str], dict[str, int]] = {}
    lines: dict[tuple[str, str], int] = {}
    problems: list[str] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue

            def get(name: str, cells: list[str] = cells) -> str:
                i = col[name]
                return cells[i].strip() if i < len(cells) else ""

            who, step = get(keys[0]), Path(get(keys[1])).stem
            if not who or not step:
                problems.append(f"line {line}: {keys[0]} and {keys[1]} must not be empty")
                continue
            if (who, step) in lines:
                problems.append(f"line {line}: {who} {step} already appears on line "
                                f"{lines[(who, step)]}")
                continue
            lines[(who, step)] = line
            scored = {c.id: c for c in rubric.for_step(step)}
            levels: dict[str, int] = {}
            for cid in columns:
                value = get(cid)
                if value == "":
                    continue
                crit = scored.get(cid)
                points = [lv.points for lv in crit.levels] if crit else []
                try:
                    number = float(value)
                except ValueError:
                    number = math.nan
                if crit is None:
                    problems.append(f"line {line}: {cid} is not scored in {step}; leave it empty")
                elif not number.is_integer() or int(number) not in points:
                    problems.append(f"line {line}: {cid} in {step} must be one of "
                                    f"{', '.join(map(str, points))}, not {value!r}")
                else:
                    levels[cid] = points.index(int(number))
            if levels:
                rows[(who, step)] = levels
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: the CSV is malformed ({exc})")
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"]
                                 if len(problems) > 20 else [])
        raise UserError(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}:\n"
                        + "\n".join(f"  - {p}" for p in shown))
    return rows, columns


def _kappa(a: list[int], b: list[int], levels: int) -> float | None:
    # deferred: scikit-learn takes about a second to import; only this command needs it
    from sklearn.metrics import cohen_kappa_score

    if len(set(a) | set(b)) < 2:
        return None  # one level throughout: kappa is 0/0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = cohen_kappa_score(a, b, labels=list(range(levels)), weights="quadratic")
    return None if math.isnan(value) else float(value)


def agreement(
    first: str | os.PathLike[str],
    second: str | os.PathLike[str],
    *,
    exercises: str | os.PathLike[str] | None = None,
    top: int = 5,
) -> Agreement:
    """Compare two graders' rubric levels on the reflections both of them graded.

    Parameters
    ----------
    first, second : str or PathLike
        The two graders' sheets (facilitator sheet or ``grade export`` format, may differ).
    exercises : str or PathLike, optional
        The exercises folder whose rubric was used; the kit's own by default.
    top : int, default 5
        How many of the most disagreed-on reflections to list.

    Returns
    -------
    Agreement
        Kappa and exact agreement per criterion, and the largest disagreements.

    Raises
    ------
    UserError
        When a sheet cannot be read, lacks the identifying columns, holds a level the rubric
        does not have, repeats a reflection, or the two sheets share no graded reflection.
    """
    rubric = RubricLevels.load(exercises)
    a_path, b_path = Path(first), Path(second)
    a_rows, a_cols = _read(a_path, rubric)
    b_rows, b_cols = _read(b_path, rubric)
    shared = sorted(set(a_rows) & set(b_rows))
    if not shared:
        raise UserError(f"{a_path.name} and {b_path.name} have no graded reflection in common; "
                        "check that both sheets cover the same cohort and steps.")
    result = Agreement(a_path.name, b_path.name, len(shared),
                       len(set(a_rows) - set(b_rows)), len(set(b_rows) - set(a_rows)))
    for crit in rubric.criteria:
        if crit.id not in a_cols or crit.id not in b_cols:
            continue
        pairs = [(a_rows[k][crit.id], b_rows[k][crit.id]) for k in shared
                 if crit.id in a_rows[k] and crit.id in b_rows[k]]
        if not pairs:
            continue
        xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
        exact = sum(x == y for x, y in pairs) / len(pairs)
        result.criteria.append(CriterionAgreement(crit.id, crit.title, len(pairs), exact,
                                                  _kappa(xs, ys, len(crit.levels))))
    gaps = []
    for key in shared:
        a, b = a_rows[key], b_rows[key]
        gap = sum(abs(a[c] - b[c]) for c in set(a) & set(b))
        if gap:
            gaps.append(Disagreement(key[0], key[1], gap, a, b))
    gaps.sort(key=lambda d: (-d.gap, d.step, d.who))
    result.worst = gaps[:top]
    return result
