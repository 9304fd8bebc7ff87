"""The draft cut into words and sentences, with the counts the readability grade needs.

All measures are home-made heuristics (no textstat, no nltk): nothing here may download
anything at run time, and a rough count a participant can check beats an opaque one.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from functools import cached_property, lru_cache

from mentor_workshop.core.feedback.phrases import ANY_KEY, KEY_LEN, NUM_KEY

# A word: letters and digits, joined across an apostrophe or hyphen ("you're", "20-minute").
# Group 1 is the key (first letters) of its first run of letters; group 2 the key of the run
# after an apostrophe or hyphen inside the word, if any.
WORD_KEY_RE = re.compile(
    rf"([^\W_]{{1,{KEY_LEN}}})[^\W_]*(?:['’\-]([^\W_]{{1,{KEY_LEN}}})[^\W_]*)?"
    r"(?:['’\-][^\W_]+)*"
)

_NON_SPACE_RE = re.compile(r"\S")
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"'’”)\]]*(?=\s|$)|\n")
# A full stop after one of these does not end the sentence ("Dear Dr. Lee").
_ABBREVIATIONS = frozenset(
    {
        "dr",
        "mr",
        "mrs",
        "ms",
        "mx",
        "prof",
        "st",
        "jr",
        "sr",
        "vs",
        "mt",
        "dept",
        "approx",
        "fig",
        "eg",
        "ie",
        "e.g",
        "i.e",
        "cf",
    }
)
_VOWEL_GROUP_RE = re.compile(r"[aeiouy]+")
_NON_LETTERS_RE = re.compile(r"[\W\d_]+")
_VOWELS = frozenset("aeiouy")


def split_words(text: str) -> list[str]:
    """The words of ``text`` as the phrase banks see them.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    list of str
        Its words, joined across an apostrophe or hyphen ("you're", "20-minute").
    """
    return [m.group() for m in WORD_KEY_RE.finditer(text)]


@lru_cache(maxsize=16384)
def count_syllables(word: str) -> int:
    """A rough syllable count (vowel groups, minus silent endings); never below one.

    Parameters
    ----------
    word : str
        One word as :func:`split_words` gives it.

    Returns
    -------
    int
        At least 1; a number counts as 1 or 2.
    """
    w = word.lower()
    if not w.isalpha():
        w = _NON_LETTERS_RE.sub("", w)
        if not w:  # a number: "20" reads as one or two syllables; close enough
            return 1 if len(word) <= 2 else 2
    if len(w) <= 3:
        return 1
    count = len(_VOWEL_GROUP_RE.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1  # make, share, note
    elif w.endswith("le") and w[-3] in _VOWELS and count > 1:
        count -= 1  # while, scale
    if w.endswith("ed") and w[-3] not in "td" and count > 1 and w[-3] not in _VOWELS:
        count -= 1  # helped, learned (but wanted, needed keep theirs)
    elif w.endswith("es") and w[-3] not in "sxzcgh" and count > 1 and w[-3] not in _VOWELS:
        count -= 1  # makes, notes (but boxes, pages keep theirs)
    if w.endswith(("ia", "io", "ium", "ious")) and not w.endswith(("tion", "sion", "cious")):
        count += 1  # media, radio, stadium
    return max(1, count)


def flesch_kincaid_grade(words: int, sentences: int, syllables: int) -> float:
    """The Flesch–Kincaid grade level from counts (0.0 when there is nothing to measure).

    Parameters
    ----------
    words : int
        Number of words.
    sentences : int
        Number of sentences.
    syllables : int
        Number of syllables in those words.

    Returns
    -------
    float
        The US school grade needed to read the text; 0.0 when ``words`` or ``sentences`` is 0.
    """
    if words <= 0 or sentences <= 0:
        return 0.0
    return 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59


def index_words(text: str) -> tuple[list[tuple[int, int]], dict[str, list]]:
    """One pass over the words: their spans and an index for the phrase banks.

    The index maps a first key to ``[(word start, second key), ...]``. Phrases are only tried
    at the start of a whole word, so "urgent" does not fire inside "non-urgent".

    Parameters
    ----------
    text : str
        The draft.

    Returns
    -------
    tuple
        ``(word spans, index)``; the index also has every word under ``ANY_KEY`` and the
        words that start with a digit under ``NUM_KEY``.
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lowered
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    found = list(WORD_KEY_RE.finditer(lowered))
    spans = [m.span() for m in found]
    groups = [m.groups() for m in found]
    firsts = [g[0] for g in groups]
    # The second key is the run after an apostrophe or hyphen, else the next word's first.
    nexts = [*firsts[1:], None] if firsts else []
    seconds = [g[1] or nxt for g, nxt in zip(groups, nexts, strict=True)]
    index: dict[str, list] = defaultdict(list)
    for k1, k2, (start, _) in zip(firsts, seconds, spans, strict=True):
        index[k1].append((start, k2))
    digits = sorted(e for k, v in index.items() if k[0].isdigit() for e in v)
    index[ANY_KEY] = [(s, None) for s, _ in spans]
    if digits:
        index[NUM_KEY] = digits
    return spans, index


class Doc:
    """The text cut once into words and sentences, shared by every signal."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.word_spans, self.index = index_words(text)
        self.word_starts = [s for s, _ in self.word_spans]
        self.word_count = len(self.word_spans)
        self.sentences = self._split_sentences()
        self.sentence_starts = [s for s, _ in self.sentences]

    @cached_property
    def syllables(self) -> list[int]:
        """Running syllable totals (``syllables[i]``: in the first ``i`` words), so the reading
        grade of any sentence is two look-ups. Worked out on first use: only the readability
        signal reads it, and the step checks never ask for that one."""
        words = (self.text[start:end] for start, end in self.word_spans)
        return list(itertools.accumulate(map(count_syllables, words), initial=0))

    def _split_sentences(self) -> list[tuple[int, int]]:
        text = self.text
        out: list[tuple[int, int]] = []
        start = 0
        for m in _SENTENCE_END_RE.finditer(text):
            mark = m.group()
            if mark == "\n":
                if not self._newline_ends_sentence(start, m.start()):
                    continue
                end = m.start()
            else:
                if mark[0] == "." and self._is_abbreviation(m.start()):
                    continue
                end = m.end()
            self._add(out, start, end)
            start = m.end()
        self._add(out, start, len(text))
        return out

    def _newline_ends_sentence(self, start: int, pos: int) -> bool:
        before = self.text[start:pos].rstrip()
        if not before:
            return True
        nxt = _NON_SPACE_RE.search(self.text, pos + 1)
        # A hard-wrapped line continues the sentence: it ends mid-phrase and goes on in lowercase.
        return not (nxt is not None and nxt.group().islower() and before[-1:].isalnum())

    def _is_abbreviation(self, dot: int) -> bool:
        i = dot
        while i > 0 and (self.text[i - 1].isalpha() or self.text[i - 1] == "."):
            i -= 1
        word = self.text[i:dot].lower()
        return word in _ABBREVIATIONS or (len(word) == 1 and self.text[i].isupper())

    def _add(self, out: list[tuple[int, int]], start: int, end: int) -> None:
        seg = self.text[start:end]
        stripped = seg.strip()
        if not stripped or not any(c.isalnum() for c in stripped):
            return
        lead = len(seg) - len(seg.lstrip())
        out.append((start + lead, start + lead + len(stripped)))

    def sentence_of(self, pos: int) -> int:
        """Index of the sentence that holds character ``pos`` (0 before the first)."""
        return max(0, bisect.bisect_right(self.sentence_starts, pos) - 1)

    def word_range(self, start: int, end: int) -> tuple[int, int]:
        """Indices ``lo:hi`` of the words that start within ``start:end``."""
        return (
            bisect.bisect_left(self.word_starts, start),
            bisect.bisect_left(self.word_starts, end),
        )

    def word_index(self, pos: int) -> int:
        """Number of words that start at or before character ``pos``."""
        return bisect.bisect_right(self.word_starts, pos)

    def is_question(self, sentence: tuple[int, int]) -> bool:
        """Whether the sentence span ends with a question mark (closing quotes ignored)."""
        return self.text[sentence[0] : sentence[1]].rstrip("\"'’”)] ").endswith("?")
