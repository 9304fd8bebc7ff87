"""The hub's own Python environment in a shared prefix, and the proxy from npm beside it.

Why a separate environment: JupyterHub starts each participant's server *as that participant*,
so the Python it runs must be readable by every account. A virtualenv made from an interpreter
under root's home (or from a project's ``.venv``) is not, and the spawn fails with "permission
denied" long after the facilitator thought set-up was done. So the hub's environment is built
from the system ``python3`` into ``/opt/mentor-workshop``, world-readable, with JupyterHub,
JupyterLab, nbgrader and the kit installed *non-editable* (an editable install points back
into a checkout participants cannot read).

Building it takes minutes; a stamp file records what was installed, so running ``hub setup``
again (or the end-to-end test) only reinstalls the kit when its files changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from mentor_workshop import __version__
from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.errors import HubError

__all__ = [
    "DEFAULT_PREFIX",
    "HUB_REQUIREMENTS",
    "STARTUP_HOOK",
    "HubEnvironment",
    "ensure_environment",
    "write_startup_hook",
]

#: Where the hub's environment lives unless the facilitator chooses another prefix.
DEFAULT_PREFIX = Path("/opt/mentor-workshop")
#: The system interpreter: every account can run it, unlike a virtualenv under a home.
SYSTEM_PYTHON = Path("/usr/bin/python3")
#: What the hub needs besides the kit (the kit brings JupyterLab and nbgrader itself).
HUB_REQUIREMENTS = ("jupyterhub>=5,<7", "jupyterlab>=4.2,<5", "nbgrader>=0.9.3,<0.10")
PROXY_PACKAGE = "configurable-http-proxy@5"
_STAMP = ".mentor-workshop-env.json"
#: Folders and files of a checkout that end up in the kit's wheel (pyproject's force-include).
_KIT_PARTS = ("pyproject.toml", "mentor_workshop", "exercises", "notebooks", "facilitator")


@dataclass(frozen=True)
class HubEnvironment:
    """Paths inside the hub's prefix."""

    prefix: Path

    @property
    def python(self) -> Path:
        """The environment's interpreter."""
        return self.prefix / "bin" / "python"

    def bin(self, name: str) -> Path:
        """An executable installed in the environment (``jupyterhub``, ``nbgrader`` ...).

        Parameters
        ----------
        name : str
            The executable's name.

        Returns
        -------
        Path
            Its path under ``PREFIX/bin``.
        """
        return self.prefix / "bin" / name

    @property
    def proxy(self) -> Path:
        """``configurable-http-proxy`` as installed from npm into the prefix."""
        return self.prefix / "node" / "node_modules" / ".bin" / "configurable-http-proxy"

    @property
    def config_dir(self) -> Path:
        """The environment-wide Jupyter config folder (read by every account's server)."""
        return self.prefix / "etc" / "jupyter"


def _checkout() -> Path | None:
    """The kit's checkout when running from one (a wheel install has no pyproject beside it)."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / "pyproject.toml").is_file() and (root / "mentor_workshop").is_dir() \
        else None


def _kit_fingerprint(checkout: Path | None) -> str:
    """A hash of every file that goes into the kit's wheel, so a changed file reinstalls it."""
    if checkout is None:
        return f"version:{__version__}"
    digest = hashlib.sha256()
    for part in _KIT_PARTS:
        base = checkout / part
        paths = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in paths:
            if "__pycache__" in path.parts or path.suffix in (".pyc", ".tmp"):
                continue
            digest.update(str(path.relative_to(checkout)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _run(command: list[str], what: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-12:])
        raise HubError(f"{what} failed (exit {result.returncode}):\n{tail}")


def ensure_environment(prefix: Path = DEFAULT_PREFIX, *, kit: str | None = None) -> list[str]:
    """Build or refresh the hub's environment; skip every part that is already up to date.

    Parameters
    ----------
    prefix : Path
        Where the environment goes (``/opt/mentor-workshop`` by default).
    kit : str, optional
        What pip installs as the kit: a wheel file, a checkout or a requirement. By default
        the checkout this code runs from, else ``mentor_workshop==<this version>``.

    Returns
    -------
    list of str
        One line per thing done or reused, for the set-up report.

    Raises
    ------
    HubError
        The system interpreter is missing, or pip or npm failed (the message has their output).
    """
    env = HubEnvironment(Path(prefix))
    if not SYSTEM_PYTHON.is_file():
        raise HubError(f"{SYSTEM_PYTHON} is missing; install Debian's python3 and python3-venv.")
    # Two set-ups at once (two courses on one server) would run pip into the same prefix
    # together and leave it half installed: the second waits, then finds it up to date.
    env.prefix.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(env.prefix.parent / f".{env.prefix.name}.lock")):
        return _ensure(env, kit)


def _ensure(env: HubEnvironment, kit: str | None) -> list[str]:
    done: list[str] = []
    checkout = _checkout()
    kit_spec = kit or (str(checkout) if checkout else f"mentor_workshop=={__version__}")
    fingerprint = _kit_fingerprint(checkout if kit is None else None) if kit is None \
        else hashlib.sha256(Path(kit).read_bytes()).hexdigest() if Path(kit).is_file() else kit
    stamp_path = env.prefix / _STAMP
    try:
        stamp = json.loads(stamp_path.read_text())
    except (OSError, ValueError):
        stamp = {}
    pip_env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    pip_env.pop("PYTHONPATH", None)  # never let a checkout on the path leak into the build
    if not env.python.is_file():
        _run([str(SYSTEM_PYTHON), "-m", "venv", str(env.prefix)], "Creating the hub environment")
        stamp = {}
        done.append(f"created the environment {env.prefix} from {SYSTEM_PYTHON}")
    if stamp.get("requirements") != list(HUB_REQUIREMENTS):
        _run([str(env.python), "-m", "pip", "install", "--quiet", *HUB_REQUIREMENTS,
              kit_spec], "Installing JupyterHub, JupyterLab, nbgrader and the kit", pip_env)
        stamp = {"requirements": list(HUB_REQUIREMENTS), "kit": fingerprint}
        done.append("installed JupyterHub, JupyterLab, nbgrader and the kit")
    elif stamp.get("kit") != fingerprint:
        _run([str(env.python), "-m", "pip", "install", "--quiet", "--no-deps",
              "--force-reinstall", kit_spec], "Reinstalling the kit", pip_env)
        # a newer kit may need a new dependency: install only what is missing
        _run([str(env.python), "-m", "pip", "install", "--quiet", kit_spec],
             "Installing the kit's new dependencies", pip_env)
        stamp["kit"] = fingerprint
        done.append("reinstalled the kit (its files changed)")
    else:
        done.append(f"reused the environment {env.prefix} (up to date)")
    stamp_path.write_text(json.dumps(stamp, indent=2))
    if write_startup_hook(env):
        done.append("added the start-up hook that skips jsonschema's IRI parsers")
    if not env.proxy.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise HubError("npm is missing; install Debian's nodejs and npm, then run again.")
        (env.prefix / "node").mkdir(exist_ok=True)
        _run([npm, "install", "--silent", "--no-fund", "--no-audit", "--prefix",
              str(env.prefix / "node"), PROXY_PACKAGE],
             "Installing configurable-http-proxy from npm")
        done.append(f"installed {PROXY_PACKAGE} into {env.prefix / 'node'}")
    _run(["chmod", "-R", "a+rX", str(env.prefix)], "Making the environment readable")
    return done


#: Run by ``site`` at every start of the environment's Python (a ``.pth`` line that begins
#: with ``import``). The same rule as ``mentor_workshop/facilitator/__init__.py``: with the
#: optional ``rfc3987_syntax`` present (jupyter-events' ``jsonschema[format-nongpl]`` brings
#: it), jsonschema builds some forty Lark parsers for the IRI formats on import: 0.7 s in every
#: process that touches nbformat or jupyter-events, which on the hub is every participant's
#: server, its release fetch and the hub itself, for formats no notebook, nbgrader or Jupyter
#: event schema uses. Marked absent, jsonschema skips those two format checks only.
STARTUP_HOOK_NAME = "mentor_workshop_startup.pth"
STARTUP_HOOK = ("import sys; 'jsonschema' in sys.modules or "
                "sys.modules.setdefault('rfc3987_syntax', None)\n")


def write_startup_hook(env: HubEnvironment) -> bool:
    """Put :data:`STARTUP_HOOK` into the environment's site-packages, unless it is there.

    Only the hub's own environment gets it: the kit installed anywhere else leaves other
    programs' start-up alone.

    Parameters
    ----------
    env : HubEnvironment
        The environment.

    Returns
    -------
    bool
        True when the file was written, False when it was already there.

    Raises
    ------
    HubError
        The environment's Python cannot say where its site-packages are.
    """
    result = subprocess.run(
        [str(env.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=False)
    if result.returncode != 0 or not result.stdout.strip():
        raise HubError(f"{env.python} did not say where its packages are:\n{result.stderr}")
    hook = Path(result.stdout.strip()) / STARTUP_HOOK_NAME
    if hook.is_file() and hook.read_text(encoding="utf-8") == STARTUP_HOOK:
        return False
    write_text_atomic(hook, STARTUP_HOOK)
    hook.chmod(0o644)
    return True


def write_environment_file(path: Path, text: str) -> None:
    """Write a config file into the environment, readable by every account.

    Parameters
    ----------
    path : Path
        The file, usually under :attr:`HubEnvironment.config_dir`.
    text : str
        Its content.

    Returns
    -------
    None
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text)
    path.chmod(0o644)
