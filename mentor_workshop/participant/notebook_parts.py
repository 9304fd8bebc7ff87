"""The parts every step notebook shares, rendered from the curriculum data.

Objectives, timings, evidence and the reflection prompt live in ``exercises/`` so a facilitator
can adapt them; the notebook only calls these functions.
"""

from __future__ import annotations

from IPython.display import HTML, display

from mentor_workshop.core.content import curriculum
from mentor_workshop.participant.widgets.base import STYLE, esc


def intro_html(step_id: str) -> str:
    step = curriculum.load().step(step_id)
    objectives = "".join(f"<li>{esc(o)}</li>" for o in step.objectives)
    return (
        f'{STYLE}<div class="mw-exercise"><strong>Step {step.number}: {esc(step.title)}</strong>'
        f" · about {step.minutes} minutes"
        f"<p>{esc(step.content.intro)}</p>"
        f"<div>By the end of this notebook you will:</div><ul>{objectives}</ul></div>"
    )


def evidence_html(step_id: str) -> str:
    step = curriculum.load().step(step_id)
    if not step.evidence:
        return ""
    items = "".join(
        f"<li>{esc(e.finding)} <em>({esc(e.cite)}{', secondary source' if e.secondary else ''})"
        "</em></li>"
        for e in step.evidence
    )
    return f"<details><summary>What the research says</summary><ul>{items}</ul></details>"


def reflection_html(step_id: str) -> str:
    cur = curriculum.load()
    step = cur.step(step_id)
    reflection = step.content.reflection
    hints = "".join(f"<li>{esc(h)}</li>" for h in reflection.hints)
    criteria = "".join(
        f"<li><strong>{esc(c.title)}</strong> (0–{c.max_points}): "
        f"{esc(c.levels[-1].description)}</li>"
        for c in cur.rubric.criteria
    )
    return (
        f'{STYLE}<div class="mw-exercise"><strong>Reflection.</strong> {esc(reflection.prompt)}'
        f"<ul>{hints}</ul><details><summary>How reflections are read "
        f"({cur.rubric.total} points)</summary><ul>{criteria}</ul></details>"
        '<div class="mw-help">Write your answer in the cell below (double-click it to edit).'
        "</div></div>"
    )


def intro(step_id: str, evidence: bool = True) -> None:
    display(HTML(intro_html(step_id) + (evidence_html(step_id) if evidence else "")))


def evidence(step_id: str) -> None:
    display(HTML(evidence_html(step_id)))


def reflection(step_id: str) -> None:
    display(HTML(reflection_html(step_id)))
