"""The two batches from start to finish, callable from Python as well as from the command line.

Why here and not in the command: ``mentor-workshop personalize`` and ``plans`` only parse their
arguments and print what these functions return, so a facilitator's script or notebook runs
exactly the same steps (stage the notebooks, make the jobs, run them on the chosen executor,
tidy up) and gets the same messages.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mentor_workshop.core.journal import JOURNAL_FILENAME
from mentor_workshop.core.resources import notebooks_dir
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.batch import (
    DEFAULT_CELL_TIMEOUT,
    DEFAULT_JOB_TIMEOUT,
    BatchResult,
    format_summary,
    make_executor,
    run_batch,
)
from mentor_workshop.facilitator.personalize.jobs import (
    PERSONALIZE_MANIFEST,
    PLAN_STEP,
    PLANS_MANIFEST,
    batch_start,
    personalize_jobs,
    plan_jobs,
    snapshot_journals,
    tidy_after_proof_run,
)
from mentor_workshop.facilitator.personalize.notebooks import stage_notebooks, step_notebooks
from mentor_workshop.facilitator.roster import read_roster
from mentor_workshop.facilitator.status import find_journals, no_journals_message

__all__ = ["PersonalizeResult", "PlansResult", "make_plans", "personalize_cohort"]


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


@dataclass(frozen=True)
class PersonalizeResult:
    """What a personalise batch did, and where the folders to hand out are."""

    batch: BatchResult
    out: Path

    @property
    def exit_code(self) -> int:
        return self.batch.exit_code

    def lines(self) -> list[str]:
        """The summary table, then where the folders are when every notebook ran."""
        lines = [format_summary(self.batch)]
        if self.batch.ok:
            lines.append(f"Each participant's notebooks and journal are in {self.out}/<id>/ — "
                         "hand out or upload one folder per person.")
        return lines


@dataclass(frozen=True)
class PlansResult:
    """What a plans batch did, and the journals that could not be read."""

    batch: BatchResult
    out: Path
    #: Participant id -> why their journal cannot be read (no plan was made for them).
    unreadable: Mapping[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return self.batch.exit_code

    def lines(self) -> list[str]:
        """The summary table, then where the plans are when any was made."""
        lines = [format_summary(self.batch)]
        made = [r.name for r in self.batch.results if r.succeeded]
        if made:
            lines.append(f"{len(made)} plans are in {self.out}/<id>/my_plan.html (also .md, and "
                         ".ics when the plan has dates).")
        return lines

    def warnings(self) -> list[str]:
        """One line per unreadable journal.

        A damaged journal is the participant's data, not a failed run: re-running cannot fix
        it, so it is reported (as status and the report do) without failing the batch.
        """
        return [f"No plan for {pid}: the journal cannot be read ({reason}). Ask them for a "
                f"good copy, or restore {JOURNAL_FILENAME}.bak beside it."
                for pid, reason in self.unreadable.items()]


def _step_notebooks(notebooks: str | os.PathLike[str] | None) -> list[Path]:
    return step_notebooks(notebooks or notebooks_dir())


def _out_folder(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UserError(f"--out {path} is a file; give a folder (it is created if needed).")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Cannot create the folder {path} ({exc.strerror or exc}).") from None
    return path.absolute()


def personalize_cohort(
    roster: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    notebooks: str | os.PathLike[str] | None = None,
    workshop_date: date | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    rerun_failed: bool = False,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    timeout: float = DEFAULT_JOB_TIMEOUT,
    progress: Callable[[str], None] = _to_stderr,
    prewarm: bool = True,
    quiet: bool = False,
) -> PersonalizeResult:
    """Give every participant in the roster a personalised, tested copy of the step notebooks.

    Running it again skips what already succeeded. Whatever the proof run wrote into the
    participants' folders is undone, even when the run is interrupted.

    Parameters
    ----------
    roster : path
        Roster CSV with id, name, email (cohort, facilitator optional).
    out_dir : path
        Folder to write into, one sub-folder per participant; created when missing.
    notebooks : path, optional
        Folder with the step notebooks; the kit's own when omitted.
    workshop_date : datetime.date, optional
        Stored in each journal.
    workers : int, optional
        Notebooks run at once on this machine (default: one per core).
    scheduler : str, optional
        A Dask scheduler address to run on instead.
    rerun_failed : bool, default False
        Run only the notebooks that failed or timed out last time.
    cell_timeout, timeout : float
        Seconds one cell, and one whole notebook, may run.
    progress : callable, optional
        Receives the line announcing the run before it starts (default: standard error).
    prewarm : bool, default True
        Fork each kernel from the warm pool (the kit imported once per worker); False starts
        each from scratch (``--no-prewarm``, for troubleshooting).
    quiet : bool, default False
        No announcement and no progress bar (there is no bar when stderr is not a terminal).

    Returns
    -------
    PersonalizeResult
        The batch's results; ``lines()`` is the summary to show.

    Raises
    ------
    UserError
        For an unusable roster, notebooks folder or output folder.
    """
    participants = read_roster(roster)
    sources = _step_notebooks(notebooks)
    out = _out_folder(out_dir)
    staged = stage_notebooks(sources, out)
    since = batch_start()
    jobs = personalize_jobs(participants, staged, out, workshop_date,
                            cell_timeout=cell_timeout, timeout=timeout)
    journals = snapshot_journals(out, (p.id for p in participants))
    executor = make_executor(workers=workers, scheduler=scheduler, prewarm=prewarm)
    if not quiet:
        progress(f"Personalising {len(staged)} notebooks for {len(participants)} participants "
                 f"({len(jobs)} runs) on {executor.describe()}.")
    try:
        result = run_batch(jobs, executor, out / PERSONALIZE_MANIFEST, rerun_failed,
                           progress=False if quiet else None, description="personalise")
    finally:
        tidy_after_proof_run(out, journals, since)
    return PersonalizeResult(result, out)


def make_plans(
    source: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    notebooks: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    rerun_failed: bool = False,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    timeout: float = DEFAULT_JOB_TIMEOUT,
    progress: Callable[[str], None] = _to_stderr,
    prewarm: bool = True,
    quiet: bool = False,
) -> PlansResult:
    """Make every participant's mentorship plan by running ``10_my_plan`` on their journal.

    Parameters
    ----------
    source : path
        A course folder (``submitted/`` or ``autograded/``), a folder of participant folders
        or a folder of ``<id>.json`` journals.
    out_dir : path
        Folder to write into: ``<id>/my_plan.html``, ``.md`` and ``.ics``.
    notebooks : path, optional
        Folder holding ``10_my_plan.ipynb``; the kit's own when omitted.
    workers : int, optional
        Notebooks run at once on this machine (default: one per core).
    scheduler : str, optional
        A Dask scheduler address to run on instead.
    rerun_failed : bool, default False
        Run only the plans that failed or timed out last time.
    cell_timeout, timeout : float
        Seconds one cell, and one whole notebook, may run.
    progress : callable, optional
        Receives the line announcing the run before it starts (default: standard error).
    prewarm : bool, default True
        Fork each kernel from the warm pool (the kit imported once per worker); False starts
        each from scratch (``--no-prewarm``, for troubleshooting).
    quiet : bool, default False
        No announcement and no progress bar (there is no bar when stderr is not a terminal).

    Returns
    -------
    PlansResult
        The batch's results; ``lines()`` is the summary, ``warnings()`` names the journals
        that could not be read.

    Raises
    ------
    UserError
        When no journal is found, ``10_my_plan`` is missing or the output folder is unusable.
    """
    journals = find_journals(source)
    if not journals:
        raise UserError(no_journals_message(source))
    by_step = {p.stem: p for p in _step_notebooks(notebooks)}
    if PLAN_STEP not in by_step:
        folder = notebooks or "the kit's notebooks folder"
        raise UserError(f"{PLAN_STEP}.ipynb is missing from {folder}.")
    out = _out_folder(out_dir)
    (staged,) = stage_notebooks([by_step[PLAN_STEP]], out)
    jobs, unreadable = plan_jobs(journals, staged, out, cell_timeout=cell_timeout,
                                 timeout=timeout)
    executor = make_executor(workers=workers, scheduler=scheduler, prewarm=prewarm)
    if not quiet:
        progress(f"Making {len(jobs)} plans on {executor.describe()}.")
    result = run_batch(jobs, executor, out / PLANS_MANIFEST, rerun_failed,
                       progress=False if quiet else None, description="plans")
    return PlansResult(result, out, unreadable)
