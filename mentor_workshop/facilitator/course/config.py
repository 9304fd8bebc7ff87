"""Open a course folder and read its nbgrader configuration the way ``nbgrader`` does.

Why one module: every step of the lifecycle (init, release, collect, feedback, export, and
autograde and grading elsewhere) starts from the same question, "which course, configured how?".
Reading the config files in nbgrader's own order means a setting a facilitator wrote in
``nbgrader_config.py`` means the same to the kit, to ``nbgrader`` commands and to formgrader.

nbgrader itself is imported only inside the methods that need it: it takes seconds to import,
and the cohort report opens a course just to see whether it has a gradebook.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_config_path
from traitlets.config import Config
from traitlets.config.loader import JSONFileConfigLoader, PyFileConfigLoader

from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.markers import config_value

__all__ = [
    "CONFIG_FILENAME",
    "CONFIG_MARKER",
    "DEFAULT_ASSIGNMENT",
    "DEFAULT_TIMEOUT",
    "IGNORED_FILES",
    "Course",
    "ensure_tools_on_path",
    "load_config",
    "log_tail",
    "open_course",
]

DEFAULT_ASSIGNMENT = "mentor_workshop"
CONFIG_FILENAME = "nbgrader_config.py"
#: First line of a config file the kit wrote and may therefore rewrite.
CONFIG_MARKER = "# mentor-workshop: this file is managed by `mentor-workshop init`"
#: Files a participant's folder may hold that must never be copied around (journal lock, temp
#: files of an interrupted save, notebook checkpoints).
IGNORED_FILES = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    "*.lock",
    "*.tmp",
    ".DS_Store",
    "__MACOSX",
]
#: Seconds one cell may run while grading, unless the course says otherwise (nbgrader's default).
DEFAULT_TIMEOUT = 30


def ensure_tools_on_path() -> None:
    """Put the running interpreter's ``bin/`` on PATH so nbgrader finds ``alembic``.

    nbgrader calls the ``alembic`` executable when it creates a gradebook. A facilitator who
    runs ``.venv/bin/mentor-workshop`` by its full path has no venv on PATH, and nbgrader would
    fail with "No such file or directory: 'alembic'".

    Returns
    -------
    None
        ``PATH`` in ``os.environ`` is changed in place when the folder was missing.
    """
    bindir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir, *[p for p in parts if p]])


def _config_files(root: Path) -> list[Path]:
    """nbgrader config files in the order nbgrader applies them (the course's own last)."""
    folders = [Path(p) for p in reversed(jupyter_config_path())] + [root]
    found = []
    for folder in folders:
        for name in ("nbgrader_config.json", CONFIG_FILENAME):
            path = folder / name
            if path.is_file() and path not in found:
                found.append(path)
    return found


def load_config(root: str | os.PathLike[str]) -> Config:
    """The course's nbgrader configuration, read the way the ``nbgrader`` command reads it.

    Parameters
    ----------
    root : str or path-like
        The course folder.

    Returns
    -------
    traitlets.config.Config
        The user-wide and course config files merged, with ``CourseDirectory.root`` set.

    Raises
    ------
    UserError
        A config file cannot be read; the message names it.
    """
    root = Path(root).resolve()
    config = Config()
    for path in _config_files(root):
        loader_class = PyFileConfigLoader if path.suffix == ".py" else JSONFileConfigLoader
        try:
            config.merge(loader_class(path.name, path=str(path.parent)).load_config())
        except Exception as exc:  # a facilitator's config file: say which one and why
            raise UserError(
                f"The nbgrader config {path} cannot be read ({type(exc).__name__}: {exc}). "
                "Fix or remove it and try again."
            ) from None
    config.CourseDirectory.root = str(root)
    return config


def log_tail(result: dict, lines: int = 15) -> str:
    """The last non-blank lines of what an ``NbGraderAPI`` call logged, for an error message.

    Parameters
    ----------
    result : dict
        What an ``NbGraderAPI`` method returned (``log`` and ``error`` keys).
    lines : int
        How many lines to keep.

    Returns
    -------
    str
        Those lines joined with newlines.
    """
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    interesting = [ln for ln in text.splitlines() if ln.strip()]
    return "\n".join(interesting[-lines:])


@dataclass
class Course:
    """An nbgrader course directory plus its configuration."""

    root: Path
    config: Config

    @property
    def coursedir(self) -> Any:
        """nbgrader's ``CourseDirectory`` for this course (it knows the folder layout)."""
        from nbgrader.coursedir import CourseDirectory  # nbgrader is slow to import

        return CourseDirectory(config=self.config)

    @property
    def course_id(self) -> str:
        """The course id from the config (empty when the course does not set one)."""
        return str(config_value(self.config, "CourseDirectory", "course_id", ""))

    @property
    def grades_private_reflections(self) -> bool:
        """Whether reflections the rubric marks private (step 07's) are graded in this course:
        only when ``nbgrader_config.py`` sets ``c.MentorWorkshop.grade_private_reflections``."""
        return bool(config_value(self.config, "MentorWorkshop", "grade_private_reflections",
                                 False))

    @property
    def db_url(self) -> str:
        """The gradebook's database URL."""
        return str(self.coursedir.db_url)

    def path(self, step: str, student: str = ".", assignment: str = ".") -> Path:
        """A folder of the nbgrader layout: ``path("submitted", "p01", "mentor_workshop")``.

        Parameters
        ----------
        step : str
            ``source``, ``release``, ``submitted``, ``autograded`` or ``feedback``.
        student, assignment : str
            Participant id and assignment name (``"."`` where the layout has none).

        Returns
        -------
        Path
            The folder (it may not exist yet).
        """
        coursedir = self.coursedir
        name = getattr(coursedir, f"{step}_directory")
        return Path(coursedir.format_path(name, student, assignment))

    @contextlib.contextmanager
    def gradebook(self) -> Iterator[Any]:
        """nbgrader's ``Gradebook`` for this course, open for the ``with`` block.

        Returns
        -------
        Iterator
            Yields the open ``nbgrader.api.Gradebook`` (created if missing).
        """
        from nbgrader.api import Gradebook  # nbgrader is slow to import

        ensure_tools_on_path()
        with Gradebook(self.db_url, self.course_id) as gb:
            yield gb

    def api(self, **overrides: Any) -> Any:
        """An ``NbGraderAPI`` on this course; ``overrides`` are extra config sections.

        Parameters
        ----------
        **overrides : dict
            Config section name -> settings, for example
            ``Exchange={"root": "/srv/exchange"}``.

        Returns
        -------
        nbgrader.apps.NbGraderAPI
            The API on a copy of the course config with the overrides applied.
        """
        from nbgrader.apps import NbGraderAPI  # nbgrader is slow to import

        ensure_tools_on_path()
        config = Config(self.config)
        for section, values in overrides.items():
            config[section].update(values)
        return NbGraderAPI(config=config)

    def assignments(self) -> list[str]:
        """Assignments as the gradebook knows them (nbgrader creates them on release).

        Returns
        -------
        list of str
            Their names, sorted; empty when there is no gradebook yet.
        """
        if not self.has_gradebook():
            return []
        with self.gradebook() as gb:
            return sorted(a.name for a in gb.assignments)

    def has_gradebook(self) -> bool:
        """Whether the gradebook exists (always true for a database that is not SQLite)."""
        url = self.db_url
        if url.startswith("sqlite:///"):
            return Path(url[len("sqlite:///") :]).is_file()
        return True

    def pick_assignment(self, assignment: str | None) -> str:
        """The assignment to work on: the one named, the only one, or the kit's default.

        Parameters
        ----------
        assignment : str or None
            What the facilitator asked for, if anything.

        Returns
        -------
        str
            The assignment's name.

        Raises
        ------
        UserError
            None was named and the course has several.
        """
        if assignment:
            return assignment
        known = self.assignments()
        if DEFAULT_ASSIGNMENT in known or not known:
            return DEFAULT_ASSIGNMENT
        if len(known) == 1:
            return known[0]
        raise UserError(
            f"This course has several assignments ({', '.join(known)}); choose one with "
            "--assignment NAME."
        )

    def source_notebooks(self, assignment: str) -> list[Path]:
        """The notebooks in ``source/ASSIGNMENT/``, sorted."""
        return sorted(self.path("source", ".", assignment).glob("*.ipynb"))

    def students_in(self, step: str, assignment: str) -> list[str]:
        """Participants with a folder for ``assignment`` in ``step`` (submitted, autograded...).

        Parameters
        ----------
        step : str
            A per-participant step of the layout: ``submitted``, ``autograded``, ``feedback``.
        assignment : str
            The assignment's name.

        Returns
        -------
        list of str
            Participant ids, sorted.
        """
        coursedir = self.coursedir
        pattern = coursedir.format_path(getattr(coursedir, f"{step}_directory"), "*", assignment,
                                        escape=False)
        regexp = re.compile(coursedir.format_path(
            getattr(coursedir, f"{step}_directory"), "(?P<student>[^/]+)", re.escape(assignment),
            escape=True) + "$")
        found = []
        for path in glob.glob(pattern):
            match = regexp.match(path)
            if match and os.path.isdir(path):
                found.append(match.group("student"))
        return sorted(found)


def open_course(course_dir: str | os.PathLike[str]) -> Course:
    """Open an existing course directory (any nbgrader course, not only the kit's).

    Parameters
    ----------
    course_dir : str or path-like
        The course folder.

    Returns
    -------
    Course
        The folder (resolved) and its configuration.

    Raises
    ------
    UserError
        There is no folder, or it does not look like an nbgrader course.
    """
    root = Path(course_dir).expanduser()
    if not root.is_dir():
        raise UserError(
            f"There is no course folder at {root}. Create one with "
            "`mentor-workshop init COURSE_DIR --roster roster.csv`."
        )
    root = root.resolve()
    if not _config_files(root) and not (root / "gradebook.db").exists() and not (
        root / "source"
    ).is_dir():
        raise UserError(
            f"{root} does not look like an nbgrader course (no {CONFIG_FILENAME}, gradebook.db "
            "or source/ folder). Create one with `mentor-workshop init`."
        )
    return Course(root, load_config(root))
