"""The jobs of the two per-participant batches: personalised step notebooks, and plans.

Personalising means each participant gets their own folder with every step notebook already
carrying their name (papermill parameters) and a journal that knows who they are. The copies
are executed as a proof that they run, so a broken notebook is found the evening before, not
in the room; what that run writes into the folders is undone afterwards.

Plans run ``10_my_plan`` against each participant's journal. The journal is copied into the
plan folder first: a submission in nbgrader's ``submitted`` folder is evidence and is never
written to, and the copy is what the executed plan notebook shows.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from mentor_workshop.core.atomic import write_bytes_atomic
from mentor_workshop.core.journal import (
    JOURNAL_FILENAME,
    Journal,
    UnreadableJournal,
    read_journal_data,
)
from mentor_workshop.facilitator.batch import DEFAULT_CELL_TIMEOUT, DEFAULT_JOB_TIMEOUT, Job
from mentor_workshop.facilitator.personalize.notebooks import StagedNotebook
from mentor_workshop.facilitator.roster import Participant

__all__ = [
    "PERSONALIZE_MANIFEST",
    "PLANS_MANIFEST",
    "PLAN_FILES",
    "PLAN_STEP",
    "batch_start",
    "personalize_jobs",
    "plan_jobs",
    "snapshot_journals",
    "tidy_after_proof_run",
]

PLAN_STEP = "10_my_plan"
PLAN_FILES = ("my_plan.md", "my_plan.html", "my_plan.ics")
PERSONALIZE_MANIFEST = "personalize-manifest.json"
PLANS_MANIFEST = "plans-manifest.json"


def _journal_participant(path: Path, participant: Participant, workshop_date: str | None
                         ) -> None:
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

    Parameters
    ----------
    participants : sequence of Participant
        The roster.
    notebooks : sequence of StagedNotebook
        The participant versions, from :func:`stage_notebooks`.
    out_dir : path
        The batch's output folder; each participant gets ``out_dir/<id>/``.
    workshop_date : datetime.date, optional
        Stored in each journal, and injected where a notebook declares ``workshop_date``.
    cell_timeout, timeout : float
        Seconds one cell, and one whole notebook, may run.

    Returns
    -------
    list of Job
        Named ``<id>/<step>``, participant by participant.
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
    """Each participant's journal as written before the proof run, to restore it afterwards.

    Parameters
    ----------
    out_dir : path
        The batch's output folder.
    ids : iterable of str
        The participant ids.

    Returns
    -------
    dict
        Participant id -> the journal's bytes; a participant without a journal is left out.
    """
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

    Parameters
    ----------
    out_dir : path
        The batch's output folder.
    snapshots : mapping
        Participant id -> journal bytes, from :func:`snapshot_journals`.
    since : float
        When the batch started, from :func:`batch_start`.

    Returns
    -------
    None
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

    Parameters
    ----------
    journals : mapping
        Participant id -> journal path, from
        :func:`~mentor_workshop.facilitator.status.find_journals`.
    plan_notebook : StagedNotebook
        The participant version of ``10_my_plan``.
    out_dir : path
        The batch's output folder; each plan is made in ``out_dir/<id>/``.
    cell_timeout, timeout : float
        Seconds one cell, and one whole notebook, may run.

    Returns
    -------
    tuple
        The jobs (named by participant id), and ``{id: reason}`` for unreadable journals.
    """
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
    """A timestamp to compare file times against, taken before a batch starts.

    Returns
    -------
    float
        Seconds since the epoch, two seconds early: some filesystems store coarse times.
    """
    return time.time() - 2.0
