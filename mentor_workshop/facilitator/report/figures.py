"""The report's charts, drawn with matplotlib and embedded as PNG data URIs.

Why matplotlib's object API (``Figure``, never ``pyplot``): no global state and no GUI backend,
so the same code runs in a kernel, a worker or a test. Each figure becomes PNG bytes here and is
embedded as a data URI with alt text, which keeps the exported HTML self-contained and readable
with a screen reader.

Participant text (custom beliefs, ids taken from folder names) has ``$`` escaped before it
reaches matplotlib, which would otherwise read it as maths.
"""

from __future__ import annotations

import base64
import html
import io
import math
import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from mentor_workshop.facilitator.report.gather import Cohort
from mentor_workshop.facilitator.report.tables import (
    BeliefRow,
    SignalRow,
    StepCompletion,
    criteria_matrix,
    rubric_matrix,
)

__all__ = [
    "DONE_COLOUR",
    "LEVEL_COLOURS",
    "STARTED_COLOUR",
    "figure_beliefs",
    "figure_completion",
    "figure_criteria_heatmap",
    "figure_histogram",
    "figure_html",
    "figure_rubric_heatmap",
    "figure_signals",
    "png_bytes",
]

#: Colours that stay distinguishable with the common colour-vision deficiencies (Okabe & Ito).
LEVEL_COLOURS = {"good": "#009E73", "consider": "#E69F00", "problem": "#D55E00"}
STARTED_COLOUR = "#BBD7EC"
DONE_COLOUR = "#0072B2"


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def _plain_label(text: str, width: int = 40) -> str:
    """Participant text safe for a matplotlib label: no maths mode, wrapped."""
    text = text.replace("\\", "\\\\").replace("$", r"\$")
    return "\n".join(textwrap.wrap(text, width)[:3]) or " "


def figure_completion(rows: Sequence[StepCompletion]) -> Figure:
    """A funnel: one bar per step, completed (dark) over started (light).

    Parameters
    ----------
    rows : sequence of StepCompletion
        From :func:`~.tables.completion`.

    Returns
    -------
    matplotlib.figure.Figure
        The chart.
    """
    fig = _figure(8, 0.42 * len(rows) + 1.2)
    ax = fig.add_subplot()
    labels = [f"{r.number:02d} {r.title}" for r in rows]
    ypos = list(range(len(rows)))
    ax.barh(ypos, [r.started for r in rows], color=STARTED_COLOUR, label="started")
    ax.barh(ypos, [r.completed for r in rows], color=DONE_COLOUR, height=0.55,
            label="check passed")
    total = rows[0].participants if rows else 0
    for y, r in zip(ypos, rows, strict=True):
        ax.text(max(r.started, r.completed) + total * 0.01, y, f"{r.completed}/{total}",
                va="center", fontsize=9)
    ax.set_yticks(ypos, [_plain_label(x, 45) for x in labels], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, max(total, 1) * 1.12)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("participants")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def figure_histogram(values: Sequence[float], bins: Sequence[float], xlabel: str,
                     title: str) -> Figure:
    """A plain histogram (scores of the checks or of the reflections).

    Parameters
    ----------
    values : sequence of float
        The values to count.
    bins : sequence of float
        Bin edges.
    xlabel : str
        The x axis's label.
    title : str
        The chart's title.

    Returns
    -------
    matplotlib.figure.Figure
        The chart.
    """
    fig = _figure(6, 3)
    ax = fig.add_subplot()
    ax.hist(values, bins=list(bins), color=DONE_COLOUR, edgecolor="white")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    ax.set_title(title, fontsize=11)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _heatmap(people: Sequence[str], columns: Sequence[str],
             matrix: Sequence[Sequence[float | None]], title: str) -> Figure:
    data = np.ma.masked_invalid(np.array(
        [[math.nan if v is None else v for v in row] for row in matrix], dtype=float))
    fig = _figure(max(5.0, 0.75 * len(columns) + 2.5), max(2.5, 0.32 * len(people) + 1.6))
    ax = fig.add_subplot()
    cmap = colormaps["viridis"].with_extremes(bad="#eeeeee")
    image = ax.imshow(data, cmap=cmap, vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(columns)), [_plain_label(c, 14) for c in columns], fontsize=8)
    ax.set_yticks(range(len(people)), [_plain_label(p) for p in people], fontsize=8)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value is not None:
                ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=7,
                        color="black" if value > 0.55 else "white")
    ax.set_title(title, fontsize=11)
    fig.colorbar(image, ax=ax, label="share of points", shrink=0.8)
    return fig


def figure_rubric_heatmap(cohort: Cohort) -> Figure | None:
    """Each participant's reflection score per step, as a share of the points.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    matplotlib.figure.Figure or None
        The heat map, or None when no reflection is graded.
    """
    people, notebooks, matrix = rubric_matrix(cohort)
    if not people:
        return None
    return _heatmap(people, [n[:2] for n in notebooks], matrix,
                    "Reflection scores by step (grey: not graded)")


def figure_criteria_heatmap(cohort: Cohort) -> Figure | None:
    """Each participant's average level on each rubric criterion.

    Parameters
    ----------
    cohort : Cohort
        What :func:`~.gather.gather` read.

    Returns
    -------
    matplotlib.figure.Figure or None
        The heat map, or None when no graded reflection has rubric levels.
    """
    people, titles, matrix = criteria_matrix(cohort)
    if not people:
        return None
    return _heatmap(people, titles, matrix, "Rubric criteria, averaged over graded reflections")


def figure_signals(rows: Sequence[SignalRow]) -> Figure | None:
    """Stacked bars per signal: share of drafts rated good / consider / problem, per source.

    Parameters
    ----------
    rows : sequence of SignalRow
        From :func:`~.tables.signal_rates`.

    Returns
    -------
    matplotlib.figure.Figure or None
        One panel per draft source, or None when there are no rows.
    """
    sources = list(dict.fromkeys(r.source for r in rows))
    if not sources:
        return None
    signals = list(dict.fromkeys(r.signal for r in rows))
    fig = _figure(4.2 * len(sources) + 1.5, 0.38 * len(signals) + 1.6)
    axes = fig.subplots(1, len(sources), sharey=True, squeeze=False)[0]
    for ax, source in zip(axes, sources, strict=True):
        these = {r.signal: r for r in rows if r.source == source}
        left = [0.0] * len(signals)
        for level in ("good", "consider", "problem"):
            shares = [these[s].share(level) if s in these else 0.0 for s in signals]
            ax.barh(range(len(signals)), shares, left=left, color=LEVEL_COLOURS[level],
                    label=level)
            left = [a + b for a, b in zip(left, shares, strict=True)]
        drafts = next(iter(these.values())).drafts if these else 0
        ax.set_title(f"{source} ({drafts} drafts)", fontsize=10)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_yticks(range(len(signals)), [s.replace("_", " ") for s in signals], fontsize=9)
    axes[0].invert_yaxis()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=9, frameon=False)
    return fig


def figure_beliefs(rows: Sequence[BeliefRow]) -> Figure | None:
    """One bar per common belief; beliefs in participants' own words in orange.

    Parameters
    ----------
    rows : sequence of BeliefRow
        From :func:`~.tables.common_beliefs`.

    Returns
    -------
    matplotlib.figure.Figure or None
        The chart, or None when there are no rows.
    """
    if not rows:
        return None
    fig = _figure(8, 0.55 * len(rows) + 1.2)
    ax = fig.add_subplot()
    ax.barh(range(len(rows)), [r.participants for r in rows],
            color=[DONE_COLOUR if r.from_bank else LEVEL_COLOURS["consider"] for r in rows])
    ax.set_yticks(range(len(rows)), [_plain_label(r.belief, 48) for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("participants who tested it")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def png_bytes(fig: Figure) -> bytes:
    """The figure as a PNG file's bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.

    Returns
    -------
    bytes
        The PNG, at 100 dpi.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def figure_html(fig: Figure, alt: str, caption: str = "") -> str:
    """The figure as an <img> with a data URI (no files beside the report) and alt text.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to embed.
    alt : str
        What the figure shows, for screen readers (escaped here).
    caption : str
        An optional visible caption (escaped here).

    Returns
    -------
    str
        A ``<figure>`` element.
    """
    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (f'<figure class="mw-figure"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt, quote=True)}" style="max-width:100%">{cap}</figure>')
