"""One worker-pool policy for every tool that runs notebooks in worker processes.

Two tools execute many notebooks, each in a fresh kernel inside a worker process: ``batch``
(papermill jobs on a local pool or a Dask cluster) and ``autograde`` (nbgrader's preprocessors
in long-lived workers). Their process structures differ for good reasons, but the rules for
what may go wrong with a kernel must not: a facilitator should not have to learn that one tool
gives a slow kernel two chances and the other three. So the rules live here, in one frozen
:class:`PoolPolicy` (:data:`POLICY`), with the helpers both tools call:

* :func:`retry_start` -- the retry loop for a kernel that failed before its first cell;
* :func:`classify` / :func:`is_start_failure` -- what a kernel's exception means;
* :class:`WorkerDeaths` -- how often a job is re-queued when its worker process died;
* :func:`default_workers` -- how many workers to start.

Why 2 retries (3 attempts) for a kernel that fails to start. ``batch`` used to retry once and
``autograde`` twice. A retry happens only when no cell has run yet, so nothing the notebook does
(writing a journal, creating a file) can happen twice: a further attempt is always safe. A start
failure is never the notebook's fault either: a port race between parallel kernels
(papermill#511) or a machine too busy to answer the kernel's first hand-shake in time, and batch
runs the same kernels on the same busy machines as autograde. So both take autograde's larger
number: fewer retries would make autograde fail participants it grades today, while the extra
attempt costs batch time only when a kernel really cannot start (and the error is then reported
as before). Both now pause briefly at random before a retry, which autograde did not.

Timeouts. ``cell_timeout`` and ``notebook_timeout`` are the limits of a batch job unless the job
sets its own. Autograde keeps nbgrader's per-cell limit from the course (``Execute.timeout``,
which ``--timeout`` overrides): a participant's scores must be the ones ``nbgrader autograde``
gives, and nbgrader interrupts a cell at its limit. Unlike nbgrader it also stops a whole
notebook at ``graded_notebook_timeout`` and at ``output_bytes`` of output, far beyond what an
honest step notebook needs, and grades what ran.

Sandbox limits. ``memory_bytes``, ``max_processes`` and ``file_bytes`` are what each sandboxed
kernel gets (:mod:`mentor_workshop.facilitator.sandbox`).

Reporting. :func:`classify` names a kernel's trouble once (:class:`Trouble`); each tool then
says it in its own report: batch marks the job ``failed`` or ``timeout`` with the cell, and
autograde grades what ran, marks the notebook ``crashed`` or ``timeout`` and writes
:data:`KERNEL_DIED` into the test cells that could not run.
"""

from __future__ import annotations

import contextlib
import enum
import gc
import multiprocessing
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "CELL_TIMEOUT_ENAME",
    "FORK_FROM",
    "KERNEL_DIED",
    "POLICY",
    "PoolPolicy",
    "Trouble",
    "WorkerDeaths",
    "classify",
    "default_workers",
    "is_start_failure",
    "map_forked",
    "retry_start",
]

T = TypeVar("T")
R = TypeVar("R")

#: The ``ename`` autograde writes into a test cell whose kernel died before it could run.
KERNEL_DIED = "KernelDied"
#: The ``ename`` nbclient gives a cell stopped at the per-cell limit.
CELL_TIMEOUT_ENAME = "CellTimeoutError"


@dataclass(frozen=True)
class PoolPolicy:
    """How a pool of notebook workers treats kernels that fail, hang or die.

    Attributes
    ----------
    start_retries
        Extra attempts for a notebook whose kernel failed before its first cell ran.
    retry_pause
        Bounds, in seconds, of the random pause before such a retry: parallel kernels that
        collided must not start again in lock-step.
    worker_crash_retries
        How many times a job is run again after the worker process running it died (a worker
        death cannot be blamed on one job, so each job on it gets this many new chances).
    cell_timeout
        Seconds one cell of a batch job may run (step notebooks need well under a second).
    notebook_timeout
        Seconds a whole batch notebook may run, kernel start included.
    kernel_start_timeout
        Seconds to wait for a kernel to start (capped by the notebook's own limit).
    hard_stop_grace
        Extra seconds the local pool waits past a job's limit before it kills the worker.
    stderr_tail_lines
        Lines of a failed kernel's own stderr quoted in the report.
    graded_notebook_timeout
        Seconds a sandboxed notebook of a participant may run in all (autograde), kernel start
        included; generous, since honest step notebooks need a few seconds.
    memory_bytes
        Address space one sandboxed process may use (``RLIMIT_AS``): a memory bomb gets a
        ``MemoryError`` instead of taking the machine down.
    max_processes
        Processes a sandbox may hold at once, kernel included (a fork bomb stops there).
    output_bytes
        Bytes of output one notebook may send back; past that its kernel is stopped.
    file_bytes
        The largest file a sandboxed process may write (``RLIMIT_FSIZE``).
    """

    start_retries: int = 2
    retry_pause: tuple[float, float] = (0.2, 1.0)
    worker_crash_retries: int = 1
    cell_timeout: float = 60.0
    notebook_timeout: float = 300.0
    kernel_start_timeout: float = 60.0
    hard_stop_grace: float = 60.0
    stderr_tail_lines: int = 5
    graded_notebook_timeout: float = 300.0
    memory_bytes: int = 2 * 1024**3
    max_processes: int = 64
    output_bytes: int = 8 * 1024**2
    file_bytes: int = 64 * 1024**2

    @property
    def start_attempts(self) -> int:
        """Attempts in all for a notebook whose kernel keeps failing to start."""
        return self.start_retries + 1


#: The policy both ``batch`` and ``autograde`` use.
POLICY = PoolPolicy()


# ----------------------------------------------------------------------------- classify


class Trouble(enum.Enum):
    """What a kernel's exception means for the notebook that was running."""

    START_FAILURE = "start"  # failed before any cell ran: not the notebook's doing, retry
    NOTEBOOK_TIMEOUT = "notebook-timeout"  # the watchdog stopped the whole notebook
    CELL_TIMEOUT = "cell-timeout"  # one cell passed the per-cell limit
    CRASHED = "crashed"  # the kernel died while running a cell (killed, segfault, memory)
    ERROR = "error"  # anything else: report it as it is


def is_start_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is what a kernel that never got going raises.

    ``RuntimeError("Kernel died before replying")``, ``TimeoutError("Kernel didn't respond")``
    and ``ZMQError("Address already in use")`` all mean a kernel start race or a machine too busy
    to answer, when they come before the first cell.

    Parameters
    ----------
    exc
        The exception raised while executing a notebook.

    Returns
    -------
    bool
        True for the exception types of a failed kernel start.
    """
    if isinstance(exc, RuntimeError | TimeoutError):
        return True
    with contextlib.suppress(ImportError):
        # deferred: the batch package (and so this module) is imported when the CLI starts
        import zmq

        return isinstance(exc, zmq.ZMQError)
    return False


def classify(exc: BaseException, *, started: bool, timed_out: bool = False) -> Trouble:
    """Name a kernel's trouble once, so both tools retry and report the same things.

    Parameters
    ----------
    exc
        The exception raised while executing a notebook.
    started
        Whether any cell had started running when it was raised.
    timed_out
        Whether the notebook's watchdog fired (the whole notebook passed its limit).

    Returns
    -------
    Trouble
        ``NOTEBOOK_TIMEOUT`` when the watchdog fired, ``CELL_TIMEOUT`` for nbclient's cell limit,
        ``START_FAILURE`` when the kernel failed before any cell, ``CRASHED`` when it died in a
        cell, else ``ERROR``.
    """
    # deferred: the batch package (and so this module) is imported when the CLI starts
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if timed_out:
        return Trouble.NOTEBOOK_TIMEOUT
    if isinstance(exc, CellTimeoutError):
        return Trouble.CELL_TIMEOUT
    if not started and (isinstance(exc, DeadKernelError) or is_start_failure(exc)):
        return Trouble.START_FAILURE
    if isinstance(exc, DeadKernelError):
        return Trouble.CRASHED
    return Trouble.ERROR


# ----------------------------------------------------------------------------- retry


def retry_start(run: Callable[[int], tuple[T, bool]], policy: PoolPolicy = POLICY
                ) -> tuple[T, int]:
    """Run one notebook, starting its kernel again while it fails before its first cell.

    Parameters
    ----------
    run
        Called with the attempt number (from 1); returns ``(result, kernel_failed_to_start)``.
    policy
        The policy giving the number of attempts and the pause between them.

    Returns
    -------
    tuple
        The last attempt's result and the number of attempts made.
    """
    attempt = 0
    while True:
        attempt += 1
        result, start_failed = run(attempt)
        if not start_failed or attempt >= policy.start_attempts:
            return result, attempt
        time.sleep(random.uniform(*policy.retry_pause))  # de-synchronise from the other kernels


class WorkerDeaths:
    """Counts, per job, the worker processes that died under it, and says when to give up."""

    def __init__(self, policy: PoolPolicy = POLICY) -> None:
        self.policy = policy
        self._counts: dict[str, int] = {}

    def may_retry(self, key: str) -> bool:
        """Record that the worker running ``key`` died.

        Parameters
        ----------
        key
            What identifies the job across re-queues (a job or participant name).

        Returns
        -------
        bool
            True while the job has retries left under the policy.
        """
        self._counts[key] = self._counts.get(key, 0) + 1
        return self._counts[key] <= self.policy.worker_crash_retries


def default_workers(spare: int = 0) -> int:
    """Worker processes to start: one per core this process may use, plus ``spare``.

    Parameters
    ----------
    spare
        Extra workers beyond one per core, for work that waits on kernels part of the time.

    Returns
    -------
    int
        At least ``1 + spare``.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores) + spare


#: Below this many items one process is quicker than forking others.
FORK_FROM = 200


def map_forked(fn: Callable[[list[T]], list[R]], items: list[T], *,
               workers: int | None = None) -> list[R]:
    """``fn`` over ``items`` in shares, one forked process per core, results in item order.

    For pure-Python work over a cohort (``status`` and the report check every journal): no
    kernels, so none of the kernel pool's retries apply. The first item is done here before any
    fork, so whatever ``fn`` loads on first use (the curriculum, the rules, the word list) is
    loaded once and every child starts warm; ``fn`` takes a list and returns one result per
    item, in order.

    Parameters
    ----------
    fn : callable
        Maps a list of items to a list of results (a module-level function).
    items : list
        The work.
    workers : int, optional
        Processes in all (the caller's included); by default one per core, up to four, when
        there are at least :data:`FORK_FROM` items, else one.

    Returns
    -------
    list
        ``fn``'s results for every item, in the order of ``items``.
    """
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(items) >= FORK_FROM else 1
    if (workers <= 1 or len(items) < 2 * workers
            or "fork" not in multiprocessing.get_all_start_methods()):
        with _no_cycle_collection():
            return fn(items)
    with _no_cycle_collection():
        results = fn(items[:1])  # warm, before any fork
    rest = items[1:]
    # This process takes a slightly smaller share: after it, it also collects its garbage and
    # takes in the others' results, and the run ends when the last share is in.
    own = int(len(rest) * (1 - _OWN_SHARE_CUT) / workers)
    size = -(-(len(rest) - own) // (workers - 1))
    shares = [rest[:own], *(rest[i:i + size] for i in range(own, len(rest), size))]
    # Whatever is loaded now stays in the children unchanged: frozen, the collector never
    # writes to it, so the children keep sharing its memory pages instead of copying them.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(len(shares) - 1) as pool:
            pending = [pool.apply_async(_share, (fn, share)) for share in shares[1:]]
            with _no_cycle_collection():
                results.extend(fn(shares[0]))
            for job in pending:
                results.extend(job.get())
    finally:
        gc.unfreeze()
    return results


#: How much smaller this process's share is than an even one (see map_forked): about what
#: collecting and receiving the others' rows cost, measured on ``status`` for 1,000 journals.
_OWN_SHARE_CUT = 0.06


def _share(fn: Callable[[list[T]], list[R]], share: list[T]) -> list[R]:
    """One child's share, with the cycle collector off (see :func:`_no_cycle_collection`); the
    child ends with its share, so it does not collect at the end."""
    gc.disable()
    return fn(share)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off for one pass over a cohort, then one young collection.

    Why: checking a journal makes thousands of short-lived containers and almost no reference
    cycles (a few hundred objects over a thousand journals), yet the collector walks every
    container it tracks, again and again; that was a fifth of the time of ``status``. Memory is
    freed as before, by reference counting; the few cycles, all made during the pass and so
    all in the youngest generation, go at the collection at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)
