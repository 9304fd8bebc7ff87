"""``hub setup``, ``hub start``, ``hub status`` and ``hub teardown``: the hub's life in order.

Why the order matters: setup records each thing in the manifest *before* moving on, so a
setup that fails half-way (a full disk, a clashing account) can still be torn down exactly.
Teardown reads only the manifest, checks each account's marker, and removes what is listed,
in the reverse order.
"""

from __future__ import annotations

import os
import pwd
import secrets
import string
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from mentor_workshop.errors import HubError
from mentor_workshop.facilitator.course.config import open_course
from mentor_workshop.facilitator.hub import accounts as acc
from mentor_workshop.facilitator.hub import config_writer as cw
from mentor_workshop.facilitator.hub.environment import (
    DEFAULT_PREFIX,
    HubEnvironment,
    ensure_environment,
    write_environment_file,
)
from mentor_workshop.facilitator.hub.exchange import (
    DEFAULT_EXCHANGE,
    ExchangeLayout,
    make_exchange,
    remove_exchange,
)
from mentor_workshop.facilitator.hub.process import (
    hub_command,
    hub_running,
    require_root,
    run_as,
    stop_hub,
)
from mentor_workshop.facilitator.hub.state import (
    STATE_ROOT,
    Manifest,
    load_manifest,
    save_manifest,
    state_dir,
)
from mentor_workshop.facilitator.roster import read_roster

__all__ = ["HubReport", "find_state", "hub_status", "setup_hub", "start_hub", "teardown_hub"]

DEFAULT_FACILITATOR = "mw-facilitator"
_CODE_ALPHABET = "".join(c for c in string.ascii_lowercase + string.digits if c not in "il1o0")
_SETUP_PLAN = """\
  - build the hub's environment in /opt/mentor-workshop from /usr/bin/python3 (JupyterHub,
    JupyterLab, nbgrader, the kit; configurable-http-proxy from npm inside it);
  - create one Unix account per roster line (mw-<id>) and one for the facilitator, homes 0700;
  - make the nbgrader exchange outside every home, so participants can submit but cannot
    read, list, rename or delete anyone else's work;
  - hand the course folder to the facilitator's account and release the workshop;
  - write jupyterhub_config.py, nbgrader_config.py and login cards you can read and adapt."""


@dataclass
class HubReport:
    """What a hub command did, as lines to print."""

    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        """Append one line.

        Parameters
        ----------
        line : str
            The line.

        Returns
        -------
        None
        """
        self.lines.append(line)


def _code() -> str:
    return "-".join("".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(3))


def _traversable(path: Path) -> Path | None:
    """The first parent others cannot pass through, if any."""
    for parent in [p for p in path.parents if p != Path("/")]:
        if not parent.stat().st_mode & 0o001:
            return parent
    return None


def find_state(course_dir: str | os.PathLike[str]) -> Path:
    """The state folder of the hub set up for this course (found through its manifest).

    Parameters
    ----------
    course_dir : str or path-like
        The course folder as given to ``hub setup``.

    Returns
    -------
    Path

    Raises
    ------
    HubError
        No hub was set up for it.
    """
    wanted = str(Path(course_dir).expanduser().resolve())
    for manifest in sorted(STATE_ROOT.glob("*/manifest.json")):
        try:
            if load_manifest(manifest.parent).course_dir == wanted:
                return manifest.parent
        except HubError:
            continue
    raise HubError(f"No hub was set up for {wanted}; run `mentor-workshop hub setup "
                   f"{course_dir} --roster ROSTER` first.")


def _write_cards(state: Path, manifest: Manifest, codes: dict[str, str],
                 names: dict[str, str], s: cw.HubSettings) -> Path:
    lines = [f"Login cards for the course {manifest.course_id} — cut along the lines.", ""]
    for account in manifest.accounts:
        name = account["name"]
        secret = codes.get(name) if manifest.login == "codes" else (
            s.admin_password if account["role"] == "facilitator" else s.user_password)
        lines += ["-" * 60,
                  f"  {names.get(name, 'Facilitator')}",
                  f"  user name : {name}",
                  f"  password  : {secret}", ""]
    path = state / "login-cards.txt"
    cw.write_owned(path, "\n".join(lines) + "\n", 0, 0, 0o600)
    return path


def setup_hub(course_dir: str | os.PathLike[str], roster: str | os.PathLike[str], *,
              exchange: str | os.PathLike[str] | None = None, prefix: Path = DEFAULT_PREFIX,
              facilitator: str = DEFAULT_FACILITATOR, login: str = "codes") -> HubReport:
    """Set up a JupyterHub for a course: environment, accounts, exchange, config, release.

    Parameters
    ----------
    course_dir : str or path-like
        A course made by ``mentor-workshop init``.
    roster : str or path-like
        The roster CSV; one account per line.
    exchange : str or path-like, optional
        The nbgrader exchange root (default ``/srv/mentor-workshop/exchange``).
    prefix : Path
        The hub's environment (default ``/opt/mentor-workshop``).
    facilitator : str
        The facilitator's account name.
    login : str
        ``codes`` (a code per person, on cards) or ``shared-password``.

    Returns
    -------
    HubReport
        What was made or reused, and how to start.

    Raises
    ------
    HubError
        Not root, or a part cannot be made; what was made so far is in the manifest.
    """
    require_root(_SETUP_PLAN)
    if login not in cw.LOGIN_CHOICES:
        raise HubError(f"--login must be one of {', '.join(cw.LOGIN_CHOICES)}, not {login!r}.")
    course = open_course(course_dir)
    if not course.course_id:
        raise HubError("The course has no course id; run `mentor-workshop init` on it first.")
    root = course.root
    blocked = _traversable(root)
    if blocked is not None:
        raise HubError(f"The course {root} is inside {blocked}, which other accounts cannot "
                       "enter; the facilitator's account could not reach it. Move the course "
                       "to a folder such as /srv/workshop/COURSE.")
    people = read_roster(roster)
    assignment = course.pick_assignment(None)
    planned = acc.plan_accounts(people, facilitator)
    state = state_dir(root, course.course_id)
    exchange_root = Path(exchange or DEFAULT_EXCHANGE).expanduser().resolve()
    report = HubReport()
    try:
        manifest = load_manifest(state)
    except HubError:
        manifest = Manifest(str(root), course.course_id, assignment, str(prefix),
                            str(exchange_root), f"mentor-workshop hub {state.name}", login,
                            facilitator)
    if manifest.exchange_root != str(exchange_root) or manifest.facilitator != facilitator:
        raise HubError("This course's hub was set up with another exchange or facilitator; run "
                       "`mentor-workshop hub teardown` first to change them.")
    manifest.login = login
    save_manifest(state, manifest)

    for line in ensure_environment(prefix):
        report.add(line)
    env = HubEnvironment(prefix)

    known = set(manifest.account_names())
    for account in planned:
        if account.name not in known:
            manifest.accounts.append({"name": account.name, "roster_id": account.roster_id,
                                      "role": account.role})
            save_manifest(state, manifest)  # before creating: a failure can still be undone
        made = acc.create_account(account, manifest.marker)
        report.add(f"account {account.name}: {'created' if made else 'kept'}")
    fac = pwd.getpwnam(facilitator)
    acc.join_groups(facilitator, list(manifest.participants()))

    codes_file = state / "codes.json"
    import json

    codes: dict[str, str] = json.loads(codes_file.read_text()) if codes_file.exists() else {}
    settings = cw.HubSettings(
        course_dir=root, course_id=course.course_id, assignment=assignment, state_dir=state,
        prefix=prefix, exchange_root=exchange_root, facilitator=facilitator,
        participants=manifest.participants(), login=login,
        user_password=codes.setdefault("_shared", secrets.token_urlsafe(12)),
        admin_password=codes.setdefault("_admin", secrets.token_urlsafe(36)),
        room_token=codes.setdefault("_room", secrets.token_hex(32)))
    if login == "codes":
        for name in manifest.account_names():
            codes.setdefault(name, _code())
        feed = "".join(f"{name}:{codes[name]}\n" for name in manifest.account_names())
        result = subprocess.run(["chpasswd"], input=feed, text=True, capture_output=True,
                                check=False)
        if result.returncode != 0:
            raise HubError(f"Setting the login codes failed: {result.stderr.strip()}")
    cw.write_owned(codes_file, json.dumps(codes, indent=2), 0, 0, 0o600)

    layout = ExchangeLayout(exchange_root, course.course_id)
    for folder in make_exchange(layout, fac.pw_uid, fac.pw_gid):
        if folder not in manifest.exchange_created:
            manifest.exchange_created.append(folder)
    save_manifest(state, manifest)
    report.add(f"exchange {layout.course}: inbound write-only and sticky, feedback unlistable")

    if not manifest.course_owner:
        st = root.stat()
        manifest.course_owner = [st.st_uid, st.st_gid, st.st_mode & 0o7777]
        save_manifest(state, manifest)
    subprocess.run(["chown", "-R", f"{fac.pw_uid}:{fac.pw_gid}", str(root)], check=True)
    root.chmod(0o700)  # submissions, grades and the pseudonym key: the facilitator's alone
    report.add(f"course {root}: now the facilitator's alone, mode 0700 (given back at teardown)")

    files = {
        state / "jupyterhub_config.py": (cw.hub_config(settings), 0o600, False),
        env.bin("mentor-workshop-singleuser"): (cw.singleuser_script(prefix), 0o755, True),
        env.config_dir / "jupyter_server_config.d" / "mentor-workshop.json":
            (cw.OFFLINE_LAB_CONFIG, 0o644, True),
    }
    for path, (text, mode, shared) in files.items():
        if shared:
            write_environment_file(path, text)  # shared by every hub: teardown keeps it
            path.chmod(mode)
        else:
            cw.write_owned(path, text, 0, 0, mode)
    for account in manifest.accounts:
        entry = pwd.getpwnam(account["name"])
        is_fac = account["role"] == "facilitator"
        cw.write_owned(Path(entry.pw_dir) / ".jupyter" / "nbgrader_config.py",
                       cw.personal_nbgrader_config(settings,
                                                   None if is_fac else account["roster_id"]),
                       entry.pw_uid, entry.pw_gid)
    link = Path(fac.pw_dir) / "course"
    if not link.is_symlink():
        link.symlink_to(root)
        os.lchown(link, fac.pw_uid, fac.pw_gid)
    save_manifest(state, manifest)
    report.add(f"config: {state / 'jupyterhub_config.py'}; ~/.jupyter/nbgrader_config.py in "
               "each home")

    if (layout.folder("outbound") / assignment).exists():
        report.add(f"release: {assignment} is already in the exchange (kept)")
    else:
        result = run_as(facilitator, [str(env.bin("mentor-workshop")), "release", str(root),
                                      "--assignment", assignment, "--exchange"])
        if result.returncode != 0:
            raise HubError(f"Releasing {assignment} to the exchange failed:\n"
                           f"{(result.stdout + result.stderr).strip()[-1500:]}")
        report.add(f"release: {assignment} copied to the exchange; participants fetch it on start")
    names = {acc.account_name(p.id): p.name for p in people}
    cards = _write_cards(state, manifest, codes, names, settings)
    report.add(f"login cards (root only): {cards}")
    report.add(f"Next: mentor-workshop hub start {root} --port 8000, then open "
               "http://127.0.0.1:8000 (behind your TLS proxy).")
    return report


def start_hub(course_dir: str | os.PathLike[str], *, port: int = 8000,
              background: bool = False) -> HubReport:
    """Run the course's hub on 127.0.0.1 (in the foreground unless ``background``).

    Parameters
    ----------
    course_dir : str or path-like
        The course given to ``hub setup``.
    port : int
        The public port.
    background : bool
        Start it detached (log in the state folder) and return at once.

    Returns
    -------
    HubReport
        Where it runs, or how it ended.

    Raises
    ------
    HubError
        Not root, not set up, or already running.
    """
    require_root("  - run JupyterHub for the course, spawning each person's server as their "
                 "own Unix account.")
    state = find_state(course_dir)
    manifest = load_manifest(state)
    running = hub_running(state)
    if running:
        raise HubError(f"The hub is already running (pid {running}); stop it with "
                       "`mentor-workshop hub stop COURSE`.")
    command, env = hub_command(Path(manifest.prefix), state, port)
    report = HubReport([f"JupyterHub for {manifest.course_id} on http://127.0.0.1:{port}/"])
    log = state / "jupyterhub.log"
    if background:
        with open(log, "ab") as out:
            subprocess.Popen(command, cwd=state, env=env, stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        report.add(f"running in the background; log: {log}")
        return report
    proc = subprocess.Popen(command, cwd=state, env=env)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        code = proc.wait()
    report.add(f"the hub stopped (exit {code})")
    return report


def stop(course_dir: str | os.PathLike[str]) -> HubReport:
    """Stop the course's hub and every server it started.

    Parameters
    ----------
    course_dir : str or path-like
        The course given to ``hub setup``.

    Returns
    -------
    HubReport
    """
    require_root("  - stop the course's JupyterHub and its servers.")
    return HubReport(stop_hub(find_state(course_dir)) or ["The hub was not running."])


def hub_status(course_dir: str | os.PathLike[str]) -> HubReport:
    """Where the hub's parts are and whether it runs.

    Parameters
    ----------
    course_dir : str or path-like
        The course given to ``hub setup``.

    Returns
    -------
    HubReport
    """
    require_root("  - read the hub's root-only state folder.")
    state = find_state(course_dir)
    m = load_manifest(state)
    pid = hub_running(state)
    report = HubReport([f"course {m.course_id} ({m.course_dir})",
                        f"hub: {'running, pid ' + str(pid) if pid else 'stopped'}",
                        f"state: {state}", f"exchange: {m.exchange_root}/{m.course_id}",
                        f"login: {m.login}; cards in {state / 'login-cards.txt'}"])
    for name in m.account_names():
        report.add(f"account {name}: {'present' if acc.exists(name) else 'MISSING'}")
    return report


def teardown_hub(course_dir: str | os.PathLike[str]) -> HubReport:
    """Remove exactly what ``hub setup`` made for this course, in reverse order.

    Parameters
    ----------
    course_dir : str or path-like
        The course given to ``hub setup``.

    Returns
    -------
    HubReport
        One line per thing removed (or left, with why).
    """
    require_root("  - stop the hub, delete the accounts setup made (with their homes), remove "
                 "the exchange folders and hand the course folder back.")
    state = find_state(course_dir)
    m = load_manifest(state)
    report = HubReport(stop_hub(state))
    # the facilitator first: while it is a member of the participants' own groups, userdel
    # would leave those groups behind
    for name in m.account_names():
        report.add(acc.delete_account(name, m.marker))
    for line in remove_exchange(m.exchange_created):
        report.add(line)
    course = Path(m.course_dir)
    if m.course_owner and course.is_dir():
        uid, gid, mode = m.course_owner
        subprocess.run(["chown", "-R", f"{uid}:{gid}", str(course)], check=False)
        course.chmod(mode)
        report.add(f"course {course}: given back to uid {uid}")
    import shutil

    shutil.rmtree(state, ignore_errors=True)
    report.add(f"removed {state}; the environment {m.prefix} is kept for the next hub")
    return report
