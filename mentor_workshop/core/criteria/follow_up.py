"""The real ask and what came of it: the ask scheduled in step 10, and the follow-up (step 11).

Why one module for both: the ask (``plan.ask``) and its outcome (``follow_up.*``) are read by
three parts of the kit — the checks here, the personal plan's calendar file and the cohort
report's funnel. Each reads them through :func:`read_ask` and :func:`read_follow_up`, so the
calendar can never book an ask the check refused, and the report counts exactly what the
participant was told they had recorded.

Why the follow-up check never fails someone for not having asked: the workshop's outcome is a
request actually made, and shame is the surest way to stop that happening. A participant who
has not asked yet meets the check by saying what stopped them and choosing a new day; the
message they see is encouragement, not a to-do list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from mentor_workshop.core.answers import iso_date
from mentor_workshop.core.content.models import CHANNEL_IDS
from mentor_workshop.core.content.step_models import NEXT_ACTION_IDS, REPLY_IDS
from mentor_workshop.core.criteria.reading import criterion, leader_by_id, text_of, words
from mentor_workshop.core.criteria.result import CheckFunction, Criterion
from mentor_workshop.core.journal import Journal

if TYPE_CHECKING:
    from mentor_workshop.core.curriculum import Curriculum

__all__ = [
    "ASK_KEY", "FOLLOW_UP_KEYS", "Ask", "FollowUp", "check_follow_up", "check_the_ask",
    "read_ask", "read_follow_up", "with_the_ask",
]

#: Where step 10 saves the scheduled ask.
ASK_KEY = "plan.ask"
#: Where step 11 saves the follow-up, one key per question.
FOLLOW_UP_KEYS = ("follow_up.asked", "follow_up.reply", "follow_up.learned", "follow_up.next")


@dataclass(frozen=True)
class Ask:
    """The ask as scheduled in step 10; any field may be empty in a journal begun but not done.

    ``planned_on`` is the day the participant chose the date, so "never in the past" can be
    checked later (at grading, weeks on) against the day it was chosen rather than today.
    """

    leader_id: str = ""
    channel: str = ""
    day: date | None = None
    occasion: str = ""
    planned_on: date | None = None

    @property
    def scheduled(self) -> bool:
        """Whether there is someone to ask, a way and a day: what the funnel counts as planned."""
        return bool(self.leader_id and self.channel and self.day)


@dataclass(frozen=True)
class FollowUp:
    """What the participant recorded in step 11. ``asked`` is ``"yes"``, ``"not_yet"`` or ""."""

    asked: str = ""
    asked_on: date | None = None
    stopped: str = ""
    new_date: date | None = None
    noted_on: date | None = None
    reply: str = ""
    meeting: str = ""
    learned: str = ""
    next_action: str = ""
    next_note: str = ""

    @property
    def recorded(self) -> bool:
        """Whether the participant has said anything at all in the follow-up."""
        return bool(self.asked or self.reply or self.learned or self.next_action)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def read_ask(answers: Mapping[str, Any]) -> Ask:
    """The scheduled ask from a journal's answers; damaged values read as empty.

    Parameters
    ----------
    answers : mapping
        Journal key -> answer (``Journal.all()`` or a gathered participant's answers).

    Returns
    -------
    Ask
        The ask; an unknown channel or an unreadable date becomes empty.
    """
    raw = _mapping(answers.get(ASK_KEY))
    channel = text_of(raw.get("channel"))
    return Ask(
        leader_id=text_of(raw.get("leader")),
        channel=channel if channel in CHANNEL_IDS else "",
        day=iso_date(raw.get("date")),
        occasion=text_of(raw.get("occasion")),
        planned_on=iso_date(raw.get("planned_on")),
    )


def read_follow_up(answers: Mapping[str, Any]) -> FollowUp:
    """The follow-up from a journal's answers; unknown choices and damaged values read as empty.

    Parameters
    ----------
    answers : mapping
        Journal key -> answer.

    Returns
    -------
    FollowUp
        What was recorded. A reply or a first meeting saved before "Not yet" was chosen is
        dropped: only someone who asked can have had a reply.
    """
    asked = _mapping(answers.get("follow_up.asked"))
    reply = _mapping(answers.get("follow_up.reply"))
    nxt = _mapping(answers.get("follow_up.next"))
    status = text_of(asked.get("status"))
    status = status if status in ("yes", "not_yet") else ""
    choice = text_of(reply.get("choice"))
    action = text_of(nxt.get("action"))
    said_yes = status == "yes"
    return FollowUp(
        asked=status,
        asked_on=iso_date(asked.get("on")) if said_yes else None,
        stopped=text_of(asked.get("stopped")) if status == "not_yet" else "",
        new_date=iso_date(asked.get("new_date")) if status == "not_yet" else None,
        noted_on=iso_date(asked.get("noted_on")),
        reply=choice if said_yes and choice in REPLY_IDS else "",
        meeting=text_of(reply.get("meeting")) if said_yes else "",
        learned=text_of(answers.get("follow_up.learned")),
        next_action=action if action in NEXT_ACTION_IDS else "",
        next_note=text_of(nxt.get("note")),
    )


def _not_before(day: date | None, reference: date | None) -> bool:
    return day is not None and (reference is None or day >= reference)


def check_the_ask(journal: Journal, cur: Curriculum) -> list[Criterion]:
    """Step 10's criterion for the scheduled ask: who, how, a day not in the past, an occasion.

    Parameters
    ----------
    journal : Journal
        The participant's journal.
    cur : Curriculum
        The loaded content (unused: the ask has no thresholds, but every check takes it).

    Returns
    -------
    list of Criterion
        One criterion, ``ask``, met in quarters so a half-scheduled ask earns part of it.
    """
    del cur
    ask = read_ask(journal.all())
    parts = [
        leader_by_id(journal, ask.leader_id) is not None,
        bool(ask.channel),
        _not_before(ask.day, ask.planned_on),
        ask.channel != "in_person" or bool(ask.occasion),
    ]
    met = sum(parts) / len(parts) if ask.leader_id or ask.channel or ask.day else 0.0
    when = f"{ask.day:%A} {ask.day.day} {ask.day:%B %Y}" if ask.day else ""
    return [criterion(
        "ask", met,
        f"Your ask is scheduled for {when}. Put it in your calendar by exporting your plan.",
        "Schedule your ask: choose who from your shortlist, how, the day (today or later) and, "
        "for an in-person ask, the occasion.")]


def with_the_ask(plan: CheckFunction) -> CheckFunction:
    """The plan's check with the scheduled ask added, so step 10 is complete only once it is.

    Parameters
    ----------
    plan : callable
        The plan's own check (one criterion per earlier step).

    Returns
    -------
    callable
        A check giving the plan's criteria followed by :func:`check_the_ask`'s.
    """

    def check_my_plan(journal: Journal, cur: Curriculum) -> list[Criterion]:
        return [*plan(journal, cur), *check_the_ask(journal, cur)]

    return check_my_plan


def _asked(follow: FollowUp) -> tuple[float, str, str]:
    """(met, done message, to-do message) for "did I ask": not yet + a reason + a day counts."""
    if follow.asked == "yes":
        return (1.0 if follow.asked_on else 0.5,
                f"You asked on {follow.asked_on:%A} {follow.asked_on.day} {follow.asked_on:%B}. "
                "Well done — most people never do." if follow.asked_on else "",
                "Add the day you asked.")
    if follow.asked == "not_yet":
        parts = (bool(follow.stopped), _not_before(follow.new_date, follow.noted_on))
        day = (f"{follow.new_date:%A} {follow.new_date.day} {follow.new_date:%B}"
               if follow.new_date else "")
        return (sum(parts) / 2,
                f"Not yet, and that is fine: you know what got in the way, and {day} is your "
                "new day to ask.",
                "You have not asked yet — that is common. Say what stopped you and pick a new "
                "day to ask (today or later).")
    return 0.0, "", "Say whether you have made your request yet."


def check_follow_up(journal: Journal, cur: Curriculum) -> list[Criterion]:
    """Step 11: asked (or what stopped you and a new day), the reply, what you learned, what next.

    Not having asked yet is never marked down: with a reason and a new day, the "asked",
    "reply" and "next" criteria are met (the next action is the ask itself), and their messages
    encourage rather than correct.

    Parameters
    ----------
    journal : Journal
        The participant's journal; damaged values count as empty.
    cur : Curriculum
        The loaded content, which sets how many words "what I learned" needs.

    Returns
    -------
    list of Criterion
        In order: asked, reply, learned, next.
    """
    content = cur.step("11_follow_up").content
    follow = read_follow_up(journal.all())
    met, done, todo = _asked(follow)
    crits = [criterion("asked", met, done, todo)]
    if follow.asked == "not_yet":
        crits.append(criterion("reply", True,
                               "No reply to record yet; it will come once you have asked.", ""))
    else:
        crits.append(criterion(
            "reply", bool(follow.reply), "You recorded the reply.",
            "Choose the reply you got — no reply yet is an answer too."))
    need = content.min_learned_words
    crits.append(criterion(
        "learned", min(words(follow.learned) / need, 1.0),
        "You wrote down what you learned.",
        f"Write what you learned, in a sentence or two (at least {need} words)."))
    if follow.asked == "not_yet":
        crits.append(criterion("next", True,
                               "Your next action is the ask itself, on your new day.", ""))
        return crits
    crits.append(criterion(
        "next", bool(follow.next_action),
        "You chose your next action.",
        "Choose your next action: the next person on your shortlist, one polite follow-up, "
        "or a second meeting."))
    return crits
