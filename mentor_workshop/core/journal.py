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
import json
import math
import os
import re
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from mentor_workshop.core.atomic import TEMP_SUFFIX, write_bytes_atomic
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

SCHEMA_VERSION = 1
JOURNAL_FILENAME = "journal.json"
EXERCISE_ID_PATTERN = re.compile(r"^[a-z0-9_.-]{1,64}$")
#: Largest serialised answer we accept. A journal is read on every widget load, so one runaway
#: value (a pasted novel, an image as base64) must not slow every notebook down.
MAX_VALUE_BYTES = 1_000_000
#: How long a save waits for another kernel before giving up with an explanation.
LOCK_TIMEOUT_SECONDS = 30.0
#: How often a waiting save retries the lock; short, because saves hold it for milliseconds.
LOCK_POLL_SECONDS = 0.005
#: Temp files older than this, left by a killed save, are tidied on the next save.
STALE_TEMP_SECONDS = 60.0
#: Deeper nesting than this is certainly a mistake (or a reference cycle).
_MAX_DEPTH = 64


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


def _fresh_state() -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "participant": {}, "answers": {}, "saved_at": {}}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse(raw: bytes) -> dict[str, Any]:
    """Turn file bytes into a journal state, or raise UnreadableJournal with a plain reason."""
    if not raw:
        return _fresh_state()
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise UnreadableJournal(f"it is not UTF-8 text (byte {exc.start})") from None
    except (ValueError, RecursionError) as exc:
        raise UnreadableJournal(f"it is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise UnreadableJournal(f"its top level is a {type(data).__name__}, not a JSON object, "
                                "so it is not a workshop journal")
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise UnreadableJournal("it has no valid 'schema_version'")
    if version > SCHEMA_VERSION:
        raise UnreadableJournal(
            f"it was written by a newer version of mentor_workshop (schema {version}; this "
            f"version reads schema {SCHEMA_VERSION}). Update the kit to use it again"
        )
    if not isinstance(data.get("answers"), dict):
        raise UnreadableJournal("it has no 'answers' object, so it is not a workshop journal")
    for key in ("participant", "saved_at"):
        if key not in data:
            data[key] = {}
        elif not isinstance(data[key], dict):
            raise UnreadableJournal(f"its '{key}' is not a JSON object")
    return data


def read_journal_data(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a journal without changing anything on disk.

    Why a second way in: :class:`Journal` repairs what it opens (a damaged file is moved aside),
    which is right in the participant's kernel but wrong for a facilitator looking at a
    submission. This reader applies the same validation as :class:`Journal` and only reports.

    Parameters
    ----------
    path : path-like
        The ``journal.json`` to read.

    Returns
    -------
    dict
        The journal's state: ``schema_version``, ``participant``, ``answers`` and ``saved_at``.

    Raises
    ------
    UnreadableJournal
        When the file cannot be read or is not a journal this version of the kit understands;
        the message says why in plain words.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UnreadableJournal(f"it cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise UnreadableJournal("it is empty")
    return _parse(raw)


def _encode(state: Mapping[str, Any]) -> bytes:
    text = json.dumps(state, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _describe(where: str) -> str:
    return f" (at {where})" if where else ""


def _plain(value: Any, label: str, where: str = "", depth: int = 0) -> Any:
    """Return a JSON-plain copy of ``value`` or raise JournalError naming what is wrong and where.

    json.dumps alone would silently turn tuples into lists (fine, we do the same) but also
    dict keys 1 and True into "1" and "true", so the answer read back would differ from the
    answer saved; we refuse those instead, and say exactly which part is the problem.
    """
    if depth > _MAX_DEPTH:
        raise JournalError(
            f"The answer for '{label}' is nested more than {_MAX_DEPTH} levels deep"
            f"{_describe(where)} (or refers to itself), so it cannot be saved."
        )
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise JournalError(
                f"The answer for '{label}' contains {value!r}{_describe(where)}, which is not "
                "a number the journal can store. Use an ordinary number, or leave it empty."
            )
        return value
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise JournalError(
                f"The answer for '{label}' contains text that is not valid Unicode"
                f"{_describe(where)}. Retype it, or paste it again from its source."
            ) from None
        return value
    if isinstance(value, list | tuple):
        return [_plain(item, label, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise JournalError(
                    f"The answer for '{label}' uses the key {key!r}{_describe(where)}; journal "
                    "keys must be text. Use str(key), e.g. '1' instead of 1."
                )
            out[_plain(key, label, where, depth + 1)] = _plain(
                item, label, f"{where}[{key!r}]", depth + 1
            )
        return out
    kind = type(value).__name__
    hint = " Use a list instead of a set." if isinstance(value, set | frozenset) else ""
    raise JournalError(
        f"The answer for '{label}' contains a value of type {kind}{_describe(where)}, which "
        f"the journal cannot store. Save text, numbers, true/false, lists or dicts only.{hint}"
    )


def _check_id(exercise_id: Any) -> str:
    if not isinstance(exercise_id, str) or not EXERCISE_ID_PATTERN.fullmatch(exercise_id):
        raise JournalError(
            f"{exercise_id!r} is not a valid exercise id. Use 1 to 64 characters from lowercase "
            "letters, digits, '_', '.' and '-', for example 'request.draft'."
        )
    return exercise_id


def _serialised_size(value: Any, label: str) -> int:
    size = len(json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    if size > MAX_VALUE_BYTES:
        raise JournalError(
            f"The answer for '{label}' is {size:,} bytes once saved; the limit is "
            f"{MAX_VALUE_BYTES:,} bytes (about 1 MB). Shorten it, or keep large material in "
            "a separate file and save only its name here. Nothing was saved."
        )
    return size


def _same(a: Any, b: Any) -> bool:
    # Compare serialised forms: in Python True == 1 == 1.0, but they are different answers.
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


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
        self._file_lock = FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT_SECONDS)
        self._thread_lock = threading.RLock()
        self._cache_key: tuple[int, ...] | None = None
        self._cache_state: dict[str, Any] | None = None
        self._cache_raw: bytes = b""

    @classmethod
    def for_notebook_dir(cls, directory: str | os.PathLike[str]) -> Journal:
        """The journal beside the step notebooks, shared by all of them."""
        return cls(Path(directory) / JOURNAL_FILENAME)

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    # ---------------------------------------------------------------- public reads

    def load(self, exercise_id: str, default: Any = None) -> Any:
        """The saved answer for ``exercise_id``, or ``default`` if there is none yet."""
        _check_id(exercise_id)
        answers = self._state()["answers"]
        if exercise_id not in answers:
            return default
        return copy.deepcopy(answers[exercise_id])

    def all(self) -> dict[str, Any]:
        """Every saved answer, keyed by exercise id (a copy: changing it changes nothing)."""
        return copy.deepcopy(self._state()["answers"])

    def saved_at(self, exercise_id: str) -> str | None:
        """When ``exercise_id`` was last saved (ISO 8601, UTC), or None."""
        _check_id(exercise_id)
        stamp = self._state()["saved_at"].get(exercise_id)
        return stamp if isinstance(stamp, str) else None

    @property
    def participant(self) -> dict[str, Any]:
        """Who this journal belongs to (``id``, ``name`` and any extra details)."""
        return copy.deepcopy(self._state()["participant"])

    # ---------------------------------------------------------------- public writes

    def save(self, exercise_id: str, value: Any) -> None:
        """Store ``value`` under ``exercise_id``; an identical value causes no write at all."""
        _check_id(exercise_id)
        value = _plain(value, exercise_id)
        _serialised_size(value, exercise_id)
        with self._locked():
            state, raw = self._read_for_update()
            answers = state["answers"]
            if exercise_id in answers and _same(answers[exercise_id], value):
                return
            now = _now()
            answers[exercise_id] = value
            state["saved_at"][exercise_id] = now
            self._commit(state, raw, now)

    def set_participant(self, id: str | None = None, name: str | None = None, **extra: Any) -> None:
        """Record who the journal belongs to; arguments left as None keep their stored value.

        Papermill passes the roster's id and name when it personalises notebooks, so the
        journal (and everything made from it) can be traced back to a participant.
        """
        updates: dict[str, Any] = {}
        for key, item in {"id": id, "name": name, **extra}.items():
            if item is None:
                continue
            if key in ("id", "name") and not isinstance(item, str):
                raise JournalError(
                    f"The participant {key} must be text, not {type(item).__name__}."
                )
            updates[key] = _plain(item, f"participant.{key}")
        if not updates:
            return
        _serialised_size(updates, "participant")
        with self._locked():
            state, raw = self._read_for_update()
            merged = {**state["participant"], **updates}
            if _same(merged, state["participant"]):
                return
            state["participant"] = merged
            self._commit(state, raw, _now())

    # ---------------------------------------------------------------- internals

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
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
                return _fresh_state()
            if key == self._cache_key and self._cache_state is not None:
                return self._cache_state
            key, raw = self._read_disk()
            try:
                state = _parse(raw)
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
            return _fresh_state(), b""
        try:
            state = _parse(raw)
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

        state, raw, restored = _fresh_state(), b"", False
        with contextlib.suppress(OSError):
            backup = self.backup_path.read_bytes()
            with contextlib.suppress(UnreadableJournal):
                state, raw, restored = _parse(backup), backup, bool(backup)
        if restored:
            write_bytes_atomic(self.path, raw)
            key, raw = self._read_disk()
            self._remember(key, state, raw)
            state = copy.deepcopy(state)
            outcome = f"Your answers up to the previous save were restored from {self.backup_path}."
        else:
            self._remember(None, _fresh_state(), b"")
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
        data = _encode(state)
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
