"""``mentor-workshop hub setup | start | stop | status | teardown``: a shared JupyterHub.

The work is done in :mod:`mentor_workshop.facilitator.hub`; each handler calls one function and
prints its lines. Imports happen inside the handlers so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``hub`` and its subcommands.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``mentor-workshop`` subparsers to add to.
    """
    hub = sub.add_parser(
        "hub", help="run the workshop on a shared JupyterHub (as root)",
        description="Set up, start and tear down a JupyterHub for a course on this machine: one "
                    "Unix account per participant, a private nbgrader exchange, generated config.")
    hub_sub = hub.add_subparsers(dest="hub_command", metavar="HUB_COMMAND")
    hub.set_defaults(handler=lambda args: hub.print_help() or 0)

    p = hub_sub.add_parser("setup", help="environment, accounts, exchange and config")
    p.add_argument("course", type=Path, metavar="COURSE")
    p.add_argument("--roster", type=Path, required=True, help="roster CSV (id,name,email)")
    p.add_argument("--exchange", type=Path, metavar="DIR",
                   help="nbgrader exchange root (default: /srv/mentor-workshop/exchange)")
    p.add_argument("--facilitator", default="mw-facilitator",
                   help="the facilitator's account name (default: mw-facilitator)")
    p.add_argument("--login", choices=("codes", "shared-password"), default="codes",
                   help="a code per person on printed cards (default), or one shared password")
    p.set_defaults(handler=_setup)

    p = hub_sub.add_parser("start", help="run the hub on 127.0.0.1")
    p.add_argument("course", type=Path, metavar="COURSE")
    p.add_argument("--port", type=int, default=8000, help="public port (default: 8000)")
    p.add_argument("--background", action="store_true", help="detach; log in the state folder")
    p.set_defaults(handler=_start)

    p = hub_sub.add_parser("stop", help="stop a hub started with --background")
    p.add_argument("course", type=Path, metavar="COURSE")
    p.set_defaults(handler=_stop)

    p = hub_sub.add_parser("status", help="whether the hub runs and its accounts exist")
    p.add_argument("course", type=Path, metavar="COURSE")
    p.set_defaults(handler=_status)

    p = hub_sub.add_parser("teardown", help="remove exactly what setup made")
    p.add_argument("course", type=Path, metavar="COURSE")
    p.set_defaults(handler=_teardown)


def _print(lines: list[str]) -> None:
    print("\n".join(lines))


def _setup(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.hub import setup_hub

    _print(setup_hub(args.course, args.roster, exchange=args.exchange,
                     facilitator=args.facilitator, login=args.login).lines)
    return 0


def _start(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.hub import start_hub

    _print(start_hub(args.course, port=args.port, background=args.background).lines)
    return 0


def _stop(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.hub import stop

    _print(stop(args.course).lines)
    return 0


def _status(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.hub import hub_status

    _print(hub_status(args.course).lines)
    return 0


def _teardown(args: argparse.Namespace) -> int:
    from mentor_workshop.facilitator.hub import teardown_hub

    _print(teardown_hub(args.course).lines)
    return 0
