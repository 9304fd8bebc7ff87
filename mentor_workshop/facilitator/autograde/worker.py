"""The long-lived worker process: sanitise and execute one participant's notebooks.

Why long-lived workers: starting a process and importing nbgrader costs seconds, so each worker
is started once per run (not per participant), loads the course's config once and keeps a
zygote of pre-warmed kernels (:mod:`.prewarm`). A worker only reads the gradebook: it runs
nbgrader's sanitising preprocessors and then nbgrader's ``Execute`` in a fresh kernel, and hands
the executed notebook back to the parent (:mod:`.driver`), which writes the grades one at a
time. A participant's notebooks run one after another in one worker, in nbgrader's order,
because they share the participant's journal.

nbgrader and nbformat are imported inside the functions: the pre-warmed kernels fork from a
process that imports this package (see :mod:`.prewarm`).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import sys
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitlets.config import Config

from mentor_workshop.facilitator.autograde.preprocessors import exporter, pipelines
from mentor_workshop.facilitator.autograde.tamper import tamper_notes
from mentor_workshop.facilitator.course import load_config
from mentor_workshop.facilitator.pool import CELL_TIMEOUT_ENAME
from mentor_workshop.facilitator.sandbox import Sandbox
from mentor_workshop.facilitator.sandbox.session import sandbox_environment
from mentor_workshop.facilitator.warm import (
    current_sandbox,
    current_zygote,
    start_zygote,
    use_sandbox,
)

__all__ = [
    "LOG_NAME",
    "ExecutedNotebook",
    "SubmissionJob",
    "grade_submission",
    "init_worker",
    "quiet_warnings",
]

#: Where workers and kernels write their logs, in the course folder (overwritten each run).
LOG_NAME = ".mentor_workshop_autograde.log"


@dataclass
class SubmissionJob:
    """One participant's submission, ready for a worker (the parent did the gradebook part)."""

    assignment: str
    student: str
    notebooks: list[str]  # submitted notebook paths, nbgrader's order
    dest: str
    db_url: str
    expected: dict[str, dict[str, Any]]  # notebook id -> cell expectations (tamper.expectations)


@dataclass
class ExecutedNotebook:
    """One notebook back from a worker: its status and notes, and what the parent must save."""

    notebook: str
    status: str
    seconds: float
    notes: list[str]
    output: str | None = None
    resources: dict[str, Any] | None = None
    timings: dict[str, float] | None = None  # seconds by phase (benchmarks/autograde.py)


#: This worker process's course config and progress queue, set once by init_worker().
_worker_state: dict[str, Any] = {}


def init_worker(root: str, overrides: dict[str, dict[str, Any]], ticks: Any,
                prewarm: bool = True, sandbox: bool = False) -> None:
    """Runs once per worker process: load the course config, quiet the logs, start the zygote.

    Parameters
    ----------
    root
        The course folder (the worker works there, as nbgrader does).
    overrides
        Config values from the command line, by section (e.g. ``Execute.timeout``).
    ticks
        A queue to put 1 on per notebook done (the parent's progress bar), or None.
    prewarm
        Fork kernels from a pre-warmed zygote (Linux only).
    sandbox
        Run each participant's kernels in a sandbox of the participant's own (each kernel
        forked from the zygote enters it when ``prewarm``; started in it from scratch
        otherwise).

    Returns
    -------
    None
    """
    config = load_config(root)
    for section, values in overrides.items():
        config[section].update(values)
    _worker_state.update(config=config, ticks=ticks, root=root, sandbox=sandbox,
                         prewarm=prewarm)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    quiet_warnings()
    os.chdir(root)
    # Kernels inherit this process's stdout/stderr: their start-up chatter goes to a log file
    # instead of the facilitator's terminal (and the progress bar).
    log_path = Path(root) / LOG_NAME
    with contextlib.suppress(OSError):
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    if prewarm:
        start_zygote(sandbox_environment() if sandbox else None)


def quiet_warnings() -> None:
    """Hide nbgrader's own SQLAlchemy and nbformat warnings: nothing a facilitator can act on.

    Returns
    -------
    None
    """
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", module="nbformat")
    with contextlib.suppress(ImportError):
        from sqlalchemy.exc import SAWarning  # deferred: heavy, and nbgrader's to bring

        warnings.filterwarnings("ignore", category=SAWarning)


def _resources(job: SubmissionJob, notebook_id: str) -> dict[str, Any]:
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


def _file_resources(job: SubmissionJob, notebook_id: str, path: str, stamp: float
                    ) -> dict[str, Any]:
    """:func:`_resources` plus what nbconvert's ``from_filename`` adds for the file at ``path``
    (its name, its folder, which is where the kernel runs, and ``stamp``, its date)."""
    resources = _resources(job, notebook_id)
    folder, name = os.path.split(path)
    modified = datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)
    resources.setdefault("metadata", {}).update(
        name=os.path.splitext(name)[0], path=folder,
        modified_date=f"{modified:%B} {modified.day}, {modified.year}")
    return resources


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def grade_submission(job: SubmissionJob) -> list[ExecutedNotebook]:
    """Sanitise and execute each notebook of one participant, in nbgrader's order.

    Runs in a worker set up by :func:`init_worker`. One notebook's failure never stops the
    participant: it comes back as ``failed`` with the reason.

    Parameters
    ----------
    job
        The submission, prepared by the parent.

    Returns
    -------
    list of ExecutedNotebook
        One per submitted notebook, with status ``graded``, ``timeout``, ``crashed`` or
        ``failed``.
    """
    config: Config = _worker_state["config"]
    ticks = _worker_state.get("ticks")
    sanitize, execute, _ = pipelines(config)
    sandbox = None
    if _worker_state.get("sandbox"):
        sandbox = Sandbox(job.dest, hide=[_worker_state["root"]])
        print(f"sandbox for {job.student}: {sandbox.describe()}", file=sys.stderr, flush=True)
        use_sandbox(sandbox)
        if current_zygote() is not None:
            sandbox.holder()  # bubblewrap makes it while the first notebook is sanitised
    results = []
    try:
        for path in job.notebooks:
            results.append(_one(job, path, config, sanitize, execute))
            if ticks is not None:
                ticks.put(1)
    finally:
        if sandbox is not None:
            use_sandbox(None)
            sandbox.close()
    return results


def _one(job: SubmissionJob, path: str, config: Config, sanitize: list[Any],
         execute: list[Any]) -> ExecutedNotebook:
    notebook_id = Path(path).stem
    start = time.monotonic()
    sandbox = current_sandbox()
    try:
        result = _run_notebook(job, path, notebook_id, config, sanitize, execute)
    except Exception as exc:  # one notebook's failure must not stop the participant
        with contextlib.suppress(OSError):
            os.remove(os.path.join(job.dest, f"{notebook_id}.ipynb"))
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        result = ExecutedNotebook(notebook_id, "failed", 0.0,
                                  [f"could not be graded ({detail[:300]})"])
    if sandbox is not None:
        zygote = current_zygote()
        left = sandbox.reap(keep=[zygote.last_kernel] if zygote and zygote.last_kernel else [])
        if left:
            result.notes.append(f"{left} process(es) it left running in the sandbox were "
                                "killed when it ended")
    result.seconds = time.monotonic() - start
    return result


def _run_notebook(
    job: SubmissionJob, path: str, notebook_id: str, config: Config, sanitize: list[Any],
    execute: list[Any],
) -> ExecutedNotebook:
    # deferred: pre-warmed kernels fork from a process that imports this package
    import nbformat
    from nbconvert.exporters import Exporter
    from nbgrader import utils

    started = time.perf_counter()
    submitted = nbformat.read(path, as_version=4)
    # 1. sanitise: exactly nbgrader's first pass. nbgrader writes the result to the autograded
    # folder and reads it back for the second pass; the notebook is passed on in memory
    # instead (a JSON round trip that changes nothing: the parent writes the final file)
    sanitising = exporter(config, sanitize)
    cleaned, _ = Exporter.from_notebook_node(  # the node, not nbconvert's JSON text of it
        sanitising, submitted,
        resources=_file_resources(job, notebook_id, path, os.path.getmtime(path)))
    notes = tamper_notes(submitted, job.expected.get(notebook_id, {}), config)
    sanitised = time.perf_counter()
    # 2. execute in a fresh kernel, as nbgrader's second pass does
    executing = exporter(config, execute)
    target = os.path.join(job.dest, f"{notebook_id}.ipynb")
    with utils.setenv(NBGRADER_EXECUTION="autograde"):
        output, resources = executing.from_notebook_node(
            cleaned, resources=_file_resources(job, notebook_id, target, time.time()))
    timings = dict(resources.get("mentor_workshop", {}).get("timings", {}))
    timings["sanitise"] = sanitised - started
    timings["execute_preprocessors"] = (time.perf_counter() - sanitised
                                        - sum(timings.get(k, 0.0) for k in ("kernel_start",
                                                                            "execution")))
    status = "graded"
    crashed = resources.get("mentor_workshop", {}).get("crashed")
    stopped_at = resources.get("mentor_workshop", {}).get("limit")
    if crashed and stopped_at:
        status = "timeout" if stopped_at == "time" else "crashed"
        notes.append(f"{crashed}; graded what ran, later checks score 0")
    elif crashed:
        status = "crashed"
        notes.append(f"the kernel died ({crashed}); graded what ran, later checks score 0")
    timeouts = output.count(f'"ename": "{CELL_TIMEOUT_ENAME}"')
    if timeouts:
        status = "timeout" if status == "graded" else status
        limit = config.get("Execute", {}).get("timeout", 30)
        notes.append(
            f"{timeouts} cell(s) ran longer than {limit} s and were stopped (an endless loop?)"
        )
    resources = {k: _plain(v) for k, v in resources.items() if k in ("nbgrader", "metadata",
                                                                      "unique_key",
                                                                      "output_files_dir")}
    return ExecutedNotebook(notebook_id, status, 0.0, notes, output, resources, timings)
