"""The personal mentorship plan: every step's answers gathered into one document to keep.

Why a structured :class:`Plan` first and the formats second: the notebook preview, the Markdown
file, the printable HTML and the calendar file must all agree on what the participant wrote and
on what is still missing. So :func:`build_plan` reads the journal once and decides everything;
``to_markdown``, ``to_html`` and ``to_ics`` only render.

Why it never raises on a journal: a participant opens notebook 10 half-way through, or with a
journal an older kit version wrote, or one they edited by hand. A plan that crashes teaches
nothing; a plan that says "not yet written — see notebook 06" tells them exactly where to go.
Every value is therefore read defensively: a wrong type counts as "not written".

Why the HTML is so plain: participants print it, mail it and open it years later. It carries its
own CSS (including print rules), no scripts and no outside resources, and every piece of
participant text is escaped, so a ``<script>`` typed into a field shows up as text.
"""

from __future__ import annotations

import contextlib
import html
import os
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from mentor_workshop.core import ics
from mentor_workshop.core.answers import iso_date
from mentor_workshop.core.atomic import write_bytes_atomic, write_text_atomic
from mentor_workshop.core.content import curriculum
from mentor_workshop.core.journal import Journal, JournalError
from mentor_workshop.core.steps import STEPS
from mentor_workshop.errors import PlanExportError

__all__ = [
    "FILENAMES",
    "REMINDER_HORIZON_WEEKS",
    "Item",
    "Missing",
    "Participant",
    "Plan",
    "PlanExportError",
    "Schedule",
    "Section",
    "build_plan",
    "export",
    "to_html",
    "to_html_fragment",
    "to_ics",
    "to_markdown",
]

PLAN_STEP = "10_my_plan"
#: Output file per format; ``export`` returns paths under these keys.
FILENAMES: dict[str, str] = {"md": "my_plan.md", "html": "my_plan.html", "ics": "my_plan.ics"}
#: Keep-in-touch reminders run for about six months after the first meeting.
REMINDER_HORIZON_WEEKS = 26
REMINDER_MINUTES = 30

# ---------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Item:
    """One line of the plan. ``lines`` makes it a list; ``quote`` keeps a message as written."""

    label: str
    text: str = ""
    lines: tuple[str, ...] = ()
    quote: bool = False


@dataclass(frozen=True)
class Missing:
    """Something not written yet, and the notebook where the participant can write it."""

    what: str
    step_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.what}: {self.message}"


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    items: tuple[Item, ...] = ()
    missing: tuple[Missing, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class Participant:
    name: str = ""
    id: str = ""


@dataclass(frozen=True)
class Schedule:
    """The dated parts of the plan, already validated, from which the calendar file is made."""

    meeting: Mapping[str, Any] | None = None
    meeting_start: datetime | None = None
    leader: str = ""
    every_weeks: int | None = None
    channel: str = ""
    commitment_action: str = ""
    commitment_date: date | None = None
    stamp: datetime | None = None

    @property
    def dated(self) -> bool:
        return self.meeting_start is not None or self.commitment_date is not None


@dataclass(frozen=True)
class Plan:
    participant: Participant
    sections: tuple[Section, ...]
    schedule: Schedule = field(default_factory=Schedule)
    #: Things the participant should know about the plan as a whole (a damaged journal...).
    notes: tuple[str, ...] = ()

    @property
    def missing(self) -> list[Missing]:
        return [m for s in self.sections for m in s.missing]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def dated(self) -> bool:
        return self.schedule.dated

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(f"No plan section {section_id!r}; sections: "
                       + ", ".join(s.id for s in self.sections))


# ---------------------------------------------------------------------------- safe reading


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


class _Answers:
    """The journal's answers with accessors that turn a wrong type into "not written"."""

    def __init__(self, answers: Mapping[str, Any]) -> None:
        self.raw = answers

    def text(self, key: str) -> str:
        return _text(self.raw.get(key))

    def obj(self, key: str) -> dict[str, Any]:
        value = self.raw.get(key)
        return value if isinstance(value, dict) else {}

    def seq(self, key: str) -> list[Any]:
        value = self.raw.get(key)
        return value if isinstance(value, list) else []

    def texts(self, key: str, field_name: str | None = None) -> list[str]:
        source = self.obj(key).get(field_name) if field_name else self.raw.get(key)
        return [_text(v) for v in source if _text(v)] if isinstance(source, list) else []

    def leaders(self) -> list[dict[str, Any]]:
        return [x for x in self.seq("shortlist.leaders") if isinstance(x, dict)
                and _text(x.get("name"))]

    def leader(self, leader_id: Any) -> dict[str, Any] | None:
        if not isinstance(leader_id, str) or not leader_id:
            return None
        return next((x for x in self.leaders() if x.get("id") == leader_id), None)


class _Builder:
    """Collects one section's items and missing entries."""

    def __init__(self, section: curriculum.PlanSection, missing_text: Callable[[str], str]):
        self.spec = section
        self.items: list[Item] = []
        self.missing: list[Missing] = []
        self._missing_text = missing_text

    def add(self, label: str, text: str = "", *, lines: Iterable[str] = (),
            quote: bool = False) -> None:
        self.items.append(Item(label, text, tuple(lines), quote))

    def need(self, what: str, step_id: str) -> None:
        self.missing.append(Missing(what, step_id, self._missing_text(step_id)))

    def either(self, label: str, text: str, what: str, step_id: str, *,
               quote: bool = False) -> None:
        """Show ``text`` under ``label``, or record it as missing when empty."""
        if text:
            self.add(label, text, quote=quote)
        else:
            self.need(what, step_id)

    def section(self) -> Section:
        return Section(self.spec.id, self.spec.title, tuple(self.items), tuple(self.missing))


# ---------------------------------------------------------------------------- the sections


def _content(step_id: str) -> Any:
    return curriculum.load().step(step_id).content


def _about_me(b: _Builder, a: _Answers) -> None:
    profile = a.obj("welcome.profile")
    b.either("Name", _text(profile.get("name")), "Your name", "00_welcome")
    b.either("My role", _text(profile.get("role")), "Your role", "00_welcome")
    b.either("What I hope a mentor can help me with", _text(profile.get("hopes")),
             "What you hope a mentor can help with", "00_welcome")


def _leader_line(leader: dict[str, Any]) -> str:
    head = _text(leader.get("name"))
    if _text(leader.get("role")):
        head += f", {_text(leader.get('role'))}"
    details = []
    for label, key in (("why I admire them", "why"), ("what I hope to learn", "learn"),
                       ("how I could reach them", "reach")):
        if _text(leader.get(key)):  # their own full stops would clash with the semicolons
            details.append(f"{label}: {_text(leader.get(key)).rstrip('.;')}")
    ratings = []
    if _number(leader.get("values")) is not None:
        ratings.append(f"shared values {_number(leader.get('values')):g}/5")
    if _number(leader.get("warmth")) is not None:
        ratings.append(f"warmth of the connection {_number(leader.get('warmth')):g}/5")
    if ratings:
        details.append(", ".join(ratings))
    if leader.get("stretch") is True:
        details.append("my stretch pick")
    return head + (" — " + "; ".join(details) if details else "")


def _ranked(a: _Answers) -> list[dict[str, Any]]:
    """Leaders by the participant's own score (values·w + warmth·w), best first."""
    default = _content("01_shortlist").weights
    weights = a.obj("shortlist.weights")
    w_values = _number(weights.get("values"))
    w_warmth = _number(weights.get("warmth"))
    w_values = default.values if w_values is None else w_values
    w_warmth = default.warmth if w_warmth is None else w_warmth

    def score(leader: dict[str, Any]) -> float:
        return ((_number(leader.get("values")) or 0.0) * w_values
                + (_number(leader.get("warmth")) or 0.0) * w_warmth)

    return sorted(a.leaders(), key=score, reverse=True)


def _shortlist(b: _Builder, a: _Answers) -> None:
    pick = a.leader(a.raw.get("shortlist.first_pick"))
    if pick:
        first = _text(pick.get("name"))
        if _text(pick.get("role")):
            first += f" ({_text(pick.get('role'))})"
        b.add("First person I will approach", first)
    else:
        b.need("The first person you will approach", "01_shortlist")
    ranked = _ranked(a)
    if ranked:
        b.add("My shortlist, by my own ranking", lines=[_leader_line(x) for x in ranked])
    else:
        b.need("The leaders on your shortlist", "01_shortlist")


def _assumptions(b: _Builder, a: _Answers) -> None:
    beliefs = [x for x in a.seq("assumptions.beliefs")
               if isinstance(x, dict) and _text(x.get("belief"))]
    for belief in beliefs:
        lines = []
        for label, key in (("Evidence against it", "evidence_against"),
                           ("Evidence for it", "evidence_for"),
                           ("A fairer version", "rewrite")):
            if _text(belief.get(key)):
                lines.append(f"{label}: {_text(belief.get(key))}")
        before = _number(belief.get("confidence_before"))
        after = _number(belief.get("confidence_after"))
        if before is not None and after is not None:
            lines.append(f"How sure I was: {before:g}% before testing it, {after:g}% after")
        b.add(f"I used to think: {_text(belief.get('belief'))}", lines=lines)
    if not beliefs:
        b.need("The beliefs you have tested", "02_assumptions")
    elif not any(_text(x.get("rewrite")) for x in beliefs):
        b.need("A fairer version of each belief", "02_assumptions")
    guess = _number(a.obj("assumptions.calibration").get("guess"))
    if guess is not None:
        b.add("My guess: how many of 10 people asked would say yes", f"{guess:g}")


def _request(b: _Builder, a: _Answers) -> None:
    channel = a.raw.get("request.channel")
    labels = {c.id: c.label for c in _content("03_request").channels}
    channel_text = labels.get(channel, _text(channel)) if isinstance(channel, str) else ""
    b.either("How I will ask", channel_text, "How you will make your request", "03_request")
    revision = a.text("tone.revision")
    draft = a.text("request.draft")
    if revision:
        b.add("My request (revised for tone in notebook 05)", revision, quote=True)
    elif draft:
        b.add("My request (first draft from notebook 03)", draft, quote=True)
    else:
        b.need("Your request message", "03_request")


def _admiration(b: _Builder, a: _Answers) -> None:
    entry = a.obj("heart.admiration")
    b.either("What they did that I admire", _text(entry.get("work")),
             "The specific work or act you admire", "04_from_the_heart")
    b.either("What I will tell them", _text(entry.get("statement")),
             "Your statement of admiration", "04_from_the_heart", quote=True)


def _meeting(a: _Answers) -> tuple[dict[str, Any] | None, datetime | None]:
    """The first meeting as a clean dict plus its aware start, or (None, None) if unusable."""
    raw = a.obj("gracious.meeting")
    minutes = _int(raw.get("duration_minutes"))
    if minutes is None or minutes <= 0:
        minutes = _content("06_be_gracious").meeting.default_duration_minutes
    clean = {
        "start": _text(raw.get("start")),
        "timezone": _text(raw.get("timezone")),
        "duration_minutes": minutes,
        "questions": a.texts("gracious.meeting", "questions"),
    }
    try:
        start = ics.local_datetime(clean["start"], clean["timezone"])
    except ics.IcsError:
        return None, None
    return clean, start


def _meeting_text(meeting: Mapping[str, Any], start: datetime) -> str:
    end = (start.astimezone(UTC) + timedelta(minutes=meeting["duration_minutes"])).astimezone(
        start.tzinfo)
    return (f"{_long_date(start.date())}, {start:%H:%M}–{end:%H:%M} "
            f"({meeting['timezone']}, {meeting['duration_minutes']} minutes)")


def _if_yes(b: _Builder, a: _Answers) -> None:
    b.either("My thank-you note", a.text("gracious.thank_you"), "Your thank-you note",
             "06_be_gracious", quote=True)
    meeting, start = _meeting(a)
    if meeting and start:
        b.add("Our first meeting", _meeting_text(meeting, start))
    else:
        b.need("The date and time of your first meeting", "06_be_gracious")
    questions = a.texts("gracious.meeting", "questions")
    if questions:
        b.add("What I will ask at the first meeting", lines=questions)
    else:
        b.need("Your questions for the first meeting", "06_be_gracious")


def _if_no(b: _Builder, a: _Answers) -> None:
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
    b.either("What I will tell myself", _text(a.obj("rejection.self_compassion").get("rewrite")),
             "A kind answer to your first reaction", "07_rejection")
    nxt = a.leader(a.raw.get("rejection.next_leader"))
    b.either("Who I will ask next", _text(nxt.get("name")) if nxt else "",
             "The next person you will ask", "07_rejection")


def _two_way(b: _Builder, a: _Answers) -> None:
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


def _rhythm(a: _Answers) -> tuple[int | None, str]:
    rhythm = a.obj("within.rhythm")
    weeks = _int(rhythm.get("every_weeks"))
    return (weeks if weeks and weeks > 0 else None), _text(rhythm.get("channel"))


def _keep_in_touch(b: _Builder, a: _Answers) -> None:
    weeks, channel = _rhythm(a)
    if weeks and channel:
        every = "every week" if weeks == 1 else f"every {weeks} weeks"
        b.add("How I will keep in touch", f"{channel}, {every}")
    else:
        b.need("How often and how you will keep in touch", "09_lead_from_within")
    b.either("What I will report back", a.text("within.report_back"),
             "What you will report back after acting on advice", "09_lead_from_within")
    tie = a.obj("within.dormant_tie")
    name, why = _text(tie.get("name")), _text(tie.get("why"))
    b.either("Someone I will reconnect with", f"{name} — {why}" if name and why else name,
             "Someone you have lost touch with", "09_lead_from_within")
    commitment = a.obj("within.commitment")
    action, day = _text(commitment.get("action")), iso_date(commitment.get("date"))
    if action and day:
        b.add("My commitment", f"{action} — by {_long_date(day)}")
    else:
        b.need("One action you commit to, with a date", "09_lead_from_within")


def _generic(b: _Builder, a: _Answers) -> None:
    """A section a facilitator added: list whatever its steps saved, in plain words."""
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


SECTION_BUILDERS: dict[str, Callable[[_Builder, _Answers], None]] = {
    "about_me": _about_me,
    "shortlist": _shortlist,
    "assumptions": _assumptions,
    "request": _request,
    "admiration": _admiration,
    "if_yes": _if_yes,
    "if_no": _if_no,
    "two_way": _two_way,
    "keep_in_touch": _keep_in_touch,
}


# ---------------------------------------------------------------------------- building


def _read(journal: Journal | str | os.PathLike[str] | Mapping[str, Any]
          ) -> tuple[dict[str, Any], dict[str, Any], list[str], Journal | None]:
    """(answers, participant, notes, journal): never raises for a journal's content or file."""
    if isinstance(journal, Mapping):
        return dict(journal), {}, [], None
    notes: list[str] = []
    opened = journal if isinstance(journal, Journal) else Journal(Path(journal))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            answers = opened.all()
            participant = opened.participant
        except (JournalError, OSError) as exc:
            answers, participant = {}, {}
            notes.append(f"Your journal could not be read, so the plan is empty: {exc}")
    notes.extend(str(w.message) for w in caught)
    return (answers if isinstance(answers, dict) else {},
            participant if isinstance(participant, dict) else {}, notes, opened)


def _stamp(journal: Journal | None, keys: Iterable[str]) -> datetime | None:
    """When the dated answers were last saved: a DTSTAMP that does not change on every export."""
    if journal is None:
        return None
    stamps = []
    for key in keys:
        with contextlib.suppress(JournalError, OSError, ValueError, TypeError):
            saved = journal.saved_at(key)
            if saved:
                stamps.append(datetime.fromisoformat(saved.replace("Z", "+00:00")))
    aware = [s if s.tzinfo else s.replace(tzinfo=UTC) for s in stamps]
    return max(aware) if aware else None


def build_plan(journal: Journal | str | os.PathLike[str] | Mapping[str, Any]) -> Plan:
    """The plan from whatever the journal holds; missing or malformed answers become
    "not yet written" entries pointing at their notebook, never an exception."""
    answers, who, notes, opened = _read(journal)
    a = _Answers(answers)
    cur = curriculum.load()
    content = cur.step(PLAN_STEP).content

    def missing_text(step_id: str) -> str:
        try:
            step = cur.step(step_id)
        except (KeyError, ValueError):
            return content.missing.replace("{number:02d}", step_id[:2]).replace(
                "{number}", step_id[:2]).replace("{title}", step_id)
        return content.missing_text(step.number, step.title)

    sections = []
    for spec in content.sections:
        builder = _Builder(spec, missing_text)
        SECTION_BUILDERS.get(spec.id, _generic)(builder, a)
        sections.append(builder.section())

    profile = a.obj("welcome.profile")
    participant = Participant(
        name=_text(who.get("name")) or _text(profile.get("name")),
        id=_text(who.get("id")),
    )
    meeting, start = _meeting(a)
    pick = a.leader(a.raw.get("shortlist.first_pick"))
    weeks, channel = _rhythm(a)
    commitment = a.obj("within.commitment")
    schedule = Schedule(
        meeting=meeting,
        meeting_start=start,
        leader=_text(pick.get("name")) if pick else "",
        every_weeks=weeks,
        channel=channel,
        commitment_action=_text(commitment.get("action")),
        commitment_date=iso_date(commitment.get("date")),
        stamp=_stamp(opened, ("gracious.meeting", "within.rhythm", "within.commitment")),
    )
    if weeks and start is None:
        notes.append("Add the date of your first meeting in notebook 06 and your calendar file "
                     "will include keep-in-touch reminders.")
    return Plan(participant, tuple(sections), schedule, tuple(notes))


# ---------------------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    """Participant text for Markdown: no raw HTML gets through, line breaks are kept."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_lines(text: str, indent: str) -> str:
    return ("  \n" + indent).join(_md(line) for line in text.splitlines())


def to_markdown(plan: Plan) -> str:
    """The plan as Markdown: readable as plain text, renders cleanly in Jupyter or on GitHub."""
    out = ["# My mentorship plan", ""]
    if plan.participant.name:
        out += [f"**{_md(plan.participant.name)}**", ""]
    for note in plan.notes:
        out += [f"> **Note:** {_md_lines(note, '> ')}", ""]
    if plan.complete:
        out += ["Every part of the plan is written.", ""]
    else:
        out += [f"{len(plan.missing)} part(s) still to write — listed under each section.", ""]
    for section in plan.sections:
        out += [f"## {_md(section.title)}", ""]
        for item in section.items:
            if item.quote:
                out += [f"**{_md(item.label)}:**", ""]
                out += ["> " + (_md(line) if line.strip() else "") for line in
                        item.text.splitlines()]
                out.append("")
            elif item.lines:
                out += [f"**{_md(item.label)}:**", ""]
                out += [f"- {_md_lines(line, '  ')}" for line in item.lines]
                out.append("")
            else:
                out += [f"**{_md(item.label)}:** {_md_lines(item.text, '')}", ""]
        if section.missing:
            out += ["*Still to write:*", ""]
            out += [f"- [ ] {_md(str(m))}" for m in section.missing]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------------------- HTML

#: Scoped under .mw-plan so the notebook preview cannot restyle JupyterLab. JupyterLab's
#: variables keep the preview readable in dark themes; the fallbacks serve the printed file.
CSS = """
.mw-plan { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  line-height: 1.5; max-width: 46rem; margin: 0 auto; padding: 1rem;
  color: var(--jp-content-font-color1, #1a1a1a); background: var(--jp-layout-color0, #fff); }
.mw-plan h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
.mw-plan h2 { font-size: 1.2rem; margin: 1.6rem 0 .4rem; padding-bottom: .2rem;
  border-bottom: 2px solid var(--jp-brand-color1, #1565c0); }
.mw-plan .mw-plan-who { font-size: 1.1rem; margin: 0 0 .6rem; }
.mw-plan .mw-plan-status { margin: .4rem 0 1rem; }
.mw-plan .mw-plan-note { border-left: 4px solid var(--jp-warn-color1, #b26a00);
  padding: .3rem .8rem; margin: .6rem 0; }
.mw-plan dl { margin: 0; }
.mw-plan dt { font-weight: 600; margin-top: .6rem; }
.mw-plan dd { margin: .1rem 0 0 1.2rem; white-space: pre-wrap; }
.mw-plan dd ul { margin: .2rem 0; padding-left: 1.2rem; white-space: normal; }
.mw-plan dd li { white-space: pre-wrap; }
.mw-plan blockquote { margin: .3rem 0; padding: .5rem .9rem; white-space: pre-wrap;
  border-left: 4px solid var(--jp-border-color1, #999);
  background: var(--jp-layout-color2, #f3f3f3); }
.mw-plan .mw-plan-missing { margin: .6rem 0 0; padding: .4rem .8rem;
  border: 1px dashed var(--jp-border-color1, #888); border-radius: 4px; }
.mw-plan .mw-plan-missing p { margin: 0; font-weight: 600; }
.mw-plan .mw-plan-missing ul { margin: .2rem 0; padding-left: 1.2rem; }
.mw-plan .mw-plan-done { margin: .4rem 0 0; font-style: italic; }
@media print {
  @page { margin: 18mm; }
  .mw-plan { max-width: none; padding: 0; color: #000; background: #fff; font-size: 11pt; }
  .mw-plan h2 { break-after: avoid; page-break-after: avoid; border-color: #000; }
  .mw-plan dt { break-after: avoid; page-break-after: avoid; }
  .mw-plan blockquote, .mw-plan li, .mw-plan .mw-plan-missing {
    break-inside: avoid; page-break-inside: avoid; background: none; }
}
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _item_html(item: Item) -> str:
    if item.quote:
        body = f"<blockquote>{_esc(item.text)}</blockquote>"
    elif item.lines:
        body = "<ul>" + "".join(f"<li>{_esc(line)}</li>" for line in item.lines) + "</ul>"
    else:
        body = _esc(item.text)
    return f"<dt>{_esc(item.label)}</dt><dd>{body}</dd>"


def _body_html(plan: Plan) -> str:
    parts = ['<div class="mw-plan"><header><h1>My mentorship plan</h1>']
    if plan.participant.name:
        parts.append(f'<p class="mw-plan-who">{_esc(plan.participant.name)}</p>')
    status = ("✔ Every part of the plan is written." if plan.complete else
              f"{len(plan.missing)} part(s) still to write — each section says which "
              "notebook to open.")
    parts.append(f'<p class="mw-plan-status" role="status">{_esc(status)}</p></header>')
    for note in plan.notes:
        parts.append(f'<p class="mw-plan-note" role="note"><strong>Note:</strong> {_esc(note)}</p>')
    for section in plan.sections:
        heading = f"mw-plan-{_esc(section.id)}"
        parts.append(f'<section aria-labelledby="{heading}"><h2 id="{heading}">'
                     f"{_esc(section.title)}</h2>")
        if section.items:
            parts.append("<dl>" + "".join(_item_html(i) for i in section.items) + "</dl>")
        if section.missing:
            rows = "".join(f"<li>{_esc(m)}</li>" for m in section.missing)
            parts.append('<div class="mw-plan-missing"><p>Still to write:</p>'
                         f"<ul>{rows}</ul></div>")
        else:
            parts.append('<p class="mw-plan-done">✔ This part is complete.</p>')
        parts.append("</section>")
    parts.append("</div>")
    return "".join(parts)


def to_html_fragment(plan: Plan) -> str:
    """The plan for display inside a notebook: scoped styles plus the body, no page frame."""
    return f"<style>{CSS}</style>{_body_html(plan)}"


def to_html(plan: Plan) -> str:
    """A self-contained printable page: inline CSS, no scripts, nothing fetched from outside."""
    title = "My mentorship plan"
    if plan.participant.name:
        title += f" — {plan.participant.name}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>{_body_html(plan)}</main>\n</body>\n</html>\n"
    )


# ---------------------------------------------------------------------------- calendar


def _reminders(schedule: Schedule, uid_seed: str) -> list[Any]:
    if not schedule.every_weeks or schedule.meeting_start is None:
        return []
    weeks = schedule.every_weeks
    count = REMINDER_HORIZON_WEEKS // weeks
    if count < 1:
        return []
    first = schedule.meeting_start + timedelta(weeks=weeks)  # same wall-clock time
    try:
        first = ics.local_datetime(first.replace(tzinfo=None), first.tzinfo)
    except ics.IcsError:  # lands in a daylight-saving gap: an hour later exists
        first = ics.local_datetime(first.replace(tzinfo=None) + timedelta(hours=1), first.tzinfo)
    who = f" with {schedule.leader}" if schedule.leader else ""
    how = f" ({schedule.channel})" if schedule.channel else ""
    return [ics.ics_event(
        f"Keep in touch{who}{how}",
        first,
        duration=timedelta(minutes=REMINDER_MINUTES),
        description=(f"Your keep-in-touch rhythm: every {weeks} weeks. Share what you did with "
                     "their advice and what you are working on next."),
        uid=ics.stable_uid("within.rhythm", uid_seed),
        stamp=schedule.stamp,
        rrule={"freq": "weekly", "interval": weeks, "count": count},
    )]


def _events(plan: Plan) -> list[Any]:
    schedule = plan.schedule
    seed = plan.participant.id or plan.participant.name
    events: list[Any] = []
    if schedule.meeting is not None and schedule.meeting_start is not None:
        who = f" with {schedule.leader}" if schedule.leader else ""
        with contextlib.suppress(ics.IcsError):
            events.append(ics.meeting_event(
                schedule.meeting,
                summary=f"First mentoring meeting{who}",
                description="From your personal mentorship plan.",
                uid_parts=(seed,),
                stamp=schedule.stamp,
            ))
        with contextlib.suppress(ics.IcsError):
            events.extend(_reminders(schedule, seed))
    if schedule.commitment_date is not None:
        action = schedule.commitment_action or "the action in your mentorship plan"
        with contextlib.suppress(ics.IcsError):
            events.append(ics.ics_event(
                f"My commitment: {action}",
                schedule.commitment_date,
                description="The dated commitment from your personal mentorship plan.",
                uid=ics.stable_uid("within.commitment", seed),
                stamp=schedule.stamp,
            ))
    return events


def to_ics(plan: Plan) -> bytes:
    """The plan's calendar: first meeting, keep-in-touch reminders and the dated commitment.

    Returns empty bytes when nothing in the plan is dated yet (``export`` then writes no file).
    """
    events = _events(plan)
    if not events:
        return b""
    return ics.calendar_bytes(events, name="My mentorship plan")


# ---------------------------------------------------------------------------- export


def export(journal: Journal | str | os.PathLike[str] | Mapping[str, Any],
           out_dir: str | os.PathLike[str] = ".") -> dict[str, Path]:
    """Write my_plan.md, my_plan.html and (when something is dated) my_plan.ics to ``out_dir``.

    Each file is replaced atomically, so an interrupted export leaves the previous version, not
    half a file. A my_plan.ics left from an earlier export is removed when nothing is dated any
    more, so the folder never holds a calendar that contradicts the plan beside it.
    """
    plan = build_plan(journal)
    folder = Path(out_dir)
    outputs: dict[str, str | bytes] = {"md": to_markdown(plan), "html": to_html(plan)}
    calendar = to_ics(plan)
    if calendar:
        outputs["ics"] = calendar
    written: dict[str, Path] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for kind, data in outputs.items():
            path = folder / FILENAMES[kind]
            last = kind == list(outputs)[-1]
            if isinstance(data, bytes):
                write_bytes_atomic(path, data, fsync_dir=last)
            else:
                write_text_atomic(path, data, fsync_dir=last)
            written[kind] = path
        if "ics" not in outputs:
            with contextlib.suppress(FileNotFoundError):
                (folder / FILENAMES["ics"]).unlink()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PlanExportError(
            f"Your plan could not be saved in {folder} ({reason}). Choose a folder you can "
            "write to (set out_dir), or free some disk space, then run the export again. "
            "Your answers in the journal are safe."
        ) from None
    return written
