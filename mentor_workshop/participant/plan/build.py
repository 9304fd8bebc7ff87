"""Building the plan from a journal: read it once, decide every section, never raise.

Why it never raises on a journal: a participant opens notebook 10 half-way through, or with a
journal an older kit version wrote, or one they edited by hand, or one a sync tool damaged. A
plan that crashes teaches nothing; a plan that says "not yet written — see notebook 06" tells
them exactly where to go. A journal that cannot be read at all gives an empty plan with a note
saying why.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mentor_workshop.core import curriculum
from mentor_workshop.core.answers import iso_date
from mentor_workshop.core.criteria.follow_up import read_ask
from mentor_workshop.core.journal import Journal, JournalError
from mentor_workshop.participant.plan.model import AskEvent, Participant, Plan, Schedule
from mentor_workshop.participant.plan.reading import Answers, text_value
from mentor_workshop.participant.plan.sections import (
    SECTION_BUILDERS,
    SectionBuilder,
    final_request,
    first_meeting,
    generic,
    rhythm,
)

__all__ = ["PLAN_STEP", "JournalSource", "build_plan"]

PLAN_STEP = "10_my_plan"
#: What a plan can be built from: an open journal, its path, or the answers themselves.
JournalSource = Journal | str | os.PathLike[str] | Mapping[str, Any]


def _read(journal: JournalSource
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


def _ask_event(a: Answers, calendar: Any) -> AskEvent | None:
    """The scheduled ask as the calendar books it; ``None`` until who, how and when are set."""
    ask = read_ask(a.raw)
    leader = a.leader(ask.leader_id)
    if not ask.scheduled or not leader or ask.day is None:
        return None
    channels = {c.id: c.label for c in curriculum.load().step("03_request").content.channels}
    silence = next((s for s in curriculum.load().step("07_rejection").content.scenarios
                    if s.id == "silence"), None)
    advice = next((o.text for o in silence.options if o.best), "") if silence else ""
    return AskEvent(
        leader=text_value(leader.get("name")), day=ask.day,
        channel=channels.get(ask.channel, ask.channel),
        occasion=ask.occasion if ask.channel == "in_person" else "",
        text=final_request(a),
        nudge_after_days=calendar.nudge_after_days,
        follow_up_after_days=calendar.follow_up_after_days,
        nudge_advice=advice,
    )


def build_plan(journal: JournalSource) -> Plan:
    """The plan from whatever the journal holds.

    Parameters
    ----------
    journal : Journal, path or mapping
        The participant's journal (open, or its path), or a mapping of answers by key.

    Returns
    -------
    Plan
        Every section of ``exercises/steps/10_my_plan.yaml``; missing or malformed answers
        become "not yet written" entries pointing at their notebook, never an exception.
    """
    answers, who, notes, opened = _read(journal)
    a = Answers(answers)
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
        builder = SectionBuilder(spec, missing_text)
        SECTION_BUILDERS.get(spec.id, generic)(builder, a)
        sections.append(builder.section())

    profile = a.obj("welcome.profile")
    participant = Participant(
        name=text_value(who.get("name")) or text_value(profile.get("name")),
        id=text_value(who.get("id")),
    )
    meeting, start = first_meeting(a)
    pick = a.leader(a.raw.get("shortlist.first_pick"))
    weeks, channel = rhythm(a)
    commitment = a.obj("within.commitment")
    schedule = Schedule(
        meeting=meeting,
        meeting_start=start,
        leader=text_value(pick.get("name")) if pick else "",
        every_weeks=weeks,
        channel=channel,
        commitment_action=text_value(commitment.get("action")),
        commitment_date=iso_date(commitment.get("date")),
        stamp=_stamp(opened, ("gracious.meeting", "within.rhythm", "within.commitment",
                              "plan.ask")),
        ask=_ask_event(a, content.ask.calendar),
    )
    if weeks and start is None:
        notes.append("Add the date of your first meeting in notebook 06 and your calendar file "
                     "will include keep-in-touch reminders.")
    return Plan(participant, tuple(sections), schedule, tuple(notes))

