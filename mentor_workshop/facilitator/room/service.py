"""The room view as a JupyterHub service: behind the hub's login, for the facilitator only.

Why a hub service: the facilitator is already logged in to the hub, so the view needs no
password of its own, and the hub's roles decide who may open it (``jupyterhub_config.py``
grants ``access:services!service=room`` to the facilitator alone). The hub starts it as a
managed service and tells it where to listen through ``JUPYTERHUB_SERVICE_URL``.

JupyterHub and tornado are imported inside :func:`serve`: they exist in the hub's environment
(``/opt/mentor-workshop``), not necessarily where the rest of the kit is tested.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path

from mentor_workshop.core.journal import JOURNAL_FILENAME
from mentor_workshop.facilitator.room.page import CONTENT_SECURITY_POLICY, render_room
from mentor_workshop.facilitator.room.snapshot import take_snapshot

__all__ = ["journals_from_manifest", "room_page", "serve"]


def journals_from_manifest(state: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """Where each participant's journal is, from the hub's manifest.

    Parameters
    ----------
    state : Path
        The hub's state folder (holds ``manifest.json``).

    Returns
    -------
    tuple of (dict, dict)
        Roster id -> journal path (``/home/mw-<id>/<assignment>/journal.json``), and roster
        id -> account name.
    """
    manifest = json.loads((state / "manifest.json").read_text(encoding="utf-8"))
    journals, accounts = {}, {}
    for account in manifest["accounts"]:
        if account["role"] != "participant":
            continue
        rid = account["roster_id"]
        journals[rid] = Path("/home") / account["name"] / manifest["assignment"] / \
            JOURNAL_FILENAME
        accounts[rid] = account["name"]
    return journals, accounts


def room_page(journals: dict[str, Path], *, pseudonymous: bool, refresh: int = 10,
              paused: bool = False) -> str:
    """The room view's HTML for these journals (one fresh snapshot).

    Parameters
    ----------
    journals : dict
        Roster id -> journal path.
    pseudonymous : bool
        Pseudonyms instead of names.
    refresh : int
        Seconds between reloads.
    paused : bool
        Whether the reader paused the reloads (the links keep both choices).

    Returns
    -------
    str
        The complete page.
    """
    snap = take_snapshot(journals)

    def link(pseudo: bool, pause: bool) -> str:
        query = "&".join(q for q, on in (("pseudonyms=1", pseudo), ("paused=1", pause)) if on)
        return f"?{query}"

    return render_room(snap, pseudonymous=pseudonymous, refresh=refresh, paused=paused,
                       toggle_url=link(not pseudonymous, paused),
                       pause_url=link(pseudonymous, not paused))


def serve(argv: Sequence[str] | None = None) -> None:
    """Run the service until the hub stops it.

    Parameters
    ----------
    argv : sequence of str, optional
        ``--state STATE_DIR`` (and ``--refresh SECONDS``).

    Returns
    -------
    None
    """
    from urllib.parse import urlparse

    from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
    from jupyterhub.utils import url_path_join
    from tornado import ioloop, web

    parser = argparse.ArgumentParser(prog="mentor_workshop.facilitator.room")
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--refresh", type=int, default=10)
    args = parser.parse_args(argv)
    journals, _ = journals_from_manifest(args.state)

    class RoomHandler(HubOAuthenticated, web.RequestHandler):
        @web.authenticated
        def get(self) -> None:
            pseudonymous = self.get_argument("pseudonyms", "") == "1"
            paused = self.get_argument("paused", "") == "1"
            if not paused:
                self.set_header("Refresh", str(args.refresh))
            self.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            self.set_header("Cache-Control", "no-store")
            self.set_header("X-Content-Type-Options", "nosniff")
            self.write(room_page(journals, pseudonymous=pseudonymous, refresh=args.refresh,
                                 paused=paused))

    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/room/")
    app = web.Application([
        (prefix, RoomHandler),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
    ], cookie_secret=os.urandom(32))
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:0"))
    app.listen(url.port or 0, url.hostname or "127.0.0.1")
    parent = os.getppid()

    def _hub_gone() -> None:
        # the hub started us; if it died without stopping us, we were handed to init
        if os.getppid() != parent:
            ioloop.IOLoop.current().stop()

    ioloop.PeriodicCallback(_hub_gone, 2000).start()
    ioloop.IOLoop.current().start()
