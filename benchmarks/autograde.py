"""Benchmark: ``nbgrader autograde`` (serial, its CLI) against ``mentor-workshop autograde``.

Same machine, same 30-participant cohort of synthetic submissions, same course: the course is
built once, copied twice, and each tool grades its own copy from the command line (so both pay
their start-up). Prints both times, the ratio, and the per-notebook floor (an empty notebook in a
fresh kernel, the least any kernel-per-notebook grader can spend), then checks that the two
gradebooks hold identical scores.

    .venv/bin/python benchmarks/autograde.py [--participants 30] [--workers N] [--keep DIR]
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", type=Path, help="build the courses here and keep them")
    args = parser.parse_args()

    base = args.keep or Path(tempfile.mkdtemp(prefix="mw-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        print(f"Building a course with {args.participants} synthetic participants in {base} ...",
              flush=True)
        course = build(base, args.participants)
        theirs, ours = base / "nbgrader", base / "kit"
        shutil.copytree(course, theirs)
        shutil.copytree(course, ours)
        notebooks = sum(1 for _ in (course / "submitted").glob(f"*/{ASSIGNMENT}/*.ipynb"))

        bindir = Path(sys.executable).parent
        per_notebook_floor = floor()
        print(f"Grading {notebooks} notebooks with nbgrader (serial) ...", flush=True)
        loads = [load()]
        t_nbgrader = run([str(bindir / "nbgrader"), "autograde", ASSIGNMENT, "--force"], theirs)
        loads.append(load())
        print("Grading the same with mentor-workshop ...", flush=True)
        cmd = [str(bindir / "mentor-workshop"), "autograde", str(ours), "--no-progress"]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
        t_kit = run(cmd, ours)
        loads.append(load())

        a, b = scores(theirs), scores(ours)
        different = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        print()
        print(f"participants          {args.participants}")
        print(f"notebooks             {notebooks}")
        print(f"cores                 {cores}")
        per = t_nbgrader / notebooks
        print(f"nbgrader autograde    {t_nbgrader:8.1f} s  ({per:.2f} s/notebook)")
        print(f"mentor-workshop       {t_kit:8.1f} s  ({t_kit / notebooks:.2f} s/notebook)")
        print(f"speed-up              {t_nbgrader / t_kit:8.2f} x")
        print(f"per-notebook floor    {per_notebook_floor:8.2f} s  (empty notebook, fresh kernel; "
              f"serial floor {per_notebook_floor * notebooks:.1f} s)")
        print(f"identical scores      {'yes' if not different else 'NO'} ({len(a)} grades)")
        print(f"load average          {' -> '.join(loads)} (before, between, after; other "
              "processes on the machine skew the ratio)")
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
