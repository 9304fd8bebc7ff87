"""Shared fixtures and helpers: journals, widget trees, notebooks run for real, fresh kernels.

Test modules import the helpers with ``from conftest import ...``. They live here, once, because
every step's tests drive the same things — a journal written the way widgets write it, a widget
found by its CSS class the way a browser test finds it, a notebook executed the way nbgrader
executes it — and a fix to one of those belongs in every test at once.
"""

from __future__ import annotations

# First, before nbformat: the facilitator package's import rule (jsonschema without its IRI
# parsers; see mentor_workshop/facilitator/__init__.py), so the tests load nbformat as the
# facilitator's commands do, in a quarter of a second instead of a second, in every worker.
import mentor_workshop.facilitator  # noqa: F401

# isort: split
import atexit
import inspect
import itertools
import json
import os
import re
import shutil
import tempfile
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import ipywidgets as w
import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from mentor_workshop.core import checks
from mentor_workshop.core.journal import JOURNAL_FILENAME, Journal
from mentor_workshop.participant.widgets import Exercise, exercise
from mentor_workshop.participant.widgets import base as widget_base

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest first: the hub tests, the browser tests that run many notebooks, the other
    browser tests, the other slow tests, then the rest (the order within each kept).

    So ``make test`` (whole files to each worker, in this order) starts the whole-workshop runs
    at once and fills the end with quick tests, instead of finishing on one long file while the
    other workers sit idle.
    """
    def rank(item: pytest.Item) -> int:
        marked = {name for name in ("hub", "browser", "slow") if item.get_closest_marker(name)}
        if "hub" in marked:
            return 0
        if "browser" in marked:
            return 1 if "slow" in marked else 2
        return 3 if "slow" in marked else 9

    items.sort(key=rank)


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / JOURNAL_FILENAME


@pytest.fixture(autouse=True)
def _not_grading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as a participant unless they set NBGRADER_EXECUTION themselves."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


# ------------------------------------------------------------------ journals


def write_journal(path: Path, answers: dict[str, Any], name: str = "", pid: str = "") -> Journal:
    """Save ``answers`` through :class:`Journal`, as the widgets do, so the file on disk is a
    real, versioned journal; ``name``/``pid`` also record who it belongs to (as the roster does)."""
    journal = Journal(path)
    for key, value in answers.items():
        journal.save(key, value)
    if name or pid:
        journal.set_participant(id=pid, name=name)
    return journal


def on_disk(path: Path) -> dict:
    """The answers exactly as written to the journal file."""
    return json.loads(path.read_text(encoding="utf-8"))["answers"]


def assert_complete_passes(journal_path: Path, step_id: str, answers: dict[str, Any],
                           points: float) -> None:
    """A journal that completes ``step_id`` passes its check with nothing left to do, and the
    grader (the same check) gives full marks."""
    write_journal(journal_path, answers)
    result = checks.check(step_id, journal_path)
    assert result.passed and result.score == 1.0, str(result)
    assert result.messages == []
    assert checks.grade(step_id, journal_path, points=points) == points


def assert_empty_says_what_to_do(journal_path: Path, step_id: str, points: float,
                                 min_words: int = 4) -> None:
    """An empty journal scores nothing, and every unmet criterion says in a real sentence (at
    least ``min_words`` words) what to do next."""
    result = checks.check(step_id, journal_path)
    assert not result.passed and result.score == 0.0
    assert checks.grade(step_id, journal_path, points=points) == 0
    assert len(result.messages) == len(result.criteria)
    assert all(len(m.split()) >= min_words for m in result.messages), result.messages


# ------------------------------------------------------------------ widget trees


def find(root: w.Widget, css: str) -> list[w.Widget]:
    """Widgets carrying a CSS class, in display order (what a browser test would find)."""
    found = [root] if css in getattr(root, "_dom_classes", ()) else []
    for child in getattr(root, "children", ()):
        found += find(child, css)
    return found


def one(root: w.Widget, css: str) -> w.Widget:
    matches = find(root, css)
    assert len(matches) == 1, f"{css}: {len(matches)} matches"
    return matches[0]


def descendants(root: w.Widget) -> list[w.Widget]:
    """``root`` and every widget inside it, in display order."""
    found = [root]
    for child in getattr(root, "children", ()):
        found += descendants(child)
    return found


def inputs(root: w.Widget) -> list[w.Widget]:
    """Every widget a participant types into or chooses with (text and labels left out)."""
    return [x for x in descendants(root)
            if isinstance(x, w.ValueWidget) and not isinstance(x, w.HTML | w.Label)]


def rows(panel_html: str) -> dict[str, str]:
    """signal -> level, read from a feedback panel's list rows as a browser test would."""
    found = re.findall(r'<li class="mw-fb-item mw-sig-(\w+) mw-level-(\w+)" '
                       r'data-signal="\1" data-level="\2"', panel_html)
    return dict(found)


def grading_display(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """From now on run as nbgrader grades, and collect what exercises ``show()`` instead of
    drawing it, so a test can read the summary a grader would see."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    shown: list[Any] = []
    monkeypatch.setattr(widget_base, "display", shown.append)
    return shown


#: ``find`` (and ``json``) for code run in a fresh kernel, which cannot import this conftest.
FIND_SRC = "import json\nimport ipywidgets as w\n" + inspect.getsource(find)


def built(name: str, journal: Path | Journal) -> Any:
    """The exercise registered as ``name``, with its widgets built as a notebook cell would."""
    ex: Exercise = exercise(name)(journal)
    ex.widget()
    return ex


# ------------------------------------------------------------------ notebooks run headlessly


_IPC_NAMES = itertools.count()
_IPC_DIR: str | None = None


def ipc_kernel_manager(kernel_name: str = "python3") -> KernelManager:
    """A kernel manager on IPC sockets (files), as the kit's own kernel pools use.

    Why not TCP: jupyter_client picks free ports by binding and releasing them, and under the
    full suite (three workers, the hub, autograde's pools, all starting kernels) another
    process can take one in between; the kernel then never answers ("Kernel didn't respond in
    60 seconds", once in CI). IPC sockets are files under a short folder of this worker's own.
    """
    global _IPC_DIR
    if _IPC_DIR is None:  # AF_UNIX paths must stay under about 100 bytes: keep it short
        _IPC_DIR = tempfile.mkdtemp(prefix="mwk-", dir="/tmp")
        atexit.register(shutil.rmtree, _IPC_DIR, True)
    return KernelManager(kernel_name=kernel_name, transport="ipc",
                         ip=os.path.join(_IPC_DIR, f"k{next(_IPC_NAMES)}"))


def run_notebook(step_id: str, folder: Path) -> nbformat.NotebookNode:
    """Run the shipped step notebook in ``folder`` in a real kernel, as nbgrader would, and
    assert that no cell raised.

    Errors are collected from the outputs rather than raised at the first one, so the failure
    names every cell that broke.
    """
    source = folder / f"{step_id}.ipynb"
    shutil.copy(ROOT / "notebooks" / source.name, source)
    nb = nbformat.read(source, as_version=4)
    NotebookClient(nb, km=ipc_kernel_manager(), timeout=120, kernel_name="python3",
                   allow_errors=True, resources={"metadata": {"path": str(folder)}}).execute()
    assert errors(nb) == []
    return nb


def run_graded(step_id: str, folder: Path,
               monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    """Run the notebook as nbgrader's autograde does, and assert the journal in ``folder`` is
    byte for byte what it was: grading reads answers, never changes them."""
    journal = folder / JOURNAL_FILENAME
    before = journal.read_bytes()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # the kernel inherits it
    nb = run_notebook(step_id, folder)
    assert journal.read_bytes() == before
    return nb


def assert_kept(journal: Path, answers: dict[str, Any]) -> None:
    """Opening a notebook restores answers; it must not rewrite them."""
    saved = on_disk(journal)
    for key, value in answers.items():
        assert saved[key] == value, f"running the notebook changed {key}"


def _code_outputs(nb: nbformat.NotebookNode) -> Iterator[nbformat.NotebookNode]:
    for c in nb.cells:
        if c.cell_type == "code":
            yield from c.outputs


def errors(nb: nbformat.NotebookNode) -> list[str]:
    """Every error a cell raised, with its traceback, so a failing assert shows where."""
    return [f"{o.get('ename')}: {o.get('evalue')}\n" + "\n".join(o.get("traceback", []))
            for o in _code_outputs(nb) if o.output_type == "error"]


def stderr(nb: nbformat.NotebookNode) -> list[str]:
    return [o.text for o in _code_outputs(nb)
            if o.output_type == "stream" and o.name == "stderr"]


def cells(nb: nbformat.NotebookNode, prefix: str) -> list[nbformat.NotebookNode]:
    """The cells whose nbgrader ``grade_id`` starts with ``prefix``."""
    return [c for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith(prefix)]


def cell(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    [found] = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return found


def awarded(nb: nbformat.NotebookNode) -> float:
    """The points the hidden test cell gave, read as nbgrader reads them (its one result).

    nbgrader scores a test cell that writes to stderr as zero, so that is asserted here too.
    """
    test = next(c for c in nb.cells if "### BEGIN HIDDEN TESTS" in c.source)
    noise = [o for o in test.outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not noise, f"the graded cell must write nothing to stderr: {noise}"
    results = [o for o in test.outputs if o.output_type == "execute_result"]
    assert len(results) == 1
    return float(results[0]["data"]["text/plain"])


def html_of(shown: Iterable[nbformat.NotebookNode]) -> str:
    """The HTML these cells displayed: what a grader or a participant would read."""
    return "".join(o.get("data", {}).get("text/html", "") for c in shown
                   for o in c.get("outputs", []))


def widget_texts(nb: nbformat.NotebookNode) -> str:
    """Every widget's state as nbclient saved it: what a browser would have drawn."""
    state: dict[str, Any] = nb.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return json.dumps(state, ensure_ascii=False)


def parameter_notebook(path: Path, *sources: str, params: str) -> Path:
    """A small notebook for papermill: a ``parameters`` cell, then ``sources`` as code cells."""
    nb = new_notebook(cells=[new_code_cell(params, metadata={"tags": ["parameters"]}),
                             *(new_code_cell(src) for src in sources)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


# ------------------------------------------------------------------ a fresh kernel


class FreshKernel:
    """A real ipykernel, started in ``cwd``; ``run`` returns what the code printed."""

    def __init__(self, cwd: Path) -> None:
        self.km = ipc_kernel_manager()
        self.km.start_kernel(cwd=str(cwd))
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=60)
        except RuntimeError:
            self.close()
            raise

    def run(self, code: str, timeout: float = 60) -> str:
        out: list[str] = []
        failures: list[str] = []

        def hook(msg: dict) -> None:
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind == "error":
                failures.append("\n".join(content["traceback"]))

        self.kc.execute_interactive(textwrap.dedent(code), timeout=timeout, output_hook=hook)
        if failures:
            raise AssertionError("kernel error:\n" + "\n".join(failures))
        return "".join(out)

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture
def fresh_kernel(tmp_path: Path) -> Iterator[FreshKernel]:
    """Start the kernel lazily-per-test; the participant's restart, made literal."""
    env_grading = os.environ.pop("NBGRADER_EXECUTION", None)
    kernel = FreshKernel(tmp_path)
    try:
        yield kernel
    finally:
        kernel.close()
        if env_grading is not None:
            os.environ["NBGRADER_EXECUTION"] = env_grading
