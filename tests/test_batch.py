"""The batch engine on tiny notebooks: failures, time limits, dead kernels, re-runs, Dask."""

from __future__ import annotations

import concurrent.futures as cf
import errno
import json
import multiprocessing
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from conftest import parameter_notebook
from filelock import FileLock

from mentor_workshop.errors import UserError
from mentor_workshop.facilitator import pool
from mentor_workshop.facilitator.batch import (
    BatchResult,
    DaskExecutor,
    Job,
    JobResult,
    LocalExecutor,
    SerialExecutor,
    format_summary,
    run_batch,
    run_job,
)
from mentor_workshop.facilitator.batch import executors as batch_executors
from mentor_workshop.facilitator.batch import job as batch

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX kernels and signals")


def notebook(path: Path, *sources: str, params: str = 'who = "nobody"') -> Path:
    return parameter_notebook(path, *sources, params=params)


@pytest.fixture
def nbs(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "nbs"
    return {
        # Writes into the kernel's folder and records the kernel's transport, so the tests can
        # see the job ran in its cwd with its parameters and without TCP ports (papermill#511),
        # and whether the cycle collector runs (the zygote it was forked from turns it off
        # while it loads, and must turn it on again).
        "ok": notebook(
            folder / "ok.ipynb",
            "import gc, json, pathlib\nfrom ipykernel import get_connection_info\n"
            "info = get_connection_info(unpack=True)\n"
            "pathlib.Path('done.json').write_text(json.dumps("
            "{'who': who, 'transport': info['transport'], 'gc': gc.isenabled()}))",
        ),
        "raises": notebook(folder / "raises.ipynb", "x = 1",
                           "raise ValueError(f'no answer for {who}')", "print('never')"),
        "sleeps": notebook(folder / "sleeps.ipynb", "import time\ntime.sleep(60)"),
        "killed": notebook(folder / "killed.ipynb", "import os\nos.kill(os.getpid(), 9)"),
    }


def by_name(result: BatchResult) -> dict[str, JobResult]:
    return result.by_name()


@pytest.mark.slow
def test_failures_time_limits_and_dead_kernels_are_reported_and_never_stop_the_batch(
    tmp_path: Path, nbs: dict[str, Path]
) -> None:
    out = tmp_path / "out"
    cwds = [out / f"p{i}" for i in range(2)]
    for cwd in cwds:
        cwd.mkdir(parents=True)
    jobs = [
        Job(nbs["raises"], out / "raises.ipynb", {"who": "Ana"}, name="raises"),
        Job(nbs["sleeps"], out / "cell_limit.ipynb", name="cell_limit", cell_timeout=2),
        Job(nbs["sleeps"], out / "job_limit.ipynb", name="job_limit", timeout=3),
        Job(nbs["killed"], out / "killed.ipynb", name="killed"),
        *(Job(nbs["ok"], out / f"ok{i}.ipynb", {"who": f"p{i}"}, cwd=cwds[i], name=f"ok{i}")
          for i in range(2)),
    ]
    manifest = out / "manifest.json"
    result = run_batch(jobs, LocalExecutor(workers=2), manifest, progress=False)
    got = by_name(result)

    assert [r.name for r in result.results] == [j.name for j in jobs]
    assert {n: r.status for n, r in got.items()} == {
        "raises": "failed", "cell_limit": "timeout", "job_limit": "timeout",
        "killed": "failed", "ok0": "ok", "ok1": "ok",
    }
    assert result.exit_code == 1

    # The failing cell and the exception, in one line; never a traceback.
    raises = got["raises"]
    assert raises.exception == "ValueError"
    assert raises.cell_index == 3  # after papermill's injected-parameters cell
    assert raises.error == "cell 4 (In [4]): ValueError: no answer for Ana"
    assert "Traceback" not in format_summary(result)
    saved = nbformat.read(out / "raises.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in saved.cells for o in c.get("outputs", []))

    assert "per-cell time limit" in got["cell_limit"].error
    assert got["cell_limit"].cell_index == 1
    assert "notebook's time limit" in got["job_limit"].error
    assert got["job_limit"].duration < 30
    assert got["killed"].exception == "DeadKernelError"
    assert got["killed"].error.startswith("cell 2")
    assert "the kernel died" in got["killed"].error

    # Each ok job ran in its own folder with its own parameters, over IPC sockets.
    for i, cwd in enumerate(cwds):
        assert json.loads((cwd / "done.json").read_text()) == {
            "who": f"p{i}", "transport": "ipc", "gc": True}

    recorded = json.loads(manifest.read_text())["jobs"]
    assert recorded["raises"]["status"] == "failed"
    assert recorded["raises"]["exception"] == "ValueError"
    assert recorded["ok1"]["status"] == "ok" and recorded["ok1"]["fingerprint"]
    assert recorded["ok1"]["parameters"] == {"who": "p1"}


def test_rerun_skips_successes_and_rerun_failed_runs_only_the_failures(tmp_path: Path) -> None:
    flag = tmp_path / "fixed"
    good = notebook(tmp_path / "good.ipynb", "print(who)")
    flaky = notebook(tmp_path / "flaky.ipynb",
                     f"import pathlib\nassert pathlib.Path({str(flag)!r}).exists(), 'not fixed'")
    out = tmp_path / "out"
    manifest = out / "manifest.json"
    first = [Job(good, out / "good.ipynb", {"who": "a"}, name="good"),
             Job(flaky, out / "flaky.ipynb", name="flaky")]

    result = run_batch(first, SerialExecutor(), manifest, progress=False)
    assert [r.status for r in result.results] == ["ok", "failed"]
    assert result.exit_code == 1

    flag.touch()
    late = Job(good, out / "late.ipynb", {"who": "b"}, name="late")
    result = run_batch([*first, late], SerialExecutor(), manifest, rerun_failed=True,
                       progress=False)
    got = by_name(result)
    assert got["good"].status == "skipped" and got["good"].note == "done in an earlier run"
    assert got["late"].status == "skipped" and got["late"].note == "not run before"
    assert got["flaky"].status == "ok"
    assert result.exit_code == 0

    # A plain re-run runs what never ran, and anything whose notebook, parameters or output
    # changed; the rest is skipped.
    (out / "flaky.ipynb").unlink()
    changed = Job(good, out / "good.ipynb", {"who": "a2"}, name="good")
    result = run_batch([changed, first[1], late], SerialExecutor(), manifest, progress=False)
    assert {r.name: r.status for r in result.results} == {
        "good": "ok", "flaky": "ok", "late": "ok"}
    result = run_batch([changed, first[1], late], SerialExecutor(), manifest, progress=False)
    assert {r.status for r in result.results} == {"skipped"}
    assert "3 skipped (already done)" in format_summary(result)


def test_a_damaged_manifest_is_kept_aside_and_a_busy_one_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = notebook(tmp_path / "good.ipynb", "1 + 1")
    manifest = tmp_path / "out" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text("{ not json")
    job = Job(good, tmp_path / "out" / "good.ipynb", name="good")
    result = run_batch([job], SerialExecutor(), manifest, progress=False)
    assert result.results[0].status == "ok"
    assert "could not be used" in capsys.readouterr().err
    assert list(manifest.parent.glob("manifest.json.damaged-*"))
    assert json.loads(manifest.read_text())["jobs"]["good"]["status"] == "ok"

    with FileLock(str(manifest) + ".lock"), pytest.raises(UserError, match="already running"):
        run_batch([job], SerialExecutor(), manifest, progress=False)


def test_missing_input_and_expected_outputs_are_failures(tmp_path: Path) -> None:
    good = notebook(tmp_path / "good.ipynb", "1 + 1")
    missing = run_job(Job(tmp_path / "nope.ipynb", tmp_path / "o1.ipynb"))
    assert missing.status == "failed" and "nope.ipynb" in missing.error
    silent = run_job(Job(good, tmp_path / "o2.ipynb", expect=(tmp_path / "my_plan.html",)))
    assert silent.status == "failed"
    assert silent.error == "ran, but did not write my_plan.html"


def test_a_kernel_that_fails_to_start_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """papermill#511: a start race is retried; a real error in a cell is not."""
    outcomes = [batch._Attempt("failed", error="the kernel did not start", retry=True),
                batch._Attempt("ok")]
    calls: list[Job] = []

    def fake(job: Job) -> batch._Attempt:
        calls.append(job)
        return outcomes.pop(0)

    monkeypatch.setattr(batch, "_attempt", fake)
    monkeypatch.setattr(batch.time, "sleep", lambda s: None)
    job = Job(tmp_path / "x.ipynb", tmp_path / "y.ipynb")
    result = run_job(job)
    assert (result.status, result.attempts) == ("ok", 2)

    always = batch._Attempt("failed", error="the kernel did not start", retry=True)
    monkeypatch.setattr(batch, "_attempt", lambda job: always)
    result = run_job(job)
    assert (result.status, result.attempts) == ("failed", 1 + pool.POLICY.start_retries)

    cell_error = batch._Attempt("failed", error="cell 2: ValueError: x")
    monkeypatch.setattr(batch, "_attempt", lambda job: cell_error)
    assert run_job(job).attempts == 1


def test_start_failures_are_recognised(tmp_path: Path) -> None:
    import zmq

    assert pool.is_start_failure(RuntimeError("Kernel died before replying to kernel_info"))
    assert pool.is_start_failure(zmq.ZMQError(98, "Address already in use"))
    assert not pool.is_start_failure(ValueError("bad parameter"))


@pytest.mark.slow
@pytest.mark.timeout(120)  # the suite's 600 s would hide a hang for ten minutes
def test_a_worker_that_stops_answering_is_replaced(
    tmp_path: Path, nbs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker stuck outside the kernel (here: reading a FIFO nobody writes) must not hang
    the batch: the parent kills it, replaces the pool and finishes the other jobs.

    Two seconds of grace is shorter than spawning a worker on a busy machine, so the pool is
    often killed while jobs still wait in its queue: the case that once hung for good."""
    fifo = tmp_path / "stuck.ipynb"
    os.mkfifo(fifo)
    monkeypatch.setattr(batch_executors, "POLICY",
                        replace(batch_executors.POLICY, hard_stop_grace=2.0))
    jobs = [Job(fifo, tmp_path / "stuck-out.ipynb", name="stuck", timeout=1),
            *(Job(nbs["ok"], tmp_path / f"ok{i}.ipynb", cwd=tmp_path, name=f"ok{i}")
              for i in range(2))]
    result = run_batch(jobs, LocalExecutor(workers=2), tmp_path / "m.json", progress=False)
    got = by_name(result)
    assert got["stuck"].status == "timeout"
    assert "stopped answering" in got["stuck"].error
    assert got["ok0"].status == got["ok1"].status == "ok"
    # The stuck worker is really gone: nobody is left waiting to read the FIFO.
    with pytest.raises(OSError) as no_reader:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert no_reader.value.errno == errno.ENXIO


@pytest.mark.timeout(60)
def test_a_pool_killed_while_its_jobs_wait_in_its_queue_stops_at_once() -> None:
    """The state that once hung the batch for good: workers still starting (here: a long
    initializer), every job still queued, and the pool killed. Killing must neither wait on
    a worker nor leave the pool's manager thread spinning."""
    pool = cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"),
                                  initializer=time.sleep, initargs=(60,))
    futures = [pool.submit(time.sleep, 60) for _ in range(3)]
    manager = pool._executor_manager_thread
    workers = list(pool._processes.values())

    started = time.monotonic()
    LocalExecutor._kill_pool(pool)
    assert time.monotonic() - started < 15

    manager.join(timeout=15)
    assert not manager.is_alive()
    assert all(w.exitcode is not None and w.exitcode < 0 for w in workers)  # killed, reaped
    done, _ = cf.wait(futures, timeout=5)
    assert len(done) == len(futures)


@pytest.mark.slow
def test_dask_executor_on_a_local_cluster(tmp_path: Path, nbs: dict[str, Path]) -> None:
    distributed = pytest.importorskip("distributed")
    cwd = tmp_path / "p"
    cwd.mkdir()
    jobs = [Job(nbs["ok"], tmp_path / "ok.ipynb", {"who": "dask"}, cwd=cwd, name="ok"),
            Job(nbs["raises"], tmp_path / "raises.ipynb", name="raises"),
            Job(nbs["killed"], tmp_path / "killed.ipynb", name="killed")]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        assert cluster.scheduler_address in executor.describe()
        result = run_batch(jobs, executor, tmp_path / "m.json", progress=False)
    got = by_name(result)
    assert got["ok"].status == "ok"
    assert json.loads((cwd / "done.json").read_text())["who"] == "dask"
    assert (got["raises"].status, got["raises"].exception) == ("failed", "ValueError")
    assert (got["killed"].status, got["killed"].exception) == ("failed", "DeadKernelError")
    assert result.exit_code == 1


def test_an_unreachable_scheduler_is_a_clear_user_error(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    job = Job(tmp_path / "x.ipynb", tmp_path / "y.ipynb")
    with pytest.raises(UserError, match=r"Could not reach the Dask scheduler at tcp://127\.0\.0\.1:9"):
        DaskExecutor("tcp://127.0.0.1:9", connect_timeout=1).run([job], lambda r: None)


def test_dask_missing_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(UserError, match=r"mentor_workshop\[dask\]"):
        DaskExecutor("tcp://127.0.0.1:8786").run([Job(tmp_path / "a", tmp_path / "b")],
                                                  lambda r: None)


def test_summary_lists_failures_and_collapses_many_successes() -> None:
    ok = [JobResult(f"p{i:02d}/00_welcome", "ok", 1.5) for i in range(40)]
    bad = JobResult("p07/03_request", "failed", 2.0, error="cell 5 (In [4]): KeyError: 'x'")
    late = JobResult("p08/03_request", "timeout", 300.0, error="stopped after 300 s")
    result = BatchResult([*ok, bad, late, JobResult("p09/00_welcome", "skipped")], None, 75.0)
    text = format_summary(result, width=120)
    assert "p07/03_request  FAILED" in text.replace("  ", "  ")
    assert "KeyError: 'x'" in text and "TIMEOUT" in text
    assert "p00/00_welcome" not in text
    assert "40 notebooks ran without problems" in text
    assert "43 notebooks: 40 ok, 1 failed, 1 timed out, 1 skipped (already done) in 1m15s." in text
    assert "--rerun-failed" in text
    assert result.exit_code == 1
    assert BatchResult(ok).exit_code == 0

    died = JobResult("p10/00_welcome", "failed", 1.0, error="before the first cell: the kernel "
                     "died", detail="Traceback ...\nModuleNotFoundError: No module named 'x'")
    assert "kernel said: ModuleNotFoundError: No module named 'x'" in format_summary(
        BatchResult([died]), width=120)

    # However narrow the terminal, a failure's name and error are shown whole.
    long_name = JobResult("cohort-spring-2027/participant-p07/03_request_the_meeting", "failed",
                          error="cell 5 (In [4]): KeyError: 'shortlist.leaders'")
    narrow = format_summary(BatchResult([*ok[:2], long_name]), width=40)
    assert f"{long_name.name}  FAILED" in narrow
    assert "cell 5 (In [4]): KeyError: 'shortlist.leaders'" in narrow

    few = format_summary(BatchResult(ok[:3], None, 4.0))
    assert "p02/00_welcome" in few and "FAILED" not in few and "rerun" not in few


def test_job_paths_are_absolute_and_names_unique(tmp_path: Path) -> None:
    job = Job("in.ipynb", "out/x.ipynb", cwd="out")
    assert job.input_path.is_absolute() and job.cwd.is_absolute()
    assert job.name == str(job.output_path)
    with pytest.raises(ValueError, match="unique"):
        run_batch([job, job], SerialExecutor(), None, progress=False)
    with pytest.raises(ValueError, match="positive"):
        Job("a", "b", timeout=0)
