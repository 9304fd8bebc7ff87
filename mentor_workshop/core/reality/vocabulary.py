"""Which words are real English words: an offline frequency list, loaded once, on first use.

The list is the English word-frequency file that ships inside pyspellchecker's wheel
(``spellchecker/resources/en.json.gz``), so nothing is downloaded at run time. It is read
lazily, once per kernel, because the feedback panel asks on every keystroke and the first
notebook cell should not pay for it.

Real text is full of words such a list lacks, so the judgement is lenient by design: British
spellings are tried as their American forms, inflections as their stem, hyphenated words part
by part, and the facilitator's ``extra_words`` are accepted as they are. Names are the caller's
business (capitalised words are not looked up here).
"""

from __future__ import annotations

import gzip
import json
import threading
from functools import lru_cache
from importlib import resources as importlib_resources

_lock = threading.Lock()
_words: frozenset[str] | None = None

#: British endings and the American ones the list uses (tried in order, first match wins).
_SPELLINGS = (
    ("isation", "ization"), ("isations", "izations"), ("ise", "ize"), ("ised", "ized"),
    ("ises", "izes"), ("ising", "izing"), ("iser", "izer"), ("isers", "izers"),
    ("yse", "yze"), ("ysed", "yzed"), ("ysing", "yzing"), ("our", "or"), ("ours", "ors"),
    ("oured", "ored"), ("ouring", "oring"), ("ourite", "orite"), ("ourable", "orable"),
    ("tre", "ter"), ("tres", "ters"), ("ogue", "og"), ("ogues", "ogs"), ("ence", "ense"),
    ("mme", "m"), ("mmes", "ms"), ("lled", "led"), ("lling", "ling"), ("ller", "ler"),
    ("eable", "able"), ("ement", "ment"),
)
#: Endings an inflected or derived word may add to a word the list knows.
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "er", "ers", "est", "ness", "ment", "ful", "ish")


def _load() -> frozenset[str]:
    source = importlib_resources.files("spellchecker") / "resources" / "en.json.gz"
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        counts = json.load(fh)
    return frozenset(counts)


def words() -> frozenset[str]:
    """The English words of the shipped frequency list, loaded on the first call.

    Returns
    -------
    frozenset of str
        Lower-case words (about 160,000), shared by every caller in the kernel.
    """
    global _words
    if _words is None:
        with _lock:
            if _words is None:
                _words = _load()
    return _words


@lru_cache(maxsize=65536)
def is_known(word: str, extra: frozenset[str] = frozenset()) -> bool:
    """Whether a lower-case word is English, allowing for spelling variants and inflections.

    Cached, because a participant retypes the same words many times while editing.

    Parameters
    ----------
    word : str
        One lower-case word; apostrophes are straight (``'``).
    extra : frozenset of str
        Words to accept as they are (the facilitator's ``extra_words``).

    Returns
    -------
    bool
        True when the list (or ``extra``) has the word, its American spelling, its stem, or,
        for a hyphenated word, every part.
    """
    vocab = words()
    if word in vocab or word in extra:
        return True
    if word.endswith(("'s", "s'")):
        return is_known(word[:-2], extra)
    if "-" in word:
        parts = [p for p in word.split("-") if p]
        return bool(parts) and all(is_known(p, extra) for p in parts)
    for british, american in _SPELLINGS:
        if word.endswith(british) and len(word) > len(british) + 1:
            variant = word[: -len(british)] + american
            if variant in vocab or variant in extra:
                return True
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if stem in vocab or stem in extra or stem + "e" in vocab:
                return True
    return False
