"""One batch job: a notebook run through papermill in a fresh, watched kernel, and its result.

Why this exists rather than a shell loop of ``papermill``: a facilitator personalises and
executes a dozen notebooks per participant, so a cohort is hundreds of runs. A loop pays the
Python and papermill start-up on every notebook and stops at the first error, or buries it.
Here each run gets a fresh kernel (isolation), a failed notebook never stops the batch, and
every job reports status, time and the failing cell in one line.

Robustness decisions, each learned from how headless kernels fail (the numbers are the pool
policy's, :mod:`mentor_workshop.facilitator.pool`):

* **Every job has two time limits.** ``cell_timeout`` is papermill's per-cell
  ``execution_timeout`` (the kernel is interrupted and the cell named). ``timeout`` bounds the
  whole notebook: a watchdog thread in the worker kills the kernel's process tree when it
  passes, so a widget cell waiting for a browser that will never come is reported as
  ``timeout``, never a hang.
* **A killed kernel is a failure, not a crash of the batch.** nbclient raises
  ``DeadKernelError``; we report the cell that was running and the tail of the kernel's stderr.
* **Parallel kernels must not collide on ports** (papermill#511; see :mod:`.kernel`). Everywhere,
  a job whose kernel fails before its first cell ran is started again after a short random
  pause, as often as the pool policy allows.
* **No process-wide ``chdir``.** papermill's ``cwd=`` changes the worker's working folder,
  which races when a Dask worker runs two jobs in threads; the kernel is started in the job's
  folder through nbclient's ``resources`` instead (the same effect for the notebook).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentor_workshop.facilitator.batch.kernel import KernelWatch, strip_ansi
from mentor_workshop.facilitator.pool import POLICY, Trouble, classify, retry_start

__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "DEFAULT_JOB_TIMEOUT",
    "STATUSES",
    "Job",
    "JobResult",
    "failed_result",
    "one_line",
    "quiet_worker",
    "run_job",
]

STATUSES = ("ok", "failed", "timeout", "skipped")
#: Seconds one cell may run (the pool policy's). Step notebooks run each cell in well under 1 s.
DEFAULT_CELL_TIMEOUT = POLICY.cell_timeout
#: Seconds a whole notebook may run, kernel start included (the pool policy's).
DEFAULT_JOB_TIMEOUT = POLICY.notebook_timeout

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

        Returns
        -------
        str or None
            A SHA-256 hex digest, or None when a file is missing (the job will run and report
            that).
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
        """True for ``ok`` and ``skipped`` (done in an earlier run)."""
        return self.status in ("ok", "skipped")


def one_line(text: object, limit: int = _ERROR_CHARS) -> str:
    """First non-empty line, without terminal colours, shortened: summaries stay readable.

    Parameters
    ----------
    text
        An error message or exception.
    limit
        The longest line returned, in characters (longer ones end in "…").

    Returns
    -------
    str
        The line; empty when ``text`` has none.
    """
    clean = strip_ansi(str(text))
    line = next((ln.strip() for ln in clean.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def failed_result(job: Job, error: str, exception: str, started: float | None = None,
                  status: str = "failed") -> JobResult:
    """The result of a job that could not report for itself (its worker died or hung).

    Parameters
    ----------
    job
        The job.
    error
        The one-line error for the summary.
    exception
        The name of what went wrong (an exception class or a label such as ``WorkerTimeout``).
    started
        ``time.monotonic()`` when the job was handed out, for its duration; None for 0.
    status
        ``failed`` or ``timeout``.

    Returns
    -------
    JobResult
    """
    duration = round(time.monotonic() - started, 3) if started is not None else 0.0
    return JobResult(job.name, status, duration, error=error, exception=exception,
                     output_path=str(job.output_path))


# ----------------------------------------------------------------------------- one attempt


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


def quiet_worker() -> None:
    """Silence papermill's own logging in a worker process.

    Errors are reported in the summary; papermill's logging would only duplicate them.

    Returns
    -------
    None
    """
    for name in ("papermill", "traitlets", "nbclient"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    # debugpy's warning about frozen modules, printed by every Python 3.11 kernel.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def _attempt(job: Job) -> _Attempt:
    # deferred: the batch package is imported when the CLI starts (for its default limits)
    import papermill
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    scratch = Path(tempfile.mkdtemp(prefix="mw-kernel-"))
    watch = KernelWatch(scratch)
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
            start_timeout=min(POLICY.kernel_start_timeout, job.timeout),
            execution_timeout=job.cell_timeout,
            kernel_manager_class=watch.manager_class(),
            resources=resources,
            shutdown_kernel="immediate",
        )
        return _Attempt("ok")
    except PapermillExecutionError as exc:
        return _Attempt(
            "failed",
            error=f"{_where(exc.cell_index, exc.exec_count)}: {exc.ename}: {one_line(exc.evalue)}",
            cell_index=exc.cell_index,
            exception=exc.ename,
        )
    except (CellTimeoutError, DeadKernelError) as exc:
        index, count = _running_cell(job.output_path)
        where = _where(index, count)
        trouble = classify(exc, started=index is not None, timed_out=watch.timed_out)
        if trouble is Trouble.NOTEBOOK_TIMEOUT:
            at = f", in {where}" if where else ""
            return _Attempt(
                "timeout",
                error=f"stopped after {job.timeout:g} s (the notebook's time limit){at}",
                cell_index=index,
                exception=type(exc).__name__,
            )
        if trouble is Trouble.CELL_TIMEOUT:
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
            retry=trouble is Trouble.START_FAILURE,
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
        trouble = classify(exc, started=started, timed_out=watch.timed_out)
        if trouble is Trouble.NOTEBOOK_TIMEOUT:
            return _Attempt("timeout", error=f"stopped after {job.timeout:g} s (the notebook's "
                            "time limit)", cell_index=index, exception=type(exc).__name__)
        # RuntimeError("Kernel died before replying"), TimeoutError("Kernel didn't respond")
        # and ZMQError("Address already in use") before any cell ran: a kernel start race.
        start_failure = trouble is Trouble.START_FAILURE
        prefix = "the kernel did not start: " if start_failure else (
            f"{_where(index, count)}: " if started else "")
        return _Attempt(
            "failed",
            error=f"{prefix}{type(exc).__name__}: {one_line(exc)}",
            cell_index=index,
            exception=type(exc).__name__,
            detail=watch.stderr_tail(),
            retry=start_failure,
        )
    finally:
        timer.cancel()
        shutil.rmtree(scratch, ignore_errors=True)


def run_job(job: Job) -> JobResult:
    """Execute one job in this process and say what happened; never raises for notebook errors.

    This is what the executors' workers call. It is also handy on its own (one notebook, no
    pool), e.g. for the cohort report. A kernel that fails before its first cell is started
    again as the pool policy says (:func:`mentor_workshop.facilitator.pool.retry_start`).

    Parameters
    ----------
    job
        The notebook to run.

    Returns
    -------
    JobResult
        Status ``ok``, ``failed`` or ``timeout``, with the failing cell and a one-line error.
    """
    quiet_worker()
    started = time.monotonic()

    def once(_number: int) -> tuple[_Attempt, bool]:
        outcome = _attempt(job)
        return outcome, outcome.status != "ok" and outcome.retry

    outcome, attempts = retry_start(once)
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
