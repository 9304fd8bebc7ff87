"""Autograde a whole cohort in parallel, with exactly the scores ``nbgrader autograde`` gives.

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
worker, in nbgrader's order, because they share ``journal.json``.

Where the kit deliberately does better than nbgrader:

* a kernel that dies (``os._exit``, a segfault, out of memory) no longer fails the whole
  participant: what ran is graded, the checks that could not run score 0, and it is reported;
* an endless loop is stopped by the per-cell timeout (nbgrader's ``Execute.timeout``) and
  reported; an edited locked cell or test cell (nbgrader checksums), a deleted or duplicated
  graded cell and a damaged journal are reported per participant;
* a progress bar, ``--participant`` to re-grade one person, and any error stays with its
  participant: the batch always finishes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from traitlets.config import Config

from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.core.journal import JOURNAL_FILENAME
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.course import Course, ensure_tools_on_path, open_course

__all__ = [
    "AutogradeReport",
    "NotebookOutcome",
    "ParticipantOutcome",
    "autograde",
    "default_workers",
]

log = logging.getLogger(__name__)

#: What a test cell shows when its kernel died before it could run.
KERNEL_DIED = "KernelDied"
#: Where workers and kernels write their logs, in the course folder (overwritten each run).
LOG_NAME = ".mentor_workshop_autograde.log"
TIMEOUT_ENAME = "CellTimeoutError"
#: A kernel that dies before running any cell is started again this many times in all.
START_ATTEMPTS = 3


def default_workers() -> int:
    """Worker processes to start: one per core, plus one.

    A notebook's kernel spends part of its life waiting (start-up hand-shakes, shutdown), so one
    extra worker keeps the cores busy; more would only queue.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores) + 1


# ----------------------------------------------------------------------------- results


@dataclass
class NotebookOutcome:
    notebook: str
    status: str  # graded | timeout | crashed | failed | missing | skipped
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


@dataclass
class ParticipantOutcome:
    participant: str
    assignment: str
    notebooks: list[NotebookOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    skipped: bool = False
    score: float | None = None
    max_score: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(
            n.status in ("graded", "skipped") for n in self.notebooks
        )

    @property
    def problems(self) -> list[str]:
        out = [self.error] if self.error else []
        out += self.notes
        for nb in self.notebooks:
            out += [f"{nb.notebook}: {note}" for note in nb.notes]
        return out


@dataclass
class AutogradeReport:
    workers: int
    seconds: float = 0.0
    participants: list[ParticipantOutcome] = field(default_factory=list)

    @property
    def graded(self) -> list[ParticipantOutcome]:
        return [p for p in self.participants if not p.skipped and p.error is None]

    @property
    def notebooks(self) -> int:
        return sum(
            1 for p in self.participants for n in p.notebooks if n.status not in ("skipped",)
        )

    def lines(self) -> list[str]:
        skipped = [p.participant for p in self.participants if p.skipped]
        out = [
            f"Autograded {len(self.graded)} participants ({self.notebooks} notebooks) in "
            f"{self.seconds:.1f} s with {self.workers} workers."
        ]
        if skipped:
            out.append(
                f"Skipped {len(skipped)} already graded (use --force or --participant ID to "
                f"grade again): {', '.join(skipped)}"
            )
        for p in self.participants:
            if p.skipped:
                continue
            score = (
                f"{p.score:g}/{p.max_score:g}" if p.score is not None and p.max_score else "-"
            )
            problems = p.problems
            mark = "ok " if not problems else "!! "
            out.append(f"{mark}{p.participant:<12} {score}")
            out += [f"      {line}" for line in problems]
        return out


# ----------------------------------------------------------------------- preprocessors


def _import(item: Any) -> Any:
    if isinstance(item, str):
        from traitlets.utils.importstring import import_item

        return import_item(item)
    return item


def _default(cls: type, name: str) -> list[Any]:
    return list(cls.class_traits()[name].default())


def _pipelines(config: Config) -> tuple[list[Any], list[Any], list[Any]]:
    """(sanitise, execute-side, gradebook-side) preprocessor classes, as the course sets them.

    nbgrader's autograde list is split just before ``SaveAutoGrades``: what comes before it only
    reads the gradebook and runs in a worker; ``SaveAutoGrades`` and what follows (late
    penalties, the final metadata check) write the gradebook and run in the parent.
    """
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute, SaveAutoGrades

    section = config.get("Autograde", {})
    sanitize = [_import(p) for p in section.get(
        "sanitize_preprocessors", _default(Autograde, "sanitize_preprocessors"))]
    grading = [_import(p) for p in section.get(
        "autograde_preprocessors", _default(Autograde, "autograde_preprocessors"))]
    split = next(
        (i for i, p in enumerate(grading) if isinstance(p, type) and issubclass(p, SaveAutoGrades)),
        len(grading),
    )
    from nbgrader.preprocessors import OverwriteCells

    sanitize = [_robust_overwrite_class() if p is OverwriteCells else p for p in sanitize]
    worker = [_guarded_execute_class() if p is Execute else p for p in grading[:split]]
    return sanitize, worker, grading[split:]


def _exporter(config: Config, preprocessors: Iterable[Any]) -> Any:
    """A NotebookExporter set up as nbgrader's converters set theirs up."""
    from nbconvert.exporters import NotebookExporter

    config = Config(config)
    config.Exporter.default_preprocessors = []
    exporter = NotebookExporter(config=config)
    exporter._preprocessors = []
    for pp in preprocessors:
        exporter.register_preprocessor(pp)
    return exporter


_ROBUST: type | None = None


def _robust_overwrite_class() -> type:
    """nbgrader's ``OverwriteCells``, plus: a deleted cell is put back even where nbgrader fails.

    nbgrader puts a deleted grade cell back after the source cell before it, but only finds
    that neighbour if it is a graded or answer cell; in the kit every reflection follows a
    locked prompt cell, so deleting a reflection made nbgrader fail the whole participant
    (KeyError, jupyter/nbgrader#1682). nbgrader's own method runs first, so wherever it works
    the notebook is exactly what nbgrader makes; only where it fails do we place the cell after
    the nearest earlier source cell still present.
    """
    global _ROBUST
    if _ROBUST is not None:
        return _ROBUST
    import copy

    from nbgrader.preprocessors import OverwriteCells

    class RobustOverwriteCells(OverwriteCells):
        def add_missing_grade_cells(self, nb: Any, resources: Any) -> Any:
            snapshot = copy.deepcopy(nb)
            try:
                return super().add_missing_grade_cells(nb, resources)
            except (KeyError, ValueError, IndexError):
                resources.setdefault("mentor_workshop", {})["replaced_cells"] = True
                return self._put_back(snapshot, resources)

        def _put_back(self, nb: Any, resources: Any) -> Any:
            source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
            source_cells = list(source_nb.source_cells)
            order = [cell.name for cell in source_cells]
            graded = {cell.name: cell for cell in source_nb.grade_cells}
            solutions = {cell.name for cell in source_nb.solution_cells}
            for position, name in enumerate(order):
                if name not in graded:
                    continue
                present = {
                    cell.metadata["nbgrader"]["grade_id"]: index
                    for index, cell in enumerate(nb.cells)
                    if cell.metadata.get("nbgrader", {}).get("grade_id")
                }
                if name in present:
                    continue
                self.log.warning("Missing grade cell %s encountered, adding to notebook", name)
                cell = self.missing_cell_transform(source_cells[position], graded[name].max_score,
                                                   is_solution=name in solutions)
                where = next((present[prev] + 1 for prev in reversed(order[:position])
                              if prev in present), 0)
                nb.cells.insert(where, cell)
            return nb, resources

    _ROBUST = RobustOverwriteCells
    return RobustOverwriteCells


_GUARDED: type | None = None


def _guarded_execute_class() -> type:
    """nbgrader's ``Execute``, plus: a kernel that dies no longer loses the whole notebook."""
    global _GUARDED
    if _GUARDED is not None:
        return _GUARDED
    import copy

    from nbclient.exceptions import DeadKernelError
    from nbformat import NotebookNode
    from nbgrader import utils
    from nbgrader.preprocessors import Execute

    class GuardedExecute(Execute):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if _worker_state.get("zygote") is not None:
                kwargs["kernel_manager_class"] = _forking_manager_class()
            super().__init__(*args, **kwargs)

        def preprocess(self, nb: Any, resources: Any = None, km: Any = None) -> Any:
            for attempt in range(1, START_ATTEMPTS + 1):
                self._mw_last = -1
                self._mw_started = False
                fallback = copy.deepcopy(nb)
                try:
                    return super().preprocess(nb, resources, km)
                except (DeadKernelError, RuntimeError, TimeoutError) as exc:
                    if not self._mw_started and attempt < START_ATTEMPTS:
                        # the kernel failed to start (a busy machine): not the participant's
                        # doing, so start another one
                        nb = fallback
                        continue
                    return self._mw_crashed(nb, resources, exc)
            raise AssertionError("unreachable")  # pragma: no cover

        def _mw_crashed(self, nb: Any, resources: Any, exc: BaseException) -> Any:
            # nbclient executes ``nb`` in place: the cells before the crash keep their output
            reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            for index, cell in enumerate(nb.cells):
                if index <= self._mw_last or cell.cell_type != "code":
                    continue
                first = index == self._mw_last + 1
                if first or (utils.is_grade(cell) and not utils.is_solution(cell)):
                    where = "while running this cell" if first else "before this cell ran"
                    error = NotebookNode(
                        output_type="error", ename=KERNEL_DIED,
                        evalue=f"the kernel stopped {where}",
                        traceback=[f"{KERNEL_DIED}: {reason}"],
                    )
                    cell.outputs = [*cell.get("outputs", []), error]
            resources.setdefault("mentor_workshop", {})["crashed"] = reason
            return nb, resources

        def preprocess_cell(self, cell: Any, resources: Any, index: int) -> Any:
            self._mw_started = True
            result = super().preprocess_cell(cell, resources, index)
            self._mw_last = index
            return result

    _GUARDED = GuardedExecute
    return GuardedExecute


# -------------------------------------------------------------------- pre-warmed kernels
#
# Most of a notebook's grading time is its kernel: starting Python and ipykernel, then importing
# the kit and ipywidgets in the first cell. Each worker therefore keeps a "zygote": a process
# that has imported all that once and forks a new kernel for every notebook. Each notebook still
# gets its own fresh kernel process (new namespace, new sockets, nothing from other notebooks);
# only the imports are done in advance. The fork happens before any thread, socket or event loop
# exists, and a kernel that cannot be forked is started the ordinary way.

#: Imported once by the zygote; a module that fails to import is simply not pre-loaded.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipywidgets",
    "mentor_workshop",
    "mentor_workshop.participant.widgets",
    "mentor_workshop.core.checks",
    "mentor_workshop.participant.notebook_parts",
)


def _zygote_main() -> None:
    """The zygote process: pre-import, then fork one kernel per request (JSON lines on stdin)."""
    import importlib
    import signal

    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything an import prints goes to the log, not into the protocol
    for name in PRELOAD:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    with contextlib.suppress(Exception):
        from mentor_workshop.core.content import curriculum

        curriculum.load()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped automatically
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the worker's to handle
    replies.write(json.dumps({"ready": os.getpid()}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                replies.close()
                _become_kernel(request)
            finally:
                os._exit(1)
        replies.write(json.dumps({"pid": pid}) + "\n")


def _become_kernel(request: dict[str, Any]) -> None:
    """In the forked child: look exactly like ``python -m ipykernel_launcher ARGS``."""
    import signal

    os.setsid()  # its own process group, as jupyter_client starts kernels
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    import ipykernel_launcher
    from ipykernel.kernelapp import IPKernelApp

    sys.argv = [ipykernel_launcher.__file__, *request["args"]]
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    app = IPKernelApp.instance()
    app.initialize()
    # Modules that look for a running kernel when imported did so in the zygote, where there
    # was none; ipywidgets registers its comm targets then, so do it now the kernel exists.
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None and hasattr(widgets, "_handle_ipython"):
        with contextlib.suppress(Exception):
            widgets._handle_ipython()
    app.start()
    os._exit(0)


class _Zygote:
    """The worker's handle on its zygote process."""

    def __init__(self) -> None:
        import subprocess

        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from mentor_workshop.facilitator.autograde import _zygote_main; "
                                   "_zygote_main()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        self.ready = False

    def fork(self, args: list[str], env: dict[str, str], cwd: str) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if not self.ready:
            json.loads(self.proc.stdout.readline())["ready"]
            self.ready = True
        self.proc.stdin.write(json.dumps({"args": args, "env": dict(env), "cwd": cwd}) + "\n")
        self.proc.stdin.flush()
        return int(json.loads(self.proc.stdout.readline())["pid"])

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
            self.proc.wait(timeout=5)


class _ForkedProcess:
    """What jupyter_client needs of a ``Popen`` for a kernel that is not our own child."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None
        try:
            self._fd: int | None = os.pidfd_open(pid)  # immune to pid reuse
        except (AttributeError, OSError):
            self._fd = None

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        if self._fd is not None:
            import select

            alive = not select.select([self._fd], [], [], 0)[0]
        else:
            try:
                os.kill(self.pid, 0)
                alive = True
            except ProcessLookupError:
                alive = False
        if not alive:
            self.returncode = 0
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                import subprocess

                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        import signal

        self.send_signal(signal.SIGTERM)


_FORKING: type | None = None


def _forking_manager_class() -> type:
    """An ``AsyncKernelManager`` that gets its python kernels from the worker's zygote."""
    global _FORKING
    if _FORKING is not None:
        return _FORKING
    from jupyter_client.manager import AsyncKernelManager

    class ForkingKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            zygote = _worker_state.get("zygote")
            native = kernel_cmd[:3] == [sys.executable, "-m", "ipykernel_launcher"]
            if zygote is not None and native and self.provisioner is not None:
                try:
                    pid = zygote.fork(kernel_cmd[3:], kw.get("env") or dict(os.environ),
                                      str(kw.get("cwd") or os.getcwd()))
                except Exception:
                    _worker_state["zygote"] = None  # broken: start kernels the usual way
                    zygote.close()
                else:
                    provisioner = self.provisioner
                    provisioner.process = _ForkedProcess(pid)
                    provisioner.pid = provisioner.pgid = pid
                    provisioner.cwd = kw.get("cwd")
                    self._reconcile_connection_info(provisioner.connection_info)
                    return
            await super()._async_launch_kernel(kernel_cmd, **kw)

    _FORKING = ForkingKernelManager
    return ForkingKernelManager


# ------------------------------------------------------------------------------- jobs


@dataclass
class _Job:
    """One participant's submission, ready for a worker (the parent did the gradebook part)."""

    assignment: str
    student: str
    notebooks: list[str]  # submitted notebook paths, nbgrader's order
    dest: str
    db_url: str
    expected: dict[str, dict[str, Any]]  # notebook id -> cell expectations (see _expectations)


@dataclass
class _Executed:
    notebook: str
    status: str
    seconds: float
    notes: list[str]
    output: str | None = None
    resources: dict[str, Any] | None = None


_worker_state: dict[str, Any] = {}


def _init_worker(root: str, overrides: dict[str, dict[str, Any]], ticks: Any,
                 prewarm: bool = True) -> None:
    """Runs once per worker process: load the course config, quiet the logs, start the zygote."""
    from mentor_workshop.facilitator.course import load_config

    config = load_config(root)
    for section, values in overrides.items():
        config[section].update(values)
    _worker_state.update(config=config, ticks=ticks, root=root)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    _quiet_warnings()
    os.chdir(root)
    # Kernels inherit this process's stdout/stderr: their start-up chatter goes to a log file
    # instead of the facilitator's terminal (and the progress bar).
    log_path = Path(root) / LOG_NAME
    with contextlib.suppress(OSError):
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    if prewarm and sys.platform.startswith("linux"):  # forking a process is safe there
        with contextlib.suppress(OSError):
            zygote = _Zygote()
            _worker_state["zygote"] = zygote
            import atexit

            atexit.register(zygote.close)


def _quiet_warnings() -> None:
    """nbgrader's own SQLAlchemy and nbformat warnings say nothing a facilitator can act on."""
    import warnings

    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", module="nbformat")
    with contextlib.suppress(ImportError):
        from sqlalchemy.exc import SAWarning

        warnings.filterwarnings("ignore", category=SAWarning)


def _resources(job: _Job, notebook_id: str) -> dict[str, Any]:
    return {
        "unique_key": notebook_id,
        "output_files_dir": f"{notebook_id}_files",
        "nbgrader": {
            "student": job.student,
            "assignment": job.assignment,
            "notebook": notebook_id,
            "db_url": job.db_url,
        },
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _run_job(job: _Job) -> list[_Executed]:
    """Worker: sanitise and execute each notebook of one participant, in nbgrader's order."""
    config: Config = _worker_state["config"]
    ticks = _worker_state.get("ticks")
    sanitize, execute, _ = _pipelines(config)
    results = []
    for path in job.notebooks:
        notebook_id = Path(path).stem
        start = time.monotonic()
        try:
            result = _run_notebook(job, path, notebook_id, config, sanitize, execute)
        except Exception as exc:  # one notebook's failure must not stop the participant
            with contextlib.suppress(OSError):
                os.remove(os.path.join(job.dest, f"{notebook_id}.ipynb"))
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            result = _Executed(notebook_id, "failed", 0.0,
                               [f"could not be graded ({detail[:300]})"])
        result.seconds = time.monotonic() - start
        results.append(result)
        if ticks is not None:
            ticks.put(1)
    return results


def _run_notebook(
    job: _Job, path: str, notebook_id: str, config: Config, sanitize: list[Any],
    execute: list[Any],
) -> _Executed:
    import nbformat
    from nbgrader import utils

    notes = _tamper_notes(nbformat.read(path, as_version=4), job.expected.get(notebook_id, {}),
                          config)
    # 1. sanitise: exactly nbgrader's first pass, written where nbgrader writes it
    exporter = _exporter(config, sanitize)
    output, _ = exporter.from_filename(path, resources=_resources(job, notebook_id))
    target = os.path.join(job.dest, f"{notebook_id}.ipynb")
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(output)
    # 2. execute in a fresh kernel, as nbgrader's second pass does
    exporter = _exporter(config, execute)
    with utils.setenv(NBGRADER_EXECUTION="autograde"):
        output, resources = exporter.from_filename(target, resources=_resources(job, notebook_id))
    status = "graded"
    crashed = resources.get("mentor_workshop", {}).get("crashed")
    if crashed:
        status = "crashed"
        notes.append(f"the kernel died ({crashed}); graded what ran, later checks score 0")
    timeouts = output.count(f'"ename": "{TIMEOUT_ENAME}"')
    if timeouts:
        status = "timeout" if status == "graded" else status
        limit = config.get("Execute", {}).get("timeout", 30)
        notes.append(
            f"{timeouts} cell(s) ran longer than {limit} s and were stopped (an endless loop?)"
        )
    resources = {k: _plain(v) for k, v in resources.items() if k in ("nbgrader", "metadata",
                                                                      "unique_key",
                                                                      "output_files_dir")}
    return _Executed(notebook_id, status, 0.0, notes, output, resources)


def _tamper_notes(nb: Any, expected: dict[str, Any], config: Config) -> list[str]:
    """What the participant changed that they should not have, found with nbgrader checksums."""
    from nbgrader import utils

    if not expected:
        return []
    notes = []
    seen: dict[str, int] = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if not grade_id:
            continue
        seen[grade_id] = seen.get(grade_id, 0) + 1
        want = expected["cells"].get(grade_id)
        if want is None or not want["locked"]:
            continue
        try:
            checksum = utils.compute_checksum(cell)
        except (KeyError, ValueError, TypeError):
            checksum = None
        if checksum not in want["checksums"]:
            kind = "test cell" if want["grade"] else "locked cell"
            notes.append(f"the {kind} {grade_id} was edited; the original was put back before "
                         "grading")
    for grade_id, count in sorted(seen.items()):
        if count > 1 and grade_id in expected["cells"]:
            notes.append(f"the cell {grade_id} appears {count} times; only the last copy counts")
    add_missing = config.get("OverwriteCells", {}).get("add_missing_cells", False)
    for grade_id in expected["graded"]:
        if grade_id not in seen:
            notes.append(
                f"the graded cell {grade_id} was deleted; "
                + ("it was put back and graded" if add_missing else
                   "it cannot be graded (add_missing_cells is off)")
            )
    return notes


def _expectations(gb: Any, assignment: str, config: Config) -> dict[str, dict[str, Any]]:
    """Per notebook, what each locked cell must look like: the checksum nbgrader stored for the
    source and the one of the released version (hidden tests removed)."""
    from nbformat import NotebookNode
    from nbgrader import utils
    from nbgrader.preprocessors import ClearHiddenTests

    clearer = ClearHiddenTests(config=config, enforce_metadata=False)
    out: dict[str, dict[str, Any]] = {}
    for notebook in gb.find_assignment(assignment).notebooks:
        grade = {c.name: c.max_score for c in notebook.grade_cells}
        solution = {c.name for c in notebook.solution_cells}
        cells: dict[str, dict[str, Any]] = {}
        for src in notebook.source_cells:
            meta = {"grade": src.name in grade, "solution": src.name in solution,
                    "locked": bool(src.locked), "grade_id": src.name}
            if src.name in grade:
                meta["points"] = grade[src.name]
            cell = NotebookNode(cell_type=src.cell_type, source=src.source,
                                metadata=NotebookNode(nbgrader=NotebookNode(meta)))
            checksums = {src.checksum}
            clearer._remove_hidden_test_region(cell)
            with contextlib.suppress(KeyError, ValueError, TypeError):
                checksums.add(utils.compute_checksum(cell))
            cells[src.name] = {"locked": bool(src.locked), "grade": src.name in grade,
                               "checksums": checksums}
        out[notebook.name] = {"cells": cells, "graded": sorted(grade)}
    return out


# ------------------------------------------------------------------------------ parent


class _Parent:
    """The gradebook side: prepares submissions and saves grades, one at a time."""

    def __init__(self, course: Course, config: Config, force: bool) -> None:
        from nbgrader.coursedir import CourseDirectory

        self.course = course
        self.config = config
        self.force = force
        self.coursedir = CourseDirectory(config=config)
        _, _, self.saving = _pipelines(config)
        section = config.get("Autograde", {})
        self.exclude = section.get("exclude_overwriting", {})
        self.create_student = section.get("create_student", True)
        self.hooks = {k: _import(section.get(k)) for k in ("pre_convert_hook",
                                                           "post_convert_hook")}
        self.expected: dict[str, dict[str, Any]] = {}

    def path(self, step: str, student: str, assignment: str) -> str:
        return self.coursedir.format_path(getattr(self.coursedir, f"{step}_directory"),
                                          student, assignment)

    def should_grade(self, assignment: str, student: str) -> bool:
        """nbgrader's ``init_destination``: new, forced, or re-submitted since last time."""
        from nbgrader.utils import rmtree

        dest = os.path.normpath(self.path("autograded", student, assignment))
        if student in self.coursedir.student_id_exclude.split(","):
            return False
        if not os.path.exists(dest):
            return True
        if self.force:
            rmtree(dest)
            return True
        src = self.path("submitted", student, assignment)
        new = self.coursedir.get_existing_timestamp(src)
        old = self.coursedir.get_existing_timestamp(dest)
        if new is not None and old is not None and new > old:
            rmtree(dest)
            return True
        return False

    def prepare(self, assignment: str, student: str, outcome: ParticipantOutcome) -> _Job | None:
        """nbgrader's ``Autograde.init_assignment``, step for step."""
        import glob
        import shutil

        from nbgrader.api import Gradebook, MissingEntry
        from nbgrader.utils import find_all_files

        ignore = list(self.coursedir.ignore)
        source = self.path("submitted", student, assignment)
        dest = self.path("autograded", student, assignment)
        self._run_hook("pre_convert_hook", assignment, student, [])
        for filename in find_all_files(source, [*ignore, "*.ipynb"]):
            target = os.path.join(dest, os.path.relpath(filename, source))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.exists(target):
                os.remove(target)
            shutil.copy(filename, target)
        course_id = self.coursedir.course_id
        with Gradebook(self.coursedir.db_url, course_id) as gb:
            if self.create_student:
                gb.update_or_create_student(student)
            else:
                try:
                    gb.find_student(student)
                except MissingEntry:
                    outcome.error = f"no participant {student!r} in the gradebook"
                    return None
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                outcome.error = f"no assignment {assignment!r} in the gradebook (release it first)"
                return None
            timestamp = self.coursedir.get_existing_timestamp(source)
            if timestamp:
                gb.update_or_create_submission(assignment, student, timestamp=timestamp)
            else:
                gb.update_or_create_submission(assignment, student)
        source_root = self.coursedir.format_path(self.coursedir.source_directory, ".", assignment)
        exclude = {os.path.join(source_root, x) for x in self.exclude.get(assignment, [])}
        for filename in set(find_all_files(source_root, [*ignore, "*.ipynb"])) - exclude:
            target = os.path.join(dest, os.path.relpath(filename, source_root))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.exists(target):
                os.remove(target)
            shutil.copy(filename, target)

        submitted = sorted(glob.glob(os.path.join(source, "*.ipynb")))
        notebooks = []
        with Gradebook(self.coursedir.db_url, course_id) as gb:
            if assignment not in self.expected:
                self.expected[assignment] = _expectations(gb, assignment, self.config)
            for path in submitted:
                notebook_id = Path(path).stem
                try:
                    gb.find_notebook(notebook_id, assignment)
                except MissingEntry:
                    outcome.notes.append(f"{Path(path).name} is not part of the assignment; "
                                         "ignored")
                    continue
                notebooks.append(path)
            if not notebooks:
                outcome.error = "no notebooks of the assignment were handed in"
                return None
            for notebook in gb.find_assignment(assignment).notebooks:
                if not os.path.exists(os.path.join(source, f"{notebook.name}.ipynb")):
                    outcome.notebooks.append(NotebookOutcome(
                        notebook.name, "missing", notes=["not handed in; scored 0"]))
                    submission = gb.find_submission_notebook(notebook.name, assignment, student)
                    for grade in submission.grades:
                        grade.auto_score = 0
                        grade.needs_manual_grade = False
                    gb.db.commit()
        outcome.notes += _journal_notes(dest)
        return _Job(assignment, student, notebooks, dest, self.coursedir.db_url,
                    self.expected[assignment])

    def save(self, job: _Job, executed: _Executed) -> None:
        """Run the gradebook-writing preprocessors and write the autograded notebook."""
        import nbformat

        if executed.output is None or executed.resources is None:
            return
        exporter = _exporter(self.config, self.saving)
        nb = nbformat.reads(executed.output, as_version=4)
        output, _ = exporter.from_notebook_node(nb, resources=executed.resources)
        write_text_atomic(os.path.join(job.dest, f"{executed.notebook}.ipynb"), output)

    def finish(self, job: _Job, outcome: ParticipantOutcome) -> None:
        from nbgrader.api import Gradebook

        permissions = int(str(664 if self.coursedir.groupshared else 444), 8)
        if "permissions" in self.config.get("Autograde", {}):
            permissions = int(str(self.config.Autograde.permissions), 8)
        for dirname, _, filenames in os.walk(job.dest):
            for filename in filenames:
                with contextlib.suppress(OSError):
                    os.chmod(os.path.join(dirname, filename), permissions)
        self._run_hook("post_convert_hook", job.assignment, job.student, job.notebooks)
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            submission = gb.find_submission(job.assignment, job.student)
            outcome.score = round(submission.score, 2)
            outcome.max_score = submission.max_score
            for nb in outcome.notebooks:
                if nb.status == "graded":
                    sub_nb = gb.find_submission_notebook(nb.notebook, job.assignment,
                                                         job.student)
                    nb.notes += _stderr_notes(job, nb.notebook, sub_nb)

    def _run_hook(self, name: str, assignment: str, student: str, notebooks: list[str]) -> None:
        hook = self.hooks.get(name)
        if hook:
            try:
                hook(assignment=assignment, student=student, notebooks=notebooks)
            except Exception:
                log.info("%s failed", name, exc_info=True)


def _journal_notes(dest: str) -> list[str]:
    """A damaged journal is graded as far as possible (the kit moves it aside); say so."""
    path = Path(dest) / JOURNAL_FILENAME
    if not path.exists():
        return ["no journal.json was handed in: the exercises score 0"]
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
            raise ValueError("not a journal")
    except (ValueError, UnicodeDecodeError, OSError):
        backup = "from its backup" if (Path(dest) / "journal.json.bak").exists() else \
            "as empty (no backup was handed in)"
        return [f"journal.json is damaged; it was graded {backup}"]
    return []


def _stderr_notes(job: _Job, notebook: str, sub_nb: Any) -> list[str]:
    """A test cell scored 0 because something wrote to stderr: worth a facilitator's look."""
    import nbformat

    path = os.path.join(job.dest, f"{notebook}.ipynb")
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return []
    notes = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            outputs = cell.get("outputs", [])
            has_error = any(o.output_type == "error" for o in outputs)
            if not has_error and any(o.output_type == "stream" and o.name == "stderr"
                                     for o in outputs):
                notes.append(f"{meta.get('grade_id')} wrote to stderr, so nbgrader scored it 0")
    return notes


# ------------------------------------------------------------------------------- driver


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


def _pool(workers: int, root: str, overrides: dict[str, Any], ticks: Any, prewarm: bool
          ) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=_context(),
                               initializer=_init_worker,
                               initargs=(root, overrides, ticks, prewarm))


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
) -> AutogradeReport:
    """Autograde submissions in parallel into the course's gradebook.

    Like ``nbgrader autograde``, a submission already graded is skipped unless it was handed in
    again; ``force`` re-grades everything and naming ``participants`` re-grades just them.
    ``timeout`` overrides the course's per-cell limit (``Execute.timeout``). ``prewarm`` forks
    each notebook's fresh kernel from a process that has the kit imported already (Linux only);
    turn it off to start every kernel from scratch as nbgrader does.
    """
    from nbgrader.api import Gradebook
    from tqdm import tqdm

    ensure_tools_on_path()
    course = open_course(course_dir)
    workers = workers or default_workers()
    if workers < 1:
        raise UserError("--workers must be at least 1.")
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

    _quiet_warnings()
    with contextlib.suppress(OSError):
        (course.root / LOG_NAME).write_text("", encoding="utf-8")
    parent = _Parent(course, config, force=force or bool(participants))
    report = AutogradeReport(workers=workers)
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
                  prewarm)
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
    parent: _Parent, todo: list[tuple[str, str]], workers: int, root: str,
    overrides: dict[str, Any], ticks: Any, report: AutogradeReport,
    on_result: Callable[[ParticipantOutcome], None] | None, prewarm: bool,
) -> None:
    """Keep every worker busy; prepare the next submission while the others run."""
    pending = list(reversed(todo))
    running: dict[Future, tuple[_Job, ParticipantOutcome]] = {}
    retried: set[str] = set()
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
                running[pool.submit(_run_job, job)] = (job, outcome)
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                job, outcome = running.pop(future)
                try:
                    results = future.result()
                except BrokenProcessPool:
                    # a worker process itself died: start a new pool and retry once
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = _pool(workers, root, overrides, ticks, prewarm)
                    for other_job, other in list(running.values()):
                        pending.append((other_job.assignment, other_job.student))
                        other.notes.clear()
                    running.clear()
                    if job.student in retried:
                        outcome.error = "its grading process died twice; grade it on its own"
                        _done(report, outcome, on_result)
                    else:
                        retried.add(job.student)
                        pending.append((job.assignment, job.student))
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
