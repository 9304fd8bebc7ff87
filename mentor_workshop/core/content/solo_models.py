"""The model of ``exercises/solo.yaml``: what a learner working alone gets instead of a room.

Why content: the leader's scripted replies, the lessons drawn from them and the suggested pace
are teaching choices a facilitator may reword or retime, exactly like the step files. The rules
that need other parts of the kit (signal names, step ids) are checked by :mod:`..solo`, which
loads this file; this model keeps to what the file alone can say.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, NonNegativeInt, PositiveInt

from mentor_workshop.core.content.models import ContentModel, Id, Text, duplicate_ids
from mentor_workshop.core.content.yaml_source import Issue

__all__ = ["Roleplay", "ScriptedReply", "Sitting", "SoloContent", "SoloSchedule"]

#: A feedback level as a reply condition names it ("good", "consider" or "problem").
LevelWord = Literal["good", "consider", "problem"]


class ScriptedReply(ContentModel):
    """One thing the leader may say back, and when: every named signal at one of its levels."""

    id: Id
    when: dict[Id, list[LevelWord]] = Field(default_factory=dict)
    leader: Text
    lesson: Text


class Roleplay(ContentModel):
    """A written exchange standing in for a trio role-play."""

    title: Text
    setting: Text
    leader_opens: str = ""
    label: Text
    placeholder: str = ""
    replies: list[ScriptedReply] = Field(min_length=1)

    def problems(self) -> Iterator[Issue]:
        """Unique reply ids, and a last reply with no conditions so every message gets one."""
        yield from duplicate_ids(self.replies, ("replies",))
        if self.replies[-1].when:
            yield (("replies", len(self.replies) - 1, "when"),
                   "the last reply is the default and must have no conditions (remove 'when')")


class Sitting(ContentModel):
    """One sitting of the suggested pace: which day after the start, and which steps."""

    day: NonNegativeInt
    steps: list[Text] = Field(min_length=1)


class SoloSchedule(ContentModel):
    """The suggested pace: sittings, then the ask, then the follow-up."""

    sittings: list[Sitting] = Field(min_length=1)
    sitting_minutes: PositiveInt
    ask_day: PositiveInt
    follow_up_days_after_ask: PositiveInt

    def problems(self) -> Iterator[Issue]:
        """Sittings in order, and the ask after the last one."""
        days = [s.day for s in self.sittings]
        for i in range(1, len(days)):
            if days[i] <= days[i - 1]:
                yield (("sittings", i, "day"), "sittings must come on later days, in order")
        if self.ask_day <= days[-1]:
            yield (("ask_day",), f"the ask comes after the last sitting (day {days[-1]})")


class SelfAssessment(ContentModel):
    """The texts around the self-assessment of a reflection."""

    intro: Text
    private_note: Text


class SoloContent(ContentModel):
    """``exercises/solo.yaml``."""

    roleplays: dict[str, Roleplay]
    schedule: SoloSchedule
    self_assessment: SelfAssessment

    def problems(self) -> Iterator[Issue]:
        """The rules of each role-play and of the schedule, located in this file."""
        for step_id, roleplay in self.roleplays.items():
            for loc, message in roleplay.problems():
                yield ("roleplays", step_id, *loc), message
        for loc, message in self.schedule.problems():
            yield ("schedule", *loc), message
