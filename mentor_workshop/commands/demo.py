"""``mentor-workshop demo``: the main job on the bundled sample cohort.

The demo runs the real commands, so this handler hands it the CLI's own ``main`` to run them
with: the facilitator's wing never imports the command line that sits on top of it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mentor_workshop.cli import main


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``demo``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The ``mentor-workshop`` parser's subcommands.

    Returns
    -------
    None
    """
    parser = subparsers.add_parser(
        "demo",
        help="run the whole facilitator pipeline on the bundled sample cohort",
        description="Init a course, release, personalise, collect simulated submissions, "
        "autograde, grade reflections, send feedback, make plans and the cohort report — all on "
        "the sample cohort — then print where each output is.",
    )
    parser.add_argument("--out", type=Path, default=Path("demo-output"),
                        help="folder for everything the demo makes (default: demo-output)")
    parser.add_argument("--workers", type=int, default=None,
                        help="parallel notebooks (default: one per core)")
    parser.add_argument("--personalize", type=int, default=3, metavar="N",
                        help="personalise the notebooks for the first N participants (default 3; "
                        "0 skips the step)")
    parser.set_defaults(handler=demo_command)


def demo_command(args: argparse.Namespace) -> int:
    """``mentor-workshop demo``: run every step, then say where each output is.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        0; a failing step raises its error, which the CLI shows.
    """
    # Deferred: the demo imports nbformat and the grading code, which --help must not pay for.
    from mentor_workshop.facilitator.demo import run

    result = run(args.out, workers=args.workers, personalize=args.personalize, command=main)
    print(result.summary(), flush=True)
    return 0
