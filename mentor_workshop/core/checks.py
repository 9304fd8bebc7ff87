"""Per-step completeness checks.

One function per step decides whether the exercise is complete and well formed. The same function
serves three callers — the "Check my work" button, ``mentor_workshop.check(step_id)`` typed in a
cell, and the nbgrader hidden test — so a participant who passes the self-check knows the grader
will agree. Each unmet criterion carries a message the participant can act on.

Checks only read the journal and never write to stdout or stderr: nbgrader scores a test cell
zero if anything reaches stderr, so a stray warning here would silently cost a participant points.
"""

from __future__ import annotations

import html
import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mentor_workshop.core import feedback, ics
from mentor_workshop.core.content import curriculum
from mentor_workshop.core.journal import Journal

__all__ = [
    "CHECKS", "CheckResult", "Criterion", "check", "feedback_context", "first_pick", "grade",
    "leader_by_id", "leaders", "sorting_score", "words",
]

_WORD = re.compile(r"[\w'’-]+")


@dataclass(frozen=True)
class Criterion:
    """One thing the check looks for; ``met`` is a fraction so partial work earns partial credit."""

    name: str
    met: float
    message: str

    @property
    def passed(self) -> bool:
        return self.met >= 1.0


@dataclass(frozen=True)
class CheckResult:
    step_id: str
    criteria: tuple[Criterion, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.criteria)

    @property
    def score(self) -> float:
        """Fraction of the criteria met, used for nbgrader partial credit."""
        if not self.criteria:
            return 0.0
        return sum(min(max(c.met, 0.0), 1.0) for c in self.criteria) / len(self.criteria)

    @property
    def messages(self) -> list[str]:
        """What to do next: the unmet criteria's messages, in order."""
        return [c.message for c in self.criteria if not c.passed]

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [f"{self.step_id}: " + ("complete ✔" if self.passed else "not complete yet ✘")]
        for c in self.criteria:
            lines.append(f"  {'✔' if c.passed else '✘'} {c.message}")
        lines.extend(f"  • {n}" for n in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (
            "<strong>✔ Complete — well done.</strong>"
            if self.passed
            else "<strong>✘ Not complete yet.</strong> Here is what is left:"
        )
        items = "".join(
            f"<li>{'✔ Done:' if c.passed else '✘ To do:'} {html.escape(c.message)}</li>"
            for c in self.criteria
        )
        notes = "".join(f"<li>ℹ {html.escape(n)}</li>" for n in self.notes)
        return f'<div class="mw-check">{head}<ul>{items}{notes}</ul></div>'


# ---------------------------------------------------------------------------- helpers


def words(text: Any) -> int:
    """Word count that treats a non-string as empty, since journals hold whatever was typed."""
    return len(_WORD.findall(text)) if isinstance(text, str) else 0


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: Any) -> list:
    """A list from the journal, or [] for anything else: a damaged value still checks."""
    return value if isinstance(value, list) else []


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _iso_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _crit(name: str, ok: bool | float, done: str, todo: str) -> Criterion:
    met = float(ok)
    return Criterion(name, met, done if met >= 1.0 else todo)


def _content(step_id: str) -> Any:
    return curriculum.load().step(step_id).content


def leaders(journal: Journal) -> list[dict]:
    """The shortlist, ignoring malformed entries so a damaged journal still checks what it can."""
    raw = journal.load("shortlist.leaders", [])
    if not isinstance(raw, list):
        return []
    return [x for x in raw if isinstance(x, dict) and _text(x.get("name"))]


def leader_by_id(journal: Journal, leader_id: Any) -> dict | None:
    return next((x for x in leaders(journal) if x.get("id") == leader_id), None)


def first_pick(journal: Journal) -> dict | None:
    return leader_by_id(journal, journal.load("shortlist.first_pick"))


def feedback_context(journal: Journal) -> dict[str, str]:
    """What the journal knows about the first pick, to sharpen the feedback engine's checks."""
    ctx: dict[str, str] = {}
    pick = first_pick(journal)
    if pick:
        ctx["leader_name"] = _text(pick.get("name"))
        ctx["leader_role"] = _text(pick.get("role"))
    admiration = journal.load("heart.admiration", {})
    if isinstance(admiration, dict) and _text(admiration.get("work")):
        ctx["leader_work"] = _text(admiration.get("work"))
    profile = journal.load("welcome.profile", {})
    if isinstance(profile, dict) and _text(profile.get("name")):
        ctx["first_name"] = _text(profile.get("name")).split()[0]
    return ctx


def _levels(text: str, journal: Journal) -> dict[str, str]:
    return feedback.summary(feedback.analyze(text, feedback_context(journal)))


def _dict(journal: Journal, key: str) -> dict:
    value = journal.load(key, {})
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------------------- the steps


def check_welcome(journal: Journal) -> list[Criterion]:
    profile = _dict(journal, "welcome.profile")
    return [
        _crit("name", bool(_text(profile.get("name"))), "You told us your name.",
              "Type your name in the Name box."),
        _crit("role", bool(_text(profile.get("role"))), "You described your role.",
              "Describe your current role in a few words."),
        _crit("hopes", words(profile.get("hopes")) >= 5,
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
    content = [t for t in _WORD.findall(stripped) if t.strip("'’-") not in _FILLER]
    return len(content) >= 3


def check_shortlist(journal: Journal) -> list[Criterion]:
    content = _content("01_shortlist")
    people = leaders(journal)
    need = content.min_leaders
    vague = [
        x["name"] for x in people
        if not _is_specific(_text(x.get("why")), content.generic_reasons,
                            content.specific_reason_min_words)
    ]
    pick = first_pick(journal)
    return [
        _crit("count", min(len(people) / need, 1.0) if need else 1.0,
              f"You have {len(people)} leaders on your shortlist.",
              f"Add at least {need} leaders — you have {len(people)} so far. Several possible "
              "mentors beat one perfect one."),
        _crit("specific_reasons", bool(people) and not vague,
              "Every leader has a specific reason you admire them.",
              "Give a specific reason for " + (", ".join(vague) if vague else "each leader")
              + f": name something they did or made, in at least "
              f"{content.specific_reason_min_words} words."),
        _crit("stretch", any(x.get("stretch") is True for x in people),
              "You included a stretch pick.",
              "Mark at least one leader as a stretch pick — someone a little out of reach."),
        _crit("first_pick", pick is not None,
              f"You chose {pick['name'] if pick else ''} as the first to approach.",
              "Choose the first leader you will approach."),
    ]


def _beliefs(journal: Journal) -> list[dict]:
    raw = journal.load("assumptions.beliefs", [])
    if not isinstance(raw, list):
        return []
    return [b for b in raw if isinstance(b, dict) and _text(b.get("belief"))]


def check_assumptions(journal: Journal) -> list[Criterion]:
    content = _content("02_assumptions")
    beliefs = _beliefs(journal)
    need = content.min_beliefs
    tested = [
        b for b in beliefs
        if _text(b.get("evidence_against")) and _text(b.get("rewrite"))
        and _text(b.get("rewrite")).lower() != _text(b.get("belief")).lower()
    ]
    rated = [
        b for b in beliefs
        if _number(b.get("confidence_before")) and _number(b.get("confidence_after"))
    ]
    calibration = _dict(journal, "assumptions.calibration")
    guess = calibration.get("guess")
    return [
        _crit("count", min(len(beliefs) / need, 1.0) if need else 1.0,
              f"You named {len(beliefs)} limiting beliefs.",
              f"Name at least {need} beliefs that could hold you back — you have {len(beliefs)}."),
        _crit("tested", bool(beliefs) and len(tested) == len(beliefs),
              "Each belief has evidence against it and a rewrite.",
              "For each belief, write the evidence against it and a rewritten, fairer version."),
        _crit("rated", bool(beliefs) and len(rated) == len(beliefs),
              "You rated how sure you were before and after.",
              "Rate how sure you are of each belief, before and after testing it."),
        _crit("calibration", _number(guess) and 0 <= guess <= 10,
              "You answered the calibration question.",
              "Answer the calibration question: out of 10 people asked, how many say yes?"),
    ]


def check_request(journal: Journal) -> list[Criterion]:
    content = _content("03_request")
    channel = _text(journal.load("request.channel"))
    channels = {c.id for c in content.channels}
    draft = _text(journal.load("request.draft", ""))
    n = words(draft)
    lo, hi = content.draft.min_words, content.draft.max_words
    levels = _levels(draft, journal) if draft else {}
    return [
        _crit("channel", channel in channels, "You chose a channel.",
              "Choose how you will make the request: in person, email, phone or letter."),
        _crit("length", lo <= n <= hi, f"Your draft is {n} words — a good length.",
              f"Your draft is {n} words; aim for {lo}–{hi} so it is easy to read and answer."),
        _crit("clear_ask", levels.get("clear_ask") == "good",
              "Your draft makes one clear, time-bound ask.",
              "Make the ask concrete: what you are asking for, how much time, and when."),
        _crit("reason", levels.get("reason") == "good",
              "Your draft says why you are asking this person.",
              "Say why you are asking this person in particular (and why now)."),
    ]


def check_from_the_heart(journal: Journal) -> list[Criterion]:
    content = _content("04_from_the_heart")
    entry = _dict(journal, "heart.admiration")
    statement = _text(entry.get("statement"))
    levels = _levels(statement, journal) if statement else {}
    return [
        _crit("work", words(entry.get("work")) >= 2, "You named a specific act or piece of work.",
              "Name one specific thing they did or made — a talk, a decision, a project."),
        _crit("length", words(statement) >= content.min_words,
              "Your statement is developed enough to feel sincere.",
              f"Write at least {content.min_words} words about why it mattered to you."),
        _crit("specific", levels.get("admiration") == "good",
              "Your admiration is specific, not generic flattery.",
              "Replace generic praise with what exactly they did and how it affected you."),
    ]


def sorting_score(journal: Journal) -> tuple[int, int]:
    """(correct, total) for the tone-sorting exercise; the grader's partial credit uses it."""
    phrases = _content("05_vulnerability_confidence").sorting
    answers = _dict(journal, "tone.sorting")
    return sum(answers.get(p.id) == p.answer for p in phrases), len(phrases)


def check_vulnerability_confidence(journal: Journal) -> list[Criterion]:
    content = _content("05_vulnerability_confidence")
    answers = _dict(journal, "tone.sorting")
    correct, total = sorting_score(journal)
    answered = sum(1 for p in content.sorting if p.id in answers)
    ratio = correct / total if total else 0.0
    revision = _text(journal.load("tone.revision", ""))
    levels = _levels(revision, journal) if revision else {}
    return [
        _crit("sorted_all", answered == total, "You sorted every phrase.",
              f"Sort every phrase — {answered} of {total} done."),
        Criterion("sorting", min(ratio / content.pass_ratio, 1.0) if content.pass_ratio else 1.0,
                  f"You sorted {correct} of {total} phrases as the workshop's answer key does."
                  if ratio >= content.pass_ratio else
                  f"{correct} of {total} sorted as expected; read the explanations and try again "
                  f"(aim for {math.ceil(content.pass_ratio * total - 1e-9)})."),
        _crit("revision", bool(revision), "You revised your request.",
              "Edit the copy of your request in the revision box (or press “Save as my "
              "revision” if it already reads well)."),
        _crit("balanced",
              bool(revision) and levels.get("neediness") != "problem"
              and levels.get("overconfidence") != "problem",
              "Your revision sounds neither needy nor pushy.",
              "Your revision still sounds needy or pushy: see the highlighted words."),
    ]


def check_be_gracious(journal: Journal) -> list[Criterion]:
    content = _content("06_be_gracious")
    note = _text(journal.load("gracious.thank_you", ""))
    meeting = _dict(journal, "gracious.meeting")
    questions = [q for q in _list(meeting.get("questions")) if _text(q)]
    return [
        _crit("note", words(note) >= content.thank_you.min_words and _says_thanks(note, journal),
              "Your thank-you note says thank you, warmly.",
              f"Write a thank-you note of at least {content.thank_you.min_words} words that "
              "thanks them clearly."),
        _crit("date", _meeting_within(meeting, content.meeting.within_days),
              "Your first meeting is scheduled promptly.",
              f"Pick a first-meeting date within {content.meeting.within_days} days of their yes, "
              "with a valid time zone."),
        _crit("questions", len(questions) >= content.meeting.questions,
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
    signals = feedback.analyze(note, feedback_context(journal))
    gratitude = next(s for s in signals if s.name == "gratitude")
    return gratitude.level == "good" or bool(gratitude.spans)


def _meeting_within(meeting: dict, days: int) -> bool:
    yes = _iso_date(meeting.get("yes_date"))
    start, zone = meeting.get("start"), meeting.get("timezone")
    if yes is None or not isinstance(start, str) or not isinstance(zone, str):
        return False
    try:
        when = ics.local_datetime(start, zone)
    except ics.IcsError:
        return False
    return yes <= when.date() <= yes + timedelta(days=days)


def check_rejection(journal: Journal) -> list[Criterion]:
    content = _content("07_rejection")
    responses = _dict(journal, "rejection.responses")
    done = [
        s.id for s in content.scenarios
        if isinstance(responses.get(s.id), dict)
        and _text(responses[s.id].get("choice")) in {o.id for o in s.options}
        and _text(responses[s.id].get("why"))
    ]
    compassion = _dict(journal, "rejection.self_compassion")
    nxt = journal.load("rejection.next_leader")
    nxt_leader = leader_by_id(journal, nxt)
    return [
        Criterion("scenarios", len(done) / len(content.scenarios) if content.scenarios else 1.0,
                  f"You chose a response, with your reason, for {len(done)} of "
                  f"{len(content.scenarios)} scenarios"
                  + ("." if len(done) == len(content.scenarios)
                     else " — choose a reply and say why for the rest.")),
        _crit("ask_why", words(journal.load("rejection.ask_why", "")) >= 10,
              "You drafted a gracious 'may I ask why?' reply.",
              "Draft a short, gracious reply that asks what would make a future request work."),
        _crit("self_compassion",
              bool(_text(compassion.get("first_reaction")))
              and words(compassion.get("rewrite")) >= 8,
              "You rewrote your first reaction with self-compassion.",
              "Write your first reaction to a no, then rewrite it as you would speak to a friend."),
        _crit("next_leader",
              nxt_leader is not None and nxt != journal.load("shortlist.first_pick"),
              "You know who you will ask next.",
              "Pick the next leader to ask from your shortlist (not your first pick)."),
    ]


def check_two_way(journal: Journal) -> list[Criterion]:
    content = _content("08_two_way")
    offers = [o for o in _list(journal.load("two_way.offers")) if _text(o)]
    prep = _dict(journal, "two_way.prep")
    ticked = sum(1 for item in content.prep_checklist if prep.get(item.id) is True)
    need_ticks = min(3, len(content.prep_checklist))
    return [
        _crit("cares", words(journal.load("two_way.cares", "")) >= 5,
              "You described what the leader cares about.",
              "Describe in a sentence what this leader cares about right now."),
        _crit("offers", len(offers) >= content.min_offers,
              f"You have {len(offers)} concrete offers.",
              f"Pick at least {content.min_offers} concrete things you can offer — you have "
              f"{len(offers)}."),
        _crit("prep", ticked >= need_ticks, "Your first-meeting preparation is under way.",
              f"Tick at least {need_ticks} preparation items you will do before the meeting."),
    ]


def check_lead_from_within(journal: Journal) -> list[Criterion]:
    rhythm = _dict(journal, "within.rhythm")
    tie = _dict(journal, "within.dormant_tie")
    commitment = _dict(journal, "within.commitment")
    dated = _iso_date(commitment.get("date")) is not None
    weeks = rhythm.get("every_weeks")
    return [
        _crit("rhythm", _number(weeks) and weeks > 0 and bool(_text(rhythm.get("channel"))),
              "You set a keep-in-touch rhythm.",
              "Choose how often and how you will keep in touch."),
        _crit("report_back", words(journal.load("within.report_back", "")) >= 8,
              "You planned what you will report back.",
              "Say what you will report back after you act on their advice."),
        _crit("dormant_tie", bool(_text(tie.get("name"))) and bool(_text(tie.get("why"))),
              "You named a dormant tie to reconnect with.",
              "Name one person you have lost touch with, and why you will reconnect."),
        _crit("commitment", bool(_text(commitment.get("action"))) and dated,
              "You made a dated commitment.",
              "Write one action you commit to, with a date."),
    ]


def check_my_plan(journal: Journal) -> list[Criterion]:
    """The plan is complete when every earlier step is; each step counts as one criterion."""
    crits = []
    for step in curriculum.load().steps:
        if step.id in ("00_welcome", "10_my_plan"):
            continue
        result = _run(step.id, journal)
        crits.append(Criterion(step.id, result.score,
                               f"{step.title}: " + ("complete." if result.passed else
                                                    f"still to finish in notebook {step.id}.")))
    return crits


CHECKS: dict[str, Callable[[Journal], list[Criterion]]] = {
    "00_welcome": check_welcome,
    "01_shortlist": check_shortlist,
    "02_assumptions": check_assumptions,
    "03_request": check_request,
    "04_from_the_heart": check_from_the_heart,
    "05_vulnerability_confidence": check_vulnerability_confidence,
    "06_be_gracious": check_be_gracious,
    "07_rejection": check_rejection,
    "08_two_way": check_two_way,
    "09_lead_from_within": check_lead_from_within,
    "10_my_plan": check_my_plan,
}


def _open(journal: Journal | str | Path | None) -> tuple[Journal, list[str]]:
    """Open the journal while capturing its warnings, so nothing reaches stderr during grading."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if journal is None:
            journal = Journal.for_notebook_dir(Path.cwd())
        elif not isinstance(journal, Journal):
            journal = Journal(journal)
        journal.all()
    return journal, [str(w.message) for w in caught]


def _run(step_id: str, journal: Journal) -> CheckResult:
    return CheckResult(step_id, tuple(CHECKS[step_id](journal)))


def check(step_id: str, journal: Journal | str | Path | None = None) -> CheckResult:
    """Check one step against the participant's journal (default: journal.json in the cwd)."""
    if step_id not in CHECKS:
        raise KeyError(f"Unknown step {step_id!r}; choose one of: {', '.join(CHECKS)}")
    opened, notes = _open(journal)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = _run(step_id, opened)
    return CheckResult(step_id, result.criteria, tuple(notes))


def grade(step_id: str, journal: Journal | str | Path | None = None, points: float = 1.0) -> float:
    """Points earned for a step, for the nbgrader hidden test cell.

    nbgrader reads a number returned by a test cell as partial credit, so the cell simply ends
    with this call. Rounded to two decimals so the gradebook shows tidy numbers.
    """
    return round(check(step_id, journal).score * points, 2)
