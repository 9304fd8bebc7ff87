"""The batch manifest: a JSON record of every job's last result, so a re-run skips what is done.

Why a manifest: a cohort batch is hundreds of notebooks, and the one that failed is fixed and
run again, not the whole cohort. The record says, per job name, what happened and for which
notebook, parameters and dependencies (a fingerprint), so a success still holds only while
none of them changed; ``--rerun-failed`` runs only what failed or timed out. A lock file keeps
two batches from writing the same folder at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.batch.job import Job, JobResult, one_line

__all__ = [
    "MANIFEST_FORMAT",
    "MANIFEST_VERSION",
    "fresh_manifest",
    "load_manifest",
    "manifest_lock",
    "now",
    "plan",
    "save_manifest",
]

MANIFEST_FORMAT = "mentor-workshop-batch-manifest"
MANIFEST_VERSION = 1


def now() -> str:
    """The current UTC time as the manifest records it (ISO 8601, to the second).

    Returns
    -------
    str
    """
    return datetime.now(UTC).isoformat(timespec="seconds")


def fresh_manifest() -> dict[str, Any]:
    """An empty manifest, for a first run or after a damaged one was set aside.

    Returns
    -------
    dict
        ``format``, ``version``, ``updated_at`` and no ``jobs``.
    """
    return {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "updated_at": now(),
            "jobs": {}}


def load_manifest(path: Path) -> dict[str, Any]:
    """The previous run's record; a damaged one is kept aside and the batch starts afresh.

    Parameters
    ----------
    path
        Where the manifest is (it need not exist).

    Returns
    -------
    dict
        The manifest, or a fresh one when there is none or it could not be used (a note on
        stderr then says where the damaged file was moved).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return fresh_manifest()
    except (OSError, ValueError) as exc:
        data, reason = None, one_line(exc)
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
    return fresh_manifest()


def save_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically, stamped with the time.

    Parameters
    ----------
    path
        Where to write it.
    manifest
        The record; its ``updated_at`` is set here.

    Returns
    -------
    None

    Raises
    ------
    UserError
        When the file cannot be written (a full disk, a read-only folder).
    """
    manifest["updated_at"] = now()
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n"
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise UserError(
            f"The batch record {path} cannot be written ({exc.strerror or exc}). Free some disk "
            "space or choose another --out folder; finished notebooks are kept and a re-run "
            "repeats only what is not recorded."
        ) from None


def plan(jobs: Sequence[Job], manifest: dict[str, Any], rerun_failed: bool
         ) -> tuple[list[Job], dict[str, JobResult], dict[str, str | None]]:
    """Split jobs into those to run and those an earlier run already settled.

    Parameters
    ----------
    jobs
        Every job of the batch.
    manifest
        The previous run's record.
    rerun_failed
        Run only the jobs recorded as failed or timed out.

    Returns
    -------
    tuple
        The jobs to run, a ``skipped`` result per settled job (by name), and each job's
        fingerprint (by name) to record with its new result.
    """
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


@contextlib.contextmanager
def manifest_lock(path: Path | None) -> Iterator[None]:
    """Hold the manifest's lock: two batches writing the same folder would overwrite each
    other's notebooks.

    Parameters
    ----------
    path
        The manifest; None (no manifest) locks nothing.

    Returns
    -------
    contextmanager
        Holds the lock while the batch runs.

    Raises
    ------
    UserError
        When another batch holds the lock.
    """
    if path is None:
        yield
        return
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
