"""HTML the kit writes that neither phones home nor runs what a participant typed.

Why one module: the cohort report and the per-participant feedback pages are both HTML made by
nbconvert from notebooks that hold participants' text. Both must open offline (a page that
loads a CDN tells a third party who is reading it) and both must show a participant's words as
words. One definition of "would load something from the network" keeps the two pages honest in
the same way; it lives in core because neither page's module should import the other's.
"""

from __future__ import annotations

import html
import re

__all__ = ["escape_markdown", "remote_references"]

_REMOTE = re.compile(
    r"""(?:(?:src|href|srcset|action)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//)""",
    re.IGNORECASE)
#: Link targets that run something when clicked, in a markdown ``](...)`` link or image.
_ACTIVE_LINK = re.compile(r"\]\(\s*(?:javascript|vbscript|data):", re.I)


def remote_references(page: str) -> list[str]:
    """Attributes in ``page`` that would load something from the network.

    Parameters
    ----------
    page : str
        An HTML page.

    Returns
    -------
    list of str
        The start of each reference found (``src="https://``, ``url(//``, ``@import "``...),
        in page order; empty when the page opens offline.
    """
    return [m.group(0) for m in _REMOTE.finditer(page)]


def escape_markdown(text: str) -> str:
    """Markdown a participant wrote, made safe to render: HTML escaped, active links blocked.

    Parameters
    ----------
    text : str
        The markdown source of a cell the participant could edit.

    Returns
    -------
    str
        The text with ``<``, ``>`` and ``&`` escaped, and links or images to ``javascript:``,
        ``vbscript:`` or ``data:`` pointed at ``#blocked:`` (they would still run when clicked).
    """
    escaped = html.escape(text, quote=False)
    return _ACTIVE_LINK.sub("](#blocked:", escaped)
