"""One command at a time writes a course's hand-ins and grades: a lock file in the course.

Why: two ``autograde`` runs on one course fight over the same ``autograded/`` folders and the
SQLite gradebook (on the demo course the second run failed 18 notebooks and both still reported
success), and a ``collect`` during an ``autograde`` would replace a hand-in between the moment
it is executed and the moment its journal is scored. Both commands hold this lock while they
work. It is an operating-system file lock (``flock`` through ``filelock``), so it is released
when the process holding it ends, even if it was killed: a crashed run never leaves the course
locked.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from mentor_workshop.errors import CourseBusyError

__all__ = ["LOCK_NAME", "course_lock"]

#: The lock file, in the course folder.
LOCK_NAME = ".mentor_workshop.lock"


@contextlib.contextmanager
def course_lock(root: str | os.PathLike[str], command: str, wait: float = 0) -> Iterator[None]:
    """Hold the course's lock for the duration of the ``with`` block.

    Parameters
    ----------
    root : path-like
        The course folder.
    command : str
        The command taking the lock, for the message the other one sees (``autograde``...).
    wait : float
        Seconds to wait for a run already in progress; 0 refuses at once.

    Yields
    ------
    None

    Raises
    ------
    CourseBusyError
        When another ``autograde`` or ``collect`` holds the lock after ``wait`` seconds.
    """
    lock = FileLock(str(Path(root) / LOCK_NAME), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise CourseBusyError(
            f"Another autograde or collect is running on {root}, so this {command} did not "
            "start; wait for that one to finish (its summary says when), then run this one "
            "again. Two at once would overwrite each other's hand-ins or grades."
        ) from None
    try:
        yield
    finally:
        lock.release()
