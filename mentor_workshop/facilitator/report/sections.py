"""The report's sections as HTML fragments, one function per section of the notebook.

Why fragments: ``facilitator/cohort_report.ipynb`` is a list of ``report.show(report.X_html(...))``
cells, so a facilitator can drop, reorder or add sections without touching the kit. Each section
works from the data it needs and says plainly what is missing ("No grades yet") instead of
failing. Every piece of participant text is escaped before it reaches HTML.
"""

from __future__ import annotations

import html
import re
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from IPython.display import display

from mentor_workshop.facilitator.report.figures import (
    figure_beliefs,
    figure_completion,
    figure_criteria_heatmap,
    figure_histogram,
    figure_html,
    figure_rubric_heatmap,
    figure_signals,
)
from mentor_workshop.facilitator.report.gather import Cohort, no_data_message
from mentor_workshop.facilitator.report.tables import (
    autograde_totals,
    common_beliefs,
    completion,
    reflection_scores,
    signal_rates,
)

__all__ = [
    "NO_GRADES",
    "autograde_html",
    "beliefs_html",
    "completion_html",
    "html_table",
    "message_html",
    "notes_html",
    "overview_html",
    "rubric_html",
    "show",
    "signals_html",
]

NO_GRADES = "No grades yet"


def html_table(headers: Sequence[str] | None, rows: Iterable[Sequence[Any]],
               caption: str = "") -> str:
    """A table with every cell escaped: cells may hold participant text.

    Without ``headers`` the first cell of each row is its header (a two-column fact sheet).

    Parameters
    ----------
    headers : sequence of str or None
        Column headings, or None for a fact sheet.
    rows : iterable of sequences
        The cells; None shows as "–" and floats with one decimal.
    caption : str
        An optional caption.

    Returns
    -------
    str
        A ``<table>`` element.
    """
    def cell(value: Any) -> str:
        if value is None:
            return "–"
        if isinstance(value, float):
            return f"{value:.1f}"
        return html.escape(str(value))

    if headers:
        head = "<thead><tr>" + "".join(f'<th scope="col">{html.escape(h)}</th>'
                                        for h in headers) + "</tr></thead>"
        body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
                       for row in rows)
    else:
        head = ""
        body = "".join(f'<tr><th scope="row">{cell(row[0])}</th>'
                       + "".join(f"<td>{cell(v)}</td>" for v in row[1:]) + "</tr>"
                       for row in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="mw-table">{cap}{head}<tbody>{body}</tbody></table>'


def message_html(text: str, kind: str = "info") -> str:
    """A highlighted note, e.g. what a section is missing.

    Parameters
    ----------
    text : str
        The message (escaped here).
    kind : str
        ``"info"`` or ``"warning"`` (the CSS class ``mw-<kind>``).

    Returns
    -------
    str
        A ``<p>`` element.
    """
    return f'<p class="mw-note mw-{html.escape(kind)}"><strong>{html.escape(text)}</strong></p>'


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def overview_html(cohort: Cohort, title: str) -> str:
    """The heading and where the data came from.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.
    title : str
        The report's heading (escaped here).

    Returns
    -------
    str
        The heading and a fact sheet, with a warning when there is no data at all.
    """
    src = cohort.sources
    facts = [
        ("Data read from", str(src.root)),
        ("Layout", src.layout),
        ("Participants with a journal", len(cohort.participants)),
        ("Gradebook", "yes" if cohort.has_gradebook else "none yet"),
        ("Generated", cohort.generated_at),
    ]
    body = html_table(None, facts)
    if not cohort.participants and not cohort.grades:
        body += message_html(no_data_message(src), "warning")
    return f"<h1>{html.escape(title)}</h1>{body}"


def completion_html(cohort: Cohort) -> str:
    """How far people got: the funnel chart and its table.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    str
        The section's HTML.
    """
    if not cohort.participants:
        return message_html("No journals yet, so there is nothing to count.")
    rows = completion(cohort)
    first, last = rows[0], rows[-1]
    alt = (f"Bar chart of participants per step. {first.completed} of {first.participants} "
           f"completed step {first.number:02d}; {last.completed} completed step "
           f"{last.number:02d}.")
    table = html_table(["Step", "Started", "Check passed", "Completion"],
                       [(f"{r.number:02d} {r.title}", r.started, r.completed, f"{r.rate:.0%}")
                        for r in rows])
    return figure_html(figure_completion(rows), alt) + table


def autograde_html(cohort: Cohort) -> str:
    """The autograded checks: a histogram of each participant's share of the points.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    str
        The section's HTML, or a "No grades yet" note.
    """
    if not cohort.has_gradebook:
        return message_html(f"{NO_GRADES}: this folder has no gradebook. Run "
                            "mentor-workshop autograde on a course to fill this in.")
    totals = autograde_totals(cohort)
    if not totals:
        return message_html(f"{NO_GRADES}: nothing has been autograded in this course.")
    values = [t["percent"] for t in totals]
    fig = figure_histogram(values, range(0, 101, 10), "share of check points earned (%)",
                           f"Autograded checks, {_plural(len(values), 'participant')}")
    alt = (f"Histogram of autograded check scores for {len(values)} participants; median "
           f"{statistics.median(values):.0f}%.")
    table = html_table(
        ["Participants", "Median", "Lowest", "Highest"],
        [(len(values), f"{statistics.median(values):.0f}%", f"{min(values):.0f}%",
          f"{max(values):.0f}%")])
    return figure_html(fig, alt) + table


def rubric_html(cohort: Cohort) -> str:
    """The reflections: score histogram, heat maps by step and by criterion, what is pending.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    str
        The section's HTML, or a "No grades yet" note.
    """
    if not cohort.has_gradebook:
        return message_html(f"{NO_GRADES}: reflections are graded in a course "
                            "(facilitator/grade_reflections.ipynb).")
    graded = reflection_scores(cohort)
    rubric = cohort.curriculum.rubric
    # a private reflection (step 07's by default) is not waiting for anyone: it is not graded
    pending = sum(1 for g in cohort.grades if g.kind == "reflection" and g.score is None
                  and not rubric.is_private(g.notebook))
    if not graded:
        return message_html(f"{NO_GRADES}: no reflection has been graded yet "
                            f"({_plural(pending, 'reflection')} waiting).")
    top = int(max(g.max_score for g in graded))
    scores = [g.score for g in graded if g.score is not None]
    parts = [figure_html(
        figure_histogram(scores, [x - 0.5 for x in range(top + 2)], "reflection score",
                         f"{_plural(len(scores), 'graded reflection')} (out of {top})"),
        f"Histogram of {len(scores)} reflection scores out of {top}; median "
        f"{statistics.median(scores):g}.")]
    heat = figure_rubric_heatmap(cohort)
    if heat is not None:
        parts.append(figure_html(heat, "Heat map of each participant's reflection score per "
                                 "step, as a share of the points; grey cells are not graded."))
    crit = figure_criteria_heatmap(cohort)
    if crit is not None:
        parts.append(figure_html(crit, "Heat map of each participant's average level on each "
                                 "rubric criterion."))
    if pending:
        parts.append(message_html(f"{_plural(pending, 'reflection')} still to grade."))
    return "".join(parts)


def signals_html(cohort: Cohort) -> str:
    """Feedback on draft requests: each signal's share of good, consider and problem.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    str
        The section's HTML, or a note when nobody wrote a draft yet.
    """
    rows = signal_rates(cohort)
    if not rows:
        return message_html("No draft requests in the journals yet (steps 03 and 05).")
    fig = figure_signals(rows)
    alt = "Stacked bars per feedback signal showing the share of drafts rated good, consider " \
          "or problem, for first drafts and revisions."
    table = html_table(
        ["Draft", "Signal", "Drafts", "Good", "Consider", "Problem"],
        [(r.source, r.signal.replace("_", " "), r.drafts, f"{r.share('good'):.0%}",
          f"{r.share('consider'):.0%}", f"{r.share('problem'):.0%}") for r in rows])
    return (figure_html(fig, alt) if fig is not None else "") + table


def beliefs_html(cohort: Cohort, top: int = 8) -> str:
    """The limiting beliefs people tested in step 02, with confidence before and after.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.
    top : int
        How many beliefs to show.

    Returns
    -------
    str
        The section's HTML, or a note when no belief is recorded yet.
    """
    rows = common_beliefs(cohort, top)
    if not rows:
        return message_html("No beliefs recorded yet (step 02).")
    fig = figure_beliefs(rows)
    alt = f"Bar chart of the {len(rows)} most common limiting beliefs; the most common, held " \
          f"by {rows[0].participants}, is: {rows[0].belief}"
    table = html_table(
        ["Belief", "From the list", "Participants", "Sure before (mean %)",
         "Sure after (mean %)"],
        [(r.belief, "yes" if r.from_bank else "own words", r.participants, r.before, r.after)
         for r in rows])
    return (figure_html(fig, alt) if fig is not None else "") + table


def notes_html(cohort: Cohort) -> str:
    """What the report had to leave out (damaged journals, an unreadable gradebook).

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    str
        A list of the notes, or a line saying every journal could be read.
    """
    if not cohort.notes:
        return message_html("Every journal could be read.")
    items = "".join(f"<li>{html.escape(n)}</li>" for n in cohort.notes)
    return f'<ul class="mw-notes">{items}</ul>'


def show(fragment: str) -> None:
    """Display a section's HTML in the notebook (with a plain-text fallback).

    Parameters
    ----------
    fragment : str
        HTML from one of the ``*_html`` functions.

    Returns
    -------
    None
    """
    text = re.sub(r"<[^>]+>", " ", fragment)
    display({"text/html": fragment, "text/plain": html.unescape(re.sub(r"\s+", " ", text))},
            raw=True)
