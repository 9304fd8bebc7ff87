"""What a plan is: sections of written items, what is still missing, and the dated schedule.

Why a structured :class:`Plan` first and the formats second: the notebook preview, the Markdown
file, the printable HTML and the calendar file must all agree on what the participant wrote and
on what is still missing. So the builder decides everything once and fills these frozen
records; the renderers only read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = ["AskEvent", "Item", "Missing", "Participant", "Plan", "Schedule", "Section"]


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
    """One heading of the plan: what the participant wrote under it and what is still missing."""

    id: str
    title: str
    items: tuple[Item, ...] = ()
    missing: tuple[Missing, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class Participant:
    """Who the plan belongs to, as far as the journal says."""

    name: str = ""
    id: str = ""


@dataclass(frozen=True)
class AskEvent:
    """The ask as the calendar books it: to whom, on which day, with which words.

    ``nudge_after_days`` and ``follow_up_after_days`` count from the day of the ask: when to
    send one polite follow-up if there is no reply, and when to open notebook 11.
    """

    leader: str
    day: date
    channel: str = ""
    occasion: str = ""
    text: str = ""
    nudge_after_days: int = 14
    follow_up_after_days: int = 14
    nudge_advice: str = ""


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
    ask: AskEvent | None = None

    @property
    def dated(self) -> bool:
        return (self.meeting_start is not None or self.commitment_date is not None
                or self.ask is not None)


@dataclass(frozen=True)
class Plan:
    """The whole plan, ready to render in any format."""

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
        """One section by its id.

        Parameters
        ----------
        section_id : str
            The id from ``exercises/steps/10_my_plan.yaml`` (``"shortlist"``, ``"if_yes"``...).

        Returns
        -------
        Section
            The section.

        Raises
        ------
        KeyError
            When the plan has no such section; the message lists the ones it has.
        """
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(f"No plan section {section_id!r}; sections: "
                       + ", ".join(s.id for s in self.sections))
