"""One participant's journal, complete or in part, for every test that needs answers.

Why one: the checks, widgets, notebooks, plan and browser tests all need "a journal that
completes step N". When each module wrote its own, a change to a step's contract had to be made
in five copies, and the copies drifted (two participants, two first picks, two drafts). Here
Ada Lovelace's journal is written once; tests take all of it (:func:`complete_answers`), the
part one step reads (:func:`answers_for`), or a journal begun but not finished
(:func:`partial_answers`), and name the pieces they assert on (:data:`DRAFT`, :data:`LEADERS`,
:data:`FIRST_PICK`, ...) instead of retyping them.

This is a helper module, not a test module: import it with ``from journals import ...``, the
same way as ``from conftest import ...``. Write a journal with conftest's ``write_journal``.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from mentor_workshop.core import curriculum
from mentor_workshop.core.steps import STEPS

__all__ = [
    "ADA", "ADMIRATION", "ASK", "BELIEFS", "CALIBRATION", "COMMITMENT_DATE", "DRAFT",
    "FIRST_PICK", "FOLLOW_UP",
    "KEY", "LEADERS", "MEETING", "NEXT_LEADER", "PHRASES", "POINTS", "PROFILE", "REVISION",
    "SCAFFOLD", "SHORTLIST_READERS", "STATEMENT", "THANK_YOU", "WEIGHTS", "WORK", "answers_for",
    "complete_answers", "partial_answers",
]

#: Who the complete journal belongs to, as the roster records it:
#: ``write_journal(path, complete_answers(), **ADA)``.
ADA = {"name": "Ada Lovelace", "pid": "p001"}

#: The points each step's hidden test cell awards (``grade(step, path, points=...)`` in the
#: shipped notebooks): a complete journal earns all of them, an empty one none.
POINTS = {"00_welcome": 1, "01_shortlist": 3, "02_assumptions": 3, "03_request": 3,
          "04_from_the_heart": 3, "05_vulnerability_confidence": 3, "06_be_gracious": 3,
          "07_rejection": 3, "08_two_way": 3, "09_lead_from_within": 3, "10_my_plan": 2,
          "11_follow_up": 2}

PROFILE = {"name": "Ada Lovelace", "role": "Data analyst at a city council",
           "hopes": "I want to learn how to lead a small analytics team well."}

# ------------------------------------------------------------------ 01 shortlist

#: Three leaders: Grace is the stretch pick, Katherine the first pick, Mary the one to ask next.
#: With the weights below (values·2 + warmth·1) they rank Grace 12, Katherine 11, Mary 11.
LEADERS: list[dict[str, Any]] = [
    {"id": "l1", "name": "Grace Hopper", "role": "Rear admiral",
     "why": "She made programming readable by inventing the first compiler.",
     "learn": "How to push a new idea through a big organisation",
     "reach": "A former colleague knows her", "warmth": 2, "values": 5,
     "stretch": True},
    {"id": "l2", "name": "Katherine Johnson", "role": "Mathematician",
     "why": "Her trajectory calculations for Friendship 7 were trusted by Glenn himself.",
     "learn": "How to be precise under pressure", "reach": "Conference talk",
     "warmth": 3, "values": 4, "stretch": False},
    {"id": "l3", "name": "Mary Jackson", "role": "Engineer",
     "why": "She went to court to be allowed to study engineering at night.",
     "learn": "Persistence", "reach": "Alumni network", "warmth": 5, "values": 3,
     "stretch": False},
]
WEIGHTS = {"values": 2, "warmth": 1}
#: Katherine Johnson: the person the request, the thanks and the meeting are for.
FIRST_PICK = "l2"
#: Mary Jackson: who Ada will ask if Katherine says no (07).
NEXT_LEADER = "l3"

# ------------------------------------------------------------------ 02 assumptions

BELIEFS: list[dict[str, Any]] = [
    {"id": "b1", "belief": "She is far too busy for someone like me",
     "confidence_before": 80, "evidence_for": "Her diary is full",
     "evidence_against": "She mentored two juniors last year",
     "rewrite": "She is busy, and she still makes time for people she can help",
     "confidence_after": 30},
    {"id": "b2", "belief": "Asking will make me look incompetent",
     "confidence_before": 70, "evidence_for": "It feels exposing",
     "evidence_against": "Research says asking for advice makes people look more able",
     "rewrite": "Asking for advice shows I take my growth seriously",
     "confidence_after": 20},
]
CALIBRATION = {"guess": 3, "revealed": True}

# ------------------------------------------------------------------ 03–05 the ask

SCAFFOLD = {"who_i_am": "I am Ada", "why_you": "Your work on Friendship 7",
            "the_ask": "A short conversation", "the_time": "30 minutes", "thanks": "Thank you"}
#: The request written in 03, addressed to Katherine Johnson.
DRAFT = (
    "Dear Dr Johnson, I am Ada, a data analyst at the city council. Your calculations "
    "for Friendship 7 showed me how precise work earns trust, and that is exactly what "
    "I am trying to learn as I start leading a small team. Would you be willing to meet "
    "me for a 30-minute coffee in the next month to talk about how you built that "
    "trust? I would be happy to share what I am learning about open data in return. "
    "Thank you for considering it. Ada"
)
#: The admired work and the statement about it (04).
WORK = "her trajectory calculations for the Friendship 7 flight"
STATEMENT = (
    "I admire the way you checked the computer's numbers by hand before John "
    "Glenn's flight. Reading about it changed how I think about my own work: being "
    "careful is how you earn trust."
)
ADMIRATION = {"work": WORK, "statement": STATEMENT}
#: The tone-sorting phrases of 05 and the answer key that sorts every one of them right.
PHRASES = curriculum.load().step("05_vulnerability_confidence").content.sorting
KEY = {p.id: p.answer for p in PHRASES}
#: The request as revised in 05 (the plan prefers it to the 03 draft: it says "gladly").
REVISION = (
    "Dear Dr Johnson, I am Ada, a data analyst at the city council. Your calculations "
    "for Friendship 7 showed me how careful work earns trust, which is what I am "
    "learning as I begin to lead a small team. Would you be willing to meet me for a "
    "30-minute coffee in the next month to talk about how you built that trust? I "
    "would gladly share what I am learning about open data in return. Thank you for "
    "considering it. Ada"
)

# ------------------------------------------------------------------ 06–09 after the ask

THANK_YOU = (
    "Dear Dr Johnson, thank you so much for agreeing to meet me. I am grateful that "
    "you would make time for this, and I am especially looking forward to hearing how "
    "you checked the Friendship 7 numbers. Thank you again. Ada"
)
#: A yes on 25 March 2030; the first meeting on Thursday 28 March, 09:30–10:15 in London.
MEETING: dict[str, Any] = {
    "yes_date": "2030-03-25", "start": "2030-03-28T09:30", "timezone": "Europe/London",
    "duration_minutes": 45,
    "questions": ["What do you wish you had known at my stage?",
                  "How did you earn trust as a new lead?",
                  "How would you like us to keep in touch?"],
}

#: Ada's commitment (09) falls six weeks after the day the journal is written: the checks
#: refuse a date already past or years away, so a fixed date would make the tests expire.
COMMITMENT_DATE = date.today() + timedelta(weeks=6)

#: The ask scheduled in 10: Katherine Johnson, in person after her conference talk, on Monday
#: 18 March 2030, planned on the workshop day three days before.
ASK: dict[str, Any] = {"leader": FIRST_PICK, "channel": "in_person", "date": "2030-03-18",
                       "occasion": "After her talk at the spring data conference",
                       "planned_on": "2030-03-15"}
#: Two weeks on (11): Ada asked on the day, Katherine said yes, they have met once.
FOLLOW_UP: dict[str, Any] = {
    "follow_up.asked": {"status": "yes", "on": "2030-03-18", "noted_on": "2030-04-01"},
    "follow_up.reply": {"choice": "yes",
                        "meeting": "We talked for 45 minutes about earning a new team's trust."},
    "follow_up.learned": ("Asking in person was easier than I feared; the hard part was "
                          "choosing the day."),
    "follow_up.next": {"action": "second_meeting", "note": "Propose a date in late April."},
}

#: Steps other than the shortlist whose checks or widgets read it: 03–05 address the first
#: pick (the feedback reads their name and role), 07 names the next leader from the list.
SHORTLIST_READERS = frozenset(
    {"03_request", "04_from_the_heart", "05_vulnerability_confidence", "07_rejection"})


def complete_answers() -> dict[str, Any]:
    """Ada's whole journal: every step passes its check with nothing left to do.

    Returns
    -------
    dict
        Journal key -> answer, a fresh deep copy each call, so a test may change it freely.
        The ids in it (tone phrases, rejection scenarios) are read from the curriculum now, so
        it follows an adapted exercises folder.
    """
    tone = curriculum.load().step("05_vulnerability_confidence").content
    rejection = curriculum.load().step("07_rejection").content
    answers = {
        "welcome.profile": PROFILE,
        "shortlist.leaders": LEADERS,
        "shortlist.weights": WEIGHTS,
        "shortlist.first_pick": FIRST_PICK,
        "assumptions.beliefs": BELIEFS,
        "assumptions.calibration": CALIBRATION,
        "request.channel": "in_person",
        "request.scaffold": SCAFFOLD,
        "request.draft": DRAFT,
        "heart.admiration": ADMIRATION,
        "tone.sorting": {p.id: p.answer for p in tone.sorting},
        "tone.revision": REVISION,
        "gracious.thank_you": THANK_YOU,
        "gracious.meeting": MEETING,
        "rejection.responses": {
            s.id: {"choice": next(o.id for o in s.options if o.best),
                   "why": "It is gracious and keeps the door open."}
            for s in rejection.scenarios
        },
        "rejection.ask_why": ("Thank you for letting me know. If you have a moment, is there "
                              "anything that would have made my request easier to say yes to?"),
        "rejection.self_compassion": {
            "first_reaction": "I was silly to ask her.",
            "rewrite": "You asked someone you admire, which took courage; ask the next person.",
        },
        "rejection.next_leader": NEXT_LEADER,
        "two_way.cares": "Getting more young women into mathematics and engineering careers.",
        "two_way.offers": ["research", "Show her how our team uses open data dashboards"],
        "two_way.prep": {"agenda": True, "update": True, "questions": True, "homework": False},
        "within.rhythm": {"every_weeks": 4, "channel": "A short email update"},
        "within.report_back": ("After I run my first team review I will email her what "
                               "worked and what did not."),
        "within.dormant_tie": {"name": "Tomasz, who trained me at my first job",
                               "why": "He now leads analytics in the sector I want to join."},
        "within.commitment": {"action": "Send my request to Dr Johnson",
                              "date": COMMITMENT_DATE.isoformat()},
        "plan.ask": ASK,
        **FOLLOW_UP,
    }
    return copy.deepcopy(answers)


#: The plan draws on every step (its own key is only the scheduled ask).
PLAN = "10_my_plan"


def answers_for(*step_ids: str) -> dict[str, Any]:
    """The part of Ada's journal that completes ``step_ids``, and nothing else.

    A step's own keys are those under its journal prefix (``STEPS.prefixes()``); the
    shortlist comes too when a step reads it (:data:`SHORTLIST_READERS`), and the plan, which
    draws on every step, gets the whole journal.

    Parameters
    ----------
    *step_ids : str
        Step ids such as ``"06_be_gracious"``.

    Returns
    -------
    dict
        Journal key -> answer, in journal order; a fresh copy.

    Raises
    ------
    KeyError
        For an id that is not a registered step.
    """
    prefixes = STEPS.prefixes()
    wanted: set[str] = set()
    for step_id in step_ids:
        STEPS[step_id]  # an unknown id is a typo in the test: say so
        if step_id not in prefixes or step_id == PLAN:
            wanted.update(prefixes.values())
            continue
        wanted.add(prefixes[step_id])
        if step_id in SHORTLIST_READERS:
            wanted.add(prefixes["01_shortlist"])
    return {key: value for key, value in complete_answers().items()
            if key.startswith(tuple(wanted))}


def partial_answers() -> dict[str, Any]:
    """A journal begun but not finished: some steps started, none complete.

    Returns
    -------
    dict
        Ada's name without her role or hopes (00 partly done) and one leader of the three
        01 asks for (01 partly done); nothing else.
    """
    return copy.deepcopy({
        "welcome.profile": {"name": "Ada", "role": "", "hopes": ""},
        "shortlist.leaders": LEADERS[:1],
    })
