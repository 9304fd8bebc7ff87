"""Run a batch: skip what an earlier run settled, run the rest, record and summarise it.

Why this exists rather than a shell loop of ``papermill``: a failed notebook never stops the
batch, every job reports status, time and the failing cell, and the manifest lets a re-run skip
what already succeeded. :func:`run_batch` is the one entry point (the ``batch`` and
``personalize`` commands print its :func:`format_summary`); where the jobs run is the
executor's business (:mod:`.executors`), what one job is, :mod:`.job`.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from mentor_workshop.facilitator.batch.executors import Executor, LocalExecutor
from mentor_workshop.facilitator.batch.job import STATUSES, Job, JobResult, one_line
from mentor_workshop.facilitator.batch.manifest import (
    fresh_manifest,
    load_manifest,
    manifest_lock,
    now,
    plan,
    save_manifest,
)

__all__ = ["BatchResult", "format_summary", "print_summary", "run_batch"]


@dataclass
class BatchResult:
    """Every job's result in the order given, and where the manifest is."""

    results: list[JobResult]
    manifest_path: Path | None = None
    duration: float = 0.0

    def count(self, status: str) -> int:
        """How many jobs ended with ``status``.

        Parameters
        ----------
        status
            One of ``ok``, ``failed``, ``timeout``, ``skipped``.

        Returns
        -------
        int
        """
        return sum(1 for r in self.results if r.status == status)

    @property
    def failures(self) -> list[JobResult]:
        """The jobs that failed or timed out, in order."""
        return [r for r in self.results if not r.succeeded]

    @property
    def ok(self) -> bool:
        """True when no job failed or timed out."""
        return not self.failures

    @property
    def exit_code(self) -> int:
        """0 when every notebook ran (or had run before), 1 when any failed or timed out."""
        return 0 if self.ok else 1

    def by_name(self) -> dict[str, JobResult]:
        """Every result by job name.

        Returns
        -------
        dict
        """
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
    or timed out run.

    Parameters
    ----------
    jobs
        The jobs; their names must be unique (they key the manifest).
    executor
        Where to run them; None for a :class:`LocalExecutor` with the default workers.
    manifest_path
        The JSON record to read and update; None keeps no record.
    rerun_failed
        Run only jobs the manifest records as failed or timed out.
    progress
        Show a progress bar; None shows it only on a terminal.
    description
        The progress bar's label.

    Returns
    -------
    BatchResult
        Every job's result in the order given.

    Raises
    ------
    ValueError
        When two jobs share a name.
    UserError
        When another batch holds the manifest, or the manifest cannot be written.
    """
    jobs = list(jobs)
    names = [job.name for job in jobs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Job names must be unique; repeated: {', '.join(duplicates)}")
    executor = executor if executor is not None else LocalExecutor()
    path = Path(manifest_path) if manifest_path is not None else None
    started = time.monotonic()

    with manifest_lock(path):
        manifest = load_manifest(path) if path is not None else fresh_manifest()
        to_run, results, prints = plan(jobs, manifest, rerun_failed)
        by_name = {job.name: job for job in jobs}

        # deferred: in a notebook tqdm.auto loads ipywidgets; the CLI imports this at start-up
        from tqdm.auto import tqdm

        bar = tqdm(total=len(to_run), desc=description, unit="nb", file=sys.stderr,
                   disable=(not sys.stderr.isatty()) if progress is None else not progress,
                   dynamic_ncols=True)

        def record(result: JobResult) -> None:
            results[result.name] = result
            job = by_name[result.name]
            entry = {k: v for k, v in asdict(result).items() if k not in ("name", "note")}
            entry.update(fingerprint=prints.get(result.name), input=str(job.input_path),
                         parameters=job.parameters, finished_at=now())
            manifest["jobs"][result.name] = entry
            if path is not None:
                save_manifest(path, manifest)
            bad = sum(1 for r in results.values() if not r.succeeded)
            if bad:
                bar.set_postfix_str(f"{bad} failed", refresh=False)
            bar.update(1)

        try:
            executor.run(to_run, record)
        finally:
            bar.close()
        if path is not None and not to_run:
            save_manifest(path, manifest)

    ordered = [results[job.name] for job in jobs if job.name in results]
    return BatchResult(ordered, path, round(time.monotonic() - started, 3))


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
    simply wraps.

    Parameters
    ----------
    result
        The batch's result.
    max_ok_rows
        Successes are listed only while there are at most this many.
    width
        Only sizes the rule under the heading; None for the terminal's width.

    Returns
    -------
    str
        The table and the totals, several lines.
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
                last = one_line(r.detail.splitlines()[-1])
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
    """Print :func:`format_summary` of ``result``.

    Parameters
    ----------
    result
        The batch's result.
    file
        Where to print; None for standard output.

    Returns
    -------
    None
    """
    print(format_summary(result), file=file or sys.stdout)
