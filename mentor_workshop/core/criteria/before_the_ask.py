"""Checks for the steps before the ask: welcome (00), shortlist (01), assumptions (02).

Each function takes the journal and returns its criteria; the wording of every unmet one
tells the participant what to do next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mentor_workshop.core.criteria.reading import (
    WORD,
    criterion,
    dict_of,
    first_pick,
    is_number,
    leaders,
    real,
    real_criterion,
    shown_examples,
    text_of,
    words,
)
from mentor_workshop.core.criteria.result import Criterion
from mentor_workshop.core.journal import Journal

if TYPE_CHECKING:
    from mentor_workshop.core.curriculum import Curriculum


def check_welcome(journal: Journal, cur: Curriculum) -> list[Criterion]:
    """Step 00: the participant said who they are, their role and what they hope for.

    The plan and the feedback engine use the name; the hopes frame every later step.

    Parameters
    ----------
    journal : Journal
        The participant's journal; damaged values count as empty.
    cur : Curriculum
        The loaded content, which sets the thresholds.

    Returns
    -------
    list of Criterion
        In order: name, role and hopes.
    """
    profile = dict_of(journal, "welcome.profile")
    shown = shown_examples(cur.step("00_welcome").content)
    return [
        real_criterion("name", bool(text_of(profile.get("name"))),
              [("Your name", real(profile.get("name"), "short"))], "You told us your name.",
              "Type your name in the Name box."),
        real_criterion("role", bool(text_of(profile.get("role"))),
              [("Your role", real(profile.get("role"), "short"))],  # a fact: may match e.g.
              "You described your role.", "Describe your current role in a few words."),
        real_criterion("hopes", words(profile.get("hopes")) >= 5,
              [("Your hopes", real(profile.get("hopes"), "words", shown))],
              "You said what you hope to gain from a mentor.",
              "Say in at least five words what you hope a mentor could help you with."),
    ]


#: words that carry no specifics: a reason made only of these (plus generic praise) is vague
_FILLER = frozenset({
    "a", "an", "the", "and", "or", "but", "so", "very", "really", "truly", "just", "such",
    "is", "are", "was", "were", "be", "been", "being", "am", "he", "she", "they", "them",
    "him", "her", "his", "hers", "their", "theirs", "i", "me", "my", "we", "our", "you",
    "your", "it", "its", "this", "that", "of", "to", "in", "on", "for", "with", "at", "by",
    "as", "from", "has", "have", "had", "do", "does", "did", "great", "good", "amazing",
    "awesome", "inspiring", "inspirational", "successful", "smart", "brilliant", "leader",
    "leaders", "person", "people", "one", "always", "also", "incredibly", "super",
    "extremely", "quite", "most", "more", "lot", "lots",
})


def _is_specific(reason: str, generic: list[str], min_words: int) -> bool:
    """Long enough, and still saying something once generic praise and filler are removed."""
    if words(reason) < min_words:
        return False
    stripped = reason.lower()
    for phrase in generic:
        stripped = stripped.replace(phrase.lower(), " ")
    content = [t for t in WORD.findall(stripped) if t.strip("'’-") not in _FILLER]
    return len(content) >= 3


def check_shortlist(journal: Journal, cur: Curriculum) -> list[Criterion]:
    """Step 01: enough leaders, each with a specific reason, a stretch pick and a first pick.

    A reason counts only if it still says something once generic praise is removed.

    Parameters
    ----------
    journal : Journal
        The participant's journal; damaged values count as empty.
    cur : Curriculum
        The loaded content, which sets the thresholds.

    Returns
    -------
    list of Criterion
        In order: count (partial credit), specific_reasons, stretch and first_pick.
    """
    content = cur.step("01_shortlist").content
    shown = shown_examples(content)
    people = leaders(journal)
    need = content.min_leaders
    vague = [
        x["name"] for x in people
        if not _is_specific(text_of(x.get("why")), content.generic_reasons,
                            content.specific_reason_min_words)
    ]
    reasons = [(f"Your reason for {text_of(x.get('name'))}", real(x.get("why"), "words", shown))
               for x in people]
    names = [("A leader's name", real(x.get("name"), "short")) for x in people]
    pick = first_pick(journal)
    return [
        real_criterion("count", min(len(people) / need, 1.0) if need else 1.0, names,
              f"You have {len(people)} leaders on your shortlist.",
              f"Add at least {need} leaders — you have {len(people)} so far. Several possible "
              "mentors beat one perfect one."),
        real_criterion("specific_reasons", bool(people) and not vague, reasons,
              "Every leader has a specific reason you admire them.",
              "Give a specific reason for " + (", ".join(vague) if vague else "each leader")
              + f": name something they did or made, in at least "
              f"{content.specific_reason_min_words} words."),
        criterion("stretch", any(x.get("stretch") is True for x in people),
              "You included a stretch pick.",
              "Mark at least one leader as a stretch pick — someone a little out of reach."),
        criterion("first_pick", pick is not None,
              f"You chose {pick['name'] if pick else ''} as the first to approach.",
              "Choose the first leader you will approach."),
    ]


def _beliefs(journal: Journal) -> list[dict]:
    raw = journal.load("assumptions.beliefs", [])
    if not isinstance(raw, list):
        return []
    return [b for b in raw if isinstance(b, dict) and text_of(b.get("belief"))]


def check_assumptions(journal: Journal, cur: Curriculum) -> list[Criterion]:
    """Step 02: limiting beliefs named, tested, rated before and after, and the guess made.

    Parameters
    ----------
    journal : Journal
        The participant's journal; damaged values count as empty.
    cur : Curriculum
        The loaded content, which sets the thresholds.

    Returns
    -------
    list of Criterion
        In order: count (partial credit), tested, rated and calibration.
    """
    content = cur.step("02_assumptions").content
    shown = shown_examples(content)
    beliefs = _beliefs(journal)
    need = content.min_beliefs
    said = [("A belief", real(b.get("belief"), "words")) for b in beliefs]
    beliefs = [b for b, (_, verdict) in zip(beliefs, said, strict=True) if verdict.ok]
    tested = [
        b for b in beliefs
        if text_of(b.get("evidence_against")) and text_of(b.get("rewrite"))
        and text_of(b.get("rewrite")).lower() != text_of(b.get("belief")).lower()
    ]
    testing = [(label, real(b.get(key), "words", shown)) for b in beliefs
               for key, label in (("evidence_against", "Your evidence against a belief"),
                                  ("rewrite", "A rewritten belief"))]
    rated = [
        b for b in beliefs
        if is_number(b.get("confidence_before")) and is_number(b.get("confidence_after"))
    ]
    calibration = dict_of(journal, "assumptions.calibration")
    guess = calibration.get("guess")
    return [
        real_criterion("count", min(len(beliefs) / need, 1.0) if need else 1.0, said,
              f"You named {len(beliefs)} limiting beliefs.",
              f"Name at least {need} beliefs that could hold you back — you have {len(beliefs)}."),
        real_criterion("tested", bool(beliefs) and len(tested) == len(beliefs), testing,
              "Each belief has evidence against it and a rewrite.",
              "For each belief, write the evidence against it and a rewritten, fairer version."),
        criterion("rated", bool(beliefs) and len(rated) == len(beliefs),
              "You rated how sure you were before and after.",
              "Rate how sure you are of each belief, before and after testing it."),
        criterion("calibration", is_number(guess) and 0 <= guess <= 10,
              "You answered the calibration question.",
              "Answer the calibration question: out of 10 people asked, how many say yes?"),
    ]
