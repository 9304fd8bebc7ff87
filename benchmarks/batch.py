"""Benchmark: personalised notebooks through the kit's batch engine vs a serial papermill loop.

Both sides execute the same participant version of a real step notebook N times (default 60),
each with its own participant parameters and a fresh journal in its own folder, in the same
run on the same machine. The kit keeps its worker processes alive across jobs (papermill and
jupyter_client are imported once per worker) and runs one job per core; the baseline is what a
facilitator would script by hand: a shell ``for`` loop calling the ``papermill`` command.

    .venv/bin/python benchmarks/batch.py            # 60 notebooks, one worker per core
    .venv/bin/python benchmarks/batch.py --count 10 --notebook 00_welcome
    .venv/bin/python benchmarks/batch.py --count 1000 --notebook 10_my_plan --kit-only

Peak memory is the largest sum of resident memory over the whole process tree (this process,
workers, kernels, shells), sampled every 100 ms, plus the largest single child process as
reported by ``getrusage``. CPU seconds per notebook (all descendant processes) are printed too:
unlike wall time they do not depend on what else the machine is doing.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mentor_workshop.core.journal import Journal  # noqa: E402
from mentor_workshop.facilitator.batch import Job, LocalExecutor, run_batch  # noqa: E402
from mentor_workshop.facilitator.personalize import stage_notebooks  # noqa: E402

TARGET = 10.0


class PeakMemory:
    """Samples the RSS of this process and all its descendants; keeps the largest total."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            try:
                procs = [me, *me.children(recursive=True)]
            except psutil.Error:
                procs = [me]
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def prepare(root: Path, count: int) -> list[tuple[str, str, Path]]:
    """Participant folders with a fresh journal each: (id, name, folder)."""
    people = []
    for i in range(1, count + 1):
        pid, name = f"b{i:03d}", f"Benchmark Participant {i}"
        folder = root / pid
        folder.mkdir(parents=True)
        Journal(folder / "journal.json").set_participant(id=pid, name=name)
        people.append((pid, name, folder))
    return people


def children_cpu() -> float:
    """CPU seconds used by finished descendants (workers, kernels, shells, papermill)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_kit(notebook: Path, root: Path, count: int, workers: int,
            prewarm: bool = True) -> tuple[float, int, int]:
    people = prepare(root, count)
    jobs = [Job(notebook, folder / notebook.name,
                {"participant_id": pid, "participant_name": name, "journal_path": "journal.json"},
                cwd=folder, name=pid) for pid, name, folder in people]
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = run_batch(jobs, LocalExecutor(workers, prewarm=prewarm), root / "manifest.json",
                           progress=False)
        elapsed = time.perf_counter() - started
    failed = len(result.failures)
    for r in result.failures[:3]:
        print(f"  kit failure: {r.name}: {r.error}", file=sys.stderr)
    return elapsed, count - failed, memory.peak


def run_cli(notebook: Path, root: Path, count: int) -> tuple[float, int, int]:
    prepare(root, count)
    papermill = Path(sys.executable).with_name("papermill")
    script = f"""
set -u
ok=0
for i in $(seq 1 {count}); do
  pid=$(printf 'b%03d' "$i")
  if {shlex.quote(str(papermill))} {shlex.quote(str(notebook))} "$pid/{notebook.name}" \\
      -k python3 --no-progress-bar --cwd "$pid" \\
      -p participant_id "$pid" -p participant_name "Benchmark Participant $i" \\
      -p journal_path journal.json >/dev/null 2>&1; then
    ok=$((ok + 1))
  fi
done
echo "$ok"
"""
    with PeakMemory() as memory:
        started = time.perf_counter()
        done = subprocess.run(["sh", "-c", script], cwd=root, capture_output=True, text=True,
                              check=True)
        elapsed = time.perf_counter() - started
    return elapsed, int(done.stdout.strip() or 0), memory.peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--notebook", default="01_shortlist",
                        help="step notebook to personalise (default 01_shortlist; "
                        "10_my_plan is what `plans` runs)")
    parser.add_argument("--no-prewarm", action="store_true",
                        help="the kit without its warm kernel pool")
    parser.add_argument("--kit-only", action="store_true",
                        help="skip the papermill loop: time and peak memory of the kit alone "
                        "(for memory at 10, 100 and 1,000 participants)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mw-bench-") as tmp:
        work = Path(tmp)
        (staged,) = stage_notebooks([ROOT / "notebooks" / f"{args.notebook}.ipynb"], work)
        print(f"{args.count} personalised copies of {args.notebook}.ipynb; "
              f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
        cpu = children_cpu()
        kit_time, kit_ok, kit_mem = run_kit(staged.path, work / "kit", args.count, args.workers,
                                            prewarm=not args.no_prewarm)
        kit_cpu, cpu = children_cpu() - cpu, children_cpu()
        print(f"  kit done in {kit_time:.1f} s", flush=True)
        if args.kit_only:
            print(f"kit alone: {args.count} notebooks, {kit_ok} ok, {kit_time:.1f} s, "
                  f"{kit_cpu / args.count:.2f} CPU s each, peak RSS {kit_mem / 2**20:.0f} MB")
            return 0 if kit_ok == args.count else 1
        cli_time, cli_ok, cli_mem = run_cli(staged.path, work / "cli", args.count)
        cli_cpu = children_cpu() - cpu
        largest_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    mb = 1024 * 1024
    rows = [
        (f"kit, {args.workers} workers{'' if args.no_prewarm else ', warm pool'}", kit_time,
         kit_ok, kit_mem, kit_cpu),
        ("papermill CLI, serial shell loop", cli_time, cli_ok, cli_mem, cli_cpu),
    ]
    print()
    print(f"{'':36} {'total':>8} {'per nb':>8} {'CPU/nb':>8} {'ok':>7} {'peak RSS':>10}")
    for label, seconds, ok, memory, cpu_s in rows:
        print(f"{label:36} {seconds:7.1f}s {seconds / args.count:7.2f}s "
              f"{cpu_s / args.count:7.2f}s {ok:>3}/{args.count:<3} {memory / mb:8.0f} MB")
    ratio = cli_time / kit_time
    verdict = "meets" if ratio >= TARGET else "BELOW"
    print(f"\nspeed-up: {ratio:.1f}x ({verdict} the {TARGET:g}x target); largest single child "
          f"process: {largest_child:.0f} MB; load average now {os.getloadavg()[0]:.1f}")
    return 0 if kit_ok == cli_ok == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
