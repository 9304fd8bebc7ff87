"""The step notebooks a batch runs, as a participant would receive them.

Why participant versions: the kit's own notebooks carry nbgrader's solutions and hidden tests.
Before anything is personalised, each notebook is turned into what nbgrader's release would give
a participant (hidden tests removed, solution regions replaced by the stubs) and written to
``DIR/.notebooks``, so a personalised copy never leaks what a release would hide. The markers
come from :mod:`mentor_workshop.facilitator.markers`, the same place the release check reads
them, so both agree on what a secret is. An nbgrader release folder passes through unchanged.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import papermill

from mentor_workshop.core.atomic import write_bytes_atomic
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.markers import Markers, markers

__all__ = [
    "STAGE_FOLDER",
    "StagedNotebook",
    "declared_parameters",
    "participant_version",
    "stage_notebooks",
    "step_notebooks",
]

#: Participant versions of the notebooks; a dot folder cannot clash with a participant id.
STAGE_FOLDER = ".notebooks"

_STEP_NAME = re.compile(r"^\d\d_[A-Za-z0-9_]+\.ipynb$")
_MD_SOLUTION = re.compile(r"=== BEGIN MARK SCHEME ===.*?=== END MARK SCHEME ===", re.DOTALL)


def step_notebooks(folder: str | os.PathLike[str]) -> list[Path]:
    """The step notebooks (``NN_name.ipynb``) in ``folder``, in step order.

    Parameters
    ----------
    folder : path
        The kit's notebooks folder or an nbgrader ``release/<assignment>`` folder.

    Returns
    -------
    list of Path
        The notebooks, sorted by name (which is step order).

    Raises
    ------
    UserError
        When the folder does not exist or holds no step notebooks.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"There is no notebooks folder at {folder}. Pass --notebooks with the "
                        "folder holding the step notebooks (e.g. an nbgrader release folder).")
    found = sorted(p for p in folder.iterdir() if p.is_file() and _STEP_NAME.match(p.name))
    if not found:
        raise UserError(f"No step notebooks (named like 00_welcome.ipynb) in {folder}.")
    return found


def _hidden_tests(found: Markers) -> re.Pattern[str]:
    """A hidden-test region together with the line break after it, so no blank line is left."""
    region = found.region(found.begin_test, found.end_test)
    return re.compile(region.pattern + r"\n?", region.flags)


def participant_version(nb: Any, config: Mapping[str, Any] | None = None) -> Any:
    """What nbgrader's release would give a participant: no hidden tests, no solutions.

    Mirrors ``ClearHiddenTests`` and ``ClearSolutions`` without importing nbgrader (seconds of
    start-up for a few regular expressions).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook; changed in place.
    config : mapping, optional
        The course's nbgrader config, for a course that renames the markers or stubs;
        ``None`` uses nbgrader's defaults.

    Returns
    -------
    nbformat.NotebookNode
        The same notebook.
    """
    found = markers(config)
    hidden = _hidden_tests(found)
    solution = found.region(found.begin_solution, found.end_solution)
    code_stub = found.code_stub_python.splitlines()

    def code(match: re.Match[str]) -> str:
        return "\n".join(match.group(1) + line for line in code_stub)

    def text(match: re.Match[str]) -> str:
        return found.text_stub

    for cell in nb.cells:
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        new = hidden.sub("", source)
        if cell.get("cell_type") == "code":
            new = solution.sub(code, new)
        else:
            new = solution.sub(text, new)
            new = _MD_SOLUTION.sub("", new)
        if new != source:
            cell["source"] = new
    return nb


@dataclass(frozen=True)
class StagedNotebook:
    """A participant version of one step notebook and the parameters its cell declares."""

    step_id: str
    path: Path
    parameters: frozenset[str]


def declared_parameters(path: str | os.PathLike[str]) -> frozenset[str]:
    """Names in the notebook's ``parameters`` cell.

    Parameters
    ----------
    path : path
        The notebook.

    Returns
    -------
    frozenset of str
        The declared names; papermill injects any other name with a warning, so the jobs pass
        only these.
    """
    return frozenset(papermill.inspect_notebook(str(path)))


def stage_notebooks(notebooks: Iterable[Path], out_dir: Path,
                    config: Mapping[str, Any] | None = None) -> list[StagedNotebook]:
    """Write participant versions into ``out_dir/.notebooks``.

    Unchanged files are not rewritten, so the batch manifest still recognises work already done.

    Parameters
    ----------
    notebooks : iterable of Path
        The step notebooks, from :func:`step_notebooks`.
    out_dir : Path
        The batch's output folder.
    config : mapping, optional
        The course's nbgrader config (see :func:`participant_version`).

    Returns
    -------
    list of StagedNotebook
        One per notebook, in the order given.

    Raises
    ------
    UserError
        When a notebook cannot be read.
    """
    stage = out_dir / STAGE_FOLDER
    staged = []
    for source in notebooks:
        try:
            nb = nbformat.read(source, as_version=4)
        except Exception as exc:
            raise UserError(f"{source} is not a readable notebook ({exc}).") from None
        data = nbformat.writes(participant_version(nb, config)).encode("utf-8")
        target = stage / source.name
        try:
            current = target.read_bytes()
        except OSError:
            current = None
        if current != data:
            write_bytes_atomic(target, data)
        staged.append(StagedNotebook(source.stem, target, declared_parameters(target)))
    return staged
