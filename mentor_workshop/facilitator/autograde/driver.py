"""Autograde a whole cohort in parallel, with exactly the scores ``nbgrader autograde`` gives.

This module is the parent: it plans the run, feeds the workers and writes the gradebook.

Why not just run ``nbgrader autograde`` several times at once: each run pays about 3 s of
start-up and they fight over the SQLite gradebook; on 2 cores that was measured slower than one
serial run. So the work is split the way nbgrader itself splits it, and only the expensive part
is spread out:

* **the parent** does what writes the gradebook, one thing at a time: it prepares each
  submission (nbgrader's ``Autograde.init_assignment``: student, submission, files), and it runs
  the grade-saving preprocessors (``SaveAutoGrades``, ``AssignLatePenalties``...) on each
  executed notebook as it comes back, then writes the autograded file;
* **long-lived worker processes** (started once, not per participant) run the sanitising
  preprocessors and execute each notebook in a fresh kernel (nbgrader's ``Execute``), reading
  the gradebook only.

Because the preprocessors are nbgrader's own classes, configured from the course's own config,
in nbgrader's order, a participant's scores do not depend on which tool graded them; a test
proves it on the same submissions. A participant's notebooks run one after another in one
worker, in nbgrader's order, because they share the participant's journal.

Where the kit deliberately does better than nbgrader:

* a kernel that dies (``os._exit``, a segfault, out of memory) no longer fails the whole
  participant: what ran is graded, the checks that could not run score 0, and it is reported;
* an endless loop is stopped by the per-cell timeout (nbgrader's ``Execute.timeout``) and
  reported; an edited locked cell or test cell (nbgrader checksums), a deleted or duplicated
  graded cell and a damaged journal are reported per participant;
* a progress bar, ``--participant`` to re-grade one person, and any error stays with its
  participant: the batch always finishes.

How the parts fit: :mod:`.gradebook` does the parent's gradebook work, :mod:`.worker` is the
worker process, :mod:`.preprocessors` holds nbgrader's pipelines with the kit's fixes,
:mod:`..warm` the pre-warmed kernels, :mod:`.tamper` the edited-cell checks and
:mod:`.outcomes` the report. Retries, and how a dead kernel or worker is handled, follow the
pool policy shared with ``batch`` (:mod:`mentor_workshop.facilitator.pool`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from tqdm import tqdm
from traitlets.config import Config

from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.autograde.gradebook import GradebookSide
from mentor_workshop.facilitator.autograde.outcomes import (
    AutogradeReport,
    NotebookOutcome,
    ParticipantOutcome,
)
from mentor_workshop.facilitator.autograde.worker import (
    LOG_NAME,
    SubmissionJob,
    grade_submission,
    init_worker,
    quiet_warnings,
)
from mentor_workshop.facilitator.course import Course, ensure_tools_on_path, open_course
from mentor_workshop.facilitator.course.lock import course_lock
from mentor_workshop.facilitator.pool import WorkerDeaths
from mentor_workshop.facilitator.pool import default_workers as _pool_workers
from mentor_workshop.facilitator.sandbox import require as require_sandbox

#: Said when grading runs without the sandbox (``--unsafe-no-sandbox``).
UNSAFE_WARNING = ("graded WITHOUT a sandbox (--unsafe-no-sandbox): hand-ins ran with your "
                  "rights and could read or change anything you can")

__all__ = ["autograde", "default_workers"]


def default_workers() -> int:
    """Worker processes to start: one per core, plus one.

    A notebook's kernel spends part of its life waiting (start-up hand-shakes, shutdown), so one
    extra worker keeps the cores busy; more would only queue. ``benchmarks/autograde.py
    --sweep-workers 2,3,4`` on 2 cores: 3 workers were fastest (see benchmarks/README.md).

    Returns
    -------
    int
    """
    return _pool_workers(spare=1)


def _discover(course: Course, assignment: str | None, participants: Sequence[str] | None
              ) -> list[tuple[str, str]]:
    """(assignment, participant) pairs as the gradebook and ``submitted/`` say."""
    assignments = [assignment] if assignment else course.assignments()
    if not assignments:
        raise UserError("The gradebook has no assignments; run `mentor-workshop release` first.")
    pairs = []
    for name in assignments:
        for student in course.students_in("submitted", name):
            pairs.append((name, student))
    if participants:
        wanted = set(participants)
        found = {s for _, s in pairs}
        missing = sorted(wanted - found)
        if missing:
            raise UserError(
                "No submission to grade for: " + ", ".join(missing)
                + ". Collect it first with `mentor-workshop collect`."
            )
        pairs = [(a, s) for a, s in pairs if s in wanted]
    if not pairs:
        raise UserError("No submissions found; collect them with `mentor-workshop collect`.")
    return pairs


def _context() -> Any:
    """Workers fork from a clean server that has nbgrader imported already (Linux), so each
    starts in milliseconds and inherits no gradebook connection; elsewhere they are spawned."""
    if sys.platform.startswith("linux"):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["nbgrader.preprocessors", "nbgrader.api", "nbclient",
                                    "nbconvert", "mentor_workshop.facilitator.autograde"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - macOS/Windows


def _start_forkserver() -> None:
    """Start the workers' fork server now, so it imports nbgrader while this process does.

    Otherwise it starts with the first submission: its imports (2.6 s on one core, measured)
    came after the parent's own, with the other core idle.
    """
    context = _context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _pool(workers: int, root: str, overrides: dict[str, Any], ticks: Any, prewarm: Any
          ) -> ProcessPoolExecutor:
    # ``prewarm`` is (prewarm, sandbox): one argument, so the dispatch loop passes it unchanged
    return ProcessPoolExecutor(max_workers=workers, mp_context=_context(),
                               initializer=init_worker,
                               initargs=(root, overrides, ticks, *prewarm))


def autograde(
    course_dir: str | os.PathLike[str],
    *,
    assignment: str | None = None,
    participants: Sequence[str] | None = None,
    workers: int | None = None,
    timeout: int | None = None,
    force: bool = False,
    progress: bool = True,
    prewarm: bool = True,
    on_result: Callable[[ParticipantOutcome], None] | None = None,
    sandbox: bool = True,
) -> AutogradeReport:
    """Autograde submissions in parallel into the course's gradebook.

    Like ``nbgrader autograde``, a submission already graded is skipped unless it was handed in
    again; ``force`` re-grades everything and naming ``participants`` re-grades just them.
    ``timeout`` overrides the course's per-cell limit (``Execute.timeout``). ``prewarm`` forks
    each notebook's fresh kernel from a process that has the kit imported already (Linux only);
    turn it off to start every kernel from scratch as nbgrader does.

    Parameters
    ----------
    course_dir
        The course folder (``nbgrader_config.py``, ``submitted/``, the gradebook).
    assignment
        Grade only this assignment; None for every assignment in the gradebook.
    participants
        Grade only these participants (again, even if graded already).
    workers
        Worker processes; None for one per core plus one (:func:`default_workers`).
    timeout
        Seconds a cell may run, instead of the course's ``Execute.timeout``.
    force
        Grade again what was graded already.
    progress
        Show a progress bar on stderr.
    prewarm
        Fork kernels from a pre-warmed process (Linux only).
    on_result
        Called with each participant's outcome as soon as it is graded.
    sandbox
        Run each participant's notebooks in a bubblewrap sandbox (:mod:`mentor_workshop.
        facilitator.sandbox`); False (``--unsafe-no-sandbox``) runs them with your rights.

    Returns
    -------
    AutogradeReport
        Every participant's outcome (skipped ones included), sorted by participant.

    Raises
    ------
    UserError
        For a bad ``workers`` or ``timeout``, a course without assignments or submissions, or
        a named participant without a submission.
    CourseBusyError
        When another autograde or a collect is running on the same course.
    SandboxUnavailable
        When ``sandbox`` is on and no sandbox can be had on this machine.
    """
    ensure_tools_on_path()
    if sandbox:
        require_sandbox()
    course = open_course(course_dir)
    with course_lock(course.root, "autograde"):  # one at a time (see course.lock)
        return _run(course, assignment=assignment, participants=participants, workers=workers,
                    timeout=timeout, force=force, progress=progress, prewarm=prewarm,
                    on_result=on_result, sandbox=sandbox)


def _run(
    course: Course, *, assignment: str | None, participants: Sequence[str] | None,
    workers: int | None, timeout: int | None, force: bool, progress: bool, prewarm: bool,
    on_result: Callable[[ParticipantOutcome], None] | None, sandbox: bool,
) -> AutogradeReport:
    """The run itself, with the course locked: :func:`autograde` documents the arguments."""
    workers = workers or default_workers()
    if workers < 1:
        raise UserError("--workers must be at least 1.")
    _start_forkserver()
    # deferred: pre-warmed kernels fork from a process that imports this package
    from nbgrader.api import Gradebook

    overrides: dict[str, dict[str, Any]] = {}
    if timeout is not None:
        if timeout < 1:
            raise UserError("--timeout must be at least 1 second.")
        overrides["Execute"] = {"timeout": timeout}
    config = Config(course.config)
    for section, values in overrides.items():
        config[section].update(values)
    pairs = _discover(course, assignment, participants)
    with Gradebook(course.db_url, course.course_id):
        pass
    with Gradebook(course.db_url):  # nbgrader's preprocessors open it so; create that row once
        pass

    quiet_warnings()
    with contextlib.suppress(OSError):
        (course.root / LOG_NAME).write_text("", encoding="utf-8")
    parent = GradebookSide(course, config, force=force or bool(participants))
    report = AutogradeReport(workers=workers)
    if not sandbox:
        report.warnings.append(UNSAFE_WARNING)
    started = time.monotonic()
    todo: list[tuple[str, str]] = []
    for name, student in pairs:
        if parent.should_grade(name, student):
            todo.append((name, student))
        else:
            report.participants.append(ParticipantOutcome(student, name, skipped=True))
    bar = tqdm(total=_notebooks_per(course, todo), unit="notebook", desc="autograde",
               disable=not progress or not todo, file=sys.stderr, dynamic_ncols=True)
    ticks = _context().Queue() if progress and todo else None
    stop = threading.Event()
    reader = None
    if ticks is not None:
        reader = threading.Thread(target=_drain, args=(ticks, bar, stop), daemon=True)
        reader.start()
    try:
        _dispatch(parent, todo, workers, str(course.root), overrides, ticks, report, on_result,
                  (prewarm, sandbox))
    finally:
        stop.set()
        if reader is not None:
            reader.join(timeout=2)
        bar.close()
    report.participants.sort(key=lambda p: (p.skipped, p.participant))
    report.seconds = time.monotonic() - started
    return report


def _notebooks_per(course: Course, todo: list[tuple[str, str]]) -> int:
    return sum(len(list(course.path("submitted", s, a).glob("*.ipynb"))) for a, s in todo)


def _drain(ticks: Any, bar: Any, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            bar.update(ticks.get(timeout=0.2))
        except queue.Empty:
            continue
        except (EOFError, OSError):
            return


def _dispatch(
    parent: GradebookSide, todo: list[tuple[str, str]], workers: int, root: str,
    overrides: dict[str, Any], ticks: Any, report: AutogradeReport,
    on_result: Callable[[ParticipantOutcome], None] | None, prewarm: tuple[bool, bool],
) -> None:
    """Keep every worker busy; prepare the next submission while the others run."""
    pending = list(reversed(todo))
    running: dict[Future, tuple[SubmissionJob, ParticipantOutcome]] = {}
    deaths = WorkerDeaths()
    pool = _pool(workers, root, overrides, ticks, prewarm)
    try:
        while pending or running:
            while pending and len(running) < workers + 1:
                name, student = pending.pop()
                outcome = ParticipantOutcome(student, name)
                try:
                    job = parent.prepare(name, student, outcome)
                except Exception as exc:
                    outcome.error = f"could not be prepared ({type(exc).__name__}: {exc})"
                    job = None
                if job is None:
                    _done(report, outcome, on_result)
                    continue
                running[pool.submit(grade_submission, job)] = (job, outcome)
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                job, outcome = running.pop(future)
                try:
                    results = future.result()
                except BrokenProcessPool:
                    # a worker process itself died: start a new pool and retry (pool policy)
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = _pool(workers, root, overrides, ticks, prewarm)
                    for other_job, other in list(running.values()):
                        pending.append((other_job.assignment, other_job.student))
                        other.notes.clear()
                    running.clear()
                    if deaths.may_retry(job.student):
                        pending.append((job.assignment, job.student))
                    else:
                        outcome.error = "its grading process died twice; grade it on its own"
                        _done(report, outcome, on_result)
                    break
                except Exception as exc:
                    outcome.error = f"could not be graded ({type(exc).__name__}: {exc})"
                    _done(report, outcome, on_result)
                    continue
                for executed in results:
                    try:
                        parent.save(job, executed)
                    except Exception as exc:
                        executed.status = "failed"
                        executed.notes.append(f"grades could not be saved ({exc})")
                    outcome.notebooks.append(NotebookOutcome(
                        executed.notebook, executed.status, executed.seconds, executed.notes))
                outcome.notebooks.sort(key=lambda n: n.notebook)
                try:
                    parent.finish(job, outcome)
                except Exception as exc:
                    outcome.notes.append(f"could not read back the score ({exc})")
                _done(report, outcome, on_result)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _done(report: AutogradeReport, outcome: ParticipantOutcome,
          on_result: Callable[[ParticipantOutcome], None] | None) -> None:
    report.participants.append(outcome)
    if on_result is not None:
        on_result(outcome)
