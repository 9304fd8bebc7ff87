"""Step 10, my plan: a live preview of the personal mentorship plan and a button to save it.

Why a preview and not a form: every answer already lives in the journal, written in the step
where it belongs. This step only gathers them, shows the gaps with the notebook to open for each,
and writes the files the participant keeps (Markdown, printable HTML, calendar).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import ipywidgets as w

from mentor_workshop.core.journal import Journal
from mentor_workshop.participant import plan as plan_mod
from mentor_workshop.participant.widgets.ask import ScheduleAsk
from mentor_workshop.participant.widgets.base import FULL, Exercise, esc

FILE_LABELS = {"md": "Markdown", "html": "Printable page", "ics": "Calendar"}


class MyPlan(Exercise):
    """The plan preview; "Export my plan" writes the files beside the notebooks."""

    step_id = "10_my_plan"
    title = "My personal mentorship plan"
    keys = ()

    def __init__(self, journal: Journal | str | os.PathLike | None = None,
                 out_dir: str | os.PathLike | None = None) -> None:
        super().__init__(journal)
        # The notebook's folder by default, like the notebook's own out_dir parameter.
        self.out_dir = Path(out_dir) if out_dir is not None else Path.cwd()

    def build(self) -> w.Widget:
        self.preview = w.HTML(value="", layout=FULL)
        self.preview.add_class("mw-10-preview")
        self.refresh_button = w.Button(description="Refresh the preview", icon="refresh",
                                       tooltip="Show answers saved in other notebooks since")
        self.refresh_button.add_class("mw-10-refresh")
        self.export_button = w.Button(description="Export my plan", icon="download",
                                      button_style="success",
                                      tooltip="Save my_plan.md, my_plan.html and my_plan.ics")
        self.export_button.add_class("mw-10-export")
        self.files = w.HTML(value="", layout=FULL)
        self.refresh_button.on_click(self.guard(lambda _: self.refresh()))
        self.export_button.on_click(self.guard(lambda _: self.export()))
        self.refresh()
        return w.VBox([w.HBox([self.refresh_button, self.export_button]), self.files,
                       self.preview], layout=FULL)

    def refresh(self) -> plan_mod.Plan:
        """Rebuild the plan from the journal, redraw the preview and say what is missing."""
        plan = plan_mod.build_plan(self.journal)
        self.preview.value = plan_mod.to_html_fragment(plan)
        if plan.complete:
            self.say("✓ Every part of your plan is written. Export it to keep a copy.")
        else:
            self.say(f"{len(plan.missing)} part(s) still to write — the preview says which "
                     "notebook to open for each. You can export now and again later.")
        return plan

    def export(self) -> dict[str, Path]:
        """Write the plan files and list them; {} (with the reason shown) when export failed."""
        self.refresh()
        try:
            written = plan_mod.export(self.journal, self.out_dir)
        except plan_mod.PlanExportError as exc:
            self.say(str(exc), error=True)
            return {}
        rows = "".join(f"<li>{esc(FILE_LABELS.get(kind, kind))}: <code>{esc(path)}</code></li>"
                       for kind, path in written.items())
        if "ics" not in written:
            rows += ("<li>No calendar file yet: schedule your ask above, or add your "
                     "first-meeting date (notebook 06) or your dated commitment (notebook "
                     "09).</li>")
        self.files.value = f'<div role="status">✓ Saved your plan:<ul>{rows}</ul></div>'
        self.say(f"✓ Exported {len(written)} file(s) to {self.out_dir}.")
        return written

    def summary_items(self) -> Iterable[tuple[str, Any]]:
        plan = plan_mod.build_plan(self.journal)
        for section in plan.sections:
            lines = [f"{i.label}: {i.text}" if i.text else
                     f"{i.label}: " + "; ".join(i.lines) for i in section.items]
            lines += [f"Still to write — {m}" for m in section.missing]
            yield section.title, lines


EXERCISES: dict[str, type[Exercise]] = {"": MyPlan, "ask": ScheduleAsk}
