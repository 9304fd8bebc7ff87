"""Create or update the nbgrader course for a cohort, never touching grades.

Why its own module: ``init`` is the only step that writes the course's config and its
``source/`` folder, and it must be safe to run again after the roster or the kit changes. It
keeps a facilitator's own config (it only rewrites the file it wrote itself), never changes a
course id the gradebook already uses, and adds or updates participants without deleting anyone
who left the roster (their grades stay).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from traitlets.config import Config

from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.core.journal import JOURNAL_FILENAME, SCHEMA_VERSION
from mentor_workshop.core.resources import notebooks_dir
from mentor_workshop.errors import RosterError, UserError
from mentor_workshop.facilitator.course.config import (
    CONFIG_FILENAME,
    CONFIG_MARKER,
    DEFAULT_ASSIGNMENT,
    DEFAULT_TIMEOUT,
    IGNORED_FILES,
    Course,
    load_config,
)
from mentor_workshop.facilitator.markers import config_value
from mentor_workshop.facilitator.roster import read_roster

__all__ = ["InitReport", "init_course"]

_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass
class InitReport:
    """What ``init`` did, for the facilitator to read."""

    root: Path
    course_id: str
    assignment: str
    config_written: bool
    notebooks_added: list[str] = field(default_factory=list)
    notebooks_updated: list[str] = field(default_factory=list)
    participants_added: list[str] = field(default_factory=list)
    participants_updated: list[str] = field(default_factory=list)
    not_in_roster: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as lines to print, ending with the next command to run.

        Returns
        -------
        list of str
            One line per fact.
        """
        out = [f"Course {self.course_id!r} in {self.root} (assignment {self.assignment!r})."]
        out.append(
            ("Wrote " if self.config_written else "Kept your ") + f"{CONFIG_FILENAME}."
        )
        if self.notebooks_added:
            out.append(f"Added {len(self.notebooks_added)} notebooks to source/{self.assignment}/.")
        if self.notebooks_updated:
            out.append("Updated from the kit: " + ", ".join(self.notebooks_updated) + ".")
        out.append(
            f"Participants: {len(self.participants_added)} added, "
            f"{len(self.participants_updated)} already known."
        )
        if self.not_in_roster:
            out.append(
                "In the gradebook but not in this roster (kept, with their grades): "
                + ", ".join(self.not_in_roster)
            )
        out += [f"Warning: {w}" for w in self.warnings]
        out.append(f"Next: mentor-workshop release {self.root}")
        return out


def _valid_name(text: str) -> bool:
    return bool(_SAFE_ID.match(text)) and not text.startswith((".", "-"))


def _default_course_id(root: Path) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", root.name).strip("-.")
    return slug if _valid_name(slug) else DEFAULT_ASSIGNMENT


def _config_text(course_id: str, assignment: str, timeout: int) -> str:
    return f'''{CONFIG_MARKER}
# (delete that first line to keep your own edits: init will then leave this file alone).
# The same settings are read by `nbgrader` commands and formgrader in this folder.

c = get_config()  # noqa: F821

c.CourseDirectory.course_id = {course_id!r}

# Never copy a journal's lock file, the temp file of an interrupted save, or checkpoints.
c.CourseDirectory.ignore = {IGNORED_FILES!r}

# Each participant's answers live in {JOURNAL_FILENAME}: grade theirs, not the blank copy
# that source/ holds for the release.
c.Autograde.exclude_overwriting = {{{assignment!r}: [{JOURNAL_FILENAME!r}]}}

# A participant who deletes a graded cell is still graded: the cell is put back.
c.OverwriteCells.add_missing_cells = True

# Longest time one cell may run while grading (stops an endless loop), in seconds.
c.Execute.timeout = {timeout}
'''


def _empty_journal_text() -> str:
    state = {"schema_version": SCHEMA_VERSION, "participant": {}, "answers": {}, "saved_at": {}}
    return json.dumps(state, indent=2) + "\n"


def _split_name(name: str) -> tuple[str, str]:
    """(first, last) for nbgrader's gradebook; formgrader sorts and shows by last name."""
    parts = name.split()
    if len(parts) < 2:
        return name, ""
    return " ".join(parts[:-1]), parts[-1]


def init_course(
    course_dir: str | os.PathLike[str],
    roster: str | os.PathLike[str],
    *,
    course_id: str | None = None,
    assignment: str = DEFAULT_ASSIGNMENT,
    notebooks: Sequence[str | os.PathLike[str]] | str | os.PathLike[str] | None = None,
    timeout: int | None = None,
) -> InitReport:
    """Create or update an nbgrader course for the workshop; grades are never touched.

    Parameters
    ----------
    course_dir : str or path-like
        The course folder (created if missing).
    roster : str or path-like
        The roster CSV (id, name, email).
    course_id : str, optional
        nbgrader course id (default: keep the course's, else the folder's name).
    assignment : str
        The assignment's name.
    notebooks : folder, list of notebook files, or None
        The step notebooks (default: the kit's); a list lets tests and two-session workshops
        build smaller assignments.
    timeout : int, optional
        The per-cell limit while grading (default: keep the course's, else 30 s).

    Returns
    -------
    InitReport
        What was written, added and updated.

    Raises
    ------
    UserError
        The roster, a name, the folder or a notebook cannot be used; or ``course_id`` would
        change the id an existing course uses.
    """
    try:
        participants = read_roster(roster)
    except RosterError as exc:
        raise UserError(str(exc)) from None
    if not _valid_name(assignment):
        raise UserError(
            f"The assignment name {assignment!r} must be 1-64 letters, digits, '_', '.' or '-'."
        )
    if course_id is not None and not _valid_name(course_id):
        raise UserError(
            f"The course id {course_id!r} must be 1-64 letters, digits, '_', '.' or '-'."
        )

    root = Path(course_dir).expanduser()
    if root.exists() and not root.is_dir():
        raise UserError(f"{root} exists and is not a folder; choose another COURSE_DIR.")
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()

    report = InitReport(root, "", assignment, config_written=False)
    config_path = root / CONFIG_FILENAME
    existing = config_path.read_text(encoding="utf-8") if config_path.is_file() else None
    current_id = ""
    current_timeout = DEFAULT_TIMEOUT
    if existing is not None:
        current = load_config(root)
        current_id = str(config_value(current, "CourseDirectory", "course_id", ""))
        current_timeout = int(config_value(current, "Execute", "timeout", DEFAULT_TIMEOUT))
    if existing is not None and current_id and course_id and course_id != current_id:
        raise UserError(
            f"This course's id is {current_id!r} (in {config_path}); the gradebook and the "
            f"exchange use it, so init will not change it to {course_id!r}. Edit the file if "
            "you really mean to."
        )
    chosen_id = course_id or current_id or _default_course_id(root)
    if existing is None or existing.startswith(CONFIG_MARKER):
        chosen_timeout = timeout if timeout is not None else current_timeout
        write_text_atomic(config_path, _config_text(chosen_id, assignment, chosen_timeout))
        report.config_written = True
    config = load_config(root)
    report.course_id = str(config_value(config, "CourseDirectory", "course_id", "")) or chosen_id
    if not report.config_written:
        report.warnings += _config_advice(config, assignment)

    course = Course(root, config)
    _install_sources(course, assignment, notebooks, report)
    for step in ("submitted", "autograded", "feedback", "release"):
        (root / step).mkdir(exist_ok=True)

    with course.gradebook() as gb:
        known = {s.id for s in gb.students}
        for p in participants:
            first, last = _split_name(p.name)
            gb.update_or_create_student(p.id, first_name=first, last_name=last, email=p.email)
            (report.participants_updated if p.id in known else report.participants_added).append(
                p.id
            )
        roster_ids = {p.id for p in participants}
        report.not_in_roster = sorted(known - roster_ids)
        gb.update_or_create_assignment(assignment)
    return report


def _config_advice(config: Config, assignment: str) -> list[str]:
    """What a facilitator's own config lacks that the kit relies on."""
    advice = []
    if not config_value(config, "OverwriteCells", "add_missing_cells", False):
        advice.append(
            f"{CONFIG_FILENAME} does not set c.OverwriteCells.add_missing_cells = True; a "
            "participant who deletes a graded cell would not be graded on it."
        )
    excluded = config_value(config, "Autograde", "exclude_overwriting", {}).get(assignment, [])
    if JOURNAL_FILENAME not in excluded:
        advice.append(
            f"{CONFIG_FILENAME} does not set c.Autograde.exclude_overwriting = "
            f"{{{assignment!r}: [{JOURNAL_FILENAME!r}]}}; autograde would grade the blank "
            "journal instead of each participant's."
        )
    return advice


def _notebook_files(notebooks: Any) -> list[Path]:
    if notebooks is None:
        notebooks = notebooks_dir()
    if isinstance(notebooks, str | os.PathLike):
        folder = Path(notebooks)
        files = sorted(folder.glob("*.ipynb"))
        if not files:
            raise UserError(f"No step notebooks (*.ipynb) found in {folder}.")
        return files
    files = [Path(p) for p in notebooks]
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise UserError("These notebooks do not exist: " + ", ".join(missing))
    return files


def _install_sources(course: Course, assignment: str, notebooks: Any, report: InitReport) -> None:
    """Copy the step notebooks and a blank journal into ``source/ASSIGNMENT/``."""
    # deferred: nbformat's schema validator takes over a second to import, and the report's
    # kernel and the CLI open courses without reading a notebook
    import nbformat

    source = course.path("source", ".", assignment)
    source.mkdir(parents=True, exist_ok=True)
    for path in _notebook_files(notebooks):
        data = path.read_text(encoding="utf-8")
        try:
            nbformat.reads(data, as_version=4)
        except Exception as exc:
            raise UserError(f"{path} is not a readable notebook ({exc}).") from None
        target = source / path.name
        if not target.exists():
            report.notebooks_added.append(path.name)
        elif target.read_text(encoding="utf-8") != data:
            report.notebooks_updated.append(path.name)
        else:
            continue
        write_text_atomic(target, data)
    journal = source / JOURNAL_FILENAME
    if not journal.exists():
        write_text_atomic(journal, _empty_journal_text())
