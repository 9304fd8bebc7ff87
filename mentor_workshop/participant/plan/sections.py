"""Each section of the plan, filled from the answers of the steps it draws on.

Why one function per section: a section gathers answers from one or two steps and decides, item
by item, whether it is written or still missing, with the notebook to open. Each function here
does that for one section id of ``exercises/steps/10_my_plan.yaml``; a section a facilitator
adds to that file without code is listed by :func:`generic`, in plain words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, timedelta
from typing import Any

from mentor_workshop.core import curriculum, ics
from mentor_workshop.core.answers import iso_date
from mentor_workshop.core.content.step_models import PlanSection
from mentor_workshop.core.criteria.follow_up import read_ask
from mentor_workshop.core.steps import STEPS
from mentor_workshop.participant.plan.model import Item, Missing, Section
from mentor_workshop.participant.plan.reading import (
    Answers,
    int_value,
    number_value,
    text_value,
)

__all__ = ["SECTION_BUILDERS", "SectionBuilder", "final_request", "first_meeting", "generic",
           "rhythm"]

def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


class SectionBuilder:
    """Collects one section's items and missing entries.

    Parameters
    ----------
    section : PlanSection
        The section's id, title and steps, from ``exercises/steps/10_my_plan.yaml``.
    missing_text : callable
        Step id -> the "not yet written — see notebook NN" text for that step.
    """

    def __init__(self, section: PlanSection, missing_text: Callable[[str], str]) -> None:
        self.spec = section
        self.items: list[Item] = []
        self.missing: list[Missing] = []
        self._missing_text = missing_text

    def add(self, label: str, text: str = "", *, lines: Iterable[str] = (),
            quote: bool = False) -> None:
        """Add a written item: a text, a list (``lines``) or a message kept as typed."""
        self.items.append(Item(label, text, tuple(lines), quote))

    def need(self, what: str, step_id: str) -> None:
        """Record ``what`` as not written yet, pointing at the notebook of ``step_id``."""
        self.missing.append(Missing(what, step_id, self._missing_text(step_id)))

    def either(self, label: str, text: str, what: str, step_id: str, *,
               quote: bool = False) -> None:
        """Show ``text`` under ``label``, or record it as missing when empty."""
        if text:
            self.add(label, text, quote=quote)
        else:
            self.need(what, step_id)

    def section(self) -> Section:
        """The finished section."""
        return Section(self.spec.id, self.spec.title, tuple(self.items), tuple(self.missing))


def _content(step_id: str) -> Any:
    return curriculum.load().step(step_id).content


def _about_me(b: SectionBuilder, a: Answers) -> None:
    profile = a.obj("welcome.profile")
    b.either("Name", text_value(profile.get("name")), "Your name", "00_welcome")
    b.either("My role", text_value(profile.get("role")), "Your role", "00_welcome")
    b.either("What I hope a mentor can help me with", text_value(profile.get("hopes")),
             "What you hope a mentor can help with", "00_welcome")


def _leader_line(leader: dict[str, Any]) -> str:
    head = text_value(leader.get("name"))
    if text_value(leader.get("role")):
        head += f", {text_value(leader.get('role'))}"
    details = []
    for label, key in (("why I admire them", "why"), ("what I hope to learn", "learn"),
                       ("how I could reach them", "reach")):
        if text_value(leader.get(key)):  # their own full stops would clash with the semicolons
            details.append(f"{label}: {text_value(leader.get(key)).rstrip('.;')}")
    ratings = []
    if number_value(leader.get("values")) is not None:
        ratings.append(f"shared values {number_value(leader.get('values')):g}/5")
    if number_value(leader.get("warmth")) is not None:
        ratings.append(f"warmth of the connection {number_value(leader.get('warmth')):g}/5")
    if ratings:
        details.append(", ".join(ratings))
    if leader.get("stretch") is True:
        details.append("my stretch pick")
    return head + (" — " + "; ".join(details) if details else "")


def _ranked(a: Answers) -> list[dict[str, Any]]:
    """Leaders by the participant's own score (values·w + warmth·w), best first."""
    default = _content("01_shortlist").weights
    weights = a.obj("shortlist.weights")
    w_values = number_value(weights.get("values"))
    w_warmth = number_value(weights.get("warmth"))
    w_values = default.values if w_values is None else w_values
    w_warmth = default.warmth if w_warmth is None else w_warmth

    def score(leader: dict[str, Any]) -> float:
        return ((number_value(leader.get("values")) or 0.0) * w_values
                + (number_value(leader.get("warmth")) or 0.0) * w_warmth)

    return sorted(a.leaders(), key=score, reverse=True)


def _shortlist(b: SectionBuilder, a: Answers) -> None:
    pick = a.leader(a.raw.get("shortlist.first_pick"))
    if pick:
        first = text_value(pick.get("name"))
        if text_value(pick.get("role")):
            first += f" ({text_value(pick.get('role'))})"
        b.add("First person I will approach", first)
    else:
        b.need("The first person you will approach", "01_shortlist")
    ranked = _ranked(a)
    if ranked:
        b.add("My shortlist, by my own ranking", lines=[_leader_line(x) for x in ranked])
    else:
        b.need("The leaders on your shortlist", "01_shortlist")


def _assumptions(b: SectionBuilder, a: Answers) -> None:
    beliefs = [x for x in a.seq("assumptions.beliefs")
               if isinstance(x, dict) and text_value(x.get("belief"))]
    for belief in beliefs:
        lines = []
        for label, key in (("Evidence against it", "evidence_against"),
                           ("Evidence for it", "evidence_for"),
                           ("A fairer version", "rewrite")):
            if text_value(belief.get(key)):
                lines.append(f"{label}: {text_value(belief.get(key))}")
        before = number_value(belief.get("confidence_before"))
        after = number_value(belief.get("confidence_after"))
        if before is not None and after is not None:
            lines.append(f"How sure I was: {before:g}% before testing it, {after:g}% after")
        b.add(f"I used to think: {text_value(belief.get('belief'))}", lines=lines)
    if not beliefs:
        b.need("The beliefs you have tested", "02_assumptions")
    elif not any(text_value(x.get("rewrite")) for x in beliefs):
        b.need("A fairer version of each belief", "02_assumptions")
    guess = number_value(a.obj("assumptions.calibration").get("guess"))
    if guess is not None:
        b.add("My guess: how many of 10 people asked would say yes", f"{guess:g}")


def final_request(a: Answers) -> str:
    """The request as the participant will send it: the 05 revision, else the 03 draft.

    Parameters
    ----------
    a : Answers
        The journal's answers.

    Returns
    -------
    str
        The text, or ``""`` when neither is written.
    """
    return a.text("tone.revision") or a.text("request.draft")


def _request(b: SectionBuilder, a: Answers) -> None:
    channel = a.raw.get("request.channel")
    labels = {c.id: c.label for c in _content("03_request").channels}
    channel_text = labels.get(channel, text_value(channel)) if isinstance(channel, str) else ""
    b.either("How I will ask", channel_text, "How you will make your request", "03_request")
    revision = a.text("tone.revision")
    draft = a.text("request.draft")
    if revision:
        b.add("My request (revised for tone in notebook 05)", revision, quote=True)
    elif draft:
        b.add("My request (first draft from notebook 03)", draft, quote=True)
    else:
        b.need("Your request message", "03_request")


def _admiration(b: SectionBuilder, a: Answers) -> None:
    entry = a.obj("heart.admiration")
    b.either("What they did that I admire", text_value(entry.get("work")),
             "The specific work or act you admire", "04_from_the_heart")
    b.either("What I will tell them", text_value(entry.get("statement")),
             "Your statement of admiration", "04_from_the_heart", quote=True)


def first_meeting(a: Answers) -> tuple[dict[str, Any] | None, datetime | None]:
    """The first meeting, read once for both its plan section and the calendar file.

    Parameters
    ----------
    a : Answers
        The journal's answers.

    Returns
    -------
    tuple
        The meeting as a clean dict (start, timezone, duration_minutes, questions) and its
        time-zone-aware start; ``(None, None)`` when the date, time or zone is unusable.
    """
    raw = a.obj("gracious.meeting")
    minutes = int_value(raw.get("duration_minutes"))
    if minutes is None or minutes <= 0:
        minutes = _content("06_be_gracious").meeting.default_duration_minutes
    clean = {
        "start": text_value(raw.get("start")),
        "timezone": text_value(raw.get("timezone")),
        "duration_minutes": minutes,
        "questions": a.texts("gracious.meeting", "questions"),
    }
    try:
        start = ics.local_datetime(clean["start"], clean["timezone"])
    except ics.IcsError:
        return None, None
    if not MINYEAR < start.year < MAXYEAR:  # its end or reminders would not fit a datetime
        return None, None
    return clean, start


def _meeting_text(meeting: Mapping[str, Any], start: datetime) -> str:
    end = (start.astimezone(UTC) + timedelta(minutes=meeting["duration_minutes"])).astimezone(
        start.tzinfo)
    return (f"{_long_date(start.date())}, {start:%H:%M}–{end:%H:%M} "
            f"({meeting['timezone']}, {meeting['duration_minutes']} minutes)")


def _if_yes(b: SectionBuilder, a: Answers) -> None:
    b.either("My thank-you note", a.text("gracious.thank_you"), "Your thank-you note",
             "06_be_gracious", quote=True)
    meeting, start = first_meeting(a)
    if meeting and start:
        b.add("Our first meeting", _meeting_text(meeting, start))
    else:
        b.need("The date and time of your first meeting", "06_be_gracious")
    questions = a.texts("gracious.meeting", "questions")
    if questions:
        b.add("What I will ask at the first meeting", lines=questions)
    else:
        b.need("Your questions for the first meeting", "06_be_gracious")


def _if_no(b: SectionBuilder, a: Answers) -> None:
    content = _content("07_rejection")
    responses = a.obj("rejection.responses")
    chosen = []
    for scenario in content.scenarios:
        answer = responses.get(scenario.id)
        if not isinstance(answer, dict):
            continue
        option = next((o for o in scenario.options if o.id == answer.get("choice")), None)
        if option is not None:
            chosen.append(f"{scenario.title}: {option.text}")
    if chosen:
        b.add("How I will answer", lines=chosen)
    else:
        b.need("How you would answer each kind of no", "07_rejection")
    b.either("How I will ask what would help next time", a.text("rejection.ask_why"),
             "A gracious way to ask why", "07_rejection", quote=True)
    kind = text_value(a.obj("rejection.self_compassion").get("rewrite"))
    b.either("What I will tell myself", kind, "A kind answer to your first reaction",
             "07_rejection")
    nxt = a.leader(a.raw.get("rejection.next_leader"))
    b.either("Who I will ask next", text_value(nxt.get("name")) if nxt else "",
             "The next person you will ask", "07_rejection")


def _two_way(b: SectionBuilder, a: Answers) -> None:
    content = _content("08_two_way")
    b.either("What they care about", a.text("two_way.cares"),
             "What your mentor cares about", "08_two_way")
    bank = {o.id: o.text for o in content.offer_bank}
    offers = [bank.get(o, o) for o in a.texts("two_way.offers")]
    if offers:
        b.add("What I can offer them", lines=offers)
    else:
        b.need("What you can offer in return", "08_two_way")
    prep = a.obj("two_way.prep")
    ticked = [item.text for item in content.prep_checklist if prep.get(item.id) is True]
    if ticked:
        b.add("How I will prepare for each meeting", lines=ticked)
    else:
        b.need("How you will prepare for meetings", "08_two_way")


def rhythm(a: Answers) -> tuple[int | None, str]:
    """The keep-in-touch rhythm, read once for both its plan section and the reminders.

    Parameters
    ----------
    a : Answers
        The journal's answers.

    Returns
    -------
    tuple
        Weeks between contacts (``None`` unless a positive whole number) and the channel.
    """
    saved = a.obj("within.rhythm")
    weeks = int_value(saved.get("every_weeks"))
    return (weeks if weeks and weeks > 0 else None), text_value(saved.get("channel"))


def _keep_in_touch(b: SectionBuilder, a: Answers) -> None:
    weeks, channel = rhythm(a)
    if weeks and channel:
        every = "every week" if weeks == 1 else f"every {weeks} weeks"
        b.add("How I will keep in touch", f"{channel}, {every}")
    else:
        b.need("How often and how you will keep in touch", "09_lead_from_within")
    b.either("What I will report back", a.text("within.report_back"),
             "What you will report back after acting on advice", "09_lead_from_within")
    tie = a.obj("within.dormant_tie")
    name, why = text_value(tie.get("name")), text_value(tie.get("why"))
    b.either("Someone I will reconnect with", f"{name} — {why}" if name and why else name,
             "Someone you have lost touch with", "09_lead_from_within")
    commitment = a.obj("within.commitment")
    action, day = text_value(commitment.get("action")), iso_date(commitment.get("date"))
    if action and day:
        b.add("My commitment", f"{action} — by {_long_date(day)}")
    else:
        b.need("One action you commit to, with a date", "09_lead_from_within")


def _my_ask(b: SectionBuilder, a: Answers) -> None:
    ask = read_ask(a.raw)
    leader = a.leader(ask.leader_id)
    name = text_value(leader.get("name")) if leader else ""
    labels = {c.id: c.label for c in _content("03_request").channels}
    if name and ask.channel and ask.day:
        how = labels.get(ask.channel, ask.channel)
        if ask.channel == "in_person" and ask.occasion:
            how += f" — {ask.occasion}"
        b.add("Who I will ask", name)
        b.add("How", how)
        b.add("When", _long_date(ask.day))
        if ask.channel == "in_person" and not ask.occasion:
            b.need("The occasion for your in-person ask", "10_my_plan")
    else:
        b.need("Who you will ask, how, and the day", "10_my_plan")


def generic(b: SectionBuilder, a: Answers) -> None:
    """A section a facilitator added: list whatever its steps saved, in plain words.

    Parameters
    ----------
    b : SectionBuilder
        The section being filled; its ``spec.from_steps`` says which steps to list.
    a : Answers
        The journal's answers.

    Returns
    -------
    None
        Items and missing entries are added to ``b``.
    """
    for step_id in b.spec.from_steps:
        prefix = STEPS.prefixes().get(step_id)
        found = False
        for key in sorted(a.raw):
            if prefix and key.startswith(prefix):
                lines = list(_flatten(a.raw[key]))
                if lines:
                    found = True
                    b.add(key.removeprefix(prefix).replace("_", " ").capitalize(), lines=lines)
        if not found:
            b.need("Your answers", step_id)


def _flatten(value: Any, label: str = "") -> Iterable[str]:
    lead = f"{label}: " if label else ""
    if isinstance(value, str):
        if value.strip():
            yield lead + value.strip()
    elif isinstance(value, bool):
        yield lead + ("yes" if value else "no")
    elif isinstance(value, int | float):
        yield f"{lead}{value:g}"
    elif isinstance(value, list):
        for item in value:
            yield from _flatten(item, label)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, str(key).replace("_", " "))


#: Section id -> the function that fills it; any other id is filled by :func:`generic`.
SECTION_BUILDERS: dict[str, Callable[[SectionBuilder, Answers], None]] = {
    "about_me": _about_me,
    "shortlist": _shortlist,
    "assumptions": _assumptions,
    "request": _request,
    "admiration": _admiration,
    "if_yes": _if_yes,
    "if_no": _if_no,
    "two_way": _two_way,
    "keep_in_touch": _keep_in_touch,
    "my_ask": _my_ask,
}

