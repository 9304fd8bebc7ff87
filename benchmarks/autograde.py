"""Benchmark: ``nbgrader autograde`` (serial, its CLI) against ``mentor-workshop autograde``.

Same machine, same cohort of synthetic submissions, same course: the course is built once and
copied, and each tool grades its own copy from the command line (so both pay their start-up):
nbgrader, the kit sandboxed (the default) and the kit with ``--unsafe-no-sandbox`` (the cost of
the sandbox). Prints the times, the ratios and the per-notebook floor (an empty notebook in a
fresh kernel), then checks that the gradebooks hold identical scores. ``--anchor N`` lets
nbgrader grade only the first N participants (it is the slow side); its time per notebook is
then compared.

``--profile`` grades one more copy in this process and prints where a notebook's seconds go:
sanitising (nbgrader's first pass), kernel start, cell execution, nbgrader's execute-side
preprocessors, the parent's gradebook work and the kit's own overhead, with the floor measured
in the same run: one already-running kernel executing the same cells, with no grading.

    .venv/bin/python benchmarks/autograde.py [--participants 30] [--anchor 10] [--workers N]
                                             [--profile] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

ASSIGNMENT = "mentor_workshop"


def build(base: Path, participants: int) -> Path:
    """A released course with every step notebook and ``participants`` collected submissions."""
    from courses import make_submission
    from journals import complete_answers, partial_answers

    from mentor_workshop.facilitator import course as mw_course
    from mentor_workshop.facilitator.roster import read_roster

    steps = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    roster = base / "roster.csv"
    sample = read_roster(ROOT / "exercises" / "sample_cohort" / "roster.csv")
    lines = ["id,name,email"]
    for i in range(participants):
        first = sample[i % len(sample)]
        lines.append(f"b{i:02d},{first.name},b{i:02d}.{first.email}")
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    course = base / "course"
    mw_course.init_course(course, roster, notebooks=[ROOT / "notebooks" / f"{s}.ipynb"
                                                     for s in steps], timeout=30)
    mw_course.release(course)
    inbox = base / "inbox"
    full, partial = complete_answers(), partial_answers()
    for i in range(participants):
        kind = i % 10
        answers = {} if kind == 9 else partial if kind in (7, 8) else full
        text = None if kind == 9 else f"Reflection {i}: I will write to my first pick on Monday."
        make_submission(course, inbox / f"b{i:02d}", answers=answers, reflection=text)
    report = mw_course.collect(course, inbox)
    assert len(report.collected) == participants, report.summary()
    return course


def floor(samples: int = 5) -> float:
    """Seconds to execute an empty notebook in a fresh kernel (median of ``samples``)."""
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    times = []
    for _ in range(samples):
        nb = new_notebook(cells=[new_code_cell("")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        start = time.perf_counter()
        NotebookClient(nb, timeout=60, kernel_name="python3").execute()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def running_floor(course: Path, participants: int = 3) -> tuple[float, int]:
    """Seconds per notebook for one already-running kernel to execute the graded cells."""
    import nbformat
    from jupyter_client.manager import start_new_kernel

    total, count = 0.0, 0
    for folder in sorted((course / "autograded").iterdir())[:participants]:
        dest = folder / ASSIGNMENT
        env = dict(os.environ, NBGRADER_EXECUTION="autograde")
        km, kc = start_new_kernel(kernel_name="python3", cwd=str(dest), env=env)
        try:
            for path in sorted(dest.glob("*.ipynb")):
                nb = nbformat.read(path, as_version=4)
                start = time.perf_counter()
                for cell in nb.cells:
                    if cell.cell_type == "code" and cell.source.strip():
                        kc.execute_interactive(cell.source, timeout=60,
                                               output_hook=lambda _msg: None)
                total += time.perf_counter() - start
                count += 1
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    return total / max(count, 1), count


def profile(course: Path, workers: int | None) -> dict[str, float]:
    """Grade ``course`` in this process, timing each phase; seconds per notebook by phase."""
    from mentor_workshop.facilitator.autograde import autograde
    from mentor_workshop.facilitator.autograde.gradebook import GradebookSide

    phases: dict[str, float] = {}
    notebooks = [0]

    def timed(name: str, method):
        def wrapper(self, *args, **kwargs):
            start = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - start
                if name == "gradebook: save grades":
                    executed = args[1]
                    notebooks[0] += 1
                    timings = executed.timings or {}
                    for key, value in timings.items():
                        phases[key] = phases.get(key, 0.0) + value
                    phases["kit overhead (worker)"] = phases.get("kit overhead (worker)", 0.0) \
                        + max(0.0, executed.seconds - sum(timings.values()))
        return wrapper

    originals = {n: getattr(GradebookSide, n) for n in ("prepare", "save", "finish")}
    names = {"prepare": "gradebook: prepare", "save": "gradebook: save grades",
             "finish": "gradebook: read back"}
    for attr, method in originals.items():
        setattr(GradebookSide, attr, timed(names[attr], method))
    try:
        started = time.perf_counter()
        autograde(course, workers=workers, progress=False)
        phases["wall, whole run"] = time.perf_counter() - started
    finally:
        for attr, method in originals.items():
            setattr(GradebookSide, attr, method)
    return {k: v / max(notebooks[0], 1) for k, v in phases.items()}


def load() -> str:
    """The 1-minute load average: other work on the machine skews both timings."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?"


def run(cmd: list[str], cwd: Path) -> float:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        raise SystemExit(f"{' '.join(cmd[:2])} failed ({result.returncode}):\n{tail}")
    return elapsed


def scores(course: Path) -> dict:
    from mentor_workshop.facilitator.course import open_course

    out = {}
    with open_course(course).gradebook() as gb:
        for sub in gb.find_assignment(ASSIGNMENT).submissions:
            for nb in sub.notebooks:
                for g in nb.grades:
                    out[(sub.student.id, nb.name, g.name)] = (
                        g.auto_score, g.manual_score, g.needs_manual_grade)
    return out


def sweep(participants: int, counts: list[int]) -> int:
    """Time the kit alone at several worker counts (where ``--workers``' default comes from)."""
    base = Path(tempfile.mkdtemp(prefix="mw-bench-"))
    try:
        course = build(base, participants)
        notebooks = sum(1 for _ in (course / "submitted").glob(f"*/{ASSIGNMENT}/*.ipynb"))
        bindir = Path(sys.executable).parent
        for count in counts:
            copy = base / f"kit-{count}"
            shutil.copytree(course, copy)
            before = load()
            seconds = run([str(bindir / "mentor-workshop"), "autograde", str(copy),
                           "--no-progress", "--workers", str(count)], copy)
            print(f"workers {count}: {seconds:6.1f} s, {seconds / notebooks:.2f} s/notebook "
                  f"(load {before} -> {load()})", flush=True)
        return 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--anchor", type=int, default=None,
                        help="nbgrader grades only the first N participants (default: all)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--profile", action="store_true",
                        help="also print where a notebook's seconds go, and the floor")
    parser.add_argument("--keep", type=Path, help="build the courses here and keep them")
    parser.add_argument("--sweep-workers", metavar="N,N,...",
                        help="only time the kit (sandboxed) with each number of workers")
    args = parser.parse_args()
    if args.sweep_workers:
        return sweep(args.participants, [int(n) for n in args.sweep_workers.split(",")])

    base = args.keep or Path(tempfile.mkdtemp(prefix="mw-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        print(f"Building a course with {args.participants} synthetic participants in {base} ...",
              flush=True)
        course = build(base, args.participants)
        theirs, ours, unsafe = base / "nbgrader", base / "kit", base / "kit-unsafe"
        for copy in (theirs, ours, unsafe):
            shutil.copytree(course, copy)
        anchor = args.anchor or args.participants
        for folder in sorted((theirs / "submitted").iterdir())[anchor:]:
            shutil.rmtree(folder)
        count = {c: sum(1 for _ in (c / "submitted").glob(f"*/{ASSIGNMENT}/*.ipynb"))
                 for c in (theirs, ours)}

        bindir = Path(sys.executable).parent
        per_notebook_floor = floor()
        loads = [load()]
        print(f"Grading {count[theirs]} notebooks with nbgrader (serial) ...", flush=True)
        t_nbgrader = run([str(bindir / "nbgrader"), "autograde", ASSIGNMENT, "--force"], theirs)
        loads.append(load())
        kit = [str(bindir / "mentor-workshop"), "autograde"]
        extra = ["--no-progress"] + (["--workers", str(args.workers)] if args.workers else [])
        print(f"Grading {count[ours]} notebooks with mentor-workshop, sandboxed ...", flush=True)
        t_kit = run([*kit, str(ours), *extra], ours)
        loads.append(load())
        print("... and again without the sandbox ...", flush=True)
        t_unsafe = run([*kit, str(unsafe), *extra, "--unsafe-no-sandbox"], unsafe)
        loads.append(load())

        a, b, c = scores(theirs), scores(ours), scores(unsafe)
        shared = set(a)
        different = {k: (a.get(k), b.get(k)) for k in shared if a.get(k) != b.get(k)}
        different.update({k: (b.get(k), c.get(k)) for k in set(b) | set(c)
                          if b.get(k) != c.get(k)})
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        per_theirs = t_nbgrader / count[theirs]
        per_ours, per_unsafe = t_kit / count[ours], t_unsafe / count[ours]
        print()
        print(f"participants          {args.participants} (nbgrader: {anchor})")
        print(f"notebooks             {count[ours]} (nbgrader: {count[theirs]})")
        print(f"cores                 {cores}")
        print(f"nbgrader autograde    {t_nbgrader:8.1f} s  ({per_theirs:.2f} s/notebook)")
        print(f"kit, sandboxed        {t_kit:8.1f} s  ({per_ours:.2f} s/notebook)")
        print(f"kit, no sandbox       {t_unsafe:8.1f} s  ({per_unsafe:.2f} s/notebook)")
        print(f"speed-up (sandboxed)  {per_theirs / per_ours:8.2f} x  (per notebook, wall)")
        print(f"sandbox cost          {per_ours - per_unsafe:+8.2f} s/notebook "
              f"({(per_ours / per_unsafe - 1) * 100:+.0f}%)")
        print(f"per-notebook floor    {per_notebook_floor:8.2f} s  (empty notebook, fresh kernel)")
        print(f"identical scores      {'yes' if not different else 'NO'} "
              f"({len(shared)} grades against nbgrader, {len(b)} sandboxed against unsandboxed)")
        print(f"load average          {' -> '.join(loads)} (before and after each run; other "
              "processes on the machine skew the ratios)")
        if args.profile:
            again = base / "kit-profile"
            shutil.copytree(course, again)
            print("\nProfiling a sandboxed run in this process ...", flush=True)
            phases = profile(again, args.workers)
            running, sampled = running_floor(again)
            print(f"seconds per notebook, by phase (worker and parent wall time; load "
                  f"{load()}):")
            for name, value in phases.items():
                print(f"  {name:32} {value:6.3f}")
            print(f"  {'floor: running kernel, no grading':32} {running:6.3f}  "
                  f"({sampled} notebooks)")
        if different:
            for key in sorted(different)[:20]:
                print("   ", key, different[key])
            return 1
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
