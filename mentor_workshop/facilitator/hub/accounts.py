"""Unix accounts for the hub: one per participant and one for the facilitator.

Why real accounts: JupyterHub's default spawner starts each person's server as their own Unix
user, so the kernel's file access *is* the isolation between participants (homes are 0700).
Each account name carries the roster id (``mw-p01``) so a facilitator can match a process or
a file owner to a person at a glance, and its comment field carries a marker naming the hub
that made it: teardown deletes an account only when the manifest lists it *and* the marker
matches, so a typo or a tampered manifest can never remove someone else's account.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from mentor_workshop.errors import HubError
from mentor_workshop.facilitator.roster import Participant

__all__ = [
    "ACCOUNT_PREFIX",
    "Account",
    "account_name",
    "create_account",
    "delete_account",
    "plan_accounts",
]

#: Every participant account starts with this, so they sort together in ``/etc/passwd``.
ACCOUNT_PREFIX = "mw-"
#: Linux refuses longer user names in many tools (``ps`` truncates at 8, useradd stops at 32).
MAX_NAME = 32
_VALID = re.compile(r"^[a-z_][a-z0-9_-]*$")


@dataclass(frozen=True)
class Account:
    """One account the hub uses: its Unix name, the roster id behind it and its role."""

    name: str
    roster_id: str
    role: str  # "participant" | "facilitator"

    @property
    def home(self) -> Path:
        """Where its home is (``/home/NAME``)."""
        return Path("/home") / self.name


def account_name(roster_id: str) -> str:
    """The Unix (and hub) user name for a roster id: ``mw-`` plus the id in lower case.

    JupyterHub lower-cases every user name at login, and Unix names allow only lower-case
    letters, digits, ``_`` and ``-``; a ``.`` in an id becomes ``-``.

    Parameters
    ----------
    roster_id : str
        A participant id from the roster.

    Returns
    -------
    str
        The account name.

    Raises
    ------
    HubError
        The name would be longer than Linux allows.
    """
    name = ACCOUNT_PREFIX + roster_id.lower().replace(".", "-")
    if len(name) > MAX_NAME or not _VALID.fullmatch(name):
        raise HubError(
            f"The roster id {roster_id!r} cannot become a Unix account name ({name!r} must be "
            f"at most {MAX_NAME} characters of a-z, 0-9, '_' and '-'); shorten it in the roster."
        )
    return name


def plan_accounts(participants: list[Participant], facilitator: str) -> list[Account]:
    """The accounts a roster needs, checked for clashes before anything is created.

    Parameters
    ----------
    participants : list of Participant
        The roster.
    facilitator : str
        The facilitator's account name.

    Returns
    -------
    list of Account
        The facilitator's first, then one per participant in roster order.

    Raises
    ------
    HubError
        Two ids map to the same account name, or one maps to the facilitator's.
    """
    if not _VALID.fullmatch(facilitator) or len(facilitator) > MAX_NAME:
        raise HubError(f"{facilitator!r} is not a usable Unix account name for the facilitator.")
    accounts = [Account(facilitator, "", "facilitator")]
    seen = {facilitator: "the facilitator"}
    for person in participants:
        name = account_name(person.id)
        if name in seen:
            raise HubError(f"The roster ids {seen[name]!r} and {person.id!r} both become the "
                           f"account {name!r}; make them differ by more than case or '.'/'-'.")
        seen[name] = person.id
        accounts.append(Account(name, person.id, "participant"))
    return accounts


def exists(name: str) -> pwd.struct_passwd | None:
    """The account's passwd entry, or None when there is no such account.

    Parameters
    ----------
    name : str
        A Unix user name.

    Returns
    -------
    pwd.struct_passwd or None
    """
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise HubError(f"`{' '.join(command)}` failed: {result.stderr.strip()}")


def create_account(account: Account, marker: str) -> bool:
    """Create the account with a private home and no password (it logs in only via the hub).

    Parameters
    ----------
    account : Account
        The account to create.
    marker : str
        Text for the comment field naming the hub that owns it.

    Returns
    -------
    bool
        True if it was created now, False if this hub had already made it.

    Raises
    ------
    HubError
        An account of that name exists and was not made by this hub.
    """
    entry = exists(account.name)
    if entry is not None:
        if entry.pw_gecos == marker:
            return False
        raise HubError(
            f"A Unix account {account.name!r} already exists and was not made by this hub "
            f"(its comment is {entry.pw_gecos!r}). Rename the roster id or remove that account.")
    _run(["useradd", "--create-home", "--home-dir", str(account.home), "--shell", "/bin/bash",
          "--user-group", "--comment", marker, account.name])
    account.home.chmod(0o700)
    return True


def stop_processes(name: str, grace: float = 3.0) -> int:
    """End every process running as the account (its server, kernels, terminals).

    Parameters
    ----------
    name : str
        The account.
    grace : float
        Seconds between SIGTERM and SIGKILL.

    Returns
    -------
    int
        How many processes were signalled.
    """
    entry = exists(name)
    if entry is None:
        return 0
    procs = [p for p in psutil.process_iter(["uids"]) if p.info["uids"]
             and p.info["uids"].real == entry.pw_uid and p.pid != os.getpid()]
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.send_signal(signal.SIGTERM)
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    if alive:
        psutil.wait_procs(alive, timeout=grace)
    return len(procs)


def delete_account(name: str, marker: str) -> str:
    """Delete an account this hub made, with its home, after ending its processes.

    Parameters
    ----------
    name : str
        The account.
    marker : str
        The comment field the account must carry; anything else is left alone.

    Returns
    -------
    str
        One line for the teardown report.
    """
    entry = exists(name)
    if entry is None:
        return f"account {name}: already gone"
    if entry.pw_gecos != marker:
        return f"account {name}: LEFT IN PLACE, it was not made by this hub ({entry.pw_gecos!r})"
    stop_processes(name)
    result = None
    for _ in range(3):
        result = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True,
                                check=False)
        if result.returncode in (0, 12):  # 12: home already gone or mail spool missing
            _remove_own_group(name)
            return f"account {name}: deleted with its home"
        time.sleep(0.5)
        stop_processes(name, grace=1.0)
    raise HubError(f"`userdel --remove {name}` failed: {result.stderr.strip()}")


def join_groups(name: str, groups: list[str]) -> None:
    """Add the account to each group (the facilitator joins each participant's own group).

    Why: a submission's files belong to the participant's own group with mode 0640 (see
    ``nbgrader_exchange.py``), so the facilitator reads them through that membership while the
    other participants, who are in no one else's group, cannot.

    Parameters
    ----------
    name : str
        The account.
    groups : list of str
        Group names to join.

    Returns
    -------
    None
    """
    if groups:
        _run(["usermod", "--append", "--groups", ",".join(groups), name])


def _remove_own_group(name: str) -> None:
    """Remove the account's own group if ``userdel`` left it (it keeps a group with members)."""
    import grp

    try:
        group = grp.getgrnam(name)
    except KeyError:
        return
    if not group.gr_mem and exists(name) is None:
        subprocess.run(["groupdel", name], capture_output=True, check=False)
