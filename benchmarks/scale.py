"""How ``status`` and the cohort report scale: time and peak memory at 10, 100 and 1,000 people.

A live room view polls ``status`` every few seconds, and a programme may run the workshop for
thousands of employees, so both must stay fast and their memory must not grow with the cohort
beyond the answers themselves. Each command runs as a facilitator would run it (a fresh process
of the installed CLI, the report with its kernel), on synthetic cohorts made from the sample
cohort's journals (``benchmarks/cohorts.py``). Peak memory is the whole process tree's.

    .venv/bin/python benchmarks/scale.py                   # 10, 100 and 1,000 participants
    .venv/bin/python benchmarks/scale.py --sizes 1000 --guard
    .venv/bin/python benchmarks/scale.py --sizes 1000 --polls   # a live room's repeated looks

With ``--guard`` it exits 1 when, at 1,000 participants, ``status`` takes 2 s or more or the
report 8 s or more or 400 MB or more (the targets of the performance issue).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cohorts import make_cohort, run_measured

ROOT = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).with_name("mentor-workshop"))
TARGETS = {"status": (2.0, None), "report": (8.0, 400.0)}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one table.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (``--sizes``, ``--guard``).

    Returns
    -------
    int
        0, or 1 when ``--guard`` is given and a target is missed.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--guard", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--polls", action="store_true",
                        help="also time a live room's polls: status three times in one process, "
                        "with one journal in a hundred saved again between polls")
    args = parser.parse_args(argv)

    missed = []
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'participants':>12}  {'command':<7}  {'seconds':>8}  {'CPU s':>6}  {'peak MB':>8}")
    work = Path(tempfile.mkdtemp(prefix="mw-scale-"))
    try:
        for size in args.sizes:
            cohort = make_cohort(work / f"cohort-{size}", size)
            runs = {
                "status": [CLI, "status", str(cohort)],
                "report": [CLI, "report", str(cohort), "--out", str(work / f"report-{size}.html")],
            }
            for name, command in runs.items():
                seconds, cpu, peak, done = run_measured(command, cwd=ROOT)
                if done.returncode != 0:
                    print(done.stderr, file=sys.stderr)
                    return 1
                print(f"{size:>12}  {name:<7}  {seconds:>8.2f}  {cpu:>6.2f}  {peak:>8.0f}")
                max_s, max_mb = TARGETS[name]
                if size >= 1000 and (seconds >= max_s or (max_mb and peak >= max_mb)):
                    missed.append(f"{name} at {size}: {seconds:.2f} s, {peak:.0f} MB")
            if args.polls:
                print(f"{size:>12}  polls    {'  '.join(f'{t:.2f}' for t in _polls(cohort))}"
                      "  (s: first, unchanged, 1 % saved again)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for line in missed:
        print(f"MISSED TARGET: {line}")
    return 1 if args.guard and missed else 0


def _polls(cohort: Path) -> list[float]:
    """Seconds for three looks at the cohort in one process, as the room view takes them."""
    import time

    from mentor_workshop.facilitator.status import cohort_status, find_journals

    journals = find_journals(cohort)
    times = []
    for poll in range(3):
        if poll == 2:  # a few participants saved since the last look
            for path in list(journals.values())[::100]:
                path.write_bytes(path.read_bytes().replace(b'"answers"', b'"answers" '))
        start = time.perf_counter()
        cohort_status(journals)
        times.append(time.perf_counter() - start)
    return times


if __name__ == "__main__":
    sys.exit(main())
