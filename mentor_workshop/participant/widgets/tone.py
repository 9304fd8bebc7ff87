"""Step 05: hear the difference between needy, balanced and overconfident — then fix your own.

Two exercises. ``sorting``: each phrase from the content's bank gets a three-way choice, and the
answer is explained at once, because the explanation (which words tip it, and why) is the lesson;
the score is the same one the grader computes. ``revision``: the participant's draft from step 03,
shown read-only with its needy and pushy words marked, and a revision box (prefilled with that
draft) under a live tone meter.

The prefilled revision is not saved until the participant edits it or presses "Save as my
revision": saving it silently would tell the check that a revision happened when none did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ipywidgets as w

from mentor_workshop.core import checks, curriculum, feedback
from mentor_workshop.core.curriculum import TONES
from mentor_workshop.participant.widgets.base import FULL, Exercise, esc, labelled
from mentor_workshop.participant.widgets.feedback_panel import FeedbackPanel
from mentor_workshop.participant.widgets.parts import WholeStep

STEP = "05_vulnerability_confidence"
SORTING = "tone.sorting"
REVISION = "tone.revision"
DRAFT = "request.draft"
TONE_SIGNALS = ("neediness", "overconfidence")

NO_DRAFT = (
    "There is no request from notebook 03 yet. You can write it straight into the box below, or "
    "draft it in notebook 03 first and run this cell again."
)
PREFILLED = (
    "Your request from notebook 03 is copied into the box below. Edit it and every change is "
    "saved; if it already sounds right, press “Save as my revision”."
)


def _content() -> Any:
    return curriculum.load().step(STEP).content


def _answers(raw: Any, phrase_ids: Iterable[str]) -> dict[str, str]:
    """Only answers for phrases in the bank, with a valid tone; a damaged journal loses nothing
    else."""
    if not isinstance(raw, dict):
        return {}
    return {pid: raw[pid] for pid in phrase_ids if raw.get(pid) in TONES}


# ---------------------------------------------------------------------------------- sorting


def result_html(phrase: Any, answer: str | None, labels: Mapping[str, str]) -> str:
    """Whether the choice matched, said in words, and the explanation.

    Parameters
    ----------
    phrase : Any
        One sorting phrase from the content (``answer``, ``explanation``).
    answer : str or None
        The tone the participant chose, if any.
    labels : mapping of str to str
        Tone id to the label shown on its button.

    Returns
    -------
    str
        Escaped HTML with a ``data-match`` attribute; "" when no valid tone is chosen yet.
    """
    if answer not in TONES:
        return ""
    expected = labels[phrase.answer]
    if answer == phrase.answer:
        head = f"✔ Matches: {esc(expected)}."
        css = "mw-match"
    else:
        head = (f"✘ Not quite: you chose {esc(labels[answer])}; the workshop sorts this as "
                f"{esc(expected)}.")
        css = "mw-mismatch"
    return (f'<div class="mw-help {css}" data-match="{str(answer == phrase.answer).lower()}">'
            f"<strong>{head}</strong> {esc(phrase.explanation)}</div>")


def score_text(answers: Mapping[str, str], phrases: Sequence[Any], pass_ratio: float) -> str:
    """The sorting score so far, and what is left to reach the check's target.

    Parameters
    ----------
    answers : mapping of str to str
        Phrase id to the chosen tone (valid answers only).
    phrases : sequence of Any
        The content's sorting phrases.
    pass_ratio : float
        The share of phrases the check wants sorted as the answer key does.

    Returns
    -------
    str
        One plain-text line: matched, sorted, and what to do next.
    """
    correct = sum(answers.get(p.id) == p.answer for p in phrases)
    answered = sum(p.id in answers for p in phrases)
    total = len(phrases)
    target = round(pass_ratio * total)
    text = f"Score: {correct} of {total} matched · {answered} of {total} sorted"
    if answered < total:
        text += f" · {total - answered} to go"
    elif correct >= target:
        text += " · done, well judged"
    else:
        text += f" · aim for {target}: read the explanations and change any answer"
    return text


class Sorting(Exercise):
    """One three-way choice per phrase, explained as soon as it is made."""

    step_id = STEP
    title = "Needy, balanced or overconfident?"
    keys = (SORTING,)

    def build(self) -> w.Widget:
        content = _content()
        self.phrases = list(content.sorting)
        self.labels = {t: getattr(content.categories, t).label for t in TONES}
        answers = _answers(self.value(SORTING, {}), [p.id for p in self.phrases])
        legend = "".join(
            f"<li><strong>{esc(self.labels[t])}</strong>: "
            f"{esc(getattr(content.categories, t).description)}</li>"
            for t in TONES
        )
        self.score = w.HTML(layout=FULL)
        self.score.add_class("mw-05-score")
        self.choices: dict[str, w.ToggleButtons] = {}
        self.results: dict[str, w.HTML] = {}
        cards = []
        for i, phrase in enumerate(self.phrases, start=1):
            choice = w.ToggleButtons(
                options=[(self.labels[t], t) for t in TONES], value=None,
                description="Sounds", style={"description_width": "initial"},
                tooltips=[getattr(content.categories, t).description for t in TONES],
            )
            choice.add_class(f"mw-05-sort-{phrase.id}")
            choice.add_class("mw-05-sort")
            if phrase.id in answers:
                choice.value = answers[phrase.id]
            result = w.HTML(result_html(phrase, choice.value, self.labels), layout=FULL)
            result.add_class(f"mw-05-result-{phrase.id}")
            choice.observe(self.guard(lambda change, p=phrase: self._answered(p, change["new"])),
                           names="value")
            self.choices[phrase.id] = choice
            self.results[phrase.id] = result
            card = w.VBox([w.HTML(f"<div><strong>{i}.</strong> “{esc(phrase.text)}”</div>"),
                           choice, result], layout=FULL)
            card.add_class("mw-card")
            cards.append(card)
        self._update_score()
        return w.VBox([
            w.HTML(f"<div>Decide how each line would sound to a busy leader:</div><ul>{legend}"
                   "</ul>"),
            self.score,
            *cards,
        ], layout=FULL)

    def current(self) -> dict[str, str]:
        """Phrase id -> tone for the phrases sorted on screen."""
        return {pid: box.value for pid, box in self.choices.items() if box.value in TONES}

    def _answered(self, phrase: Any, answer: Any) -> None:
        self.results[phrase.id].value = result_html(phrase, answer, self.labels)
        self._update_score()
        # Merge with the journal, so answers saved by another open copy are not dropped.
        saved = _answers(self.value(SORTING, {}), [p.id for p in self.phrases])
        saved.update(self.current())
        self.save(SORTING, saved)

    def _update_score(self) -> None:
        text = score_text(self.current(), self.phrases, _content().pass_ratio)
        self.score.value = f'<div role="status"><strong>{esc(text)}</strong></div>'

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        content = _content()
        labels = {t: getattr(content.categories, t).label for t in TONES}
        phrases = list(content.sorting)
        answers = _answers(self.value(SORTING, {}), [p.id for p in phrases])
        yield "Score", score_text(answers, phrases, content.pass_ratio)
        for phrase in phrases:
            answer = answers.get(phrase.id)
            if answer is None:
                shown = None
            elif answer == phrase.answer:
                shown = f"{labels[answer]} — matches"
            else:
                shown = f"{labels[answer]} — expected {labels[phrase.answer]}"
            yield phrase.text, shown


# ---------------------------------------------------------------------------------- revision


#: (data-tone, position on the five-step scale, words) for each reading of the two signals.
_SCALE = ("Needy", "A little needy", "Balanced", "A little pushy", "Overconfident")


def tone_reading(levels: Mapping[str, str]) -> tuple[str, list[int], str]:
    """Where a text sits between needy and overconfident, from the two feedback signals.

    Parameters
    ----------
    levels : mapping of str to str
        Signal name to level, as :func:`mentor_workshop.core.feedback.summary` gives it.

    Returns
    -------
    tuple
        ``(tone, marks, words)``: the ``data-tone`` value, the positions (0–4) to mark on the
        five-step scale (two when the text is both needy and pushy), and a sentence saying so.
    """
    needy = levels.get("neediness", "good")
    over = levels.get("overconfidence", "good")
    if needy != "good" and over != "good":
        return ("mixed", [0 if needy == "problem" else 1, 4 if over == "problem" else 3],
                "Mixed: some words sound needy and others pushy. See the marked words below.")
    if needy == "problem":
        return "needy", [0], "Leans needy: the marked words undersell you and your request."
    if needy == "consider":
        return "slightly_needy", [1], "A little needy: a hedge or an apology could go."
    if over == "problem":
        return "overconfident", [4], "Leans overconfident: the marked words read as a demand."
    if over == "consider":
        return "slightly_pushy", [3], "A little pushy: soften the marked words."
    return "balanced", [2], "Balanced: eager and clear, neither needy nor pushy. Nicely done."


def meter_html(signals: Sequence[feedback.Signal], has_text: bool) -> str:
    """The tone meter: a five-step scale from needy to overconfident, with the reading marked.

    The position is marked with ▼ and bold type and said in a sentence, not shown by colour.

    Parameters
    ----------
    signals : sequence of Signal
        The feedback on the revision.
    has_text : bool
        False shows "nothing to read yet" instead of a reading.

    Returns
    -------
    str
        Escaped HTML with a ``data-tone`` attribute (``none`` when there is no text).
    """
    if not has_text:
        return ('<div class="mw-tone-meter" data-tone="none"><span class="mw-empty">Tone meter: '
                "nothing to read yet.</span></div>")
    tone, marks, words = tone_reading(feedback.summary(signals))
    cells = "".join(
        f'<td style="padding:2px 8px;text-align:center;{"font-weight:700;" if i in marks else ""}'
        f'border:1px solid var(--jp-border-color2,#bbb)">'
        f'{"▼ " if i in marks else ""}{esc(label)}</td>'
        for i, label in enumerate(_SCALE)
    )
    return (f'<div class="mw-tone-meter" data-tone="{tone}"><table role="presentation" '
            f'style="border-collapse:collapse;margin:4px 0"><tr>{cells}</tr></table>'
            f'<div role="status"><strong>Tone meter:</strong> {esc(words)}</div></div>')


def original_html(draft: str, context: Mapping[str, Any]) -> str:
    """The step-03 draft, read-only, with only its needy and pushy words marked.

    Parameters
    ----------
    draft : str
        The saved ``request.draft``.
    context : mapping
        What the journal knows about the leader, for the feedback engine.

    Returns
    -------
    str
        Escaped HTML; the draft unmarked, with the reason, when the rules cannot be applied.
    """
    if not draft.strip():
        return f'<div class="mw-card mw-empty">{esc(NO_DRAFT)}</div>'
    try:
        signals = feedback.analyze(draft, context)
        marked = feedback.highlight_html(draft, signals, names=TONE_SIGNALS)
        levels = feedback.summary(signals)
        words = {"good": "none found", "consider": "a few", "problem": "several"}
        legend = (f"Needy words: {words[levels['neediness']]} · "
                  f"Pushy words: {words[levels['overconfidence']]}")
    except Exception as exc:  # the draft must still show if the rules file is broken
        marked = f'<div class="mw-highlight">{esc(draft)}</div>'
        legend = f"(Tone marks unavailable: {exc})"
    return ('<div class="mw-05-original"><div><strong>Your request from notebook 03</strong> '
            "(read-only: edit the copy in the box below)</div>"
            f'{marked}<div class="mw-help">{esc(legend)}</div></div>')


class Revision(Exercise):
    """The step-03 draft for reference, and a revision with a live tone meter."""

    step_id = STEP
    title = "Revise your request for tone"
    keys = (REVISION,)

    def build(self) -> w.Widget:
        content = _content()
        draft = self.value(DRAFT, "")
        draft = draft if isinstance(draft, str) else ""
        self.original = w.HTML(original_html(draft, self._context()), layout=FULL)
        self.original.add_class("mw-05-original-box")

        stored = self.value(REVISION)
        has_revision = isinstance(stored, str) and bool(stored.strip())
        self.prefilled = not has_revision and bool(draft.strip())
        self.revision = w.Textarea(
            value=stored if has_revision else (draft if self.prefilled else ""),
            placeholder=content.revision.placeholder, continuous_update=True,
            layout=w.Layout(width="100%", height="16em"),
        )
        self.revision.add_class("mw-05-revision")
        self.keep = w.Button(description="Save as my revision", icon="save",
                             tooltip="Save the text in the box as it is")
        self.keep.add_class("mw-05-keep")
        self.keep.layout.display = None if self.prefilled else "none"
        self.keep.on_click(self.guard(lambda _: self._save_revision()))
        self.revision.observe(self.guard(lambda _: self._save_revision()), names="value")

        self.meter = w.HTML(layout=FULL)
        self.meter.add_class("mw-05-meter")
        self.panel = FeedbackPanel(self.revision, context=self._context, names=TONE_SIGNALS,
                                   css="mw-05-tone")
        self.panel.on_update(self._draw_meter)
        if self.prefilled:
            self.say(PREFILLED)
        return w.VBox([
            self.original,
            labelled(self.revision, content.revision.label),
            self.keep,
            self.meter,
            self.panel.widget,
        ], layout=FULL)

    def _context(self) -> dict[str, str]:
        return checks.feedback_context(self.journal)

    def _save_revision(self) -> None:
        if self.save(REVISION, self.revision.value):
            self.prefilled = False
            self.keep.layout.display = "none"

    def _draw_meter(self, signals: list[feedback.Signal]) -> None:
        self.meter.value = meter_html(signals, bool(self.panel.text.strip()))

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        revision = self.value(REVISION, "")
        yield "Request from notebook 03", self.value(DRAFT)
        yield _content().revision.label, revision
        if isinstance(revision, str) and revision.strip():
            try:
                levels = feedback.summary(feedback.analyze(revision, self._context()))
            except Exception as exc:  # a summary must render even if the rules file is broken
                yield "Tone meter", f"unavailable ({exc})"
            else:
                yield "Tone meter", tone_reading(levels)[2]


class Tone(WholeStep):
    """Both parts in one cell, for ``mw.show("05_vulnerability_confidence")``.

    Unlike the other whole steps, each part is drawn complete — its own heading, status line and
    check button — exactly as the notebook shows it; the summary is still both parts in order.
    """

    title = ""
    parts = (Sorting, Revision)

    def build(self) -> w.Widget:
        return w.VBox([cls(self.journal).widget() for cls in self.parts], layout=FULL)


EXERCISES: dict[str, type[Exercise]] = {"": Tone, "sorting": Sorting, "revision": Revision}
