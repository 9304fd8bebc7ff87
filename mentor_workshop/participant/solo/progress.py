""""Where am I": the steps done, this step, and what comes next, from the journal.

Why from the journal and the checks: a learner on their own opens notebooks days apart, in
fresh kernels. What they have done is what the journal holds, and "done" means what the
self-check means, so the header and the "Check my work" button never disagree. The steps come
from the one registry (:data:`mentor_workshop.core.steps.STEPS`), so a new step shows up here
without a change.
"""

from __future__ import annotations

import warnings
from datetime import date
from html import escape as esc

from mentor_workshop.core import checks, curriculum, solo
from mentor_workshop.core.journal import Journal
from mentor_workshop.core.steps import STEPS
from mentor_workshop.errors import ContentError
from mentor_workshop.participant.solo.choice import schedule_start

__all__ = ["done_steps", "where_am_i_html"]


def done_steps(journal: Journal) -> list[str]:
    """The steps whose self-check passes, in workshop order.

    Parameters
    ----------
    journal : Journal
        The learner's journal.

    Returns
    -------
    list of str
        Step ids; a step whose check cannot run (a damaged journal) counts as not done.
    """
    done = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for step_id in STEPS.ids():
            try:
                passed = checks.check(step_id, journal).passed
            except Exception:
                passed = False
            if passed:
                done.append(step_id)
    return done


def _name(step_id: str) -> str:
    try:
        step = curriculum.load().step(step_id)
    except KeyError:
        return step_id
    return f"Step {step.number}: {step.title}"


def _next_sitting(journal: Journal, today: date) -> str:
    start = schedule_start(journal)
    if start is None:
        return ""
    try:
        days = solo.schedule_days(start)
    except ContentError:  # a broken solo.yaml: the notebook says so where the pace is used
        return ""
    for day in days:
        if day.day >= today:
            when = "today" if day.day == today else f"{day.day:%a %d %b}"
            return f" · <span>Your pace: {esc(day.title)}, {esc(when)}</span>"
    return ""


def where_am_i_html(step_id: str, journal: Journal, today: date | None = None) -> str:
    """The header line: how many steps are done, which step this is, which comes next.

    Parameters
    ----------
    step_id : str
        The notebook's step.
    journal : Journal
        The learner's journal.
    today : datetime.date, optional
        For the next sitting of a self-paced learner; today when omitted.

    Returns
    -------
    str
        Escaped HTML (a ``nav`` element with the class ``mw-where``).
    """
    ids = STEPS.ids()
    done = done_steps(journal)
    listed = ", ".join(s[:2] for s in done) or "none yet"
    later = [s for s in ids[ids.index(step_id) + 1:] if s not in done] if step_id in ids else []
    open_before = [s for s in ids[: ids.index(step_id)] if s not in done] if step_id in ids \
        else []
    if later:
        nxt = f"Next: {esc(_name(later[0]))}"
    elif step_id in ids and step_id != ids[-1]:
        nxt = "Next: every later step is done"
    else:
        nxt = "This is the last step"
    before = (f" · Still open before this one: {esc(', '.join(s[:2] for s in open_before))}"
              if open_before else "")
    here = "done ✔" if step_id in done else "in progress"
    return (
        '<nav class="mw-where" aria-label="Where am I" style="font-size:var(--jp-ui-font-size1,'
        '13px);color:var(--jp-ui-font-color1,#222);margin-bottom:6px">'
        f"<strong>Where am I</strong> · Done: {len(done)} of {len(ids)} steps ({esc(listed)})"
        f" · You are here: {esc(_name(step_id))} ({here}) · {nxt}{before}"
        f"{_next_sitting(journal, today or date.today())}</nav>"
    )
