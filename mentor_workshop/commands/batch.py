"""``personalize``, ``plans`` and ``status``: the facilitator's batch commands.

Thin on purpose: argument parsing and messages here, the work in
:mod:`mentor_workshop.facilitator.personalize`, :mod:`mentor_workshop.facilitator.batch` and
:mod:`mentor_workshop.facilitator.status`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.batch import DEFAULT_CELL_TIMEOUT, DEFAULT_JOB_TIMEOUT


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, not {text!r}")
    return value


def _workshop_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date as YYYY-MM-DD (e.g. 2027-03-14), not {text!r}") from None


def _batch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, metavar="DIR",
                        help="folder to write into (one sub-folder per participant)")
    parser.add_argument("--notebooks", type=Path, metavar="DIR",
                        help="folder with the step notebooks (default: the kit's own; for an "
                        "nbgrader course, its release/<assignment> folder)")
    parser.add_argument("--workers", type=_positive_int, metavar="N",
                        help="notebooks run at once on this machine (default: one per core)")
    parser.add_argument("--scheduler", metavar="ADDR",
                        help="run on a Dask cluster instead, e.g. tcp://10.0.0.5:8786 "
                        "(needs the 'dask' extra)")
    parser.add_argument("--rerun-failed", action="store_true",
                        help="run only the notebooks that failed or timed out last time")
    parser.add_argument("--timeout", type=_seconds, default=DEFAULT_CELL_TIMEOUT, metavar="S",
                        help=f"seconds one cell may run (default {DEFAULT_CELL_TIMEOUT:g})")
    parser.add_argument("--job-timeout", type=_seconds, default=DEFAULT_JOB_TIMEOUT,
                        metavar="S", help="seconds one whole notebook may run "
                        f"(default {DEFAULT_JOB_TIMEOUT:g})")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "personalize",
        help="make each participant a personalised, tested copy of the step notebooks",
        description="For every participant in the roster, write DIR/<id>/ with every step "
        "notebook personalised (name, cohort, facilitator, date) and executed once to prove "
        "it runs, plus a journal that knows who they are. Running it again skips what "
        "already succeeded.",
    )
    p.add_argument("--roster", required=True, type=Path, metavar="CSV",
                   help="roster CSV with id,name,email (cohort, facilitator optional)")
    _batch_options(p)
    p.add_argument("--date", type=_workshop_date, metavar="YYYY-MM-DD",
                   help="the workshop date, stored in each journal")
    p.set_defaults(handler=personalize_command)

    p = subparsers.add_parser(
        "plans",
        help="make every participant's mentorship plan (HTML, Markdown, calendar)",
        description="Run 10_my_plan for every participant journal found in a course folder "
        "(submitted/ or autograded/), a folder of participant folders or a folder of "
        "<id>.json journals, writing DIR/<id>/my_plan.html, .md and .ics.",
    )
    p.add_argument("source", type=Path, metavar="COURSE_DIR|SUBMISSIONS_DIR")
    _batch_options(p)
    p.set_defaults(handler=plans_command)

    p = subparsers.add_parser(
        "status",
        help="who has completed which step, read from the journals (fast, no kernels)",
        description="Read every participant journal in DIR (a course, personalised folders "
        "or <id>.json files) and show a table of steps done, started and not started.",
    )
    p.add_argument("folder", type=Path, metavar="DIR")
    p.set_defaults(handler=status_command)


def _executor(args: argparse.Namespace):  # -> Executor
    from mentor_workshop.facilitator.batch import make_executor

    return make_executor(workers=args.workers, scheduler=args.scheduler)


def _notebooks(args: argparse.Namespace) -> list[Path]:
    from mentor_workshop.core.resources import notebooks_dir
    from mentor_workshop.facilitator.personalize import step_notebooks

    return step_notebooks(args.notebooks or notebooks_dir())


def _out_dir(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise UserError(f"--out {path} is a file; give a folder (it is created if needed).")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Cannot create the folder {path} ({exc.strerror or exc}).") from None
    return path.absolute()


def personalize_command(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator import personalize as pz
    from mentor_workshop.facilitator.batch import print_summary, run_batch
    from mentor_workshop.facilitator.roster import read_roster

    participants = read_roster(args.roster)
    notebooks = _notebooks(args)
    out = _out_dir(args.out)
    staged = pz.stage_notebooks(notebooks, out)
    since = pz.batch_start()
    jobs = pz.personalize_jobs(participants, staged, out, args.date,
                               cell_timeout=args.timeout, timeout=args.job_timeout)
    journals = pz.snapshot_journals(out, (p.id for p in participants))
    executor = _executor(args)
    print(f"Personalising {len(staged)} notebooks for {len(participants)} participants "
          f"({len(jobs)} runs) on {executor.describe()}.", file=sys.stderr)
    try:
        result = run_batch(jobs, executor, out / pz.PERSONALIZE_MANIFEST, args.rerun_failed,
                           description="personalise")
    finally:
        pz.tidy_after_proof_run(out, journals, since)
    print_summary(result)
    if result.ok:
        print(f"Each participant's notebooks and journal are in {out}/<id>/ — hand out or "
              "upload one folder per person.")
    return result.exit_code


def plans_command(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator import personalize as pz
    from mentor_workshop.facilitator.batch import print_summary, run_batch
    from mentor_workshop.facilitator.status import find_journals, no_journals_message

    journals = find_journals(args.source)
    if not journals:
        raise UserError(no_journals_message(args.source))
    notebooks = {p.stem: p for p in _notebooks(args)}
    if pz.PLAN_STEP not in notebooks:
        folder = args.notebooks or "the kit's notebooks folder"
        raise UserError(f"{pz.PLAN_STEP}.ipynb is missing from {folder}.")
    out = _out_dir(args.out)
    (staged,) = pz.stage_notebooks([notebooks[pz.PLAN_STEP]], out)
    jobs, unreadable = pz.plan_jobs(journals, staged, out, cell_timeout=args.timeout,
                                    timeout=args.job_timeout)
    executor = _executor(args)
    print(f"Making {len(jobs)} plans on {executor.describe()}.", file=sys.stderr)
    result = run_batch(jobs, executor, out / pz.PLANS_MANIFEST, args.rerun_failed,
                       description="plans")
    print_summary(result)
    made = [r.name for r in result.results if r.succeeded]
    if made:
        print(f"{len(made)} plans are in {out}/<id>/my_plan.html (also .md, and .ics when "
              "the plan has dates).")
    # A damaged journal is the participant's data, not a failed run: re-running cannot fix it,
    # so it is reported (as status and the report do) without failing the whole command.
    for pid, reason in unreadable.items():
        print(f"No plan for {pid}: the journal cannot be read ({reason}). Ask them for a "
              "good copy, or restore journal.json.bak beside it.", file=sys.stderr)
    return result.exit_code


def status_command(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.status import (
        cohort_status,
        find_journals,
        format_status,
        no_journals_message,
        step_ids,
    )

    journals = find_journals(args.folder)
    if not journals:
        raise UserError(no_journals_message(args.folder))
    steps = step_ids()
    print(format_status(cohort_status(journals, steps), steps))
    return 0
