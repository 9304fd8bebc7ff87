"""HTML the kit writes that neither phones home nor runs what a participant typed.

Why one module: the cohort report, the per-participant feedback pages and the participant's
plan are HTML that hold participants' text. All must open offline (a page that loads a CDN
tells a third party who is reading it) and all must show a participant's words as words. One
set of rules keeps every page honest in the same way; it lives in core because no page's module
should import another's. The layers, outermost first:

* :data:`CSP`, put in every page's head by :func:`harden_page`: the browser itself refuses to
  run any script or fetch anything from the network, whatever slipped through below;
* :func:`sanitize_html`: HTML produced while running a hand-in (any cell's output: a locked
  cell can print whatever earlier participant code made it print) is cleaned by ammonia (the
  ``nh3`` binding), an allow-list parser, never by regexes;
* :func:`escape_markdown` and :func:`block_active_links`: Markdown a participant wrote shows as
  text, and ``javascript:`` (and other active-scheme) links lead nowhere;
* :func:`neutralize_bidi`: bidirectional control characters, which can make text display in
  another order than it reads (a name that looks like someone else's, "Trojan Source"), are
  removed from names and text;
* :func:`remote_references`: the last check, that refuses a page that would still load anything.
"""

from __future__ import annotations

import html
import re

__all__ = [
    "CSP",
    "CSP_META",
    "block_active_links",
    "escape_markdown",
    "harden_page",
    "neutralize_bidi",
    "remote_references",
    "sanitize_html",
]

#: What every page the kit writes allows itself: inline styles and embedded images, nothing else
#: (no script at all, no fonts, no frames, no request to any server).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

#: Bidirectional embedding, override and isolate controls, and the implicit marks.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: A Markdown link or link definition to a scheme that runs something when clicked.
_UNSAFE_SCHEMES = r"(?:javascript|vbscript|data|file|livescript|mocha)"
_ACTIVE_MD_LINK = re.compile(r"(\]\(\s*<?|^\s*\[[^\]\n]*\]:\s*<?)" + r"(\s*)"
                             + _UNSAFE_SCHEMES + r"\s*:", re.I | re.M)
_HEAD_OPEN = re.compile(r"<head\b[^>]*>", re.I)
_HTML_OPEN = re.compile(r"<html\b[^>]*>", re.I)
_DOCTYPE = re.compile(r"\s*<!doctype[^>]*>", re.I)

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "*": {"class", "title", "role", "aria-label", "aria-hidden", "aria-describedby",
          "aria-labelledby", "style", "id", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "scope", "headers"},
    "ol": {"start"},
}
#: Style properties kept in an output's inline styles: layout and colour, never a URL.
_STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "font-family",
    "text-align", "text-decoration", "margin", "margin-top", "margin-bottom", "margin-left",
    "margin-right", "padding", "padding-top", "padding-bottom", "padding-left",
    "padding-right", "border", "border-left", "border-right", "border-top", "border-bottom",
    "border-radius", "border-color", "border-collapse", "display", "width", "max-width",
    "white-space", "vertical-align", "line-height", "opacity", "list-style-type",
}
_DATA_IMAGE = re.compile(r"^\s*data:image/(?:png|jpe?g|gif|webp);base64,", re.I)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Images only from data embedded in the page; everything else as ammonia allowed it."""
    if tag == "img" and attribute == "src":
        return value if _DATA_IMAGE.match(value) else None
    return value


def sanitize_html(fragment: str) -> str:
    """An HTML fragment made while running a hand-in, reduced to harmless markup.

    Parameters
    ----------
    fragment : str
        The HTML (a cell output's ``text/html``).

    Returns
    -------
    str
        The fragment parsed and rebuilt by ammonia with an allow-list: text formatting,
        lists, tables and figures stay; scripts, styles sheets, forms, frames, event handlers,
        ``javascript:`` links and images from anywhere but the page itself go; bidirectional
        controls are removed.
    """
    import nh3  # deferred: only pages that show outputs need it

    return nh3.clean(
        neutralize_bidi(fragment), tags=_TAGS, clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES, attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto", "data"},
        filter_style_properties=_STYLE_PROPERTIES, link_rel="noopener noreferrer nofollow",
    )


def neutralize_bidi(text: str) -> str:
    """Remove bidirectional control characters from text shown to a reader.

    Parameters
    ----------
    text : str
        A name, an answer, or a whole page (the controls have no structural meaning in HTML,
        so removing them anywhere is safe).

    Returns
    -------
    str
        The text without U+202A–U+202E, U+2066–U+2069, U+200E, U+200F and U+061C. Right-to-left
        scripts still display correctly: their direction comes from the letters themselves.
    """
    return _BIDI.sub("", text)


def block_active_links(markdown: str) -> str:
    """Point Markdown links and link definitions to active schemes at ``#blocked:``.

    Parameters
    ----------
    markdown : str
        Markdown text (already HTML-escaped, or to be).

    Returns
    -------
    str
        The text with ``](javascript:...)``, ``](vbscript:...)``, ``](data:...)``,
        ``](file:...)`` and the same in ``[label]: ...`` definitions made harmless; the rest
        is unchanged.
    """
    return _ACTIVE_MD_LINK.sub(lambda m: f"{m.group(1)}{m.group(2)}#blocked:", markdown)


def harden_page(page: str) -> str:
    """A whole page made to refuse scripts and the network, and to show text in reading order.

    Parameters
    ----------
    page : str
        A complete HTML document.

    Returns
    -------
    str
        The page with :data:`CSP_META` as the first element of its head (a policy in a meta
        element only counts there) and bidirectional controls removed.
    """
    page = neutralize_bidi(page)
    head = _HEAD_OPEN.search(page)
    if head:
        return page[:head.end()] + CSP_META + page[head.end():]
    opened = _HTML_OPEN.search(page) or _DOCTYPE.match(page)
    where = opened.end() if opened else 0
    return page[:where] + f"<head>{CSP_META}</head>" + page[where:]

_REMOTE = re.compile(
    r"""(?:(?:src|href|srcset|action)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//)""",
    re.IGNORECASE)


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
        The text with ``<``, ``>`` and ``&`` escaped, bidirectional controls removed, and
        links or images to ``javascript:``, ``vbscript:``, ``data:`` or ``file:`` pointed at
        ``#blocked:`` (they would still run when clicked).
    """
    escaped = html.escape(neutralize_bidi(text), quote=False)
    return block_active_links(escaped)
