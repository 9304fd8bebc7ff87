"""``mentor-workshop demo``: the main job on the bundled sample cohort."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_commands(subparsers: argparse._SubParsersAction) -> None:
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
    from mentor_workshop.facilitator import demo

    result = demo.run(args.out, workers=args.workers, personalize=args.personalize)
    demo.print_outputs(result)
    return 0
