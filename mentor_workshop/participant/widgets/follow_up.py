"""Step 11, the follow-up: did I ask, the reply, the first meeting, what I learned, what next.

Why it shows the request first: two weeks on, people forget exactly what they planned. Seeing
the ask they scheduled and the words they wrote makes it easy to say what happened, and, for
someone who has not asked yet, it is the message ready to send.

Why "not yet" has its own path: a participant who has not asked gets encouragement and a new
day, not a red cross. The check (``core/criteria/follow_up.py``) treats a reason and a new day as
complete, and this card never shows the reply questions to someone who has not asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import ipywidgets as w

from mentor_workshop.core import curriculum
from mentor_workshop.core.answers import iso_date
from mentor_workshop.core.criteria.follow_up import ASK_KEY, read_ask, read_follow_up
from mentor_workshop.participant.widgets.ask import long_date
from mentor_workshop.participant.widgets.base import FULL, Exercise, esc, labelled

ASKED = "follow_up.asked"
REPLY = "follow_up.reply"
LEARNED = "follow_up.learned"
NEXT = "follow_up.next"

STYLE = """
<style>
.mw-11-request blockquote { margin: 4px 0 4px 0; padding: 4px 10px; white-space: pre-wrap;
  border-left: 3px solid var(--jp-border-color1, #bbb); }
.mw-11-encourage { border-left: 4px solid var(--jp-success-color1, #2e7d32); padding: 4px 10px; }
</style>
"""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


class FollowUp(Exercise):
    """The whole follow-up on one card; each answer is saved as it is typed or chosen."""

    step_id = "11_follow_up"
    title = "What happened after the ask"
    keys = (ASKED, REPLY, LEARNED, NEXT)

    def build(self) -> w.Widget:
        content = curriculum.load().step(self.step_id).content
        f = content.fields
        self.request = w.HTML(self._request_html(), layout=FULL)
        self.request.add_class("mw-11-request")

        self.asked = w.ToggleButtons(options=[(c.label, c.id) for c in f.asked_choices],
                                     index=None, description=f.asked.label,
                                     style={"description_width": "initial"})
        self.asked.add_class("mw-11-asked")
        self.bind(self.asked, ASKED, "status")

        self.asked_on = self._date_picker(f.asked_on.label, "on", "mw-11-asked-on",
                                          future_ok=False)
        self.reply = w.ToggleButtons(options=[(c.label, c.id) for c in f.reply_choices],
                                     index=None, description=f.reply.label,
                                     style={"description_width": "initial"})
        self.reply.add_class("mw-11-reply")
        self.bind(self.reply, REPLY, "choice")
        self.reply_note = w.HTML(layout=FULL)
        self.meeting = w.Textarea(placeholder=f.meeting.placeholder, continuous_update=True,
                                  layout=w.Layout(width="100%", height="5em"))
        self.meeting.add_class("mw-11-meeting")
        self.bind(self.meeting, REPLY, "meeting", default="")
        self.asked_box = w.VBox([self.asked_on, self.reply, self.reply_note,
                                 labelled(self.meeting, f.meeting.label, f.meeting.help)],
                                layout=w.Layout(width="100%"))  # its own: display changes

        self.stopped = w.Textarea(placeholder=f.stopped.placeholder, continuous_update=True,
                                  layout=w.Layout(width="100%", height="4em"))
        self.stopped.add_class("mw-11-stopped")
        self.bind(self.stopped, ASKED, "stopped", default="")
        self.new_date = self._date_picker(f.new_date.label, "new_date", "mw-11-new-date",
                                          future_ok=True)
        self.not_yet_box = w.VBox([
            w.HTML(f'<div class="mw-11-encourage">{esc(content.encouragement)}</div>'),
            labelled(self.stopped, f.stopped.label, f.stopped.help),
            self.new_date, w.HTML(f'<div class="mw-help">{esc(f.new_date.help)}</div>'),
        ], layout=w.Layout(width="100%"))

        self.learned = w.Textarea(placeholder=f.learned.placeholder, continuous_update=True,
                                  layout=w.Layout(width="100%", height="5em"))
        self.learned.add_class("mw-11-learned")
        self.bind(self.learned, LEARNED, default="")
        self.next_action = w.RadioButtons(options=[(c.label, c.id) for c in f.next_choices],
                                          index=None, layout=FULL)
        self.next_action.add_class("mw-11-next")
        self.bind(self.next_action, NEXT, "action")
        self.next_note = w.Text(placeholder=f.next_note.placeholder, continuous_update=True,
                                layout=w.Layout(width="100%"))
        self.next_note.add_class("mw-11-next-note")
        self.bind(self.next_note, NEXT, "note", default="")

        self.asked.observe(self.guard(lambda _: self._arrange()), names="value")
        self.reply.observe(self.guard(lambda _: self._arrange()), names="value")
        self._arrange()
        return w.VBox([
            w.HTML(STYLE), self.request, self.asked, self.asked_box, self.not_yet_box,
            labelled(self.learned, f.learned.label, f.learned.help),
            labelled(self.next_action, f.next_action.label, f.next_action.help),
            labelled(self.next_note, f.next_note.label, f.next_note.help),
        ], layout=FULL)

    # -- what they planned ------------------------------------------------------------------

    def _request_html(self) -> str:
        """The scheduled ask and the final request text from the journal, escaped."""
        answers = {key: self.value(key) for key in
                   (ASK_KEY, "shortlist.leaders", "shortlist.first_pick", "tone.revision",
                    "request.draft", "request.channel")}
        ask = read_ask(answers)
        leaders = answers["shortlist.leaders"] if isinstance(answers["shortlist.leaders"],
                                                             list) else []
        names = {x.get("id"): _text(x.get("name")) for x in leaders if isinstance(x, dict)}
        who = names.get(ask.leader_id) or names.get(answers["shortlist.first_pick"]) or ""
        labels = {c.id: c.label.lower() for c in
                  curriculum.load().step("03_request").content.channels}
        plan = []
        if who:
            plan.append(f"ask <strong>{esc(who)}</strong>")
        if ask.channel:
            plan.append(esc(labels.get(ask.channel, ask.channel)))
        if ask.day:
            plan.append(f"on {esc(long_date(ask.day))}")
        if ask.occasion:
            plan.append(f"({esc(ask.occasion)})")
        head = ("<p>Your plan was to " + " ".join(plan) + ".</p>" if plan else
                '<p class="mw-empty">No scheduled ask found in your journal (notebook 10 '
                "schedules it). Record what happened anyway.</p>")
        text = _text(answers["tone.revision"]) or _text(answers["request.draft"])
        body = (f"<p>Your request:</p><blockquote>{esc(text)}</blockquote>" if text else
                '<p class="mw-empty">No request text saved yet (notebooks 03 and 05).</p>')
        return head + body

    # -- dates -----------------------------------------------------------------------------

    def _date_picker(self, label: str, field: str, cls: str, *, future_ok: bool) -> w.Widget:
        picker = w.DatePicker(description=label, style={"description_width": "initial"})
        picker.add_class(cls)
        note = w.HTML(layout=FULL)
        stored = self.value(ASKED, {})
        day = iso_date(stored.get(field)) if isinstance(stored, dict) else None
        if day is not None:
            picker.value = day

        def on_change(change: dict) -> None:
            new = change["new"] if isinstance(change["new"], date) else None
            today = date.today()
            if new is not None and future_ok and new < today:
                note.value = (f'<span class="mw-status-error" role="status">⚠ '
                              f"{esc(long_date(new))} has already passed, so it was not saved. "
                              "Choose today or a day ahead.</span>")
                return
            if new is not None and not future_ok and new > today:
                note.value = (f'<span class="mw-status-error" role="status">⚠ '
                              f"{esc(long_date(new))} is still ahead; choose the day you asked."
                              "</span>")
                return
            current = self.value(ASKED, {})
            current = dict(current) if isinstance(current, dict) else {}
            if new is None:
                current.pop(field, None)
            else:
                current[field] = new.isoformat()
                current["noted_on"] = today.isoformat()
            self.save(ASKED, current)
            note.value = (f'<span role="status">✓ {esc(long_date(new))}</span>'
                          if new else "")

        picker.observe(self.guard(on_change), names="value")
        return w.VBox([picker, note], layout=FULL)

    # -- which questions show -------------------------------------------------------------

    def _arrange(self) -> None:
        """Show the reply questions after "Yes, I asked" and the new-day ones after "Not yet"."""
        status = self.asked.value
        self.asked_box.layout.display = "" if status == "yes" else "none"
        self.not_yet_box.layout.display = "" if status == "not_yet" else "none"
        content = curriculum.load().step(self.step_id).content
        response = {c.id: c.response for c in content.fields.reply_choices}.get(self.reply.value)
        self.reply_note.value = (f'<div class="mw-11-encourage" role="status">{esc(response)}'
                                 "</div>" if response else "")

    # -- grading summary ------------------------------------------------------------------

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        content = curriculum.load().step(self.step_id).content
        f = content.fields
        follow = read_follow_up({key: self.value(key) for key in self.keys})
        asked = {c.id: c.label for c in f.asked_choices}
        replies = {c.id: c.label for c in f.reply_choices}
        actions = {c.id: c.label for c in f.next_choices}
        yield f.asked.label, asked.get(follow.asked, "")
        if follow.asked == "yes":
            yield f.asked_on.label, long_date(follow.asked_on) if follow.asked_on else ""
            yield f.reply.label, replies.get(follow.reply, "")
            yield f.meeting.label, follow.meeting
        elif follow.asked == "not_yet":
            yield f.stopped.label, follow.stopped
            yield f.new_date.label, long_date(follow.new_date) if follow.new_date else ""
        yield f.learned.label, follow.learned
        yield f.next_action.label, " — ".join(x for x in (actions.get(follow.next_action, ""),
                                                          follow.next_note) if x)


EXERCISES: dict[str, type[Exercise]] = {"": FollowUp}
