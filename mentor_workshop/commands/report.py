"""``mentor-workshop report``: the cohort report as one self-contained HTML file.

The work is done in :func:`mentor_workshop.facilitator.report.build_report`; this module only
reads arguments and says where the report went.
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
    p = sub.add_parser(
        "report", help="write the cohort report (completion, scores, feedback, beliefs) as HTML",
        description="Run facilitator/cohort_report.ipynb on a course folder or a folder of "
                    "journals and save it as one HTML file that opens offline. Works with "
                    "whatever is there: journals only, or journals and grades.")
    p.add_argument("source", type=Path, metavar="COURSE_DIR|SUBMISSIONS_DIR",
                   help="an nbgrader course, a folder of <id>/journal.json, or of <id>.json")
    p.add_argument("--out", type=Path, default=Path("report.html"),
                   help="HTML file to write (default: report.html)")
    p.add_argument("--title", default="Cohort report", help="heading and page title")
    p.add_argument("--notebook", type=Path, metavar="PATH",
                   help="also keep the executed notebook here (to look into or adapt)")
    p.add_argument("--notebook-in", type=Path, metavar="PATH",
                   help="run your adapted copy of the report notebook instead of the kit's")
    p.add_argument("--timeout", type=float, default=600.0,
                   help="seconds the whole report may take (default: 600)")
    p.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.report import build_report

    result = build_report(args.source, args.out, title=args.title, notebook_out=args.notebook,
                          input_notebook=args.notebook_in, timeout=args.timeout,
                          cell_timeout=args.timeout)
    who = f"{result.participants} participant{'s' if result.participants != 1 else ''}"
    print(f"Report written to {result.out} ({who}, {result.seconds:.1f} s).")
    if result.notebook is not None:
        print(f"Executed notebook: {result.notebook}")
    return 0
