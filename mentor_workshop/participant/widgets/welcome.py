"""Step 00: who the participant is, and whether their set-up works.

Two exercises: the profile (``00_welcome``) and the setup check (``00_welcome.setup``). The
profile is short on purpose — its job is to get a first answer saved in the first minute, so the
participant sees autosave work before it matters.

The setup check's last line needs the browser: a widget created with ``_view_count = 0`` is
counted up by JupyterLab each time it draws a view of it, and the kernel hears about it. That is
the only honest proof, from Python, that widgets render; until it arrives the line says it is
waiting (and under headless execution it simply keeps waiting, which is not a failure).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets as w

from mentor_workshop.core import curriculum
from mentor_workshop.participant.setup_check import (
    PROBE_KEY,
    Item,
    items_html,
    mark_drawn,
    run_checks,
)
from mentor_workshop.participant.widgets.base import FULL, Exercise, esc, labelled
from mentor_workshop.participant.widgets.solo_path import PathChoice

PROFILE = "welcome.profile"


def _content() -> Any:
    return curriculum.load().step("00_welcome").content


class Profile(Exercise):
    """Name, role and what they hope a mentor could help with."""

    step_id = "00_welcome"
    title = "About you"
    keys = (PROFILE,)

    def build(self) -> w.Widget:
        fields = _content().fields
        self.name = w.Text(placeholder=fields.name.placeholder, continuous_update=True,
                           layout=FULL)
        self.role = w.Text(placeholder=fields.role.placeholder, continuous_update=True,
                           layout=FULL)
        self.hopes = w.Textarea(placeholder=fields.hopes.placeholder, continuous_update=True,
                                layout=w.Layout(width="100%", height="6em"))
        self.boxes = {"name": self.name, "role": self.role, "hopes": self.hopes}
        stored = self.value(PROFILE, {})
        stored = stored if isinstance(stored, dict) else {}
        parts = []
        for field, widget in self.boxes.items():
            widget.add_class(f"mw-00-{field}")
            if isinstance(stored.get(field), str):
                widget.value = stored[field]
            widget.observe(self.guard(lambda _: self._save_all()), names="value")
            spec = getattr(fields, field)
            parts.append(labelled(widget, spec.label, spec.help))
        self._prefill_name()
        return w.VBox(parts, layout=FULL)

    def _save_all(self) -> None:
        """Always the whole profile, so the journal holds the shape the contract promises."""
        self.save(PROFILE, {field: box.value for field, box in self.boxes.items()})

    def _prefill_name(self) -> None:
        """A facilitator's roster already knows the name; saving it means the check agrees with
        what the participant sees in the box."""
        if self.name.value.strip():
            return
        known = self.journal.participant.get("name")
        if isinstance(known, str) and known.strip():
            self.name.value = known.strip()  # the binding saves it

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        profile = self.value(PROFILE, {})
        profile = profile if isinstance(profile, dict) else {}
        fields = _content().fields
        for field in ("name", "role", "hopes"):
            yield getattr(fields, field).label, profile.get(field)


class SetupCheck(Exercise):
    """PASS/FAIL lines for everything the workshop relies on, including the browser."""

    step_id = "00_welcome"
    title = "Is everything working?"
    keys = (PROBE_KEY,)

    def build(self) -> w.Widget:
        self.items: list[Item] = []
        # Created with _view_count = 0 so JupyterLab counts the views it draws of it.
        self.results = w.HTML(value="", layout=FULL, _view_count=0)
        self.results.add_class("mw-00-setup")
        self.results.observe(self.guard(self._on_view_count), names="_view_count")
        self.rerun = w.Button(description="Run the checks again", icon="refresh",
                              tooltip="Repeat every check, for example after a fix")
        self.rerun.add_class("mw-00-setup-rerun")
        self.rerun.on_click(self.guard(lambda _: self.refresh()))
        yourself = "".join(f"<li>{esc(i.label)}</li>" for i in _content().setup_check)
        by_hand = w.HTML(
            '<div class="mw-help">The kit cannot check these for you — tick them off in your '
            f"head:</div><ul>{yourself}</ul>"
        )
        self.refresh()
        return w.VBox([self.results, by_hand], layout=FULL)

    @property
    def drawn(self) -> bool:
        """Whether the browser has drawn the results widget (its view count is above 0)."""
        count = self.results._view_count
        return isinstance(count, int) and count > 0

    def refresh(self) -> None:
        """Run every check again, keeping what the browser already told us."""
        items = run_checks(self.journal)
        self.items = mark_drawn(items) if self.drawn else items
        self.results.value = items_html(self.items)
        self.say("Checks run — see the lines above.")

    def _on_view_count(self, change: dict) -> None:
        if isinstance(change["new"], int) and change["new"] > 0 and self.items:
            self.items = mark_drawn(self.items)
            self.results.value = items_html(self.items)

    def check_button(self) -> w.Widget:
        """Here the useful button re-runs the setup checks; the profile has "Check my work"."""
        return self.rerun

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        probe = self.value(PROBE_KEY, {})
        when = probe.get("checked_at") if isinstance(probe, dict) else None
        yield "Last successful save test", when


EXERCISES: dict[str, type[Exercise]] = {"": Profile, "setup": SetupCheck, "path": PathChoice}
