"""The nbgrader course behind a workshop: set-up, release, collect, feedback and export.

Why nbgrader and not a grader of our own: facilitators already know it, its gradebook and
formgrader work side by side with the kit, and its checksums tell us when a participant edited a
locked cell. Everything here goes through nbgrader's Python API (``NbGraderAPI``, ``Gradebook``,
its converters and preprocessors) on an ordinary course directory, so ``nbgrader`` commands and
formgrader keep working on the same folder.

The kit smooths nbgrader's rough edges:

* the whole workshop is ONE assignment (all step notebooks + the shared ``journal.json``), and the
  course config makes autograde keep each participant's journal instead of the blank one;
* ``add_missing_cells`` is on, so a participant who deletes a graded cell is still graded;
* a release is checked for leaked solutions and hidden tests before anyone can hand it out;
* submissions handed in as folders or zip files are collected safely (no zip-slip) with one
  clear line per problem instead of a stack trace;
* feedback HTML has hidden tests removed (nbgrader restores them in ``autograded/``),
  participant text escaped, and nothing loaded from the internet (nbgrader's template pulls
  MathJax from a CDN; the kit's pages open offline and a page that would not is not kept);
* the gradebook is created even when the venv's ``bin/`` (with ``alembic``) is not on PATH.
"""

from __future__ import annotations

import contextlib
import csv
import fnmatch
import html
import io
import json
import logging
import os
import re
import stat
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat
from traitlets.config import Config

from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.core.journal import JOURNAL_FILENAME
from mentor_workshop.errors import ReleaseLeakError, UserError

__all__ = [
    "CONFIG_FILENAME",
    "DEFAULT_ASSIGNMENT",
    "JOURNAL_FILENAME",
    "CollectLine",
    "CollectReport",
    "Course",
    "FeedbackReport",
    "InitReport",
    "ReleaseReport",
    "collect",
    "ensure_tools_on_path",
    "export_grades",
    "feedback",
    "init_course",
    "load_config",
    "open_course",
    "release",
    "verify_release",
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
#: Limits on a submitted zip: a workshop submission is a few hundred kilobytes.
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_BYTES = 200 * 1024 * 1024
#: Seconds one cell may run while grading, unless the course says otherwise (nbgrader's default).
DEFAULT_TIMEOUT = 30

_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------ set-up


def ensure_tools_on_path() -> None:
    """Put the running interpreter's ``bin/`` on PATH so nbgrader finds ``alembic``.

    nbgrader calls the ``alembic`` executable when it creates a gradebook. A facilitator who
    runs ``.venv/bin/mentor-workshop`` by its full path has no venv on PATH, and nbgrader would
    fail with "No such file or directory: 'alembic'".
    """
    bindir = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir, *[p for p in parts if p]])


def _config_files(root: Path) -> list[Path]:
    """nbgrader config files in the order nbgrader applies them (the course's own last)."""
    from jupyter_core.paths import jupyter_config_path

    folders = [Path(p) for p in reversed(jupyter_config_path())] + [root]
    found = []
    for folder in folders:
        for name in ("nbgrader_config.json", CONFIG_FILENAME):
            path = folder / name
            if path.is_file() and path not in found:
                found.append(path)
    return found


def load_config(root: str | os.PathLike[str]) -> Config:
    """The course's nbgrader configuration, read the way the ``nbgrader`` command reads it."""
    from traitlets.config.loader import JSONFileConfigLoader, PyFileConfigLoader

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


def _get(config: Config, section: str, key: str, default: Any) -> Any:
    if section in config and key in config[section]:
        return config[section][key]
    return default


@dataclass
class Course:
    """An nbgrader course directory plus its configuration."""

    root: Path
    config: Config

    @property
    def coursedir(self) -> Any:
        from nbgrader.coursedir import CourseDirectory

        return CourseDirectory(config=self.config)

    @property
    def course_id(self) -> str:
        return str(_get(self.config, "CourseDirectory", "course_id", ""))

    @property
    def db_url(self) -> str:
        return str(self.coursedir.db_url)

    def path(self, step: str, student: str = ".", assignment: str = ".") -> Path:
        """A folder of the nbgrader layout: ``path("submitted", "p01", "mentor_workshop")``."""
        coursedir = self.coursedir
        name = getattr(coursedir, f"{step}_directory")
        return Path(coursedir.format_path(name, student, assignment))

    @contextlib.contextmanager
    def gradebook(self) -> Iterator[Any]:
        from nbgrader.api import Gradebook

        ensure_tools_on_path()
        with Gradebook(self.db_url, self.course_id) as gb:
            yield gb

    def api(self, **overrides: Any) -> Any:
        """An ``NbGraderAPI`` on this course; ``overrides`` are extra config sections."""
        from nbgrader.apps import NbGraderAPI

        ensure_tools_on_path()
        config = Config(self.config)
        for section, values in overrides.items():
            config[section].update(values)
        return NbGraderAPI(config=config)

    def assignments(self) -> list[str]:
        """Assignments as the gradebook knows them (nbgrader creates them on release)."""
        if not self.has_gradebook():
            return []
        with self.gradebook() as gb:
            return sorted(a.name for a in gb.assignments)

    def has_gradebook(self) -> bool:
        url = self.db_url
        if url.startswith("sqlite:///"):
            return Path(url[len("sqlite:///") :]).is_file()
        return True

    def pick_assignment(self, assignment: str | None) -> str:
        """The assignment to work on: the one named, the only one, or the kit's default."""
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
        return sorted(self.path("source", ".", assignment).glob("*.ipynb"))

    def students_in(self, step: str, assignment: str) -> list[str]:
        """Participants with a folder for ``assignment`` in ``step`` (submitted, autograded...)."""
        import glob

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
    """Open an existing course directory (any nbgrader course, not only the kit's)."""
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


# --------------------------------------------------------------------------------------- init


@dataclass
class InitReport:
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
    from mentor_workshop.core.journal import SCHEMA_VERSION

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

    ``timeout`` is the per-cell limit while grading (default: keep the course's, else 30 s).

    ``notebooks`` is the folder of step notebooks (default: the kit's) or a list of notebook
    files, which lets tests and two-session workshops build smaller assignments.
    """
    from mentor_workshop.facilitator.roster import RosterError, read_roster

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
        current_id = str(_get(current, "CourseDirectory", "course_id", ""))
        current_timeout = int(_get(current, "Execute", "timeout", DEFAULT_TIMEOUT))
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
    report.course_id = str(_get(config, "CourseDirectory", "course_id", "")) or chosen_id
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
    if not _get(config, "OverwriteCells", "add_missing_cells", False):
        advice.append(
            f"{CONFIG_FILENAME} does not set c.OverwriteCells.add_missing_cells = True; a "
            "participant who deletes a graded cell would not be graded on it."
        )
    excluded = _get(config, "Autograde", "exclude_overwriting", {}).get(assignment, [])
    if JOURNAL_FILENAME not in excluded:
        advice.append(
            f"{CONFIG_FILENAME} does not set c.Autograde.exclude_overwriting = "
            f"{{{assignment!r}: [{JOURNAL_FILENAME!r}]}}; autograde would grade the blank "
            "journal instead of each participant's."
        )
    return advice


def _notebook_files(notebooks: Any) -> list[Path]:
    if notebooks is None:
        from mentor_workshop.core.resources import notebooks_dir

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


# ------------------------------------------------------------------------------------ release


@dataclass
class ReleaseReport:
    assignment: str
    folder: Path
    notebooks: list[str]
    exchange: bool = False

    def lines(self) -> list[str]:
        out = [
            f"Released {len(self.notebooks)} notebooks and {JOURNAL_FILENAME} to {self.folder}.",
            "Checked: no solution text, no hidden tests, no outputs, a blank journal.",
        ]
        if self.exchange:
            out.append("Copied to the nbgrader exchange for participants to fetch.")
        else:
            out.append(
                "Hand the folder out as it is (zip it), or personalise it first; collect with "
                "`mentor-workshop collect COURSE_DIR --from FOLDER`."
            )
        return out


def _log_tail(result: dict, lines: int = 15) -> str:
    text = (result.get("log") or "") + "\n" + (result.get("error") or "")
    interesting = [ln for ln in text.splitlines() if ln.strip()]
    return "\n".join(interesting[-lines:])


def release(
    course_dir: str | os.PathLike[str],
    assignment: str | None = None,
    *,
    to_exchange: bool = False,
) -> ReleaseReport:
    """Generate the participants' version, then prove it hides what it must."""
    course = open_course(course_dir)
    assignment = course.pick_assignment(assignment)
    if not course.source_notebooks(assignment):
        raise UserError(
            f"source/{assignment}/ has no notebooks; run `mentor-workshop init` first."
        )
    api = course.api()
    result = api.generate_assignment(assignment, force=True, create=True)
    if not result.get("success"):
        raise UserError(
            f"nbgrader could not generate the release of {assignment!r}:\n{_log_tail(result)}"
        )
    folder = course.path("release", ".", assignment)
    problems = verify_release(course, assignment)
    if problems:
        from nbgrader.utils import rmtree

        rmtree(str(folder))
        raise ReleaseLeakError(
            f"The release of {assignment!r} was NOT safe to hand out, so {folder} was deleted:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    report = ReleaseReport(assignment, folder, sorted(p.name for p in folder.glob("*.ipynb")))
    if to_exchange:
        result = api.release_assignment(assignment)
        if not result.get("success"):
            raise UserError(
                f"The release is ready in {folder}, but copying it to the nbgrader exchange "
                f"failed:\n{_log_tail(result)}"
            )
        report.exchange = True
    return report


def _delimiters(config: Config) -> dict[str, str]:
    return {
        "begin_solution": _get(config, "ClearSolutions", "begin_solution_delimeter",
                               "BEGIN SOLUTION"),
        "end_solution": _get(config, "ClearSolutions", "end_solution_delimeter", "END SOLUTION"),
        "begin_test": _get(config, "ClearHiddenTests", "begin_test_delimeter",
                           "BEGIN HIDDEN TESTS"),
        "end_test": _get(config, "ClearHiddenTests", "end_test_delimeter", "END HIDDEN TESTS"),
        "code_stub": _get(config, "ClearSolutions", "code_stub", {}),
        "text_stub": _get(config, "ClearSolutions", "text_stub", "YOUR ANSWER HERE"),
    }


def _secret_lines(cell: Any, marks: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(lines only a facilitator may see, lines participants see) of one source cell."""
    secret: set[str] = set()
    visible: set[str] = set()
    nbg = cell.get("metadata", {}).get("nbgrader", {})
    lines = cell.source.split("\n")
    has_region = any(marks["begin_solution"] in ln or marks["begin_test"] in ln for ln in lines)
    if nbg.get("solution") and not has_region:
        # nbgrader replaces a whole solution cell without markers by the stub.
        stub = marks["text_stub"]
        secret |= {ln.strip() for ln in lines if ln.strip() and ln.strip() != stub}
        return secret, visible
    inside = False
    for line in lines:
        if marks["begin_solution"] in line or marks["begin_test"] in line:
            inside = True
        elif marks["end_solution"] in line or marks["end_test"] in line:
            inside = False
        elif line.strip():
            (secret if inside else visible).add(line.strip())
    return secret, visible


def verify_release(course: Course, assignment: str) -> list[str]:
    """Every way the release could leak, one line each (empty when it is safe).

    Checks: no solution or hidden-test delimiters or the lines between them (compared with the
    source), no saved outputs, and a journal with no answers (a facilitator who tried the
    notebooks in ``source/`` would otherwise hand their answers to everyone).
    """
    marks = _delimiters(course.config)
    source = course.path("source", ".", assignment)
    folder = course.path("release", ".", assignment)
    problems: list[str] = []
    if not folder.is_dir():
        return [f"{folder} was not created"]
    for src_path in course.source_notebooks(assignment):
        rel_path = folder / src_path.name
        if not rel_path.is_file():
            problems.append(f"{src_path.name} is missing from the release")
            continue
        src = nbformat.read(src_path, as_version=4)
        rel = nbformat.read(rel_path, as_version=4)
        secret: set[str] = set()
        visible: set[str] = set()
        for cell in src.cells:
            s, v = _secret_lines(cell, marks)
            secret |= s
            visible |= v
        secret -= visible
        for index, cell in enumerate(rel.cells, start=1):
            where = f"{rel_path.name}, cell {index}"
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id:
                where += f" ({grade_id})"
            for key in ("begin_solution", "end_solution", "begin_test", "end_test"):
                if marks[key] in cell.source:
                    problems.append(f"{where} still contains the marker '{marks[key]}'")
            leaked = sorted({ln.strip() for ln in cell.source.split("\n")} & secret)
            if leaked:
                problems.append(f"{where} shows hidden text: {leaked[0]!r}")
            if cell.cell_type == "code" and cell.get("outputs"):
                problems.append(f"{where} has saved output (it may show answers)")
    journal = folder / JOURNAL_FILENAME
    if (source / JOURNAL_FILENAME).exists():
        if not journal.is_file():
            problems.append(f"{JOURNAL_FILENAME} is missing from the release")
        else:
            try:
                answers = json.loads(journal.read_text(encoding="utf-8")).get("answers")
            except (ValueError, AttributeError):
                answers = "unreadable"
            if answers:
                problems.append(
                    f"{JOURNAL_FILENAME} holds answers ({_describe_answers(answers)}); replace "
                    f"{source / JOURNAL_FILENAME} with a blank journal (delete it and run init)"
                )
    return problems


def _describe_answers(answers: Any) -> str:
    if isinstance(answers, dict):
        keys = sorted(answers)
        return ", ".join(keys[:3]) + (" ..." if len(keys) > 3 else "")
    return "not a blank journal"


# ------------------------------------------------------------------------------------ collect


@dataclass(frozen=True)
class CollectLine:
    """One submission's outcome; ``ok`` lines were collected (perhaps with a warning)."""

    source: str
    participant: str | None
    status: str  # collected | updated | unknown | duplicate | unreadable | skipped
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("collected", "updated")

    def __str__(self) -> str:
        who = self.participant or "?"
        text = f"{self.status:<10} {who:<12} {self.source}"
        return f"{text}: {self.message}" if self.message else text


@dataclass
class CollectReport:
    assignment: str
    lines: list[CollectLine] = field(default_factory=list)

    @property
    def collected(self) -> list[str]:
        return [ln.participant for ln in self.lines if ln.ok and ln.participant]

    @property
    def problems(self) -> list[CollectLine]:
        return [ln for ln in self.lines if not ln.ok or ln.message]

    def summary(self) -> list[str]:
        bad = sum(1 for ln in self.lines if not ln.ok)
        head = f"Collected {len(self.collected)} submissions of {self.assignment!r}"
        head += f"; {bad} need your attention:" if bad else "."
        return [head, *(f"  {ln}" for ln in self.lines)]


class _Unusable(Exception):
    """A submission that cannot be collected; the message says why, for the summary line."""


def _is_ignored(name: str, patterns: Iterable[str]) -> bool:
    return name.startswith(".") or any(fnmatch.fnmatch(name, p) for p in patterns)


def _match_participant(name: str, known: dict[str, str]) -> str | None:
    """Participant id for a folder or zip name: exact, any case, or 'id_anything'."""
    if name in known.values():
        return name
    folded = name.casefold()
    if folded in known:
        return known[folded]
    best = None
    for key, pid in known.items():
        prefixed = len(folded) > len(key) and folded.startswith(key) and folded[len(key)] in "_-. "
        if prefixed and (best is None or len(key) > len(best[0])):
            best = (key, pid)
    return best[1] if best else None


def collect(
    course_dir: str | os.PathLike[str],
    source: str | os.PathLike[str],
    assignment: str | None = None,
) -> CollectReport:
    """Bring submissions into ``submitted/``; every problem becomes one line in the report.

    ``source`` is a folder of per-participant folders or zip files (named by participant id),
    an nbgrader exchange root, or the word ``exchange`` for the configured exchange.
    """
    course = open_course(course_dir)
    assignment = course.pick_assignment(assignment)
    if not course.has_gradebook():
        raise UserError("This course has no gradebook yet; run `mentor-workshop init` first.")
    with course.gradebook() as gb:
        students = [s.id for s in gb.students]
    known = {s.casefold(): s for s in students}
    expected = {p.name for p in course.source_notebooks(assignment)}
    if not expected:
        expected = {
            p.name for p in course.path("release", ".", assignment).glob("*.ipynb")
        }

    if str(source) == "exchange" or _is_exchange_root(Path(source), course.course_id):
        return _collect_exchange(course, assignment, source, known)

    folder = Path(source).expanduser()
    if not folder.is_dir():
        raise UserError(f"There is no folder at {folder} to collect from.")
    report = CollectReport(assignment)
    ignore = list(_get(course.config, "CourseDirectory", "ignore", [])) + IGNORED_FILES
    claims: dict[str, list[Path]] = {}
    for entry in sorted(folder.iterdir()):
        if _is_ignored(entry.name, ignore):
            continue
        is_zip = entry.is_file() and entry.suffix.lower() == ".zip"
        if entry.is_symlink() or not (entry.is_dir() or is_zip):
            report.lines.append(CollectLine(entry.name, None, "skipped",
                                            "not a participant folder or .zip file"))
            continue
        stem = entry.stem if is_zip else entry.name
        pid = _match_participant(stem, known)
        if pid is None:
            report.lines.append(CollectLine(
                entry.name, None, "unknown",
                f"no participant {stem!r} in the gradebook; name the folder or zip by the "
                "participant's roster id (or add them to the roster and run init)"))
            continue
        claims.setdefault(pid, []).append(entry)

    for pid, entries in sorted(claims.items()):
        if len(entries) > 1:
            names = " and ".join(e.name for e in entries)
            for entry in entries:
                report.lines.append(CollectLine(
                    entry.name, pid, "duplicate",
                    f"{pid} handed in more than once ({names}); keep one and collect again"))
            continue
        entry = entries[0]
        try:
            line = _collect_one(course, assignment, pid, entry, expected, ignore)
        except _Unusable as exc:
            line = CollectLine(entry.name, pid, "unreadable", str(exc))
        report.lines.append(line)
    report.lines.sort(key=lambda ln: (ln.ok, ln.participant or "", ln.source))
    return report


def _is_exchange_root(path: Path, course_id: str) -> bool:
    return bool(course_id) and (path / course_id / "inbound").is_dir()


def _collect_exchange(
    course: Course, assignment: str, source: Any, known: dict[str, str]
) -> CollectReport:
    overrides: dict[str, Any] = {}
    if str(source) != "exchange":
        overrides["Exchange"] = {"root": str(Path(source).resolve())}
    before = _submitted_students(course, assignment)
    result = course.api(**overrides).collect(assignment, update=True)
    if not result.get("success"):
        raise UserError(f"Collecting from the nbgrader exchange failed:\n{_log_tail(result)}")
    report = CollectReport(assignment)
    after = _submitted_students(course, assignment)
    for pid in sorted(after):
        if pid.casefold() not in known:
            report.lines.append(CollectLine(
                "exchange", pid, "unknown",
                f"not in the gradebook (nbgrader copied it to submitted/{pid}); add them to the "
                "roster and run init, or delete that folder, before autograde"))
        elif before.get(pid) != after[pid]:
            report.lines.append(CollectLine("exchange", pid,
                                            "updated" if pid in before else "collected"))
    return report


def _submitted_students(course: Course, assignment: str) -> dict[str, float]:
    out = {}
    for pid in course.students_in("submitted", assignment):
        stamp = course.path("submitted", pid, assignment) / "timestamp.txt"
        out[pid] = stamp.stat().st_mtime_ns if stamp.exists() else 0
    return out


@dataclass
class _Files:
    """A submission's files, relative path -> bytes (read into memory: they are small)."""

    files: dict[str, bytes]
    timestamp: str | None = None


def _collect_one(
    course: Course, assignment: str, pid: str, entry: Path, expected: set[str],
    ignore: list[str],
) -> CollectLine:
    found = _read_zip(entry, ignore) if entry.is_file() else _read_folder(entry, ignore)
    chosen = _pick_notebook_folder(found, expected)
    warnings: list[str] = []
    files: dict[str, bytes] = {}
    for rel, data in chosen.files.items():
        if rel.endswith(".ipynb") and "/" not in rel:
            try:
                nbformat.reads(data.decode("utf-8"), as_version=4)
            except Exception as exc:
                warnings.append(f"{rel} is not a readable notebook ({_short(exc)}); left out, "
                                "it scores 0 until a readable copy is collected")
                continue
        files[rel] = data
    notebooks = [r for r in files if r.endswith(".ipynb") and "/" not in r]
    if not [n for n in notebooks if not expected or n in expected]:
        raise _Unusable("; ".join(warnings) or "no readable workshop notebook in it")
    missing = sorted(expected - set(notebooks)) if expected else []
    if missing:
        warnings.append(f"missing {len(missing)} notebook(s): {', '.join(missing)} (score 0)")
    journal = files.get(JOURNAL_FILENAME)
    if journal is None:
        warnings.append(f"no {JOURNAL_FILENAME}: the exercises will score 0")
    else:
        try:
            json.loads(journal.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            warnings.append(f"{JOURNAL_FILENAME} is damaged; it is graded from its backup if "
                            "one was handed in, and the participant should re-submit")

    dest = course.path("submitted", pid, assignment)
    existed = dest.exists()
    _write_submission(dest, files, chosen.timestamp)
    return CollectLine(entry.name, pid, "updated" if existed else "collected",
                       "; ".join(warnings))


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _safe_member(name: str) -> str | None:
    """The member's path inside the zip if it is safe to extract (no zip-slip), else None."""
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return "/".join(parts)


def _read_zip(path: Path, ignore: list[str]) -> _Files:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _Unusable(f"not a readable zip file ({_short(exc)})") from None
    files: dict[str, bytes] = {}
    total = 0
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise _Unusable(f"the zip holds {len(members)} files; a submission has a few dozen")
        unsafe = []
        for info in members:
            if info.is_dir():
                continue
            rel = _safe_member(info.filename)
            mode = (info.external_attr >> 16) & 0o170000
            if rel is None or mode == stat.S_IFLNK:
                unsafe.append(info.filename)
                continue
            if any(_is_ignored(part, ignore) for part in rel.split("/")):
                continue
            total += info.file_size
            if total > MAX_ZIP_BYTES:
                raise _Unusable("the zip unpacks to more than 200 MB; it is not a submission")
            try:
                files[rel] = archive.read(info)
            except (zipfile.BadZipFile, RuntimeError, OSError, ValueError) as exc:
                raise _Unusable(f"{info.filename} in the zip cannot be read ({_short(exc)})") \
                    from None
        if unsafe:
            raise _Unusable(
                f"the zip contains paths outside its own folder ({unsafe[0]!r}); refused for "
                "safety — ask the participant to zip their folder again"
            )
    return _Files(files)


def _read_folder(path: Path, ignore: list[str]) -> _Files:
    files: dict[str, bytes] = {}
    total = 0
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        dirnames[:] = [d for d in dirnames if not _is_ignored(d, ignore)]
        for name in filenames:
            full = Path(dirpath) / name
            if _is_ignored(name, ignore) or full.is_symlink() or not full.is_file():
                continue
            total += full.stat().st_size
            if total > MAX_ZIP_BYTES or len(files) >= MAX_ZIP_MEMBERS:
                raise _Unusable("the folder is larger than any submission (200 MB or 2000 files)")
            try:
                files[full.relative_to(path).as_posix()] = full.read_bytes()
            except OSError as exc:
                raise _Unusable(f"{full.name} cannot be read ({exc.strerror})") from None
    return _Files(files)


def _pick_notebook_folder(found: _Files, expected: set[str]) -> _Files:
    """The folder inside the submission that holds the notebooks, re-rooted at ''."""
    by_folder: dict[str, set[str]] = {}
    for rel in found.files:
        if rel.endswith(".ipynb"):
            parent, _, name = rel.rpartition("/")
            by_folder.setdefault(parent, set()).add(name)
    if not by_folder:
        raise _Unusable("no notebooks (.ipynb) in it")

    def rank(item: tuple[str, set[str]]) -> tuple[int, int, int]:
        folder, names = item
        return (len(names & expected), len(names), -folder.count("/"))

    folder, names = max(by_folder.items(), key=rank)
    if expected and not names & expected:
        sample = ", ".join(sorted(expected)[:2])
        raise _Unusable(f"none of its notebooks is a workshop notebook (expected e.g. {sample})")
    prefix = folder + "/" if folder else ""
    files = {
        rel[len(prefix):]: data for rel, data in found.files.items() if rel.startswith(prefix)
    }
    stamp = files.pop("timestamp.txt", None)
    timestamp = None
    if stamp is not None:
        from nbgrader.utils import parse_utc

        with contextlib.suppress(ValueError, UnicodeDecodeError, OverflowError):
            text = stamp.decode("utf-8").strip()
            parse_utc(text)
            timestamp = text
    return _Files(files, timestamp)


def _write_submission(dest: Path, files: dict[str, bytes], timestamp: str | None) -> None:
    """Replace ``dest`` with ``files`` as one step: a half-written submission is never graded."""
    from nbgrader.utils import rmtree

    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.incoming-", dir=dest.parent))
    try:
        for rel, data in files.items():
            target = (staging / rel).resolve()
            if not target.is_relative_to(staging.resolve()):  # belt and braces
                raise _Unusable(f"{rel!r} points outside the submission")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        stamp = timestamp or datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
        (staging / "timestamp.txt").write_text(stamp + "\n", encoding="utf-8")
        old = None
        if dest.exists():
            old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
            os.replace(dest, old)
        os.replace(staging, dest)
        if old is not None:
            rmtree(str(old))
    except BaseException:
        rmtree(str(staging))
        raise


# ----------------------------------------------------------------------------------- feedback


def _hide_hidden_tests_class() -> type:
    from nbgrader import utils
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


def _escape_participant_class() -> type:
    from nbgrader import utils
    from nbgrader.preprocessors import NbGraderPreprocessor

    class EscapeParticipantText(NbGraderPreprocessor):
        """Show what a participant wrote as text, never as live HTML or script.

        Markdown the participant could edit (reflections, cells they added) has its HTML
        escaped; outputs of cells they could edit lose their HTML/JS/SVG forms and keep plain
        text. Locked cells were restored from the source before grading, so their outputs are
        the kit's own (which escapes participant answers itself).
        """

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
            trusted = utils.is_locked(cell) and not utils.is_solution(cell)
            if cell.cell_type in ("markdown", "raw") and not trusted:
                cell.source = _escape_markdown(cell.source)
                cell.attachments = {}
            elif cell.cell_type == "code":
                for output in cell.get("outputs", []):
                    if output.output_type in ("display_data", "execute_result"):
                        data = output.get("data", {})
                        if "application/javascript" in data:
                            del data["application/javascript"]
                        if not trusted:
                            for mime in _UNSAFE_MIME:
                                data.pop(mime, None)
                            if not data:
                                data["text/plain"] = ""
            return cell, resources

    return EscapeParticipantText


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
    from urllib.parse import unquote

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


def _offline_exporter_class() -> type:
    import jinja2
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
            return _make_offline(output), resources

    return OfflineFeedbackExporter


def _keep_if_offline(page: Path) -> str | None:
    """Delete ``page`` and say why if it would load anything from the network.

    The last line of defence: a course config with another template, or a new nbgrader, could
    bring CDN links back; such a page is not handed out.
    """
    from mentor_workshop.facilitator.report import remote_references

    text = page.read_text(encoding="utf-8", errors="replace")
    remote = sorted(set(remote_references(text)))
    if re.search(r"<script[^>]*\ssrc\s*=\s*[\"']?[^\s\"'>]", text, re.IGNORECASE):
        remote.append("<script src=...>")
    if not remote:
        return None
    page.unlink()
    return (f"{page.name} would load files from the internet ({', '.join(remote[:3])}), so it "
            "was deleted; check the HTMLExporter settings in the course's nbgrader config")


def _escape_markdown(text: str) -> str:
    escaped = html.escape(text, quote=False)
    # a markdown link or image to javascript:/data: would still run when clicked
    return re.sub(r"\]\(\s*(?:javascript|vbscript|data):", "](#blocked:", escaped, flags=re.I)


@dataclass
class FeedbackReport:
    assignment: str
    files: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        students = sorted({p.parent.parent.name for p in self.files})
        out = [f"Wrote feedback for {len(students)} participants under feedback/."]
        out += [f"Could not write feedback for {s}" for s in self.failed]
        return out


def feedback(
    course_dir: str | os.PathLike[str],
    assignment: str | None = None,
    participants: Sequence[str] | None = None,
) -> FeedbackReport:
    """Per-participant feedback HTML through nbgrader, safe to hand out."""
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
            report.failed.append(f"{student}: {_log_tail(result, 3)}")
            continue
        for page in sorted(course.path("feedback", student, assignment).glob("*.html")):
            problem = _keep_if_offline(page)
            if problem:
                report.failed.append(f"{student}: {problem}")
            else:
                report.files.append(page)
    return report


# ------------------------------------------------------------------------------------- export


def _cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_grades(
    course_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    assignment: str | None = None,
) -> int:
    """One CSV row per participant: identity, total, and per-step check and reflection scores.

    Returns the number of participants written. Steps are named by notebook; ``_check`` is the
    autograded exercise and ``_reflection`` the rubric score (empty until graded).
    """
    course = open_course(course_dir)
    assignment = course.pick_assignment(assignment)
    with course.gradebook() as gb:
        try:
            record = gb.find_assignment(assignment)
        except Exception:
            raise UserError(f"The gradebook has no assignment {assignment!r}; release it first.") \
                from None
        notebooks = sorted(nb.name for nb in record.notebooks)
        manual = {(nb.name, c.name) for nb in record.notebooks for c in nb.solution_cells}
        header = ["participant_id", "last_name", "first_name", "email", "assignment",
                  "submitted_at", "score", "max_score", "needs_manual_grade"]
        for name in notebooks:
            header += [f"{name}_check", f"{name}_reflection"]
        rows = []
        for student in sorted(gb.students, key=lambda s: s.id):
            row: dict[str, Any] = {
                "participant_id": student.id, "last_name": student.last_name or "",
                "first_name": student.first_name or "", "email": student.email or "",
                "assignment": assignment,
            }
            try:
                sub = gb.find_submission(assignment, student.id)
            except Exception:
                sub = None
            if sub is not None:
                row.update(submitted_at=sub.timestamp.isoformat() if sub.timestamp else "",
                           score=round(sub.score, 2), max_score=sub.max_score,
                           needs_manual_grade=sub.needs_manual_grade)
                for nb in sub.notebooks:
                    auto = [g for g in nb.grades if (nb.name, g.name) not in manual]
                    rubric = [g for g in nb.grades if (nb.name, g.name) in manual]
                    row[f"{nb.name}_check"] = round(sum(g.score for g in auto), 2)
                    graded = all(g.manual_score is not None or g.auto_score is not None
                                 for g in rubric)
                    row[f"{nb.name}_reflection"] = (
                        round(sum(g.score for g in rubric), 2) if rubric and graded else "")
            else:
                row["max_score"] = record.max_score
            rows.append(row)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    write_text_atomic(out, buffer.getvalue())
    return len(rows)
