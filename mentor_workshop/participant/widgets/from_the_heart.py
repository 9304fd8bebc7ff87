"""Step 04: one sincere, specific sentence of admiration for the first pick.

The work comes first and the statement second because naming the exact talk, decision or
project is what turns praise into something the leader can recognise as theirs. The live panel
shows only the admiration signal, with the context of who the leader is and the work just named,
so "you're amazing" is flagged with the very words that triggered it while a statement that
mentions the named work is recognised as specific.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import ipywidgets as w

from mentor_workshop.core import checks, curriculum
from mentor_workshop.participant.widgets.base import FULL, Exercise, esc, labelled
from mentor_workshop.participant.widgets.feedback_panel import FeedbackPanel

ADMIRATION = "heart.admiration"
NO_PICK = (
    "No first pick yet — you choose one in notebook 01. You can still write about the leader you "
    "have in mind now, and the feedback below works all the same."
)
EMPTY = "Name the work above, then write your statement — feedback on it appears here."


def _content() -> Any:
    return curriculum.load().step("04_from_the_heart").content


def leader_html(pick: Mapping[str, Any] | None) -> str:
    """A card naming the leader being written about, with the reason noted in notebook 01.

    Reminding the participant of their own words from step 01 gives the statement a start.

    Parameters
    ----------
    pick : mapping or None
        The first pick's shortlist entry (``name``, ``why``), or ``None`` when there is none.

    Returns
    -------
    str
        Escaped HTML; a card saying there is no first pick yet when ``pick`` is empty.
    """
    if not pick:
        return f'<div class="mw-card mw-empty">{esc(NO_PICK)}</div>'
    why = str(pick.get("why") or "").strip()
    noted = (f'<div class="mw-help">In notebook 01 you wrote: “{esc(why)}”. Start from there '
             "if it helps.</div>") if why else ""
    return (f"<div class=\"mw-card\">You are writing about <strong>{esc(pick.get('name'))}"
            f"</strong>.{noted}</div>")


def examples_html(generic: Iterable[str], specific: Iterable[str]) -> str:
    """Side-by-side examples, labelled in words: the contrast teaches faster than a rule.

    Parameters
    ----------
    generic : iterable of str
        Statements that could be said to anyone.
    specific : iterable of str
        Statements only one leader could receive.

    Returns
    -------
    str
        An open ``<details>`` block with both lists, escaped.
    """
    gen = "".join(f"<li>{esc(x)}</li>" for x in generic)
    spec = "".join(f"<li>{esc(x)}</li>" for x in specific)
    return (
        '<details open><summary>Examples: generic and specific</summary>'
        f"<div><strong>✘ Generic — could be said to anyone:</strong><ul>{gen}</ul></div>"
        f"<div><strong>✔ Specific — only they could receive it:</strong><ul>{spec}</ul></div>"
        "</details>"
    )


def statement_count_html(text: str, minimum: int) -> str:
    """The statement's word count against the step's minimum, in words.

    Counted with the check's own word count, so "enough" here means the check agrees.

    Parameters
    ----------
    text : str
        The statement.
    minimum : int
        The fewest words the check accepts.

    Returns
    -------
    str
        A status line: the count and what to aim for (or that it is developed enough).
    """
    n = checks.words(text)
    verdict = ("developed enough to feel sincere" if n >= minimum
               else f"aim for at least {minimum}: what they did, and what it changed for you")
    return (f'<div class="mw-help" role="status"><strong>{n} word{"s" if n != 1 else ""}'
            f"</strong> — {esc(verdict)}</div>")


class Heart(Exercise):
    """The specific work, the statement, and live feedback on admiration only."""

    step_id = "04_from_the_heart"
    title = "What you admire, and why"
    keys = (ADMIRATION,)

    def build(self) -> w.Widget:
        content = _content()
        fields = content.fields
        pick = checks.first_pick(self.journal)
        self.leader = w.HTML(leader_html(pick), layout=FULL)
        self.leader.add_class("mw-04-leader")
        examples = w.HTML(examples_html(content.examples.generic, content.examples.specific),
                          layout=FULL)
        examples.add_class("mw-04-examples")

        self.work = w.Text(placeholder=fields.work.placeholder, continuous_update=True,
                           layout=FULL)
        self.work.add_class("mw-04-work")
        self.statement = w.Textarea(placeholder=fields.statement.placeholder,
                                    continuous_update=True,
                                    layout=w.Layout(width="100%", height="8em"))
        self.statement.add_class("mw-04-statement")
        stored = self.value(ADMIRATION, {})
        stored = stored if isinstance(stored, dict) else {}
        for field, box in (("work", self.work), ("statement", self.statement)):
            if isinstance(stored.get(field), str):
                box.value = stored[field]
            box.observe(self.guard(lambda _: self._save()), names="value")

        self.word_count = w.HTML(layout=FULL)
        self.word_count.add_class("mw-04-wordcount")
        self.statement.observe(self.guard(lambda _: self._count()), names="value")
        self._count()
        self.panel = FeedbackPanel(self.statement, context=self._context, names=("admiration",),
                                   css="mw-04-feedback", empty_message=EMPTY)
        # The named work is part of the context, so changing it can change the verdict.
        self.work.observe(self.guard(lambda _: self.panel.refresh()), names="value")

        return w.VBox([
            self.leader,
            examples,
            labelled(self.work, fields.work.label, fields.work.help),
            labelled(self.statement, fields.statement.label, fields.statement.help),
            self.word_count,
            self.panel.widget,
        ], layout=FULL)

    def _context(self) -> dict[str, str]:
        """The journal's context, with the work as typed right now (not as last saved)."""
        ctx = checks.feedback_context(self.journal)
        work = self.work.value.strip()
        if work:
            ctx["leader_work"] = work
        else:
            ctx.pop("leader_work", None)
        return ctx

    def _save(self) -> None:
        """Always both fields, so the journal holds the shape the contract promises."""
        self.save(ADMIRATION, {"work": self.work.value, "statement": self.statement.value})

    def _count(self) -> None:
        self.word_count.value = statement_count_html(self.statement.value, _content().min_words)

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        fields = _content().fields
        entry = self.value(ADMIRATION, {})
        entry = entry if isinstance(entry, dict) else {}
        pick = checks.first_pick(self.journal)
        yield "About", pick.get("name") if pick else None
        yield fields.work.label, entry.get("work")
        yield fields.statement.label, entry.get("statement")


EXERCISES: dict[str, type[Exercise]] = {"": Heart}
