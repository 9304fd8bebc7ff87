"""The whole facilitator pipeline on the bundled sample cohort, end to end.

The demo drives the real ``mentor-workshop`` commands in the order a facilitator would type them,
so it doubles as a worked example of the guide's "running with the CLI" page. The command runner
is handed in by the caller (``mentor-workshop demo`` passes the CLI's ``main``): the facilitator's
wing sits below the command line and never imports it. The only simulated
parts are the participants themselves: their submissions are built from the sample cohort's
journals and reflections (one of them deliberately broken), and the facilitator's rubric levels
come from ``exercises/sample_cohort/rubric_grades.csv``.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.core.journal import JOURNAL_FILENAME
from mentor_workshop.core.resources import exercises_dir
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.grading import GradingQueue
from mentor_workshop.facilitator.sandbox import available as sandbox_available

MARKER = ".mentor-workshop-demo"
ASSIGNMENT = "mentor_workshop"
#: the participant whose submission arrives with a damaged journal
BROKEN = "p11"
#: participants who hand in a zip file rather than a folder
ZIPPED = ("p07", "p08", "p09", "p10", "p11", "p12")

#: Runs one ``mentor-workshop`` command line (without the program name); returns its exit code.
CommandRunner = Callable[[list[str]], int]


@dataclass
class Demo:
    """One demo run: where it writes, how it runs commands, and how long each step took."""

    out: Path
    command: CommandRunner
    workers: int | None = None
    personalize: int = 3
    timings: list[tuple[str, float]] = field(default_factory=list)

    @property
    def cohort(self) -> Path:
        return exercises_dir() / "sample_cohort"

    @property
    def course(self) -> Path:
        return self.out / "course"

    def cli(self, *args: str) -> None:
        """Run one ``mentor-workshop`` command; a failure stops the demo with its message."""
        print(f"\n$ mentor-workshop {' '.join(args)}", flush=True)
        code = self.command(list(args))
        if code != 0:
            raise UserError(f"`mentor-workshop {' '.join(args)}` exited with {code}; see above.")

    def step(self, title: str, fn: Callable[[], None]) -> None:
        print(f"\n=== {title}", flush=True)
        start = time.perf_counter()
        fn()
        self.timings.append((title, time.perf_counter() - start))

    def workers_args(self) -> list[str]:
        return ["--workers", str(self.workers)] if self.workers else []

    def summary(self) -> str:
        """Where each output is (those that exist), then the time each step took."""
        out = self.out
        rows = [
            ("nbgrader course (open with formgrader)", out / "course"),
            ("released notebooks", out / "course" / "release" / ASSIGNMENT),
            ("personalised notebooks", out / "personalized"),
            ("feedback per participant", out / "course" / "feedback"),
            ("grades", out / "grades.csv"),
            ("personal plans", out / "plans"),
            ("cohort report", out / "report.html"),
        ]
        lines = ["\nDone. Where everything is:"]
        lines += [f"  {label:<40} {path}" for label, path in rows if path.exists()]
        total = sum(t for _, t in self.timings)
        lines.append("\nTime per step:")
        lines += [f"  {seconds:6.1f} s  {title}" for title, seconds in self.timings]
        lines.append(f"  {total:6.1f} s  in all")
        return "\n".join(lines)


def prepare(out: Path) -> None:
    """Start from an empty folder, but never wipe one the demo did not make.

    Parameters
    ----------
    out : Path
        The demo's folder; a marker file inside says the demo made it.

    Returns
    -------
    None

    Raises
    ------
    UserError
        When ``out`` holds files and no marker.
    """
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            raise UserError(
                f"{out} exists and was not made by the demo; choose another folder with --out."
            )
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by mentor-workshop demo; safe to delete\n", encoding="utf-8")


def _reflections(cohort: Path, pid: str) -> dict[str, str]:
    path = cohort / "reflections" / f"{pid}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.exists() else {}


def submission_files(release: Path, cohort: Path, pid: str) -> dict[str, bytes]:
    """What participant ``pid`` hands in: the released notebooks with their reflections typed
    into the answer cells, and their journal.

    Parameters
    ----------
    release : Path
        The released notebooks.
    cohort : Path
        The sample cohort folder (``reflections/`` and ``journals/``).
    pid : str
        The participant id; :data:`BROKEN`'s journal arrives cut short.

    Returns
    -------
    dict
        File name -> bytes.
    """
    answers = _reflections(cohort, pid)
    files: dict[str, bytes] = {}
    for path in sorted(release.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = answers.get(path.stem)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if text and cell.cell_type == "markdown" and meta.get("solution"):
                cell.source = text
        files[path.name] = nbformat.writes(nb).encode("utf-8")
    journal = (cohort / "journals" / f"{pid}.json").read_bytes()
    if pid == BROKEN:
        journal = journal[: len(journal) // 2]  # a sync tool cut the file short
    files[JOURNAL_FILENAME] = journal
    return files


def build_inbox(release: Path, cohort: Path, inbox: Path, ids: Sequence[str]) -> None:
    """Hand in every participant's work: a folder each, or a zip file for :data:`ZIPPED`.

    Parameters
    ----------
    release : Path
        The released notebooks.
    cohort : Path
        The sample cohort folder.
    inbox : Path
        Where the submissions go, as ``collect`` reads them.
    ids : sequence of str
        The participants who hand in.

    Returns
    -------
    None
    """
    inbox.mkdir(parents=True, exist_ok=True)
    for pid in ids:
        files = submission_files(release, cohort, pid)
        if pid in ZIPPED:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
                for name, data in files.items():
                    zf.writestr(f"{ASSIGNMENT}/{name}", data)
            (inbox / f"{pid}.zip").write_bytes(buffer.getvalue())
        else:
            folder = inbox / pid
            folder.mkdir()
            for name, data in files.items():
                (folder / name).write_bytes(data)


def fill_grades(course: Path, exported: Path, graded: Path, sample: Path) -> int:
    """Fill the exported pseudonymous CSV with the sample cohort's rubric levels.

    The facilitator's sheet is keyed by participant; the export hides names, so the pseudonyms
    are resolved through the grading queue — the one place that knows both.

    Parameters
    ----------
    course : Path
        The nbgrader course.
    exported : Path
        The CSV ``grade export`` wrote.
    graded : Path
        Where to write the filled-in CSV, for ``grade import``.
    sample : Path
        The facilitator's sheet: rubric levels by participant and step.

    Returns
    -------
    int
        How many answers were given levels.
    """
    queue = GradingQueue(course)
    levels: dict[tuple[str, str], dict[str, str]] = {}
    with sample.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            levels[(row["participant"], row["step"])] = row
    text = exported.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if not rows:
        return 0
    filled = 0
    for row in rows:
        pid = queue.participant_of(row["pseudonym"])
        step = Path(row["notebook"]).stem
        grade = levels.get((pid, step))
        if grade is None:
            continue
        for criterion in ("depth", "action", "step_evidence"):
            row[criterion] = grade[criterion]
        row["comment"] = grade["comment"]
        filled += 1
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(graded, out.getvalue())
    return filled


def run(
    out: Path,
    workers: int | None = None,
    personalize: int = 3,
    participants: Sequence[str] | None = None,
    *,
    command: CommandRunner,
) -> Demo:
    """Run the whole pipeline on the sample cohort, printing each command as it runs.

    Parameters
    ----------
    out : Path
        Folder for everything the demo makes; emptied first, but only if the demo made it.
    workers : int, optional
        Parallel notebooks (default: one per core).
    personalize : int, default 3
        Personalise the notebooks for the first N participants; 0 skips the step.
    participants : sequence of str, optional
        Narrow the cohort to these ids (the tests use a few).
    command : callable
        Runs one ``mentor-workshop`` command line and returns its exit code; the CLI passes
        its own ``main``.

    Returns
    -------
    Demo
        The run, with each step's time; :meth:`Demo.summary` says where everything is.

    Raises
    ------
    UserError
        When ``out`` was not made by the demo, or a command fails.
    """
    demo = Demo(out.resolve(), command, workers, personalize)
    prepare(demo.out)
    roster = demo.cohort / "roster.csv"
    lines = roster.read_text(encoding="utf-8-sig").splitlines()
    if participants is not None:
        lines = [lines[0], *(ln for ln in lines[1:] if ln.split(",", 1)[0] in participants)]
        roster = demo.out / "roster.csv"
        write_text_atomic(roster, "\n".join(lines) + "\n")
    ids = [row["id"] for row in csv.DictReader(io.StringIO("\n".join(lines)))]
    course = str(demo.course)

    demo.step("1. Create the nbgrader course from the roster",
              lambda: demo.cli("init", course, "--roster", str(roster)))
    demo.step("2. Release the notebooks (solutions and hidden tests removed)",
              lambda: demo.cli("release", course))

    def personalise() -> None:
        small = demo.out / "roster-first-few.csv"
        write_text_atomic(small, "\n".join(lines[: demo.personalize + 1]) + "\n")
        demo.cli("personalize", "--roster", str(small), "--out",
                 str(demo.out / "personalized"), *demo.workers_args())

    if demo.personalize:
        demo.step(f"3. Personalise and execute the notebooks for {demo.personalize} "
                  "participants (papermill)", personalise)

    inbox = demo.out / "inbox"
    demo.step("4. Participants hand in their work (simulated; one journal is damaged)",
              lambda: build_inbox(demo.course / "release" / ASSIGNMENT, demo.cohort, inbox, ids))
    demo.step("5. Collect the submissions",
              lambda: demo.cli("collect", course, "--from", str(inbox)))
    # the demo's hand-ins are the kit's own sample cohort: without a sandbox here, grade them
    # unsandboxed (the command says so) rather than stop the demo
    unsafe = [] if sandbox_available()[0] else ["--unsafe-no-sandbox"]
    demo.step("6. Autograde the cohort in parallel",
              lambda: demo.cli("autograde", course, *demo.workers_args(), *unsafe))

    def rubric() -> None:
        exported = demo.out / "reflections-to-grade.csv"
        graded = demo.out / "reflections-graded.csv"
        demo.cli("grade", "export", course, str(exported))
        count = fill_grades(demo.course, exported, graded, demo.cohort / "rubric_grades.csv")
        print(f"(the facilitator filled in rubric levels for {count} reflections)")
        demo.cli("grade", "import", course, str(graded))

    demo.step("7. Grade the reflections against the rubric (blind, via CSV)", rubric)
    demo.step("8. Feedback for every participant", lambda: demo.cli("feedback", course))
    demo.step("9. Export the grades",
              lambda: demo.cli("export", course, str(demo.out / "grades.csv")))
    demo.step("10. Personal mentorship plans for everyone (papermill)",
              lambda: demo.cli("plans", course, "--out", str(demo.out / "plans"),
                               *demo.workers_args()))
    demo.step("11. The cohort report",
              lambda: demo.cli("report", course, "--out", str(demo.out / "report.html")))
    demo.step("12. Who has completed what", lambda: demo.cli("status", course))
    return demo


def print_outputs(demo: Demo) -> None:
    """Print :meth:`Demo.summary` and flush, so it follows the commands' own output.

    Parameters
    ----------
    demo : Demo
        A finished run.

    Returns
    -------
    None
    """
    print(demo.summary())
    sys.stdout.flush()
