"""Self-assessment of a reflection against the rubric, for a learner with no grader.

Why the anchors: a level's description ("connects the idea to their own experience") is hard
to apply to your own writing. Where the rubric gives a short example answer for this step at a
level (``anchors`` in ``exercises/rubric.yaml``), it is shown under the level, so the learner
compares their answer with an example rather than with an abstraction. Without one, the
level's description is shown.

The scores go under a private journal key: ``collect`` and every facilitator reader leave them
out unless the learner chooses to share them (``core/journal_format.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as w

from mentor_workshop.core import curriculum, solo
from mentor_workshop.participant.solo.choice import SELF_KEY
from mentor_workshop.participant.widgets.base import FULL, Exercise, esc

__all__ = ["SelfAssessment", "anchor", "criteria_for"]


def anchor(level: Any, step_id: str) -> str:
    """The example answer for ``step_id`` at this level, or the level's description.

    Parameters
    ----------
    level : Level
        A rubric level; its ``anchors`` (step id -> example) are used when the rubric has them.
    step_id : str
        The step being assessed.

    Returns
    -------
    str
        The text to show under the level.
    """
    anchors = getattr(level, "anchors", None) or {}
    example = anchors.get(step_id) if isinstance(anchors, dict) else None
    return f"e.g. “{example}”" if example else level.description


def criteria_for(step_id: str) -> list[Any]:
    """The rubric criteria that apply to this step's reflection.

    Parameters
    ----------
    step_id : str
        The step.

    Returns
    -------
    list of Criterion
        The ones the step's reflection names (``criteria``, where the content declares them),
        else every criterion of the rubric.
    """
    cur = curriculum.load()
    named = getattr(cur.step(step_id).content.reflection, "criteria", None)
    if named:
        return [c for c in cur.rubric.criteria if c.id in named]
    return list(cur.rubric.criteria)


class SelfAssessment(Exercise):
    """One row of level buttons per rubric criterion; the choice is saved privately."""

    title = "Score your own reflection"

    def __init__(self, step_id: str, journal: Any = None) -> None:
        super().__init__(journal)
        self.for_step = step_id
        self.texts = solo.load().self_assessment  # a broken solo.yaml fails here, not on show

    def _scores(self) -> dict[str, Any]:
        stored = self.value(SELF_KEY, {})
        mine = stored.get(self.for_step) if isinstance(stored, dict) else None
        return dict(mine) if isinstance(mine, dict) else {}

    def build(self) -> w.Widget:
        texts = self.texts
        scores = self._scores()
        self.choices: dict[str, w.RadioButtons] = {}
        rows: list[w.Widget] = [w.HTML(f"<div>{esc(texts.intro)}</div>")]
        for criterion in criteria_for(self.for_step):
            options = [(f"{lv.points} · {lv.label}", lv.points) for lv in criterion.levels]
            buttons = w.RadioButtons(options=options, value=None, layout=FULL)
            buttons.add_class(f"mw-self-{criterion.id}")
            if scores.get(criterion.id) in [lv.points for lv in criterion.levels]:
                buttons.value = scores[criterion.id]
            buttons.observe(self.guard(lambda c, cid=criterion.id: self._on_pick(cid, c)),
                            names="value")
            self.choices[criterion.id] = buttons
            levels = "".join(f"<li><strong>{lv.points} · {esc(lv.label)}</strong>: "
                             f"{esc(anchor(lv, self.for_step))}</li>" for lv in criterion.levels)
            rows += [w.HTML(f"<div><strong>{esc(criterion.title)}</strong>: "
                            f"{esc(criterion.description)}</div><ul>{levels}</ul>"), buttons]
        self.total = w.HTML(layout=FULL)
        self.total.add_class("mw-self-total")
        self._show_total()
        rows += [self.total, w.HTML(f'<div class="mw-help">{esc(texts.private_note)}</div>')]
        return w.VBox(rows, layout=FULL)

    def _on_pick(self, criterion_id: str, change: dict) -> None:
        if change["new"] is None:
            return
        stored = self.value(SELF_KEY, {})
        stored = dict(stored) if isinstance(stored, dict) else {}
        mine = self._scores()
        mine[criterion_id] = change["new"]
        stored[self.for_step] = mine
        self.save(SELF_KEY, stored)
        self._show_total()

    def _show_total(self) -> None:
        picked = {cid: b.value for cid, b in self.choices.items() if b.value is not None}
        top = sum(max(lv.points for lv in c.levels) for c in criteria_for(self.for_step))
        if len(picked) < len(self.choices):
            self.total.value = (f'<div class="mw-help">{len(picked)} of {len(self.choices)} '
                                "criteria scored.</div>")
            return
        self.total.value = (f"<div><strong>Your score: {sum(picked.values())} of {top}."
                            "</strong> Look at the lowest criterion: what would take it one "
                            "level up? Edit your reflection, then score it again.</div>")

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        yield "Self-assessment", "kept private"
