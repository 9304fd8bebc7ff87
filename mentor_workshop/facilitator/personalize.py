"""The two per-participant batches: personalised step notebooks, and each participant's plan.

Personalising means each participant gets their own folder with every step notebook already
carrying their name (papermill parameters) and a journal that knows who they are. The copies
are executed as a proof that they run, so a broken notebook is found the evening before, not
in the room.

Plans run ``10_my_plan`` against each participant's journal. The journal is copied into the
plan folder first: a submission in nbgrader's ``submitted`` folder is evidence and is never
written to, and the copy is what the executed plan notebook shows.

Notebooks are first turned into participant versions (nbgrader hidden tests removed, solution
regions replaced by the usual stubs) in ``DIR/.notebooks``, so the default source notebooks
never leak what a release would hide. An nbgrader release folder passes through unchanged.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mentor_workshop.core.atomic import write_bytes_atomic
from mentor_workshop.core.journal import JOURNAL_FILENAME
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.batch import DEFAULT_CELL_TIMEOUT, DEFAULT_JOB_TIMEOUT, Job
from mentor_workshop.facilitator.roster import Participant

__all__ = [
    "PERSONALIZE_MANIFEST",
    "PLANS_MANIFEST",
    "PLAN_FILES",
    "PLAN_STEP",
    "StagedNotebook",
    "declared_parameters",
    "participant_version",
    "personalize_jobs",
    "plan_jobs",
    "snapshot_journals",
    "stage_notebooks",
    "step_notebooks",
    "tidy_after_proof_run",
]

PLAN_STEP = "10_my_plan"
PLAN_FILES = ("my_plan.md", "my_plan.html", "my_plan.ics")
PERSONALIZE_MANIFEST = "personalize-manifest.json"
PLANS_MANIFEST = "plans-manifest.json"
#: Participant versions of the notebooks; a dot folder cannot clash with a participant id.
STAGE_FOLDER = ".notebooks"
#: Values papermill injects when the notebook's parameters cell declares them.
OPTIONAL_PARAMETERS = ("cohort", "facilitator", "workshop_date")

_STEP_NAME = re.compile(r"^\d\d_[A-Za-z0-9_]+\.ipynb$")
_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
                     re.MULTILINE | re.DOTALL)
_SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION.*?^[ \t]*### END SOLUTION[^\n]*",
                       re.MULTILINE | re.DOTALL)
_MD_SOLUTION = re.compile(r"=== BEGIN MARK SCHEME ===.*?=== END MARK SCHEME ===", re.DOTALL)


def step_notebooks(folder: str | os.PathLike[str]) -> list[Path]:
    """The step notebooks (``NN_name.ipynb``) in ``folder``, in step order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"There is no notebooks folder at {folder}. Pass --notebooks with the "
                        "folder holding the step notebooks (e.g. an nbgrader release folder).")
    found = sorted(p for p in folder.iterdir() if p.is_file() and _STEP_NAME.match(p.name))
    if not found:
        raise UserError(f"No step notebooks (named like 00_welcome.ipynb) in {folder}.")
    return found


def participant_version(nb: Any) -> Any:
    """What nbgrader's release would give a participant: no hidden tests, no solutions.

    Mirrors ``ClearHiddenTests`` and ``ClearSolutions`` with the default delimiters, without
    importing nbgrader (seconds of start-up for a few regular expressions).
    """
    for cell in nb.cells:
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        new = _HIDDEN.sub("", source)
        if cell.get("cell_type") == "code":
            new = _SOLUTION.sub(r"\1# YOUR CODE HERE\n\1raise NotImplementedError()", new)
        else:
            new = _SOLUTION.sub("YOUR ANSWER HERE", new)
            new = _MD_SOLUTION.sub("", new)
        if new != source:
            cell["source"] = new
    return nb


@dataclass(frozen=True)
class StagedNotebook:
    """A participant version of one step notebook and the parameters its cell declares."""

    step_id: str
    path: Path
    parameters: frozenset[str]


def declared_parameters(path: str | os.PathLike[str]) -> frozenset[str]:
    """Names in the notebook's ``parameters`` cell (papermill injects others with a warning)."""
    import papermill

    return frozenset(papermill.inspect_notebook(str(path)))


def stage_notebooks(notebooks: Iterable[Path], out_dir: Path) -> list[StagedNotebook]:
    """Write participant versions into ``out_dir/.notebooks`` (unchanged files are not rewritten,
    so the manifest still recognises work already done)."""
    import nbformat

    stage = out_dir / STAGE_FOLDER
    staged = []
    for source in notebooks:
        try:
            nb = nbformat.read(source, as_version=4)
        except Exception as exc:
            raise UserError(f"{source} is not a readable notebook ({exc}).") from None
        data = nbformat.writes(participant_version(nb)).encode("utf-8")
        target = stage / source.name
        try:
            current = target.read_bytes()
        except OSError:
            current = None
        if current != data:
            write_bytes_atomic(target, data)
        staged.append(StagedNotebook(source.stem, target, declared_parameters(target)))
    return staged


def _journal_participant(path: Path, participant: Participant, workshop_date: str | None
                         ) -> None:
    from mentor_workshop.core.journal import Journal

    Journal(path).set_participant(
        id=participant.id,
        name=participant.name,
        cohort=participant.cohort or None,
        facilitator=participant.facilitator or None,
        workshop_date=workshop_date,
    )


def personalize_jobs(
    participants: Sequence[Participant],
    notebooks: Sequence[StagedNotebook],
    out_dir: str | os.PathLike[str],
    workshop_date: date | None = None,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    timeout: float = DEFAULT_JOB_TIMEOUT,
) -> list[Job]:
    """One job per participant and step; also writes each participant's journal.

    The journal holds the participant's details (id, name, cohort, facilitator, workshop
    date) whether or not a notebook declares them as parameters, so plans and reports can
    name them; a journal that already has answers keeps them.
    """
    out = Path(out_dir).absolute()
    when = workshop_date.isoformat() if workshop_date else None
    jobs = []
    for person in participants:
        folder = out / person.id
        folder.mkdir(parents=True, exist_ok=True)
        _journal_participant(folder / JOURNAL_FILENAME, person, when)
        extra = {"cohort": person.cohort, "facilitator": person.facilitator,
                 "workshop_date": when}
        for nb in notebooks:
            params: dict[str, Any] = {
                "participant_id": person.id,
                "participant_name": person.name,
                "journal_path": JOURNAL_FILENAME,
            }
            params.update({k: v for k, v in extra.items() if v and k in nb.parameters})
            jobs.append(Job(nb.path, folder / nb.path.name, params, cwd=folder,
                            name=f"{person.id}/{nb.step_id}", cell_timeout=cell_timeout,
                            timeout=timeout))
    return jobs


def snapshot_journals(out_dir: str | os.PathLike[str], ids: Iterable[str]) -> dict[str, bytes]:
    """Each participant's journal as written before the proof run, to restore it afterwards."""
    snapshots = {}
    for pid in ids:
        with contextlib.suppress(OSError):
            snapshots[pid] = (Path(out_dir) / pid / JOURNAL_FILENAME).read_bytes()
    return snapshots


def tidy_after_proof_run(out_dir: str | os.PathLike[str], snapshots: Mapping[str, bytes],
                         since: float) -> None:
    """Undo what executing the notebooks wrote into the folders participants will receive.

    The proof run executes every widget and the plan export, which save answers (a profile
    with only the name, a set-up check made on the facilitator's machine) and an empty plan.
    A participant should start from a journal holding only their details, so it is put back
    as it was, and the plan, backup and lock files made during the run are removed. Files
    older than ``since`` are left alone.
    """
    for pid, before in snapshots.items():
        folder = Path(out_dir) / pid
        journal = folder / JOURNAL_FILENAME
        with contextlib.suppress(OSError):
            if journal.read_bytes() != before:
                write_bytes_atomic(journal, before)
        for name in (*PLAN_FILES, f"{JOURNAL_FILENAME}.bak", f"{JOURNAL_FILENAME}.lock"):
            path = folder / name
            with contextlib.suppress(OSError):
                if path.stat().st_mtime >= since:
                    path.unlink()


def plan_jobs(
    journals: Mapping[str, Path],
    plan_notebook: StagedNotebook,
    out_dir: str | os.PathLike[str],
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    timeout: float = DEFAULT_JOB_TIMEOUT,
) -> tuple[list[Job], dict[str, str]]:
    """One ``10_my_plan`` job per journal, run on a copy of it in ``out_dir/<id>/``.

    The job depends on the original journal, so a re-run redoes exactly the plans whose
    journal changed since they were made. Journals that cannot be read are not run (a plan
    from a damaged journal would be empty yet look finished); they come back as
    ``{id: reason}`` for the caller to report.
    """
    from mentor_workshop.core.journal import UnreadableJournal, read_journal_data

    out = Path(out_dir).absolute()
    jobs, problems = [], {}
    for pid, source in journals.items():
        try:
            data = read_journal_data(source)
        except UnreadableJournal as exc:
            problems[pid] = f"{source}: {exc}"
            continue
        folder = out / pid
        copy = folder / JOURNAL_FILENAME
        raw = source.read_bytes()
        try:
            same = copy.read_bytes() == raw
        except OSError:
            same = False
        if not same:
            write_bytes_atomic(copy, raw)
        name = data.get("participant", {}).get("name")
        params: dict[str, Any] = {
            "participant_id": pid,
            "participant_name": name if isinstance(name, str) else "",
            "journal_path": JOURNAL_FILENAME,
        }
        if "out_dir" in plan_notebook.parameters:
            params["out_dir"] = str(folder)
        jobs.append(Job(plan_notebook.path, folder / plan_notebook.path.name, params,
                        cwd=folder, name=pid, cell_timeout=cell_timeout, timeout=timeout,
                        depends_on=(source.absolute(),),
                        expect=(folder / "my_plan.html", folder / "my_plan.md")))
    return jobs, problems


def batch_start() -> float:
    """A timestamp to compare file times against (a little early for coarse filesystems)."""
    return time.time() - 2.0
