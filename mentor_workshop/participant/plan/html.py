"""The plan as HTML: a printable page to keep, and a fragment for the notebook's preview.

Why the HTML is so plain: participants print it, mail it and open it years later. It carries its
own CSS (including print rules), no scripts and no outside resources, and every piece of
participant text is escaped, so a ``<script>`` typed into a field shows up as text.
"""

from __future__ import annotations

import html
from typing import Any

from mentor_workshop.core.safe_html import CSP_META, neutralize_bidi
from mentor_workshop.participant.plan.model import Item, Plan

__all__ = ["CSS", "to_html", "to_html_fragment"]


#: Scoped under .mw-plan so the notebook preview cannot restyle JupyterLab. JupyterLab's
#: variables keep the preview readable in dark themes; the fallbacks serve the printed file.
CSS = """
.mw-plan { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  line-height: 1.5; max-width: 46rem; margin: 0 auto; padding: 1rem;
  color: var(--jp-content-font-color1, #1a1a1a); background: var(--jp-layout-color0, #fff); }
.mw-plan h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
.mw-plan h2 { font-size: 1.2rem; margin: 1.6rem 0 .4rem; padding-bottom: .2rem;
  border-bottom: 2px solid var(--jp-brand-color1, #1565c0); }
.mw-plan .mw-plan-who { font-size: 1.1rem; margin: 0 0 .6rem; }
.mw-plan .mw-plan-status { margin: .4rem 0 1rem; }
.mw-plan .mw-plan-note { border-left: 4px solid var(--jp-warn-color1, #b26a00);
  padding: .3rem .8rem; margin: .6rem 0; }
.mw-plan dl { margin: 0; }
.mw-plan dt { font-weight: 600; margin-top: .6rem; }
.mw-plan dd { margin: .1rem 0 0 1.2rem; white-space: pre-wrap; }
.mw-plan dd ul { margin: .2rem 0; padding-left: 1.2rem; white-space: normal; }
.mw-plan dd li { white-space: pre-wrap; }
.mw-plan blockquote { margin: .3rem 0; padding: .5rem .9rem; white-space: pre-wrap;
  border-left: 4px solid var(--jp-border-color1, #999);
  background: var(--jp-layout-color2, #f3f3f3); }
.mw-plan .mw-plan-missing { margin: .6rem 0 0; padding: .4rem .8rem;
  border: 1px dashed var(--jp-border-color1, #888); border-radius: 4px; }
.mw-plan .mw-plan-missing p { margin: 0; font-weight: 600; }
.mw-plan .mw-plan-missing ul { margin: .2rem 0; padding-left: 1.2rem; }
.mw-plan .mw-plan-done { margin: .4rem 0 0; font-style: italic; }
@media print {
  @page { margin: 18mm; }
  .mw-plan { max-width: none; padding: 0; color: #000; background: #fff; font-size: 11pt; }
  .mw-plan h2 { break-after: avoid; page-break-after: avoid; border-color: #000; }
  .mw-plan dt { break-after: avoid; page-break-after: avoid; }
  .mw-plan blockquote, .mw-plan li, .mw-plan .mw-plan-missing {
    break-inside: avoid; page-break-inside: avoid; background: none; }
}
"""


def _esc(value: Any) -> str:
    return html.escape(neutralize_bidi("" if value is None else str(value)))


def _item_html(item: Item) -> str:
    if item.quote:
        body = f"<blockquote>{_esc(item.text)}</blockquote>"
    elif item.lines:
        body = "<ul>" + "".join(f"<li>{_esc(line)}</li>" for line in item.lines) + "</ul>"
    else:
        body = _esc(item.text)
    return f"<dt>{_esc(item.label)}</dt><dd>{body}</dd>"


def _body_html(plan: Plan) -> str:
    parts = ['<div class="mw-plan"><header><h1>My mentorship plan</h1>']
    if plan.participant.name:
        parts.append(f'<p class="mw-plan-who">{_esc(plan.participant.name)}</p>')
    status = ("✔ Every part of the plan is written." if plan.complete else
              f"{len(plan.missing)} part(s) still to write — each section says which "
              "notebook to open.")
    parts.append(f'<p class="mw-plan-status" role="status">{_esc(status)}</p></header>')
    for note in plan.notes:
        parts.append(f'<p class="mw-plan-note" role="note"><strong>Note:</strong> {_esc(note)}</p>')
    for section in plan.sections:
        heading = f"mw-plan-{_esc(section.id)}"
        parts.append(f'<section aria-labelledby="{heading}"><h2 id="{heading}">'
                     f"{_esc(section.title)}</h2>")
        if section.items:
            parts.append("<dl>" + "".join(_item_html(i) for i in section.items) + "</dl>")
        if section.missing:
            rows = "".join(f"<li>{_esc(m)}</li>" for m in section.missing)
            parts.append('<div class="mw-plan-missing"><p>Still to write:</p>'
                         f"<ul>{rows}</ul></div>")
        else:
            parts.append('<p class="mw-plan-done">✔ This part is complete.</p>')
        parts.append("</section>")
    parts.append("</div>")
    return "".join(parts)


def to_html_fragment(plan: Plan) -> str:
    """The plan for display inside a notebook: scoped styles plus the body, no page frame.

    Parameters
    ----------
    plan : Plan
        The built plan.

    Returns
    -------
    str
        A ``<style>`` element and the plan's ``<div class="mw-plan">``.
    """
    return f"<style>{CSS}</style>{_body_html(plan)}"


def to_html(plan: Plan) -> str:
    """A self-contained printable page: inline CSS, no scripts, nothing fetched from outside.

    Parameters
    ----------
    plan : Plan
        The built plan.

    Returns
    -------
    str
        A complete HTML document, ending with one newline.
    """
    title = "My mentorship plan"
    if plan.participant.name:
        title += f" — {plan.participant.name}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"{CSP_META}\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n<main>{_body_html(plan)}</main>\n</body>\n</html>\n"
    )

