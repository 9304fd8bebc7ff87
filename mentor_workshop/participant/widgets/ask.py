"""Step 10, the ask scheduled: who, how, on which day and, in person, on what occasion.

Why in the plan's notebook: by step 10 the request is written and revised, so the one thing left
between the plan and a real ask is a day. Planning when and where you will act raises the odds
of acting (Gollwitzer & Sheeran 2006). The plan's calendar file books the ask with the final
request text, a reminder to nudge politely if there is no reply, and the follow-up notebook.

Who is preset from the first pick of step 01 and the channel from step 03, so a participant who
changes nothing still schedules the ask they prepared. A day in the past is never saved: the
picker says why and keeps the day saved before.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import ipywidgets as w

from mentor_workshop.core import curriculum
from mentor_workshop.core.criteria.follow_up import ASK_KEY, read_ask
from mentor_workshop.participant.widgets.base import FULL, Exercise, esc, labelled

__all__ = ["ScheduleAsk", "long_date"]


def long_date(day: date) -> str:
    """A date as people say it, so a misread day/month order is caught at a glance.

    Parameters
    ----------
    day : date
        The date.

    Returns
    -------
    str
        For example ``"Monday 22 March 2027"``.
    """
    return f"{day:%A} {day.day} {day:%B %Y}"


class ScheduleAsk(Exercise):
    """The "Schedule your ask" card; every change saves the whole ask under ``plan.ask``."""

    step_id = "10_my_plan"
    title = "Schedule your ask"
    keys = (ASK_KEY,)

    def build(self) -> w.Widget:
        spec = curriculum.load().step(self.step_id).content.ask
        channels = curriculum.load().step("03_request").content.channels
        saved = self.value(ASK_KEY, {})
        saved = saved if isinstance(saved, dict) else {}
        ask = read_ask({ASK_KEY: saved})
        leaders = self._leaders()
        ids = [i for _, i in leaders]
        leader = ask.leader_id or self.value("shortlist.first_pick")
        channel = ask.channel or self.value("request.channel")

        self.who = w.Dropdown(options=[("Choose someone…", None), *leaders],
                              value=leader if leader in ids else None,
                              style={"description_width": "initial"},
                              layout=w.Layout(width="32rem"))
        self.who.add_class("mw-10-ask-who")
        self.how = w.Dropdown(options=[("Choose how…", None)] + [(c.label, c.id)
                                                                 for c in channels],
                              value=channel if channel in {c.id for c in channels} else None,
                              style={"description_width": "initial"},
                              layout=w.Layout(width="32rem"))
        self.how.add_class("mw-10-ask-channel")
        self.when = w.DatePicker(value=ask.day, description=spec.date.label,
                                 style={"description_width": "initial"})
        self.when.add_class("mw-10-ask-date")
        self.date_note = w.HTML(layout=FULL)
        self.occasion = w.Text(value=ask.occasion, placeholder=spec.occasion.placeholder,
                               continuous_update=True, layout=w.Layout(width="100%"))
        self.occasion.add_class("mw-10-ask-occasion")
        # A layout of its own (not the shared FULL): showing it must not show everything else.
        self.occasion_box = w.VBox([labelled(self.occasion, spec.occasion.label,
                                             spec.occasion.help)],
                                   layout=w.Layout(width="100%"))
        self._day = ask.day
        self._planned_on = ask.planned_on
        self._describe()
        self._show_occasion()

        self.who.observe(self.guard(lambda _: self._save()), names="value")
        self.how.observe(self.guard(self._on_channel), names="value")
        self.occasion.observe(self.guard(lambda _: self._save()), names="value")
        self.when.observe(self.guard(self._on_date), names="value")
        no_one = ("" if leaders else
                  '<div class="mw-help">Your shortlist is empty: add the people you admire in '
                  "notebook 01, then choose here.</div>")
        help_text = f'<div class="mw-help">{esc(spec.help)}</div>' if spec.help else ""
        return w.VBox([
            w.HTML(help_text + no_one),
            labelled(self.who, spec.who.label, spec.who.help),
            labelled(self.how, spec.channel.label, spec.channel.help),
            self.when, w.HTML(f'<div class="mw-help">{esc(spec.date.help)}</div>'),
            self.date_note, self.occasion_box,
        ], layout=FULL)

    def _leaders(self) -> list[tuple[str, str]]:
        raw = self.value("shortlist.leaders", [])
        out = []
        for leader in raw if isinstance(raw, list) else []:
            if isinstance(leader, dict) and isinstance(leader.get("id"), str) \
                    and str(leader.get("name") or "").strip():
                out.append((str(leader["name"]).strip(), leader["id"]))
        return out

    def _show_occasion(self) -> None:
        self.occasion_box.layout.display = "" if self.how.value == "in_person" else "none"

    def _on_channel(self, _: dict) -> None:
        self._show_occasion()
        self._save()

    def _on_date(self, change: dict) -> None:
        day = change["new"] if isinstance(change["new"], date) else None
        if day is not None and day < date.today():
            self._describe(refused=day)
            return
        self._day = day
        self._planned_on = date.today() if day is not None else None
        self._save()
        self._describe()

    def _describe(self, refused: date | None = None) -> None:
        """Say in words what the day means; a past day is refused and the saved one kept."""
        if refused is not None:
            kept = f" Your ask stays on {long_date(self._day)}." if self._day else ""
            text = (f"⚠ {long_date(refused)} has already passed, so it was not saved. Choose "
                    f"today or a day ahead.{kept}")
            cls = "mw-status-error"
        elif self._day is None:
            text, cls = "No day yet — choose the day you will send or make your request.", \
                "mw-empty"
        else:
            days = (self._day - date.today()).days
            when = ("today" if days == 0 else "tomorrow" if days == 1 else
                    f"in {days} days" if days > 1 else "a day you chose earlier")
            text, cls = f"✓ You will ask on {long_date(self._day)} ({when}).", ""
        self.date_note.value = f'<span class="{cls}" role="status">{esc(text)}</span>'

    def _save(self) -> None:
        value: dict[str, Any] = {
            "leader": self.who.value or "",
            "channel": self.how.value or "",
            "date": self._day.isoformat() if self._day else "",
            "occasion": self.occasion.value.strip() if self.how.value == "in_person" else "",
        }
        if self._planned_on is not None:
            value["planned_on"] = self._planned_on.isoformat()
        self.save(ASK_KEY, value)

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        answers = {key: self.value(key) for key in (ASK_KEY, "shortlist.leaders")}
        ask = read_ask(answers)
        names = dict((i, n) for n, i in self._leaders())
        labels = {c.id: c.label for c in curriculum.load().step("03_request").content.channels}
        yield "Who I will ask", names.get(ask.leader_id, "")
        yield "How", labels.get(ask.channel, "")
        yield "When", long_date(ask.day) if ask.day else ""
        if ask.channel == "in_person":
            yield "The occasion", ask.occasion
