"""Loading, checking and caching ``exercises/feedback_rules.yaml``.

Phrase banks, thresholds and texts live in that file so a facilitator can adapt them without
touching Python. Every mistake in it is reported with the file, key and line
(:class:`FeedbackRulesError`) before any draft is analysed, so a broken edit never shows up
as a traceback in a participant's notebook.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mentor_workshop.core.feedback.bank import Bank, compile_bank
from mentor_workshop.core.feedback.checker import (
    YAML_LOADER,
    Checker,
    FeedbackRulesError,
    keypath,
)
from mentor_workshop.core.feedback.model import SIGNAL_NAMES, Level
from mentor_workshop.core.feedback.phrases import PhraseError, parse_phrase, seq_regex
from mentor_workshop.core.resources import exercises_dir

RULES_FILE = "feedback_rules.yaml"


@dataclass(frozen=True)
class _SignalSpec:
    """What the code of one signal reads from the file, so the file can be checked against it."""

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
        banks=("hedges", "apologies", "disclaimers", "courtesies"),
        thresholds=("problem_hedges", "problem_per_100_words", "problem_apologies",
                    "problem_courtesies"),
        outcomes=("good", "courteous", "mild", "problem"),
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
class Outcome:
    """What the panel says for one result of a signal (templates with ``{field}`` slots)."""

    message: str
    suggestion: str


@dataclass(frozen=True)
class SignalRules:
    """One signal's part of the file: its label, evidence, thresholds, texts and phrase banks."""

    label: str
    why: str
    thresholds: Mapping[str, float]
    outcomes: Mapping[str, Outcome]
    banks: Mapping[str, Bank]


@dataclass(frozen=True)
class Rules:
    """The validated, compiled contents of feedback_rules.yaml."""

    path: Path
    signals: Mapping[str, SignalRules]
    ui: Mapping[str, Any]
    work_noun_regex: str = field(repr=False)


def _phrase_list(chk: Checker, value: Any, keys: list) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        raise chk.fail(keys, "expected a list of phrases")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise chk.fail([*keys, i], f"expected a phrase (text), found {item!r}")
        out.append((keypath([*keys, i]), item))
    return out


def _build_rules(path: Path, text: str) -> Rules:
    chk = Checker(path, text)
    try:
        data = yaml.load(text, Loader=YAML_LOADER)
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
                seqs.append(parse_phrase(phrase, None))
            except PhraseError as exc:
                raise FeedbackRulesError(
                    f"{path}: {where}: cannot read {phrase!r}: {exc}"
                ) from None
        vocab[name] = seqs

    signals_raw = chk.mapping(data.get("signals"), ["signals"])
    chk.only(signals_raw, ["signals"], SIGNAL_NAMES)
    signals: dict[str, SignalRules] = {}
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
            outcomes[oname] = Outcome(
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
                    exc_bank = compile_bank(
                        _phrase_list(chk, not_when[bank], [*base, "not_when", bank]), vocab
                    )
                banks[bank] = compile_bank(
                    _phrase_list(chk, phrases[bank], [*base, "phrases", bank]), vocab, exc_bank
                )
        except PhraseError as exc:
            raise FeedbackRulesError(f"{path}: {exc}") from None
        signals[name] = SignalRules(
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
    work_rx = "(?:" + "|".join(seq_regex(s) for s in work_nouns) + ")"
    return Rules(path, signals, ui, work_rx)


def _check_order(chk: Checker, signals: Mapping[str, SignalRules]) -> None:
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

    Parameters
    ----------
    path : str or os.PathLike, optional
        The rules file; ``RULES_FILE`` in the exercises folder when omitted.

    Returns
    -------
    Rules
        The validated rules with every phrase bank compiled.

    Raises
    ------
    FeedbackRulesError
        When the file cannot be read or breaks a rule; names the file, key and line.
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


def active_rules() -> Rules:
    """The rules in use; the file is checked for edits at most once a second.

    Finding the exercises folder and checking the file costs more than a whole analysis of a
    short draft, and a draft is re-analysed on every edit.

    Returns
    -------
    Rules
        The rules from the default file, as :func:`load_rules` gives them.
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
    """Forget the cached rules and read the file again (after editing or moving it).

    Returns
    -------
    Rules
        The freshly loaded rules.
    """
    global _active, _rules_cache
    with _rules_lock:
        _active = None
        _rules_cache = None
    return active_rules()
