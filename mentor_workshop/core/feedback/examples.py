"""The labelled example messages (``exercises/feedback_examples.yaml``), checked on load.

The bank is how a facilitator sees whether an edit to the rules still gives the verdicts
people agreed on; a malformed entry is reported by file, key and line like the rules are.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from mentor_workshop.core.feedback.checker import YAML_LOADER, Checker, FeedbackRulesError
from mentor_workshop.core.feedback.model import SIGNAL_NAMES, Level
from mentor_workshop.core.resources import exercises_dir

EXAMPLES_FILE = "feedback_examples.yaml"


def load_examples(path: str | os.PathLike | None = None) -> list[dict[str, Any]]:
    """The labelled example messages, checked: each has an id, a text and valid labels.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The examples file; ``EXAMPLES_FILE`` in the exercises folder when omitted.

    Returns
    -------
    list of dict
        One dict per example, with ``expect`` and ``context`` as plain dicts.

    Raises
    ------
    FeedbackRulesError
        When the file cannot be read, or an entry is malformed; names the key and line.
    """
    target = Path(path) if path is not None else Path(exercises_dir()) / EXAMPLES_FILE
    try:
        text = target.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=YAML_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FeedbackRulesError(f"{target}: cannot read the examples: {exc}") from None
    chk = Checker(target, text)
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


def is_held_out(example: Mapping[str, Any]) -> bool:
    """Whether an example was kept out of shaping the rules (its id starts ``heldout_``).

    Parameters
    ----------
    example : mapping
        One example from :func:`load_examples`.

    Returns
    -------
    bool
        True for the held-out examples, which measure the rules on text they were not tuned to.
    """
    return str(example.get("id", "")).startswith("heldout_")


def agreement(
    examples: Iterable[Mapping[str, Any]],
    analyze: Callable[[str, Mapping[str, str]], Mapping[str, str]],
) -> dict[str, tuple[int, int, int, int]]:
    """How often the rules agree with the labels, per signal, with "not good" as the positive.

    A flag ("consider" or "problem") where a reader said "good" is a false positive; "good"
    where a reader flagged something is a false negative. Precision and recall follow.

    Parameters
    ----------
    examples : iterable of mapping
        Labelled examples from :func:`load_examples`.
    analyze : callable
        ``(text, context) -> {signal: level}``, e.g. ``summary(analyze(text, context))``.

    Returns
    -------
    dict of str to tuple of int
        Signal name -> (true positives, false positives, false negatives, true negatives).
    """
    counts = {name: [0, 0, 0, 0] for name in SIGNAL_NAMES}
    for ex in examples:
        got = analyze(ex["text"], ex.get("context") or {})
        for name, want in ex["expect"].items():
            truth, guess = want != "good", got[name] != "good"
            idx = 0 if truth and guess else 1 if guess else 2 if truth else 3
            counts[name][idx] += 1
    return {k: (v[0], v[1], v[2], v[3]) for k, v in counts.items()}
