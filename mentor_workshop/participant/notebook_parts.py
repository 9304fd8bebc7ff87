"""The parts every step notebook shares, rendered from the curriculum data.

Objectives, timings, evidence and the reflection prompt live in ``exercises/`` so a facilitator
can adapt them; the notebook only calls these functions. Each notebook opens with "Where am I"
(read from the journal), and a learner on their own gets the written role-play and the
self-assessment where the room would have a partner and a grader.
"""

from __future__ import annotations

import os

from IPython.display import HTML, display

from mentor_workshop.core import curriculum
from mentor_workshop.core.journal import Journal
from mentor_workshop.errors import ContentError
from mentor_workshop.participant.widgets.base import STYLE, esc, grading_mode


def intro_html(step_id: str) -> str:
    """The step's title, time, framing and objectives as an HTML block.

    Parameters
    ----------
    step_id : str
        The curriculum step, e.g. ``"03_request"``.

    Returns
    -------
    str
        Escaped HTML with the exercise styles included.

    Raises
    ------
    CurriculumError
        When the exercises folder has problems.
    KeyError
        For a step id the curriculum does not have.
    """
    step = curriculum.load().step(step_id)
    objectives = "".join(f"<li>{esc(o)}</li>" for o in step.objectives)
    return (
        f'{STYLE}<div class="mw-exercise"><strong>Step {step.number}: {esc(step.title)}</strong>'
        f" · about {step.minutes} minutes"
        f"<p>{esc(step.content.intro)}</p>"
        f"<div>By the end of this notebook you will:</div><ul>{objectives}</ul></div>"
    )


def evidence_html(step_id: str) -> str:
    """The step's research findings as a collapsed "What the research says" block.

    Collapsed so the evidence is there for the curious without lengthening the notebook.

    Parameters
    ----------
    step_id : str
        The curriculum step.

    Returns
    -------
    str
        Escaped HTML; "" when the step cites no evidence.
    """
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
    """The step's reflection prompt and hints, with the rubric it is read against.

    Showing the rubric's top level up front tells participants what a full-marks answer does.

    Parameters
    ----------
    step_id : str
        The curriculum step.

    Returns
    -------
    str
        Escaped HTML with the exercise styles included.
    """
    cur = curriculum.load()
    step = cur.step(step_id)
    reflection = step.content.reflection
    hints = "".join(f"<li>{esc(h)}</li>" for h in reflection.hints)
    scored = cur.rubric.for_step(step_id)  # e.g. no "Next action" where the prompt asks none
    criteria = "".join(
        f"<li><strong>{esc(c.title)}</strong> (0–{c.max_points}): "
        f"{esc(c.levels[-1].description)}</li>"
        for c in scored
    )
    private = ('<div class="mw-help">This reflection is private: it stays in your notebook and '
               "is not collected for grading, unless your facilitator tells you otherwise.</div>"
               if cur.rubric.is_private(step_id) else "")
    return (
        f'{STYLE}<div class="mw-exercise"><strong>Reflection.</strong> {esc(reflection.prompt)}'
        f"<ul>{hints}</ul>{private}<details><summary>How reflections are read "
        f"({sum(c.max_points for c in scored)} points)</summary><ul>{criteria}</ul></details>"
        '<div class="mw-help">Write your answer in the cell below (double-click it to edit).'
        "</div></div>"
    )


def _journal(journal: Journal | None) -> Journal:
    return journal if journal is not None else Journal.for_notebook_dir(os.getcwd())


def intro(step_id: str, evidence: bool = True, journal: Journal | None = None) -> None:
    """Display "Where am I", :func:`intro_html` and :func:`evidence_html` unless held back.

    While nbgrader grades, "Where am I" is left out: it describes the learner's journey, not
    the graded notebook.

    Parameters
    ----------
    step_id : str
        The curriculum step.
    evidence : bool, default True
        False for a step that asks for a guess before revealing the research.
    journal : Journal, optional
        The learner's journal; ``journal.json`` in the current folder when omitted.
    """
    header = ""
    if not grading_mode():
        from mentor_workshop.participant.solo.progress import where_am_i_html

        header = where_am_i_html(step_id, _journal(journal))
    display(HTML(header + intro_html(step_id) + (evidence_html(step_id) if evidence else "")))


def evidence(step_id: str) -> None:
    """Display :func:`evidence_html`, for steps that reveal it after the exercise.

    Parameters
    ----------
    step_id : str
        The curriculum step.
    """
    display(HTML(evidence_html(step_id)))


def reflection(step_id: str, journal: Journal | None = None) -> None:
    """Display :func:`reflection_html` above the cell where the participant answers.

    A learner on their own first gets the step's written role-play (where the room would run
    one), then the prompt, then the self-assessment against the rubric.

    Parameters
    ----------
    step_id : str
        The curriculum step.
    journal : Journal, optional
        The learner's journal; ``journal.json`` in the current folder when omitted.
    """
    if grading_mode():
        display(HTML(reflection_html(step_id)))
        return
    from mentor_workshop.participant.solo.choice import is_solo

    opened = _journal(journal)
    if not is_solo(opened):
        display(HTML(reflection_html(step_id)))
        return
    from mentor_workshop.participant.widgets.roleplay import WrittenRoleplay, has_roleplay
    from mentor_workshop.participant.widgets.self_assessment import SelfAssessment

    try:
        roleplay = WrittenRoleplay(step_id, opened) if has_roleplay(step_id) else None
        assessment = SelfAssessment(step_id, opened)
    except ContentError as exc:  # an adapted exercises folder with a broken solo.yaml
        display(HTML(reflection_html(step_id) + '<div class="mw-status-error">The self-paced '
                     f"parts cannot be shown: {esc(exc)}</div>"))
        return
    if roleplay is not None:
        roleplay.show()
    display(HTML(reflection_html(step_id)))
    assessment.show()
