"""The cohort report: how far the room got, how it scored, and what it struggled with.

Why it reads "whatever is there": a facilitator asks for the report at very different moments —
during the workshop with only a folder of journals, after ``collect`` with an nbgrader course but
no grades, or at the end with everything graded. Each section works from the data it needs and
says plainly what is missing ("no grades yet") instead of failing.

The package, one job per module, in the order the data flows:

- :mod:`.gather`: find the journals and the gradebook, and read them into a :class:`Cohort` of
  pseudonymous participants (:func:`discover`, :func:`gather`);
- :mod:`.tables`: the numbers (completion per step, scores, rubric matrices, signals, beliefs);
- :mod:`.figures`: matplotlib charts, embedded as PNG data URIs with alt text;
- :mod:`.sections`: one HTML fragment per section of ``facilitator/cohort_report.ipynb``;
- :mod:`.outcomes`: what happened after the workshop, the funnel from a planned ask to a first
  meeting (step 11);
- :mod:`.html`: run that notebook and export it to one HTML file that opens offline
  (:func:`build_report`).

``from mentor_workshop.facilitator import report`` is what the report notebook uses, so every
public name is available here.
"""

import importlib
from typing import Any

# Imported now, not on first use: the module of the same name would otherwise shadow the function
# as an attribute of this package once anything imports it.
from mentor_workshop.facilitator.report.gather import gather
from mentor_workshop.facilitator.report.outcomes import outcomes

#: Public name -> the module that defines it. Imported on first use, so a command that only
#: builds the report (the CLI) does not pay for matplotlib, which only the report's kernel needs.
_HOMES = {
    "BeliefRow": "mentor_workshop.facilitator.report.tables",
    "Cohort": "mentor_workshop.facilitator.report.gather",
    "DONE_COLOUR": "mentor_workshop.facilitator.report.figures",
    "DRAFT_SOURCES": "mentor_workshop.facilitator.report.gather",
    "GradeRow": "mentor_workshop.facilitator.report.gather",
    "LEVEL_COLOURS": "mentor_workshop.facilitator.report.figures",
    "NO_GRADES": "mentor_workshop.facilitator.report.sections",
    "Participant": "mentor_workshop.facilitator.report.gather",
    "Outcomes": "mentor_workshop.facilitator.report.outcomes",
    "ReportResult": "mentor_workshop.facilitator.report.html",
    "SKIP_TAG": "mentor_workshop.facilitator.report.html",
    "STARTED_COLOUR": "mentor_workshop.facilitator.report.figures",
    "SignalRow": "mentor_workshop.facilitator.report.tables",
    "Sources": "mentor_workshop.facilitator.report.gather",
    "StepCompletion": "mentor_workshop.facilitator.report.tables",
    "autograde_html": "mentor_workshop.facilitator.report.sections",
    "autograde_totals": "mentor_workshop.facilitator.report.tables",
    "beliefs_html": "mentor_workshop.facilitator.report.sections",
    "build_report": "mentor_workshop.facilitator.report.html",
    "common_beliefs": "mentor_workshop.facilitator.report.tables",
    "completion": "mentor_workshop.facilitator.report.tables",
    "completion_html": "mentor_workshop.facilitator.report.sections",
    "criteria_matrix": "mentor_workshop.facilitator.report.tables",
    "discover": "mentor_workshop.facilitator.report.gather",
    "figure_beliefs": "mentor_workshop.facilitator.report.figures",
    "figure_completion": "mentor_workshop.facilitator.report.figures",
    "figure_criteria_heatmap": "mentor_workshop.facilitator.report.figures",
    "figure_histogram": "mentor_workshop.facilitator.report.figures",
    "figure_html": "mentor_workshop.facilitator.report.figures",
    "figure_rubric_heatmap": "mentor_workshop.facilitator.report.figures",
    "figure_signals": "mentor_workshop.facilitator.report.figures",
    "html_table": "mentor_workshop.facilitator.report.sections",
    "message_html": "mentor_workshop.facilitator.report.sections",
    "no_data_message": "mentor_workshop.facilitator.report.gather",
    "notes_html": "mentor_workshop.facilitator.report.sections",
    "outcomes_html": "mentor_workshop.facilitator.report.outcomes",
    "overview_html": "mentor_workshop.facilitator.report.sections",
    "png_bytes": "mentor_workshop.facilitator.report.figures",
    "read_grades": "mentor_workshop.facilitator.report.gather",
    "reflection_scores": "mentor_workshop.facilitator.report.tables",
    "remote_references": "mentor_workshop.core.safe_html",
    "render_html": "mentor_workshop.facilitator.report.html",
    "report_notebook": "mentor_workshop.facilitator.report.html",
    "rubric_html": "mentor_workshop.facilitator.report.sections",
    "rubric_matrix": "mentor_workshop.facilitator.report.tables",
    "show": "mentor_workshop.facilitator.report.sections",
    "signal_rates": "mentor_workshop.facilitator.report.tables",
    "signals_html": "mentor_workshop.facilitator.report.sections",
}


__all__ = [
    "DONE_COLOUR",
    "DRAFT_SOURCES",
    "LEVEL_COLOURS",
    "NO_GRADES",
    "SKIP_TAG",
    "STARTED_COLOUR",
    "BeliefRow",
    "Cohort",
    "GradeRow",
    "Outcomes",
    "Participant",
    "ReportResult",
    "SignalRow",
    "Sources",
    "StepCompletion",
    "autograde_html",
    "autograde_totals",
    "beliefs_html",
    "build_report",
    "common_beliefs",
    "completion",
    "completion_html",
    "criteria_matrix",
    "discover",
    "figure_beliefs",
    "figure_completion",
    "figure_criteria_heatmap",
    "figure_histogram",
    "figure_html",
    "figure_rubric_heatmap",
    "figure_signals",
    "gather",
    "html_table",
    "message_html",
    "no_data_message",
    "notes_html",
    "outcomes",
    "outcomes_html",
    "overview_html",
    "png_bytes",
    "read_grades",
    "reflection_scores",
    "remote_references",
    "render_html",
    "report_notebook",
    "rubric_html",
    "rubric_matrix",
    "show",
    "signal_rates",
    "signals_html",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
