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

from mentor_workshop.core.safe_html import remote_references
from mentor_workshop.facilitator.report.figures import (
    DONE_COLOUR,
    LEVEL_COLOURS,
    STARTED_COLOUR,
    figure_beliefs,
    figure_completion,
    figure_criteria_heatmap,
    figure_histogram,
    figure_html,
    figure_rubric_heatmap,
    figure_signals,
    png_bytes,
)
from mentor_workshop.facilitator.report.gather import (
    DRAFT_SOURCES,
    Cohort,
    GradeRow,
    Participant,
    Sources,
    discover,
    gather,
    no_data_message,
    read_grades,
)
from mentor_workshop.facilitator.report.html import (
    SKIP_TAG,
    ReportResult,
    build_report,
    render_html,
    report_notebook,
)
from mentor_workshop.facilitator.report.outcomes import Outcomes, outcomes, outcomes_html
from mentor_workshop.facilitator.report.sections import (
    NO_GRADES,
    autograde_html,
    beliefs_html,
    completion_html,
    html_table,
    message_html,
    notes_html,
    overview_html,
    rubric_html,
    show,
    signals_html,
)
from mentor_workshop.facilitator.report.tables import (
    BeliefRow,
    SignalRow,
    StepCompletion,
    autograde_totals,
    common_beliefs,
    completion,
    criteria_matrix,
    reflection_scores,
    rubric_matrix,
    signal_rates,
)

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
