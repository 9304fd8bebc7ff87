"""Run many notebooks through papermill: a local process pool or a Dask cluster, with a manifest.

Why this exists rather than a shell loop of ``papermill``: a facilitator personalises and
executes a dozen notebooks per participant, so a cohort is hundreds of runs. A loop pays the
Python and papermill start-up on every notebook and stops at the first error, or buries it.
Here long-lived workers import papermill once and each run gets a fresh kernel (isolation), a
failed notebook never stops the batch, every job reports status, time and the failing cell,
and a JSON manifest lets a re-run skip what already succeeded.

Robustness decisions, each learned from how headless kernels fail:

* **Every job has two time limits.** ``cell_timeout`` is papermill's per-cell
  ``execution_timeout`` (the kernel is interrupted and the cell named). ``timeout`` bounds the
  whole notebook: a watchdog thread in the worker kills the kernel's process tree when it
  passes, so a widget cell waiting for a browser that will never come is reported as
  ``timeout``, never a hang. The local pool adds a last line of defence: a worker that does not
  answer ``HARD_STOP_GRACE`` seconds after its job's limit is killed and replaced.
* **A killed kernel is a failure, not a crash of the batch.** nbclient raises
  ``DeadKernelError``; we report the cell that was running and the tail of the kernel's stderr.
* **Parallel kernels must not collide on ports** (papermill#511: jupyter_client picks "free"
  TCP ports by binding and closing them, so two processes starting kernels at once can pick the
  same port and one kernel dies with "Kernel died before replying" or "Address already in
  use"). On POSIX each kernel talks over IPC sockets in a private temporary folder, which
  removes the race (and the unencrypted-TCP warning). Everywhere, a job whose kernel fails
  before its first cell ran is retried once after a short random pause.
* **No process-wide ``chdir``.** papermill's ``cwd=`` changes the worker's working folder,
  which races when a Dask worker runs two jobs in threads; the kernel is started in the job's
  folder through nbclient's ``resources`` instead (the same effect for the notebook).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TextIO

from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.errors import UserError

__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "DEFAULT_JOB_TIMEOUT",
    "STATUSES",
    "BatchResult",
    "DaskExecutor",
    "Executor",
    "Job",
    "JobResult",
    "LocalExecutor",
    "SerialExecutor",
    "format_summary",
    "make_executor",
    "print_summary",
    "run_batch",
    "run_job",
]

STATUSES = ("ok", "failed", "timeout", "skipped")
#: Seconds one cell may run. Step notebooks run each cell in well under a second.
DEFAULT_CELL_TIMEOUT = 60.0
#: Seconds a whole notebook may run, kernel start included.
DEFAULT_JOB_TIMEOUT = 300.0
#: Seconds to wait for a kernel to start (capped by the job's own limit).
KERNEL_START_TIMEOUT = 60.0
#: Extra seconds the local pool waits past a job's limit before it kills the worker itself.
HARD_STOP_GRACE = 60.0
#: How many times a job whose kernel failed to start is retried (papermill#511).
START_RETRIES = 1
#: How many times a job is re-queued when its worker process died under it.
WORKER_CRASH_RETRIES = 1
MANIFEST_FORMAT = "mentor-workshop-batch-manifest"
MANIFEST_VERSION = 1

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ERROR_CHARS = 200


# ----------------------------------------------------------------------------- jobs and results


@dataclass(frozen=True)
class Job:
    """One notebook to execute.

    ``depends_on`` lists files whose content decides whether an earlier success still holds
    (a participant's journal for their plan); ``expect`` lists files the notebook must write,
    so a notebook that runs cleanly but produces nothing is still reported as failed.
    """

    input_path: Path
    output_path: Path
    parameters: Mapping[str, Any] = field(default_factory=dict)
    cwd: Path | None = None
    name: str = ""
    cell_timeout: float = DEFAULT_CELL_TIMEOUT
    timeout: float = DEFAULT_JOB_TIMEOUT
    depends_on: tuple[Path, ...] = ()
    expect: tuple[Path, ...] = ()

    def __post_init__(self) -> None:
        # Absolute paths: the kernel runs in ``cwd`` and the worker may be another machine's
        # process with another working folder.
        set_ = object.__setattr__
        set_(self, "input_path", Path(self.input_path).absolute())
        set_(self, "output_path", Path(self.output_path).absolute())
        if self.cwd is not None:
            set_(self, "cwd", Path(self.cwd).absolute())
        set_(self, "parameters", dict(self.parameters))
        set_(self, "depends_on", tuple(Path(p).absolute() for p in self.depends_on))
        set_(self, "expect", tuple(Path(p).absolute() for p in self.expect))
        if not self.name:
            set_(self, "name", str(self.output_path))
        if self.cell_timeout <= 0 or self.timeout <= 0:
            raise ValueError("Job time limits must be positive numbers of seconds.")

    def fingerprint(self) -> str | None:
        """What an earlier success was about: the notebook, its parameters and dependencies.

        None when a file is missing (the job will run and report that).
        """
        digest = hashlib.sha256()
        digest.update(json.dumps(self.parameters, sort_keys=True, default=str).encode())
        for path in (self.input_path, *self.depends_on):
            if not path.is_file():  # missing, a folder, or a pipe that would block a read
                return None
            try:
                digest.update(path.read_bytes())
            except OSError:
                return None
            digest.update(b"\0")
        return digest.hexdigest()


@dataclass(frozen=True)
class JobResult:
    """What happened to one job; ``error`` is one line for the summary, ``detail`` more."""

    name: str
    status: str
    duration: float = 0.0
    error: str | None = None
    cell_index: int | None = None
    exception: str | None = None
    detail: str | None = None
    attempts: int = 0
    output_path: str | None = None
    note: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status in ("ok", "skipped")


# ----------------------------------------------------------------------------- one job


def _one_line(text: object, limit: int = _ERROR_CHARS) -> str:
    """First non-empty line, without terminal colours, shortened: summaries stay readable."""
    clean = _ANSI.sub("", str(text))
    line = next((ln.strip() for ln in clean.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _kill_tree(pid: int | None) -> None:
    """Kill a process and everything it started (a kernel may have spawned helpers)."""
    if not pid:
        return
    try:
        import psutil  # ipykernel depends on it, so it is there wherever kernels run

        try:
            root = psutil.Process(pid)
            procs = [*root.children(recursive=True), root]
        except psutil.Error:
            return
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        psutil.wait_procs(procs, timeout=5)
    except ImportError:  # pragma: no cover - psutil ships with ipykernel
        with contextlib.suppress(OSError):
            os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))


def _descendants(pid: int | None) -> list[Any]:
    """Every process ``pid`` started, as psutil handles (empty when it is already gone)."""
    if not pid:
        return []
    try:
        import psutil

        return psutil.Process(pid).children(recursive=True)
    except Exception:  # psutil.Error, or no psutil
        return []


class _KernelWatch:
    """Tracks the kernel of one attempt so the watchdog can kill it and we can read its stderr."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.stderr_path = scratch / "kernel-stderr.log"
        self.manager: Any = None
        self.timed_out = False

    def manager_class(self) -> type:
        from jupyter_client.manager import AsyncKernelManager

        watch = self
        ipc_prefix = str(self.scratch / "k")
        # AF_UNIX paths are limited to about 104 bytes; fall back to TCP when the temp folder
        # is unusually deep, and on Windows, which has no IPC transport in jupyter_client.
        use_ipc = os.name == "posix" and len(ipc_prefix) < 90

        class WatchedKernelManager(AsyncKernelManager):
            def __init__(self, **kwargs: Any) -> None:
                if use_ipc:
                    kwargs.setdefault("transport", "ipc")
                    kwargs.setdefault("ip", ipc_prefix)
                super().__init__(**kwargs)
                watch.manager = self

            async def start_kernel(self, **kwargs: Any) -> None:
                # The kernel's own stderr (start-up errors, a crash's last words) goes to a
                # file we can quote in the error, not all over the facilitator's terminal.
                with open(watch.stderr_path, "ab") as sink:
                    kwargs.setdefault("stdout", subprocess.DEVNULL)
                    kwargs.setdefault("stderr", sink)
                    await super().start_kernel(**kwargs)

        return WatchedKernelManager

    def kill(self) -> None:
        """Called by the watchdog timer when the job's time is up."""
        self.timed_out = True
        provisioner = getattr(self.manager, "provisioner", None)
        _kill_tree(getattr(provisioner, "pid", None))

    def stderr_tail(self, lines: int = 5) -> str | None:
        try:
            text = self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        text = _ANSI.sub("", text)
        tail = [ln for ln in text.splitlines() if ln.strip()][-lines:]
        return "\n".join(tail) or None


def _running_cell(output_path: Path) -> tuple[int | None, int | None]:
    """(index, execution count) of the last cell that started, read from papermill's output."""
    try:
        nb = json.loads(output_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    last: tuple[int | None, int | None] = (None, None)
    for index, cell in enumerate(nb.get("cells", [])):
        meta = cell.get("metadata", {}).get("papermill", {})
        if meta.get("start_time"):
            last = (index, cell.get("execution_count"))
    return last


def _where(index: int | None, count: int | None = None) -> str:
    """A cell as a person finds it in the executed notebook: counted from 1, with In [n]."""
    if index is None:
        return ""
    shown = f"cell {index + 1}"
    return f"{shown} (In [{count}])" if count else shown


@dataclass
class _Attempt:
    status: str
    error: str | None = None
    cell_index: int | None = None
    exception: str | None = None
    detail: str | None = None
    retry: bool = False


def _quiet_worker() -> None:
    """Errors are reported in the summary; papermill's own logging would only duplicate them."""
    for name in ("papermill", "traitlets", "nbclient"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    # debugpy's warning about frozen modules, printed by every Python 3.11 kernel.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def _attempt(job: Job) -> _Attempt:
    import papermill
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    scratch = Path(tempfile.mkdtemp(prefix="mw-kernel-"))
    watch = _KernelWatch(scratch)
    timer = threading.Timer(job.timeout, watch.kill)
    timer.daemon = True
    resources = {"metadata": {"path": str(job.cwd)}} if job.cwd is not None else {}
    try:
        job.output_path.parent.mkdir(parents=True, exist_ok=True)
        timer.start()
        papermill.execute_notebook(
            str(job.input_path),
            str(job.output_path),
            parameters=dict(job.parameters),
            kernel_name="python3",
            progress_bar=False,
            start_timeout=min(KERNEL_START_TIMEOUT, job.timeout),
            execution_timeout=job.cell_timeout,
            kernel_manager_class=watch.manager_class(),
            resources=resources,
            shutdown_kernel="immediate",
        )
        return _Attempt("ok")
    except PapermillExecutionError as exc:
        return _Attempt(
            "failed",
            error=f"{_where(exc.cell_index, exc.exec_count)}: {exc.ename}: {_one_line(exc.evalue)}",
            cell_index=exc.cell_index,
            exception=exc.ename,
        )
    except (CellTimeoutError, DeadKernelError) as exc:
        index, count = _running_cell(job.output_path)
        where = _where(index, count)
        if watch.timed_out:
            at = f", in {where}" if where else ""
            return _Attempt(
                "timeout",
                error=f"stopped after {job.timeout:g} s (the notebook's time limit){at}",
                cell_index=index,
                exception=type(exc).__name__,
            )
        if isinstance(exc, CellTimeoutError):
            return _Attempt(
                "timeout",
                error=f"{where or 'a cell'}: still running after {job.cell_timeout:g} s "
                "(the per-cell time limit)",
                cell_index=index,
                exception=type(exc).__name__,
            )
        return _Attempt(
            "failed",
            error=f"{where or 'before the first cell'}: the kernel died (killed, crashed or "
            "out of memory)",
            cell_index=index,
            exception=type(exc).__name__,
            detail=watch.stderr_tail(),
            retry=index is None,
        )
    except NoSuchKernel as exc:
        return _Attempt("failed", error=f"no Jupyter kernel named {exc.name!r} is installed",
                        exception="NoSuchKernel")
    except FileNotFoundError as exc:
        return _Attempt("failed", error=f"file not found: {exc.filename or exc}",
                        exception="FileNotFoundError")
    except Exception as exc:
        index, count = _running_cell(job.output_path)
        started = index is not None
        if watch.timed_out:
            return _Attempt("timeout", error=f"stopped after {job.timeout:g} s (the notebook's "
                            "time limit)", cell_index=index, exception=type(exc).__name__)
        # RuntimeError("Kernel died before replying"), TimeoutError("Kernel didn't respond")
        # and ZMQError("Address already in use") before any cell ran: a kernel start race.
        start_failure = not started and _is_start_failure(exc)
        prefix = "the kernel did not start: " if start_failure else (
            f"{_where(index, count)}: " if started else "")
        return _Attempt(
            "failed",
            error=f"{prefix}{type(exc).__name__}: {_one_line(exc)}",
            cell_index=index,
            exception=type(exc).__name__,
            detail=watch.stderr_tail(),
            retry=start_failure,
        )
    finally:
        timer.cancel()
        shutil.rmtree(scratch, ignore_errors=True)


def _is_start_failure(exc: BaseException) -> bool:
    if isinstance(exc, RuntimeError | TimeoutError):
        return True
    with contextlib.suppress(ImportError):
        import zmq

        return isinstance(exc, zmq.ZMQError)
    return False


def run_job(job: Job) -> JobResult:
    """Execute one job in this process and say what happened; never raises for notebook errors.

    This is what the executors' workers call. It is also handy on its own (one notebook, no
    pool), e.g. for the cohort report.
    """
    _quiet_worker()
    started = time.monotonic()
    attempts = 0
    while True:
        attempts += 1
        outcome = _attempt(job)
        if outcome.status == "ok" or not outcome.retry or attempts > START_RETRIES:
            break
        time.sleep(random.uniform(0.2, 1.0))  # de-synchronise from the other worker's kernel
    if outcome.status == "ok":
        missing = [p.name for p in job.expect if not p.exists()]
        if missing:
            outcome = _Attempt("failed", error="ran, but did not write " + ", ".join(missing),
                               exception="MissingOutput")
    return JobResult(
        name=job.name,
        status=outcome.status,
        duration=round(time.monotonic() - started, 3),
        error=outcome.error,
        cell_index=outcome.cell_index,
        exception=outcome.exception,
        detail=outcome.detail,
        attempts=attempts,
        output_path=str(job.output_path),
    )


def _failed(job: Job, error: str, exception: str, started: float | None = None,
            status: str = "failed") -> JobResult:
    duration = round(time.monotonic() - started, 3) if started is not None else 0.0
    return JobResult(job.name, status, duration, error=error, exception=exception,
                     output_path=str(job.output_path))


# ----------------------------------------------------------------------------- executors


class Executor(Protocol):
    """Runs jobs somewhere and calls ``on_result`` (in the caller's thread) as each finishes."""

    def describe(self) -> str: ...

    def run(self, jobs: Sequence[Job], on_result: Callable[[JobResult], None]) -> None: ...


class SerialExecutor:
    """Jobs one after another in this process: for a single notebook (the cohort report) or
    where starting worker processes is not worth it. Each job still gets its own kernel."""

    workers = 1

    def describe(self) -> str:
        return "this process"

    def run(self, jobs: Sequence[Job], on_result: Callable[[JobResult], None]) -> None:
        for job in jobs:
            on_result(run_job(job))


def _init_worker() -> None:
    """Pool workers live for the whole batch: import papermill once, not once per notebook."""
    # Ctrl-C goes to the whole process group; the parent decides what to stop and reports.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Library deprecation chatter would scroll the progress bar away; errors are in the summary.
    # (Set here, not per job: catch_warnings is not thread-safe in a threaded Dask worker.)
    warnings.simplefilter("ignore")
    _quiet_worker()
    import jupyter_client.manager  # noqa: F401
    import nbclient  # noqa: F401
    import papermill  # noqa: F401


class LocalExecutor:
    """A pool of long-lived worker processes on this machine, one kernel per job.

    Workers are started with ``spawn`` (no fork of a parent that may hold threads or open
    kernels) and only ``workers`` jobs are handed out at a time, so each job's clock starts
    when it really starts and an unresponsive worker can be found and replaced.
    """

    def __init__(self, workers: int | None = None) -> None:
        count = workers if workers is not None else (os.cpu_count() or 1)
        if count < 1:
            raise ValueError("workers must be at least 1")
        self.workers = count

    def describe(self) -> str:
        return f"{self.workers} local worker{'s' if self.workers != 1 else ''}"

    def _pool(self, size: int) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=size,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
        )

    @staticmethod
    def _kill_pool(pool: cf.ProcessPoolExecutor) -> None:
        """Stop a pool at once, without ever waiting on one of its workers.

        Workers are killed through multiprocessing itself, never reaped behind its back: the
        pool's manager thread asks ``Process.is_alive()`` who still needs a stop signal, and
        a worker reaped by someone else (``psutil.wait_procs`` does that) looks alive for
        ever. When jobs were still queued (workers still starting on a busy machine) the
        thread then loops trying to queue stop signals, and ``shutdown(wait=True)`` never
        returned: the batch hung. ``_processes`` is private but stable since Python 3.2;
        without it a hung worker (and its kernel) would outlive the batch.
        """
        procs = list((getattr(pool, "_processes", None) or {}).values())
        kernels = [child for proc in procs for child in _descendants(proc.pid)]
        for proc in procs:
            with contextlib.suppress(Exception):
                proc.kill()
        for child in kernels:  # not our children: killing them cannot confuse the pool
            with contextlib.suppress(Exception):
                child.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        # Give the kill a moment to land (without reaping) so a stuck worker is gone before
        # its replacement starts; the pool's manager thread reaps them and exits by itself.
        deadline = time.monotonic() + 5.0
        for proc in procs:
            with contextlib.suppress(Exception):
                multiprocessing.connection.wait([proc.sentinel],
                                                max(0.0, deadline - time.monotonic()))

    def run(self, jobs: Sequence[Job], on_result: Callable[[JobResult], None]) -> None:
        if not jobs:
            return
        size = min(self.workers, len(jobs))
        queue: deque[Job] = deque(jobs)
        crashes: dict[str, int] = {}
        running: dict[cf.Future[JobResult], tuple[Job, float]] = {}
        pool = self._pool(size)
        try:
            while queue or running:
                while queue and len(running) < size:
                    job = queue.popleft()
                    running[pool.submit(run_job, job)] = (job, time.monotonic())
                done, _ = cf.wait(running, timeout=0.5, return_when=cf.FIRST_COMPLETED)
                broken = False
                for future in done:
                    job, started = running.pop(future)
                    try:
                        on_result(future.result())
                    except cf.BrokenExecutor:
                        broken = True
                        self._crashed(job, started, crashes, queue, on_result)
                    except Exception as exc:  # pickling trouble and the like
                        on_result(_failed(job, f"{type(exc).__name__}: {_one_line(exc)}",
                                          type(exc).__name__, started))
                now = time.monotonic()
                overdue = [f for f, (job, started) in running.items()
                           if now - started > job.timeout + HARD_STOP_GRACE]
                for future in overdue:
                    job, started = running.pop(future)
                    on_result(_failed(
                        job, f"stopped after {job.timeout:g} s (the notebook's time limit); "
                        "its worker stopped answering and was replaced", "WorkerTimeout",
                        started, status="timeout"))
                if broken or overdue:
                    # The pool cannot be trusted any more: jobs still running on it are put
                    # back at the front of the queue and run again on a fresh pool.
                    for job, job_started in list(running.values()):
                        if broken:
                            self._crashed(job, job_started, crashes, queue, on_result, front=True)
                        else:
                            queue.appendleft(job)
                    running.clear()
                    self._kill_pool(pool)
                    pool = self._pool(size)
        except BaseException:
            self._kill_pool(pool)
            raise
        pool.shutdown(wait=True)

    @staticmethod
    def _crashed(job: Job, started: float, crashes: dict[str, int], queue: deque[Job],
                 on_result: Callable[[JobResult], None], front: bool = False) -> None:
        """A worker process died. We cannot tell which job caused it, so each gets one retry."""
        crashes[job.name] = crashes.get(job.name, 0) + 1
        if crashes[job.name] <= WORKER_CRASH_RETRIES:
            (queue.appendleft if front else queue.append)(job)
        else:
            on_result(_failed(job, "its worker process stopped unexpectedly twice (out of "
                              "memory?)", "BrokenProcessPool", started))


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UserError(
            "Running on a Dask cluster needs the optional 'dask' extra. Install it with "
            "pip install 'mentor_workshop[dask]' (on this machine and on the workers), or "
            "leave out --scheduler to run on this machine."
        ) from None
    return distributed


class DaskExecutor:
    """Jobs as tasks on a Dask distributed cluster, for cohorts that outgrow one machine.

    The workers need this package installed and must see the same paths (a shared folder):
    notebooks are read and written by the workers, not shipped through the scheduler. Each
    task keeps its own watchdog, so a hung kernel on a worker is still reported as a timeout.
    """

    def __init__(self, scheduler: Any, connect_timeout: float = 15.0) -> None:
        self.scheduler = scheduler
        self.connect_timeout = connect_timeout

    def describe(self) -> str:
        shown = self.scheduler if isinstance(self.scheduler, str) else "a Dask client"
        return f"the Dask cluster at {shown}"

    def _client(self, distributed: Any) -> tuple[Any, bool]:
        if isinstance(self.scheduler, distributed.Client):
            return self.scheduler, False
        try:
            client = distributed.Client(self.scheduler, timeout=self.connect_timeout,
                                        set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UserError(
                f"Could not reach the Dask scheduler at {self.scheduler} ({_one_line(exc)}). "
                "Check the address (e.g. tcp://10.0.0.5:8786) and that `dask scheduler` is "
                "running and reachable from here."
            ) from None
        return client, True

    def run(self, jobs: Sequence[Job], on_result: Callable[[JobResult], None]) -> None:
        if not jobs:
            return
        distributed = _import_distributed()
        client, owned = self._client(distributed)
        futures: dict[Any, Job] = {}
        try:
            batch = f"{os.getpid()}-{time.time_ns()}"
            for index, job in enumerate(jobs):
                key = f"mentor-workshop-{batch}-{index}"
                futures[client.submit(run_job, job, key=key, pure=False)] = job
            for future in distributed.as_completed(list(futures), loop=client.loop):
                job = futures[future]
                try:
                    on_result(future.result())
                except Exception as exc:  # KilledWorker, a worker without the package, ...
                    on_result(_failed(job, f"{type(exc).__name__}: {_one_line(exc)}",
                                      type(exc).__name__))
        except BaseException:
            with contextlib.suppress(Exception):
                client.cancel(list(futures))
            raise
        finally:
            if owned:
                with contextlib.suppress(Exception):
                    client.close()


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor the command line asked for: Dask when a scheduler is named, else local."""
    if scheduler:
        return DaskExecutor(scheduler)
    return LocalExecutor(workers)


# ----------------------------------------------------------------------------- manifest


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _fresh_manifest() -> dict[str, Any]:
    return {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "updated_at": _now(),
            "jobs": {}}


def _load_manifest(path: Path) -> dict[str, Any]:
    """The previous run's record; a damaged one is kept aside and the batch starts afresh."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _fresh_manifest()
    except (OSError, ValueError) as exc:
        data, reason = None, _one_line(exc)
    else:
        reason = "it is not a batch manifest"
        if (isinstance(data, dict) and data.get("format") == MANIFEST_FORMAT
                and isinstance(data.get("jobs"), dict)):
            return data
    aside = path.with_name(f"{path.name}.damaged-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
    with contextlib.suppress(OSError):
        os.replace(path, aside)
    print(f"Note: the batch manifest {path} could not be used ({reason}); it was moved to "
          f"{aside.name} and every notebook will run again.", file=sys.stderr)
    return _fresh_manifest()


def _save_manifest(path: Path, manifest: dict[str, Any]) -> None:
    manifest["updated_at"] = _now()
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n"
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise UserError(
            f"The batch record {path} cannot be written ({exc.strerror or exc}). Free some disk "
            "space or choose another --out folder; finished notebooks are kept and a re-run "
            "repeats only what is not recorded."
        ) from None


def _plan(jobs: Sequence[Job], manifest: dict[str, Any], rerun_failed: bool
          ) -> tuple[list[Job], dict[str, JobResult], dict[str, str | None]]:
    """Split jobs into those to run and those an earlier run already settled."""
    to_run: list[Job] = []
    skipped: dict[str, JobResult] = {}
    prints: dict[str, str | None] = {}
    for job in jobs:
        fingerprint = prints[job.name] = job.fingerprint()
        entry = manifest["jobs"].get(job.name) or {}
        done = (entry.get("status") == "ok" and fingerprint is not None
                and entry.get("fingerprint") == fingerprint and job.output_path.exists())
        if done:
            skipped[job.name] = JobResult(job.name, "skipped", output_path=str(job.output_path),
                                          note="done in an earlier run")
        elif rerun_failed and entry.get("status") not in ("failed", "timeout"):
            note = "did not fail last time" if entry else "not run before"
            skipped[job.name] = JobResult(job.name, "skipped", output_path=str(job.output_path),
                                          note=note)
        else:
            to_run.append(job)
    return to_run, skipped, prints


# ----------------------------------------------------------------------------- the batch


@dataclass
class BatchResult:
    """Every job's result in the order given, and where the manifest is."""

    results: list[JobResult]
    manifest_path: Path | None = None
    duration: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failures(self) -> list[JobResult]:
        return [r for r in self.results if not r.succeeded]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> int:
        """0 when every notebook ran (or had run before), 1 when any failed or timed out."""
        return 0 if self.ok else 1

    def by_name(self) -> dict[str, JobResult]:
        return {r.name: r for r in self.results}


def run_batch(
    jobs: Sequence[Job],
    executor: Executor | None = None,
    manifest_path: str | os.PathLike[str] | None = None,
    rerun_failed: bool = False,
    *,
    progress: bool | None = None,
    description: str = "notebooks",
) -> BatchResult:
    """Run ``jobs``, recording each result in the manifest as it arrives.

    A job already recorded as ``ok`` for the same notebook, parameters and dependencies (and
    whose output still exists) is skipped; with ``rerun_failed`` only jobs recorded as failed
    or timed out run. ``progress=None`` shows the bar only on a terminal.
    """
    jobs = list(jobs)
    names = [job.name for job in jobs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Job names must be unique; repeated: {', '.join(duplicates)}")
    executor = executor if executor is not None else LocalExecutor()
    path = Path(manifest_path) if manifest_path is not None else None
    started = time.monotonic()

    with _manifest_lock(path):
        manifest = _load_manifest(path) if path is not None else _fresh_manifest()
        to_run, results, prints = _plan(jobs, manifest, rerun_failed)
        by_name = {job.name: job for job in jobs}

        from tqdm.auto import tqdm

        bar = tqdm(total=len(to_run), desc=description, unit="nb", file=sys.stderr,
                   disable=(not sys.stderr.isatty()) if progress is None else not progress,
                   dynamic_ncols=True)

        def record(result: JobResult) -> None:
            results[result.name] = result
            job = by_name[result.name]
            entry = {k: v for k, v in asdict(result).items() if k not in ("name", "note")}
            entry.update(fingerprint=prints.get(result.name), input=str(job.input_path),
                         parameters=job.parameters, finished_at=_now())
            manifest["jobs"][result.name] = entry
            if path is not None:
                _save_manifest(path, manifest)
            bad = sum(1 for r in results.values() if not r.succeeded)
            if bad:
                bar.set_postfix_str(f"{bad} failed", refresh=False)
            bar.update(1)

        try:
            executor.run(to_run, record)
        finally:
            bar.close()
        if path is not None and not to_run:
            _save_manifest(path, manifest)

    ordered = [results[job.name] for job in jobs if job.name in results]
    return BatchResult(ordered, path, round(time.monotonic() - started, 3))


@contextlib.contextmanager
def _manifest_lock(path: Path | None) -> Any:
    """Two batches writing the same folder would overwrite each other's notebooks."""
    if path is None:
        yield
        return
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path.with_name(path.name + ".lock")), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise UserError(
            f"Another batch is already running in {path.parent} (its manifest {path.name} is "
            "locked). Wait for it to finish, or choose another --out folder."
        ) from None
    try:
        yield
    finally:
        lock.release()


# ----------------------------------------------------------------------------- summary


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s"


_SHOWN_STATUS = {"ok": "ok", "failed": "FAILED", "timeout": "TIMEOUT", "skipped": "skipped"}


def format_summary(result: BatchResult, max_ok_rows: int = 30, width: int | None = None) -> str:
    """A table of the jobs that ran (failures always; successes when there are few) + totals.

    A failure's name and error are never shortened to fit the terminal: they are what the
    facilitator acts on (and searches for), and a cut line hid exactly the part that mattered
    (``KeyError: 'shortlist.lea…``). Errors are one line of bounded length already; a long one
    simply wraps. ``width`` only sizes the rule under the heading.
    """
    width = width or shutil.get_terminal_size((100, 20)).columns
    ran = [r for r in result.results if r.status != "skipped"]
    rows = ran if len([r for r in ran if r.succeeded]) <= max_ok_rows else result.failures
    lines: list[str] = []
    if rows:
        name_w = min(max(len("notebook"), *(len(r.name) for r in rows)), 48)
        head = f"{'notebook':<{name_w}}  {'status':<7}  {'time':>7}  problem"
        lines += [head, "-" * min(width, max(len(head), 60))]
        for r in rows:
            name = r.name
            if r.succeeded and len(name) > name_w:  # a success may be elided, a failure never
                name = "…" + name[-(name_w - 1):]
            lines.append(f"{name:<{name_w}}  {_SHOWN_STATUS[r.status]:<7}  "
                         f"{_duration(r.duration):>7}  {r.error or ''}".rstrip())
            if r.detail:  # the kernel's own last words, e.g. why it could not start
                last = _one_line(r.detail.splitlines()[-1])
                lines.append(f"{'':<{name_w}}  {'':<7}  {'':>7}  kernel said: {last}")
        hidden = len(ran) - len(rows)
        if hidden:
            lines.append(f"({hidden} notebooks ran without problems and are not listed.)")
        lines.append("")
    counts = {s: result.count(s) for s in STATUSES}
    total = len(result.results)
    parts = [f"{counts['ok']} ok", f"{counts['failed']} failed", f"{counts['timeout']} timed out"]
    if counts["skipped"]:
        parts.append(f"{counts['skipped']} skipped (already done)")
    lines.append(f"{total} notebook{'s' if total != 1 else ''}: {', '.join(parts)} "
                 f"in {_duration(result.duration)}.")
    if result.failures:
        hint = ("Each failed notebook was saved with the error at the top; open it, fix the "
                "cause and run the same command again (add --rerun-failed to run only those).")
        lines.append(hint)
    if result.manifest_path is not None:
        lines.append(f"Record of this run: {result.manifest_path}")
    return "\n".join(lines)


def print_summary(result: BatchResult, file: TextIO | None = None) -> None:
    print(format_summary(result), file=file or sys.stdout)
