"""The learner's own folder: the step notebooks and a journal, laid out and kept up to date.

Why a manifest: a newer kit may bring better notebooks, but the learner may have written in the
ones they have (the reflection is a notebook cell). ``start`` records a fingerprint of every
notebook it copies in ``.mentor-workshop.json``. On the next run a notebook whose cells still
match that fingerprint is replaced by the kit's newer version; one the learner changed is left
alone and named, so nothing they wrote is ever overwritten. The fingerprint covers the cells'
types and sources only: running a notebook (outputs, execution counts, widget state) is not a
change worth protecting, because every answer a widget takes lives in ``journal.json``.

``journal.json`` is created once, empty, and never written again here.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentor_workshop import __version__
from mentor_workshop.core import resources
from mentor_workshop.core.atomic import write_bytes_atomic
from mentor_workshop.core.journal_format import JOURNAL_FILENAME, encode_journal, fresh_state
from mentor_workshop.errors import UserError

__all__ = ["MANIFEST_FILE", "Layout", "kit_notebooks", "lay_out", "learner_copy"]

#: The record of what ``start`` copied, beside the notebooks.
MANIFEST_FILE = ".mentor-workshop.json"


@dataclass
class Layout:
    """What one ``start`` did to the folder, for the summary the learner reads."""

    folder: Path
    created: bool = False
    journal_created: bool = False
    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The lines the command prints before opening JupyterLab.

        Returns
        -------
        str
            One line per kind of change; notebooks left alone are named.
        """
        lines = [f"Your workshop folder: {self.folder}"]
        if self.created:
            lines.append(f"Copied {len(self.copied)} step notebooks and an empty journal into it.")
        else:
            if self.copied:
                lines.append(f"New notebooks from this version of the kit: "
                             f"{', '.join(self.copied)}")
            if self.updated:
                lines.append(f"Updated to this version of the kit: {', '.join(self.updated)}")
            if self.journal_created:
                lines.append(f"There was no {JOURNAL_FILENAME}, so an empty one was made.")
            else:
                lines.append(f"Your answers in {JOURNAL_FILENAME} were not touched.")
        if self.kept:
            lines.append("Left alone because you changed them (your version stays): "
                         f"{', '.join(self.kept)}")
        return "\n".join(lines)


def kit_notebooks() -> dict[str, bytes]:
    """The kit's step notebooks as the learner receives them, by file name.

    Returns
    -------
    dict
        ``{"00_welcome.ipynb": bytes, ...}`` in step order.

    Raises
    ------
    UserError
        When the installed kit carries no notebooks (a broken install).
    """
    folder = resources.notebooks_dir()
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb")) if folder.is_dir() else []
    if not found:
        raise UserError(f"This installation of mentor-workshop has no step notebooks (looked in "
                        f"{folder}). Reinstall it: pip install --force-reinstall mentor-workshop")
    return {path.name: learner_copy(path.read_bytes()) for path in found}


def _is_test_cell(cell: dict[str, Any]) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) \
        and not meta.get("solution")


def learner_copy(raw: bytes) -> bytes:
    """A source notebook without its hidden tests, as a learner on their own receives it.

    The kit's notebooks are nbgrader source versions. Each autograded test cell is a few
    comment lines and the hidden test; only the leading ``# `` comment lines are kept. The
    self-check button does not need the hidden test (it runs the same check from the widget),
    and a facilitator who later grades the folder puts the test back from the course's source,
    as nbgrader does for every locked cell.

    Parameters
    ----------
    raw : bytes
        The source notebook's file.

    Returns
    -------
    bytes
        The learner's notebook, as indented JSON.
    """
    nb = json.loads(raw.decode("utf-8"))
    for cell in nb.get("cells", []):
        if not _is_test_cell(cell):
            continue
        source = cell["source"]
        lines = (source if isinstance(source, str) else "".join(source)).splitlines()
        kept: list[str] = []
        for line in lines:
            if not line.startswith("# "):
                break
            kept.append(line)
        cell["source"] = "\n".join(kept)
    return (json.dumps(nb, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def fingerprint(raw: bytes) -> str:
    """A notebook's fingerprint: its cells' types and sources, not outputs or metadata.

    Parameters
    ----------
    raw : bytes
        The notebook file.

    Returns
    -------
    str
        A SHA-256 hex digest; "" when the file is not a readable notebook (so it never matches
        and is never overwritten).
    """
    try:
        nb = json.loads(raw.decode("utf-8-sig"))
        cells = [(c.get("cell_type"),
                  c["source"] if isinstance(c.get("source"), str) else "".join(c.get("source", [])))
                 for c in nb["cells"]]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return ""
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode("utf-8")).hexdigest()


def _read_manifest(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        notebooks = data["notebooks"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(notebooks, dict):
        return {}
    return {k: v for k, v in notebooks.items() if isinstance(k, str) and isinstance(v, str)}


def _write_manifest(folder: Path, notebooks: dict[str, str]) -> None:
    data = {"kit_version": __version__, "notebooks": dict(sorted(notebooks.items())),
            "about": "What mentor-workshop start copied here, so an update never overwrites "
                     "a notebook you changed. Safe to delete: nothing is updated then."}
    write_bytes_atomic(folder / MANIFEST_FILE,
                       (json.dumps(data, indent=2) + "\n").encode("utf-8"))


def _prepare_folder(folder: Path) -> bool:
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} is a file, not a folder. Name a folder for your workshop, "
                        "e.g. mentor-workshop start ~/mentor-workshop")
    created = not folder.exists() or not any(folder.iterdir())
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Cannot create {folder}: {exc.strerror or exc}. Choose a folder you "
                        "can write to.") from None
    if not os.access(folder, os.W_OK):
        raise UserError(f"Cannot write to {folder}. Choose a folder you can write to.")
    return created


def lay_out(folder: str | os.PathLike[str]) -> Layout:
    """Copy or update the step notebooks in ``folder`` and make sure it has a journal.

    Parameters
    ----------
    folder : path-like
        The learner's workshop folder; created when missing.

    Returns
    -------
    Layout
        What was copied, updated and left alone.

    Raises
    ------
    UserError
        When the folder cannot be used or the kit has no notebooks.
    """
    folder = Path(folder).expanduser().resolve()
    kit = kit_notebooks()
    result = Layout(folder, created=_prepare_folder(folder))
    manifest = _read_manifest(folder)
    for name, data in kit.items():
        target = folder / name
        new = fingerprint(data)
        if not target.exists():
            write_bytes_atomic(target, data)
            manifest[name] = new
            result.copied.append(name)
            continue
        current = fingerprint(target.read_bytes())
        if current == new:
            manifest[name] = new
        elif current and current == manifest.get(name):
            write_bytes_atomic(target, data)
            manifest[name] = new
            result.updated.append(name)
        else:
            result.kept.append(name)
    journal = folder / JOURNAL_FILENAME
    if not journal.exists():
        write_bytes_atomic(journal, encode_journal(fresh_state()))
        result.journal_created = True
    _write_manifest(folder, manifest)
    return result
