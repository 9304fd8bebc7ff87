"""The keyboard-driven blind grader of ``facilitator/grade_reflections.ipynb``.

Why keys: a grader scores dozens of reflections in a row, and pressing ``2 1 2`` for the three
criteria is far quicker than clicking. Why a state class without widgets: everything the grader
does (choose a level, move, save) lives in :class:`GraderState`, which tests drive directly; the
widgets in :func:`grader_ui` only show that state and forward key presses to it.
"""

from __future__ import annotations

import html
import os
from typing import Any

import ipywidgets as w

from mentor_workshop.facilitator.grading.queue import Answer, GradingQueue, Question
from mentor_workshop.facilitator.grading.rubric import Criterion

__all__ = ["KEY_HELP", "GraderState", "grader_ui"]

KEY_HELP = (
    "Keys: <b>0–9</b> level for the highlighted criterion (then the next one) · "
    "<b>n</b> next · <b>p</b> previous · <b>u</b> next ungraded · <b>c</b> comment · "
    "<b>s</b> save · <b>x</b> clear levels"
)


class GraderState:
    """What the grader notebook shows and does, without any widgets (so tests can drive it).

    Parameters
    ----------
    queue : GradingQueue
        The answers to grade.
    question : int
        Index of the question to start with.
    """

    def __init__(self, queue: GradingQueue, question: int = 0) -> None:
        self.queue = queue
        self.question_index = question
        self.index = 0
        self.active = 0  # highlighted rubric criterion
        self.levels: dict[str, int] = {}
        self.comment = ""
        self.message = ""
        self.index = self._first_open()
        self._load()

    def _first_open(self) -> int:
        """Where a session starts: the first answer that still needs a grade."""
        answers = self.answers
        return next((i for i, a in enumerate(answers) if not a.graded and not a.blank), 0)

    @property
    def question(self) -> Question:
        return self.queue.questions[self.question_index]

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        """The criteria scoring this question (no "Next action" where the prompt asks none)."""
        return self.queue.rubric.for_step(self.question.notebook)

    @property
    def answers(self) -> list[Answer]:
        return self.queue.answers(self.question)

    @property
    def answer(self) -> Answer | None:
        answers = self.answers
        return answers[self.index] if answers else None

    @property
    def dirty(self) -> bool:
        a = self.answer
        return a is not None and (self.levels != a.levels or self.comment != a.comment)

    def _load(self) -> None:
        a = self.answer
        self.levels = dict(a.levels) if a else {}
        self.comment = a.comment if a else ""
        self.active = next((i for i, c in enumerate(self.criteria)
                            if c.id not in self.levels), 0)

    def choose_question(self, index: int) -> None:
        """Switch to another question (saving a finished grade first).

        Parameters
        ----------
        index : int
            The question's index in the queue.

        Returns
        -------
        None
        """
        self.save_if_complete()
        self.question_index = index
        self.index = self._first_open()
        self._load()

    def move(self, step: int) -> None:
        """Go to another answer, wrapping round (saving a finished grade first).

        Parameters
        ----------
        step : int
            How many answers forward (negative: back).

        Returns
        -------
        None
        """
        self.save_if_complete()
        if self.answers:
            self.index = (self.index + step) % len(self.answers)
        self._load()

    def next_ungraded(self) -> bool:
        """Go to the next answer that still needs a grade (blank answers need none).

        Returns
        -------
        bool
            False, with a message, when every answer to this question is graded.
        """
        self.save_if_complete()
        answers = self.answers
        for offset in range(1, len(answers) + 1):
            i = (self.index + offset) % len(answers)
            if not answers[i].graded and not answers[i].blank:
                self.index = i
                self._load()
                return True
        self.message = "Every answer to this question is graded."
        self._load()
        return False

    def set_level(self, points: int, criterion: int | None = None) -> None:
        """Choose a level; once every criterion has one, the grade is saved.

        Parameters
        ----------
        points : int
            The level's points (a refused value leaves a message instead).
        criterion : int, optional
            The criterion's index; the highlighted one when omitted.

        Returns
        -------
        None
        """
        criteria = self.criteria
        crit = criteria[self.active if criterion is None else criterion]
        if points not in [lv.points for lv in crit.levels]:
            self.message = f"{crit.title} goes from 0 to {crit.max_points}."
            return
        self.levels[crit.id] = points
        self.message = ""
        self.active = (criteria.index(crit) + 1) % len(criteria)
        if len(self.levels) == len(criteria):
            self.save()

    def clear(self) -> None:
        """Forget the levels chosen for this answer (nothing is saved until ``save``)."""
        self.levels = {}
        self.active = 0

    def save_if_complete(self) -> None:
        """Save before leaving an answer, unless the levels are only half chosen."""
        if self.dirty and (len(self.levels) == len(self.criteria) or
                           not self.levels):
            self.save()

    def save(self) -> bool:
        """Save this answer's levels and comment to the gradebook.

        Returns
        -------
        bool
            False, with a message, when some criterion still has no level.
        """
        a = self.answer
        if a is None:
            return False
        criteria = self.criteria
        if self.levels and len(self.levels) != len(criteria):
            self.message = "Choose a level for every criterion before saving."
            return False
        if not self.levels and a.manual_score is None:
            if self.comment != a.comment:
                self.queue.grade(a, levels={}, score=None, comment=self.comment)
                self.message = "Comment saved (no score yet)."
            return True
        self.queue.grade(a, levels=self.levels, score=None if self.levels else a.manual_score,
                         comment=self.comment)
        self.message = f"Saved {a.pseudonym}: {a.manual_score:g}/{a.max_score:g}."
        return True

    def key(self, char: str) -> str | None:
        """Apply one keystroke.

        Parameters
        ----------
        char : str
            The key: a digit (level), ``n``/``j``, ``p``/``k``, ``u``, ``s``, ``x`` or ``c``.

        Returns
        -------
        str or None
            ``"comment"`` when the comment box should take focus, else None.
        """
        if char.isdigit():
            self.set_level(int(char))
        elif char in "nj":
            self.move(1)
        elif char in "pk":
            self.move(-1)
        elif char == "u":
            self.next_ungraded()
        elif char == "s":
            self.save()
        elif char == "x":
            self.clear()
        elif char == "c":
            return "comment"
        return None

    def answer_html(self) -> str:
        """The question, its progress and the current answer, escaped, as HTML.

        Returns
        -------
        str
            The HTML shown above the rubric buttons.
        """
        a = self.answer
        q = self.question
        done, total = self.queue.progress(q)
        head = (f"<h3>{html.escape(q.title)} <small>({html.escape(q.cell)}, "
                f"{done}/{total} graded)</small></h3>")
        if q.prompt:
            head += f"<p><b>Question:</b> {html.escape(q.prompt)}</p>"
        if q.idea:
            head += f"<p><b>This step's idea:</b> {html.escape(q.idea)}</p>"
        if a is None:
            return head + "<p>No submissions yet.</p>"
        status = "graded" if a.graded else ("blank — scored 0 by autograde" if a.blank
                                            else "not graded")
        body = html.escape(a.text).replace("\n", "<br>")
        return (f"{head}<p><b>{html.escape(a.pseudonym)}</b> · answer {self.index + 1} of "
                f"{len(self.answers)} · {status}</p>"
                f"<div style='border:1px solid #ccc;padding:8px;white-space:normal'>{body}</div>")


def anchors_html(criterion: Criterion, step_id: str, chosen: int | None) -> str:
    """Each level's example answer for this step, the chosen level in bold.

    Why: an anchor beside the buttons is what keeps two graders' levels comparable (see
    ``mentor-workshop grade agreement``).

    Parameters
    ----------
    criterion : Criterion
        A criterion as scored in this step.
    step_id : str
        The reflection's step.
    chosen : int or None
        The points chosen so far, if any.

    Returns
    -------
    str
        Escaped HTML: a small list, or the chosen level's description when there are no anchors.
    """
    items = []
    for lv in criterion.levels:
        example = lv.anchors.get(step_id)
        text = (f"{lv.points} · {html.escape(lv.label)}: "
                + (f"“{html.escape(example)}”" if example else html.escape(lv.description)))
        items.append(f"<li><b>{text}</b></li>" if lv.points == chosen else f"<li>{text}</li>")
    return f"<small>Examples for this step:<ul style='margin:0'>{''.join(items)}</ul></small>"


def grader_ui(course_dir: str | os.PathLike[str] = ".", assignment: str | None = None) -> Any:
    """The keyboard-driven grader for ``facilitator/grade_reflections.ipynb``.

    Parameters
    ----------
    course_dir : str or PathLike
        The nbgrader course folder (the notebook's folder by default).
    assignment : str, optional
        The assignment; the course's default when omitted.

    Returns
    -------
    ipywidgets.Widget
        The grader, ready to display (a short message when there is nothing to grade).
    """
    state = GraderState(GradingQueue(course_dir, assignment))
    queue = state.queue
    if not queue.questions:
        return w.HTML("<p>This assignment has no reflections to grade.</p>")
    criteria = queue.rubric.criteria  # one row each; rows a question does not score are hidden

    def question_label(i: int, q: Question) -> tuple[str, int]:
        done, total = queue.progress(q)
        return f"{q.title} ({done}/{total})", i

    questions = w.Dropdown(options=[question_label(i, q) for i, q in enumerate(queue.questions)],
                           description="Question", layout=w.Layout(width="60%"))
    answer = w.HTML()
    buttons = []
    descriptions = []
    rows = []
    for crit in criteria:
        toggle = w.ToggleButtons(
            options=[(f"{lv.points} · {lv.label}", lv.points) for lv in crit.levels],
            value=None, tooltips=[lv.description for lv in crit.levels],
            style={"button_width": "auto"})
        toggle.observe(lambda change, cid=crit.id: _on_toggle(change, cid), names="value")
        desc = w.HTML()
        buttons.append(toggle)
        descriptions.append(desc)
        rows.append(w.VBox([w.HTML(), toggle, desc]))
    comment = w.Textarea(placeholder="Comment for the participant (optional)",
                         layout=w.Layout(width="100%", height="5em"))
    keys = w.Text(placeholder="Click here, then grade with the keyboard", continuous_update=True,
                  layout=w.Layout(width="60%"))
    message = w.HTML()
    nav = [w.Button(description=d, tooltip=t) for d, t in
           (("◀ previous", "p"), ("next ▶", "n"), ("next ungraded", "u"), ("save", "s"))]
    syncing = {"on": False}

    def render() -> None:
        syncing["on"] = True
        try:
            answer.value = state.answer_html()
            scored = {c.id: (i, c) for i, c in enumerate(state.criteria)}
            step_id = state.question.notebook
            for ci, base in enumerate(criteria):
                if base.id not in scored:
                    rows[ci].layout.display = "none"
                    buttons[ci].value = None
                    continue
                rows[ci].layout.display = None
                index, crit = scored[base.id]
                options = [(f"{lv.points} · {lv.label}", lv.points) for lv in crit.levels]
                if list(buttons[ci].options) != options:
                    buttons[ci].value = None
                    buttons[ci].options = options
                    buttons[ci].tooltips = [lv.description for lv in crit.levels]
                marker = "▶ " if index == state.active else ""
                rows[ci].children[0].value = (
                    f"<b>{marker}{html.escape(crit.title)}</b> (0–{crit.max_points}): "
                    f"{html.escape(crit.description)}")
                buttons[ci].value = state.levels.get(crit.id)
                descriptions[ci].value = anchors_html(crit, step_id, state.levels.get(crit.id))
            comment.value = state.comment
            total = sum(state.levels.values()) if state.levels else None
            score = "" if total is None else f"Score: <b>{total}</b>/{state.question.max_score:g}. "
            message.value = f"{score}{html.escape(state.message)}<br><small>{KEY_HELP}</small>"
            questions.options = [question_label(i, q) for i, q in enumerate(queue.questions)]
            questions.value = state.question_index
        finally:
            syncing["on"] = False

    def _on_toggle(change: dict, cid: str) -> None:
        if syncing["on"] or change["new"] is None:
            return
        index = next((i for i, c in enumerate(state.criteria) if c.id == cid), None)
        if index is not None:
            state.set_level(change["new"], index)
        render()

    def on_keys(change: dict) -> None:
        if syncing["on"] or not change["new"]:
            return
        focus = None
        for char in change["new"]:
            focus = state.key(char.lower()) or focus
        keys.value = ""
        render()
        if focus == "comment":
            comment.focus()

    def on_comment(change: dict) -> None:
        if not syncing["on"]:
            state.comment = change["new"]

    def on_question(change: dict) -> None:
        if not syncing["on"] and change["new"] is not None:
            state.choose_question(change["new"])
            render()

    def on_nav(button: Any) -> None:
        state.key(button.tooltip)
        render()
        keys.focus()

    keys.observe(on_keys, names="value")
    comment.observe(on_comment, names="value")
    questions.observe(on_question, names="value")
    for button in nav:
        button.on_click(on_nav)
    render()
    ui = w.VBox([questions, answer, *rows, comment, w.HBox([keys, *nav]), message])
    ui._mw_state = state  # for tests and for the curious
    ui._mw_keys = keys
    return ui
