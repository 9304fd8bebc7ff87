"""``mentor-workshop init | release | collect | autograde | feedback | export``.

The nbgrader course lifecycle, in the order a facilitator meets it. The work is done in
:mod:`mentor_workshop.facilitator.course` and :mod:`mentor_workshop.facilitator.autograde`; this
module only reads arguments, calls one function per command and prints what it returned.

Those modules are imported inside the handlers, never at the top: they pull in nbgrader and
nbformat (seconds of start-up, mostly nbformat's JSON-schema machinery), and every
``mentor-workshop`` command builds this parser, including ``--help`` and ``status``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: Same value as ``mentor_workshop.facilitator.course.DEFAULT_ASSIGNMENT`` (a test keeps them
#: equal); written out here so building the parser does not import the course package.
DEFAULT_ASSIGNMENT = "mentor_workshop"
_ASSIGNMENT_HELP = "nbgrader assignment (default: the course's only one, or mentor_workshop)"


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register this area's subcommands.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``mentor-workshop`` subparsers to add to.
    """
    p = sub.add_parser(
        "init", help="create or update the nbgrader course for a cohort",
        description="Create an nbgrader course: config, the workshop notebooks as one assignment "
                    "and the participants from the roster. Safe to run again: it updates and "
                    "never touches grades.")
    p.add_argument("course_dir", type=Path, metavar="COURSE_DIR")
    p.add_argument("--roster", type=Path, required=True, help="roster CSV (id,name,email)")
    p.add_argument("--course-id", help="nbgrader course id (default: the folder's name)")
    p.add_argument("--assignment", default=DEFAULT_ASSIGNMENT,
                   help=f"assignment name (default: {DEFAULT_ASSIGNMENT})")
    p.add_argument("--notebooks", type=Path,
                   help="folder of step notebooks (default: the kit's notebooks/)")
    p.set_defaults(handler=_init)

    p = sub.add_parser(
        "release", help="generate the participants' version and check it hides the answers",
        description="Run nbgrader generate_assignment, then check the release has no solution "
                    "text, no hidden tests, no outputs and a blank journal; a leaking release "
                    "is deleted and the command fails.")
    p.add_argument("course_dir", type=Path, metavar="COURSE_DIR")
    p.add_argument("--assignment", help=_ASSIGNMENT_HELP)
    p.add_argument("--exchange", action="store_true",
                   help="also copy it to the nbgrader exchange (JupyterHub set-ups)")
    p.set_defaults(handler=_release)

    p = sub.add_parser(
        "collect", help="bring in submissions (folders, zip files or the nbgrader exchange)",
        description="Copy submissions into submitted/. PATH holds one folder or .zip per "
                    "participant, named by roster id; or give an nbgrader exchange root, or the "
                    "word 'exchange'. Problems get one line each; the rest are collected.")
    p.add_argument("course_dir", type=Path, metavar="COURSE_DIR")
    p.add_argument("--from", dest="source", required=True, metavar="PATH")
    p.add_argument("--assignment", help=_ASSIGNMENT_HELP)
    p.set_defaults(handler=_collect)

    p = sub.add_parser(
        "autograde", help="grade submissions in parallel into the gradebook",
        description="Autograde in parallel with the same scores as `nbgrader autograde`. "
                    "Already graded submissions are skipped unless handed in again.")
    p.add_argument("course_dir", type=Path, metavar="COURSE_DIR")
    p.add_argument("--workers", type=int, help="parallel workers (default: cores + 1)")
    p.add_argument("--participant", action="append", metavar="ID",
                   help="grade (again) only this participant; repeat for more")
    p.add_argument("--assignment", help="only this assignment (default: all with submissions)")
    p.add_argument("--timeout", type=int,
                   help="seconds one cell may run (default: the course's Execute.timeout)")
    p.add_argument("--force", action="store_true", help="grade everything again")
    p.add_argument("--no-progress", "--quiet", dest="no_progress", action="store_true",
                   help="no progress bar (there is none when stderr is not a terminal)")
    p.add_argument("--no-prewarm", action="store_true",
                   help="start every kernel from scratch instead of forking it from a process "
                        "with the kit already imported (slower; for troubleshooting)")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run hand-ins WITHOUT the bubblewrap sandbox, with your rights (only "
                        "where no sandbox can be had and you trust every hand-in)")
    p.set_defaults(handler=_autograde)

    p = sub.add_parser(
        "feedback", help="write per-participant feedback HTML (hidden tests removed)",
        description="nbgrader generate_feedback, with hidden tests removed and participant "
                    "text escaped; files go to feedback/ID/ASSIGNMENT/.")
    p.add_argument("course_dir", type=Path, metavar="COURSE_DIR")
    p.add_argument("--assignment", help=_ASSIGNMENT_HELP)
    p.add_argument("--participant", action="append", metavar="ID")
    p.set_defaults(handler=_feedback)

    p = sub.add_parser("export", help="write everyone's scores to a CSV file")
    p.add_argument("course_dir", type=Path, metavar="COURSE_DIR")
    p.add_argument("out", type=Path, metavar="grades.csv")
    p.add_argument("--assignment", help=_ASSIGNMENT_HELP)
    p.set_defaults(handler=_export)


def _print(lines: list[str]) -> None:
    print("\n".join(lines))


def _init(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.course import init_course

    report = init_course(args.course_dir, args.roster, course_id=args.course_id,
                         assignment=args.assignment, notebooks=args.notebooks)
    _print(report.lines())
    return 0


def _release(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.course import release

    _print(release(args.course_dir, args.assignment, to_exchange=args.exchange).lines())
    return 0


def _collect(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.course import collect

    report = collect(args.course_dir, args.source, args.assignment)
    _print(report.summary())
    return 0 if report.collected else 1


def _autograde(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.autograde import autograde

    report = autograde(args.course_dir, assignment=args.assignment,
                       participants=args.participant, workers=args.workers,
                       timeout=args.timeout, force=args.force, prewarm=not args.no_prewarm,
                       sandbox=not args.unsafe_no_sandbox,
                       progress=not args.no_progress and sys.stderr.isatty())
    _print(report.lines())
    return 0 if not report.ungraded else 1


def _feedback(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.course import feedback

    report = feedback(args.course_dir, args.assignment, args.participant)
    _print(report.lines())
    return 0 if not report.failed else 1


def _export(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.course import export_grades

    count = export_grades(args.course_dir, args.out, args.assignment)
    print(f"Wrote {count} participants to {args.out}.")
    return 0
