"""The journal file's format: what a valid ``journal.json`` holds and how it is read and written.

Why apart from :mod:`.journal`: the participant's kernel opens a journal to save into it, and a
facilitator's tools only read one (``status``, the report, ``personalize``); both must apply the
same rules or a journal the kit accepts while saving could be refused while grading. This module
holds those rules and the read-only reader; :mod:`.journal` adds locking, atomic saves and
moving a damaged file aside.
"""

from __future__ import annotations

import json
import math
import os
import re
from array import array
from collections.abc import Mapping
from itertools import accumulate
from pathlib import Path
from typing import Any

from mentor_workshop.errors import JournalError, UnreadableJournal

__all__ = [
    "EXERCISE_ID_PATTERN",
    "JOURNAL_FILENAME",
    "MAX_JOURNAL_BYTES",
    "MAX_VALUE_BYTES",
    "PRIVATE_PREFIX",
    "SCHEMA_VERSION",
    "SHARE_PRIVATE_KEY",
    "check_exercise_id",
    "encode_journal",
    "fresh_state",
    "load_json_bounded",
    "parse_journal",
    "plain_value",
    "private_removed",
    "read_journal_data",
    "read_json_file",
    "same_value",
    "serialised_size",
    "without_private",
]

SCHEMA_VERSION = 1
JOURNAL_FILENAME = "journal.json"
EXERCISE_ID_PATTERN = re.compile(r"^[a-z0-9_.-]{1,64}$")
#: Largest serialised answer we accept. A journal is read on every widget load, so one runaway
#: value (a pasted novel, an image as base64) must not slow every notebook down.
MAX_VALUE_BYTES = 1_000_000
#: Answers under this prefix are the learner's alone (self-scores of a reflection): a
#: facilitator's reader and ``collect`` leave them out unless the learner shares them.
PRIVATE_PREFIX = "private."
#: ``True`` here means the learner chose to show their private answers to a facilitator.
SHARE_PRIVATE_KEY = "welcome.share_self_assessment"
#: Deeper nesting than this is certainly a mistake (or a reference cycle).
_MAX_DEPTH = 64
#: Largest journal file read at all. Far above any real journal (dozens of answers, most a few
#: hundred bytes); a bigger file is refused before it is read, so a hand-in cannot exhaust the
#: memory of ``status``, ``report`` or ``collect``.
MAX_JOURNAL_BYTES = 32 * 1024 * 1024
#: Nesting allowed in the file: an answer's own depth plus the journal's two levels above it.
_MAX_FILE_DEPTH = _MAX_DEPTH + 4
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def _nesting(text: str) -> int:
    """How deep the arrays and objects of a JSON text go, without parsing it.

    Strings are cut out first (a bracket inside one does not nest); the rest is reduced to its
    brackets and summed in C, so a 100,000-level file is measured in milliseconds instead of
    sending a recursive parser or a later recursive walk over the edge.
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if len(brackets) <= _MAX_FILE_DEPTH:
        return len(brackets)
    steps = array("b", brackets.encode("ascii").translate(_BRACKET_STEPS))
    return max(accumulate(steps))


def load_json_bounded(raw: bytes, *, max_bytes: int | None = None,
                      max_depth: int = _MAX_FILE_DEPTH) -> Any:
    """Parse JSON a participant could have crafted, refusing what would exhaust the reader.

    Why: the standard parser turns deep nesting into ``RecursionError`` and a huge file into
    ``MemoryError``, and even a parse that succeeds can leave a structure that crashes the next
    recursive walk (copying, comparing, printing). Every reader of a hand-in (the journal
    reader, ``collect``, ``status``, the report) goes through this one gate, so no hand-in can
    stop a batch.

    Parameters
    ----------
    raw : bytes
        The file's bytes (UTF-8, a BOM allowed).
    max_bytes : int, optional
        Largest input accepted; :data:`MAX_JOURNAL_BYTES` when omitted.
    max_depth : int
        Deepest nesting of arrays and objects accepted.

    Returns
    -------
    Any
        The parsed value.

    Raises
    ------
    UnreadableJournal
        With a plain reason: too big, not UTF-8, nested too deep, or not valid JSON.
    """
    max_bytes = MAX_JOURNAL_BYTES if max_bytes is None else max_bytes
    if len(raw) > max_bytes:
        raise UnreadableJournal(f"it is too large ({len(raw):,} bytes; at most {max_bytes:,})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableJournal(f"it is not UTF-8 text (byte {exc.start})") from None
    try:
        depth = _nesting(text)
    except MemoryError:
        raise UnreadableJournal("it is too large to read") from None
    if depth > max_depth:
        raise UnreadableJournal(f"it is nested too deep ({depth} levels; at most {max_depth})")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise UnreadableJournal(f"it is not valid JSON ({str(exc)[:200]})") from None
    except MemoryError:
        raise UnreadableJournal("it is too large to read") from None


def fresh_state() -> dict[str, Any]:
    """An empty journal of the current schema.

    Returns
    -------
    dict
        ``schema_version``, and empty ``participant``, ``answers`` and ``saved_at``.
    """
    return {"schema_version": SCHEMA_VERSION, "participant": {}, "answers": {}, "saved_at": {}}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_journal(raw: bytes) -> dict[str, Any]:
    """Turn file bytes into a journal state.

    Parameters
    ----------
    raw : bytes
        The file's bytes; empty bytes are a fresh journal.

    Returns
    -------
    dict
        The state, with ``participant`` and ``saved_at`` filled in when missing.

    Raises
    ------
    UnreadableJournal
        With a plain reason: not UTF-8, not JSON, no schema version, a newer schema, ...
    """
    if not raw:
        return fresh_state()
    data = load_json_bounded(raw)
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


def _read_capped(path: str | os.PathLike[str]) -> bytes:
    """A file's bytes, never more than one byte over the cap into memory."""
    try:
        with Path(path).open("rb") as handle:
            return handle.read(MAX_JOURNAL_BYTES + 1)
    except OSError as exc:
        raise UnreadableJournal(f"it cannot be read ({exc.strerror or exc})") from None
    except MemoryError:
        raise UnreadableJournal("it is too large to read") from None


def read_json_file(path: str | os.PathLike[str]) -> Any:
    """Any JSON file a participant could have handed in, read within the journal's limits.

    Why: a tool that must tell a journal from some other JSON file (a manifest, an export)
    beside it parses the file first; that parse must be as safe as the journal reader's.

    Parameters
    ----------
    path : path-like
        The file.

    Returns
    -------
    Any
        The parsed value.

    Raises
    ------
    UnreadableJournal
        When it cannot be read, is too large or too deep, or is not JSON.
    """
    return load_json_bounded(_read_capped(path))


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
    raw = _read_capped(path)
    if not raw.strip():
        raise UnreadableJournal("it is empty")
    return without_private(parse_journal(raw))


def without_private(state: dict[str, Any]) -> dict[str, Any]:
    """The journal state as a facilitator may see it: private answers left out.

    Why here: every facilitator tool reads journals through :func:`read_journal_data` or
    receives them through ``collect``; filtering in those two places means no report, status
    page or export can show a learner's self-scores by forgetting to.

    Parameters
    ----------
    state : dict
        A parsed journal state.

    Returns
    -------
    dict
        The same state (changed in place) without ``private.*`` answers and their save
        times, unless the learner set ``welcome.share_self_assessment`` to true.
    """
    answers = state.get("answers")
    if not isinstance(answers, dict) or answers.get(SHARE_PRIVATE_KEY) is True:
        return state
    for key in [k for k in answers if k.startswith(PRIVATE_PREFIX)]:
        del answers[key]
    saved = state.get("saved_at")
    if isinstance(saved, dict):
        for key in [k for k in saved if k.startswith(PRIVATE_PREFIX)]:
            del saved[key]
    return state


def private_removed(raw: bytes) -> bytes:
    """A journal file's bytes with its private answers removed, for ``collect``.

    Parameters
    ----------
    raw : bytes
        A ``journal.json`` (or its backup) as handed in.

    Returns
    -------
    bytes
        The file re-encoded without private answers; the same bytes when it holds none, is
        shared, or cannot be read (a damaged file is the grader's to report, untouched).
    """
    if PRIVATE_PREFIX.encode() not in raw:
        return raw
    try:
        state = parse_journal(raw)
    except JournalError:
        return raw
    before = len(state["answers"])
    without_private(state)
    return raw if len(state["answers"]) == before else encode_journal(state)


def encode_journal(state: Mapping[str, Any]) -> bytes:
    """The bytes written to disk: indented UTF-8 JSON, readable by a person.

    Parameters
    ----------
    state : mapping
        A journal state.

    Returns
    -------
    bytes
    """
    text = json.dumps(state, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _describe(where: str) -> str:
    return f" (at {where})" if where else ""


def plain_value(value: Any, label: str, where: str = "", depth: int = 0) -> Any:
    """Return a JSON-plain copy of ``value`` or raise JournalError naming what is wrong and where.

    json.dumps alone would silently turn tuples into lists (fine, we do the same) but also
    dict keys 1 and True into "1" and "true", so the answer read back would differ from the
    answer saved; we refuse those instead, and say exactly which part is the problem.

    Parameters
    ----------
    value : Any
        The answer to be saved.
    label : str
        The exercise id, for the message.
    where : str
        The path inside the value reached so far (used by the recursion).
    depth : int
        How deep the recursion is, to refuse runaway nesting.

    Returns
    -------
    Any
        Plain JSON data equal to ``value``.

    Raises
    ------
    JournalError
        For anything the journal cannot store faithfully.
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
        return [plain_value(item, label, f"{where}[{i}]", depth + 1)
                for i, item in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise JournalError(
                    f"The answer for '{label}' uses the key {key!r}{_describe(where)}; journal "
                    "keys must be text. Use str(key), e.g. '1' instead of 1."
                )
            out[plain_value(key, label, where, depth + 1)] = plain_value(
                item, label, f"{where}[{key!r}]", depth + 1
            )
        return out
    kind = type(value).__name__
    hint = " Use a list instead of a set." if isinstance(value, set | frozenset) else ""
    raise JournalError(
        f"The answer for '{label}' contains a value of type {kind}{_describe(where)}, which "
        f"the journal cannot store. Save text, numbers, true/false, lists or dicts only.{hint}"
    )


def check_exercise_id(exercise_id: Any) -> str:
    """Refuse an exercise id a journal key cannot be.

    Parameters
    ----------
    exercise_id : Any
        The id a widget saves under, such as ``"request.draft"``.

    Returns
    -------
    str
        The id, unchanged.

    Raises
    ------
    JournalError
        When it is not 1 to 64 of ``a-z 0-9 _ . -``.
    """
    if not isinstance(exercise_id, str) or not EXERCISE_ID_PATTERN.fullmatch(exercise_id):
        raise JournalError(
            f"{exercise_id!r} is not a valid exercise id. Use 1 to 64 characters from lowercase "
            "letters, digits, '_', '.' and '-', for example 'request.draft'."
        )
    return exercise_id


def serialised_size(value: Any, label: str) -> int:
    """The size of an answer once saved, refusing one over :data:`MAX_VALUE_BYTES`.

    Parameters
    ----------
    value : Any
        A plain answer.
    label : str
        The exercise id, for the message.

    Returns
    -------
    int
        Bytes of UTF-8 JSON.

    Raises
    ------
    JournalError
        When the answer is too large to keep every notebook fast.
    """
    size = len(json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    if size > MAX_VALUE_BYTES:
        raise JournalError(
            f"The answer for '{label}' is {size:,} bytes once saved; the limit is "
            f"{MAX_VALUE_BYTES:,} bytes (about 1 MB). Shorten it, or keep large material in "
            "a separate file and save only its name here. Nothing was saved."
        )
    return size


def same_value(a: Any, b: Any) -> bool:
    """Whether two answers are the same answer (``True`` and ``1`` are not).

    Parameters
    ----------
    a, b : Any
        Plain answers.

    Returns
    -------
    bool
    """
    # Compare serialised forms: in Python True == 1 == 1.0, but they are different answers.
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
