"""Per-participant feedback pages through nbgrader, safe to hand out.

Why not ``nbgrader generate_feedback`` as it is: nbgrader restores hidden tests into
``autograded/`` and its feedback renders them; it renders participants' markdown and outputs as
live HTML; and its template pulls MathJax from a CDN. The kit's pages have hidden tests removed
(tracebacks keep only the error's name and message), participant text escaped, and nothing
loaded from the internet, so they open offline and tell no third party who reads them. A page
that would still reach the network is deleted rather than handed out.

nbgrader and nbconvert take seconds to import, so the preprocessor and exporter classes built on
them are made on first use by the ``_*_class()`` factories below.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from mentor_workshop.core.safe_html import (
    escape_markdown,
    harden_page,
    remote_references,
    sanitize_html,
)
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.course.config import log_tail, open_course

__all__ = ["FeedbackReport", "feedback"]


def _hide_hidden_tests_class() -> type:
    from nbgrader import utils  # nbgrader is slow to import: see the module docstring
    from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

    class HideHiddenTests(NbGraderPreprocessor):
        """Remove hidden test code, and what it could reveal in outputs, from feedback.

        nbgrader restores hidden tests into ``autograded/`` and its feedback renders them; a
        traceback from a test would show the test code too, so errors keep only their name
        and message.
        """

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
            if cell.cell_type != "code" or not utils.is_grade(cell):
                return cell, resources
            clearer = ClearHiddenTests(parent=self, enforce_metadata=False)
            if clearer._remove_hidden_test_region(cell):
                kept = []
                for output in cell.get("outputs", []):
                    if output.output_type == "execute_result":
                        output.data = {"text/plain": output.data.get("text/plain", "")}
                        kept.append(output)
                    elif output.output_type == "error":
                        output.traceback = [f"{output.ename}: {output.evalue}"]
                        kept.append(output)
                cell.outputs = kept
            return cell, resources

    return HideHiddenTests


_UNSAFE_MIME = (
    "text/html", "text/markdown", "text/latex", "image/svg+xml", "application/javascript",
    "application/vnd.jupyter.widget-view+json",
)
#: Forms no output keeps, even a locked cell's: they render as live markup nh3 cannot vouch
#: for (Markdown passes raw HTML through; SVG can carry script), or they are script.
_NEVER_RENDERED = (
    "text/markdown", "text/latex", "image/svg+xml", "application/javascript",
    "application/vnd.jupyter.widget-view+json",
)


def _escape_participant_class() -> type:
    from nbgrader import utils  # nbgrader is slow to import: see the module docstring
    from nbgrader.preprocessors import NbGraderPreprocessor

    class EscapeParticipantText(NbGraderPreprocessor):
        """Show what a participant wrote as text, never as live HTML or script.

        Markdown the participant could edit (reflections, cells they added) has its HTML
        escaped; outputs of cells they could edit lose their HTML/JS/SVG forms and keep plain
        text. Locked cells were restored from the source before grading, but they ran after
        the participant's own code, which can make them print anything: their HTML is kept
        only as nh3 rebuilds it from an allow-list, and their other live forms go.
        """

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
            trusted = utils.is_locked(cell) and not utils.is_solution(cell)
            if cell.cell_type in ("markdown", "raw") and not trusted:
                cell.source = escape_markdown(cell.source)
                cell.attachments = {}
            elif cell.cell_type == "code":
                for output in cell.get("outputs", []):
                    if output.output_type in ("display_data", "execute_result"):
                        data = output.get("data", {})
                        for mime in _UNSAFE_MIME if not trusted else _NEVER_RENDERED:
                            data.pop(mime, None)
                        if "text/html" in data:
                            data["text/html"] = sanitize_html(_joined(data["text/html"]))
                        if not data:
                            data["text/plain"] = ""
            return cell, resources

    return EscapeParticipantText


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


#: Replaces nbconvert's ``mathjax.html.j2`` for feedback pages. nbgrader's feedback template
#: calls ``mathjax()`` with no URL, so nbconvert's ``mathjax_url`` cannot turn it off and the page
#: would fetch MathJax from a CDN. The workshop has no formulas; a ``$`` in an answer stays a ``$``.
_OFFLINE_MATHJAX = "{%- macro mathjax(url='') -%}{%- endmacro %}"
_SCRIPT_WITH_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=[^>]*>.*?</script\s*>", re.I | re.S)
_REMOTE_LINK = re.compile(
    r"""<a\b[^>]*?\shref\s*=\s*(["'])\s*((?:https?:)?//[^"']*)\1[^>]*>(.*?)</a\s*>""",
    re.I | re.S)
_REMOTE_ATTRIBUTE = re.compile(
    r"""\s(?:src|srcset|href|action)\s*=\s*(["'])\s*(?:https?:)?//[^"']*\1""", re.I)
_TAG = re.compile(r"<[^>]*>")


def _unlink(match: re.Match[str]) -> str:
    """A web link as text: the reader still sees where it pointed, nothing is fetched."""
    address = html.unescape(match.group(2))
    text = match.group(3)
    shown = html.unescape(_TAG.sub("", text)).strip()
    suffix = "" if unquote(shown) == unquote(address) else f" ({html.escape(address)})"
    return f'<span class="mw-offline-link">{text}{suffix}</span>'


def _make_offline(page: str) -> str:
    """Take out of a feedback page everything that would reach the network when opened.

    Participants' markdown becomes links and images (``![x](https://...)`` is a tracking pixel
    as far as the reader is concerned), and templates add CDN scripts. Links become text with
    their address; images keep their alt text; scripts from files go.
    """
    page = _SCRIPT_WITH_SRC.sub("", page)
    page = _REMOTE_LINK.sub(_unlink, page)
    return _REMOTE_ATTRIBUTE.sub("", page)


#: Appended to the feedback page's ``<head>``, after nbconvert's and nbgrader's styles, so it wins.
#: Their template fails WCAG AA (axe-core's sweep in ``tests/browser`` found it): links #337ab7
#: on the grey panels (4.2:1), grey "top" links on blue headings (2.4:1), pygments' comment teal
#: (4.46:1), links told from the text around them by colour alone, and long output lines in
#: boxes that scroll but cannot be reached by keyboard. Only colours, underlines and line
#: wrapping change; the layout is nbgrader's.
_ACCESSIBLE_CSS = """<style type="text/css">
/* mentor-workshop: WCAG AA contrast and underlined links */
a, a:visited { color: #1f5a8c; text-decoration: underline; }
a:hover, a:focus { color: #123a5c; }
.panel-primary > .panel-heading { background-color: #1f5a8c; border-color: #1f5a8c; }
.panel-primary > .panel-heading a, .panel-primary > .panel-heading .pull-right a { color: #fff; }
.panel-primary { border-color: #1f5a8c; }
.highlight .c, .highlight .c1, .highlight .ch, .highlight .cm, .highlight .cp,
.highlight .cpf, .highlight .cs { color: #2f6262; }
/* long lines wrap instead of scrolling: a scrolling box needs the keyboard to reach it */
.input_area pre, .output_area pre { white-space: pre-wrap; overflow-wrap: anywhere; }
</style>
"""
_HTML_TAG = re.compile(r"<html\b(?![^>]*\blang\s*=)", re.I)


def _make_accessible(page: str, lang: str = "en") -> str:
    """Say the page's language and restyle what fails WCAG AA in nbgrader's feedback template.

    A screen reader needs ``lang`` to pronounce the page; the styles are in ``_ACCESSIBLE_CSS``.

    Parameters
    ----------
    page : str
        The feedback page's HTML, as nbconvert wrote it.
    lang : str, default "en"
        The page's language (the workshop is written in English).

    Returns
    -------
    str
        The page with ``lang`` on ``<html>`` and the accessible styles last in ``<head>``.
    """
    page = _HTML_TAG.sub(f'<html lang="{lang}"', page, count=1)
    head_end = page.lower().find("</head>")
    if head_end < 0:
        return page
    return page[:head_end] + _ACCESSIBLE_CSS + page[head_end:]


def _offline_exporter_class() -> type:
    import jinja2  # with nbconvert, slow to import: see the module docstring
    from nbconvert.exporters import HTMLExporter
    from traitlets import default

    class OfflineFeedbackExporter(HTMLExporter):
        """nbgrader's feedback HTML with every script and style the page needs inside it.

        Participants open feedback on a train or behind a firewall, and a page that calls a CDN
        tells a third party who is reading it. nbgrader already inlines its CSS; this drops the
        CDN scripts (MathJax here; require.js and jQuery should a course switch to another
        template) and disarms links and images in what participants wrote (``_make_offline``).
        """

        @default("extra_loaders")
        def _offline_loaders(self) -> list[Any]:
            return [jinja2.DictLoader({"mathjax.html.j2": _OFFLINE_MATHJAX})]

        @default("mathjax_url")
        def _no_mathjax(self) -> str:
            return ""

        @default("require_js_url")
        def _no_require_js(self) -> str:
            return ""

        @default("jquery_url")
        def _no_jquery(self) -> str:
            return ""

        def from_notebook_node(self, nb: Any, resources: Any = None,
                               **kw: Any) -> tuple[str, Any]:
            output, resources = super().from_notebook_node(nb, resources, **kw)
            return harden_page(_make_accessible(_make_offline(output))), resources

    return OfflineFeedbackExporter


def _keep_if_offline(page: Path) -> str | None:
    """Delete ``page`` and say why if it would load anything from the network.

    The last line of defence: a course config with another template, or a new nbgrader, could
    bring CDN links back; such a page is not handed out.
    """
    text = page.read_text(encoding="utf-8", errors="replace")
    remote = sorted(set(remote_references(text)))
    if re.search(r"<script[^>]*\ssrc\s*=\s*[\"']?[^\s\"'>]", text, re.IGNORECASE):
        remote.append("<script src=...>")
    if not remote:
        return None
    page.unlink()
    return (f"{page.name} would load files from the internet ({', '.join(remote[:3])}), so it "
            "was deleted; check the HTMLExporter settings in the course's nbgrader config")




@dataclass
class FeedbackReport:
    """The feedback pages written, and the participants for whom none could be."""

    assignment: str
    files: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as lines to print: a count, then one line per failure.

        Returns
        -------
        list of str
            The lines.
        """
        students = sorted({p.parent.parent.name for p in self.files})
        out = [f"Wrote feedback for {len(students)} participants under feedback/."]
        out += [f"Could not write feedback for {s}" for s in self.failed]
        return out


def feedback(
    course_dir: str | os.PathLike[str],
    assignment: str | None = None,
    participants: Sequence[str] | None = None,
) -> FeedbackReport:
    """Per-participant feedback HTML through nbgrader, safe to hand out.

    Parameters
    ----------
    course_dir : str or path-like
        The course folder.
    assignment : str, optional
        The assignment (default: the course's only one, or the kit's).
    participants : sequence of str, optional
        Only these participants (default: everyone autograded).

    Returns
    -------
    FeedbackReport
        The pages written under ``feedback/ID/ASSIGNMENT/`` and what failed.

    Raises
    ------
    UserError
        A named participant, or everyone, is not autograded yet.
    """
    # nbgrader and nbconvert are slow to import: see the module docstring
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    course = open_course(course_dir)
    assignment = course.pick_assignment(assignment)
    graded = course.students_in("autograded", assignment)
    if participants:
        unknown = sorted(set(participants) - set(graded))
        if unknown:
            raise UserError("Not autograded yet: " + ", ".join(unknown))
        graded = [p for p in graded if p in set(participants)]
    if not graded:
        raise UserError("Nothing is autograded yet; run `mentor-workshop autograde` first.")
    api = course.api(GenerateFeedback={
        "preprocessors": [GetGrades, _hide_hidden_tests_class(), _escape_participant_class(),
                          CSSHTMLHeaderPreprocessor],
        "exporter_class": _offline_exporter_class(),
    })
    report = FeedbackReport(assignment)
    for student in graded:
        result = api.generate_feedback(assignment, student, force=True)
        if not result.get("success"):
            report.failed.append(f"{student}: {log_tail(result, 3)}")
            continue
        for page in sorted(course.path("feedback", student, assignment).glob("*.html")):
            problem = _keep_if_offline(page)
            if problem:
                report.failed.append(f"{student}: {problem}")
            else:
                report.files.append(page)
    return report
