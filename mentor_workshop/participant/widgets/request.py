"""Step 03: the request itself — a channel, optional notes in five parts, and the draft.

The notes (the scaffold) are a thinking aid, not a form to fill: the draft is what counts, and a
button turns the notes into a first draft only when the participant asks for it. If the draft
already has text, the first press only warns and a second press replaces, so nobody loses a
careful draft to a stray click.

The draft is written to the first pick from step 01 when there is one; without one the exercise
still works and says, kindly, where to choose. Feedback runs live on the draft with the context
the journal knows (leader's name, the work admired in step 04).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import ipywidgets as w

from mentor_workshop.core import checks, curriculum
from mentor_workshop.core.curriculum import SCAFFOLD_IDS
from mentor_workshop.participant.widgets.base import FULL, Exercise, esc, labelled
from mentor_workshop.participant.widgets.feedback_panel import FeedbackPanel

CHANNEL = "request.channel"
SCAFFOLD = "request.scaffold"
DRAFT = "request.draft"

BUILD_LABEL = "Build a draft from my notes"
REPLACE_LABEL = "Yes, replace my draft"
NO_PICK = (
    "You have not chosen a first person to approach yet (that happens in notebook 01). That is "
    "fine — write to whoever you have in mind, and pick them in notebook 01 when you are ready."
)

STYLE = """
<style>
.mw-03-tradeoffs { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr));
  gap: 6px; }
.mw-03-tradeoffs .mw-card { margin: 0; }
.mw-03-tradeoffs .mw-chosen { border-width: 3px; border-color: var(--jp-brand-color1, #1976d2); }
.mw-03-tradeoffs ul { margin: 2px 0; padding-left: 1.2em; }
</style>
"""


def _content() -> Any:
    return curriculum.load().step("03_request").content


_QUESTION_STARTS = ("would", "could", "can", "may", "might", "will", "are", "is", "do", "shall")


def _sentence(text: str) -> str:
    """One note as a sentence: trimmed, capitalised, and ending in punctuation so parts do not
    run on.

    A note that opens like a question ("Would you be open...") gets a question mark: the ask is
    the one sentence that must read as a question.
    """
    text = " ".join(text.split())
    text = text[:1].upper() + text[1:]
    if text and text[-1] not in ".!?…:;,)\"'’”":
        first = text.split()[0].lower().strip("'’")
        text += "?" if first in _QUESTION_STARTS else "."
    return text


def build_draft(notes: Mapping[str, Any], leader_name: str = "", sender: str = "") -> str:
    """A letter-shaped first draft from the five notes, in the order a reader needs them.

    Who you are and why them come first (a stranger's first question is "who is this?"), then
    the ask and the time together, so the request reads as one clear, bounded thing.

    Parameters
    ----------
    notes : mapping
        The scaffold notes by part id (``who_i_am``, ``why_you``, ``the_ask``, ``the_time``,
        ``thanks``); each becomes a capitalised, punctuated sentence, and non-text is ignored.
    leader_name : str, default ""
        Who the letter is to; ``[their name]`` when blank.
    sender : str, default ""
        The participant's name for the sign-off; left out when blank.

    Returns
    -------
    str
        The draft: greeting, paragraphs separated by blank lines, and sign-off.
    """
    part = {k: _sentence(v) if isinstance(v, str) else "" for k, v in notes.items()}
    paragraphs = [
        f"Dear {leader_name.strip() or '[their name]'},",
        part.get("who_i_am", ""),
        part.get("why_you", ""),
        " ".join(p for p in (part.get("the_ask", ""), part.get("the_time", "")) if p),
        part.get("thanks", ""),
        "Best wishes,\n" + sender.strip() if sender.strip() else "Best wishes,",
    ]
    return "\n\n".join(p for p in paragraphs if p)


def word_count_html(text: str, low: int, high: int) -> str:
    """The word count with what it means, in words (never colour alone).

    Parameters
    ----------
    text : str
        The draft.
    low : int
        The fewest words the check accepts.
    high : int
        The most words the check accepts.

    Returns
    -------
    str
        A status line: the count (as the check counts it) and a verdict against ``low``–``high``.
    """
    n = checks.words(text)
    if n == 0:
        verdict = f"nothing written yet; aim for {low}–{high}"
    elif n < low:
        verdict = f"a little short; aim for {low}–{high}"
    elif n <= high:
        verdict = f"a good length (aim for {low}–{high})"
    else:
        verdict = f"longer than {high}; trim what they do not need in order to say yes"
    return (f'<div class="mw-help" role="status"><strong>{n} word{"s" if n != 1 else ""}</strong>'
            f" — {esc(verdict)}</div>")


def addressee_html(pick: Mapping[str, Any] | None) -> str:
    """A card naming who the draft is to, with what the participant admires about them.

    Parameters
    ----------
    pick : mapping or None
        The first pick's shortlist entry (``name``, ``role``, ``why``), or ``None``.

    Returns
    -------
    str
        Escaped HTML; a card saying there is no first pick yet when ``pick`` is empty.
    """
    if not pick:
        return f'<div class="mw-card mw-empty">{esc(NO_PICK)}</div>'
    role = str(pick.get("role") or "").strip()
    who = f"<strong>{esc(pick.get('name'))}</strong>" + (f", {esc(role)}" if role else "")
    why = str(pick.get("why") or "").strip()
    reason = f"<div class=\"mw-help\">What you admire: {esc(why)}</div>" if why else ""
    return (f'<div class="mw-card">You are writing to {who} — your first pick from '
            f"notebook 01.{reason}</div>")


def tradeoffs_html(channels: Iterable[Any], chosen: str | None) -> str:
    """Every channel's gains and costs side by side; the chosen one is marked in words too.

    Parameters
    ----------
    channels : iterable of Any
        The content's channels (``id``, ``label``, ``pros``, ``cons``, ``evidence``).
    chosen : str or None
        The id of the channel picked, if any.

    Returns
    -------
    str
        Escaped HTML, one card per channel, each with a ``data-channel`` attribute.
    """
    cards = []
    for ch in channels:
        mark = ch.id == chosen
        pros = "".join(f"<li>{esc(p)}</li>" for p in ch.pros)
        cons = "".join(f"<li>{esc(c)}</li>" for c in ch.cons)
        evidence = f'<div class="mw-help">{esc(ch.evidence)}</div>' if ch.evidence else ""
        badge = " — ✓ your choice" if mark else ""
        cards.append(
            f'<div class="mw-card{" mw-chosen" if mark else ""}" data-channel="{esc(ch.id)}">'
            f"<strong>{esc(ch.label)}{badge}</strong>"
            f"<div>What you gain:</div><ul>{pros}</ul>"
            f"<div>What it costs:</div><ul>{cons}</ul>{evidence}</div>"
        )
    return f'{STYLE}<div class="mw-03-tradeoffs">{"".join(cards)}</div>'


class Request(Exercise):
    """Channel, notes, draft and live feedback, all saved as the participant works."""

    step_id = "03_request"
    title = "Your request"
    keys = (CHANNEL, SCAFFOLD, DRAFT)

    def build(self) -> w.Widget:
        content = _content()
        pick = checks.first_pick(self.journal)
        self.addressee = w.HTML(addressee_html(pick), layout=FULL)
        self.addressee.add_class("mw-03-addressee")

        # -- channel
        self.channel = w.RadioButtons(
            options=[(c.label, c.id) for c in content.channels], value=None,
            description="Channel", style={"description_width": "initial"},
        )
        self.channel.add_class("mw-03-channel")
        self.bind(self.channel, CHANNEL)
        self.tradeoffs = w.HTML(layout=FULL)
        self.tradeoffs.add_class("mw-03-tradeoffs-box")
        self.channel.observe(self.guard(lambda _: self._show_tradeoffs()), names="value")
        self._show_tradeoffs()

        # -- scaffold (optional notes)
        stored = self.value(SCAFFOLD, {})
        stored = stored if isinstance(stored, dict) else {}
        self.notes: dict[str, w.Textarea] = {}
        note_rows = []
        for part in content.scaffold:
            box = w.Textarea(placeholder=part.placeholder, continuous_update=True,
                             layout=w.Layout(width="100%", height="3.6em"))
            box.add_class(f"mw-03-{part.id}")
            if isinstance(stored.get(part.id), str):
                box.value = stored[part.id]
            box.observe(self.guard(lambda _: self._save_notes()), names="value")
            self.notes[part.id] = box
            note_rows.append(labelled(box, part.label, part.hint))
        self.build_button = w.Button(description=BUILD_LABEL, icon="magic",
                                     tooltip="Join your five notes into a first draft below")
        self.build_button.add_class("mw-03-build")
        self.build_button.on_click(self.guard(self._build_clicked))
        self._confirm_replace = False

        # -- the draft, its length and the live feedback
        self.draft = w.Textarea(placeholder=content.draft.placeholder, continuous_update=True,
                                layout=w.Layout(width="100%", height="16em"))
        self.draft.add_class("mw-03-draft")
        self.bind(self.draft, DRAFT, default="")
        self.word_count = w.HTML(layout=FULL)
        self.word_count.add_class("mw-03-wordcount")
        self.draft.observe(self.guard(self._draft_changed), names="value")
        self._draft_changed()
        self.panel = FeedbackPanel(self.draft, context=self._context, css="mw-03-feedback")

        return w.VBox([
            self.addressee,
            w.HTML(f"<h5>1. {esc(content.channel_prompt)}</h5>"),
            labelled(self.channel, "Channel"),
            self.tradeoffs,
            w.HTML("<h5>2. Your notes (optional)</h5><div class=\"mw-help\">Jot a line for any "
                   "part that helps you think. They are saved as you type; the button turns "
                   "them into a first draft only when you ask.</div>"),
            *note_rows,
            self.build_button,
            w.HTML("<h5>3. Your message</h5>"),
            labelled(self.draft, content.draft.label),
            self.word_count,
            self.panel.widget,
        ], layout=FULL)

    # -- callbacks --------------------------------------------------------------------------

    def _context(self) -> dict[str, str]:
        return checks.feedback_context(self.journal)

    def _show_tradeoffs(self) -> None:
        self.tradeoffs.value = tradeoffs_html(_content().channels, self.channel.value)

    def _note_values(self) -> dict[str, str]:
        """Always all five parts, so the journal holds the shape the contract promises."""
        return {part: self.notes[part].value if part in self.notes else ""
                for part in SCAFFOLD_IDS}

    def _save_notes(self) -> None:
        self.save(SCAFFOLD, self._note_values())

    def _draft_changed(self, _: Any = None) -> None:
        content = _content()
        self.word_count.value = word_count_html(self.draft.value, content.draft.min_words,
                                                content.draft.max_words)
        if self._confirm_replace:
            self._reset_build_button()

    def _reset_build_button(self) -> None:
        self._confirm_replace = False
        self.build_button.description = BUILD_LABEL
        self.build_button.button_style = ""

    def _build_clicked(self, _: w.Button) -> None:
        notes = self._note_values()
        if not any(v.strip() for v in notes.values()):
            self.say("Write at least one of the five notes above first — then the button can "
                     "turn them into a draft.", error=True)
            return
        pick = checks.first_pick(self.journal) or {}
        profile = self.value("welcome.profile", {})
        sender = profile.get("name", "") if isinstance(profile, dict) else ""
        built = build_draft(notes, str(pick.get("name") or ""),
                            sender if isinstance(sender, str) else "")
        current = self.draft.value.strip()
        if current and current != built.strip() and not self._confirm_replace:
            self._confirm_replace = True
            self.build_button.description = REPLACE_LABEL
            self.build_button.button_style = "warning"
            self.say("Your message box already has text. Press “Yes, replace my draft” to swap "
                     "it for a draft built from your notes, or just keep editing your own.")
            return
        self._reset_build_button()
        self.draft.value = built
        self.say("Draft built from your notes and saved. Now read it aloud and make it sound "
                 "like you.")

    # -- grading summary --------------------------------------------------------------------

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        content = _content()
        labels = {c.id: c.label for c in content.channels}
        channel = self.value(CHANNEL)
        yield "Channel", labels.get(channel, channel)
        pick = checks.first_pick(self.journal)
        yield "Addressed to", pick.get("name") if pick else None
        notes = self.value(SCAFFOLD, {})
        notes = notes if isinstance(notes, dict) else {}
        for part in content.scaffold:
            yield f"Note — {part.label}", notes.get(part.id)
        draft = self.value(DRAFT, "")
        yield content.draft.label, draft
        yield "Length", f"{checks.words(draft)} words"


EXERCISES: dict[str, type[Exercise]] = {"": Request}
