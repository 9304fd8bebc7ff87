"""One look at the room: where each participant is, who is stuck, and the step funnel.

Why copies: the room view runs with the rights to read every home, and a participant's kernel
may be saving at the very moment it looks. Opening a journal through the kit's ``Journal``
could take its lock or move a "damaged" (half-read) file aside — in someone else's home. So
each journal's bytes are read once (the kit writes by atomic rename, so a read sees the old or
the new file, never a mix), copied into a private temporary folder, and the same code as
``mentor-workshop status`` (``facilitator/status.py``) checks the copies. A participant's
files are only ever opened for reading.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mentor_workshop.core.journal import JOURNAL_FILENAME
from mentor_workshop.facilitator.grading.pseudonyms import pseudonyms
from mentor_workshop.facilitator.status import cohort_status, step_ids

__all__ = ["RoomRow", "RoomSnapshot", "take_snapshot"]

#: Minutes without a save, on an unfinished step, before someone shows as stuck.
STUCK_MINUTES = 10
_PSEUDONYM_KEY = secrets.token_bytes(32)  # new each start: projected names cannot be linked


@dataclass(frozen=True)
class RoomRow:
    """One participant as the room view shows them."""

    id: str
    name: str
    pseudonym: str
    step: str  # the first step not done ("" when all are done)
    done: int
    idle_minutes: float | None  # since the last save (None: no journal yet)
    stuck: bool
    problem: str = ""


@dataclass
class RoomSnapshot:
    """Everyone's row, the number done per step, and when it was taken."""

    steps: list[str]
    rows: list[RoomRow] = field(default_factory=list)
    funnel: dict[str, int] = field(default_factory=dict)
    taken_at: float = 0.0


def _copy(path: Path, into: Path) -> tuple[Path | None, float | None]:
    """Copy one journal's bytes (read once) into the private folder; (copy, mtime)."""
    try:
        with open(path, "rb") as handle:
            mtime = os.fstat(handle.fileno()).st_mtime
            data = handle.read()
    except OSError:
        return None, None
    into.mkdir(parents=True, exist_ok=True)
    target = into / JOURNAL_FILENAME
    target.write_bytes(data)
    return target, mtime


def take_snapshot(journals: Mapping[str, Path], names: Mapping[str, str] | None = None,
                  *, stuck_minutes: float = STUCK_MINUTES, now: float | None = None
                  ) -> RoomSnapshot:
    """Check every journal (as copies) and summarise the room.

    Parameters
    ----------
    journals : mapping
        Participant id -> journal path (it may not exist yet).
    names : mapping, optional
        Participant id -> name from the roster (used when a journal has none).
    stuck_minutes : float
        Minutes without a save before an unfinished participant shows as stuck.
    now : float, optional
        The time to measure idleness from (``time.time()`` by default).

    Returns
    -------
    RoomSnapshot
        Rows in the order given, and the funnel: how many have done each step.
    """
    now = time.time() if now is None else now
    steps = step_ids()
    snap = RoomSnapshot(steps, funnel=dict.fromkeys(steps, 0), taken_at=now)
    names = names or {}
    masks = pseudonyms(_PSEUDONYM_KEY, journals)
    with tempfile.TemporaryDirectory(prefix="mw-room-") as tmp:
        copies: dict[str, Path] = {}
        mtimes: dict[str, float] = {}
        for index, (pid, path) in enumerate(journals.items()):
            copy, mtime = _copy(Path(path), Path(tmp) / str(index))
            if copy is not None and mtime is not None:
                copies[pid], mtimes[pid] = copy, mtime
        statuses = {s.id: s for s in cohort_status(copies, steps)}
        for pid in journals:
            status = statuses.get(pid)
            name = names.get(pid) or pid
            if status is None:
                snap.rows.append(RoomRow(pid, name, masks[pid], steps[0], 0, None, False,
                                         "no journal yet"))
                continue
            if status.name != pid:
                name = status.name
            nxt = status.next_step
            idle = max(0.0, (now - mtimes[pid]) / 60)
            stuck = nxt is not None and status.problem is None and idle >= stuck_minutes
            snap.rows.append(RoomRow(pid, name, masks[pid], nxt.step_id if nxt else "",
                                     status.done, idle, stuck, status.problem or ""))
            for state in status.steps:
                if state.state == "done":
                    snap.funnel[state.step_id] += 1
    return snap
