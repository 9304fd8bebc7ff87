"""The cohort report: how far the room got, how it scored, and what it struggled with.

Why it reads "whatever is there": a facilitator asks for the report at very different moments —
during the workshop with only a folder of journals, after ``collect`` with an nbgrader course but
no grades, or at the end with everything graded. Each section works from the data it needs and
says plainly what is missing ("no grades yet") instead of failing.

Why plain lists of dicts: pandas is not a dependency of the kit, and the tables are small (one
row per participant or step). Figures use matplotlib's object API (``Figure``, never
``pyplot``): no global state and no GUI backend, so the same code runs in a kernel, a worker or
a test. Each figure becomes PNG bytes here and is embedded as a data URI with alt text, which
keeps the exported HTML self-contained and readable with a screen reader.

Why participants appear under pseudonyms: the report is shared among facilitators and may be
printed. Pseudonyms come from the blind grader's key when the course has one, so "P-3F2A1C" is
the same person in the grader and in the report.

Participant text (custom beliefs, ids taken from folder names) is escaped before it reaches HTML
and ``$`` is escaped before it reaches matplotlib, which would otherwise read it as maths.

The last part of the module runs ``facilitator/cohort_report.ipynb`` through the batch engine
and exports it to one HTML file with no external resources (:func:`build_report`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import html
import io
import json
import math
import os
import re
import secrets
import statistics
import tempfile
import textwrap
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.core.content import curriculum as curriculum_mod
from mentor_workshop.core.journal import JOURNAL_FILENAME, SCHEMA_VERSION
from mentor_workshop.core.steps import STEPS
from mentor_workshop.errors import UserError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "BeliefRow",
    "Cohort",
    "GradeRow",
    "Participant",
    "ReportResult",
    "SignalRow",
    "Sources",
    "StepCompletion",
    "autograde_html",
    "autograde_totals",
    "beliefs_html",
    "build_report",
    "common_beliefs",
    "completion",
    "completion_html",
    "criteria_matrix",
    "discover",
    "figure_beliefs",
    "figure_completion",
    "figure_criteria_heatmap",
    "figure_histogram",
    "figure_html",
    "figure_rubric_heatmap",
    "figure_signals",
    "gather",
    "html_table",
    "message_html",
    "no_data_message",
    "notes_html",
    "overview_html",
    "png_bytes",
    "reflection_scores",
    "remote_references",
    "render_html",
    "report_notebook",
    "rubric_html",
    "rubric_matrix",
    "show",
    "signal_rates",
    "signals_html",
]

#: The draft messages whose feedback signals the report compares.
DRAFT_SOURCES: tuple[tuple[str, str], ...] = (
    ("request.draft", "03 first draft"),
    ("tone.revision", "05 revision"),
)
NO_GRADES = "No grades yet"
#: Colours that stay distinguishable with the common colour-vision deficiencies (Okabe & Ito).
LEVEL_COLOURS = {"good": "#009E73", "consider": "#E69F00", "problem": "#D55E00"}
STARTED_COLOUR = "#BBD7EC"
DONE_COLOUR = "#0072B2"
_COURSE_MARKERS = ("gradebook.db", "nbgrader_config.py", "submitted", "autograded")


# ============================================================================ finding the data


@dataclass(frozen=True)
class Sources:
    """Where a cohort's data lives, found without reading any of it."""

    root: Path
    layout: str
    journals: dict[str, Path]
    course: bool = False

    @property
    def empty(self) -> bool:
        return not self.journals and not self.has_gradebook

    @property
    def has_gradebook(self) -> bool:
        return self.course and _gradebook_exists(self.root)


def _gradebook_exists(root: Path) -> bool:
    try:
        from mentor_workshop.facilitator.course import open_course

        return open_course(root).has_gradebook()
    except UserError:
        return False
    except Exception:  # an unreadable config: fall back to the default layout
        return (root / "gradebook.db").is_file()


def _is_course(root: Path) -> bool:
    return any((root / marker).exists() for marker in _COURSE_MARKERS)


def discover(source: str | os.PathLike[str]) -> Sources:
    """Find the journals (and whether there is a gradebook) under ``source``.

    Journals are found exactly as ``mentor-workshop status`` and ``plans`` find them (see
    :func:`mentor_workshop.facilitator.status.find_journals`): an nbgrader course, a folder of
    ``<id>/journal.json``, a folder of ``<id>.json`` (or its ``journals/`` folder, like the
    bundled sample cohort), or one participant's folder.
    """
    from mentor_workshop.facilitator.status import find_journals

    root = Path(source).expanduser()
    if not root.exists():
        raise UserError(f"There is no folder at {root}. Give a course folder or a folder of "
                        "participants' journals.")
    if not root.is_dir():
        raise UserError(f"{root} is a file; give the folder that holds the journals (or the "
                        "nbgrader course folder).")
    root = root.resolve()
    journals = find_journals(root)
    if _is_course(root):
        return Sources(root, "nbgrader course", journals, course=True)
    if not journals:
        return Sources(root, "empty", journals)
    names = {p.name for p in journals.values()}
    layout = "participant folders" if names == {JOURNAL_FILENAME} else "journal files"
    return Sources(root, layout, journals)


def no_data_message(sources: Sources) -> str:
    """What to tell a facilitator whose folder holds nothing to report on."""
    if sources.course:
        return (f"The course at {sources.root} has no submissions and no gradebook yet. Collect "
                "the participants' work first (`mentor-workshop collect COURSE --from PATH`), "
                "then run the report again.")
    return (f"No journals found in {sources.root}. Point the report at an nbgrader course "
            "folder, a folder of participant folders each holding journal.json, or a folder of "
            "<id>.json journal files.")


# ============================================================================ the cohort


@dataclass
class Participant:
    """One participant as the report sees them: answers, and the result of every step check."""

    id: str
    pseudonym: str
    answers: dict[str, Any]
    completed: dict[str, bool] = field(default_factory=dict)
    check_scores: dict[str, float] = field(default_factory=dict)
    #: feedback.analyze summaries per draft source, e.g. {"03 first draft": {"clear_ask": "good"}}
    signals: dict[str, dict[str, str]] = field(default_factory=dict)

    def started(self, step_id: str) -> bool:
        prefix = STEPS.prefixes().get(step_id)
        if prefix is None:
            return self.completed.get(step_id, False)
        return any(key.startswith(prefix) and _answered(value)
                   for key, value in self.answers.items())


@dataclass(frozen=True)
class GradeRow:
    """One graded cell from the gradebook; ``score`` is None until it has been graded."""

    participant: str
    pseudonym: str
    assignment: str
    notebook: str
    cell: str
    kind: str  # "check" (autograded test) or "reflection" (rubric, graded by hand)
    score: float | None
    max_score: float
    levels: Mapping[str, int] = field(default_factory=dict)


@dataclass
class Cohort:
    """Everything the report's sections draw on."""

    sources: Sources
    curriculum: curriculum_mod.Curriculum
    participants: list[Participant]
    grades: list[GradeRow]
    has_gradebook: bool
    pseudonyms: dict[str, str]
    notes: list[str] = field(default_factory=list)
    generated_at: str = ""

    @property
    def step_ids(self) -> list[str]:
        return [s.id for s in self.curriculum.steps]

    def pseudonym(self, participant_id: str) -> str:
        return self.pseudonyms.get(participant_id, participant_id)


def _answered(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return True


def _evaluate(person: Participant, state: dict[str, Any], folder: Path, steps: Sequence[str],
              notes: list[str]) -> None:
    """Run every step check and the feedback rules on a private copy of the journal."""
    from mentor_workshop.core import checks, feedback
    from mentor_workshop.core.journal import Journal

    folder.mkdir()
    path = folder / JOURNAL_FILENAME
    state = {"schema_version": SCHEMA_VERSION, "participant": {}, "saved_at": {}, **state}
    path.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    journal = Journal(path)
    for step_id in steps:
        try:
            result = checks.check(step_id, journal)
        except Exception as exc:  # a check must never take the whole report down
            notes.append(f"{person.pseudonym}: the check for {step_id} could not run "
                         f"({type(exc).__name__}).")
            person.completed[step_id], person.check_scores[step_id] = False, 0.0
            continue
        person.completed[step_id] = result.passed
        person.check_scores[step_id] = result.score
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            context = checks.feedback_context(journal)
            for key, label in DRAFT_SOURCES:
                text = person.answers.get(key)
                if isinstance(text, str) and text.strip():
                    person.signals[label] = feedback.summary(feedback.analyze(text, context))
        except Exception as exc:  # e.g. a facilitator's broken feedback_rules.yaml
            notes.append(f"{person.pseudonym}: the feedback rules could not run on the drafts "
                         f"({type(exc).__name__}: {exc}).")


def _pseudonyms(sources: Sources, ids: Iterable[str]) -> dict[str, str]:
    """Pseudonyms for ``ids``: the blind grader's own when the course has its key.

    Elsewhere a key made for this run is enough (nobody else needs to match them), and it saves
    importing the grading stack, which costs seconds on a loaded machine.
    """
    ids = set(ids)
    if not ids:
        return {}
    if sources.course:
        from mentor_workshop.facilitator.grading import KEY_PATH, pseudonyms

        with contextlib.suppress(OSError):
            key = (sources.root / KEY_PATH).read_bytes().strip()
            if len(key) >= 32:
                return pseudonyms(key, ids)
    key = secrets.token_bytes(32)
    length = 6
    while True:
        names = {i: "P-" + hmac.new(key, i.encode("utf-8"), hashlib.sha256).hexdigest()[
            :length].upper() for i in ids}
        if len(set(names.values())) == len(names):
            return names
        length += 2


def gather(source: str | os.PathLike[str] | Sources) -> Cohort:
    """Read every journal (and the gradebook, if any) under ``source`` into a :class:`Cohort`.

    Never raises for damaged journals or an unreadable gradebook: those become notes shown at the
    end of the report. Raises :class:`UserError` only when ``source`` is not a folder.
    """
    from mentor_workshop.core.journal import UnreadableJournal, read_journal_data

    sources = source if isinstance(source, Sources) else discover(source)
    cur = curriculum_mod.load()
    notes: list[str] = []
    states: dict[str, dict[str, Any]] = {}
    for pid, path in sources.journals.items():
        # Read without the Journal class: it would move a damaged file aside, and a report
        # must never change a facilitator's collected submissions.
        try:
            states[pid] = read_journal_data(path)
        except UnreadableJournal as problem:
            notes.append(f"The journal {_shown(sources.root, path)} was left out: {problem}.")

    grades, has_gradebook = _read_grades(sources, notes)
    ids = set(states) | {g.participant for g in grades}
    names = _pseudonyms(sources, ids)
    grades = [GradeRow(g.participant, names[g.participant], g.assignment, g.notebook, g.cell,
                       g.kind, g.score, g.max_score, g.levels) for g in grades]

    people: list[Participant] = []
    steps = [s.id for s in cur.steps]
    with tempfile.TemporaryDirectory(prefix="mw-report-") as scratch:
        for i, pid in enumerate(sorted(states, key=lambda p: names[p])):
            person = Participant(pid, names[pid], states[pid]["answers"])
            _evaluate(person, states[pid], Path(scratch) / str(i), steps, notes)
            people.append(person)
    return Cohort(sources, cur, people, grades, has_gradebook, names, notes,
                  datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def _shown(root: Path, path: Path) -> str:
    with contextlib.suppress(ValueError):
        return path.relative_to(root).as_posix()
    return str(path)


def _read_grades(sources: Sources, notes: list[str]) -> tuple[list[GradeRow], bool]:
    """Every graded cell in the course's gradebook, read through nbgrader's API."""
    if not sources.has_gradebook:
        return [], False
    from mentor_workshop.facilitator.course import open_course
    from mentor_workshop.facilitator.grading import RubricLevels, parse_comment

    rows: list[GradeRow] = []
    try:
        rubric = RubricLevels.load()
        course = open_course(sources.root)
        with course.gradebook() as gb:
            for assignment in gb.assignments:
                manual = set()
                for nb in assignment.notebooks:
                    graded = {c.name for c in nb.grade_cells}
                    manual |= {(nb.name, c.name) for c in nb.solution_cells if c.name in graded}
                for submission in assignment.submissions:
                    sid = submission.student.id
                    for nb in submission.notebooks:
                        comments = {c.name: c.manual_comment for c in nb.comments}
                        for grade in nb.grades:
                            kind = "reflection" if (nb.name, grade.name) in manual else "check"
                            score = (grade.manual_score if grade.manual_score is not None
                                     else grade.auto_score)
                            levels: dict[str, int] = {}
                            if kind == "reflection":
                                levels, _ = parse_comment(rubric, comments.get(grade.name))
                            rows.append(GradeRow(sid, sid, assignment.name, nb.name, grade.name,
                                                 kind, None if score is None else float(score),
                                                 float(grade.max_score or 0), levels))
    except Exception as exc:
        notes.append(f"The gradebook could not be read ({type(exc).__name__}: {exc}); the "
                     "grade sections are left out.")
        return [], False
    return rows, True


# ============================================================================ tables


@dataclass(frozen=True)
class StepCompletion:
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
    """Per step, in order: how many participants started it and how many passed its check."""
    total = len(cohort.participants)
    return [
        StepCompletion(step.id, step.number, step.title,
                       sum(p.started(step.id) or p.completed.get(step.id, False)
                           for p in cohort.participants),
                       sum(p.completed.get(step.id, False) for p in cohort.participants), total)
        for step in cohort.curriculum.steps
    ]


def autograde_totals(cohort: Cohort) -> list[dict[str, Any]]:
    """Per participant: the autograded checks' points, out of the points graded so far."""
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
    """The reflections graded so far (ungraded ones have no score yet)."""
    return [g for g in cohort.grades if g.kind == "reflection" and g.score is not None]


def rubric_matrix(cohort: Cohort) -> tuple[list[str], list[str], list[list[float | None]]]:
    """(pseudonyms, step notebooks, fraction of the reflection's points), None where ungraded."""
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
    """(pseudonyms, criterion titles, mean fraction of each criterion's top level)."""
    criteria = cohort.curriculum.rubric.criteria
    sums: dict[tuple[str, str], list[float]] = {}
    for g in reflection_scores(cohort):
        for c in criteria:
            if c.id in g.levels and c.max_points:
                sums.setdefault((g.pseudonym, c.id), []).append(g.levels[c.id] / c.max_points)
    people = sorted({p for p, _ in sums})
    matrix = [[statistics.fmean(sums[(p, c.id)]) if (p, c.id) in sums else None
               for c in criteria] for p in people]
    return people, [c.title for c in criteria], matrix


@dataclass(frozen=True)
class SignalRow:
    source: str
    signal: str
    drafts: int
    good: int
    consider: int
    problem: int

    def share(self, level: str) -> float:
        return getattr(self, level) / self.drafts if self.drafts else 0.0


def signal_rates(cohort: Cohort) -> list[SignalRow]:
    """For each draft source and feedback signal: how many drafts were good, consider, problem."""
    from mentor_workshop.core.feedback import SIGNAL_NAMES

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


# ============================================================================ figures


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def _plain_label(text: str, width: int = 40) -> str:
    """Participant text safe for a matplotlib label: no maths mode, wrapped."""
    text = text.replace("\\", "\\\\").replace("$", r"\$")
    return "\n".join(textwrap.wrap(text, width)[:3]) or " "


def figure_completion(rows: Sequence[StepCompletion]) -> Figure:
    """A funnel: one bar per step, completed (dark) over started (light)."""
    fig = _figure(8, 0.42 * len(rows) + 1.2)
    ax = fig.add_subplot()
    labels = [f"{r.number:02d} {r.title}" for r in rows]
    ypos = list(range(len(rows)))
    ax.barh(ypos, [r.started for r in rows], color=STARTED_COLOUR, label="started")
    ax.barh(ypos, [r.completed for r in rows], color=DONE_COLOUR, height=0.55,
            label="check passed")
    total = rows[0].participants if rows else 0
    for y, r in zip(ypos, rows, strict=True):
        ax.text(max(r.started, r.completed) + total * 0.01, y, f"{r.completed}/{total}",
                va="center", fontsize=9)
    ax.set_yticks(ypos, [_plain_label(x, 45) for x in labels], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, max(total, 1) * 1.12)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("participants")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def figure_histogram(values: Sequence[float], bins: Sequence[float], xlabel: str,
                     title: str) -> Figure:
    fig = _figure(6, 3)
    ax = fig.add_subplot()
    ax.hist(values, bins=list(bins), color=DONE_COLOUR, edgecolor="white")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    ax.set_title(title, fontsize=11)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _heatmap(people: Sequence[str], columns: Sequence[str],
             matrix: Sequence[Sequence[float | None]], title: str) -> Figure:
    import numpy as np
    from matplotlib import colormaps

    data = np.ma.masked_invalid(np.array(
        [[math.nan if v is None else v for v in row] for row in matrix], dtype=float))
    fig = _figure(max(5.0, 0.75 * len(columns) + 2.5), max(2.5, 0.32 * len(people) + 1.6))
    ax = fig.add_subplot()
    cmap = colormaps["viridis"].with_extremes(bad="#eeeeee")
    image = ax.imshow(data, cmap=cmap, vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(columns)), [_plain_label(c, 14) for c in columns], fontsize=8)
    ax.set_yticks(range(len(people)), [_plain_label(p) for p in people], fontsize=8)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value is not None:
                ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=7,
                        color="black" if value > 0.55 else "white")
    ax.set_title(title, fontsize=11)
    fig.colorbar(image, ax=ax, label="share of points", shrink=0.8)
    return fig


def figure_rubric_heatmap(cohort: Cohort) -> Figure | None:
    people, notebooks, matrix = rubric_matrix(cohort)
    if not people:
        return None
    return _heatmap(people, [n[:2] for n in notebooks], matrix,
                    "Reflection scores by step (grey: not graded)")


def figure_criteria_heatmap(cohort: Cohort) -> Figure | None:
    people, titles, matrix = criteria_matrix(cohort)
    if not people:
        return None
    return _heatmap(people, titles, matrix, "Rubric criteria, averaged over graded reflections")


def figure_signals(rows: Sequence[SignalRow]) -> Figure | None:
    """Stacked bars per signal: share of drafts rated good / consider / problem, per source."""
    from matplotlib.ticker import PercentFormatter

    sources = list(dict.fromkeys(r.source for r in rows))
    if not sources:
        return None
    signals = list(dict.fromkeys(r.signal for r in rows))
    fig = _figure(4.2 * len(sources) + 1.5, 0.38 * len(signals) + 1.6)
    axes = fig.subplots(1, len(sources), sharey=True, squeeze=False)[0]
    for ax, source in zip(axes, sources, strict=True):
        these = {r.signal: r for r in rows if r.source == source}
        left = [0.0] * len(signals)
        for level in ("good", "consider", "problem"):
            shares = [these[s].share(level) if s in these else 0.0 for s in signals]
            ax.barh(range(len(signals)), shares, left=left, color=LEVEL_COLOURS[level],
                    label=level)
            left = [a + b for a, b in zip(left, shares, strict=True)]
        drafts = next(iter(these.values())).drafts if these else 0
        ax.set_title(f"{source} ({drafts} drafts)", fontsize=10)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_yticks(range(len(signals)), [s.replace("_", " ") for s in signals], fontsize=9)
    axes[0].invert_yaxis()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=9, frameon=False)
    return fig


def figure_beliefs(rows: Sequence[BeliefRow]) -> Figure | None:
    if not rows:
        return None
    fig = _figure(8, 0.55 * len(rows) + 1.2)
    ax = fig.add_subplot()
    ax.barh(range(len(rows)), [r.participants for r in rows],
            color=[DONE_COLOUR if r.from_bank else LEVEL_COLOURS["consider"] for r in rows])
    ax.set_yticks(range(len(rows)), [_plain_label(r.belief, 48) for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("participants who tested it")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def figure_html(fig: Figure, alt: str, caption: str = "") -> str:
    """The figure as an <img> with a data URI (no files beside the report) and alt text."""
    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (f'<figure class="mw-figure"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt, quote=True)}" style="max-width:100%">{cap}</figure>')


# ============================================================================ HTML pieces


def html_table(headers: Sequence[str] | None, rows: Iterable[Sequence[Any]],
               caption: str = "") -> str:
    """A table with every cell escaped: cells may hold participant text.

    Without ``headers`` the first cell of each row is its header (a two-column fact sheet).
    """
    def cell(value: Any) -> str:
        if value is None:
            return "–"
        if isinstance(value, float):
            return f"{value:.1f}"
        return html.escape(str(value))

    if headers:
        head = "<thead><tr>" + "".join(f'<th scope="col">{html.escape(h)}</th>'
                                        for h in headers) + "</tr></thead>"
        body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
                       for row in rows)
    else:
        head = ""
        body = "".join(f'<tr><th scope="row">{cell(row[0])}</th>'
                       + "".join(f"<td>{cell(v)}</td>" for v in row[1:]) + "</tr>"
                       for row in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="mw-table">{cap}{head}<tbody>{body}</tbody></table>'


def message_html(text: str, kind: str = "info") -> str:
    return f'<p class="mw-note mw-{html.escape(kind)}"><strong>{html.escape(text)}</strong></p>'


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# One function per report section, each returning HTML; the notebook displays them.


def overview_html(cohort: Cohort, title: str) -> str:
    src = cohort.sources
    facts = [
        ("Data read from", str(src.root)),
        ("Layout", src.layout),
        ("Participants with a journal", len(cohort.participants)),
        ("Gradebook", "yes" if cohort.has_gradebook else "none yet"),
        ("Generated", cohort.generated_at),
    ]
    body = html_table(None, facts)
    if not cohort.participants and not cohort.grades:
        body += message_html(no_data_message(src), "warning")
    return f"<h1>{html.escape(title)}</h1>{body}"


def completion_html(cohort: Cohort) -> str:
    if not cohort.participants:
        return message_html("No journals yet, so there is nothing to count.")
    rows = completion(cohort)
    first, last = rows[0], rows[-1]
    alt = (f"Bar chart of participants per step. {first.completed} of {first.participants} "
           f"completed step {first.number:02d}; {last.completed} completed step "
           f"{last.number:02d}.")
    table = html_table(["Step", "Started", "Check passed", "Completion"],
                       [(f"{r.number:02d} {r.title}", r.started, r.completed, f"{r.rate:.0%}")
                        for r in rows])
    return figure_html(figure_completion(rows), alt) + table


def autograde_html(cohort: Cohort) -> str:
    if not cohort.has_gradebook:
        return message_html(f"{NO_GRADES}: this folder has no gradebook. Run "
                            "mentor-workshop autograde on a course to fill this in.")
    totals = autograde_totals(cohort)
    if not totals:
        return message_html(f"{NO_GRADES}: nothing has been autograded in this course.")
    values = [t["percent"] for t in totals]
    fig = figure_histogram(values, range(0, 101, 10), "share of check points earned (%)",
                           f"Autograded checks, {_plural(len(values), 'participant')}")
    alt = (f"Histogram of autograded check scores for {len(values)} participants; median "
           f"{statistics.median(values):.0f}%.")
    table = html_table(
        ["Participants", "Median", "Lowest", "Highest"],
        [(len(values), f"{statistics.median(values):.0f}%", f"{min(values):.0f}%",
          f"{max(values):.0f}%")])
    return figure_html(fig, alt) + table


def rubric_html(cohort: Cohort) -> str:
    if not cohort.has_gradebook:
        return message_html(f"{NO_GRADES}: reflections are graded in a course "
                            "(facilitator/grade_reflections.ipynb).")
    graded = reflection_scores(cohort)
    pending = sum(1 for g in cohort.grades if g.kind == "reflection" and g.score is None)
    if not graded:
        return message_html(f"{NO_GRADES}: no reflection has been graded yet "
                            f"({_plural(pending, 'reflection')} waiting).")
    top = int(max(g.max_score for g in graded))
    scores = [g.score for g in graded if g.score is not None]
    parts = [figure_html(
        figure_histogram(scores, [x - 0.5 for x in range(top + 2)], "reflection score",
                         f"{_plural(len(scores), 'graded reflection')} (out of {top})"),
        f"Histogram of {len(scores)} reflection scores out of {top}; median "
        f"{statistics.median(scores):g}.")]
    heat = figure_rubric_heatmap(cohort)
    if heat is not None:
        parts.append(figure_html(heat, "Heat map of each participant's reflection score per "
                                 "step, as a share of the points; grey cells are not graded."))
    crit = figure_criteria_heatmap(cohort)
    if crit is not None:
        parts.append(figure_html(crit, "Heat map of each participant's average level on each "
                                 "rubric criterion."))
    if pending:
        parts.append(message_html(f"{_plural(pending, 'reflection')} still to grade."))
    return "".join(parts)


def signals_html(cohort: Cohort) -> str:
    rows = signal_rates(cohort)
    if not rows:
        return message_html("No draft requests in the journals yet (steps 03 and 05).")
    fig = figure_signals(rows)
    alt = "Stacked bars per feedback signal showing the share of drafts rated good, consider " \
          "or problem, for first drafts and revisions."
    table = html_table(
        ["Draft", "Signal", "Drafts", "Good", "Consider", "Problem"],
        [(r.source, r.signal.replace("_", " "), r.drafts, f"{r.share('good'):.0%}",
          f"{r.share('consider'):.0%}", f"{r.share('problem'):.0%}") for r in rows])
    return (figure_html(fig, alt) if fig is not None else "") + table


def beliefs_html(cohort: Cohort, top: int = 8) -> str:
    rows = common_beliefs(cohort, top)
    if not rows:
        return message_html("No beliefs recorded yet (step 02).")
    fig = figure_beliefs(rows)
    alt = f"Bar chart of the {len(rows)} most common limiting beliefs; the most common, held " \
          f"by {rows[0].participants}, is: {rows[0].belief}"
    table = html_table(
        ["Belief", "From the list", "Participants", "Sure before (mean %)",
         "Sure after (mean %)"],
        [(r.belief, "yes" if r.from_bank else "own words", r.participants, r.before, r.after)
         for r in rows])
    return (figure_html(fig, alt) if fig is not None else "") + table


def notes_html(cohort: Cohort) -> str:
    if not cohort.notes:
        return message_html("Every journal could be read.")
    items = "".join(f"<li>{html.escape(n)}</li>" for n in cohort.notes)
    return f'<ul class="mw-notes">{items}</ul>'


def show(fragment: str) -> None:
    """Display a section's HTML in the notebook (with a plain-text fallback)."""
    from IPython.display import display

    text = re.sub(r"<[^>]+>", " ", fragment)
    display({"text/html": fragment, "text/plain": html.unescape(re.sub(r"\s+", " ", text))},
            raw=True)


# ============================================================================ the HTML report

#: The lab template minus everything that loads from the network (require.js, MathJax,
#: mermaid, widget manager): the report must open offline and leak no visit to a CDN.
_TEMPLATE_NAME = "mw_cohort_report.html.j2"
#: Cells with this tag (notes on adapting the notebook) are left out of the HTML.
SKIP_TAG = "report-skip"
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}
<style type="text/css">
.mw-table { border-collapse: collapse; margin: 0.5em 0 1.2em; font-size: 0.9em; }
.jp-RenderedHTMLCommon table.mw-table th, .jp-RenderedHTMLCommon table.mw-table td {
  border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
.mw-table thead th { background: #f2f2f2; }
.mw-figure { margin: 0.5em 0; }
.mw-note { padding: 0.4em 0.8em; border-left: 4px solid #0072B2; background: #f3f8fc; }
.mw-warning { border-left-color: #D55E00; background: #fdf3ec; }
</style>
{%- endblock extra_css -%}
"""
_REMOTE = re.compile(
    r"""(?:(?:src|href|srcset|action)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//)""",
    re.IGNORECASE)


def report_notebook() -> Path:
    """The report notebook shipped with the kit (a facilitator may copy and adapt it)."""
    from mentor_workshop.core import resources

    return resources.facilitator_dir() / "cohort_report.ipynb"


def remote_references(page: str) -> list[str]:
    """Attributes in ``page`` that would load something from the network."""
    return [m.group(0) for m in _REMOTE.finditer(page)]


def render_html(notebook: Any, title: str) -> str:
    """Export an executed notebook to self-contained HTML: inputs hidden, no stderr, no CDN."""
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.from_dict(notebook) if isinstance(notebook, dict) else notebook
    nb.cells = [c for c in nb.cells if SKIP_TAG not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            # Warnings and tracebacks are for the notebook's author, not the report's readers.
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    exporter = HTMLExporter(
        template_name="lab",
        template_file=_TEMPLATE_NAME,
        extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        mathjax_url="",
        require_js_url="",
    )
    page, _ = exporter.from_notebook_node(nb)
    remote = remote_references(page)
    if remote:  # the template changed under us: refuse rather than ship a page that phones home
        raise UserError("The exported report would load files from the internet "
                        f"({', '.join(sorted(set(remote))[:3])}); it was not written. Please "
                        "report this as a bug.")
    return page


@dataclass(frozen=True)
class ReportResult:
    out: Path
    participants: int
    seconds: float
    notebook: Path | None = None


def build_report(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    title: str = "Cohort report",
    notebook_out: str | os.PathLike[str] | None = None,
    input_notebook: str | os.PathLike[str] | None = None,
    timeout: float = 600.0,
    cell_timeout: float = 300.0,
) -> ReportResult:
    """Execute the report notebook on ``source`` and write self-contained HTML to ``out``.

    Raises :class:`UserError` when there is nothing to report on or the notebook fails (the
    message names the cell and, with ``notebook_out``, where to look at it).
    """
    import nbformat

    from mentor_workshop.facilitator.batch import Job, run_job

    started = time.monotonic()
    sources = discover(source)
    if sources.empty or (not sources.journals and not _read_grades(sources, [])[0]):
        raise UserError(no_data_message(sources))
    notebook_in = Path(input_notebook) if input_notebook else report_notebook()
    if not notebook_in.is_file():
        raise UserError(f"The report notebook {notebook_in} is missing; reinstall the kit.")
    out_path = Path(out).expanduser()
    if out_path.is_dir():
        raise UserError(f"{out_path} is a folder; give a file name such as report.html.")

    with tempfile.TemporaryDirectory(prefix="mw-report-run-") as work:
        executed = Path(notebook_out).expanduser() if notebook_out else Path(work) / "report.ipynb"
        job = Job(input_path=notebook_in, output_path=executed, cwd=Path(work), name="report",
                  parameters={"source_dir": str(sources.root), "title": title},
                  timeout=timeout, cell_timeout=cell_timeout)
        previous = os.environ.get("MPLBACKEND")
        os.environ["MPLBACKEND"] = "Agg"  # inherited by the kernel: never look for a display
        try:
            result = run_job(job)
        finally:
            if previous is None:
                os.environ.pop("MPLBACKEND", None)
            else:
                os.environ["MPLBACKEND"] = previous
        if not result.succeeded:
            where = f" The executed notebook is at {executed}." if notebook_out else (
                " Add --notebook PATH to keep the executed notebook and see the error.")
            raise UserError(f"The report notebook did not run: {result.error}.{where}")
        page = render_html(nbformat.read(executed, as_version=4), title)
    write_text_atomic(out_path, page)
    return ReportResult(out_path, len(sources.journals), round(time.monotonic() - started, 2),
                        Path(notebook_out) if notebook_out else None)
