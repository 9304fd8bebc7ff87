"""Where batch jobs run: in this process, on a local pool of workers, or on a Dask cluster.

Why long-lived workers: each imports papermill, nbclient and jupyter_client once, not once per
notebook, and gives every job a fresh kernel. Whatever runs the jobs, a failed notebook never
stops the batch: each executor turns every way a job can go wrong (its kernel, its worker
process, the cluster) into a :class:`~mentor_workshop.facilitator.batch.job.JobResult`. How often
a job is run again and when a silent worker is given up on is the pool policy's
(:mod:`mentor_workshop.facilitator.pool`), shared with autograde.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
import warnings
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.batch.job import (
    Job,
    JobResult,
    failed_result,
    one_line,
    quiet_worker,
    run_job,
)
from mentor_workshop.facilitator.batch.kernel import descendants
from mentor_workshop.facilitator.pool import POLICY, WorkerDeaths, default_workers

__all__ = ["DaskExecutor", "Executor", "LocalExecutor", "SerialExecutor", "make_executor"]


class Executor(Protocol):
    """Runs jobs somewhere and calls ``on_result`` (in the caller's thread) as each finishes."""

    def describe(self) -> str: ...

    def run(self, jobs: Sequence[Job], on_result: Callable[[JobResult], None]) -> None: ...


class SerialExecutor:
    """Jobs one after another in this process: for a single notebook (the cohort report) or
    where starting worker processes is not worth it. Each job still gets its own kernel."""

    workers = 1

    def describe(self) -> str:
        """Where the jobs run, for the command's first line."""
        return "this process"

    def run(self, jobs: Sequence[Job], on_result: Callable[[JobResult], None]) -> None:
        """Run ``jobs`` in order, reporting each result to ``on_result`` as it finishes.

        Parameters
        ----------
        jobs
            The jobs to run.
        on_result
            Called with each job's result.

        Returns
        -------
        None
        """
        for job in jobs:
            on_result(run_job(job))


def _init_worker(prewarm: bool = True) -> None:
    """Pool workers live for the whole batch: import papermill once, not once per notebook,
    and (``prewarm``) keep a warm pool that forks each job's fresh kernel with the kit imported."""
    # Ctrl-C goes to the whole process group; the parent decides what to stop and reports.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Library deprecation chatter would scroll the progress bar away; errors are in the summary.
    # (Set here, not per job: catch_warnings is not thread-safe in a threaded Dask worker.)
    warnings.simplefilter("ignore")
    quiet_worker()
    import jupyter_client.manager  # noqa: F401
    import nbclient  # noqa: F401
    import papermill  # noqa: F401

    if prewarm:
        from mentor_workshop.facilitator.warm import start_zygote

        start_zygote()


class LocalExecutor:
    """A pool of long-lived worker processes on this machine, one kernel per job.

    Workers are started with ``spawn`` (no fork of a parent that may hold threads or open
    kernels) and only ``workers`` jobs are handed out at a time, so each job's clock starts
    when it really starts and an unresponsive worker can be found and replaced. The pool adds a
    last line of defence to each job's own watchdog: a worker that does not answer the policy's
    ``hard_stop_grace`` seconds after its job's limit is killed and replaced.
    """

    def __init__(self, workers: int | None = None, prewarm: bool = True) -> None:
        count = workers if workers is not None else default_workers()
        if count < 1:
            raise ValueError("workers must be at least 1")
        self.workers = count
        self.prewarm = prewarm

    def describe(self) -> str:
        """Where the jobs run, for the command's first line."""
        return f"{self.workers} local worker{'s' if self.workers != 1 else ''}"

    def _pool(self, size: int) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=size,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.prewarm,),
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
        kernels = [child for proc in procs for child in descendants(proc.pid)]
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
        """Run ``jobs`` on the pool, reporting each result to ``on_result`` as it finishes.

        Parameters
        ----------
        jobs
            The jobs to run.
        on_result
            Called in this thread with each job's result, including jobs whose worker died
            (after the policy's retries) or stopped answering.

        Returns
        -------
        None
        """
        if not jobs:
            return
        size = min(self.workers, len(jobs))
        queue: deque[Job] = deque(jobs)
        deaths = WorkerDeaths()
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
                        self._crashed(job, started, deaths, queue, on_result)
                    except Exception as exc:  # pickling trouble and the like
                        on_result(failed_result(job, f"{type(exc).__name__}: {one_line(exc)}",
                                                type(exc).__name__, started))
                now = time.monotonic()
                grace = POLICY.hard_stop_grace
                overdue = [f for f, (job, started) in running.items()
                           if now - started > job.timeout + grace]
                for future in overdue:
                    job, started = running.pop(future)
                    on_result(failed_result(
                        job, f"stopped after {job.timeout:g} s (the notebook's time limit); "
                        "its worker stopped answering and was replaced", "WorkerTimeout",
                        started, status="timeout"))
                if broken or overdue:
                    # The pool cannot be trusted any more: jobs still running on it are put
                    # back at the front of the queue and run again on a fresh pool.
                    for job, job_started in list(running.values()):
                        if broken:
                            self._crashed(job, job_started, deaths, queue, on_result, front=True)
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
    def _crashed(job: Job, started: float, deaths: WorkerDeaths, queue: deque[Job],
                 on_result: Callable[[JobResult], None], front: bool = False) -> None:
        """A worker process died. We cannot tell which job caused it, so each gets a retry."""
        if deaths.may_retry(job.name):
            (queue.appendleft if front else queue.append)(job)
        else:
            on_result(failed_result(job, "its worker process stopped unexpectedly twice (out "
                                    "of memory?)", "BrokenProcessPool", started))


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
        """Where the jobs run, for the command's first line."""
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
                f"Could not reach the Dask scheduler at {self.scheduler} ({one_line(exc)}). "
                "Check the address (e.g. tcp://10.0.0.5:8786) and that `dask scheduler` is "
                "running and reachable from here."
            ) from None
        return client, True

    def run(self, jobs: Sequence[Job], on_result: Callable[[JobResult], None]) -> None:
        """Run ``jobs`` as tasks on the cluster, reporting each result as it finishes.

        Parameters
        ----------
        jobs
            The jobs to run.
        on_result
            Called in this thread with each job's result; a task the cluster lost (a killed
            worker, a worker without this package) is reported as failed.

        Returns
        -------
        None

        Raises
        ------
        UserError
            When Dask is not installed or the scheduler cannot be reached.
        """
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
                    on_result(failed_result(job, f"{type(exc).__name__}: {one_line(exc)}",
                                            type(exc).__name__))
        except BaseException:
            with contextlib.suppress(Exception):
                client.cancel(list(futures))
            raise
        finally:
            if owned:
                with contextlib.suppress(Exception):
                    client.close()


def make_executor(workers: int | None = None, scheduler: str | None = None,
                  prewarm: bool = True) -> Executor:
    """The executor the command line asked for: Dask when a scheduler is named, else local.

    Parameters
    ----------
    workers
        Local worker processes; None for the pool policy's default (one per core).
    scheduler
        A Dask scheduler address such as ``tcp://10.0.0.5:8786``.
    prewarm
        Fork local kernels from the warm pool (:mod:`mentor_workshop.facilitator.warm`);
        False starts each from scratch (``--no-prewarm``, for troubleshooting).

    Returns
    -------
    Executor
    """
    if scheduler:
        return DaskExecutor(scheduler)
    return LocalExecutor(workers, prewarm=prewarm)
