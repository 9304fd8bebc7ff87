"""The self-paced path's content in use: the leader's scripted replies and the suggested pace.

Why the feedback engine picks the reply: a learner on their own has no partner to react to
what they actually wrote. The same signals that drive the live feedback panel (an apology
stacked on an apology, no clear ask, pressure) choose which scripted reply the leader gives,
so a needy draft hears something different from a clear one, and the lesson under the reply
says why. The replies and the schedule are content (``exercises/solo.yaml``); this module loads
them, checks the parts that need the rest of the kit (signal names, step ids) and applies them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mentor_workshop.core import resources
from mentor_workshop.core.content.solo_models import Roleplay, ScriptedReply, SoloContent
from mentor_workshop.core.content.yaml_source import Problem, read_yaml, validate
from mentor_workshop.core.feedback import SIGNAL_NAMES, analyze, summary
from mentor_workshop.core.steps import STEPS
from mentor_workshop.errors import ContentError

__all__ = ["SOLO_FILE", "Reply", "ScheduledDay", "leader_reply", "load", "schedule_days"]

SOLO_FILE = "solo.yaml"

_cache: dict[Path, tuple[tuple[int, int], SoloContent]] = {}
_lock = threading.Lock()


def _cross_problems(content: SoloContent, doc: Any) -> list[Problem]:
    found = []
    for step_id, roleplay in content.roleplays.items():
        if step_id not in STEPS:
            found.append(doc.problem(("roleplays", step_id),
                                     f"no step {step_id!r}; steps are: {', '.join(STEPS)}"))
        for i, reply in enumerate(roleplay.replies):
            for name in reply.when:
                if name not in SIGNAL_NAMES:
                    found.append(doc.problem(
                        ("roleplays", step_id, "replies", i, "when", name),
                        f"no feedback signal {name!r}; signals are: {', '.join(SIGNAL_NAMES)}"))
    for i, sitting in enumerate(content.schedule.sittings):
        for j, step_id in enumerate(sitting.steps):
            if step_id not in STEPS:
                found.append(doc.problem(("schedule", "sittings", i, "steps", j),
                                         f"no step {step_id!r}; steps are: {', '.join(STEPS)}"))
    return found


def load(root: Path | str | None = None) -> SoloContent:
    """The validated ``solo.yaml``, cached until the file changes.

    Parameters
    ----------
    root : path, optional
        The exercises folder; :func:`mentor_workshop.core.resources.exercises_dir` when omitted.

    Returns
    -------
    SoloContent
        The role-plays, the schedule and the self-assessment texts.

    Raises
    ------
    ContentError
        Listing every problem with file, line and field, so a facilitator can fix the file.
    """
    folder = Path(root) if root is not None else resources.exercises_dir()
    path = (folder / SOLO_FILE).resolve()
    try:
        st = path.stat()
        signature = (st.st_mtime_ns, st.st_size)
    except OSError:
        signature = (0, 0)
    with _lock:
        hit = _cache.get(path)
        if hit is not None and hit[0] == signature:
            return hit[1]
    problems: list[Problem] = []
    doc = read_yaml(path, f"exercises/{SOLO_FILE}", problems)
    content = validate(doc, SoloContent, problems) if doc is not None else None
    if content is not None:
        problems.extend(_cross_problems(content, doc))
    if problems or content is None:
        raise ContentError("The self-paced content has problems to fix:\n"
                           + "\n".join(f"  {p}" for p in problems))
    with _lock:
        _cache[path] = (signature, content)
    return content


@dataclass(frozen=True)
class Reply:
    """The leader's answer to one message, and what the learner can take from it."""

    id: str
    leader: str
    lesson: str
    signals: dict[str, str]


def _matches(reply: ScriptedReply, levels: dict[str, str]) -> bool:
    return all(levels.get(name) in wanted for name, wanted in reply.when.items())


def leader_reply(roleplay: Roleplay, message: str, context: dict[str, Any] | None = None) -> Reply:
    """The scripted reply the leader gives to ``message``: the first whose conditions hold.

    Parameters
    ----------
    roleplay : Roleplay
        The step's role-play from :func:`load`.
    message : str
        What the learner wrote.
    context : dict, optional
        What the journal knows about the leader (``leader_name``, ``leader_work`` ...), passed
        to the feedback engine so a specific compliment is recognised.

    Returns
    -------
    Reply
        The reply, its lesson and the signal levels that chose it.
    """
    levels = summary(analyze(message, context))
    chosen = next(r for r in roleplay.replies if _matches(r, levels))
    return Reply(chosen.id, chosen.leader, chosen.lesson, levels)


@dataclass(frozen=True)
class ScheduledDay:
    """One dated entry of the suggested pace."""

    kind: str  # "sitting", "ask" or "follow_up"
    day: date
    title: str
    steps: tuple[str, ...] = ()


def schedule_days(start: date, content: SoloContent | None = None) -> list[ScheduledDay]:
    """The suggested pace from ``start``: the sittings, the day to send the ask, the follow-up.

    Parameters
    ----------
    start : datetime.date
        The day of the first sitting.
    content : SoloContent, optional
        The loaded content; :func:`load` when omitted.

    Returns
    -------
    list of ScheduledDay
        In date order.
    """
    plan = (content or load()).schedule
    days = []
    for number, sitting in enumerate(plan.sittings, 1):
        first, last = sitting.steps[0][:2], sitting.steps[-1][:2]
        span = f"step {first}" if first == last else f"steps {first}–{last}"
        days.append(ScheduledDay("sitting", start + timedelta(days=sitting.day),
                                 f"Mentoring workshop, sitting {number}: {span}",
                                 tuple(sitting.steps)))
    ask = start + timedelta(days=plan.ask_day)
    days.append(ScheduledDay("ask", ask, "Send your mentoring request"))
    days.append(ScheduledDay("follow_up", ask + timedelta(days=plan.follow_up_days_after_ask),
                             "Follow up on your mentoring request"))
    return days
