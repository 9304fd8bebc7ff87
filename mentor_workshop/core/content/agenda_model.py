"""The schema of ``exercises/agenda.yaml``: the live formats, slot by slot, with notes.

Why data: a facilitator who moves a break, stretches a role-play or adds a debrief edits YAML,
and the guide's agenda page is generated from it. The step slots take their minutes from
``curriculum.yaml`` (framing, exercise, pair/trio, reflection), so a step's timing lives in one
place; the other slots (role-plays, breaks, debriefs, scheduling the ask) carry their own.
Whatever a session does not plan becomes its buffer, and the model refuses a session whose
buffer falls below the minimum it declares.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, NonNegativeInt, PositiveInt

from mentor_workshop.core.content.models import ContentModel, Id, Text, duplicate_ids
from mentor_workshop.core.content.yaml_source import Issue

__all__ = ["AgendaFile", "Format", "SessionPlan", "Slot", "SlotKind"]

SlotKind = Literal["step", "roleplay", "break", "debrief", "plan", "survey", "wrap_up"]


class Slot(ContentModel):
    """One row of an agenda: a step (``step: ID``) or a named slot with its own minutes."""

    step: str | None = None
    title: str = ""
    kind: SlotKind = "step"
    minutes: PositiveInt | None = None
    notes: Text

    def problems(self, at: tuple[str | int, ...]) -> Iterator[Issue]:
        """A step slot names a step and no minutes; any other slot has a title and minutes."""
        if self.step is not None:
            if self.minutes is not None or self.kind != "step":
                yield at, "a step slot takes its minutes from curriculum.yaml; remove 'minutes'"
        elif not self.title or self.minutes is None or self.kind == "step":
            yield at, "a slot without 'step' needs a title, minutes and a kind (e.g. break)"


class SessionPlan(ContentModel):
    """One sitting: its length, the least buffer it must keep, and its slots in order."""

    title: Text
    minutes: PositiveInt
    min_buffer: NonNegativeInt = 0
    slots: list[Slot] = Field(min_length=1)


class Format(ContentModel):
    """A way to run the workshop live (a half day, two 2-hour sessions)."""

    id: Id
    title: Text
    summary: Text
    sessions: list[SessionPlan] = Field(min_length=1)
    between_sessions: str = ""
    cut_when_late: list[Text] = Field(default_factory=list)


class AgendaFile(ContentModel):
    """agenda.yaml: every live format. Minutes that depend on curriculum.yaml are checked by
    the agenda builder, which has both files."""

    formats: list[Format] = Field(min_length=1)

    def problems(self) -> Iterator[Issue]:
        """Unique format ids and well-formed slots."""
        yield from duplicate_ids(self.formats, ("formats",))
        for f, fmt in enumerate(self.formats):
            for s, session in enumerate(fmt.sessions):
                for i, slot in enumerate(session.slots):
                    yield from slot.problems(("formats", f, "sessions", s, "slots", i))
