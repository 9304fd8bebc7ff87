"""Stable pseudonyms (``P-3F2A1C``) for blind grading and the cohort report.

Why an HMAC with a course key: the same participant must keep the same pseudonym across grading
sessions and in the cohort report, so graders and readers can follow one person without knowing
who it is; and nobody should be able to work an id out from its pseudonym. A keyed hash gives
both, as long as the key stays in the course folder. This module is the only place that makes
them, so the grader and the report can never disagree.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from mentor_workshop.core.atomic import write_bytes_atomic

__all__ = ["KEY_PATH", "course_key", "existing_key", "pseudonyms"]

#: Where the course keeps its pseudonym key (created on first use; never leaves the course).
KEY_PATH = Path(".mentor_workshop") / "pseudonym.key"
#: Shorter keys are treated as missing (a key cut short by a bad copy is not trusted).
_MIN_KEY_LENGTH = 32


def course_key(course_root: Path) -> bytes:
    """The course's pseudonym key, created (readable by its owner only) on first use.

    Parameters
    ----------
    course_root : Path
        The nbgrader course folder.

    Returns
    -------
    bytes
        The key, at least 32 bytes of hex text.
    """
    path = course_root / KEY_PATH
    try:
        key = path.read_bytes().strip()
        if len(key) >= _MIN_KEY_LENGTH:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32).encode("ascii")
    write_bytes_atomic(path, key + b"\n")
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    return key


def existing_key(course_root: Path) -> bytes | None:
    """The course's pseudonym key if the grader already made one; never creates it.

    Why read-only: the cohort report must not change a facilitator's course folder.

    Parameters
    ----------
    course_root : Path
        The nbgrader course folder.

    Returns
    -------
    bytes or None
        The key, or None when there is no usable key (missing, unreadable or too short).
    """
    with contextlib.suppress(OSError):
        key = (course_root / KEY_PATH).read_bytes().strip()
        if len(key) >= _MIN_KEY_LENGTH:
            return key
    return None


def pseudonyms(key: bytes, student_ids: Iterable[str]) -> dict[str, str]:
    """Stable, unguessable pseudonyms (``P-3F2A1C``), unique within the cohort.

    An HMAC of the id with the course's secret key: the same participant keeps the same
    pseudonym across sessions, but nobody can work the id out from it without the key. When two
    ids share a prefix, every pseudonym grows by two characters until all are distinct.

    Parameters
    ----------
    key : bytes
        The secret key (see :func:`course_key`); any random bytes for one-off names.
    student_ids : iterable of str
        The participants' ids (duplicates are ignored).

    Returns
    -------
    dict of str to str
        Pseudonym per id.
    """
    ids = sorted(set(student_ids))
    digests = {s: hmac.new(key, s.encode("utf-8"), hashlib.sha256).hexdigest().upper()
               for s in ids}
    length = 6
    while True:
        names = {s: f"P-{d[:length]}" for s, d in digests.items()}
        if len(set(names.values())) == len(names):
            return names
        length += 2
