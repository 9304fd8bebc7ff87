"""The judgement on a piece of text: is it an answer, or filler standing in for one?

Each test below looks for one kind of filler and, when it finds it, says so kindly and
specifically, quoting what it found. They run from the surest to the most lenient, and the first
that fires gives the verdict, so a participant gets one sentence to act on, not a list.

How strict depends on what the box is for (``kind``):

- ``"short"``: a name, a role, a channel. Names are rarely dictionary words, so only keyboard
  mash, lorem ipsum, filler words, single letters, blanks and copied examples count against it.
- ``"words"``: a phrase or a sentence or two. Unrecognised words count too, and the same word
  or sentence over and over.
- ``"prose"``: a message or note, judged as ``"words"`` is (the kind says what the box is for,
  so a future test can tell them apart without changing every caller).

The whole judgement must stay fast (it runs on keystrokes): word look-ups are cached, and the
similarity to examples is measured only when a cheap upper bound says it could be high.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Literal

from mentor_workshop.core.reality.config import RealityConfig, load_config
from mentor_workshop.core.reality.vocabulary import is_known

Kind = Literal["prose", "words", "short"]
KINDS: tuple[str, ...] = ("prose", "words", "short")


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a text is real, and if not, why (``signal``) in words a participant can act on."""

    ok: bool
    reason: str | None = None
    signal: str | None = None

    def __bool__(self) -> bool:
        return self.ok


OK = Verdict(True)

_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\S*\d\S*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…\n]+")
_VOWELS = frozenset("aeiouy")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
#: Four keys in a row on a keyboard; "erty" and "wert" are left out (liberty, property, Schwert).
_KEY_RUNS = frozenset(
    row[i : i + 4] for row in (*_ROWS, *(r[::-1] for r in _ROWS)) for i in range(len(row) - 3)
) - {"erty", "wert", "ytre", "trew"}
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{6,}")
_SAME_LETTER = re.compile(r"([a-z])\1{3,}")
#: Blanks a starter text or an example leaves to fill: [name], {name}, ___ (not <b>: a
#: participant may type markup, which is escaped on display, never a blank).
_BLANK = re.compile(r"\[[^\]\n]{1,40}\]|\{[^}\n]{1,40}\}|_{3,}")
#: " ... " standing alone, as in "Dear ..., I'm ...": a blank only where an example has them.
_DOTS = re.compile(r"(?:^|\s)(?:\.{3}|…)(?=[\s,;:]|$)")
_EG = re.compile(r"^\s*(?:e\.?\s?g\.?|for example|example)[,:]?\s+", re.IGNORECASE)


#: One word: its text (a curly apostrophe made straight), lower case, and sentence number. A
#: plain tuple: a large cohort tokenises a million words, and a tuple is the cheapest record.
_Token = tuple[str, str, int]


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[tuple[_Token, ...], tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The words of ``text``, their lower case, and the lower-case words of each sentence.

    Kept for the texts seen last: each is judged, and compared with examples, more than once.
    """
    out: list[_Token] = []
    sentences: list[tuple[str, ...]] = []
    for n, chunk in enumerate(_SENTENCE_END.split(text.replace("’", "'"))):
        words = _TOKEN.findall(chunk)
        if words:
            lows = tuple(word.lower() for word in words)
            out.extend(zip(words, lows, itertools.repeat(n), strict=False))
            sentences.append(lows)
    return tuple(out), tuple(low for _, low, _ in out), tuple(sentences)


@lru_cache(maxsize=65536)
def _is_mash(word: str, known: bool) -> bool:
    """Keys pressed for the sake of it: a run along a keyboard row, a letter held down, or a
    long word with no vowel (which English does not have)."""
    low = word.lower()
    if len(low) < 4 or not low.isalpha() or not low.isascii() or known:
        return False
    if any(low[i : i + 4] in _KEY_RUNS for i in range(len(low) - 3)):
        return True
    if _SAME_LETTER.search(low):
        return True
    if word.isupper():
        return False  # an acronym such as KPMG
    return (len(low) >= 5 and not (_VOWELS & set(low))) or bool(_CONSONANT_RUN.search(low))


def _quote(words: Iterable[str], limit: int = 3) -> str:
    picked = list(dict.fromkeys(words))[:limit]
    return ", ".join(f"“{w}”" for w in picked)


def _say(cfg: RealityConfig, signal: str, **fields: object) -> Verdict:
    values = {"example": "", "count": "", "days": ""}
    values.update({k: str(v) for k, v in fields.items()})
    return Verdict(False, cfg.messages[signal].format_map(values), signal)


def _normal(text: str) -> tuple[str, ...]:
    return _tokens(_EG.sub("", text))[1]


@lru_cache(maxsize=4096)
def _normal_source(text: str) -> tuple[tuple[str, ...], Counter[str]]:
    """An example's or template's words and their counts: the same few hundred texts, compared
    again and again."""
    words = _normal(text)
    return words, Counter(words)


def similarity(a: str, b: str) -> float:
    """How alike two texts are, word by word (1.0: the same words in the same order).

    Parameters
    ----------
    a, b : str
        The texts; case, punctuation and a leading "e.g." are ignored.

    Returns
    -------
    float
        difflib's ratio over the two word sequences, between 0 and 1.
    """
    wa, wb = _normal(a), _normal(b)
    if not wa or not wb:
        return 0.0
    matcher = SequenceMatcher(None, wa, wb, autojunk=False)
    return matcher.ratio() if matcher.real_quick_ratio() >= 0.5 else 0.0


def _copied(text: str, sources: Iterable[str], cfg: RealityConfig) -> bool:
    """Whether ``text`` is (nearly) one of ``sources``, word for word.

    difflib's ratio is bounded above by the lengths alone and then by the shared words; both
    bounds are checked before a matcher is built, since most answers are far longer or shorter
    than any example and building the matcher is the dear part.
    """
    limit = cfg.thresholds.copied_similarity
    words = _normal(text)
    if not words:
        return False
    counts: Counter[str] | None = None
    for source in sources:
        if not isinstance(source, str):
            continue
        theirs, their_counts = _normal_source(source)
        total = len(words) + len(theirs)
        if not theirs or 2 * min(len(words), len(theirs)) < limit * total:
            continue
        counts = Counter(words) if counts is None else counts
        if 2 * sum((counts & their_counts).values()) < limit * total:
            continue
        if SequenceMatcher(None, words, theirs, autojunk=False).ratio() >= limit:
            return True
    return False


def _repeated_sentences(sentences: tuple[tuple[str, ...], ...], cfg: RealityConfig
                        ) -> Verdict | None:
    if len(sentences) < 2:
        return None
    counts = Counter(" ".join(words) for words in sentences)
    top, n = counts.most_common(1)[0]
    if n < 2:
        return None
    long_twice = len(top.split()) >= 6
    if long_twice or len(counts) == 1 or n >= 3:
        return _say(cfg, "repeated_sentences", example=top, count=n)
    return None


def _repeated_words(lowers: tuple[str, ...], cfg: RealityConfig) -> Verdict | None:
    t = cfg.thresholds
    run, best = 1, (1, "")
    for prev, cur in itertools.pairwise(lowers):
        if cur == prev:
            run += 1
            if run > best[0]:
                best = (run, cur)
        else:
            run = 1
    if best[0] >= t.repeated_run:
        return _say(cfg, "repeated_words", example=best[1], count=lowers.count(best[1]))
    if len(lowers) >= t.distinct_min_words:
        counts = Counter(lowers)
        word, n = counts.most_common(1)[0]
        if len(counts) < t.distinct_share * len(lowers) or n > t.top_word_share * len(lowers):
            return _say(cfg, "repeated_words", example=word, count=n)
    return None


def _nonwords(toks: tuple[_Token, ...], known: dict[str, bool], cfg: RealityConfig
              ) -> Verdict | None:
    t = cfg.thresholds
    unknown: list[str] = []
    names: list[str] = []
    counted = 0
    for word, low, _ in toks:
        if not word[0].isalpha() or not word.isascii():
            continue  # numbers, codes, and words in other scripts or with accents: not judged
        if len(word) > 1 and word.isupper():
            continue  # an acronym
        if len(low) == 1:
            counted += 1
            if low not in ("a", "i"):
                unknown.append(word)
        elif known[low]:
            counted += 1
        elif word[0].isupper():
            names.append(word)  # most likely a name: not judged on its own
        else:
            counted += 1
            unknown.append(word)
    if not counted and len(names) >= 3:
        counted, unknown = len(names), names  # "Zork Plonk Quib": capitals alone make no names
    if not counted or not unknown:
        return None
    share = len(unknown) / counted
    many = len(unknown) >= t.nonword_many and share >= t.nonword_share_many
    if share > t.nonword_share or many:
        if all(len(w) == 1 for w in unknown):
            return _say(cfg, "single_letters", example=" ".join(unknown[:3]))
        return _say(cfg, "nonwords", example=_quote(unknown))
    return None


def judge(
    text: str,
    *,
    kind: Kind = "prose",
    template: str | None = None,
    examples: Iterable[str] = (),
) -> Verdict:
    """Whether ``text`` is a real answer in the participant's own words.

    The one judgement behind every step's check and the feedback panel, so the self-check, the
    hidden test and the panel never disagree about what counts as an answer.

    Parameters
    ----------
    text : str
        What the participant typed (a non-string counts as empty).
    kind : {"prose", "words", "short"}
        What the box is for; see the module docstring.
    template : str, optional
        Starter text the box began with; handing it back (nearly) unchanged is not an answer.
    examples : iterable of str
        Examples or placeholders shown with the box (a leading "e.g." is ignored).

    Returns
    -------
    Verdict
        ``ok`` True for real text; otherwise a kind, specific ``reason`` and the ``signal``
        that fired: empty, mash, lorem, filler, blank, copied, single_letters, nonwords,
        repeated_words or repeated_sentences.

    Raises
    ------
    ValueError
        For an unknown ``kind``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    cfg = load_config()
    if not isinstance(text, str) or not text.strip():
        return _say(cfg, "empty")
    examples = tuple(examples)
    key = (text, kind, template, examples)
    if _memo.get("config") is not cfg:  # the rules changed: earlier verdicts may not hold
        _memo.clear()
        _memo["config"] = cfg
    hit = _memo.get(key)
    if hit is None:
        if len(_memo) > _MEMO_SIZE:
            _memo.clear()
            _memo["config"] = cfg
        hit = _memo[key] = _judge(text, kind, template, examples, cfg)
    return hit  # type: ignore[return-value]


#: One answer is judged by several criteria (and again by the plan's check), so the verdicts on
#: the texts seen last are kept; cleared when the rules file changes.
_memo: dict[object, object] = {}
_MEMO_SIZE = 2048


def _judge(text: str, kind: str, template: str | None, examples: tuple[str, ...],
           cfg: RealityConfig) -> Verdict:
    if not isinstance(text, str) or not text.strip():
        return _say(cfg, "empty")
    toks, lowers, sentences = _tokens(text)
    if not toks:
        return _say(cfg, "filler", example=text.strip()[:30])
    unique = set(lowers)
    lorem = cfg.lorem_words.intersection(unique)
    if len(lorem) >= 3 or {"lorem", "ipsum"} <= lorem:
        return _say(cfg, "lorem")
    extra = cfg.extra_words
    known = {low: is_known(low, extra) for low in unique}
    # only an unknown word of four letters or more can be mash (see _is_mash)
    suspects = {word for word, low, _ in toks if len(word) >= 4 and not known[low]}
    mashed = {word for word in suspects if _is_mash(word, False)}
    if mashed:
        return _say(cfg, "mash", example=next(word for word, _, _ in toks if word in mashed))
    if text.strip().lower() in cfg.filler_words or unique <= cfg.filler_words:
        return _say(cfg, "filler", example=" ".join(lowers[:4]))
    sources = [template] if template else []
    sources.extend(e for e in examples if isinstance(e, str))
    if sources and _copied(text, sources, cfg):
        return _say(cfg, "copied")
    blank = _BLANK.search(text) or (_DOTS.search(text) if sources else None)
    if blank:
        return _say(cfg, "blank", example=blank.group().strip())
    if kind == "short":
        single = [word for word, low, _ in toks if len(low) == 1 and word.isalpha()]
        if len(single) == len(toks) and lowers not in (("a",), ("i",)):
            return _say(cfg, "single_letters", example=" ".join(single[:3]))
        repeated = _repeated_words(lowers, cfg)
        return OK if repeated is None else repeated
    found = _nonwords(toks, known, cfg)
    if found is None:
        found = _repeated_sentences(sentences, cfg)
    if found is None:
        found = _repeated_words(lowers, cfg)
    return OK if found is None else found
