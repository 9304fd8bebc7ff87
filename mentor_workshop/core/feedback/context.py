"""What the participant told us about their leader, and where the draft mentions it.

Naming the leader's work lets the rules recognise a specific compliment ("your piece on
hiring juniors") that the general phrase lists would miss.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Mapping
from functools import lru_cache

from mentor_workshop.core.feedback.phrases import (
    ANY_RE,
    APOSTROPHES,
    DASHES,
    WS_RE,
    literal_phrase_regex,
)
from mentor_workshop.core.feedback.text import split_words

CONTEXT_KEYS = ("leader_name", "leader_role", "leader_work", "first_name")

# Too common to show that a draft names the work ("the talk on hiring" -> "hiring").
_STOPWORDS = frozenset(
    {
        "the",
        "a",
        "an",
        "her",
        "his",
        "their",
        "my",
        "our",
        "your",
        "its",
        "of",
        "on",
        "in",
        "at",
        "for",
        "and",
        "to",
        "with",
        "by",
        "from",
        "about",
        "how",
        "what",
        "that",
        "this",
        "book",
        "talk",
        "work",
    }
)
# Not part of a name a draft would use in "Maria's keynote".
_TITLES = frozenset(
    {
        "dr",
        "dr.",
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "mx",
        "mx.",
        "prof",
        "prof.",
        "professor",
        "sir",
        "dame",
    }
)


def clean_context(context: Mapping | None) -> dict[str, str]:
    """The known keys with non-empty text, stripped; anything else is a caller's mistake.

    Parameters
    ----------
    context : mapping or None
        What the journal knows about the leader; keys outside ``CONTEXT_KEYS`` are ignored.

    Returns
    -------
    dict of str to str
        The ``CONTEXT_KEYS`` present with non-blank text, stripped.

    Raises
    ------
    TypeError
        When ``context`` is not a mapping or a known key holds something other than text.
    """
    if context is None:
        return {}
    if not isinstance(context, Mapping):
        raise TypeError(
            f"context must be a mapping such as {{'leader_name': 'Ana Ruiz'}}, "
            f"not {type(context).__name__}"
        )
    out = {}
    for key in CONTEXT_KEYS:
        value = context.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError(f"context[{key!r}] must be text, not {type(value).__name__}")
        if value.strip():
            out[key] = value.strip()
    return out


def _whole_words(regex: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![^\W_]){regex}(?![^\W_])", re.IGNORECASE)


@lru_cache(maxsize=256)
def _work_patterns(work: str) -> tuple[str | None, tuple[tuple[str, re.Pattern[str]], ...]]:
    stripped = re.sub(r"^(?:the|a|an|her|his|their|your)\s+", "", work.strip(), flags=re.I)
    exact = None
    if len(split_words(stripped)) >= 2:
        exact = _folded(stripped)[0]
    content = [
        w
        for w in dict.fromkeys(split_words(work))
        if (len(w) >= 4 or w[:1].isdigit()) and w.lower() not in _STOPWORDS
    ]
    return exact, tuple((w.lower().translate(_ONE_APOSTROPHE), _word_pattern(w)) for w in content)


@lru_cache(maxsize=64)
def _lowered(text: str) -> str:
    """``text`` in lower case with one kind of apostrophe, for the substring tests above."""
    return text.lower().translate(_ONE_APOSTROPHE)


@lru_cache(maxsize=4096)
def _word_pattern(word: str) -> re.Pattern[str]:
    """One content word's pattern. Kept per word, not per title: a cohort's titles differ but
    share most of their words."""
    return _whole_words(literal_phrase_regex(word))


_SEPARATOR = re.compile(rf"\s*{DASHES}\s*|\s+")


@lru_cache(maxsize=64)
def _folded(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """``text`` lower-cased, with one kind of apostrophe and every run of spaces or a dash
    between words as one space; and for each piece, where it starts in both texts.

    A whole title is matched this way rather than by compiling a pattern for it: every
    participant names a different piece of work, and compiling a case-insensitive pattern per
    title was most of the cost of checking a cohort. It matches what the phrase patterns match
    (:data:`~mentor_workshop.core.feedback.phrases.WS_RE` between words, any apostrophe). Kept
    for the last texts, since each draft is searched for the title more than once."""
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer: keep it as typed
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    low = low.translate(_ONE_APOSTROPHE)
    pieces: list[str] = []
    starts: list[tuple[int, int]] = []  # (start in the folded text, start in the text)
    pos = folded_pos = 0
    for m in _SEPARATOR.finditer(low):
        pieces.append(low[pos:m.start()])
        starts.append((folded_pos, pos))
        folded_pos += m.start() - pos
        pieces.append(" ")
        starts.append((folded_pos, m.start()))
        folded_pos += 1
        pos = m.end()
    pieces.append(low[pos:])
    starts.append((folded_pos, pos))
    return "".join(pieces), tuple(starts)


_ONE_APOSTROPHE = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))


def _origin(starts: tuple[tuple[int, int], ...], folded_index: int) -> int:
    """Where a character of the folded text came from in the text."""
    piece = bisect.bisect_right(starts, (folded_index, float("inf"))) - 1
    folded_start, start = starts[piece]
    return start + (folded_index - folded_start)


def _find_title(text: str, title: str) -> tuple[int, int] | None:
    """The span of the folded ``title`` in ``text`` as whole words, or None."""
    folded, starts = _folded(text)
    start = folded.find(title)
    while start >= 0:
        end = start + len(title)
        before = folded[start - 1] if start > 0 else " "
        after = folded[end] if end < len(folded) else " "
        if not before.isalnum() and not after.isalnum():
            return _origin(starts, start), _origin(starts, end - 1) + 1
        start = folded.find(title, start + 1)
    return None


def work_mentions(text: str, work: str) -> list[tuple[int, int]]:
    """Where ``text`` mentions the leader's ``work``: the whole title, or most of its words.

    Parameters
    ----------
    text : str
        The draft.
    work : str
        What the participant said the leader did or made, e.g. "the keynote on hiring juniors".

    Returns
    -------
    list of tuple of int
        The span of the whole title; else the spans of its content words when at least 60%
        (and at least two, if it has two) appear; else empty.
    """
    work = work.strip()
    if not work:
        return []
    exact, words = _work_patterns(work)
    # Most drafts lack most of these words: a plain substring test on the lower-cased text
    # rules a word out before any pattern runs (ASCII only, where lower case is exactly what
    # the patterns' IGNORECASE matches).
    low = _lowered(text) if text.isascii() else None
    if exact and (low is None or all(part in low for part in exact.split(" "))):
        span = _find_title(text, exact)
        if span is not None:
            return [span]
    if not words:
        return []
    found = []
    for needle, rx in words:
        if low is not None and needle not in low:
            continue
        m = rx.search(text)
        if m:
            found.append((m.start(), m.end()))
    needed = max(min(2, len(words)), math.ceil(0.6 * len(words)))
    return found if len(found) >= needed else []


@lru_cache(maxsize=256)
def _name_work_pattern(name: str, work_rx: str) -> re.Pattern[str] | None:
    parts = [p for p in name.split() if p.lower() not in _TITLES and len(p) >= 2]
    if not parts:
        return None
    alts = sorted({" ".join(parts), *parts}, key=len, reverse=True)
    names = "|".join(literal_phrase_regex(a) for a in alts)
    return _whole_words(f"(?:{names})[{APOSTROPHES}]s?{WS_RE}(?:{ANY_RE}{WS_RE})?{work_rx}")


def name_work_mentions(text: str, name: str, work_noun_regex: str) -> list[tuple[int, int]]:
    """A mention such as "Maria's keynote": specific admiration in the third person.

    Parameters
    ----------
    text : str
        The draft.
    name : str
        The leader's name; titles such as "Dr." are dropped, and any one name part matches.
    work_noun_regex : str
        A regex for the nouns that name a piece of work (from the rules file).

    Returns
    -------
    list of tuple of int
        Every ``(start, end)`` span of a name, possessive, optional word and work noun.
    """
    name = name.strip()
    if not name:
        return []
    rx = _name_work_pattern(name, work_noun_regex)
    return [(m.start(), m.end()) for m in rx.finditer(text)] if rx else []
