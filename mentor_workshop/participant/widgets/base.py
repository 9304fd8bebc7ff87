"""The base every exercise widget stands on.

An exercise never keeps answers in widget state: widget state saved in a notebook cannot be
rebuilt in a new kernel, and nbgrader clears outputs before grading. So each exercise reads its
values from the journal when it is built and writes them back on every change. While nbgrader
grades (``NBGRADER_EXECUTION`` is set) an exercise shows a read-only summary and writes nothing.

Participants never see a traceback: every callback runs inside :meth:`Exercise.guard`, which turns
an exception into a short message in the status line and keeps what they typed on screen.
"""

from __future__ import annotations

import html
import logging
import os
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar

import ipywidgets as w
from IPython.display import HTML, display

from mentor_workshop.core import checks
from mentor_workshop.core.journal import Journal, JournalError

log = logging.getLogger(__name__)

#: CSS shared by every exercise; JupyterLab's variables keep light and dark themes readable.
STYLE = """
<style>
.mw-exercise { border-left: 4px solid var(--jp-brand-color1, #1976d2); padding: 4px 0 4px 12px;
  margin: 6px 0; max-width: 56rem; }
.mw-exercise .widget-label { min-width: 14ex; }
/* A button is as wide as its label: never stretched into a bar, never squeezed into "Add th…" */
.mw-exercise .jupyter-button.widget-button { width: auto; min-width: 10em; padding: 0 1em;
  align-self: flex-start; flex-shrink: 0; max-width: 100%; }
/* Rows of an input and its button wrap instead of cutting the button off */
.mw-exercise .mw-row { flex-wrap: wrap; align-items: flex-end; }
.mw-exercise .mw-row > .mw-grow { flex: 1 1 20em; width: auto; min-width: 0; }
/* A full-width input keeps its right border inside the card (widgets carry a margin) */
.mw-exercise :is(.widget-text, .widget-textarea, .widget-dropdown, .widget-datepicker,
  .widget-output, .widget-slider, .widget-inline-hbox) {
  max-width: calc(100% - 2 * var(--jp-widgets-margin, 2px)); box-sizing: border-box; }
/* A date picker as wide as its label and a whole date, never squeezed to "03/" */
.mw-exercise .widget-datepicker { width: auto; flex: 0 0 auto; align-self: flex-start; }
.mw-exercise .widget-datepicker input { min-width: 10em; }
.mw-status { font-size: var(--jp-ui-font-size1, 13px); color: var(--jp-ui-font-color2, #555); }
.mw-status-error { color: var(--jp-error-color1, #c62828); font-weight: 600; }
.mw-empty { color: var(--jp-ui-font-color2, #555); font-style: italic; }
.mw-card { border: 1px solid var(--jp-border-color1, #bbb); border-radius: 6px; padding: 8px;
  margin: 6px 0; }
.mw-check ul { margin: 4px 0 4px 0; padding-left: 1.2em; }
.mw-help { color: var(--jp-ui-font-color2, #555); font-size: var(--jp-ui-font-size1, 13px); }
.mw-summary dt { font-weight: 600; margin-top: 4px; }
.mw-summary dd { margin-left: 1.5em; white-space: pre-wrap; }
</style>
"""

FULL = w.Layout(width="100%")


def grading_mode() -> bool:
    """True while nbgrader executes the notebook: show answers, change nothing.

    Returns
    -------
    bool
        Whether ``NBGRADER_EXECUTION`` is set to a non-empty value.
    """
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def esc(value: Any) -> str:
    """Escape anything a participant typed before it reaches HTML.

    Parameters
    ----------
    value : Any
        Any value; ``None`` becomes "", anything else goes through ``str``.

    Returns
    -------
    str
        The text with ``&``, ``<``, ``>`` and quotes escaped.
    """
    return html.escape("" if value is None else str(value))


class Exercise:
    """An exercise bound to journal keys.

    Subclasses set ``step_id`` and ``keys`` and implement :meth:`build`; they read answers with
    :meth:`value` and write them with :meth:`save` (or wire a widget with :meth:`bind`).
    """

    step_id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    keys: ClassVar[tuple[str, ...]] = ()

    def __init__(self, journal: Journal | str | os.PathLike | None = None) -> None:
        if journal is None:
            journal = Journal.for_notebook_dir(os.getcwd())
        elif not isinstance(journal, Journal):
            journal = Journal(journal)
        self.journal = journal
        self.status = w.HTML(value="", layout=FULL)
        self.status.add_class("mw-status")
        self.result = w.HTML(value="", layout=FULL)
        self._root: w.Widget | None = None

    # -- journal access -------------------------------------------------------------------

    def value(self, key: str, default: Any = None) -> Any:
        """A saved answer; an unreadable journal shows a message and the exercise starts blank.

        Parameters
        ----------
        key : str
            The journal key.
        default : Any, optional
            Returned when nothing is saved or the journal cannot be read.

        Returns
        -------
        Any
            A copy of the saved answer, or ``default``.
        """
        try:
            return self.journal.load(key, default)
        except (JournalError, OSError) as exc:
            self.say(f"Could not read your saved answers: {exc}", error=True)
            return default

    def save(self, key: str, value: Any) -> bool:
        """Save one answer; on failure say so in the status line and keep the widget as it is.

        Parameters
        ----------
        key : str
            The journal key.
        value : Any
            A JSON-plain value.

        Returns
        -------
        bool
            True when saved; False when it failed or nbgrader is grading (nothing is written).
        """
        if grading_mode():
            return False
        try:
            self.journal.save(key, value)
        except JournalError as exc:
            self.say(f"Not saved: {exc}", error=True)
            return False
        except OSError as exc:
            self.say(
                f"Not saved — the journal file could not be written ({exc.strerror or exc}). "
                "Check the folder is writable; your text is still here.",
                error=True,
            )
            return False
        self.say(f"✓ Saved {datetime.now():%H:%M:%S}")
        return True

    def bind(
        self,
        widget: w.ValueWidget,
        key: str,
        field: str | None = None,
        default: Any = None,
    ) -> w.ValueWidget:
        """Restore ``widget`` from the journal and save it on every change.

        With ``field``, the journal value under ``key`` is a dict and the widget owns one field.

        Parameters
        ----------
        widget : ipywidgets.ValueWidget
            The input to restore and observe.
        key : str
            The journal key.
        field : str, optional
            The field of the dict under ``key`` this widget owns.
        default : Any, optional
            The value used when nothing is saved.

        Returns
        -------
        ipywidgets.ValueWidget
            The same widget, so it can be placed in a layout in the same expression.
        """
        stored = self.value(key, {} if field else default)
        if field:
            stored = stored.get(field, default) if isinstance(stored, dict) else default
        if stored is not None:
            try:
                widget.value = stored
            except Exception:  # a value of the wrong type from an old journal: start blank
                log.debug("could not restore %s.%s", key, field, exc_info=True)

        def on_change(change: dict) -> None:
            if field:
                current = self.value(key, {})
                current = dict(current) if isinstance(current, dict) else {}
                current[field] = change["new"]
                self.save(key, current)
            else:
                self.save(key, change["new"])

        widget.observe(self.guard(on_change), names="value")
        return widget

    # -- feedback to the participant ------------------------------------------------------

    def say(self, message: str, error: bool = False) -> None:
        """Show ``message`` (escaped) in the status line; ``error`` styles it and adds ⚠."""
        icon = "⚠ " if error and not message.startswith(("⚠", "✘")) else ""
        cls = "mw-status-error" if error else ""
        self.status.value = f'<span class="{cls}" role="status">{icon}{esc(message)}</span>'

    def guard(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """Wrap a callback so an exception becomes a friendly message, never a traceback."""

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                log.debug("exercise callback failed", exc_info=True)
                self.say(
                    f"Something went wrong ({type(exc).__name__}: {exc}). Your answers so far "
                    "are saved; try again, or ask your facilitator.",
                    error=True,
                )
                return None

        return wrapped

    def check_button(self) -> w.Widget:
        """The "Check my work" button and its result area; runs the grader's own check."""
        button = w.Button(
            description="Check my work",
            icon="check",
            button_style="primary",
            tooltip="Run the same check your facilitator uses",
        )

        def on_click(_: w.Button) -> None:
            self.result.value = checks.check(self.step_id, self.journal)._repr_html_()

        button.on_click(self.guard(on_click))
        return w.VBox([button, self.result])

    # -- building and showing ---------------------------------------------------------------

    def build(self) -> w.Widget:
        """The exercise's own controls; every subclass implements it."""
        raise NotImplementedError

    def widget(self) -> w.Widget:
        """The whole exercise (title, controls, status, check button), built once and kept."""
        if self._root is None:
            parts = [w.HTML(STYLE)]
            if self.title:
                parts.append(w.HTML(f"<h4>{esc(self.title)}</h4>"))
            parts += [self.build(), self.status]
            if self.step_id:
                parts.append(self.check_button())
            self._root = w.VBox(parts, layout=FULL)
            self._root.add_class("mw-exercise")
        return self._root

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        """(label, value) pairs shown in the read-only summary; override for nicer labels."""
        for key in self.keys:
            yield key, self.value(key)

    def summary_html(self) -> str:
        """The read-only summary nbgrader's run shows instead of the widgets, as HTML."""
        rows = []
        for label, value in self.summary_items():
            rows.append(f"<dt>{esc(label)}</dt><dd>{_render(value)}</dd>")
        body = "".join(rows) or '<p class="mw-empty">No answers saved yet.</p>'
        heading = f"<h4>{esc(self.title)}</h4>" if self.title else ""
        return f'{STYLE}<div class="mw-exercise mw-summary">{heading}<dl>{body}</dl></div>'

    def show(self) -> None:
        """Display the exercise, or its read-only summary while nbgrader grades."""
        if grading_mode():
            display(HTML(self.summary_html()))
        else:
            display(self.widget())


def _render(value: Any) -> str:
    """A participant's value as escaped HTML, readable whatever its shape."""
    if value is None or value == "" or value == [] or value == {}:
        return '<span class="mw-empty">(not answered)</span>'
    if isinstance(value, dict):
        inner = "".join(f"<dt>{esc(k)}</dt><dd>{_render(v)}</dd>" for k, v in value.items())
        return f"<dl>{inner}</dl>"
    if isinstance(value, list):
        return "<ol>" + "".join(f"<li>{_render(v)}</li>" for v in value) + "</ol>"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return esc(value)


#: How long after a click on an "Add" button a box's text still counts as what the click was for.
ADD_GRACE_SECONDS = 3.0


def add_from_box(exercise: Exercise, box: w.Text, button: w.Button,
                 act: Callable[[str], Any]) -> None:
    """Wire "type, then press Add" so the button always acts on what was last typed.

    Why: the browser holds back a text box's update while an earlier message to the kernel is
    still unanswered, but sends a click at once, so the click can reach the kernel before the
    text typed just before it. The box is therefore not continuous (it sends its text whole,
    when you leave it or press Enter); a click acts on what the kernel has, and if different
    text arrives a moment later, it acts again on that. ``act`` gives its own message for an
    empty box and may clear the box after adding (that change is not a new entry).

    Parameters
    ----------
    exercise : Exercise
        The exercise whose :meth:`Exercise.guard` wraps both callbacks.
    box : ipywidgets.Text
        The text box; its ``continuous_update`` is turned off.
    button : ipywidgets.Button
        The "Add" button.
    act : callable
        Called with the box's text; adds the entry.
    """
    box.continuous_update = False
    state: dict[str, Any] = {"clicked": float("-inf"), "acted": None, "busy": False}

    def run(value: str) -> None:
        state["busy"] = True
        try:
            act(value)
        finally:
            state["busy"] = False
            state["acted"] = value

    def on_click(_: w.Button) -> None:
        state["clicked"] = time.monotonic()
        run(box.value)

    def on_value(change: dict) -> None:
        if state["busy"]:  # ``act`` itself changed the box: it added the entry and cleared it
            state["clicked"] = float("-inf")
            return
        new = str(change["new"])
        if time.monotonic() - state["clicked"] < ADD_GRACE_SECONDS and new != state["acted"]:
            state["clicked"] = float("-inf")
            run(new)

    button.on_click(exercise.guard(on_click))
    box.observe(exercise.guard(on_value), names="value")


def row(*children: w.Widget, grow: w.Widget | None = None) -> w.HBox:
    """Controls side by side that wrap onto the next line rather than cut a button off.

    ``grow`` (usually the labelled text box) takes the room the buttons leave.

    Parameters
    ----------
    *children : ipywidgets.Widget
        The controls, left to right.
    grow : ipywidgets.Widget, optional
        One of ``children`` that stretches; its layout is replaced.

    Returns
    -------
    ipywidgets.HBox
        The row, with the ``mw-row`` class.
    """
    if grow is not None:
        grow.layout = w.Layout()  # not the shared FULL layout: this one is sized by the row
        grow.add_class("mw-grow")
    box = w.HBox(list(children))
    box.add_class("mw-row")
    return box


def labelled(widget: w.Widget, label: str, help_text: str = "") -> w.Widget:
    """A visible label above an input (screen readers read ``description``; people read this).

    Parameters
    ----------
    widget : ipywidgets.Widget
        The input; its ``description`` is set to ``label`` when it has an empty one.
    label : str
        The label text.
    help_text : str, default ""
        A line of help shown below the input, escaped.

    Returns
    -------
    ipywidgets.Widget
        A full-width box holding the input and its help.
    """
    if hasattr(widget, "description") and not widget.description:
        widget.description = label
        widget.style.description_width = "initial"
    parts: list[w.Widget] = [widget]
    if help_text:
        help_widget = w.HTML(f'<div class="mw-help">{esc(help_text)}</div>')
        parts.append(help_widget)
    return w.VBox(parts, layout=FULL)
