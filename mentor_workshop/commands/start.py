"""``mentor-workshop start``: the self-paced learner's way in."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``start``.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The ``mentor-workshop`` parser's subcommands.

    Returns
    -------
    None
    """
    parser = subparsers.add_parser(
        "start",
        help="copy the step notebooks into a folder of your own and open JupyterLab there",
        description="Lay out your own workshop folder (the step notebooks and an empty journal) "
        "and open JupyterLab on 00_welcome. Run it again to reopen the same folder: your "
        "answers are kept, and notebooks you have not changed are updated to this version.",
    )
    parser.add_argument("folder", nargs="?", type=Path, default=Path("mentor-workshop"),
                        metavar="FOLDER", help="your workshop folder (default: ./mentor-workshop)")
    parser.add_argument("--no-browser", action="store_true",
                        help="start JupyterLab without opening a browser; open the printed "
                        "address yourself")
    parser.add_argument("--print-command", action="store_true",
                        help="lay out the folder, print the JupyterLab command and stop")
    parser.set_defaults(handler=start_command)


def start_command(args: argparse.Namespace) -> int:
    """``mentor-workshop start``: lay out the folder, then run JupyterLab until stopped.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        JupyterLab's exit code (0 with ``--print-command``).
    """
    from mentor_workshop.participant.start import start

    return start(args.folder, no_browser=args.no_browser, print_command=args.print_command)
