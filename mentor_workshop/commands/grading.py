"""``mentor-workshop grade export | import | agreement``: blind rubric grading in a spreadsheet.

The same grading as ``facilitator/grade_reflections.ipynb``, for graders who prefer a
spreadsheet: export one pseudonymous row per participant × reflection, fill in the rubric levels
and comments, import. The import checks every row first and saves all of it or nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register this area's subcommands.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``mentor-workshop`` subparsers to add to.
    """
    grade = sub.add_parser(
        "grade", help="blind rubric grading of reflections via CSV",
        description="Grade the reflections blind, in a spreadsheet. For the notebook grader "
                    "open facilitator/grade_reflections.ipynb.")
    actions = grade.add_subparsers(dest="grade_command", metavar="ACTION", required=True)

    p = actions.add_parser("export", help="write a pseudonymous grading sheet (CSV)")
    p.add_argument("course_dir", type=Path, metavar="COURSE_DIR")
    p.add_argument("out", type=Path, metavar="out.csv")
    p.add_argument("--assignment")
    p.set_defaults(handler=_export)

    p = actions.add_parser("import", help="save a filled-in grading sheet to the gradebook")
    p.add_argument("course_dir", type=Path, metavar="COURSE_DIR")
    p.add_argument("source", type=Path, metavar="in.csv")
    p.add_argument("--assignment")
    p.set_defaults(handler=_import)

    p = actions.add_parser(
        "agreement", help="how far two graders' rubric levels agree (weighted Cohen's kappa)",
        description="Compare two graders' sheets (the facilitator sheet with participant,step "
                    "or a `grade export` sheet): quadratic-weighted Cohen's kappa per "
                    "criterion, and the reflections they disagree on most.")
    p.add_argument("first", type=Path, metavar="A.csv")
    p.add_argument("second", type=Path, metavar="B.csv")
    p.add_argument("--top", type=int, default=5, help="how many disagreements to list")
    p.add_argument("--exercises", type=Path, help="exercises folder whose rubric was used")
    p.set_defaults(handler=_agreement)


def _export(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.grading import export_csv

    rows = export_csv(args.course_dir, args.out, args.assignment)
    print(f"Wrote {rows} answers to {args.out}. Fill in the rubric columns (or score) and "
          "comment, then run `mentor-workshop grade import`.")
    return 0


def _import(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.grading import import_csv

    print("\n".join(import_csv(args.course_dir, args.source, args.assignment).lines()))
    return 0


def _agreement(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.grading.agreement import agreement

    print("\n".join(agreement(args.first, args.second, exercises=args.exercises,
                               top=args.top).lines()))
    return 0
