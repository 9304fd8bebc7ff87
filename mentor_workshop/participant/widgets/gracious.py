"""Step 06, be gracious: a thank-you note for a yes, and a first meeting fixed within the week.

Why a live card: people writing thanks overestimate how awkward it will feel to the reader
(Kumar & Epley 2018), so seeing the note laid out as the card the leader will hold helps more
than a word count. Only the feedback signals that matter for thanks are shown — gratitude, and
the two tone traps (sounding needy or overconfident) — so the panel stays short.

Why the meeting form is strict about time: a first meeting that lands an hour off because of a
time-zone slip is a poor start. The start is saved only when it is a real time in a real IANA
zone; a date outside the week after the yes is saved but questioned, since that is a judgement
call rather than an error. The calendar file is built by :mod:`mentor_workshop.core.ics`, the same
code the personal plan uses, with the same UID, so importing both updates one event.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

import ipywidgets as w
from IPython.display import HTML

from mentor_workshop.core import checks, curriculum, ics
from mentor_workshop.core.answers import iso_date
from mentor_workshop.participant.widgets.base import FULL, Exercise, esc, labelled, row
from mentor_workshop.participant.widgets.feedback_panel import FeedbackPanel
from mentor_workshop.participant.widgets.parts import WholeStep

THANK_YOU = "gracious.thank_you"
MEETING = "gracious.meeting"
STEP_ID = "06_be_gracious"
ICS_NAME = "first_meeting.ics"
#: The feedback signals that matter for a thank-you note.
NOTE_SIGNALS = ("gratitude", "neediness", "overconfidence")
#: A start time shown (not saved) until the participant picks a date; most first meetings are
#: in working hours, and a visible default is easier to adjust than an empty box.
DEFAULT_TIME = "10:00"
OTHER_ZONE = "__other__"
#: Zones offered in the menu (a short list keeps it usable); any other IANA zone can be typed.
#: Configuration rather than teaching content, so it lives here and not in exercises/.
COMMON_ZONES: tuple[str, ...] = (
    "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
    "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw",
    "Europe/Athens", "Europe/Istanbul", "Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg",
    "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Hong_Kong", "Asia/Shanghai",
    "Asia/Tokyo", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland",
    "America/St_Johns", "America/Halifax", "America/New_York", "America/Toronto",
    "America/Chicago", "America/Mexico_City", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Bogota",
    "America/Lima", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "UTC",
)
_TIME = re.compile(r"^\s*(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?\s*$", re.I)
_CARD_CSS = """
<style>
.mw-06-card { font-family: Georgia, 'Times New Roman', serif; font-size: 1.05rem;
  line-height: 1.5; max-width: 36rem; padding: 1.5rem 2rem; margin: 6px 0;
  border: 1px solid var(--jp-border-color1, #bbb); border-radius: 4px;
  background: var(--jp-layout-color0, #fff); color: var(--jp-content-font-color0, #111);
  white-space: pre-wrap; overflow-wrap: anywhere; }
.mw-06-card.mw-empty { font-family: inherit; font-size: inherit; }
@media print {
  .mw-06-card { border: 1px solid #000; background: #fff; color: #000; box-shadow: none;
    font-size: 13pt; break-inside: avoid; page-break-inside: avoid; }
  .mw-06-card-caption, .mw-06-feedback { display: none; }
}
</style>
"""


def _content() -> Any:
    return curriculum.load().step(STEP_ID).content


def parse_time(text: str) -> tuple[int, int]:
    """Hours and minutes from what people type: 9:30, 09.30, 14h15, 9pm, 9:30 am.

    Parameters
    ----------
    text : str
        The time as typed.

    Returns
    -------
    tuple of int
        ``(hours, minutes)`` on a 24-hour clock.

    Raises
    ------
    ValueError
        With a message to show as is: unreadable, minutes missing, am/pm with an hour above
        12, or out of range.
    """
    match = _TIME.match(text or "")
    if not match:
        raise ValueError(
            f"'{text.strip()}' is not a time I can read. Type it like 09:30 or 14:00 "
            "(24-hour clock), or 2:30 pm."
        )
    hours, minutes, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if match[2] is None and not half:
        raise ValueError(f"Add the minutes to '{text.strip()}', for example {hours:02d}:00.")
    if half:
        if not 1 <= hours <= 12:
            raise ValueError(f"'{text.strip()}' mixes am/pm with an hour above 12; "
                             f"use either {hours:02d}:{minutes:02d} or an hour from 1 to 12.")
        hours = hours % 12 + (12 if half == "p" else 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"'{text.strip()}' is not a time of day; hours go 0–23 and minutes 0–59.")
    return hours, minutes


def _words(text: str) -> int:
    return checks.words(text)


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def meeting_summary(meeting: dict, within_days: int) -> tuple[str, bool]:
    """The meeting in words and whether it is ready (valid and within the week).

    Times are shown in the meeting's zone and in UTC, so a leader elsewhere can check them.

    Parameters
    ----------
    meeting : dict
        The saved ``gracious.meeting``: ``yes_date``, ``start``, ``timezone``,
        ``duration_minutes``.
    within_days : int
        How many days after the yes the meeting may be.

    Returns
    -------
    tuple
        ``(text, ready)``: ``("", False)`` when the time or zone is invalid; otherwise the
        date and times with what to fix, and ``ready`` True only when the check would pass.
    """
    yes = iso_date(meeting.get("yes_date"))
    try:
        start = ics.local_datetime(str(meeting.get("start") or ""),
                                   str(meeting.get("timezone") or ""))
    except ics.IcsError:
        return "", False
    minutes = meeting.get("duration_minutes")
    minutes = minutes if isinstance(minutes, int) and not isinstance(minutes, bool) else 0
    end = (start.astimezone(UTC) + timedelta(minutes=max(minutes, 0))).astimezone(start.tzinfo)
    zone = getattr(start.tzinfo, "key", "UTC")
    text = (f"{_long(start.date())}, {start:%H:%M}–{end:%H:%M} ({zone}; "
            f"{start.astimezone(UTC):%H:%M} UTC)")
    if yes is None:
        return text + ". Add the day they said yes.", False
    gap = (start.date() - yes).days
    if gap < 0:
        return text + f" — that is {_days(-gap)} before they said yes; pick a later date.", False
    if gap > within_days:
        return (text + f" — {gap} days after their yes. Try to meet within {within_days} days "
                "while the enthusiasm is fresh."), False
    when = "the same day as their yes" if gap == 0 else f"{_days(gap)} after their yes"
    return text + f" — {when}. ✓ Within the week.", True


def _leader_name(journal: Any) -> str:
    pick = checks.first_pick(journal)
    return str(pick.get("name") or "").strip() if pick else ""


# ================================================================================ thank-you


class ThankYouNote(Exercise):
    """The note, its card preview and the gratitude/tone feedback, all updated as you type."""

    step_id = STEP_ID
    title = "Your thank-you note"
    keys = (THANK_YOU,)

    def build(self) -> w.Widget:
        spec = _content().thank_you
        self.min_words = spec.min_words
        self.note = w.Textarea(
            placeholder=spec.placeholder, continuous_update=True,
            layout=w.Layout(width="100%", height="11em"),
        )
        self.note.add_class("mw-06-thank-you")
        self.bind(self.note, THANK_YOU, default="")
        self.card = w.HTML(layout=FULL)
        self.count = w.HTML(layout=FULL)
        self.panel = FeedbackPanel(
            self.note, context=lambda: checks.feedback_context(self.journal),
            names=NOTE_SIGNALS, css="mw-06-feedback",
        )
        self.feedback = self.panel.widget
        self.note.observe(self.guard(lambda _change: self.refresh()), names="value")
        self.refresh()
        return w.VBox([
            labelled(self.note, spec.label, f"At least {spec.min_words} words."),
            self.count,
            w.HTML(_CARD_CSS + '<div class="mw-06-card-caption"><strong>How your card will '
                   "look</strong> (printing the notebook prints this card too)</div>"),
            self.card,
            self.feedback,
        ], layout=FULL)

    def refresh(self) -> None:
        """Redraw the note's card and its word count from the text box."""
        text = self.note.value or ""
        n = _words(text)
        if not text.strip():
            self.card.value = ('<div class="mw-06-card mw-empty" role="note">Your card appears '
                               "here as you type.</div>")
            self.count.value = '<span class="mw-help">0 words so far.</span>'
            return
        self.card.value = f'<div class="mw-06-card" role="note">{esc(text.strip())}</div>'
        short = (f" — {self.min_words - n} more to reach {self.min_words}" if n < self.min_words
                 else " ✓ long enough")
        self.count.value = f'<span class="mw-help">{n} word{"s" if n != 1 else ""}{short}.</span>'

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        yield "Thank-you note", self.value(THANK_YOU, "")


# ================================================================================ meeting


class FirstMeeting(Exercise):
    """Date of the yes, the first meeting, its zone and length, three questions, a .ics file."""

    step_id = STEP_ID
    title = "Your first meeting"
    keys = (MEETING,)

    def build(self) -> w.Widget:
        spec = _content().meeting
        self.spec = spec
        fields = spec.fields
        stored = self.value(MEETING, {})
        stored = stored if isinstance(stored, dict) else {}
        wide = {"description_width": "initial"}

        self.yes_date = w.DatePicker(description=fields.yes_date.label, style=wide)
        self.yes_date.add_class("mw-06-yes-date")
        self.start_date = w.DatePicker(description=fields.start.label, style=wide)
        self.start_date.add_class("mw-06-start-date")
        self.start_time = w.Text(value=DEFAULT_TIME, description="Start time (HH:MM)",
                                 placeholder="09:30", continuous_update=True, style=wide,
                                 layout=w.Layout(width="16rem"))
        self.start_time.add_class("mw-06-start-time")

        zones = list(COMMON_ZONES)
        if spec.default_timezone not in zones:
            zones.insert(0, spec.default_timezone)
        self.zone_menu = w.Dropdown(
            options=[(z.replace("_", " "), z) for z in zones]
            + [("Another time zone (type it below)…", OTHER_ZONE)],
            value=spec.default_timezone, description=fields.timezone.label, style=wide,
            layout=w.Layout(width="28rem"),
        )
        self.zone_menu.add_class("mw-06-timezone")
        self.zone_other = w.Text(description="Time zone name", placeholder="e.g. Asia/Manila",
                                 continuous_update=True, style=wide,
                                 layout=w.Layout(width="28rem", display="none"))
        self.zone_other.add_class("mw-06-timezone-other")
        self.duration = w.BoundedIntText(
            value=spec.default_duration_minutes, min=5, max=480, step=5,
            description=fields.duration_minutes.label, style=wide, layout=w.Layout(width="16rem"),
        )
        self.duration.add_class("mw-06-duration")
        self.questions = []
        for i in range(spec.questions):
            box = w.Text(description=f"Question {i + 1}", continuous_update=True, style=wide,
                         placeholder="Type a question or add a suggestion below",
                         layout=w.Layout(width="100%"))
            box.add_class(f"mw-06-question-{i + 1}")
            self.questions.append(box)
        self.suggestion = w.Dropdown(
            options=[("Choose a suggested question…", None)]
            + [(q, q) for q in spec.suggested_questions],
            value=None, description="Suggestions", style=wide, layout=w.Layout(width="100%"),
        )
        self.suggestion.add_class("mw-06-suggestion")
        self.use_suggestion = w.Button(description="Add this question", icon="plus",
                                       tooltip="Put the suggestion in the first empty box")
        self.use_suggestion.add_class("mw-06-add-suggestion")
        self.advice = w.HTML(layout=FULL)
        self.download = w.Button(description="Download calendar file", icon="download",
                                 button_style="success",
                                 tooltip=f"Write {ICS_NAME} beside this notebook")
        self.download.add_class("mw-06-download")
        self.link = w.Output(layout=FULL)

        self._restore(stored)
        self._describe()
        on_change = self.guard(lambda _change: self._collect())
        for widget in (self.yes_date, self.start_date, self.start_time, self.zone_menu,
                       self.zone_other, self.duration, *self.questions):
            widget.observe(on_change, names="value")
        self.use_suggestion.on_click(self.guard(self._add_suggestion))
        self.download.on_click(self.guard(self._download))

        help_line = '<div class="mw-help">{}</div>'.format
        return w.VBox([
            self.yes_date, w.HTML(help_line(esc(fields.yes_date.help))),
            row(self.start_date, self.start_time),
            w.HTML(help_line(esc(fields.start.help))),
            self.zone_menu, self.zone_other, w.HTML(help_line(esc(fields.timezone.help))),
            self.duration, w.HTML(help_line(esc(fields.duration_minutes.help))),
            w.HTML(f"<strong>{esc(fields.questions.label)}</strong>"
                   + help_line(esc(fields.questions.help))),
            *self.questions,
            row(self.suggestion, self.use_suggestion, grow=self.suggestion),
            self.advice,
            self.download,
            self.link,
        ], layout=FULL)

    # -- restore and collect ---------------------------------------------------------------

    def _restore(self, stored: dict) -> None:
        yes = iso_date(stored.get("yes_date"))
        if yes:
            self.yes_date.value = yes
        start = str(stored.get("start") or "")
        if "T" in start:
            day, _, clock = start.partition("T")
            if iso_date(day):
                self.start_date.value = iso_date(day)
            self.start_time.value = clock[:5]
        zone = str(stored.get("timezone") or "").strip()
        if zone:
            self._set_zone(zone)
        minutes = stored.get("duration_minutes")
        if isinstance(minutes, int) and not isinstance(minutes, bool) \
                and self.duration.min <= minutes <= self.duration.max:
            self.duration.value = minutes
        saved = stored.get("questions")
        if isinstance(saved, list):
            for box, text in zip(self.questions, saved, strict=False):
                box.value = text if isinstance(text, str) else ""

    def _set_zone(self, zone: str) -> None:
        if zone in {value for _, value in self.zone_menu.options}:
            self.zone_menu.value = zone
            self.zone_other.layout.display = "none"
        else:
            self.zone_menu.value = OTHER_ZONE
            self.zone_other.value = zone
            self.zone_other.layout.display = None

    def _zone_name(self) -> str:
        if self.zone_menu.value == OTHER_ZONE:
            self.zone_other.layout.display = None
            return self.zone_other.value.strip()
        self.zone_other.layout.display = "none"
        return self.zone_menu.value

    def _collect(self) -> None:
        """Save every valid field; an invalid one keeps its last good value and is explained."""
        current = self.value(MEETING, {})
        current = dict(current) if isinstance(current, dict) else {}
        problems: list[str] = []
        yes = self.yes_date.value
        current["yes_date"] = yes.isoformat() if isinstance(yes, date) else ""

        zone = self._zone_name()
        zone_ok = False
        try:
            ics.zone(zone)
            current["timezone"] = zone
            zone_ok = True
        except ics.IcsError as exc:
            problems.append(str(exc))

        day, clock = self.start_date.value, self.start_time.value.strip()
        if not isinstance(day, date):
            current["start"] = ""
        elif not clock:
            problems.append("Type a start time like 09:30.")
        else:
            try:
                hours, minutes = parse_time(clock)
                start = f"{day.isoformat()}T{hours:02d}:{minutes:02d}"
                if zone_ok:
                    ics.local_datetime(start, zone)  # refuses a time the clocks skip
                current["start"] = start
            except (ValueError, ics.IcsError) as exc:
                problems.append(str(exc))

        current["duration_minutes"] = int(self.duration.value)
        current["questions"] = [box.value for box in self.questions]
        self.save(MEETING, current)
        self._describe(problems)

    def _describe(self, problems: list[str] | None = None) -> None:
        """Say what is saved, in words; problems first, since they need action."""
        if problems:
            items = "".join(f"<li>⚠ {esc(p)}</li>" for p in problems)
            self.advice.value = (f'<div class="mw-status-error" role="alert"><ul>{items}</ul>'
                                 "Your last valid choice is kept until this is fixed.</div>")
            return
        meeting = self.value(MEETING, {})
        meeting = meeting if isinstance(meeting, dict) else {}
        if not meeting.get("start"):
            self.advice.value = ('<p class="mw-empty">No meeting date yet — pick the day they '
                                 "said yes, then a day within the week after it.</p>")
            return
        text, ready = meeting_summary(meeting, self.spec.within_days)
        cls = "" if ready else "mw-status-error"
        self.advice.value = (f'<p class="{cls}" role="status"><strong>Your first meeting:'
                             f"</strong> {esc(text)}</p>")

    # -- buttons -----------------------------------------------------------------------------

    def _add_suggestion(self, _button: w.Button) -> None:
        text = self.suggestion.value
        if not text:
            self.say("Choose a suggested question from the menu first.", error=True)
            return
        if any(box.value.strip() == text for box in self.questions):
            self.say("That question is already on your list.", error=True)
            return
        for box in self.questions:
            if not box.value.strip():
                box.value = text  # its observer saves the meeting
                self.suggestion.value = None
                return
        self.say("All question boxes are full — clear one first, then add the suggestion.",
                 error=True)

    def calendar_path(self) -> Path:
        """Beside the notebook: Jupyter starts the kernel in the notebook's folder."""
        return Path.cwd() / ICS_NAME

    def _download(self, _button: w.Button) -> None:
        self.link.outputs = ()
        meeting = self.value(MEETING, {})
        if not isinstance(meeting, dict) or not meeting.get("start"):
            self.say("Pick the meeting date and start time first; then download the file.",
                     error=True)
            return
        leader = _leader_name(self.journal)
        participant = self.journal.participant
        seed = str(participant.get("id") or participant.get("name") or "")
        try:
            event = ics.meeting_event(
                meeting,
                summary=("If they say yes: first mentoring meeting"
                         + (f" with {leader}" if leader else "") + " (tentative)"),
                description=("Tentative: this meeting happens only if they say yes; confirm "
                             "it then. Planned in the mentoring workshop. Your questions are "
                             "below."),
                uid_parts=(seed,),  # the same UID as the personal plan's copy of this event
                status="TENTATIVE",  # as in the plan's calendar, which updates this event
            )
            path = ics.write_ics(self.calendar_path(), [event], name="Mentoring")
        except ics.IcsError as exc:
            self.say(f"No calendar file yet: {exc}", error=True)
            return
        except OSError as exc:
            self.say(f"The calendar file could not be written ({exc.strerror or exc}). "
                     "Check that this folder is writable.", error=True)
            return
        # append_display_data (not ``with self.link``) so the link is in the widget's model
        # even before a browser renders it; JupyterLab then resolves the relative href.
        self.link.append_display_data(HTML(file_link_html(path)))
        self.say(f"✓ Calendar file saved as {path.name}.")

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        meeting = self.value(MEETING, {})
        meeting = meeting if isinstance(meeting, dict) else {}
        text, _ready = meeting_summary(meeting, _content().meeting.within_days)
        yield "The day they said yes", meeting.get("yes_date") or ""
        yield "First meeting", text or meeting.get("start") or ""
        minutes = meeting.get("duration_minutes")
        yield "Length", f"{minutes} minutes" if minutes else ""
        yield "Questions", [q for q in meeting.get("questions") or [] if str(q).strip()]


def file_link_html(path: Path, base: Path | None = None) -> str:
    """A download link like IPython's FileLink: relative to the notebook, escaped.

    Parameters
    ----------
    path : pathlib.Path
        The written calendar file.
    base : pathlib.Path, optional
        The notebook's folder; the current folder when omitted.

    Returns
    -------
    str
        A status paragraph with the link; just the file name when ``path`` is outside ``base``.
    """
    base = base or Path.cwd()
    try:
        rel = path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        rel = path.name
    href = esc(urllib.parse.quote(rel))
    return (
        f'<p role="status">✓ Calendar file ready: <a href="{href}" download="{esc(path.name)}" '
        f'target="_blank" rel="noopener">{esc(rel)}</a> — click to download it, then open it to '
        "add the meeting to your calendar. It is also saved beside this notebook.</p>"
    )


# ================================================================================ whole step


class BeGracious(WholeStep):
    """The thank-you note and the first meeting, as one card."""

    step_id = STEP_ID
    title = "Be gracious"
    parts = (ThankYouNote, FirstMeeting)


EXERCISES: dict[str, type[Exercise]] = {
    "": BeGracious,
    "thank_you": ThankYouNote,
    "meeting": FirstMeeting,
}
