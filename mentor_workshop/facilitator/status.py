"""Who has done which step: journals found in a folder, checked step by step, as one table.

For a facilitator walking a live room, so it must be fast (no kernels, no nbgrader import) and
must never change what it reads: a journal in nbgrader's ``submitted`` folder is the
participant's submission. The journal module moves a damaged file aside when it opens one, so
we look at every file ourselves first and only hand well-formed journals to the checks.

Journals are found in the layouts the kit produces or meets:

* an nbgrader course: ``submitted/<id>/<assignment>/journal.json`` and ``autograded/...``
  (the most recently saved copy wins when there are several);
* one folder per participant: ``<DIR>/<id>/journal.json`` (personalised notebooks, plans, a
  folder of collected work);
* one file per participant: ``<DIR>/<id>.json``, or in ``<DIR>/journals/`` (the sample
  cohort's journals);
* one participant's own folder holding ``journal.json``.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mentor_workshop.core import curriculum
from mentor_workshop.core.checks import CheckResult, step_criteria
from mentor_workshop.core.journal import (
    JOURNAL_FILENAME,
    UnreadableJournal,
    read_journal_data,
)
from mentor_workshop.core.journal_format import MAX_JOURNAL_BYTES, read_json_file
from mentor_workshop.core.journal_view import JournalView
from mentor_workshop.core.safe_html import neutralize_bidi
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.pool import map_forked
from mentor_workshop.facilitator.roster import safe_id

__all__ = [
    "NBGRADER_FOLDERS",
    "ParticipantStatus",
    "StepState",
    "cohort_status",
    "find_journals",
    "format_status",
    "no_journals_message",
    "read_journal_data",
    "status_table",
    "step_ids",
]

#: nbgrader folders that hold participants' work, in order of preference for equal times.
NBGRADER_FOLDERS = ("autograded", "submitted")

SYMBOLS = {"done": "✔", "started": "✘", "not_started": "·", "error": "?"}
WORDS = {
    "done": "done",
    "started": "started, not complete",
    "not_started": "not started",
    "error": "could not be checked",
}


#: How every journal begins, whoever wrote it (the kit writes ``schema_version`` first). A
#: file that says so is taken as a journal without parsing it here: it is parsed once, when it
#: is checked, and reported damaged then if it is not whole.
_JOURNAL_HEAD = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"schema_version"\s*:\s*\d')


def _looks_like_journal(path: Path) -> bool:
    """A ``<id>.json`` beside others is a journal unless it is some other well-formed JSON (a
    batch manifest, an export); a file that does not parse is kept, to be reported damaged."""
    try:
        with open(path, "rb") as handle:
            if _JOURNAL_HEAD.match(handle.read(256)):
                return True
    except OSError:
        return True  # unreadable: reported as such when it is checked
    try:
        read_journal_data(path)
    except UnreadableJournal:
        try:
            read_json_file(path)  # bounded: a deep or huge file cannot crash the listing
        except UnreadableJournal:
            return True
        return False
    return True


def _newest(paths: Sequence[Path]) -> Path:
    def key(p: Path) -> tuple[float, int]:
        try:
            mtime = p.stat().st_mtime
        except OSError:
            mtime = 0.0
        rank = next((i for i, name in enumerate(NBGRADER_FOLDERS) if name in p.parts), 9)
        return (mtime, -rank)

    return max(paths, key=key)


def _subfolders(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and safe_id(p.name))
    except OSError:
        return []


def find_journals(root: str | os.PathLike[str]) -> dict[str, Path]:
    """Participant id -> journal path, for a course, submissions or plans folder.

    Files named like ids that are not journals (a batch manifest, a gradebook export) are
    ignored; damaged journals are included so the caller can report them.

    Parameters
    ----------
    root : path
        An nbgrader course, a folder of participant folders, a folder of ``<id>.json``
        journals (or one holding ``journals/``), or one participant's folder.

    Returns
    -------
    dict
        Participant id -> journal path, sorted by id; empty when nothing was found.

    Raises
    ------
    UserError
        When the folder does not exist.
    """
    folder = Path(root)
    if not folder.is_dir():
        raise UserError(f"There is no folder at {folder}. Give the course folder, a folder of "
                        "participant folders, or a folder of <id>.json journals.")
    found: dict[str, list[Path]] = {}
    nbgrader = [folder / name for name in NBGRADER_FOLDERS if (folder / name).is_dir()]
    if nbgrader:
        for top in nbgrader:
            for student in _subfolders(top):
                for assignment in _subfolders(student):
                    journal = assignment / JOURNAL_FILENAME
                    if journal.is_file():
                        found.setdefault(student.name, []).append(journal)
    else:
        for participant in _subfolders(folder):
            journal = participant / JOURNAL_FILENAME
            if journal.is_file():
                found.setdefault(participant.name, []).append(journal)
        for file in sorted(folder.glob("*.json")):
            pid = file.stem
            if pid in found or file.name == JOURNAL_FILENAME or not safe_id(pid):
                continue
            if not file.is_file():
                continue
            if _looks_like_journal(file):
                found[pid] = [file]
    if not found and not nbgrader:
        if (folder / "journals").is_dir():  # e.g. exercises/sample_cohort
            return find_journals(folder / "journals")
        if (folder / JOURNAL_FILENAME).is_file() and safe_id(folder.name):  # one participant
            found[folder.name] = [folder / JOURNAL_FILENAME]
    return {pid: _newest(paths) for pid, paths in sorted(found.items())}


def no_journals_message(root: str | os.PathLike[str]) -> str:
    """What to say when :func:`find_journals` finds nothing: where it looked.

    Parameters
    ----------
    root : path
        The folder that was searched.

    Returns
    -------
    str
        One paragraph naming the layouts looked for.
    """
    return (
        f"No participant journals were found in {root}. Looked for an nbgrader course "
        "(submitted/<id>/<assignment>/journal.json or autograded/...), participant folders "
        "(<id>/journal.json) and journal files (<id>.json or journals/<id>.json)."
    )


@dataclass(frozen=True)
class StepState:
    step_id: str
    state: str  # one of SYMBOLS
    score: float = 0.0
    message: str = ""

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.state]


@dataclass(frozen=True)
class ParticipantStatus:
    id: str
    name: str
    path: Path
    steps: tuple[StepState, ...] = ()
    problem: str | None = None

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.state == "done")

    @property
    def next_step(self) -> StepState | None:
        """The first step not done yet: where the participant is, or should be, working."""
        return next((s for s in self.steps if s.state != "done"), None)


def _step_state(step_id: str, journal: JournalView, content: curriculum.Curriculum
                ) -> StepState:
    try:  # what "Check my work" runs, without its per-call set-up (see _rows)
        result = CheckResult(step_id, step_criteria(step_id, journal, content))
    except Exception as exc:  # a check tripping on odd data must not hide the whole room
        return StepState(step_id, "error", message=f"{type(exc).__name__}: {exc}")
    state = "done" if result.passed else "started" if result.score > 0 else "not_started"
    return _state(step_id, state, result.score)


@functools.lru_cache(maxsize=4096)
def _state(step_id: str, state: str, score: float) -> StepState:
    """One shared StepState per step, state and score: a room has few of them, and rows checked
    in another process come back as one copy of each instead of one per participant."""
    return StepState(step_id, state, score)


def step_ids() -> list[str]:
    """The step ids in workshop order, as the curriculum lists them.

    Returns
    -------
    list of str
        One per table column.
    """
    return [step.id for step in curriculum.load().steps]


def cohort_status(journals: Mapping[str, Path], steps: Sequence[str] | None = None, *,
                  workers: int | None = None) -> list[ParticipantStatus]:
    """Each participant's state on each step, via the same checks as "Check my work".

    A journal whose bytes were checked before, in this process, against the same steps,
    content and rules on the same day, is not checked again: a live room view asks every few
    seconds, and most journals have not changed since it last asked.

    Parameters
    ----------
    journals : mapping
        Participant id -> journal path, from :func:`find_journals`.
    steps : sequence of str, optional
        The steps to check; all of them when omitted.
    workers : int, optional
        Processes to check in (:func:`~mentor_workshop.facilitator.pool.map_forked`): by
        default one per core for a cohort of 200 or more, where checking takes seconds.

    Returns
    -------
    list of ParticipantStatus
        One per journal, in the order given; an unreadable journal gets a ``problem`` and no
        steps. Nothing is written to any journal.
    """
    steps = list(steps) if steps is not None else step_ids()
    memo = _memo_for(tuple(steps))
    known: dict[str, ParticipantStatus] = {}
    todo: list[tuple[str, Path]] = []
    digests: dict[str, bytes] = {}
    for pid, path in journals.items():
        digest = _digest(path)
        hit = memo.get(digest) if digest is not None else None
        if hit is None:
            todo.append((pid, path))
            if digest is not None:
                digests[pid] = digest
        else:
            known[pid] = ParticipantStatus(pid, hit[0], path, hit[1])
    for row in map_forked(functools.partial(_rows, steps=steps), todo, workers=workers):
        known[row.id] = row
        if row.problem is None and row.id in digests:
            memo[digests[row.id]] = (row.name, row.steps)
    return [known[pid] for pid in journals]


#: Rows already worked out, by the digest of the journal's bytes (see cohort_status), and what
#: they were worked out against; cleared when any of that changes, or when it grows too big.
_memo: dict[bytes, tuple[str, tuple[StepState, ...]]] = {}
_memo_basis: list[tuple] = []
_MEMO_LIMIT = 50_000


def _memo_for(steps: tuple[str, ...]) -> dict[bytes, tuple[str, tuple[StepState, ...]]]:
    # deferred: only a memo that is used needs the rules and the reality config loaded
    from mentor_workshop.core.feedback.rules import active_rules
    from mentor_workshop.core.reality.config import load_config

    # the steps and the day by value; the content, reality rules and feedback rules by identity
    # (each is loaded again, as a new object, when its files change)
    basis = (steps, datetime.date.today(), curriculum.load(), load_config(), active_rules())
    same = bool(_memo_basis) and _memo_basis[0][:2] == basis[:2] and all(
        a is b for a, b in zip(_memo_basis[0][2:], basis[2:], strict=True))
    if not same or len(_memo) > _MEMO_LIMIT:
        _memo.clear()
        _memo_basis[:] = [basis]
    return _memo


def _digest(path: Path) -> bytes | None:
    """A digest of the journal's bytes, or None when it cannot be read (checked, and reported,
    the ordinary way)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.blake2b(handle.read(MAX_JOURNAL_BYTES + 1), digest_size=16).digest()
    except OSError:
        return None


def _rows(items: Sequence[tuple[str, Path]], steps: Sequence[str]) -> list[ParticipantStatus]:
    content = curriculum.load()
    rows = []
    for pid, path in items:
        try:
            data = read_journal_data(path)
        except UnreadableJournal as exc:
            rows.append(ParticipantStatus(pid, pid, path, problem=f"journal unreadable: {exc}"))
            continue
        participant = data.get("participant")
        name = participant.get("name") if isinstance(participant, dict) else None
        name = neutralize_bidi(name.strip()) if isinstance(name, str) and name.strip() else pid
        journal = JournalView(data, path)
        with warnings.catch_warnings():  # as check() does: a check never writes to stderr
            warnings.simplefilter("ignore")
            states = tuple(_step_state(step, journal, content) for step in steps)
        rows.append(ParticipantStatus(pid, name, path, states))
    return rows


def _short(step_id: str) -> str:
    return step_id.split("_", 1)[0]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_status(rows: Sequence[ParticipantStatus], steps: Sequence[str]) -> str:
    """A fixed-width table: one row per participant, one column per step, then totals.

    Parameters
    ----------
    rows : sequence of ParticipantStatus
        From :func:`cohort_status`.
    steps : sequence of str
        The steps the rows were checked on.

    Returns
    -------
    str
        The table with a legend, or ``"No participants."``.
    """
    if not rows:
        return "No participants."
    id_w = max(len("id"), *(len(r.id) for r in rows))
    name_w = min(max(len("name"), *(len(r.name) for r in rows)), 22)
    cols = [_short(s) for s in steps]
    head = (f"{'id':<{id_w}}  {'name':<{name_w}}  " + " ".join(f"{c:>2}" for c in cols)
            + f"  {'done':>5}  where they are")
    lines = [head, "-" * len(head)]
    for r in rows:
        left = f"{r.id:<{id_w}}  {_clip(r.name, name_w):<{name_w}}  "
        if r.problem:
            lines.append(left + r.problem)
            continue
        marks = " ".join(f"{s.symbol:>2}" for s in r.steps)
        nxt = r.next_step
        if nxt is None:
            where = "all steps done"
        elif nxt.state == "started":
            where = f"working on {nxt.step_id}"
        elif nxt.state == "error":
            where = f"{nxt.step_id}: could not be checked ({_clip(nxt.message, 60)})"
        else:
            where = f"next: {nxt.step_id}"
        lines.append(f"{left}{marks}  {r.done:>2}/{len(steps):<2}  {where}")
    readable = [r for r in rows if not r.problem]
    totals = " ".join(
        f"{sum(1 for r in readable if r.steps[i].state == 'done'):>2}" for i in range(len(steps))
    )
    lines += ["-" * len(head), f"{'done by':<{id_w + name_w + 2}}  {totals}"]
    shown = ["done", "started", "not_started"]
    if any(s.state == "error" for r in readable for s in r.steps):
        shown.append("error")
    legend = "   ".join(f"{SYMBOLS[k]} {WORDS[k]}" for k in shown)
    lines += ["", f"{legend}   ({len(rows)} participant{'s' if len(rows) != 1 else ''})"]
    return "\n".join(lines)


def status_table(folder: str | os.PathLike[str]) -> str:
    """Who has completed which step, for every journal found in ``folder``, as one table.

    This is ``mentor-workshop status``: fast (no kernels, no nbgrader) and read-only.

    Parameters
    ----------
    folder : path
        Anything :func:`find_journals` reads: a course, participant folders or journal files.

    Returns
    -------
    str
        The table from :func:`format_status`.

    Raises
    ------
    UserError
        When the folder does not exist or holds no journals.
    """
    journals = find_journals(folder)
    if not journals:
        raise UserError(no_journals_message(folder))
    steps = step_ids()
    return format_status(cohort_status(journals, steps), steps)
