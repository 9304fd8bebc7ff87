"""Checks for what follows the ask: gracious (06), a no (07), two-way (08), within (09), and
the plan (10).

Each function takes the journal and returns its criteria; the wording of every unmet one
tells the participant what to do next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from mentor_workshop.core import feedback
from mentor_workshop.core.criteria.reading import (
    criterion,
    dict_of,
    feedback_context,
    is_number,
    iso_date,
    leader_by_id,
    list_of,
    plausible_date,
    real,
    real_criterion,
    shown_examples,
    text_of,
    words,
)
from mentor_workshop.core.criteria.result import (
    CheckFunction,
    CheckResult,
    Criterion,
    criteria_of,
)
from mentor_workshop.core.journal import Journal
from mentor_workshop.core.local_time import local_datetime
from mentor_workshop.errors import IcsError

if TYPE_CHECKING:
    from mentor_workshop.core.curriculum import Curriculum


def check_be_gracious(journal: Journal, cur: Curriculum) -> list[Criterion]:
    """Step 06: a warm thank-you note, a prompt first meeting and questions for it.

    The meeting must fall within ``within_days`` of the yes, read in its own time zone.

    Parameters
    ----------
    journal : Journal
        The participant's journal; damaged values count as empty.
    cur : Curriculum
        The loaded content, which sets the thresholds.

    Returns
    -------
    list of Criterion
        In order: note, date and questions.
    """
    content = cur.step("06_be_gracious").content
    shown = shown_examples(content)
    note = text_of(journal.load("gracious.thank_you", ""))
    meeting = dict_of(journal, "gracious.meeting")
    asked = [(q, real(q, "words", shown)) for q in list_of(meeting.get("questions")) if text_of(q)]
    questions = [q for q, verdict in asked if verdict.ok]
    return [
        real_criterion("note",
              words(note) >= content.thank_you.min_words and _says_thanks(note, journal),
              [("Your thank-you note", real(note, "prose", shown))],
              "Your thank-you note says thank you, warmly.",
              f"Write a thank-you note of at least {content.thank_you.min_words} words that "
              "thanks them clearly."),
        criterion("date", _meeting_within(meeting, content.meeting.within_days),
              "Your first meeting is scheduled promptly.",
              f"Pick a first-meeting date within {content.meeting.within_days} days of their yes, "
              "with a valid time zone."),
        real_criterion("questions", len(questions) >= content.meeting.questions,
              [("A question", verdict) for _, verdict in asked],
              "You prepared questions for the first meeting.",
              f"Write {content.meeting.questions} questions for the first meeting — you have "
              f"{len(questions)}."),
    ]


def _says_thanks(note: str, journal: Journal) -> bool:
    """A thank-you note may thank them for anything — their yes, their time, their work.

    The gratitude signal is tuned for requests (thanks *for considering*), so here any thanks the
    engine found counts, not only the "good" level.
    """
    if not note:
        return False
    (gratitude,) = feedback.analyze(note, feedback_context(journal), names=("gratitude",))
    return gratitude.level == "good" or bool(gratitude.spans)


def _meeting_within(meeting: dict, days: int) -> bool:
    yes = iso_date(meeting.get("yes_date"))
    start, zone = meeting.get("start"), meeting.get("timezone")
    if yes is None or not isinstance(start, str) or not isinstance(zone, str):
        return False
    try:
        when = local_datetime(start, zone)
    except IcsError:
        return False
    return 0 <= (when.date() - yes).days <= days  # no date arithmetic past year 9999


def check_rejection(journal: Journal, cur: Curriculum) -> list[Criterion]:
    """Step 07: scenarios answered with reasons, an ask-why reply, self-compassion, a next leader.

    Parameters
    ----------
    journal : Journal
        The participant's journal; damaged values count as empty.
    cur : Curriculum
        The loaded content, which sets the thresholds.

    Returns
    -------
    list of Criterion
        In order: scenarios (partial credit), ask_why, self_compassion and next_leader.
    """
    content = cur.step("07_rejection").content
    shown = shown_examples(content)
    responses = dict_of(journal, "rejection.responses")
    done = [
        s.id for s in content.scenarios
        if isinstance(responses.get(s.id), dict)
        and text_of(responses[s.id].get("choice")) in {o.id for o in s.options}
        and real(responses[s.id].get("why"), "words").ok
    ]
    ask_why = journal.load("rejection.ask_why", "")
    compassion = dict_of(journal, "rejection.self_compassion")
    feelings = [("Your first reaction", real(compassion.get("first_reaction"), "words")),
                ("Your kinder rewrite", real(compassion.get("rewrite"), "words", shown))]
    nxt = journal.load("rejection.next_leader")
    nxt_leader = leader_by_id(journal, nxt)
    return [
        Criterion("scenarios", len(done) / len(content.scenarios) if content.scenarios else 1.0,
                  f"You chose a response, with your reason, for {len(done)} of "
                  f"{len(content.scenarios)} scenarios"
                  + ("." if len(done) == len(content.scenarios)
                     else " — choose a reply and say why for the rest.")),
        real_criterion("ask_why", words(ask_why) >= 10,
              [("Your reply", real(ask_why, "prose", shown, content.ask_why.template))],
              "You drafted a gracious 'may I ask why?' reply.",
              "Draft a short, gracious reply that asks what would make a future request work."),
        real_criterion("self_compassion",
              bool(text_of(compassion.get("first_reaction")))
              and words(compassion.get("rewrite")) >= 8, feelings,
              "You rewrote your first reaction with self-compassion.",
              "Write your first reaction to a no, then rewrite it as you would speak to a friend."),
        criterion("next_leader",
              nxt_leader is not None and nxt != journal.load("shortlist.first_pick"),
              "You know who you will ask next.",
              "Pick the next leader to ask from your shortlist (not your first pick)."),
    ]


def check_two_way(journal: Journal, cur: Curriculum) -> list[Criterion]:
    """Step 08: what the leader cares about, concrete offers, and preparation ticked.

    Parameters
    ----------
    journal : Journal
        The participant's journal; damaged values count as empty.
    cur : Curriculum
        The loaded content, which sets the thresholds.

    Returns
    -------
    list of Criterion
        In order: cares, offers and prep.
    """
    content = cur.step("08_two_way").content
    shown = shown_examples(content)
    bank = {item.id for item in content.offer_bank}
    offered = [(o, real(o, "words", shown)) for o in list_of(journal.load("two_way.offers"))
               if text_of(o)]
    offers = [o for o, verdict in offered if o in bank or verdict.ok]
    own_offers = [("An offer", verdict) for o, verdict in offered if o not in bank]
    prep = dict_of(journal, "two_way.prep")
    ticked = sum(1 for item in content.prep_checklist if prep.get(item.id) is True)
    need_ticks = min(3, len(content.prep_checklist))
    return [
        real_criterion("cares", words(journal.load("two_way.cares", "")) >= 5,
              [("What they care about", real(journal.load("two_way.cares"), "words", shown))],
              "You described what the leader cares about.",
              "Describe in a sentence what this leader cares about right now."),
        real_criterion("offers", len(offers) >= content.min_offers, own_offers,
              f"You have {len(offers)} concrete offers.",
              f"Pick at least {content.min_offers} concrete things you can offer — you have "
              f"{len(offers)}."),
        criterion("prep", ticked >= need_ticks, "Your first-meeting preparation is under way.",
              f"Tick at least {need_ticks} preparation items you will do before the meeting."),
    ]


def check_lead_from_within(journal: Journal, cur: Curriculum) -> list[Criterion]:
    """Step 09: a keep-in-touch rhythm, a report-back, a dormant tie and a dated commitment.

    Parameters
    ----------
    journal : Journal
        The participant's journal; damaged values count as empty.
    cur : Curriculum
        The loaded content, which sets the thresholds.

    Returns
    -------
    list of Criterion
        In order: rhythm, report_back, dormant_tie and commitment.
    """
    shown = shown_examples(cur.step("09_lead_from_within").content)
    rhythm = dict_of(journal, "within.rhythm")
    tie = dict_of(journal, "within.dormant_tie")
    commitment = dict_of(journal, "within.commitment")
    dated = iso_date(commitment.get("date")) is not None
    when = plausible_date(journal, "within.commitment", commitment.get("date"))
    weeks = rhythm.get("every_weeks")
    return [
        criterion("rhythm", is_number(weeks) and weeks > 0 and bool(text_of(rhythm.get("channel"))),
              "You set a keep-in-touch rhythm.",
              "Choose how often and how you will keep in touch."),
        real_criterion("report_back", words(journal.load("within.report_back", "")) >= 8,
              [("Your report-back", real(journal.load("within.report_back"), "words", shown))],
              "You planned what you will report back.",
              "Say what you will report back after you act on their advice."),
        real_criterion("dormant_tie",
              bool(text_of(tie.get("name"))) and bool(text_of(tie.get("why"))),
              [("The person you named", real(tie.get("name"), "short", shown)),
               ("Why you will reconnect", real(tie.get("why"), "words", shown))],
              "You named a dormant tie to reconnect with.",
              "Name one person you have lost touch with, and why you will reconnect."),
        real_criterion("commitment", bool(text_of(commitment.get("action"))) and dated,
              [("Your commitment", real(commitment.get("action"), "words", shown)),
               *([("Its date", when)] if dated else [])],
              "You made a dated commitment.",
              "Write one action you commit to, with a date."),
    ]


def plan_check(checks: Callable[[], Mapping[str, CheckFunction]]) -> CheckFunction:
    """The plan's check: complete when every earlier step is, one criterion per step.

    It needs the other steps' checks, which the registry of steps holds; the registry passes
    itself in, so this module need not import it (that would be an import cycle).

    Parameters
    ----------
    checks : callable
        Returns step id -> check function; called when the check runs, after every step is
        registered.

    Returns
    -------
    callable
        The check function for step 10.
    """

    def check_my_plan(journal: Journal, cur: Curriculum) -> list[Criterion]:
        by_step = checks()
        crits = []
        for step in cur.steps:
            if step.id in ("00_welcome", "10_my_plan") or step.id not in by_step:
                continue
            result = CheckResult(step.id, criteria_of(step.id, by_step[step.id], journal, cur))
            crits.append(Criterion(step.id, result.score,
                                   f"{step.title}: " + ("complete." if result.passed else
                                                        f"still to finish in notebook {step.id}.")))
        return crits

    return check_my_plan
