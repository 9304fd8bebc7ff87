"""The personal mentorship plan: every step's answers gathered into one document to keep.

:func:`build_plan` reads the journal once and decides everything (:mod:`.build`, with one
function per section in :mod:`.sections`); :func:`to_markdown`, :func:`to_html` and
:func:`to_ics` only render that :class:`Plan` (:mod:`.markdown`, :mod:`.html`,
:mod:`.calendar`), so the notebook preview and the three files agree on what the participant
wrote and on what is still missing. :func:`export` writes the files atomically.
"""

from __future__ import annotations

from mentor_workshop.errors import PlanExportError
from mentor_workshop.participant.plan.build import build_plan
from mentor_workshop.participant.plan.calendar import REMINDER_HORIZON_WEEKS, to_ics
from mentor_workshop.participant.plan.export import FILENAMES, export
from mentor_workshop.participant.plan.html import to_html, to_html_fragment
from mentor_workshop.participant.plan.markdown import to_markdown
from mentor_workshop.participant.plan.model import (
    Item,
    Missing,
    Participant,
    Plan,
    Schedule,
    Section,
)

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
