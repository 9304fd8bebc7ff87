"""A role-play for one: the learner writes, a scripted leader answers.

Why scripted and not generated: the replies are the facilitator's role-play scripts turned into
content (``exercises/solo.yaml``), chosen by the feedback engine's signals on what the learner
wrote. Every reply is one a facilitator has read, and the lesson under it names the signal that
chose it, so the learner can see why the leader reacted as they did and try again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as w

from mentor_workshop.core import solo
from mentor_workshop.core.criteria.reading import feedback_context
from mentor_workshop.participant.widgets.base import FULL, Exercise, esc, labelled

__all__ = ["ROLEPLAY_PREFIX", "WrittenRoleplay", "has_roleplay", "roleplay_key"]

ROLEPLAY_PREFIX = "solo.roleplay."


def roleplay_key(step_id: str) -> str:
    """The journal key of a step's written role-play.

    Parameters
    ----------
    step_id : str
        The step the role-play belongs to.

    Returns
    -------
    str
        ``solo.roleplay.<step_id>``; the value is ``{"message": str, "reply": reply id}``.
    """
    return f"{ROLEPLAY_PREFIX}{step_id}"


def has_roleplay(step_id: str) -> bool:
    """Whether ``exercises/solo.yaml`` scripts a role-play for this step.

    Parameters
    ----------
    step_id : str
        A step id.

    Returns
    -------
    bool
        True when a written role-play replaces the room's one here.
    """
    return step_id in solo.load().roleplays


def _bubble(who: str, text: str, css: str) -> str:
    return (f'<div class="{css}" style="border:1px solid var(--jp-border-color1,#bbb);'
            'border-radius:8px;padding:6px 10px;margin:6px 0;max-width:44rem">'
            f"<strong>{esc(who)}:</strong> {esc(text)}</div>")


class WrittenRoleplay(Exercise):
    """The written exchange for one step: setting, the learner's message, the leader's reply."""

    def __init__(self, step_id: str, journal: Any = None) -> None:
        super().__init__(journal)
        self.for_step = step_id
        self.script = solo.load().roleplays[step_id]
        self.key = roleplay_key(step_id)
        self.title = f"Practise it: {self.script.title}"

    def build(self) -> w.Widget:
        script = self.script
        opening = _bubble("The leader", script.leader_opens, "mw-solo-leader-opens") \
            if script.leader_opens else ""
        self.message = w.Textarea(placeholder=script.placeholder, continuous_update=True,
                                  layout=w.Layout(width="100%", height="7em"))
        self.message.add_class("mw-solo-message")
        self.send = w.Button(description="Send to the leader", icon="paper-plane",
                             button_style="primary")
        self.send.add_class("mw-solo-send")
        self.reply = w.HTML(layout=FULL)
        self.reply.add_class("mw-solo-reply")
        stored = self.value(self.key, {})
        if isinstance(stored, dict) and isinstance(stored.get("message"), str):
            self.message.value = stored["message"]
            self._answer(stored["message"])
        self.send.on_click(self.guard(lambda _: self._on_send()))
        return w.VBox([
            w.HTML(f"<div>{esc(script.setting)}</div>{opening}"),
            labelled(self.message, script.label), self.send, self.reply,
        ], layout=FULL)

    def _answer(self, message: str) -> solo.Reply:
        reply = solo.leader_reply(self.script, message, feedback_context(self.journal))
        self.reply.value = (
            _bubble("You", message, "mw-solo-you")
            + _bubble("The leader", reply.leader, "mw-solo-leader")
            + f'<div class="mw-help mw-solo-lesson" data-reply="{esc(reply.id)}">'
            f"<strong>What happened:</strong> {esc(reply.lesson)}</div>"
        )
        return reply

    def _on_send(self) -> None:
        message = self.message.value.strip()
        if not message:
            self.say("Write what you would say first, then send it.", error=True)
            return
        reply = self._answer(message)
        self.save(self.key, {"message": message, "reply": reply.id})

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        stored = self.value(self.key, {})
        yield self.script.label, stored.get("message") if isinstance(stored, dict) else None
