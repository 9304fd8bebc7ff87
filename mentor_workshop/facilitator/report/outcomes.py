"""What happened after the workshop: the funnel from a planned ask to a first meeting.

Why this section: the workshop exists so that people actually ask. Completion and rubric scores
say how well the room worked through the notebooks; only the follow-up (step 11) says whether
anyone asked, what they heard back and what stopped the others. Everything here is computed
from the gathered journals by pure functions, so it can be tested without a report, and shown
as counts only: no names, and never the words someone wrote about what stopped them.

The funnel's stages, each a subset of the one before:

- **planned**: an ask scheduled in step 10 (who, how, a day);
- **asked**: "Yes, I asked" in step 11;
- **got a reply**: a yes, a not now or a no (no reply yet is not a reply);
- **yes**;
- **first meeting held**: a yes with notes on the first meeting.

A participant who asked without having scheduled the ask still counts from "asked" on: the
funnel is about what happened, not about filling in step 10.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mentor_workshop.core import curriculum
from mentor_workshop.core.criteria.follow_up import read_ask, read_follow_up
from mentor_workshop.facilitator.report.gather import Cohort

__all__ = [
    "FUNNEL_STAGES", "NO_FOLLOW_UP", "Outcomes", "categorise", "outcomes", "outcomes_html",
]

FOLLOW_UP_STEP = "11_follow_up"
#: The funnel's stages in order, with the words the report shows for each.
FUNNEL_STAGES: tuple[tuple[str, str], ...] = (
    ("planned", "Planned an ask (step 10)"),
    ("asked", "Asked"),
    ("replied", "Got a reply"),
    ("yes", "Heard yes"),
    ("met", "Held a first meeting"),
)
NO_FOLLOW_UP = ("No follow-up recorded yet. Participants record what happened after their ask "
                "in notebook 11, about two weeks after the workshop (or in the second "
                "session); this section fills in as they do.")


@dataclass(frozen=True)
class Outcomes:
    """The cohort's outcomes: funnel counts, replies, days to the ask, what stopped people."""

    participants: int = 0
    funnel: Mapping[str, int] = field(default_factory=dict)
    #: reply id -> how many of those who asked recorded it (``no_reply`` included).
    replies: Mapping[str, int] = field(default_factory=dict)
    recorded: int = 0
    not_yet: int = 0
    #: Days from the day the ask was planned to the day it was made, for each who gave both.
    days_to_ask: tuple[int, ...] = ()
    #: (category label, count), most common first; "other" last.
    stopped: tuple[tuple[str, int], ...] = ()

    @property
    def median_days_to_ask(self) -> float | None:
        """The median of :attr:`days_to_ask`, or ``None`` when nobody gave both days."""
        return statistics.median(self.days_to_ask) if self.days_to_ask else None

    @property
    def has_data(self) -> bool:
        """Whether anyone planned an ask or recorded a follow-up: otherwise there is no story."""
        return bool(self.recorded or self.funnel.get("planned"))


def _pattern(keyword: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in keyword.split())
    return re.compile(rf"\b{words}", re.IGNORECASE)


def categorise(text: str, categories: Sequence[Any], other: str) -> list[str]:
    """The labels of every category whose keywords appear in ``text``; ``[other]`` for none.

    Parameters
    ----------
    text : str
        A participant's answer to "What stopped you?".
    categories : sequence
        Items with ``label`` and ``keywords`` (``stopped_categories`` of step 11's content).
    other : str
        The label for an answer no category matches.

    Returns
    -------
    list of str
        Matching labels in the categories' order; an empty answer matches nothing.
    """
    if not text.strip():
        return []
    found = [c.label for c in categories
             if any(_pattern(k).search(text) for k in c.keywords)]
    return found or [other]


def outcomes(answers: Iterable[Mapping[str, Any]], content: Any | None = None) -> Outcomes:
    """The outcomes of a cohort from each participant's journal answers.

    Parameters
    ----------
    answers : iterable of mapping
        One mapping of journal key -> answer per participant.
    content : FollowUpContent, optional
        Step 11's content (its ``stopped_categories``); the shipped one when omitted.

    Returns
    -------
    Outcomes
        Counts only; nothing that names a participant or repeats their words.
    """
    content = content or curriculum.load().step(FOLLOW_UP_STEP).content
    funnel: Counter[str] = Counter()
    replies: Counter[str] = Counter()
    stopped: Counter[str] = Counter()
    days: list[int] = []
    people = recorded = not_yet = 0
    for journal in answers:
        people += 1
        ask, follow = read_ask(journal), read_follow_up(journal)
        funnel["planned"] += ask.scheduled
        recorded += follow.recorded
        if follow.asked == "not_yet":
            not_yet += 1
            stopped.update(categorise(follow.stopped, content.stopped_categories,
                                      content.other_category))
        if follow.asked != "yes":
            continue
        funnel["asked"] += 1
        if follow.reply:
            replies[follow.reply] += 1
        funnel["replied"] += follow.reply in ("yes", "not_now", "no")
        funnel["yes"] += follow.reply == "yes"
        funnel["met"] += follow.reply == "yes" and bool(follow.meeting)
        if follow.asked_on and ask.planned_on and follow.asked_on >= ask.planned_on:
            days.append((follow.asked_on - ask.planned_on).days)
    other = content.other_category
    ranked = sorted(stopped.items(), key=lambda kv: (kv[0] == other, -kv[1], kv[0]))
    return Outcomes(people, {stage: funnel[stage] for stage, _ in FUNNEL_STAGES},
                    dict(replies), recorded, not_yet, tuple(days), tuple(ranked))


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def outcomes_html(cohort: Cohort) -> str:
    """The "after the workshop" section: the funnel, the replies, days to ask, what stopped.

    Parameters
    ----------
    cohort : Cohort
        The gathered cohort (its participants' answers).

    Returns
    -------
    str
        HTML; a plain sentence instead of a table of zeros when nobody has planned or
        recorded anything yet.
    """
    # here, not at the top: sections draws with matplotlib, which the CLI never needs
    from mentor_workshop.facilitator.report.sections import html_table, message_html

    content = curriculum.load().step(FOLLOW_UP_STEP).content
    result = outcomes((p.answers for p in cohort.participants), content)
    if not result.has_data:
        return message_html(NO_FOLLOW_UP)
    parts = []
    base = result.funnel.get("planned") or result.participants
    rows = [(label, result.funnel.get(stage, 0), _share(result.funnel.get(stage, 0), base))
            for stage, label in FUNNEL_STAGES]
    parts.append(html_table(
        ["Stage", "People", "Share of those who planned" if result.funnel.get("planned")
         else "Share of participants"], rows,
        caption=f"From a planned ask to a first meeting ({result.participants} participants)"))
    if not result.recorded:
        parts.append(message_html(NO_FOLLOW_UP))
        return "".join(parts)
    asked = result.funnel.get("asked", 0)
    if asked:
        labels = {c.id: c.label for c in content.fields.reply_choices}
        parts.append(html_table(
            ["Reply", "People", "Share of those who asked"],
            [(labels[r], result.replies.get(r, 0), _share(result.replies.get(r, 0), asked))
             for r in labels],
            caption="The replies"))
    else:
        parts.append(message_html("Nobody has recorded making their ask yet."))
    median = result.median_days_to_ask
    facts = [("Recorded a follow-up", result.recorded), ("Not asked yet", result.not_yet)]
    if median is not None:
        facts.append(("Median days from planning the ask to making it",
                      f"{median:g} (from {len(result.days_to_ask)} people)"))
    parts.append(html_table(None, facts))
    if result.stopped:
        parts.append(html_table(
            ["What stopped them (their own words, grouped)", "People"], result.stopped,
            caption="Why some have not asked yet (an answer can fall in several groups)"))
    return "".join(parts)
