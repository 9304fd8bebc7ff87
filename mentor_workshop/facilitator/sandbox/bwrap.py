"""Is a bubblewrap sandbox available here, and the ``bwrap`` command line that makes one.

What a sandbox sees, and why:

* the system's programs and libraries, the Python installation and the kit's own code, all
  read-only (a kernel needs them; nothing in them is secret);
* a handful of files from ``/etc`` (the dynamic linker's cache, time zones, certificates) and
  not the rest of it: ``/etc`` can hold keys;
* a fresh ``/proc`` and ``/dev``, a small private ``/tmp`` and a read-only root;
* the course folder hidden behind an empty one, then the participant's scratch copy of their
  own hand-in mounted where the hand-in lives (so paths in outputs are the ones nbgrader shows);
* a private runtime folder, shared with the grader, for the kernel's connection file and its
  socket files: the grader talks to the kernel through them, since the sandbox has no network.

Everything else (the gradebook, ``source/``, other hand-ins, the pseudonym key, the
facilitator's home) is simply not there. ``--unshare-all`` gives the sandbox its own network
(loopback only, so nothing reaches the machine's or anyone else's), PID, IPC and UTS
namespaces; ``--uid 65534`` runs it as ``nobody`` with every capability dropped;
``--die-with-parent`` and the PID namespace make every process in it die with it.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping

from mentor_workshop.errors import SandboxUnavailable

__all__ = ["NOBODY", "available", "bwrap_command", "python_paths", "require"]

#: The unprivileged user and group a sandbox runs as (``nobody``).
NOBODY = 65534
#: Size of the sandbox's private ``/tmp`` (it lives in memory).
TMP_SIZE = 64 * 1024 * 1024

_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
        "/etc/timezone", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/hosts",
        "/etc/ssl/certs", "/etc/ca-certificates", "/etc/alternatives", "/etc/fonts",
        "/etc/mime.types")


def python_paths() -> list[str]:
    """Folders the kernel's Python needs: the installation, the venv and ``sys.path``.

    Returns
    -------
    list of str
        Existing folders, none inside another (binding the outer one is enough).
    """
    found = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    found.update(p for p in sys.path if p)
    found.update(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)
    override = os.environ.get("MENTOR_WORKSHOP_EXERCISES", "").strip()
    if override:
        found.add(override)
    paths = sorted({os.path.abspath(p) for p in found if os.path.isdir(p)}, key=len)
    kept: list[str] = []
    for path in paths:
        if path in _SYSTEM_DIRS or any(path.startswith(d + os.sep) for d in _SYSTEM_DIRS):
            continue
        if not any(path == k or path.startswith(k.rstrip(os.sep) + os.sep) for k in kept):
            kept.append(path)
    return kept


def bwrap_command(argv: Iterable[str], *, binds: Mapping[str, str] = {},
                  hide: Iterable[str] = (), cwd: str = "/tmp",
                  env: Mapping[str, str] = {}) -> list[str]:
    """The ``bwrap`` command that runs ``argv`` in a sandbox.

    Parameters
    ----------
    argv
        The command to run inside.
    binds
        Writable folders: host path -> path inside (mounted after ``hide``).
    hide
        Folders to cover with an empty, read-only one (the course folder).
    cwd
        The working folder inside.
    env
        The whole environment inside (nothing else is passed on).

    Returns
    -------
    list of str
    """
    cmd = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--unshare-user",
           "--disable-userns", "--uid", str(NOBODY), "--gid", str(NOBODY),
           "--die-with-parent", "--new-session"]
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            cmd += ["--ro-bind", path, path]
    for path in _ETC:
        cmd += ["--ro-bind-try", path, path]
    # the private /tmp first: a checkout or venv under /tmp (a CI clone) is bound on top of it
    cmd += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_SIZE), "--tmpfs", "/tmp"]
    for path in python_paths():
        cmd += ["--ro-bind", path, path]
    for path in hide:
        cmd += ["--tmpfs", os.path.abspath(path)]
    for source, target in binds.items():
        cmd += ["--bind", source, target]
    for path in hide:  # the empty stand-in is read-only too (the binds in it stay writable)
        cmd += ["--remount-ro", os.path.abspath(path)]
    cmd += ["--remount-ro", "/", "--chdir", cwd, "--clearenv"]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    return [*cmd, "--", *argv]


@functools.cache
def _probe() -> str | None:
    """Why no sandbox can be had here, or None when a test sandbox ran Python fine."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap sandboxes need Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return ("bubblewrap is not installed (Debian/Ubuntu: `sudo apt-get install bubblewrap`; "
                "Fedora: `sudo dnf install bubblewrap`)")
    cmd = bwrap_command([sys.executable, "-c", "import socket, os; print(os.getuid())"],
                        env={"PATH": "/usr/bin:/bin"})
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bubblewrap could not be run ({exc})"
    if result.returncode != 0 or result.stdout.strip() != str(NOBODY):
        why = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return (f"bubblewrap could not start a sandbox ({why}); user namespaces may be "
                "disabled (sysctl kernel.unprivileged_userns_clone=1)")
    return None


def available() -> tuple[bool, str | None]:
    """Whether participants' notebooks can be sandboxed here (checked once per process).

    Returns
    -------
    tuple
        ``(True, None)``, or ``(False, reason)`` with what to do about it.
    """
    reason = _probe()
    return reason is None, reason


def require() -> None:
    """Refuse to go on without a sandbox, saying why and how to opt out.

    Returns
    -------
    None

    Raises
    ------
    SandboxUnavailable
        When no sandbox can be had on this machine.
    """
    ok, reason = available()
    if not ok:
        raise SandboxUnavailable(
            f"Participants' notebooks cannot be sandboxed here: {reason}. Refusing to run code "
            "from hand-ins with your rights. Fix that, or pass --unsafe-no-sandbox if you trust "
            "every hand-in (see docs/security.md)."
        )
