"""Loading ``exercises/reality.yaml``: the texts, thresholds and word lists of the judgement.

Kept as data so a facilitator can reword a message or add a word of their field's jargon
without touching Python. The file is read once per change (checked by its modification time),
since the judgement runs on every keystroke in the feedback panel.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from mentor_workshop.core import resources
from mentor_workshop.errors import ContentError

REALITY_FILE = "reality.yaml"

#: The message keys the code reads; the file must define every one.
MESSAGE_KEYS = (
    "empty", "mash", "nonwords", "single_letters", "filler", "lorem", "repeated_words",
    "repeated_sentences", "copied", "blank", "date_missing", "date_past", "date_far",
)


class Thresholds(BaseModel):
    """The numbers behind each verdict (see the comments in the YAML file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    nonword_share: float
    nonword_share_many: float
    nonword_many: int
    repeated_run: int
    distinct_share: float
    distinct_min_words: int
    top_word_share: float
    copied_similarity: float
    date_max_days_ahead: int
    date_grace_days: int


class RealityConfig(BaseModel):
    """The whole file, validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    messages: dict[str, str]
    thresholds: Thresholds
    lorem_words: frozenset[str]
    filler_words: frozenset[str]
    extra_words: frozenset[str]


_lock = threading.Lock()
_cache: dict[Path, tuple[int, RealityConfig]] = {}


def _path() -> Path:
    """The facilitator's copy when their exercises folder has one, else the shipped file."""
    own = resources.exercises_dir() / REALITY_FILE
    if own.is_file():
        return own
    return resources._data_dir("exercises") / REALITY_FILE  # an adapted folder may predate it


def _read(path: Path) -> RealityConfig:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        config = RealityConfig.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError) as exc:
        raise ContentError(f"{path}: cannot read the reality rules: {exc}") from None
    missing = [k for k in MESSAGE_KEYS if k not in config.messages]
    if missing:
        raise ContentError(f"{path}: messages: missing {', '.join(missing)}")
    return config


def load_config() -> RealityConfig:
    """The validated reality rules, re-read only when the file changes.

    Returns
    -------
    RealityConfig
        Messages, thresholds and word lists.

    Raises
    ------
    ContentError
        When the file cannot be read or lacks a message; names the file.
    """
    now = time.monotonic()
    where = os.environ.get(resources.EXERCISES_ENV, "")  # a facilitator's folder changes it
    recent = _recent.get(where)
    if recent is not None and now - recent[0] < _RECHECK_SECONDS:
        return recent[1]
    path = _path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1
    with _lock:
        hit = _cache.get(path)
    if hit is None or hit[0] != stamp:
        hit = (stamp, _read(path))
        with _lock:
            _cache[path] = hit
    _recent[where] = (now, hit[1])
    return hit[1]


#: The file is looked at again at most this often. Every check judges dozens of answers, and
#: ``status`` checks a thousand journals: a stat per answer was most of its time, while an edit
#: by a facilitator only has to show up within a second.
_RECHECK_SECONDS = 1.0
_recent: dict[str, tuple[float, RealityConfig]] = {}
