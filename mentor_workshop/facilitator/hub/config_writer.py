"""The hub's configuration files, written as plain, commented Python an admin can adapt.

Why generated text and not settings hidden in code: on the day something will need changing
(a port, a timeout, the login), and whoever is at the machine should be able to open
``jupyterhub_config.py`` and see every choice with its reason. The kit's ``hub start`` just
runs ``jupyterhub -f`` on that file, so an edit takes effect without the kit knowing.

Three places get files:

- the hub's state folder (root only): ``jupyterhub_config.py`` and the login cards;
- the hub's environment (shared by every hub on the machine, so nothing course-specific):
  ``bin/mentor-workshop-singleuser``, which fetches the release before JupyterLab starts so
  participants land on the notebooks, and JupyterLab settings for a room without internet;
- each home: ``.jupyter/nbgrader_config.py`` with the exchange, the course id and the person's
  roster id (their nbgrader student id) or, for the facilitator, the course folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mentor_workshop.core.atomic import write_text_atomic

__all__ = [
    "LOGIN_CHOICES",
    "OFFLINE_LAB_CONFIG",
    "HubSettings",
    "hub_config",
    "personal_nbgrader_config",
    "singleuser_script",
    "write_owned",
]

#: ``codes``: one code per person checked by PAM (JupyterHub's default authenticator), printed
#: on cards; ``shared-password``: JupyterHub's shared-password authenticator.
LOGIN_CHOICES = ("codes", "shared-password")

#: JupyterLab asks the internet for news and updates; a workshop room may have no internet, and
#: participants should not be asked about it mid-exercise.
OFFLINE_LAB_CONFIG = """{
  "LabApp": {
    "news_url": null,
    "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate"
  }
}
"""


@dataclass(frozen=True)
class HubSettings:
    """Everything the generated files need to know."""

    course_dir: Path
    course_id: str
    assignment: str
    state_dir: Path
    prefix: Path
    exchange_root: Path
    facilitator: str
    participants: dict[str, str]  # account name -> roster id
    login: str
    user_password: str = ""
    admin_password: str = ""
    room_token: str = ""


def _set(values: object) -> str:
    return "{" + ", ".join(repr(v) for v in sorted(values)) + "}"  # type: ignore[attr-defined]


def hub_config(s: HubSettings) -> str:
    """``jupyterhub_config.py`` for this course.

    Parameters
    ----------
    s : HubSettings
        The course, accounts, folders and login.

    Returns
    -------
    str
        The file's text.
    """
    participants = sorted(s.participants)
    roster_map = {rid.lower(): name for name, rid in s.participants.items()}
    if s.login == "shared-password":
        login = f'''\
# Login: JupyterHub's shared-password authenticator. Everyone on the roster types their
# account name (or roster id) and the one workshop password; the facilitator has their own.
# Anyone who knows the password can log in under any participant's name: use it only in a
# room you trust, and prefer `--login codes` otherwise.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = {s.user_password!r}
c.SharedPasswordAuthenticator.admin_password = {s.admin_password!r}
'''
    else:
        login = '''\
# Login: JupyterHub's default PAM authenticator. `hub setup` gave each account its own code
# (printed on the cards in this folder), so nobody can log in as somebody else. The accounts
# have no other use for the code: keep the server's SSH closed to them, or lock it down.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
'''
    room = ""
    if s.room_token:
        room = f'''
# The live room view (who is on which step, who is stuck), behind the hub's login and open to
# the facilitator only. It runs as root because it reads journals in homes that are 0700; it
# only ever opens them for reading.
c.JupyterHub.services = [{{
    "name": "room",
    # `hub start` picks a free port for it and passes it in MW_ROOM_PORT
    "url": "http://127.0.0.1:" + os.environ.get("MW_ROOM_PORT", "0"),
    "command": [{str(s.prefix / "bin" / "python")!r}, "-m", "mentor_workshop.facilitator.room",
                "--state", {str(s.state_dir)!r}],
    "api_token": {s.room_token!r},
    "oauth_no_confirm": True,
    "display": True,
}}]
c.JupyterHub.load_roles = [
    {{"name": "room-viewer", "scopes": ["access:services!service=room"],
      "users": [{s.facilitator!r}]}},
    {{"name": "room-service", "scopes": ["read:users:name"], "services": ["room"]}},
]
'''
    return f'''# jupyterhub_config.py — written by `mentor-workshop hub setup` for the course
# {s.course_id!r} ({s.course_dir}). Start the hub with `mentor-workshop hub start {s.course_dir}`
# (which runs `jupyterhub -f` on this file); edit freely, setup rewrites it only when run again.
import os

c = get_config()  # noqa: F821 (provided by jupyterhub)

# Listen on this machine only. To open it to a room, put a TLS reverse proxy in front of it.
# `hub start --port N` chooses the public port; the hub's and the proxy's internal ports are
# picked free at start so two hubs never collide.
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.hub_ip = "127.0.0.1"

# State kept in this folder (root only): the user database, the cookie secret, the pid files.
c.JupyterHub.db_url = "sqlite:///{s.state_dir / "jupyterhub.sqlite"}"
c.JupyterHub.cookie_secret_file = "{s.state_dir / "jupyterhub_cookie_secret"}"
c.JupyterHub.pid_file = "{s.state_dir / "jupyterhub.pid"}"
c.ConfigurableHTTPProxy.pid_file = "{s.state_dir / "proxy.pid"}"
# configurable-http-proxy from npm, installed inside the hub's environment (not globally).
c.ConfigurableHTTPProxy.command = [{str(s.prefix / "node" / "node_modules" / ".bin" /
                                       "configurable-http-proxy")!r}]

{login}
# Who may log in: the facilitator and the roster, nobody else. A participant may type their
# roster id; it is mapped to their account name.
c.Authenticator.allowed_users = {_set([s.facilitator, *participants])}
c.Authenticator.admin_users = {{{s.facilitator!r}}}
c.Authenticator.username_map = {roster_map!r}
# Admins may not open other people's servers: the facilitator sees work through the exchange.
c.JupyterHub.admin_access = False

# Each person's server runs as their own Unix account from the hub's environment. The start
# script fetches the released workshop into the home on first start, then runs JupyterLab.
c.Spawner.cmd = [{str(s.prefix / "bin" / "mentor-workshop-singleuser")!r}]
c.Spawner.ip = "127.0.0.1"
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {{
    "PATH": {str(s.prefix / "bin")!r} + ":/usr/local/bin:/usr/bin:/bin",
    "MW_COURSE_ID": {s.course_id!r},
    # the facilitator releases the workshop, so only participants fetch it
    "MW_ASSIGNMENT": lambda spawner: (
        "" if spawner.user.name == {s.facilitator!r} else {s.assignment!r}),
}}
{room}
# Settings from the environment (for a quick experiment without editing this file).
if os.environ.get("MW_HUB_DEBUG"):
    c.JupyterHub.log_level = "DEBUG"
'''


def personal_nbgrader_config(s: HubSettings, roster_id: str | None) -> str:
    """``~/.jupyter/nbgrader_config.py`` of one account: the exchange, the course, who they are.

    Written into each home rather than the shared environment, so two hubs on one machine
    (a rehearsal next to the real one) never see each other's exchange. A participant's Unix
    name is ``mw-<id>`` but the gradebook knows them as ``<id>``: nbgrader submits under the
    student id this file gives. The facilitator's file points at the course instead.

    Parameters
    ----------
    s : HubSettings
        The course and exchange.
    roster_id : str or None
        The participant's roster id (None for the facilitator).

    Returns
    -------
    str
        The file's text.
    """
    text = f"""\
# nbgrader_config.py - written by `mentor-workshop hub setup`. The exchange lives outside every
# home; its folders' modes are explained in mentor_workshop/facilitator/hub/exchange.py.
c = get_config()  # noqa: F821

c.Exchange.root = {str(s.exchange_root)!r}
c.CourseDirectory.course_id = {s.course_id!r}
# Submissions readable by their owner and the facilitator only, and collected only from their
# own account (see mentor_workshop/facilitator/hub/nbgrader_exchange.py).
c.ExchangeFactory.submit = "mentor_workshop.facilitator.hub.nbgrader_exchange.PrivateExchangeSubmit"
c.ExchangeFactory.collect = "mentor_workshop.facilitator.hub.nbgrader_exchange.OwnerCheckedCollect"
"""
    if roster_id is not None:
        return text + ("# Your roster id: the name your submissions go under.\n"
                       f"c.CourseDirectory.student_id = {roster_id!r}\n")
    return text + f"c.CourseDirectory.root = {str(s.course_dir)!r}\n"


def singleuser_script(prefix: Path) -> str:
    """``PREFIX/bin/mentor-workshop-singleuser``: fetch the workshop, then start the server.

    Parameters
    ----------
    prefix : Path
        The hub's environment.

    Returns
    -------
    str
        The shell script.
    """
    return f'''#!/bin/sh
# Written by `mentor-workshop hub setup`. JupyterHub starts this as the participant: on the
# first start (no folder yet) it fetches the released workshop from the nbgrader exchange, so
# the notebooks are there when JupyterLab opens. A failed fetch (not released yet) is logged
# to ~/.mentor-workshop-fetch.log and the server starts anyway; the Assignments tab can fetch
# it later.
cd "$HOME" || exit 1
if [ -n "$MW_ASSIGNMENT" ] && [ ! -e "$HOME/$MW_ASSIGNMENT" ]; then
    "{prefix}/bin/nbgrader" fetch_assignment "$MW_ASSIGNMENT" --course "$MW_COURSE_ID" \\
        >"$HOME/.mentor-workshop-fetch.log" 2>&1 || true
fi
exec "{prefix}/bin/jupyterhub-singleuser" "$@"
'''


def write_owned(path: Path, text: str, uid: int, gid: int, mode: int = 0o644) -> None:
    """Write ``text`` to ``path`` (atomically) owned by ``uid:gid`` with ``mode``.

    Parameters
    ----------
    path : Path
        The file; its folder is created (owned the same way) when missing.
    text : str
        The content.
    uid, gid : int
        The owner.
    mode : int
        The file's permission bits.

    Returns
    -------
    None
    """
    if not path.parent.exists():
        path.parent.mkdir(parents=True)
        os.chown(path.parent, uid, gid)
    write_text_atomic(path, text)
    os.chown(path, uid, gid)
    path.chmod(mode)
