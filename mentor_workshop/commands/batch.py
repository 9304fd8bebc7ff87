"""``personalize``, ``plans`` and ``status``: the facilitator's batch commands.

Thin on purpose: each handler parses its arguments, calls one function of
:mod:`mentor_workshop.facilitator.personalize` or :mod:`mentor_workshop.facilitator.status`
and prints what it returns, so the same batches run from Python.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from mentor_workshop.core.answers import iso_date

# The pool policy's limits, not facilitator.batch's: every command builds this parser, and the
# batch package (papermill's runners, filelock) is needed only when a batch runs.
from mentor_workshop.facilitator.pool import POLICY


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
    day = iso_date(text)  # the kit's one date parser, so the journal reads it back the same
    if day is None:
        raise argparse.ArgumentTypeError(
            f"expected a date as YYYY-MM-DD (e.g. 2027-03-14), not {text!r}")
    return day


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
    parser.add_argument("--timeout", type=_seconds, default=POLICY.cell_timeout, metavar="S",
                        help=f"seconds one cell may run (default {POLICY.cell_timeout:g})")
    parser.add_argument("--job-timeout", type=_seconds, default=POLICY.notebook_timeout,
                        metavar="S", help="seconds one whole notebook may run "
                        f"(default {POLICY.notebook_timeout:g})")
    parser.add_argument("--no-prewarm", action="store_true",
                        help="start every kernel from scratch instead of forking it from a "
                        "process with the kit already imported (slower; for troubleshooting)")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar (there is none when stderr is not a terminal)")


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``personalize``, ``plans`` and ``status``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The ``mentor-workshop`` parser's subcommands.

    Returns
    -------
    None
    """
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
    # quick_exit: it holds nothing open when done, and its heap is large (see cli.run)
    p.set_defaults(handler=status_command, quick_exit=True)


def personalize_command(args: argparse.Namespace) -> int:
    """``mentor-workshop personalize``: personalised, tested notebooks for each participant.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        0 when every notebook ran, 1 when any failed or timed out.
    """
    # Deferred: papermill and nbformat are seconds of start-up that --help must not pay.
    from mentor_workshop.facilitator.personalize import personalize_cohort

    result = personalize_cohort(
        args.roster, args.out, notebooks=args.notebooks, workshop_date=args.date,
        workers=args.workers, scheduler=args.scheduler, rerun_failed=args.rerun_failed,
        cell_timeout=args.timeout, timeout=args.job_timeout, prewarm=not args.no_prewarm,
        quiet=args.quiet,
    )
    print("\n".join(result.lines()))
    return result.exit_code


def plans_command(args: argparse.Namespace) -> int:
    """``mentor-workshop plans``: every participant's plan; unreadable journals on stderr.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        0 when every plan that could be made was made, 1 when any failed or timed out.
    """
    # Deferred: papermill and nbformat are seconds of start-up that --help must not pay.
    from mentor_workshop.facilitator.personalize import make_plans

    result = make_plans(
        args.source, args.out, notebooks=args.notebooks, workers=args.workers,
        scheduler=args.scheduler, rerun_failed=args.rerun_failed, cell_timeout=args.timeout,
        timeout=args.job_timeout, prewarm=not args.no_prewarm, quiet=args.quiet,
    )
    print("\n".join(result.lines()))
    warnings = result.warnings()
    if warnings:
        print("\n".join(warnings), file=sys.stderr)
    return result.exit_code


def status_command(args: argparse.Namespace) -> int:
    """``mentor-workshop status``: the table of who has done which step.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit code.
    """
    # Deferred: the checks and content models are not needed to parse arguments.
    from mentor_workshop.facilitator.status import status_table

    print(status_table(args.folder))
    return 0
