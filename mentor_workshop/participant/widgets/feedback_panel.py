"""A live feedback panel: a text box re-read by :mod:`mentor_workshop.core.feedback` as you type.

Why a widget of its own: three steps (the request, the admiration statement, the tone revision)
show the same rules on different text and care about different signals. Each passes its text box,
a way to get the context (the first pick's name and work, read fresh from the journal because the
participant may change it in another notebook), and the signals worth showing there. The panel
never raises into the notebook: a broken rules file or a bad context becomes a sentence in the
panel, and the participant's text is untouched (it is saved by the exercise, not here).

DOM contract for browser tests: the panel's HTML holds a ``section.mw-feedback`` whose list rows
are ``li.mw-fb-item.mw-sig-<name>.mw-level-<level>`` with ``data-signal`` and ``data-level``
(written by :func:`feedback.panel_html`); the widget itself carries ``mw-feedback-panel`` plus any
class the exercise adds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import ipywidgets as w

from mentor_workshop.core import feedback
from mentor_workshop.participant.widgets.base import FULL, esc

log = logging.getLogger(__name__)

ContextProvider = Callable[[], Mapping[str, Any]] | Mapping[str, Any] | None
Listener = Callable[[list[feedback.Signal]], None]

#: Shown while the text box is empty: feedback on nothing would only be a list of "missing".
EMPTY_MESSAGE = "Start writing in the box above — feedback appears here as you type."


def signal_names(names: Iterable[str] | str | None) -> tuple[str, ...] | None:
    """Validate a filter early, so a typo in an exercise fails when it is built, not mid-typing.

    Parameters
    ----------
    names : iterable of str, str or None
        Signal names to show; one name alone is accepted; ``None`` means every signal.

    Returns
    -------
    tuple of str or None
        The names as a tuple, or ``None`` for no filter.

    Raises
    ------
    ValueError
        For a name that is not in ``feedback.SIGNAL_NAMES``.
    """
    if names is None:
        return None
    chosen = (names,) if isinstance(names, str) else tuple(names)
    unknown = [n for n in chosen if n not in feedback.SIGNAL_NAMES]
    if unknown:
        raise ValueError(
            f"Unknown feedback signal(s) {unknown}; choose from: {', '.join(feedback.SIGNAL_NAMES)}"
        )
    return chosen


def _notice(message: str, css: str) -> str:
    """A panel-shaped message, so the panel keeps its place (and class) whatever happens."""
    return f'<section class="mw-feedback {css}"><p class="mw-empty">{esc(message)}</p></section>'


class FeedbackPanel:
    """Feedback on one text box, refreshed on every change of its value.

    ``names`` limits the panel to some signals (``("admiration",)`` in step 4, the tone pair in
    step 5); ``context`` is a mapping or a function returning one, called on every refresh.
    """

    def __init__(
        self,
        source: w.ValueWidget | None = None,
        context: ContextProvider = None,
        names: Iterable[str] | str | None = None,
        *,
        css: str = "",
        empty_message: str = EMPTY_MESSAGE,
    ) -> None:
        self.names = signal_names(names)
        self.context = context
        self.empty_message = empty_message
        self.signals: list[feedback.Signal] = []
        self.error: str = ""
        self.text: str = ""
        self.widget = w.HTML(value="", layout=FULL)
        self.widget.add_class("mw-feedback-panel")
        if css:
            self.widget.add_class(css)
        self._source: w.ValueWidget | None = None
        self._listeners: list[Listener] = []
        if source is not None:
            self.watch(source)
        else:
            self.refresh("")

    # -- wiring ---------------------------------------------------------------------------

    def watch(self, source: w.ValueWidget) -> None:
        """Follow ``source``: every keystroke (with ``continuous_update``) re-runs the rules."""
        self._source = source
        source.observe(lambda change: self.refresh(change["new"]), names="value")
        self.refresh()

    def on_update(self, listener: Listener) -> None:
        """Call ``listener(signals)`` after every refresh (now, too), e.g. to draw a tone meter."""
        self._listeners.append(listener)
        self._notify()

    # -- state ----------------------------------------------------------------------------

    @property
    def levels(self) -> dict[str, str]:
        """Signal name -> "good" / "consider" / "problem", for the signals shown."""
        return feedback.summary(self.signals)

    def _context(self) -> Mapping[str, Any]:
        ctx = self.context() if callable(self.context) else self.context
        return ctx or {}

    def refresh(self, text: Any = None) -> list[feedback.Signal]:
        """Re-read the text (the source's value unless given) and redraw; never raises."""
        if text is None:
            text = self._source.value if self._source is not None else ""
        self.text = text if isinstance(text, str) else ""
        self.error = ""
        if not self.text.strip():
            self.signals = []
            self.widget.value = _notice(self.empty_message, "mw-feedback-empty")
            self._notify()
            return self.signals
        try:
            found = feedback.analyze(self.text, self._context())
            if self.names is not None:
                found = [s for s in found if s.name in self.names]
            self.signals = found
            self.widget.value = feedback.panel_html(self.text, found)
        except feedback.FeedbackRulesError as exc:
            self._fail(f"Feedback is switched off because the rules file has a problem: {exc}. "
                       "Your text is still saved; ask your facilitator to fix the file.")
        except Exception as exc:
            log.debug("feedback failed", exc_info=True)
            self._fail(f"Feedback could not be worked out this time ({type(exc).__name__}: "
                       f"{exc}). Your text is still saved; keep writing, or ask your facilitator.")
        self._notify()
        return self.signals

    def _fail(self, message: str) -> None:
        self.signals = []
        self.error = message
        self.widget.value = _notice(message, "mw-feedback-error")

    def _notify(self) -> None:
        for listener in self._listeners:
            try:
                listener(self.signals)
            except Exception:  # a broken add-on must not take the panel down with it
                log.debug("feedback listener failed", exc_info=True)


def spans_by_signal(signals: Sequence[feedback.Signal]) -> dict[str, list[str]]:
    """The words that triggered each signal, de-duplicated, for summaries and tests.

    Parameters
    ----------
    signals : sequence of Signal
        Verdicts from the feedback engine.

    Returns
    -------
    dict of str to list of str
        Signal name to its triggering words (whitespace collapsed), in order of first
        appearance; a signal with no spans maps to [].
    """
    out: dict[str, list[str]] = {}
    for sig in signals:
        words = list(dict.fromkeys(" ".join(sp.text.split()) for sp in sig.spans))
        out[sig.name] = words
    return out


__all__ = ["EMPTY_MESSAGE", "FeedbackPanel", "signal_names", "spans_by_signal"]
