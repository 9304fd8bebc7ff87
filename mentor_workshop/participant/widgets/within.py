"""Step 09, lead from within: a keep-in-touch rhythm, reporting back, a dormant tie, a commitment.

Why these four pieces: a mentoring relationship fades unless someone keeps it going, and the
mentee is the one with the most to gain from doing so. A rhythm makes contact a habit rather
than a favour; reporting back shows the mentor their time mattered; a dormant tie is a cheap
source of fresh advice (Levin, Walter & Murnighan 2011); a dated commitment turns the plan into
an action. The rhythm and the commitment also feed the calendar file of the personal plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import ipywidgets as w

from mentor_workshop.core import curriculum
from mentor_workshop.core.answers import iso_date
from mentor_workshop.participant.widgets.base import FULL, Exercise, esc, labelled

RHYTHM = "within.rhythm"
REPORT_BACK = "within.report_back"
DORMANT_TIE = "within.dormant_tie"
COMMITMENT = "within.commitment"


def _weeks_label(weeks: int) -> str:
    return "Every week" if weeks == 1 else f"Every {weeks} weeks"


class LeadFromWithin(Exercise):
    """The whole of step 09 on one card: four short answers, each saved as it is typed."""

    step_id = "09_lead_from_within"
    title = "Keep the relationship alive"
    keys = (RHYTHM, REPORT_BACK, DORMANT_TIE, COMMITMENT)

    def build(self) -> w.Widget:
        content = curriculum.load().step(self.step_id).content
        return w.VBox([
            self._rhythm(content.rhythm),
            self._report_back(content.fields.report_back),
            self._dormant_tie(content.fields.dormant_tie),
            self._commitment(content.fields.commitment),
        ], layout=FULL)

    # -- the rhythm -------------------------------------------------------------------------

    def _rhythm(self, spec: curriculum.Rhythm) -> w.Widget:
        stored = self.value(RHYTHM, {})
        stored = stored if isinstance(stored, dict) else {}
        weeks = list(spec.options_weeks)
        saved_weeks = stored.get("every_weeks")
        # Keep an answer even if the facilitator has since changed the choices.
        if isinstance(saved_weeks, int) and not isinstance(saved_weeks, bool) \
                and saved_weeks > 0 and saved_weeks not in weeks:
            weeks = sorted([*weeks, saved_weeks])
        self.every = w.Dropdown(
            options=[("Choose how often…", None)] + [(_weeks_label(n), n) for n in weeks],
            value=None, description="How often", layout=w.Layout(width="24rem"),
            style={"description_width": "initial"},
        )
        self.every.add_class("mw-09-every-weeks")
        self.channel = w.Combobox(
            options=list(spec.channels), ensure_option=False, continuous_update=True,
            placeholder="Pick one or type your own", description="How",
            layout=w.Layout(width="32rem"), style={"description_width": "initial"},
        )
        self.channel.add_class("mw-09-channel")
        self.bind(self.every, RHYTHM, "every_weeks")
        self.bind(self.channel, RHYTHM, "channel")
        box = w.VBox([
            w.HTML(f"<strong>{esc(spec.label)}</strong>"),
            w.HTML(f'<div class="mw-help">{esc(spec.help)}</div>') if spec.help else w.HTML(),
            w.HBox([self.every, self.channel]),
        ], layout=FULL)
        return box

    # -- report back, dormant tie -----------------------------------------------------------

    def _report_back(self, spec: curriculum.TextField) -> w.Widget:
        self.report_back = w.Textarea(
            placeholder=spec.placeholder, continuous_update=True,
            layout=w.Layout(width="100%", height="5em"),
        )
        self.report_back.add_class("mw-09-report-back")
        self.bind(self.report_back, REPORT_BACK, default="")
        return labelled(self.report_back, spec.label, spec.help)

    def _dormant_tie(self, spec: curriculum.DormantTieFields) -> w.Widget:
        self.tie_name = w.Text(placeholder=spec.name.placeholder, continuous_update=True,
                               layout=w.Layout(width="32rem"))
        self.tie_name.add_class("mw-09-tie-name")
        self.tie_why = w.Textarea(placeholder=spec.why.placeholder, continuous_update=True,
                                  layout=w.Layout(width="100%", height="4em"))
        self.tie_why.add_class("mw-09-tie-why")
        self.bind(self.tie_name, DORMANT_TIE, "name", default="")
        self.bind(self.tie_why, DORMANT_TIE, "why", default="")
        return w.VBox([labelled(self.tie_name, spec.name.label, spec.name.help),
                       labelled(self.tie_why, spec.why.label, spec.why.help)], layout=FULL)

    # -- the dated commitment ---------------------------------------------------------------

    def _commitment(self, spec: curriculum.CommitmentFields) -> w.Widget:
        self.action = w.Text(placeholder=spec.action.placeholder, continuous_update=True,
                             layout=w.Layout(width="100%"))
        self.action.add_class("mw-09-action")
        self.bind(self.action, COMMITMENT, "action", default="")
        self.when = w.DatePicker(description=spec.date.label,
                                 style={"description_width": "initial"})
        self.when.add_class("mw-09-date")
        self.date_note = w.HTML(value="", layout=FULL)
        stored = self.value(COMMITMENT, {})
        day = iso_date(stored.get("date")) if isinstance(stored, dict) else None
        if day is not None:
            self.when.value = day
        self._describe_date(day)
        self.when.observe(self.guard(self._on_date), names="value")
        help_text = f'<div class="mw-help">{esc(spec.date.help)}</div>' if spec.date.help else ""
        return w.VBox([labelled(self.action, spec.action.label, spec.action.help),
                       self.when, w.HTML(help_text), self.date_note], layout=FULL)

    def _on_date(self, change: dict) -> None:
        day = change["new"]
        current = self.value(COMMITMENT, {})
        current = dict(current) if isinstance(current, dict) else {}
        if isinstance(day, date):
            current["date"] = day.isoformat()
        else:
            current.pop("date", None)
        self.save(COMMITMENT, current)
        self._describe_date(day if isinstance(day, date) else None)

    def _describe_date(self, day: date | None) -> None:
        """Say in words what the date means; a past date is kept but gently questioned."""
        if day is None:
            text, cls = "No date yet — pick the day you will do it by.", "mw-empty"
        elif day < date.today():
            text = (f"⚠ {day:%A} {day.day} {day:%B %Y} has already passed. Pick a day that "
                    "is still ahead, so the commitment is something you can still do.")
            cls = "mw-status-error"
        else:
            days = (day - date.today()).days
            when = "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")
            text, cls = f"✓ By {day:%A} {day.day} {day:%B %Y} ({when}).", ""
        self.date_note.value = f'<span class="{cls}" role="status">{esc(text)}</span>'

    # -- grading summary --------------------------------------------------------------------

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        rhythm = self.value(RHYTHM, {})
        rhythm = rhythm if isinstance(rhythm, dict) else {}
        weeks, channel = rhythm.get("every_weeks"), rhythm.get("channel")
        parts = []
        if isinstance(weeks, int) and not isinstance(weeks, bool) and weeks > 0:
            parts.append(_weeks_label(weeks))
        if isinstance(channel, str) and channel.strip():
            parts.append(channel.strip())
        yield "How I will keep in touch", " — ".join(parts)
        yield "What I will report back", self.value(REPORT_BACK, "")
        tie = self.value(DORMANT_TIE, {})
        tie = tie if isinstance(tie, dict) else {}
        yield "Someone I will reconnect with", " — ".join(
            str(tie[k]).strip() for k in ("name", "why") if str(tie.get(k) or "").strip())
        commitment = self.value(COMMITMENT, {})
        commitment = commitment if isinstance(commitment, dict) else {}
        action = str(commitment.get("action") or "").strip()
        day = str(commitment.get("date") or "").strip()
        yield "My commitment", f"{action} — by {day}" if action and day else (action or day)


EXERCISES: dict[str, type[Exercise]] = {"": LeadFromWithin}
