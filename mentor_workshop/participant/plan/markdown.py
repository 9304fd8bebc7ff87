"""The plan as Markdown: readable as plain text, rendered cleanly by Jupyter or GitHub.

Why participant text is escaped even here: Markdown passes raw HTML through, so a ``<script>``
or a stray ``<div>`` typed into a field would be run or would swallow the rest of the plan in
any viewer. Escaping ``&``, ``<`` and ``>`` shows it as typed; a link to ``javascript:`` (or
another scheme that runs something) is pointed at ``#blocked:``.
"""

from __future__ import annotations

from mentor_workshop.core.safe_html import block_active_links, neutralize_bidi
from mentor_workshop.participant.plan.model import Plan

__all__ = ["to_markdown"]


def _md(text: str) -> str:
    """Participant text for Markdown: no raw HTML, no ``javascript:`` links, no bidirectional
    controls get through; line breaks are kept."""
    escaped = neutralize_bidi(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return block_active_links(escaped)


def _md_lines(text: str, indent: str) -> str:
    return ("  \n" + indent).join(_md(line) for line in text.splitlines())


def to_markdown(plan: Plan) -> str:
    """The plan as Markdown.

    Parameters
    ----------
    plan : Plan
        The built plan.

    Returns
    -------
    str
        The document, ending with one newline; sections still to write list each missing part
        as an unticked box.
    """
    out = ["# My mentorship plan", ""]
    if plan.participant.name:
        out += [f"**{_md(plan.participant.name)}**", ""]
    for note in plan.notes:
        out += [f"> **Note:** {_md_lines(note, '> ')}", ""]
    if plan.complete:
        out += ["Every part of the plan is written.", ""]
    else:
        out += [f"{len(plan.missing)} part(s) still to write — listed under each section.", ""]
    for section in plan.sections:
        out += [f"## {_md(section.title)}", ""]
        for item in section.items:
            if item.quote:
                out += [f"**{_md(item.label)}:**", ""]
                out += ["> " + (_md(line) if line.strip() else "") for line in
                        item.text.splitlines()]
                out.append("")
            elif item.lines:
                out += [f"**{_md(item.label)}:**", ""]
                out += [f"- {_md_lines(line, '  ')}" for line in item.lines]
                out.append("")
            else:
                out += [f"**{_md(item.label)}:** {_md_lines(item.text, '')}", ""]
        if section.missing:
            out += ["*Still to write:*", ""]
            out += [f"- [ ] {_md(str(m))}" for m in section.missing]
            out.append("")
    return "\n".join(out).rstrip() + "\n"

