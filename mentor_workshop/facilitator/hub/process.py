"""Running the hub: root checks, free ports, start in the foreground or background, stop.

Why ``hub start`` only runs ``jupyterhub -f jupyterhub_config.py``: the generated config is the
one truth about the hub, so an admin who edits it or runs ``jupyterhub`` by hand gets the same
hub. What the config cannot know in advance — which internal ports are free — is chosen here,
at start, so two hubs (or a test next to a real hub) never fight over 8081 or 8001.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from mentor_workshop.errors import HubError

__all__ = ["free_port", "hub_command", "hub_running", "require_root", "run_as", "stop_hub"]


def require_root(what: str) -> None:
    """Refuse politely unless running as root, saying what the command would have done.

    Parameters
    ----------
    what : str
        The command's plan in a few lines, shown to a user who is not root.

    Returns
    -------
    None

    Raises
    ------
    HubError
        Not root.
    """
    if os.geteuid() != 0:
        raise HubError("this needs root (run it with sudo): it creates and removes Unix accounts "
                       "and serves several people from one machine. It would:\n" + what)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now.

    Returns
    -------
    int
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_as(user: str, command: list[str], *, cwd: str | None = None, timeout: float = 600,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run a command as another account (``runuser``), with that account's home and a clean env.

    Parameters
    ----------
    user : str
        The account.
    command : list of str
        The command.
    cwd : str, optional
        Its working folder (default: the account's home).
    timeout : float
        Seconds before it is killed.
    env : dict, optional
        Extra environment variables.

    Returns
    -------
    subprocess.CompletedProcess
        With text stdout and stderr.
    """
    import pwd

    entry = pwd.getpwnam(user)
    base = {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user,
            "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **(env or {})}
    runuser = shutil.which("runuser", path="/usr/sbin:/sbin:/usr/bin:/bin") or "runuser"
    return subprocess.run([runuser, "-u", user, "--", *command], cwd=cwd or entry.pw_dir,
                          env=base, capture_output=True, text=True, timeout=timeout,
                          check=False)


def hub_command(prefix: Path, state: Path, port: int) -> tuple[list[str], dict[str, str]]:
    """The ``jupyterhub`` command line and environment for this hub, with fresh internal ports.

    Parameters
    ----------
    prefix : Path
        The hub's environment.
    state : Path
        The hub's state folder (holds ``jupyterhub_config.py``).
    port : int
        The public port on 127.0.0.1.

    Returns
    -------
    tuple of (list of str, dict)
        The command and its environment.
    """
    command = [str(prefix / "bin" / "jupyterhub"), "-f", str(state / "jupyterhub_config.py"),
               f"--JupyterHub.port={port}", f"--JupyterHub.hub_port={free_port()}",
               f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{prefix / 'bin'}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    env["MW_ROOM_PORT"] = str(free_port())
    return command, env


def _pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid


def hub_running(state: Path) -> int | None:
    """The pid of this course's running hub, if any.

    Parameters
    ----------
    state : Path
        The hub's state folder.

    Returns
    -------
    int or None
    """
    return _pid(state / "jupyterhub.pid")


def stop_hub(state: Path, timeout: float = 20.0) -> list[str]:
    """Stop the hub (it stops the servers it spawned) and its proxy, by their pid files.

    Parameters
    ----------
    state : Path
        The hub's state folder.
    timeout : float
        Seconds to wait for a clean stop before killing.

    Returns
    -------
    list of str
        What was stopped.
    """
    lines = []
    for name in ("jupyterhub.pid", "proxy.pid"):
        pid = _pid(state / name)
        if pid is None:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _pid(state / name) == pid:
            time.sleep(0.2)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        if _pid(state / name) == pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        lines.append(f"stopped {name.split('.')[0]} (pid {pid})")
    lines += _stop_services(state)
    return lines


def _stop_services(state: Path) -> list[str]:
    """End this hub's managed services (the room view) if the hub left them running.

    They are found by the state folder on their command line, which only this hub's
    services carry, and ended by pid.
    """
    import psutil

    marker = str(state)
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if marker in cmdline and "mentor_workshop.facilitator.room" in cmdline:
            with contextlib.suppress(psutil.Error):
                proc.terminate()
                found.append(proc)
    psutil.wait_procs(found, timeout=5)
    return [f"stopped the room view (pid {p.pid})" for p in found]
