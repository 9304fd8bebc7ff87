"""Reading a cohort for the report: journals and gradebook into one record per participant.

Why it reads "whatever is there": a facilitator asks for the report at very different moments —
during the workshop with only a folder of journals, after ``collect`` with an nbgrader course but
no grades, or at the end with everything graded. :func:`gather` takes what it finds and turns
every problem (a damaged journal, an unreadable gradebook) into a note for the end of the
report, so each section can say plainly what is missing instead of failing.

Why participants appear under pseudonyms: the report is shared among facilitators and may be
printed. Pseudonyms come from the blind grader's key when the course has one, so "P-3F2A1C" is
the same person in the grader and in the report.

Why journals are read, never opened: the :class:`~mentor_workshop.core.journal.Journal` class
would move a damaged file aside, and a report must never change a facilitator's collected
submissions. Each file is parsed once and the checks read it through a
:class:`~mentor_workshop.core.journal_view.JournalView`, which cannot write.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mentor_workshop.core import checks, feedback
from mentor_workshop.core import curriculum as curriculum_mod
from mentor_workshop.core.journal import (
    JOURNAL_FILENAME,
    UnreadableJournal,
    read_journal_data,
)
from mentor_workshop.core.journal_view import JournalView
from mentor_workshop.core.steps import STEPS
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.course import open_course
from mentor_workshop.facilitator.grading.pseudonyms import existing_key, pseudonyms
from mentor_workshop.facilitator.grading.rubric import RubricLevels, parse_comment
from mentor_workshop.facilitator.pool import map_forked
from mentor_workshop.facilitator.status import find_journals

__all__ = [
    "DRAFT_SOURCES",
    "Cohort",
    "GradeRow",
    "Participant",
    "Sources",
    "discover",
    "gather",
    "no_data_message",
    "read_grades",
]

#: The draft messages whose feedback signals the report compares.
DRAFT_SOURCES: tuple[tuple[str, str], ...] = (
    ("request.draft", "03 first draft"),
    ("tone.revision", "05 revision"),
)
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

    Parameters
    ----------
    source : str or PathLike
        A course folder or a folder of journals.

    Returns
    -------
    Sources
        The journals found, their layout, and whether ``source`` is an nbgrader course.

    Raises
    ------
    UserError
        When ``source`` is missing or is a file.
    """
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
    """What to tell a facilitator whose folder holds nothing to report on.

    Parameters
    ----------
    sources : Sources
        What :func:`discover` found.

    Returns
    -------
    str
        A message naming the folder and what to do next.
    """
    if sources.course:
        return (f"The course at {sources.root} has no submissions and no gradebook yet. Collect "
                "the participants' work first (`mentor-workshop collect COURSE --from PATH`), "
                "then run the report again.")
    return (f"No journals found in {sources.root}. Point the report at an nbgrader course "
            f"folder, a folder of participant folders each holding {JOURNAL_FILENAME}, or a "
            "folder of <id>.json journal files.")


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
        """Whether the participant typed at least one answer in a step.

        Parameters
        ----------
        step_id : str
            The step, e.g. ``"02_assumptions"``.

        Returns
        -------
        bool
            True when an answer under the step's prefix is filled in (or, for a step without
            answers of its own, when its check passed).
        """
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
        """The pseudonym shown for a participant.

        Parameters
        ----------
        participant_id : str
            The participant's id.

        Returns
        -------
        str
            Their pseudonym, or the id itself when the cohort has none for it.
        """
        return self.pseudonyms.get(participant_id, participant_id)


def _answered(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return True


def _evaluate(person: Participant, journal: JournalView, cur: curriculum_mod.Curriculum,
              steps: Sequence[str], notes: list[str]) -> None:
    """Run every step check and the feedback rules on the journal as read (never written)."""
    for step_id in steps:
        try:
            result = checks.check(step_id, journal, content=cur)
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


def _evaluate_all(work: list[tuple[str, str, dict[str, Any], Path | None]]
                  ) -> list[tuple[Participant, list[str]]]:
    """Each participant's checks and signals with their notes (a share of the cohort: the report
    checks a large cohort in one process per core)."""
    cur = curriculum_mod.load()
    steps = [s.id for s in cur.steps]
    out = []
    for pid, pseudonym, state, path in work:
        person, found = Participant(pid, pseudonym, state["answers"]), []
        _evaluate(person, JournalView(state, path), cur, steps, found)
        out.append((person, found))
    return out


def _pseudonyms(sources: Sources, ids: Iterable[str]) -> dict[str, str]:
    """Pseudonyms for ``ids``: the blind grader's own when the course has its key.

    Elsewhere a key made for this run is enough: nobody else needs to match them, and the
    report must not leave a key behind in a folder of journals.
    """
    ids = set(ids)
    if not ids:
        return {}
    key = existing_key(sources.root) if sources.course else None
    return pseudonyms(key or secrets.token_bytes(32), ids)


def gather(source: str | os.PathLike[str] | Sources) -> Cohort:
    """Read every journal (and the gradebook, if any) under ``source`` into a :class:`Cohort`.

    Never raises for damaged journals or an unreadable gradebook: those become notes shown at the
    end of the report.

    Parameters
    ----------
    source : str, PathLike or Sources
        A course folder or a folder of journals, or what :func:`discover` found there.

    Returns
    -------
    Cohort
        Participants in pseudonym order, with their checks and feedback signals, and the grades.

    Raises
    ------
    UserError
        Only when ``source`` is not a folder.
    """
    sources = source if isinstance(source, Sources) else discover(source)
    cur = curriculum_mod.load()
    notes: list[str] = []
    states: dict[str, dict[str, Any]] = {}
    for pid, path in sources.journals.items():
        try:
            states[pid] = read_journal_data(path)
        except UnreadableJournal as problem:
            notes.append(f"The journal {_shown(sources.root, path)} was left out: {problem}.")

    grades, has_gradebook = read_grades(sources, notes)
    ids = set(states) | {g.participant for g in grades}
    names = _pseudonyms(sources, ids)
    grades = [GradeRow(g.participant, names[g.participant], g.assignment, g.notebook, g.cell,
                       g.kind, g.score, g.max_score, g.levels) for g in grades]

    order = sorted(states, key=lambda p: names[p])
    work = [(pid, names[pid], states[pid], sources.journals.get(pid)) for pid in order]
    people = []
    for person, found in map_forked(_evaluate_all, work):
        people.append(person)
        notes.extend(found)
    return Cohort(sources, cur, people, grades, has_gradebook, names, notes,
                  datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def _shown(root: Path, path: Path) -> str:
    with contextlib.suppress(ValueError):
        return path.relative_to(root).as_posix()
    return str(path)


def read_grades(sources: Sources, notes: list[str]) -> tuple[list[GradeRow], bool]:
    """Every graded cell in the course's gradebook, read through nbgrader's API.

    Parameters
    ----------
    sources : Sources
        What :func:`discover` found.
    notes : list of str
        Where to add a note when the gradebook cannot be read.

    Returns
    -------
    tuple of (list of GradeRow, bool)
        The rows (under participant ids, not yet pseudonyms) and whether a gradebook was read;
        ``([], False)`` when there is none or it is unreadable.
    """
    if not sources.has_gradebook:
        return [], False
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
