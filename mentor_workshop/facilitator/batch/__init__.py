"""Run many notebooks through papermill: a local process pool or a Dask cluster, with a manifest.

A facilitator personalises and executes a dozen notebooks per participant, so a cohort is
hundreds of runs. Long-lived workers import papermill once and each run gets a fresh kernel; a
failed notebook never stops the batch; every job reports status, time and the failing cell; a
JSON manifest lets a re-run skip what already succeeded. The parts:

* :mod:`.job` -- what one run is (:class:`Job`, :class:`JobResult`, :func:`run_job`);
* :mod:`.kernel` -- the watched kernel of one run (own sockets, stderr kept, killable);
* :mod:`.executors` -- where jobs run (:class:`LocalExecutor`, :class:`DaskExecutor`, ...);
* :mod:`.manifest` -- the JSON record and ``--rerun-failed``;
* :mod:`.run` -- :func:`run_batch` and its summary.

Retries and time limits are the pool policy's (:mod:`mentor_workshop.facilitator.pool`), shared
with autograde.
"""

from mentor_workshop.facilitator.batch.executors import (
    DaskExecutor,
    Executor,
    LocalExecutor,
    SerialExecutor,
    make_executor,
)
from mentor_workshop.facilitator.batch.job import (
    DEFAULT_CELL_TIMEOUT,
    DEFAULT_JOB_TIMEOUT,
    STATUSES,
    Job,
    JobResult,
    run_job,
)
from mentor_workshop.facilitator.batch.run import (
    BatchResult,
    format_summary,
    print_summary,
    run_batch,
)

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
