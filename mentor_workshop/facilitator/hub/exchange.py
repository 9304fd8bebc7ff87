"""The nbgrader exchange for a shared hub, laid out so nobody can reach another's work.

Why the kit makes the folders itself: nbgrader creates the exchange lazily with modes that
suit a trusting classroom — a world-writable root without the sticky bit, so anyone can
rename anyone's course folder (jupyter/nbgrader#1225), and an ``inbound`` folder anyone may
write into, where a participant who learns another's submission name can rename or delete it.
Made in advance and owned by the facilitator, nbgrader keeps these modes (it only checks them):

========================  =====  ======================================================
folder                    mode   why
========================  =====  ======================================================
``ROOT``                  1777   nbgrader insists on a writable root; sticky, like /tmp,
                                 so no one removes or renames what another made
``ROOT/COURSE``           0755   the facilitator's; participants pass through
``ROOT/COURSE/outbound``  0755   releases: everyone reads, only the facilitator writes
``ROOT/COURSE/inbound``   3733   submissions: write-only and not listable for
                                 participants; sticky so an entry can be removed only by
                                 its owner or the facilitator; setgid for the group
``ROOT/COURSE/feedback``  0711   not listable; each page is named by a hash of a secret
                                 only its submitter holds
========================  =====  ======================================================

Homes (and so journals) are 0700, so the exchange is the only place participants' files meet.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from mentor_workshop.errors import HubError

__all__ = ["EXCHANGE_MODES", "ExchangeLayout", "make_exchange", "remove_exchange"]

#: Where the exchange goes unless ``--exchange DIR`` says otherwise (outside every home).
DEFAULT_EXCHANGE = Path("/srv/mentor-workshop/exchange")
EXCHANGE_MODES = {"": 0o1777, "course": 0o755, "outbound": 0o755, "inbound": 0o3733,
                  "feedback": 0o711}


@dataclass(frozen=True)
class ExchangeLayout:
    """The exchange root and one course's folders in it."""

    root: Path
    course_id: str

    @property
    def course(self) -> Path:
        """The course's folder inside the exchange."""
        return self.root / self.course_id

    def folder(self, name: str) -> Path:
        """``inbound``, ``outbound`` or ``feedback`` of this course.

        Parameters
        ----------
        name : str
            The folder's name.

        Returns
        -------
        Path
        """
        return self.course / name


def _inside_a_home(path: Path) -> bool:
    return any(path == home or home in path.parents
               for home in (Path("/home"), Path("/root")))


def make_exchange(layout: ExchangeLayout, uid: int, gid: int) -> list[str]:
    """Create (or repair) the exchange folders with the modes in the table above.

    Parameters
    ----------
    layout : ExchangeLayout
        Where the exchange and the course's folders go.
    uid, gid : int
        The facilitator's account, which owns the course's folders.

    Returns
    -------
    list of str
        The folders created (absolute paths), so teardown removes exactly these.

    Raises
    ------
    HubError
        The exchange would sit inside a home, or a folder exists and belongs to someone else.
    """
    root = layout.root.resolve()
    if _inside_a_home(root):
        raise HubError(f"The exchange {root} is inside a home folder; participants could not "
                       "reach it (homes are private). Use a folder such as /srv/exchange.")
    created: list[str] = []
    if not root.exists():
        # the first folder that does not exist yet is where teardown starts removing
        missing = [p for p in [root, *root.parents] if not p.exists()]
        root.mkdir(parents=True)
        created.extend(str(p) for p in reversed(missing))
    os.chmod(root, EXCHANGE_MODES[""])
    for parent in [p for p in root.parents if p != Path("/")]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            raise HubError(f"{parent} is not traversable by others (mode {oct(mode & 0o7777)}); "
                           "participants could not reach the exchange below it.")
    course = root / layout.course_id
    for path, key in [(course, "course"), (course / "outbound", "outbound"),
                      (course / "inbound", "inbound"), (course / "feedback", "feedback")]:
        if path.is_symlink():
            raise HubError(f"{path} is a symbolic link; refusing to use it as the exchange.")
        if not path.exists():
            path.mkdir()
            created.append(str(path))
        elif path.stat().st_uid not in (uid, 0):
            raise HubError(f"{path} already exists and belongs to another account; remove it or "
                           "choose another --exchange folder.")
        os.chown(path, uid, gid)
        os.chmod(path, EXCHANGE_MODES[key])
    return created


def remove_exchange(created: list[str]) -> list[str]:
    """Remove the folders :func:`make_exchange` created, deepest first, with their contents.

    Parameters
    ----------
    created : list of str
        What :func:`make_exchange` returned.

    Returns
    -------
    list of str
        One line per folder removed or left.
    """
    import shutil

    lines = []
    for folder in sorted(created, key=lambda p: p.count("/"), reverse=True):
        path = Path(folder)
        if not path.exists():
            continue
        shutil.rmtree(path, ignore_errors=True)
        lines.append(f"removed {path}" if not path.exists() else f"could not remove {path}")
    return lines
