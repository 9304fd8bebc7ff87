"""The ``mentor-workshop`` command.

Each area of the kit registers its own subcommands (``add_commands(subparsers)``) so this file
stays a table of contents. A handler returns an exit code; a :class:`MentorWorkshopError`
anywhere becomes one clear line on stderr and exit code 2, so facilitators never see a traceback
for bad input. Every error a user can cause subclasses that one base (see
:mod:`mentor_workshop.errors`), which is why this file names no other exception but
the reader of its output going away (``| head``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from mentor_workshop import __version__
from mentor_workshop.errors import MentorWorkshopError

#: modules that contribute subcommands, in the order they appear in --help
COMMAND_MODULES = (
    "mentor_workshop.commands.course",
    "mentor_workshop.commands.grading",
    "mentor_workshop.commands.batch",
    "mentor_workshop.commands.report",
    "mentor_workshop.commands.demo",
    "mentor_workshop.commands.start",
    "mentor_workshop.commands.hub",
)


def build_parser() -> argparse.ArgumentParser:
    """The ``mentor-workshop`` parser with every area's subcommands.

    Returns
    -------
    argparse.ArgumentParser
        The parser; each subcommand sets ``handler`` to the function that runs it.
    """
    parser = argparse.ArgumentParser(
        prog="mentor-workshop",
        description="Run the mentoring workshop: courses, grading, batches, plans and reports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``mentor-workshop`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; ``sys.argv[1:]`` when omitted.

    Returns
    -------
    int
        The exit code: 0 on success, 2 for a problem the user can fix, 130 on Ctrl-C.
    """
    return _dispatch(argv)[0]


def run() -> None:
    """The ``mentor-workshop`` program: run the command, then exit.

    A command that read a whole cohort (``status``) leaves a large heap behind: the word list,
    the compiled feedback rules, a row per journal. Python's ordinary exit frees it object by
    object, which took a tenth of a second of a 1.6 s ``status``. Such a command asks for a
    quick exit (``set_defaults(quick_exit=True)``): the output is flushed and the process ends
    at once. Only commands that close everything they open before returning ask for it;
    every other command exits the ordinary way.
    """
    try:
        code, quick = _dispatch(None)
        if quick:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    except BrokenPipeError:
        # The reader stopped early (``mentor-workshop status | head``) and has what it wanted;
        # Python's own recipe: point stdout at nothing so the exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    sys.exit(code)


def _dispatch(argv: Sequence[str] | None) -> tuple[int, bool]:
    """The exit code, and whether the command asked for a quick exit (see :func:`run`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0, False
    quick = bool(getattr(args, "quick_exit", False))
    try:
        return int(args.handler(args) or 0), quick
    except MentorWorkshopError as exc:
        print(f"mentor-workshop {args.command}: {exc}", file=sys.stderr)
        return 2, quick
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130, quick


if __name__ == "__main__":
    run()
