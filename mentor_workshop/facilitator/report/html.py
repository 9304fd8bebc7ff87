"""The cohort report as one self-contained HTML file: run the notebook, export it offline.

Why a notebook in the middle: ``facilitator/cohort_report.ipynb`` is the report's layout, and a
facilitator may copy and adapt it. :func:`build_report` runs it (or the adapted copy) through the
batch engine with the source folder as a parameter, then :func:`render_html` exports the result
with code hidden and every image embedded.

Why no network: the page is shared and may be opened anywhere, and a page that loads a CDN tells
a third party who is reading it. The export uses a template without require.js, MathJax or the
widget manager, and refuses to write a page in which
:func:`~mentor_workshop.core.safe_html.remote_references` still finds anything.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mentor_workshop.core import resources
from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.core.safe_html import harden_page, remote_references
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.batch import Job, run_job
from mentor_workshop.facilitator.report.gather import discover, no_data_message, read_grades

__all__ = ["SKIP_TAG", "ReportResult", "build_report", "render_html", "report_notebook"]

#: The lab template minus everything that loads from the network (require.js, MathJax,
#: mermaid, widget manager): the report must open offline and leak no visit to a CDN.
_TEMPLATE_NAME = "mw_cohort_report.html.j2"
#: Cells with this tag (notes on adapting the notebook) are left out of the HTML.
SKIP_TAG = "report-skip"
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}
<style type="text/css">
.mw-table { border-collapse: collapse; margin: 0.5em 0 1.2em; font-size: 0.9em; }
.jp-RenderedHTMLCommon table.mw-table th, .jp-RenderedHTMLCommon table.mw-table td {
  border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
.mw-table thead th { background: #f2f2f2; }
.mw-figure { margin: 0.5em 0; }
.mw-note { padding: 0.4em 0.8em; border-left: 4px solid #0072B2; background: #f3f8fc; }
.mw-warning { border-left-color: #D55E00; background: #fdf3ec; }
</style>
{%- endblock extra_css -%}
"""


def report_notebook() -> Path:
    """The report notebook shipped with the kit (a facilitator may copy and adapt it).

    Returns
    -------
    Path
        ``facilitator/cohort_report.ipynb`` in the installed kit.
    """
    return resources.facilitator_dir() / "cohort_report.ipynb"


def render_html(notebook: Any, title: str) -> str:
    """Export an executed notebook to self-contained HTML: inputs hidden, no stderr, no CDN.

    Parameters
    ----------
    notebook : nbformat.NotebookNode or dict
        The executed report notebook (changed in place: skipped cells and stderr are removed).
    title : str
        The page's title.

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    UserError
        When the page would still load something from the network (it is not returned).
    """
    # deferred: nbformat's schema validator takes over a second to import, and the report's
    # kernel and the CLI open courses without reading a notebook
    # Deferred: nbconvert takes over a second to import, and the report notebook's kernel
    # imports this package on every run without ever exporting.
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.from_dict(notebook) if isinstance(notebook, dict) else notebook
    nb.cells = [c for c in nb.cells if SKIP_TAG not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            # Warnings and tracebacks are for the notebook's author, not the report's readers.
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    exporter = HTMLExporter(
        template_name="lab",
        template_file=_TEMPLATE_NAME,
        extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        mathjax_url="",
        require_js_url="",
    )
    page, _ = exporter.from_notebook_node(nb)
    remote = remote_references(page)
    if remote:  # the template changed under us: refuse rather than ship a page that phones home
        raise UserError("The exported report would load files from the internet "
                        f"({', '.join(sorted(set(remote))[:3])}); it was not written. Please "
                        "report this as a bug.")
    return harden_page(page)  # no script runs, nothing is fetched, text shows in reading order


@dataclass(frozen=True)
class ReportResult:
    """Where the report went, how many participants it covers and how long it took."""

    out: Path
    participants: int
    seconds: float
    notebook: Path | None = None


def build_report(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    title: str = "Cohort report",
    notebook_out: str | os.PathLike[str] | None = None,
    input_notebook: str | os.PathLike[str] | None = None,
    timeout: float = 600.0,
    cell_timeout: float = 300.0,
) -> ReportResult:
    """Execute the report notebook on ``source`` and write self-contained HTML to ``out``.

    Parameters
    ----------
    source : str or PathLike
        A course folder or a folder of journals.
    out : str or PathLike
        The HTML file to write (atomically).
    title : str
        The report's heading and page title.
    notebook_out : str or PathLike, optional
        Where to keep the executed notebook as well.
    input_notebook : str or PathLike, optional
        An adapted report notebook to run instead of the kit's.
    timeout : float
        Seconds the whole notebook may take.
    cell_timeout : float
        Seconds one cell may take.

    Returns
    -------
    ReportResult
        The file written, the number of journals, the time taken and the executed notebook.

    Raises
    ------
    UserError
        When there is nothing to report on, ``out`` is a folder, or the notebook fails (the
        message names the cell and, with ``notebook_out``, where to look at it).
    """
    # deferred: nbformat's schema validator takes over a second to import, and the report's
    # kernel and the CLI open courses without reading a notebook
    import nbformat

    started = time.monotonic()
    sources = discover(source)
    if sources.empty or (not sources.journals and not read_grades(sources, [])[0]):
        raise UserError(no_data_message(sources))
    notebook_in = Path(input_notebook) if input_notebook else report_notebook()
    if not notebook_in.is_file():
        raise UserError(f"The report notebook {notebook_in} is missing; reinstall the kit.")
    out_path = Path(out).expanduser()
    if out_path.is_dir():
        raise UserError(f"{out_path} is a folder; give a file name such as report.html.")

    with tempfile.TemporaryDirectory(prefix="mw-report-run-") as work:
        executed = Path(notebook_out).expanduser() if notebook_out else Path(work) / "report.ipynb"
        job = Job(input_path=notebook_in, output_path=executed, cwd=Path(work), name="report",
                  parameters={"source_dir": str(sources.root), "title": title},
                  timeout=timeout, cell_timeout=cell_timeout)
        previous = os.environ.get("MPLBACKEND")
        os.environ["MPLBACKEND"] = "Agg"  # inherited by the kernel: never look for a display
        try:
            result = run_job(job)
        finally:
            if previous is None:
                os.environ.pop("MPLBACKEND", None)
            else:
                os.environ["MPLBACKEND"] = previous
        if not result.succeeded:
            where = f" The executed notebook is at {executed}." if notebook_out else (
                " Add --notebook PATH to keep the executed notebook and see the error.")
            raise UserError(f"The report notebook did not run: {result.error}.{where}")
        page = render_html(nbformat.read(executed, as_version=4), title)
    write_text_atomic(out_path, page)
    return ReportResult(out_path, len(sources.journals), round(time.monotonic() - started, 2),
                        Path(notebook_out) if notebook_out else None)
