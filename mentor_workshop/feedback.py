"""Transparent feedback on a draft request to a would-be mentor.

Every signal is a rule a participant can read: the words that triggered it, what to try, and the
evidence behind it. Phrase banks, thresholds and texts live in ``exercises/feedback_rules.yaml``
so a facilitator can adapt them without touching Python; this module only holds the logic.

The rules are plain phrase lists rather than a model because a participant must be able to see
*why* a flag fired and argue with it, and because nothing here may download anything at run time.
"""

from __future__ import annotations

import bisect
import html
import itertools
import math
import os
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property, lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import yaml

from mentor_workshop.resources import exercises_dir

__all__ = [
    "SIGNAL_NAMES",
    "FeedbackRulesError",
    "Level",
    "Signal",
    "Span",
    "analyze",
    "flesch_kincaid_grade",
    "highlight_html",
    "load_examples",
    "load_rules",
    "panel_html",
    "reload_rules",
    "summary",
]

RULES_FILE = "feedback_rules.yaml"
EXAMPLES_FILE = "feedback_examples.yaml"

SIGNAL_NAMES: tuple[str, ...] = (
    "length",
    "readability",
    "clear_ask",
    "reason",
    "admiration",
    "gratitude",
    "neediness",
    "overconfidence",
    "reciprocity",
)
CONTEXT_KEYS = ("leader_name", "leader_role", "leader_work", "first_name")


class Level(StrEnum):
    """How a message does on one signal; GOOD always means it does well."""

    GOOD = "good"
    CONSIDER = "consider"
    PROBLEM = "problem"


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``start:end`` of the analysed text (``text`` is that slice, for display)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Signal:
    name: str
    level: Level
    spans: tuple[Span, ...]
    message: str
    suggestion: str
    why: str


class FeedbackRulesError(ValueError):
    """The rules or examples file is malformed; the message names the file, key and line."""


# --------------------------------------------------------------------------------------------
# Phrase syntax -> regular expressions
# --------------------------------------------------------------------------------------------
# A facilitator writes phrases in a tiny syntax (see the head of feedback_rules.yaml) rather
# than regular expressions: it is easy to read and hard to break. Each phrase is parsed to a
# small tree, turned into a regex, and indexed by the first letters of its first two words so
# that a bank is only tried where the words could start it (scanning every position with a few
# hundred alternatives would cost milliseconds per message).

_APOSTROPHES = "'’‘ʼ"
_WS_RE = r"(?:\s+|\s*[-‐–]\s*)"
_NUM_RE = r"\d+(?:[.,:]\d+)?"
_ANY_RE = r"[^\W_]+(?:['’][^\W_]+)?"
_KEY_LEN = 3
_ANY_KEY = "*"
_NUM_KEY = "#"


class _PhraseError(ValueError):
    pass


def _parse_phrase(src: str, vocab: Mapping[str, list] | None) -> list:
    """Parse phrase syntax into nodes: ("lit", ch) ("ws",) ("num",) ("any",) ("alt", [seq], opt)."""
    pos = 0

    def parse_seq(closers: str) -> tuple[list, str | None]:
        nonlocal pos
        seq: list = []
        while pos < len(src):
            ch = src[pos]
            if ch in closers or ch == "|":
                return seq, ch
            pos += 1
            if ch in "([":
                close = ")" if ch == "(" else "]"
                branches = []
                while True:
                    branch, stop = parse_seq(")]")
                    if stop is None:
                        raise _PhraseError(
                            f"'{ch}' at position {pos} is never closed with '{close}'"
                        )
                    pos += 1
                    if not branch:
                        raise _PhraseError(f"empty choice inside '{ch}…{close}'")
                    branches.append(branch)
                    if stop == "|":
                        continue
                    if stop != close:
                        raise _PhraseError(f"'{ch}' is closed with '{stop}' instead of '{close}'")
                    break
                seq.append(("alt", branches, ch == "["))
            elif ch in ")]":
                raise _PhraseError(f"'{ch}' at position {pos} has no opening bracket")
            elif ch == "<":
                end = src.find(">", pos)
                if end < 0:
                    raise _PhraseError("'<' is never closed with '>'")
                name = src[pos:end].strip()
                pos = end + 1
                if vocab is None:
                    raise _PhraseError(f"a word list <{name}> cannot be used inside vocab")
                if name not in vocab:
                    known = ", ".join(sorted(vocab)) or "none"
                    raise _PhraseError(f"unknown word list <{name}> (known: {known})")
                seq.append(("alt", vocab[name], False))
            elif ch == ">":
                raise _PhraseError("'>' without '<'")
            elif ch == "#":
                seq.append(("num",))
            elif ch == "*":
                seq.append(("any",))
            elif ch.isspace() or ch == "-":
                if not seq or seq[-1] != ("ws",):
                    seq.append(("ws",))
            else:
                seq.append(("lit", ch))
        return seq, None

    seq, stop = parse_seq("")
    if stop == "|":
        raise _PhraseError("'|' is only allowed inside (…) or […]")
    while seq and seq[0] == ("ws",):
        seq.pop(0)
    while seq and seq[-1] == ("ws",):
        seq.pop()
    if not seq:
        raise _PhraseError("the phrase is empty")
    return seq


def _seq_regex(seq: list) -> str:
    out: list[str] = []
    i = 0
    while i < len(seq):
        node = seq[i]
        kind = node[0]
        if kind == "lit":
            ch = node[1]
            out.append(f"[{_APOSTROPHES}]" if ch in _APOSTROPHES else re.escape(ch))
        elif kind == "ws":
            out.append(_WS_RE)
        elif kind == "num":
            out.append(_NUM_RE)
        elif kind == "any":
            out.append(_ANY_RE)
        else:
            body = "|".join(_seq_regex(b) for b in node[1])
            if not node[2]:
                out.append(f"(?:{body})")
            elif out and out[-1] == _WS_RE:
                # "I know [very] busy": the space before an optional part goes with it.
                out[-1] = f"(?:{_WS_RE}(?:{body}))?"
            elif i + 1 < len(seq) and seq[i + 1] == ("ws",):
                out.append(f"(?:(?:{body}){_WS_RE})?")
                i += 1
            else:
                out.append(f"(?:{body})?")
        i += 1
    return "".join(out)


def _lead_keys(stack: tuple, runs: tuple[str, ...] = (), cur: str | None = None) -> set:
    """How a phrase can begin: pairs (first word key, second word key or None).

    A key is the first letters of a run of letters/digits. Indexing word starts by both keys
    means "I just" is only tried where "I" is followed by "just…", not at every "I".
    """
    while stack:
        seq, i = stack[-1]
        if i >= len(seq):
            stack = stack[:-1]
            continue
        stack = (*stack[:-1], (seq, i + 1))
        node = seq[i]
        kind = node[0]
        if kind == "lit" and node[1].isalnum():
            if cur is None:
                cur = node[1].lower()
            elif len(cur) < _KEY_LEN:
                cur += node[1].lower()
            if runs and len(cur) >= _KEY_LEN:
                return {(runs[0], cur)}
        elif kind in ("lit", "ws"):
            if cur is not None:
                runs, cur = (*runs, cur), None
                if len(runs) == 2:
                    return {runs}
        elif kind in ("num", "any"):
            if runs:
                return {(runs[0], None)}
            if cur is None:
                return {(_NUM_KEY if kind == "num" else _ANY_KEY, None)}
            return {(cur if len(cur) >= _KEY_LEN else _ANY_KEY, None)}
        else:
            keys: set = set()
            for branch in node[1]:
                keys |= _lead_keys((*stack, (branch, 0)), runs, cur)
            if node[2]:
                keys |= _lead_keys(stack, runs, cur)
            return keys
    if cur is not None:
        runs = (*runs, cur)
    if not runs:
        return {(_ANY_KEY, None)}
    return {(runs[0], runs[1] if len(runs) > 1 else None)}


# A word: letters and digits, joined across an apostrophe or hyphen ("you're", "20-minute").
# Group 1 is the key (first letters) of its first run of letters; group 2 the key of the run
# after an apostrophe or hyphen inside the word, if any.
_WORD_KEY_RE = re.compile(
    rf"([^\W_]{{1,{_KEY_LEN}}})[^\W_]*(?:['’\-]([^\W_]{{1,{_KEY_LEN}}})[^\W_]*)?"
    r"(?:['’\-][^\W_]+)*"
)


def _words(text: str) -> list[str]:
    return [m.group() for m in _WORD_KEY_RE.finditer(text)]


def _index_words(text: str) -> tuple[list[tuple[int, int]], dict[str, list], list[int]]:
    """One pass over the words: their spans, an index for the phrase banks, and syllables.

    The index maps a first key to ``[(word start, second key), ...]``. Phrases are only tried
    at the start of a whole word, so "urgent" does not fire inside "non-urgent". The running
    syllable total (``syllables[i]`` = syllables in the first ``i`` words) makes the reading
    grade of any sentence two lookups.
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lowered
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    found = list(_WORD_KEY_RE.finditer(lowered))
    spans = [m.span() for m in found]
    groups = [m.groups() for m in found]
    firsts = [g[0] for g in groups]
    # The second key is the run after an apostrophe or hyphen, else the next word's first.
    nexts = [*firsts[1:], None] if firsts else []
    seconds = [g[1] or nxt for g, nxt in zip(groups, nexts, strict=True)]
    index: dict[str, list] = defaultdict(list)
    for k1, k2, (start, _) in zip(firsts, seconds, spans, strict=True):
        index[k1].append((start, k2))
    syllables = list(itertools.accumulate(map(_syllables, [m.group() for m in found]), initial=0))
    digits = sorted(e for k, v in index.items() if k[0].isdigit() for e in v)
    index[_ANY_KEY] = [(s, None) for s, _ in spans]
    if digits:
        index[_NUM_KEY] = digits
    return spans, index, syllables


@dataclass(frozen=True)
class _Bank:
    """One compiled phrase list: where in a text its phrases occur.

    Phrases are grouped by the first letters of their first word, and each group is its own
    small regex: at a word start only the phrases that could begin there are tried.
    """

    by_key: Mapping[str, re.Pattern[str]]
    seconds: Mapping[str, frozenset[str] | None]
    exceptions: _Bank | None = None

    def find(self, text: str, index: Mapping) -> list[tuple[int, int]]:
        tries: list[tuple[int, re.Pattern[str]]] = []
        for k1, rx in self.by_key.items():
            entries = index.get(k1)
            if not entries:
                continue
            seconds = self.seconds[k1]
            if seconds is None:
                tries += [(pos, rx) for pos, _ in entries]
            else:
                tries += [(pos, rx) for pos, k2 in entries if k2 in seconds]
        if not tries:
            return []
        tries.sort(key=itemgetter(0))
        found: list[tuple[int, int]] = []
        last_end = -1
        for pos, rx in tries:
            if pos < last_end:
                continue
            m = rx.match(text, pos)
            if m is None or m.end() == pos:
                continue
            if found and found[-1][0] == pos:  # two groups matched here: keep the longer
                if m.end() > found[-1][1]:
                    found[-1] = (pos, m.end())
                    last_end = m.end()
                continue
            found.append((pos, m.end()))
            last_end = m.end()
        if found and self.exceptions is not None:
            blocked = self.exceptions.find(text, index)
            if blocked:
                found = [f for f in found if not _overlaps_any(f, blocked)]
        return found


def _overlaps_any(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in others)


def _compile_bank(
    phrases: Sequence[tuple[str, str]], vocab: Mapping[str, list], exceptions: _Bank | None = None
) -> _Bank:
    """``phrases`` are (key path for errors, phrase) pairs."""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    seconds: dict[str, set[str] | None] = {}
    for where, phrase in phrases:
        try:
            seq = _parse_phrase(phrase, vocab)
        except _PhraseError as exc:
            raise _PhraseError(f"{where}: cannot read the phrase {phrase!r}: {exc}") from None
        rx = _seq_regex(seq)
        for k1, k2 in _lead_keys(((seq, 0),)):
            groups[k1].append((len(phrase), rx))
            if k2 is None or k1 in (_ANY_KEY, _NUM_KEY):
                seconds[k1] = None
            elif seconds.get(k1, set()) is not None:
                seconds.setdefault(k1, set()).add(k2)
    by_key = {}
    for key, parts in groups.items():
        # Longer phrases first, so "I just wanted" wins over "I just"; duplicates dropped.
        ordered = dict.fromkeys(rx for _, rx in sorted(parts, key=lambda p: -p[0]))
        by_key[key] = re.compile(f"(?:{'|'.join(ordered)})(?![^\\W_])", re.IGNORECASE)
    frozen = {k: (None if v is None else frozenset(v)) for k, v in seconds.items()}
    return _Bank(by_key, frozen, exceptions)


def _literal_phrase_regex(words: str) -> str:
    """A regex for text typed by a participant (context), matched like a phrase."""
    tokens = [t for t in re.split(r"\s+", words.strip()) if t]
    return _WS_RE.join(
        "".join(f"[{_APOSTROPHES}]" if c in _APOSTROPHES else re.escape(c) for c in tok)
        for tok in tokens
    )


# --------------------------------------------------------------------------------------------
# Loading and validating the rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SignalSpec:
    banks: tuple[str, ...] = ()
    thresholds: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    fields: tuple[str, ...] = ("leader",)


_SPECS: dict[str, _SignalSpec] = {
    "length": _SignalSpec(
        thresholds=("good_min", "good_max", "problem_above"),
        outcomes=("empty", "short", "good", "long", "too_long"),
        fields=("count", "good_min", "good_max", "problem_above", "leader"),
    ),
    "readability": _SignalSpec(
        thresholds=("consider_above", "problem_above", "sentences_shown", "min_words_per_line"),
        outcomes=("empty", "good", "college", "very_hard"),
        fields=("grade", "consider_above", "problem_above", "leader"),
    ),
    "clear_ask": _SignalSpec(
        banks=("ask", "duration", "when"),
        thresholds=("max_questions", "max_requests"),
        outcomes=("good", "no_scope", "vague", "scattered", "too_many_questions", "no_ask"),
        fields=("count", "max_questions", "max_requests", "leader"),
    ),
    "reason": _SignalSpec(banks=("because", "why_you", "why_now"), outcomes=("good", "missing")),
    "admiration": _SignalSpec(
        banks=("specific", "generic"), outcomes=("good", "mixed", "generic", "missing")
    ),
    "gratitude": _SignalSpec(
        banks=("considering", "general"),
        thresholds=("closing_fraction",),
        outcomes=("good", "early_only", "missing"),
    ),
    "neediness": _SignalSpec(
        banks=("hedges", "apologies", "disclaimers"),
        thresholds=("problem_hedges", "problem_per_100_words", "problem_apologies"),
        outcomes=("good", "mild", "problem"),
        fields=("count", "per_100", "leader"),
    ),
    "overconfidence": _SignalSpec(
        banks=("demands", "urgency", "entitlement"),
        thresholds=("max_requests",),
        outcomes=("good", "mild", "many_asks", "problem"),
        fields=("count", "max_requests", "leader"),
    ),
    "reciprocity": _SignalSpec(banks=("offer",), outcomes=("good", "missing")),
}
_UI_TEXTS = ("panel_title", "summary", "triggered_by", "no_words", "more_words", "try", "why")
_UI_FIELDS = {"summary": ("good", "consider", "problem"), "more_words": ("count",)}


@dataclass(frozen=True)
class _Outcome:
    message: str
    suggestion: str


@dataclass(frozen=True)
class _SignalRules:
    label: str
    why: str
    thresholds: Mapping[str, float]
    outcomes: Mapping[str, _Outcome]
    banks: Mapping[str, _Bank]


@dataclass(frozen=True)
class Rules:
    """The validated, compiled contents of feedback_rules.yaml."""

    path: Path
    signals: Mapping[str, _SignalRules]
    ui: Mapping[str, Any]
    vocab: Mapping[str, list] = field(repr=False)
    work_noun_regex: str = field(repr=False)


def _yaml_line(text: str, keys: Sequence[str | int]) -> int | None:
    """The 1-based line of a key path in a YAML text, for error messages."""
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    line = None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    line, node = k.start_mark.line + 1, v
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                return line
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


class _Checker:
    """Builds clear errors that name the file, the key and (where known) the line."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text

    def fail(self, keys: Sequence[str | int], problem: str) -> FeedbackRulesError:
        where = _keypath(keys)
        line = _yaml_line(self.text, keys) if keys else None
        at = f" (line {line})" if line else ""
        return FeedbackRulesError(f"{self.path}: {where}{at}: {problem}")

    def mapping(self, value: Any, keys: Sequence[str | int]) -> Mapping:
        if not isinstance(value, Mapping):
            raise self.fail(keys, f"expected a mapping of keys, found {type(value).__name__}")
        return value

    def text_value(self, value: Any, keys: Sequence[str | int]) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(keys, "expected a non-empty text")
        return value.strip()

    def number(self, value: Any, keys: Sequence[str | int]) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(keys, f"expected a number of 0 or more, found {value!r}")
        return float(value)

    def template(self, value: Any, keys: Sequence[str | int], fields: Sequence[str]) -> str:
        text = self.text_value(value, keys)
        try:
            text.format_map(dict.fromkeys(fields, "1"))
        except KeyError as exc:
            raise self.fail(
                keys, f"unknown field {{{exc.args[0]}}}; this text may use {_braced(fields)}"
            ) from None
        except (ValueError, IndexError) as exc:
            raise self.fail(
                keys, f"braces are not balanced ({exc}); write {{{{ for a brace"
            ) from None
        return text

    def only(self, value: Mapping, keys: Sequence[str | int], allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in value:
            if key not in allowed:
                raise self.fail(
                    [*keys, key], f"unknown key {key!r}; expected one of {', '.join(allowed)}"
                )


def _braced(fields: Sequence[str]) -> str:
    return ", ".join("{" + f + "}" for f in fields) or "no fields"


def _keypath(keys: Sequence[str | int]) -> str:
    out = ""
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else str(k))
    return out or "(top level)"


def _phrase_list(chk: _Checker, value: Any, keys: list) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        raise chk.fail(keys, "expected a list of phrases")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise chk.fail([*keys, i], f"expected a phrase (text), found {item!r}")
        out.append((_keypath([*keys, i]), item))
    return out


def _build_rules(path: Path, text: str) -> Rules:
    chk = _Checker(path, text)
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise FeedbackRulesError(f"{path}: this is not valid YAML: {exc}") from None
    data = chk.mapping(data, [])
    chk.only(data, [], ("version", "ui", "vocab", "signals"))

    ui = chk.mapping(data.get("ui"), ["ui"])
    chk.only(ui, ["ui"], ("levels", *_UI_TEXTS))
    levels = chk.mapping(ui.get("levels"), ["ui", "levels"])
    for lvl in Level:
        entry = chk.mapping(levels.get(lvl.value), ["ui", "levels", lvl.value])
        for part in ("word", "icon"):
            chk.text_value(entry.get(part), ["ui", "levels", lvl.value, part])
    for key in _UI_TEXTS:
        chk.template(ui.get(key), ["ui", key], _UI_FIELDS.get(key, ()))

    raw_vocab = chk.mapping(data.get("vocab", {}), ["vocab"])
    vocab: dict[str, list] = {}
    for name, items in raw_vocab.items():
        if not isinstance(name, str) or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise chk.fail(["vocab", name], "a word list name uses a-z, 0-9 and _ only")
        seqs = []
        for where, phrase in _phrase_list(chk, items, ["vocab", name]):
            try:
                seqs.append(_parse_phrase(phrase, None))
            except _PhraseError as exc:
                raise FeedbackRulesError(
                    f"{path}: {where}: cannot read {phrase!r}: {exc}"
                ) from None
        vocab[name] = seqs

    signals_raw = chk.mapping(data.get("signals"), ["signals"])
    chk.only(signals_raw, ["signals"], SIGNAL_NAMES)
    signals: dict[str, _SignalRules] = {}
    for name in SIGNAL_NAMES:
        spec = _SPECS[name]
        base = ["signals", name]
        sig = chk.mapping(signals_raw.get(name), base)
        chk.only(sig, base, ("label", "why", "thresholds", "phrases", "not_when", "outcomes"))
        thresholds_raw = chk.mapping(sig.get("thresholds", {}), [*base, "thresholds"])
        chk.only(thresholds_raw, [*base, "thresholds"], spec.thresholds)
        thresholds = {
            t: chk.number(thresholds_raw.get(t), [*base, "thresholds", t]) for t in spec.thresholds
        }
        outcomes_raw = chk.mapping(sig.get("outcomes"), [*base, "outcomes"])
        chk.only(outcomes_raw, [*base, "outcomes"], spec.outcomes)
        outcomes = {}
        for oname in spec.outcomes:
            okeys = [*base, "outcomes", oname]
            entry = chk.mapping(outcomes_raw.get(oname), okeys)
            chk.only(entry, okeys, ("message", "suggestion"))
            outcomes[oname] = _Outcome(
                chk.template(entry.get("message"), [*okeys, "message"], spec.fields),
                chk.template(entry.get("suggestion"), [*okeys, "suggestion"], spec.fields),
            )
        phrases = chk.mapping(sig.get("phrases", {}), [*base, "phrases"])
        chk.only(phrases, [*base, "phrases"], spec.banks)
        not_when = chk.mapping(sig.get("not_when", {}), [*base, "not_when"])
        chk.only(not_when, [*base, "not_when"], spec.banks)
        banks = {}
        try:
            for bank in spec.banks:
                if bank not in phrases:
                    raise chk.fail([*base, "phrases"], f"missing the phrase list {bank!r}")
                exc_bank = None
                if bank in not_when:
                    exc_bank = _compile_bank(
                        _phrase_list(chk, not_when[bank], [*base, "not_when", bank]), vocab
                    )
                banks[bank] = _compile_bank(
                    _phrase_list(chk, phrases[bank], [*base, "phrases", bank]), vocab, exc_bank
                )
        except _PhraseError as exc:
            raise FeedbackRulesError(f"{path}: {exc}") from None
        signals[name] = _SignalRules(
            label=chk.text_value(sig.get("label"), [*base, "label"]),
            why=" ".join(chk.text_value(sig.get("why"), [*base, "why"]).split()),
            thresholds=thresholds,
            outcomes=outcomes,
            banks=banks,
        )

    _check_order(chk, signals)
    work_nouns = vocab.get("work_noun")
    if not work_nouns:
        raise chk.fail(["vocab", "work_noun"], "this word list is required (kinds of work)")
    work_rx = "(?:" + "|".join(_seq_regex(s) for s in work_nouns) + ")"
    return Rules(path, signals, ui, vocab, work_rx)


def _check_order(chk: _Checker, signals: Mapping[str, _SignalRules]) -> None:
    pairs = [
        ("length", "good_min", "good_max"),
        ("length", "good_max", "problem_above"),
        ("readability", "consider_above", "problem_above"),
    ]
    for sig, low, high in pairs:
        t = signals[sig].thresholds
        if t[low] > t[high]:
            raise chk.fail(
                ["signals", sig, "thresholds", high], f"{high} must be at least {low} ({t[low]:g})"
            )
    frac = signals["gratitude"].thresholds["closing_fraction"]
    if frac > 1:
        raise chk.fail(
            ["signals", "gratitude", "thresholds", "closing_fraction"],
            "expected a share from 0 to 1",
        )


_rules_lock = threading.Lock()
_rules_cache: tuple[tuple, Rules] | None = None


def load_rules(path: str | os.PathLike | None = None) -> Rules:
    """Load, validate and compile the rules once; reloads only when the file changes.

    Re-reading on change lets a facilitator tweak a phrase list during a session and see the
    effect on the next draft without restarting the kernel.
    """
    global _rules_cache
    target = Path(path) if path is not None else Path(exercises_dir()) / RULES_FILE
    try:
        st = target.stat()
    except OSError as exc:
        raise FeedbackRulesError(
            f"{target}: cannot read the feedback rules ({exc.strerror or exc}); "
            "check that the workshop's exercises folder is present"
        ) from None
    key = (str(target), st.st_mtime_ns, st.st_size)
    cached = _rules_cache
    if cached is not None and cached[0] == key:
        return cached[1]
    with _rules_lock:
        if _rules_cache is not None and _rules_cache[0] == key:
            return _rules_cache[1]
        try:
            text = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FeedbackRulesError(f"{target}: cannot read the feedback rules: {exc}") from None
        rules = _build_rules(target, text)
        _rules_cache = (key, rules)
        return rules


_RECHECK_SECONDS = 1.0
_active: tuple[float, Rules] | None = None


def _active_rules() -> Rules:
    """The rules in use; the file is checked for edits at most once a second.

    Finding the exercises folder and checking the file costs more than a whole analysis of a
    short draft, and a draft is re-analysed on every edit.
    """
    global _active
    now = time.monotonic()
    current = _active
    if current is not None and now - current[0] < _RECHECK_SECONDS:
        return current[1]
    rules = load_rules()
    _active = (now, rules)
    return rules


def reload_rules() -> Rules:
    """Forget the cached rules and read the file again (after editing or moving it)."""
    global _active, _rules_cache
    with _rules_lock:
        _active = None
        _rules_cache = None
    return _active_rules()


def load_examples(path: str | os.PathLike | None = None) -> list[dict[str, Any]]:
    """The labelled example messages, checked: each has an id, a text and valid labels."""
    target = Path(path) if path is not None else Path(exercises_dir()) / EXAMPLES_FILE
    try:
        text = target.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FeedbackRulesError(f"{target}: cannot read the examples: {exc}") from None
    chk = _Checker(target, text)
    data = chk.mapping(data, [])
    items = data.get("examples")
    if not isinstance(items, list) or not items:
        raise chk.fail(["examples"], "expected a non-empty list of examples")
    seen: set[str] = set()
    levels = {lvl.value for lvl in Level}
    out = []
    for i, ex in enumerate(items):
        keys: list[str | int] = ["examples", i]
        ex = chk.mapping(ex, keys)
        chk.only(ex, keys, ("id", "kind", "text", "expect", "context", "note"))
        ex_id = chk.text_value(ex.get("id"), [*keys, "id"])
        if ex_id in seen:
            raise chk.fail([*keys, "id"], f"the id {ex_id!r} is used twice")
        seen.add(ex_id)
        if not isinstance(ex.get("text"), str):
            raise chk.fail([*keys, "text"], "expected the message text")
        expect = chk.mapping(ex.get("expect"), [*keys, "expect"])
        for sig, lvl in expect.items():
            if sig not in SIGNAL_NAMES:
                raise chk.fail([*keys, "expect", sig], f"unknown signal {sig!r}")
            if lvl not in levels:
                raise chk.fail([*keys, "expect", sig], f"level must be one of {sorted(levels)}")
        context = chk.mapping(ex.get("context", {}), [*keys, "context"])
        out.append({**ex, "expect": dict(expect), "context": dict(context)})
    return out


# --------------------------------------------------------------------------------------------
# Text measures
# --------------------------------------------------------------------------------------------

_NON_SPACE_RE = re.compile(r"\S")
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"'’”)\]]*(?=\s|$)|\n")
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


@lru_cache(maxsize=16384)
def _syllables(word: str) -> int:
    """A rough syllable count (vowel groups, minus silent endings); never below one."""
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
    """The Flesch–Kincaid grade level from counts (0.0 when there is nothing to measure)."""
    if words <= 0 or sentences <= 0:
        return 0.0
    return 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59


class _Doc:
    """The text cut once into words and sentences, shared by every signal."""

    def __init__(self, text: str):
        self.text = text
        self.word_spans, self.index, self.syllables = _index_words(text)
        self.word_starts = [s for s, _ in self.word_spans]
        self.word_count = len(self.word_spans)
        self.sentences = self._split_sentences()
        self.sentence_starts = [s for s, _ in self.sentences]

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
        return max(0, bisect.bisect_right(self.sentence_starts, pos) - 1)

    def word_range(self, start: int, end: int) -> tuple[int, int]:
        """Indices ``lo:hi`` of the words that start within ``start:end``."""
        return (
            bisect.bisect_left(self.word_starts, start),
            bisect.bisect_left(self.word_starts, end),
        )

    def word_index(self, pos: int) -> int:
        return bisect.bisect_right(self.word_starts, pos)

    def is_question(self, sentence: tuple[int, int]) -> bool:
        return self.text[sentence[0] : sentence[1]].rstrip("\"'’”)] ").endswith("?")


# --------------------------------------------------------------------------------------------
# The signals
# --------------------------------------------------------------------------------------------


class _Analysis:
    """One message under analysis: matches are computed once and shared between signals."""

    def __init__(self, text: str, context: Mapping[str, str], rules: Rules):
        self.text = text
        self.rules = rules
        self.context = context
        self.doc = _Doc(text)
        self.leader = context.get("leader_name") or "them"
        self._matches: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def find(self, signal: str, bank: str) -> list[tuple[int, int]]:
        key = (signal, bank)
        if key not in self._matches:
            self._matches[key] = (
                self.rules.signals[signal].banks[bank].find(self.text, self.doc.index)
            )
        return self._matches[key]

    def signal(
        self, name: str, level: Level, outcome: str, spans: Iterable[tuple[int, int]], **fields
    ) -> Signal:
        sr = self.rules.signals[name]
        out = sr.outcomes[outcome]
        values = {"leader": self.leader, **{k: _fmt(v) for k, v in sr.thresholds.items()}}
        values.update({k: _fmt(v) for k, v in fields.items()})
        return Signal(
            name=name,
            level=level,
            spans=self.spans(spans),
            message=out.message.format_map(values),
            suggestion=out.suggestion.format_map(values),
            why=sr.why,
        )

    def spans(self, ranges: Iterable[tuple[int, int]]) -> tuple[Span, ...]:
        uniq = sorted({(s, e) for s, e in ranges if 0 <= s < e <= len(self.text)})
        return tuple(Span(s, e, self.text[s:e]) for s, e in uniq)

    # -- shared features ---------------------------------------------------------------------

    @cached_property
    def asks(self) -> list[tuple[int, int]]:
        """Requests made of the reader: polite asks, and demands (which are asks too)."""
        return sorted(self.find("clear_ask", "ask") + self.find("overconfidence", "demands"))

    @cached_property
    def request_sentences(self) -> list[int]:
        """Sentences that ask something of the reader: an ask phrase, or a question."""
        doc = self.doc
        idx = {doc.sentence_of(s) for s, _ in self.asks}
        idx |= {i for i, sent in enumerate(doc.sentences) if doc.is_question(sent)}
        return sorted(idx)

    def context_work(self) -> list[tuple[int, int]]:
        """Where the message mentions the leader's work that the participant named."""
        work = (self.context.get("leader_work") or "").strip()
        if not work:
            return []
        exact, words = _work_patterns(work)
        if exact is not None:
            m = exact.search(self.text)
            if m:
                return [(m.start(), m.end())]
        if not words:
            return []
        found = []
        for rx in words:
            m = rx.search(self.text)
            if m:
                found.append((m.start(), m.end()))
        needed = max(min(2, len(words)), math.ceil(0.6 * len(words)))
        return found if len(found) >= needed else []

    def context_name_work(self) -> list[tuple[int, int]]:
        """A mention such as "Maria's keynote": specific admiration in the third person."""
        name = (self.context.get("leader_name") or "").strip()
        if not name:
            return []
        rx = _name_work_pattern(name, self.rules.work_noun_regex)
        return [(m.start(), m.end()) for m in rx.finditer(self.text)] if rx else []


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else f"{value:.1f}"
    return str(value)


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


@lru_cache(maxsize=256)
def _work_patterns(work: str) -> tuple[re.Pattern[str] | None, tuple[re.Pattern[str], ...]]:
    stripped = re.sub(r"^(?:the|a|an|her|his|their|your)\s+", "", work.strip(), flags=re.I)
    exact = None
    if len(_words(stripped)) >= 2:
        exact = re.compile(
            rf"(?<![^\W_]){_literal_phrase_regex(stripped)}(?![^\W_])", re.IGNORECASE
        )
    content = [
        w
        for w in dict.fromkeys(_words(work))
        if (len(w) >= 4 or w[:1].isdigit()) and w.lower() not in _STOPWORDS
    ]
    words = tuple(
        re.compile(rf"(?<![^\W_]){_literal_phrase_regex(w)}(?![^\W_])", re.IGNORECASE)
        for w in content
    )
    return exact, words


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


@lru_cache(maxsize=256)
def _name_work_pattern(name: str, work_rx: str) -> re.Pattern[str] | None:
    parts = [p for p in name.split() if p.lower() not in _TITLES and len(p) >= 2]
    if not parts:
        return None
    alts = sorted({" ".join(parts), *parts}, key=len, reverse=True)
    names = "|".join(_literal_phrase_regex(a) for a in alts)
    return re.compile(
        rf"(?<![^\W_])(?:{names})[{_APOSTROPHES}]s?{_WS_RE}(?:{_ANY_RE}{_WS_RE})?{work_rx}(?![^\W_])",
        re.IGNORECASE,
    )


def _length(a: _Analysis) -> Signal:
    t = a.rules.signals["length"].thresholds
    n = a.doc.word_count
    if n == 0:
        return a.signal("length", Level.CONSIDER, "empty", (), count=0)
    if n < t["good_min"]:
        return a.signal("length", Level.CONSIDER, "short", (), count=n)
    if n <= t["good_max"]:
        return a.signal("length", Level.GOOD, "good", (), count=n)
    first_extra = a.doc.word_spans[int(t["good_max"])][0]
    tail = [(first_extra, a.doc.word_spans[-1][1])]
    if n <= t["problem_above"]:
        return a.signal("length", Level.CONSIDER, "long", tail, count=n)
    return a.signal("length", Level.PROBLEM, "too_long", tail, count=n)


def _readability(a: _Analysis) -> Signal:
    t = a.rules.signals["readability"].thresholds
    doc = a.doc
    measured: list[tuple[float, int, tuple[int, int]]] = []
    total_words = total_syll = 0
    for sent in doc.sentences:
        lo, hi = doc.word_range(*sent)
        n_words = hi - lo
        if not n_words:
            continue
        ends_properly = a.text[sent[1] - 1] in ".!?…\"'’”)]"
        if n_words < t["min_words_per_line"] and not ends_properly:
            continue  # a greeting or sign-off line such as "Dear Sam," or "Best, Jo"
        syll = doc.syllables[hi] - doc.syllables[lo]
        total_words += n_words
        total_syll += syll
        measured.append((flesch_kincaid_grade(n_words, 1, syll), n_words, sent))
    if not measured:
        if doc.word_count == 0:
            return a.signal("readability", Level.CONSIDER, "empty", (), grade=0)
        return a.signal("readability", Level.GOOD, "good", (), grade=0)
    # Compare the grade as shown, so "grade 16.0" never counts as above 16.
    grade = round(max(0.0, flesch_kincaid_grade(total_words, len(measured), total_syll)), 1)
    shown = f"{grade:.1f}"
    if grade <= t["consider_above"]:
        return a.signal("readability", Level.GOOD, "good", (), grade=shown)
    hardest = sorted(measured, key=lambda m: (-m[0], -m[1]))
    picked = [m[2] for m in hardest if m[0] > t["consider_above"]][: int(t["sentences_shown"])]
    picked = picked or [hardest[0][2]]
    if grade > t["problem_above"]:
        return a.signal("readability", Level.PROBLEM, "very_hard", picked, grade=shown)
    return a.signal("readability", Level.CONSIDER, "college", picked, grade=shown)


def _clear_ask(a: _Analysis) -> Signal:
    t = a.rules.signals["clear_ask"].thresholds
    doc = a.doc
    questions = [s for s in doc.sentences if doc.is_question(s)]
    if len(questions) > t["max_questions"]:
        return a.signal(
            "clear_ask", Level.PROBLEM, "too_many_questions", questions, count=len(questions)
        )
    asks = a.asks
    if not asks:
        if questions:
            return a.signal("clear_ask", Level.CONSIDER, "vague", questions, count=len(questions))
        return a.signal("clear_ask", Level.PROBLEM, "no_ask", (), count=0)
    requests = a.request_sentences
    if len(requests) > t["max_requests"]:
        return a.signal("clear_ask", Level.CONSIDER, "scattered", asks, count=len(requests))
    ask_sentences = {doc.sentence_of(s) for s, _ in asks}
    near = {i + d for i in ask_sentences for d in (-1, 0, 1)}
    scope = [
        m
        for m in a.find("clear_ask", "duration") + a.find("clear_ask", "when")
        if doc.sentence_of(m[0]) in near
    ]
    # Mark the polite asks; a demand is an ask too, but marked only when there is nothing else.
    shown = a.find("clear_ask", "ask") or asks
    if not scope:
        return a.signal("clear_ask", Level.CONSIDER, "no_scope", shown, count=len(requests))
    return a.signal("clear_ask", Level.GOOD, "good", shown + scope, count=len(requests))


def _reason(a: _Analysis) -> Signal:
    cues = (
        a.find("reason", "because")
        + a.find("reason", "why_you")
        + a.find("reason", "why_now")
        + a.context_work()
    )
    if cues:
        return a.signal("reason", Level.GOOD, "good", cues)
    return a.signal("reason", Level.CONSIDER, "missing", ())


def _admiration(a: _Analysis) -> Signal:
    generic = a.find("admiration", "generic")
    specific = [
        m
        for m in a.find("admiration", "specific") + a.context_work() + a.context_name_work()
        if not _overlaps_any(m, generic)  # "everything you've written" is not specific
    ]
    if specific and not generic:
        return a.signal("admiration", Level.GOOD, "good", specific)
    if specific:
        return a.signal("admiration", Level.CONSIDER, "mixed", generic)
    if generic:
        return a.signal("admiration", Level.PROBLEM, "generic", generic)
    return a.signal("admiration", Level.CONSIDER, "missing", ())


def _gratitude(a: _Analysis) -> Signal:
    considering = a.find("gratitude", "considering")
    if considering:
        return a.signal("gratitude", Level.GOOD, "good", considering)
    general = a.find("gratitude", "general")
    if not general:
        return a.signal("gratitude", Level.CONSIDER, "missing", ())
    # Thanks that comes after the ask, or in the closing lines, is thanks for considering it.
    doc = a.doc
    frac = a.rules.signals["gratitude"].thresholds["closing_fraction"]
    first_ask = a.asks[0][0] if a.asks else None
    closing = [
        m
        for m in general
        if (first_ask is not None and m[0] > first_ask)
        or doc.word_index(m[0]) >= frac * doc.word_count
    ]
    if closing:
        return a.signal("gratitude", Level.GOOD, "good", closing)
    return a.signal("gratitude", Level.CONSIDER, "early_only", general)


def _neediness(a: _Analysis) -> Signal:
    t = a.rules.signals["neediness"].thresholds
    disclaimers = a.find("neediness", "disclaimers")
    hedges = [m for m in a.find("neediness", "hedges") if not _overlaps_any(m, disclaimers)]
    apologies = [m for m in a.find("neediness", "apologies") if not _overlaps_any(m, disclaimers)]
    mild = len(hedges) + len(apologies)
    per_100 = 100.0 * mild / max(a.doc.word_count, 1)
    spans = disclaimers + hedges + apologies
    fields = {"count": mild, "per_100": f"{per_100:.1f}"}
    if (
        disclaimers
        or len(apologies) >= t["problem_apologies"]
        or (mild >= t["problem_hedges"] and per_100 >= t["problem_per_100_words"])
    ):
        return a.signal("neediness", Level.PROBLEM, "problem", spans, **fields)
    if mild:
        return a.signal("neediness", Level.CONSIDER, "mild", spans, **fields)
    return a.signal("neediness", Level.GOOD, "good", (), **fields)


def _overconfidence(a: _Analysis) -> Signal:
    t = a.rules.signals["overconfidence"].thresholds
    strong = a.find("overconfidence", "demands") + a.find("overconfidence", "entitlement")
    urgency = a.find("overconfidence", "urgency")
    requests = a.request_sentences
    many = len(requests) > t["max_requests"]
    count = len(requests)
    if strong or len(urgency) + many >= 2:
        return a.signal("overconfidence", Level.PROBLEM, "problem", strong + urgency, count=count)
    if urgency:
        return a.signal("overconfidence", Level.CONSIDER, "mild", urgency, count=count)
    if many:
        spans = [a.doc.sentences[i] for i in requests]
        return a.signal("overconfidence", Level.CONSIDER, "many_asks", spans, count=count)
    return a.signal("overconfidence", Level.GOOD, "good", (), count=count)


def _reciprocity(a: _Analysis) -> Signal:
    offers = a.find("reciprocity", "offer")
    if offers:
        return a.signal("reciprocity", Level.GOOD, "good", offers)
    return a.signal("reciprocity", Level.CONSIDER, "missing", ())


_RULES = {
    "length": _length,
    "readability": _readability,
    "clear_ask": _clear_ask,
    "reason": _reason,
    "admiration": _admiration,
    "gratitude": _gratitude,
    "neediness": _neediness,
    "overconfidence": _overconfidence,
    "reciprocity": _reciprocity,
}


def _clean_context(context: Mapping | None) -> dict[str, str]:
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


def analyze(text: str, context: Mapping | None = None) -> list[Signal]:
    """Feedback on a draft request: one Signal per name in SIGNAL_NAMES, in that order.

    ``context`` may carry ``leader_name``, ``leader_role``, ``leader_work`` and ``first_name``
    (other keys are ignored); naming the leader's work lets the rules recognise a specific
    compliment that the general phrase lists would miss.
    """
    if not isinstance(text, str):
        raise TypeError(f"analyze() needs the message as text (str), not {type(text).__name__}")
    analysis = _Analysis(text, _clean_context(context), _active_rules())
    return [_RULES[name](analysis) for name in SIGNAL_NAMES]


def summary(signals: Iterable[Signal]) -> dict[str, str]:
    """Signal name -> level word ("good", "consider" or "problem")."""
    return {s.name: Level(s.level).value for s in signals}


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_STYLE = """<style>
.mw-feedback, .mw-highlight { color: var(--jp-ui-font-color1, inherit);
  font-family: var(--jp-ui-font-family, system-ui, sans-serif); line-height: 1.5; }
.mw-highlight { white-space: pre-wrap; overflow-wrap: anywhere; padding: 0.6em 0.8em;
  border: 1px solid var(--jp-border-color2, rgba(128,128,128,0.4)); border-radius: 4px;
  background: var(--jp-layout-color1, transparent); font-family: var(--jp-content-font-family,
  inherit); }
.mw-highlight mark.mw-sig { color: inherit; border-radius: 2px; padding: 0 1px;
  text-decoration-thickness: 2px; text-underline-offset: 3px; }
mark.mw-level-good { background: rgba(46, 160, 67, 0.18);
  text-decoration: underline solid var(--jp-success-color1, #2e7d32); }
mark.mw-level-consider { background: rgba(227, 160, 8, 0.25);
  text-decoration: underline dashed var(--jp-warn-color1, #b26a00); }
mark.mw-level-problem { background: rgba(229, 57, 53, 0.22);
  text-decoration: underline wavy var(--jp-error-color1, #c62828); }
.mw-feedback h3 { margin: 0 0 0.4em 0; font-size: 1.1em; }
.mw-fb-summary { margin: 0 0 0.6em 0; color: var(--jp-ui-font-color2, inherit); }
.mw-fb-list { list-style: none; padding: 0; margin: 0.8em 0 0 0; }
.mw-fb-item { border: 1px solid var(--jp-border-color2, rgba(128,128,128,0.4));
  border-left-width: 6px; border-radius: 4px; padding: 0.5em 0.8em; margin: 0 0 0.5em 0;
  background: var(--jp-layout-color1, transparent); }
.mw-fb-item p { margin: 0.25em 0; }
.mw-fb-item.mw-level-good { border-left-color: var(--jp-success-color1, #2e7d32); }
.mw-fb-item.mw-level-consider { border-left-color: var(--jp-warn-color1, #b26a00); }
.mw-fb-item.mw-level-problem { border-left-color: var(--jp-error-color1, #c62828); }
.mw-fb-icon { display: inline-block; min-width: 1.3em; font-weight: bold; }
.mw-level-good .mw-fb-icon { color: var(--jp-success-color1, #2e7d32); }
.mw-level-consider .mw-fb-icon { color: var(--jp-warn-color1, #b26a00); }
.mw-level-problem .mw-fb-icon { color: var(--jp-error-color1, #c62828); }
.mw-fb-words q { font-style: italic; }
.mw-fb-why { font-size: 0.9em; color: var(--jp-ui-font-color2, inherit); }
</style>"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _pick(signals: Iterable[Signal], names: Iterable[str] | None) -> list[Signal]:
    signals = list(signals)
    if names is None:
        return signals
    wanted = set([names] if isinstance(names, str) else names)
    unknown = wanted - set(SIGNAL_NAMES)
    if unknown:
        raise ValueError(
            f"unknown signal name(s) {sorted(unknown)}; expected some of {list(SIGNAL_NAMES)}"
        )
    return [s for s in signals if s.name in wanted]


def _mark_title(rules: Rules, sig: Signal) -> str:
    label = rules.signals[sig.name].label if sig.name in rules.signals else sig.name
    word = rules.ui["levels"][Level(sig.level).value]["word"]
    return f"{label} ({word}): {sig.message}"


def _highlight_body(text: str, signals: Sequence[Signal], rules: Rules) -> str:
    """Cut the text where any span starts or ends; wrap each piece in the marks covering it.

    Cutting first means overlapping spans never produce crossed tags: every piece is closed
    before the next one opens.
    """
    order = {n: i for i, n in enumerate(SIGNAL_NAMES)}
    starts: dict[int, list[Signal]] = defaultdict(list)
    ends: dict[int, list[Signal]] = defaultdict(list)
    for sig in signals:
        for sp in sig.spans:
            # Spans from another text (or edited since) are skipped rather than misplaced.
            if 0 <= sp.start < sp.end <= len(text) and text[sp.start : sp.end] == sp.text:
                starts[sp.start].append(sig)
                ends[sp.end].append(sig)
    cuts = sorted({0, len(text), *starts, *ends})
    active: dict[int, list] = {}  # id(signal) -> [signal, number of its spans open here]
    out: list[str] = []
    cover: tuple[Signal, ...] = ()
    buffer: list[str] = []
    for a, b in itertools.pairwise(cuts):
        for sig in ends.get(a, ()):
            entry = active[id(sig)]
            entry[1] -= 1
            if not entry[1]:
                del active[id(sig)]
        for sig in starts.get(a, ()):
            active.setdefault(id(sig), [sig, 0])[1] += 1
        now = tuple(sorted((e[0] for e in active.values()), key=lambda s: order.get(s.name, 99)))
        if now != cover and buffer:
            out.append(_wrap("".join(buffer), cover, rules))
            buffer = []
        buffer.append(text[a:b])
        cover = now
    if buffer:
        out.append(_wrap("".join(buffer), cover, rules))
    return "".join(out)


def _wrap(chunk: str, cover: Sequence[Signal], rules: Rules) -> str:
    body = _esc(chunk)
    for sig in reversed(cover):
        level = Level(sig.level).value
        body = (
            f'<mark class="mw-sig mw-sig-{_esc(sig.name)} mw-level-{level}" '
            f'data-signal="{_esc(sig.name)}" data-level="{level}" '
            f'title="{_esc(_mark_title(rules, sig))}">{body}</mark>'
        )
    return body


def highlight_html(text: str, signals: Iterable[Signal], names: Iterable[str] | None = None) -> str:
    """The message as escaped HTML with each signal's triggering words in a ``<mark>``.

    Overlapping spans are split into segments so the marks always nest; line breaks are kept
    with ``white-space: pre-wrap``. Pass ``names`` to mark only some signals.
    """
    rules = _active_rules()
    chosen = _pick(signals, names)
    body = _highlight_body(text, chosen, rules)
    return f'{_STYLE}<div class="mw-highlight">{body}</div>'


def panel_html(text: str, signals: Iterable[Signal]) -> str:
    """A self-contained feedback panel: the marked draft, then every signal explained.

    Each level shows an icon and a word, so colour is never the only cue; colours come from
    JupyterLab's theme variables (with fallbacks) so the panel reads in light and dark themes.
    """
    rules = _active_rules()
    ui = rules.ui
    signals = list(signals)
    counts = {lvl.value: 0 for lvl in Level}
    for sig in signals:
        counts[Level(sig.level).value] += 1
    parts = [
        f'<section class="mw-feedback" aria-label="{_esc(ui["panel_title"])}">',
        _STYLE,
        f"<h3>{_esc(ui['panel_title'])}</h3>",
        f'<p class="mw-fb-summary">{_esc(ui["summary"].format_map(counts))}</p>',
        f'<div class="mw-highlight">{_highlight_body(text, signals, rules)}</div>',
        '<ul class="mw-fb-list">',
    ]
    for sig in signals:
        level = Level(sig.level).value
        lvl_ui = ui["levels"][level]
        label = rules.signals[sig.name].label if sig.name in rules.signals else sig.name
        parts.append(
            f'<li class="mw-fb-item mw-sig-{_esc(sig.name)} mw-level-{level}" '
            f'data-signal="{_esc(sig.name)}" data-level="{level}">'
            f'<p class="mw-fb-head"><span class="mw-fb-icon" aria-hidden="true">'
            f"{_esc(lvl_ui['icon'])}</span> <strong>{_esc(lvl_ui['word'])}</strong> · "
            f"{_esc(label)}</p>"
            f'<p class="mw-fb-msg">{_esc(sig.message)}</p>'
            f"{_words_html(sig, ui)}"
            f'<p class="mw-fb-try"><strong>{_esc(ui["try"])}</strong> {_esc(sig.suggestion)}</p>'
            f'<p class="mw-fb-why"><strong>{_esc(ui["why"])}</strong> {_esc(sig.why)}</p>'
            "</li>"
        )
    parts.append("</ul></section>")
    return "".join(parts)


_MAX_QUOTES = 6
_MAX_QUOTE_CHARS = 120


def _words_html(sig: Signal, ui: Mapping[str, Any]) -> str:
    if sig.level == Level.GOOD and not sig.spans:
        return ""
    quotes = list(dict.fromkeys(" ".join(sp.text.split()) for sp in sig.spans))
    if not quotes:
        return f'<p class="mw-fb-words">{_esc(ui["no_words"])}</p>'
    shown = [
        q if len(q) <= _MAX_QUOTE_CHARS else q[: _MAX_QUOTE_CHARS - 1].rstrip() + "…"
        for q in quotes[:_MAX_QUOTES]
    ]
    items = ", ".join(f"<q>{_esc(q)}</q>" for q in shown)
    if len(quotes) > _MAX_QUOTES:
        items += " " + _esc(ui["more_words"].format(count=len(quotes) - _MAX_QUOTES))
    return f'<p class="mw-fb-words">{_esc(ui["triggered_by"])} {items}</p>'
