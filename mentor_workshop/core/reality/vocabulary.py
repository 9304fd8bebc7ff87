"""Which words are real English words: an offline word list, loaded once, on first use.

The list ships inside this package (``data/words-en.txt.gz``), so nothing is downloaded at run
time. Its words are those of the English frequency list in pyspellchecker's wheel
(``spellchecker/resources/en.json.gz``, MIT licence), kept as a sorted plain-text list because
the kit needs only which words exist: it loads in a quarter of the time the JSON of counts took,
and every ``status`` run and every participant's first check pays that time.
``scripts/build-word-list.py`` rebuilds it; a test checks it still equals pyspellchecker's. It is
read lazily, once per kernel, because the first notebook cell should not pay for it.

Real text is full of words such a list lacks, so the judgement is lenient by design: British
spellings are tried as their American forms, inflections as their stem, hyphenated words part
by part, and the facilitator's ``extra_words`` are accepted as they are. Names are the caller's
business (capitalised words are not looked up here).
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterable
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


#: The shipped list's file name, in the ``data`` folder beside this module.
WORDS_FILE = "words-en.txt.gz"


def _load() -> frozenset[str]:
    data = (importlib_resources.files(__package__) / "data" / WORDS_FILE).read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split("\n"))


def source_words() -> frozenset[str]:
    """The words of pyspellchecker's English frequency list, the source of the shipped list.

    Only the rebuild script and the test that compares the two need pyspellchecker.

    Returns
    -------
    frozenset of str
        Every word in ``spellchecker/resources/en.json.gz``.
    """
    source = importlib_resources.files("spellchecker") / "resources" / "en.json.gz"
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        return frozenset(json.load(fh))


def encode_words(words: Iterable[str]) -> bytes:
    """The shipped file's bytes for ``words``: sorted, one per line, gzipped with no timestamp.

    The same words always give the same bytes, so a rebuild changes the file only when the
    words change.

    Parameters
    ----------
    words : iterable of str
        The words; none may contain a line break.

    Returns
    -------
    bytes
        The gzipped list.
    """
    text = "\n".join(sorted(set(words)))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


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
