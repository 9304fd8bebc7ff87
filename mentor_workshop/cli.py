"""The ``mentor-workshop`` command.

Each area of the kit registers its own subcommands (``add_commands(subparsers)``) so this file
stays a table of contents. A handler returns an exit code; a :class:`UserError` anywhere becomes
one clear line on stderr and exit code 2 — facilitators never see a traceback for bad input.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mentor_workshop import __version__
from mentor_workshop.errors import UserError

#: modules that contribute subcommands, in the order they appear in --help
COMMAND_MODULES = (
    "mentor_workshop.commands.course",
    "mentor_workshop.commands.grading",
    "mentor_workshop.commands.batch",
    "mentor_workshop.commands.report",
    "mentor_workshop.commands.demo",
)


def _is_user_error(exc: BaseException) -> bool:
    """Errors whose message is written for the user: bad roster, content or journal.

    Checked lazily so building the parser does not import pydantic and the loaders.
    """
    if isinstance(exc, UserError):
        return True
    from mentor_workshop.core.content.curriculum import CurriculumError
    from mentor_workshop.core.journal import JournalError
    from mentor_workshop.facilitator.roster import RosterError

    return isinstance(exc, RosterError | CurriculumError | JournalError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentor-workshop",
        description="Run the mentoring workshop: courses, grading, batches, plans and reports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except Exception as exc:
        if not _is_user_error(exc):
            raise
        print(f"mentor-workshop {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
