"""The draft and its feedback as self-contained HTML for a notebook output or widget.

Everything a participant typed (the draft, the quoted words, the labels) is escaped here, in
one place, before it reaches the page.
"""

from __future__ import annotations

import html
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mentor_workshop.core import reality
from mentor_workshop.core.feedback.model import SIGNAL_NAMES, Level, Signal
from mentor_workshop.core.feedback.rules import Rules, active_rules

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
.mw-fb-reality { border: 1px solid var(--jp-error-color1, #c62828); border-left-width: 6px;
  border-radius: 4px; padding: 0.5em 0.8em; margin: 0 0 0.6em 0; }
.mw-fb-reality .mw-fb-icon { color: var(--jp-error-color1, #c62828); }
</style>"""

_MAX_QUOTES = 6
_MAX_QUOTE_CHARS = 120


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


def _label(rules: Rules, name: str) -> str:
    # A Signal built by hand may carry a name the rules do not know; show the name itself.
    return rules.signals[name].label if name in rules.signals else name


def _mark_title(rules: Rules, sig: Signal) -> str:
    word = rules.ui["levels"][Level(sig.level).value]["word"]
    return f"{_label(rules, sig.name)} ({word}): {sig.message}"


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


def highlight_html(text: str, signals: Iterable[Signal], names: Iterable[str] | None = None) -> str:
    """The message as escaped HTML with each signal's triggering words in a ``<mark>``.

    Overlapping spans are split into segments so the marks always nest; line breaks are kept
    with ``white-space: pre-wrap``. Pass ``names`` to mark only some signals.

    Parameters
    ----------
    text : str
        The analysed draft; spans that do not match it are skipped rather than misplaced.
    signals : iterable of Signal
        The verdicts from :func:`mentor_workshop.core.feedback.analyze` on ``text``.
    names : str or iterable of str, optional
        Only these signals are marked; all of them when omitted.

    Returns
    -------
    str
        A ``<style>`` block and a ``<div class="mw-highlight">`` holding the escaped draft.

    Raises
    ------
    ValueError
        When ``names`` holds a name that is not in ``SIGNAL_NAMES``.
    """
    rules = active_rules()
    chosen = _pick(signals, names)
    body = _highlight_body(text, chosen, rules)
    return f'{_STYLE}<div class="mw-highlight">{body}</div>'


def _reality_notice(text: str) -> str:
    """One kind sentence above the feedback when the draft is filler (lorem ipsum, mash...).

    The signals below would otherwise praise an ask buried in placeholder text; the same
    judgement decides the step's check, so the panel and the check never disagree.
    """
    verdict = reality.judge(text, kind="prose")
    if verdict.ok or verdict.signal == "empty":
        return ""
    return (f'<p class="mw-fb-reality" role="status" data-signal="{_esc(verdict.signal or "")}">'
            f'<span class="mw-fb-icon" aria-hidden="true">✖</span> '
            f"{_esc(verdict.reason or '')}</p>")


def panel_html(text: str, signals: Iterable[Signal]) -> str:
    """A self-contained feedback panel: the marked draft, then every signal explained.

    Each level shows an icon and a word, so colour is never the only cue; colours come from
    JupyterLab's theme variables (with fallbacks) so the panel reads in light and dark themes.
    When the draft is filler rather than a message (see :mod:`mentor_workshop.core.reality`),
    a sentence saying so comes first.

    Parameters
    ----------
    text : str
        The analysed draft.
    signals : iterable of Signal
        The verdicts on ``text``, listed in the order given.

    Returns
    -------
    str
        One ``<section class="mw-feedback">`` with its own styles, safe to display as is.
    """
    rules = active_rules()
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
        _reality_notice(text),
        f'<div class="mw-highlight">{_highlight_body(text, signals, rules)}</div>',
        '<ul class="mw-fb-list">',
    ]
    for sig in signals:
        level = Level(sig.level).value
        lvl_ui = ui["levels"][level]
        parts.append(
            f'<li class="mw-fb-item mw-sig-{_esc(sig.name)} mw-level-{level}" '
            f'data-signal="{_esc(sig.name)}" data-level="{level}">'
            f'<p class="mw-fb-head"><span class="mw-fb-icon" aria-hidden="true">'
            f"{_esc(lvl_ui['icon'])}</span> <strong>{_esc(lvl_ui['word'])}</strong> · "
            f"{_esc(_label(rules, sig.name))}</p>"
            f'<p class="mw-fb-msg">{_esc(sig.message)}</p>'
            f"{_words_html(sig, ui)}"
            f'<p class="mw-fb-try"><strong>{_esc(ui["try"])}</strong> {_esc(sig.suggestion)}</p>'
            f'<p class="mw-fb-why"><strong>{_esc(ui["why"])}</strong> {_esc(sig.why)}</p>'
            "</li>"
        )
    parts.append("</ul></section>")
    return "".join(parts)
