"""Bring participants' submissions into ``submitted/``, one clear line per problem.

Why not ``nbgrader collect`` alone: in most workshops there is no JupyterHub, and submissions
arrive as folders or zip files on a USB stick or in a shared drive, named however participants
named them. A zip may hold a folder inside a folder, a notebook nobody can open, or a path that
points outside itself (zip-slip). Each submission is read into memory, checked, and written in
one step, so a half-written submission is never graded; anything wrong becomes one line in the
report instead of a stack trace, and the rest are still collected. The nbgrader exchange is
still supported for JupyterHub set-ups.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from mentor_workshop.core.journal import JOURNAL_FILENAME
from mentor_workshop.core.journal_format import parse_journal, private_removed
from mentor_workshop.errors import UnreadableJournal, UserError
from mentor_workshop.facilitator.course.config import (
    IGNORED_FILES,
    Course,
    log_tail,
    open_course,
)
from mentor_workshop.facilitator.course.lock import course_lock
from mentor_workshop.facilitator.markers import config_value

__all__ = ["CollectLine", "CollectReport", "collect"]

#: Limits on a submitted zip: a workshop submission is a few hundred kilobytes.
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_BYTES = 200 * 1024 * 1024
#: Longest file or folder name kept (most file systems refuse more than 255 bytes).
MAX_NAME_BYTES = 255
#: Longest relative path kept inside a submission.
MAX_PATH_BYTES = 1024
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class CollectLine:
    """One submission's outcome; ``ok`` lines were collected (perhaps with a warning)."""

    source: str
    participant: str | None
    status: str  # collected | updated | unknown | duplicate | mismatch | unreadable | skipped
    message: str = ""

    @property
    def ok(self) -> bool:
        """Whether the submission was collected (a warning may still come with it)."""
        return self.status in ("collected", "updated")

    def __str__(self) -> str:
        who = self.participant or "?"
        text = f"{self.status:<10} {who:<12} {_shown(self.source)}"
        return f"{text}: {self.message}" if self.message else text


@dataclass
class CollectReport:
    """Every submission's outcome, problems first."""

    assignment: str
    lines: list[CollectLine] = field(default_factory=list)

    @property
    def collected(self) -> list[str]:
        """Ids of the participants whose submission was collected."""
        return [ln.participant for ln in self.lines if ln.ok and ln.participant]

    @property
    def problems(self) -> list[CollectLine]:
        """Lines that were not collected or came with a warning."""
        return [ln for ln in self.lines if not ln.ok or ln.message]

    def summary(self) -> list[str]:
        """The report as lines to print: a head line, then one line per submission.

        Returns
        -------
        list of str
            The head line and the indented outcome lines.
        """
        bad = sum(1 for ln in self.lines if not ln.ok)
        head = f"Collected {len(self.collected)} submissions of {self.assignment!r}"
        head += f"; {bad} need your attention:" if bad else "."
        return [head, *(f"  {ln}" for ln in self.lines)]


class _Unusable(Exception):
    """A submission that cannot be collected; the message says why, for the summary line."""


class _Mismatch(Exception):
    """The journal inside says the hand-in belongs to someone other than its name says."""


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

    Parameters
    ----------
    course_dir : str or path-like
        The course folder.
    source : str or path-like
        A folder of per-participant folders or zip files (named by participant id), an
        nbgrader exchange root, or the word ``exchange`` for the configured exchange.
    assignment : str, optional
        The assignment (default: the course's only one, or the kit's).

    Returns
    -------
    CollectReport
        One line per submission found.

    Raises
    ------
    UserError
        The course has no gradebook, the source folder does not exist, or the exchange failed.
    CourseBusyError
        An autograde (or another collect) is running on the course.
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
        with course_lock(course.root, "collect"):
            return _collect_exchange(course, assignment, source, known)

    folder = Path(source).expanduser()
    if not folder.is_dir():
        raise UserError(f"There is no folder at {folder} to collect from.")
    with course_lock(course.root, "collect"):  # never while autograde reads submitted/
        return _collect_folder(course, assignment, folder, known, expected)


def _collect_folder(course: Course, assignment: str, folder: Path, known: dict[str, str],
                    expected: set[str]) -> CollectReport:
    report = CollectReport(assignment)
    ignore = list(config_value(course.config, "CourseDirectory", "ignore", [])) + IGNORED_FILES
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
        except _Mismatch as exc:
            line = CollectLine(entry.name, pid, "mismatch", str(exc))
        except Exception as exc:  # one hand-in must never stop the others
            line = CollectLine(entry.name, pid, "unreadable",
                               f"it could not be collected ({type(exc).__name__}: {_short(exc)})")
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
        raise UserError(f"Collecting from the nbgrader exchange failed:\n{log_tail(result)}")
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
    # deferred: nbformat's schema validator takes over a second to import, and the report's
    # kernel and the CLI open courses without reading a notebook
    import nbformat

    found = _read_zip(entry, ignore) if entry.is_file() else _read_folder(entry, ignore)
    chosen = _pick_notebook_folder(found, expected)
    warnings: list[str] = []
    files: dict[str, bytes] = {}
    for rel, data in chosen.files.items():
        if _too_long(rel):
            warnings.append(f"{_shown(rel)} has a name too long to store; left out")
            continue
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
    for name in (JOURNAL_FILENAME, f"{JOURNAL_FILENAME}.bak"):  # self-scores stay private
        if name in files:
            files[name] = private_removed(files[name])
    journal = files.get(JOURNAL_FILENAME)
    if journal is None:
        warnings.append(f"no {JOURNAL_FILENAME}: the exercises will score 0")
    else:
        try:
            owner = parse_journal(journal).get("participant", {}).get("id")
        except UnreadableJournal as exc:
            warnings.append(f"{JOURNAL_FILENAME} is damaged ({exc}); it is graded from its "
                            "backup if one was handed in, and the participant should re-submit")
        else:
            if isinstance(owner, str) and owner.strip() and owner.strip().casefold() != \
                    pid.casefold():
                raise _Mismatch(
                    f"its {JOURNAL_FILENAME} belongs to participant {_shown(owner.strip())!r}, "
                    f"not {pid}; not collected. Check whose work it is, then name the folder "
                    "or zip by that participant's id and collect again")

    dest = course.path("submitted", pid, assignment)
    existed = dest.exists()
    _write_submission(dest, files, chosen.timestamp)
    return CollectLine(entry.name, pid, "updated" if existed else "collected",
                       "; ".join(warnings))


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _shown(name: str) -> str:
    """A name from a hand-in, short and printable enough for one summary line (no control or
    bidirectional characters that would reorder the line on a terminal)."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in name)  # bidi controls too
    return clean if len(clean) <= 80 else clean[:60] + "..." + clean[-12:]


def _too_long(rel: str) -> bool:
    return len(rel.encode("utf-8")) > MAX_PATH_BYTES or any(
        len(part.encode("utf-8")) > MAX_NAME_BYTES for part in rel.split("/"))


def _layout_problems(names: Iterable[str]) -> str | None:
    """Why these member paths cannot all be written as files, or None when they can.

    Two members with one name (a second copy would silently replace the first, even when only
    the case differs) and a member that is both a file and a folder (``extra`` and
    ``extra/x``) are refused by name rather than left to fail half-way through writing.
    """
    seen: dict[str, str] = {}
    for name in names:
        key = name.casefold()
        if key in seen:
            return (f"it holds {_shown(name)!r} twice (also as {_shown(seen[key])!r}); one "
                    "copy would silently replace the other, so it is refused. Ask the "
                    "participant to zip their folder again")
        seen[key] = name
    for key, name in seen.items():
        parts = key.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix in seen:
                return (f"{_shown(seen[prefix])!r} is both a file and a folder "
                        f"({_shown(name)!r}); refused. Ask the participant to zip their "
                        "folder again")
    return None


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
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise _Unusable(f"the zip holds {len(members)} files; a submission has a few dozen")
        unsafe = []
        wanted = []
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
            wanted.append((rel, info))
        if unsafe:
            raise _Unusable(
                f"the zip contains paths outside its own folder ({_shown(unsafe[0])!r}); "
                "refused for safety — ask the participant to zip their folder again"
            )
        problem = _layout_problems(rel for rel, _ in wanted)
        if problem:
            raise _Unusable(problem)
        budget = MAX_ZIP_BYTES
        for rel, info in wanted:
            files[rel] = _inflate(archive, info, budget)
            budget -= len(files[rel])
    return _Files(files)


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """One member's bytes, counted as they are unpacked: a zip bomb stops at the budget.

    The sizes a zip declares are written by whoever made it, so they are not trusted; the
    bytes actually produced are.
    """
    chunks = []
    produced = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                produced += len(chunk)
                if produced > budget:
                    raise _Unusable("the zip unpacks to more than 200 MB; it is not a "
                                    "submission")
                chunks.append(chunk)
    except (zipfile.BadZipFile, RuntimeError, OSError, ValueError, EOFError,
            NotImplementedError, zlib.error) as exc:
        raise _Unusable(f"{_shown(info.filename)} in the zip cannot be read "
                        f"({_short(exc)})") from None
    return b"".join(chunks)


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
        from nbgrader.utils import parse_utc  # nbgrader is slow to import

        with contextlib.suppress(ValueError, UnicodeDecodeError, OverflowError):
            text = stamp.decode("utf-8").strip()
            parse_utc(text)
            timestamp = text
    return _Files(files, timestamp)


def _write_submission(dest: Path, files: dict[str, bytes], timestamp: str | None) -> None:
    """Replace ``dest`` with ``files`` as one step: a half-written submission is never graded."""
    from nbgrader.utils import rmtree  # nbgrader is slow to import

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
