"""Checks for the ask itself: the request (03), from the heart (04), tone (05).

Each function takes the journal and returns its criteria; the wording of every unmet one
tells the participant what to do next.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mentor_workshop.core.criteria.reading import (
    criterion,
    dict_of,
    real,
    real_criterion,
    shown_examples,
    signal_levels,
    text_of,
    words,
)
from mentor_workshop.core.criteria.result import Criterion
from mentor_workshop.core.journal import Journal

if TYPE_CHECKING:
    from mentor_workshop.core.curriculum import Curriculum


def check_request(journal: Journal, cur: Curriculum) -> list[Criterion]:
    """Step 03: a channel chosen and a draft of the right length with a clear ask and a reason.

    The ask and the reason are read by the same feedback engine the panel shows.

    Parameters
    ----------
    journal : Journal
        The participant's journal; damaged values count as empty.
    cur : Curriculum
        The loaded content, which sets the thresholds.

    Returns
    -------
    list of Criterion
        In order: channel, length, clear_ask and reason.
    """
    content = cur.step("03_request").content
    channel = text_of(journal.load("request.channel"))
    channels = {c.id for c in content.channels}
    draft = text_of(journal.load("request.draft", ""))
    n = words(draft)
    lo, hi = content.draft.min_words, content.draft.max_words
    levels = signal_levels(draft, journal, ("clear_ask", "reason")) if draft else {}
    said = [("Your draft", real(draft, "prose", shown_examples(content)))]
    return [
        criterion("channel", channel in channels, "You chose a channel.",
              "Choose how you will make the request: in person, email, phone or letter."),
        real_criterion("length", lo <= n <= hi, said, f"Your draft is {n} words — a good length.",
              f"Your draft is {n} words; aim for {lo}–{hi} so it is easy to read and answer."),
        real_criterion("clear_ask", levels.get("clear_ask") == "good", said,
              "Your draft makes one clear, time-bound ask.",
              "Make the ask concrete: what you are asking for, how much time, and when.",
              brief=True),
        real_criterion("reason", levels.get("reason") == "good", said,
              "Your draft says why you are asking this person.",
              "Say why you are asking this person in particular (and why now).", brief=True),
    ]


def check_from_the_heart(journal: Journal, cur: Curriculum) -> list[Criterion]:
    """Step 04: a named piece of work and a developed, specific statement of admiration.

    Parameters
    ----------
    journal : Journal
        The participant's journal; damaged values count as empty.
    cur : Curriculum
        The loaded content, which sets the thresholds.

    Returns
    -------
    list of Criterion
        In order: work, length and specific.
    """
    content = cur.step("04_from_the_heart").content
    entry = dict_of(journal, "heart.admiration")
    statement = text_of(entry.get("statement"))
    levels = signal_levels(statement, journal, ("admiration",)) if statement else {}
    shown = shown_examples(content)
    said = [("Your statement", real(statement, "prose", shown))]
    return [
        real_criterion("work", words(entry.get("work")) >= 2,
              [("The work you named", real(entry.get("work"), "words", shown))],
              "You named a specific act or piece of work.",
              "Name one specific thing they did or made — a talk, a decision, a project."),
        real_criterion("length", words(statement) >= content.min_words, said,
              "Your statement is developed enough to feel sincere.",
              f"Write at least {content.min_words} words about why it mattered to you."),
        real_criterion("specific", levels.get("admiration") == "good", said,
              "Your admiration is specific, not generic flattery.",
              "Replace generic praise with what exactly they did and how it affected you.",
              brief=True),
    ]


def sorting_score(journal: Journal, cur: Curriculum) -> tuple[int, int]:
    """How many phrases of the tone-sorting exercise are sorted right.

    Parameters
    ----------
    journal : Journal
        The participant's answers.
    cur : Curriculum
        The loaded content, which holds each phrase's right answer.

    Returns
    -------
    tuple of int
        (correct, total); the grader's partial credit uses it.
    """
    phrases = cur.step("05_vulnerability_confidence").content.sorting
    answers = dict_of(journal, "tone.sorting")
    return sum(answers.get(p.id) == p.answer for p in phrases), len(phrases)


#: What the revision's check reads: it must still ask and say why, and be neither needy nor
#: pushy.
_REVISION_SIGNALS = ("clear_ask", "reason", "neediness", "overconfidence")


def check_vulnerability_confidence(journal: Journal, cur: Curriculum) -> list[Criterion]:
    """Step 05: every phrase sorted, enough sorted right, and a balanced revision.

    Sorting earns partial credit up to ``pass_ratio``, so a near miss is not a zero.

    Parameters
    ----------
    journal : Journal
        The participant's journal; damaged values count as empty.
    cur : Curriculum
        The loaded content, which sets the thresholds.

    Returns
    -------
    list of Criterion
        In order: sorted_all, sorting (partial credit), revision and balanced.
    """
    content = cur.step("05_vulnerability_confidence").content
    answers = dict_of(journal, "tone.sorting")
    correct, total = sorting_score(journal, cur)
    answered = sum(1 for p in content.sorting if p.id in answers)
    ratio = correct / total if total else 0.0
    revision = text_of(journal.load("tone.revision", ""))
    levels = signal_levels(revision, journal, _REVISION_SIGNALS) if revision else {}
    said = [("Your revision", real(revision, "prose", shown_examples(content)))]
    # The revision becomes the plan's request, so it must still ask for something and say why.
    asks = levels.get("clear_ask") in ("good", "consider")
    says_why = levels.get("reason") == "good"
    keeps = asks and says_why
    missing = " and ".join(part for part, gone in (("a clear ask", not asks),
                                                   ("why you are asking them", not says_why))
                           if gone)
    return [
        criterion("sorted_all", answered == total, "You sorted every phrase.",
              f"Sort every phrase — {answered} of {total} done."),
        Criterion("sorting", min(ratio / content.pass_ratio, 1.0) if content.pass_ratio else 1.0,
                  f"You sorted {correct} of {total} phrases as the workshop's answer key does."
                  if ratio >= content.pass_ratio else
                  f"{correct} of {total} sorted as expected; read the explanations and try again "
                  f"(aim for {math.ceil(content.pass_ratio * total - 1e-9)})."),
        real_criterion("revision", bool(revision) and keeps, said,
              "You revised your request, and it still asks clearly and says why.",
              f"Your revision has lost {missing}: it becomes the request in your plan, so put "
              "it back." if revision else
              "Edit the copy of your request in the revision box (or press “Save as my "
              "revision” if it already reads well)."),
        real_criterion("balanced",
              bool(revision) and levels.get("neediness") != "problem"
              and levels.get("overconfidence") != "problem", said,
              "Your revision sounds neither needy nor pushy.",
              "Your revision still sounds needy or pushy: see the highlighted words.", brief=True),
    ]
