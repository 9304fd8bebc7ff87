"""Step 00's third exercise: in a workshop, or on my own; and, alone, when to start.

The choice and the pace are read by every notebook through :mod:`..solo.choice`; this is only
the control that sets them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import ipywidgets as w

from mentor_workshop.core.answers import iso_date
from mentor_workshop.core.journal_format import SHARE_PRIVATE_KEY
from mentor_workshop.participant.solo.choice import PATH_KEY, SCHEDULE_KEY, SELF_KEY, schedule_html
from mentor_workshop.participant.widgets.base import FULL, Exercise

__all__ = ["PathChoice"]

_CHOICES = (("I'm in a workshop", "workshop"), ("I'm on my own", "solo"))


class PathChoice(Exercise):
    """How the learner is doing the workshop; alone, when they start."""

    title = "Are you in a workshop, or on your own?"
    keys = (PATH_KEY, SCHEDULE_KEY)

    def build(self) -> w.Widget:
        stored = self.value(PATH_KEY)
        self.choice = w.RadioButtons(options=_CHOICES, value=None, layout=FULL)
        self.choice.add_class("mw-00-path")
        self.start = w.DatePicker(description="My first sitting", value=None,
                                  style={"description_width": "initial"})
        self.start.add_class("mw-00-start")
        self.share = w.Checkbox(description="Let my facilitator see my self-assessments",
                                value=self.value(SHARE_PRIVATE_KEY) is True, indent=False)
        self.share.add_class("mw-00-share")
        self.schedule = w.HTML(layout=FULL)
        # own layouts: FULL is shared by every widget, so hiding it would hide them all
        self.solo_box = w.VBox([self.start, self.schedule], layout=w.Layout(width="100%"))
        self.workshop_box = w.VBox([self.share], layout=w.Layout(width="100%"))
        if stored in ("workshop", "solo"):
            self.choice.value = stored
        saved = self.value(SCHEDULE_KEY, {})
        when = iso_date(saved.get("start")) if isinstance(saved, dict) else None
        if when is not None:
            self.start.value = when
        self.choice.observe(self.guard(self._on_choice), names="value")
        self.start.observe(self.guard(self._on_start), names="value")
        self.share.observe(self.guard(lambda c: self.save(SHARE_PRIVATE_KEY, bool(c["new"]))),
                           names="value")
        self._refresh()
        help_text = w.HTML(
            '<div class="mw-help">On your own, the role-plays become a written exchange with a '
            "scripted leader, you score your own reflections against the rubric, and you get a "
            "suggested pace. You can change this later.</div>")
        return w.VBox([help_text, self.choice, self.solo_box, self.workshop_box], layout=FULL)

    def _on_choice(self, change: dict) -> None:
        if change["new"] in ("workshop", "solo"):
            self.save(PATH_KEY, change["new"])
            if change["new"] == "solo" and self.start.value is None:
                self.start.value = date.today()  # saves through _on_start
        self._refresh()

    def _on_start(self, change: dict) -> None:
        if isinstance(change["new"], date):
            self.save(SCHEDULE_KEY, {"start": change["new"].isoformat()})
        self._refresh()

    def _refresh(self) -> None:
        solo_chosen = self.choice.value == "solo"
        self.solo_box.layout.display = "" if solo_chosen else "none"
        has_scores = bool(self.value(SELF_KEY))
        self.workshop_box.layout.display = "" if self.choice.value == "workshop" \
            and has_scores else "none"
        start = self.start.value if isinstance(self.start.value, date) else None
        self.schedule.value = schedule_html(start) if solo_chosen else ""

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        yield "How I am doing the workshop", self.value(PATH_KEY)
