"""Where a hub keeps its state, and the manifest of everything ``hub setup`` made.

Why a manifest outside the course: teardown must remove *exactly* what setup created — these
accounts, these folders — and nothing else, even after the course folder was handed to the
facilitator's account. A manifest inside the course could be edited by that account to make
root delete anything; this one lives in a root-only folder (``/srv/mentor-workshop/hubs/``),
named after the course so ``hub teardown COURSE`` finds it without being told more.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.errors import HubError

__all__ = ["STATE_ROOT", "Manifest", "load_manifest", "save_manifest", "state_dir"]

#: Root-only folder holding one state folder per hub.
STATE_ROOT = Path(os.environ.get("MENTOR_WORKSHOP_HUB_STATE", "/srv/mentor-workshop/hubs"))


def state_dir(course_dir: Path, course_id: str) -> Path:
    """The state folder of the hub for this course: ``STATE_ROOT/<course id>-<hash>``.

    Parameters
    ----------
    course_dir : Path
        The course folder (resolved, so two spellings of one path agree).
    course_id : str
        The nbgrader course id.

    Returns
    -------
    Path
    """
    digest = hashlib.sha256(str(course_dir.resolve()).encode()).hexdigest()[:10]
    return STATE_ROOT / f"{course_id}-{digest}"


@dataclass
class Manifest:
    """Everything one ``hub setup`` created, so teardown can undo exactly that."""

    course_dir: str
    course_id: str
    assignment: str
    prefix: str
    exchange_root: str
    marker: str
    login: str
    facilitator: str
    accounts: list[dict[str, str]] = field(default_factory=list)  # name, roster_id, role
    exchange_created: list[str] = field(default_factory=list)
    course_owner: list[int] = field(default_factory=list)  # uid, gid before setup

    def account_names(self) -> list[str]:
        """Names of every account setup made, facilitator first.

        Returns
        -------
        list of str
        """
        return [a["name"] for a in self.accounts]

    def participants(self) -> dict[str, str]:
        """Participant account name -> roster id.

        Returns
        -------
        dict of str to str
        """
        return {a["name"]: a["roster_id"] for a in self.accounts if a["role"] == "participant"}


def save_manifest(folder: Path, manifest: Manifest) -> None:
    """Write the manifest into the (root-only) state folder.

    Parameters
    ----------
    folder : Path
        The hub's state folder.
    manifest : Manifest
        What setup made.

    Returns
    -------
    None
    """
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    path = folder / "manifest.json"
    write_text_atomic(path, json.dumps(asdict(manifest), indent=2) + "\n")
    path.chmod(0o600)


def load_manifest(folder: Path) -> Manifest:
    """Read the manifest that ``hub setup`` wrote.

    Parameters
    ----------
    folder : Path
        The hub's state folder.

    Returns
    -------
    Manifest

    Raises
    ------
    HubError
        There is none (setup never ran for this course) or it cannot be read.
    """
    path = folder / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(**data)
    except FileNotFoundError:
        raise HubError(f"No hub was set up for this course (no {path}); run "
                       "`mentor-workshop hub setup COURSE --roster ROSTER` first.") from None
    except (OSError, ValueError, TypeError) as exc:
        raise HubError(f"The hub manifest {path} cannot be read ({exc}).") from None
