"""The one place a participant's answers live: ``journal.json`` beside the notebooks.

Why a file and not widget state: widget state is not rebuilt in a new kernel and nbgrader
re-executes notebooks from scratch, so every widget saves its value here under a stable
exercise id and reads it back when it is created. The same file is what nbgrader collects.

Why all the care:
- participants keep several step notebooks open, so two kernels may save at the same moment;
  every read-modify-write holds a file lock (``journal.json.lock``) and nothing is lost;
- a kernel may be killed mid-save, so writes are atomic (see :mod:`mentor_workshop.core.atomic`)
  and the previous good version is kept as ``journal.json.bak``;
- a damaged journal (or one from a newer kit) is never silently replaced: it is moved aside,
  a warning names both paths, and work continues from the last good copy or a fresh journal;
- nbgrader zeroes a test cell that writes to stderr, so the normal path is silent.
"""

from __future__ import annotations

import contextlib
import copy
import os
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mentor_workshop.core.atomic import TEMP_SUFFIX, write_bytes_atomic
from mentor_workshop.core.journal_format import (
    EXERCISE_ID_PATTERN,
    JOURNAL_FILENAME,
    MAX_VALUE_BYTES,
    SCHEMA_VERSION,
    check_exercise_id,
    encode_journal,
    fresh_state,
    parse_journal,
    plain_value,
    read_journal_data,
    same_value,
    serialised_size,
)
from mentor_workshop.errors import JournalError, UnreadableJournal

__all__ = [
    "EXERCISE_ID_PATTERN",
    "JOURNAL_FILENAME",
    "MAX_VALUE_BYTES",
    "SCHEMA_VERSION",
    "Journal",
    "JournalError",
    "JournalWarning",
    "UnreadableJournal",
    "read_journal_data",
]
#: How long a save waits for another kernel before giving up with an explanation.
LOCK_TIMEOUT_SECONDS = 30.0
#: How often a waiting save retries the lock; short, because saves hold it for milliseconds.
LOCK_POLL_SECONDS = 0.005
#: Temp files older than this, left by a killed save, are tidied on the next save.
STALE_TEMP_SECONDS = 60.0


class JournalWarning(UserWarning):
    """A damaged or too-new journal was moved aside; the message names both paths."""


def _caller_stacklevel() -> int:
    """Stack level of the first frame outside this module, so a warning points at user code."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame, level = frame.f_back, level + 1
    return level


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Journal:
    """A participant's answers in one JSON file, safe to share between kernels.

    Every read goes back to the file (another notebook may have saved since), but a parsed copy
    is kept and reused while the file's identity, size and modification time are unchanged.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.backup_path = self.path.with_name(self.path.name + ".bak")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        #: Where a damaged journal was moved to by this object, if that happened.
        self.recovered_from: Path | None = None
        #: The warning text shown when that happened.
        self.recovery_message: str | None = None
        # deferred to here: filelock takes some 25 ms to import, and the tools that only read
        # journals (``status``, the report) import this module but never make a Journal
        from filelock import FileLock

        self._file_lock = FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT_SECONDS)
        self._thread_lock = threading.RLock()
        self._cache_key: tuple[int, ...] | None = None
        self._cache_state: dict[str, Any] | None = None
        self._cache_raw: bytes = b""

    @classmethod
    def for_notebook_dir(cls, directory: str | os.PathLike[str]) -> Journal:
        """The journal beside the step notebooks, shared by all of them.

        Parameters
        ----------
        directory : path-like
            The folder holding the step notebooks.

        Returns
        -------
        Journal
            The journal for ``directory / JOURNAL_FILENAME`` (the file need not exist yet).
        """
        return cls(Path(directory) / JOURNAL_FILENAME)

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    # ---------------------------------------------------------------- public reads

    def load(self, exercise_id: str, default: Any = None) -> Any:
        """The saved answer for ``exercise_id``, or ``default`` if there is none yet.

        Parameters
        ----------
        exercise_id : str
            The answer's key, e.g. ``"request.draft"``.
        default : Any, optional
            What to return when nothing is saved under that key.

        Returns
        -------
        Any
            A deep copy of the saved answer, so changing it does not change the journal.

        Raises
        ------
        JournalError
            For an invalid exercise id, or a journal file that cannot be read.
        """
        check_exercise_id(exercise_id)
        answers = self._state()["answers"]
        if exercise_id not in answers:
            return default
        return copy.deepcopy(answers[exercise_id])

    def all(self) -> dict[str, Any]:
        """Every saved answer, keyed by exercise id (a copy: changing it changes nothing).

        Reading everything also moves a damaged file aside at once, which is why the checks call
        it first: the warning is captured before grading starts.

        Returns
        -------
        dict of str to Any
            Exercise id to saved answer; empty for a journal that does not exist yet.
        """
        return copy.deepcopy(self._state()["answers"])

    def saved_at(self, exercise_id: str) -> str | None:
        """When ``exercise_id`` was last saved (ISO 8601, UTC), or None.

        Parameters
        ----------
        exercise_id : str
            The answer's key.

        Returns
        -------
        str or None
            The timestamp of the last save that changed it; ``None`` if never saved.
        """
        check_exercise_id(exercise_id)
        stamp = self._state()["saved_at"].get(exercise_id)
        return stamp if isinstance(stamp, str) else None

    @property
    def participant(self) -> dict[str, Any]:
        """Who this journal belongs to (``id``, ``name`` and any extra details)."""
        return copy.deepcopy(self._state()["participant"])

    # ---------------------------------------------------------------- public writes

    def save(self, exercise_id: str, value: Any) -> None:
        """Store ``value`` under ``exercise_id``; an identical value causes no write at all.

        Skipping identical values keeps widgets that save on every change from rewriting the file
        (and its backup) while nothing changed.

        Parameters
        ----------
        exercise_id : str
            The answer's key: 1 to 64 characters from ``a-z0-9_.-``, e.g. ``"request.draft"``.
        value : Any
            Text, numbers, booleans, None, lists (tuples become lists) or dicts with str keys.

        Raises
        ------
        JournalError
            For an invalid id, a value the journal cannot store or over ``MAX_VALUE_BYTES``, or
            a file that cannot be locked or written; the message says what to do.
        """
        check_exercise_id(exercise_id)
        value = plain_value(value, exercise_id)
        serialised_size(value, exercise_id)
        with self._locked():
            state, raw = self._read_for_update()
            answers = state["answers"]
            if exercise_id in answers and same_value(answers[exercise_id], value):
                return
            now = _now()
            answers[exercise_id] = value
            state["saved_at"][exercise_id] = now
            self._commit(state, raw, now)

    def set_participant(self, id: str | None = None, name: str | None = None, **extra: Any) -> None:
        """Record who the journal belongs to; arguments left as None keep their stored value.

        Papermill passes the roster's id and name when it personalises notebooks, so the
        journal (and everything made from it) can be traced back to a participant.

        Parameters
        ----------
        id : str, optional
            The roster's participant id.
        name : str, optional
            The participant's display name.
        **extra : Any
            Any other details to store alongside (JSON-plain values only).

        Raises
        ------
        JournalError
            When ``id`` or ``name`` is not text, a value cannot be stored, or the file cannot
            be written.
        """
        updates: dict[str, Any] = {}
        for key, item in {"id": id, "name": name, **extra}.items():
            if item is None:
                continue
            if key in ("id", "name") and not isinstance(item, str):
                raise JournalError(
                    f"The participant {key} must be text, not {type(item).__name__}."
                )
            updates[key] = plain_value(item, f"participant.{key}")
        if not updates:
            return
        serialised_size(updates, "participant")
        with self._locked():
            state, raw = self._read_for_update()
            merged = {**state["participant"], **updates}
            if same_value(merged, state["participant"]):
                return
            state["participant"] = merged
            self._commit(state, raw, _now())

    # ---------------------------------------------------------------- internals

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        from filelock import Timeout  # imported already, by __init__

        with self._thread_lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file_lock.acquire(poll_interval=LOCK_POLL_SECONDS)
            except Timeout:
                raise JournalError(
                    f"Another notebook has kept the journal {self.path} busy for "
                    f"{LOCK_TIMEOUT_SECONDS:.0f} seconds. Wait a moment and try again; if it "
                    "keeps happening, restart the other notebooks' kernels."
                ) from None
            except OSError as exc:
                raise JournalError(
                    f"The journal {self.path} cannot be written ({exc.strerror or exc}). Check "
                    "that its folder exists and belongs to you, or ask your facilitator."
                ) from None
            try:
                yield
            finally:
                self._file_lock.release()

    def _stat_key(self) -> tuple[int, ...] | None:
        try:
            st = os.stat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        return (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def _read_disk(self) -> tuple[tuple[int, ...] | None, bytes]:
        """The file's bytes and the identity they were read under (one open, no race)."""
        try:
            with open(self.path, "rb") as handle:
                st = os.fstat(handle.fileno())
                raw = handle.read()
        except FileNotFoundError:
            return None, b""
        except IsADirectoryError:
            raise JournalError(
                f"{self.path} is a folder, so it cannot be used as a journal file."
            ) from None
        except OSError as exc:
            raise JournalError(
                f"The journal {self.path} cannot be read ({exc.strerror}). Check that the file "
                "and its folder belong to you, or ask your facilitator."
            ) from None
        return (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns, st.st_ctime_ns), raw

    def _remember(self, key: tuple[int, ...] | None, state: dict[str, Any], raw: bytes) -> None:
        self._cache_key, self._cache_state, self._cache_raw = key, state, raw

    def _state(self) -> dict[str, Any]:
        """Current state for reading (shared object: callers must copy what they hand out)."""
        with self._thread_lock:
            key = self._stat_key()
            if key is None:
                return fresh_state()
            if key == self._cache_key and self._cache_state is not None:
                return self._cache_state
            key, raw = self._read_disk()
            try:
                state = parse_journal(raw)
            except UnreadableJournal:
                # Moving a file aside must not race another kernel doing the same.
                with self._locked():
                    state, _raw = self._read_for_update()
                return state
            if key is not None:
                self._remember(key, state, raw)
            return state

    def _read_for_update(self) -> tuple[dict[str, Any], bytes]:
        """Fresh state to modify plus the bytes it came from; the caller holds the lock."""
        key = self._stat_key()
        if key is not None and key == self._cache_key and self._cache_state is not None:
            return copy.deepcopy(self._cache_state), self._cache_raw
        key, raw = self._read_disk()
        if key is None:
            return fresh_state(), b""
        try:
            state = parse_journal(raw)
        except UnreadableJournal as problem:
            state, raw = self._move_aside(str(problem))
            return state, raw
        self._remember(key, state, raw)
        return copy.deepcopy(state), raw

    def _aside_path(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        stem, suffix = self.path.stem, self.path.suffix or ".json"
        candidate = self.path.with_name(f"{stem}.corrupt-{stamp}{suffix}")
        counter = 2
        while candidate.exists():
            candidate = self.path.with_name(f"{stem}.corrupt-{stamp}-{counter}{suffix}")
            counter += 1
        return candidate

    def _move_aside(self, reason: str) -> tuple[dict[str, Any], bytes]:
        """Keep the unusable file under a new name and carry on; the caller holds the lock."""
        aside = self._aside_path()
        try:
            # link + unlink never overwrites an existing file, even if one appeared just now.
            os.link(self.path, aside)
            os.unlink(self.path)
        except FileExistsError:
            return self._move_aside(reason)
        except OSError:
            try:
                os.rename(self.path, aside)
            except OSError as exc:
                raise JournalError(
                    f"The journal {self.path} cannot be read because {reason}, and it could not "
                    f"be moved aside to {aside} ({exc.strerror}). Copy it somewhere safe, delete "
                    "the original, and reopen the notebook."
                ) from None

        state, raw, restored = fresh_state(), b"", False
        with contextlib.suppress(OSError):
            backup = self.backup_path.read_bytes()
            with contextlib.suppress(UnreadableJournal):
                state, raw, restored = parse_journal(backup), backup, bool(backup)
        if restored:
            write_bytes_atomic(self.path, raw)
            key, raw = self._read_disk()
            self._remember(key, state, raw)
            state = copy.deepcopy(state)
            outcome = f"Your answers up to the previous save were restored from {self.backup_path}."
        else:
            self._remember(None, fresh_state(), b"")
            outcome = "A fresh journal was started."
        message = (
            f"The journal {self.path} could not be used because {reason}. It was moved, "
            f"unchanged, to {aside}; nothing was deleted. {outcome} If answers are missing, "
            "show both files to your facilitator."
        )
        self.recovered_from = aside
        self.recovery_message = message
        warnings.warn(message, JournalWarning, stacklevel=_caller_stacklevel())
        return state, raw

    def _commit(self, state: dict[str, Any], old_raw: bytes, now: str) -> None:
        """Write ``state``, keeping the previous version as the backup; caller holds the lock."""
        state["schema_version"] = SCHEMA_VERSION
        state.setdefault("created", now)
        state["updated"] = now
        data = encode_journal(state)
        try:
            if old_raw:
                # No folder fsync here: the one after the main write covers both renames.
                write_bytes_atomic(self.backup_path, old_raw, fsync_dir=False)
            write_bytes_atomic(self.path, data)
        except OSError as exc:
            raise JournalError(
                f"Your answer could not be saved to {self.path} ({exc.strerror}). Your earlier "
                "answers are untouched. Free some disk space or check the folder's permissions, "
                "then save again."
            ) from None
        self._remember(self._stat_key(), state, data)
        self._tidy_stale_temps()

    def _tidy_stale_temps(self) -> None:
        """Remove temp files a killed save left behind (ours only, and only old ones)."""
        prefixes = (f".{self.path.name}.", f".{self.backup_path.name}.")
        cutoff = time.time() - STALE_TEMP_SECONDS
        with contextlib.suppress(OSError), os.scandir(self.path.parent) as entries:
            for entry in entries:
                name = entry.name
                if not (name.endswith(TEMP_SUFFIX) and name.startswith(prefixes)):
                    continue
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(entry.path)
