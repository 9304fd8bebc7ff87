"""How long journal saves and reads take, and how a journal fares when its writer is killed.

Widgets save on every edit, so a save must not be felt while typing; and a kernel can be killed
at any instant (restart, closed laptop), so the file must always be the old or the new journal.
The test suite checks the second (``tests/test_journal.py``) but measures no time: timings
depend on the machine, so they are printed here.

    .venv/bin/python benchmarks/journal.py                 # 500 saves, 200 kills
    .venv/bin/python benchmarks/journal.py --saves 2000 --kills 0

Cases:

- ``save(), changed value``: one answer changed and written (lock, read, atomic replace,
  backup), into a journal holding a whole workshop's worth of answers.
- ``save(), same value``: what a widget's save costs when nothing changed (no write).
- ``all(), new Journal``: the first read in a fresh kernel (parse and validate the file).
- the kill loop: a writer process saving as fast as it can, killed with SIGKILL at a random
  moment, N times; prints the kills per second (each includes starting a writer), how many
  kills landed mid-write, and exits
  with status 1 if the journal or its backup was ever unreadable.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mentor_workshop.core.journal import Journal  # noqa: E402

#: A whole workshop's answers, sized like a real participant's: short fields, a few lists of
#: dicts, and three drafts of a few hundred words.
PARAGRAPH = ("Your talk on rebuilding the repairs service around what tenants said changed "
             "how I plan my own team's work, and I would value thirty minutes of your advice. ")
ANSWERS = {
    "welcome.profile": {"name": "Ada Lovelace", "role": "Data analyst",
                        "hopes": "Learn to lead a small analytics team well."},
    "shortlist.leaders": [
        {"id": f"l{i}", "name": f"Leader {i}", "role": "Director", "why": PARAGRAPH,
         "learn": "How to lead change", "reach": "A colleague", "warmth": i, "values": 5 - i,
         "stretch": i == 0} for i in range(5)],
    "assumptions.beliefs": [
        {"id": f"b{i}", "belief": "They are too busy", "confidence_before": 80,
         "evidence_for": "Full diary", "evidence_against": PARAGRAPH,
         "rewrite": "They choose whom to help", "confidence_after": 30} for i in range(3)],
    "request.draft": PARAGRAPH * 4,
    "tone.revision": PARAGRAPH * 4,
    "gracious.thank_you": PARAGRAPH * 2,
    "tone.sorting": {f"phrase_{i}": "balanced" for i in range(12)},
    "within.commitment": {"action": "Send my request", "date": "2030-04-15"},
}

WRITER = textwrap.dedent(
    """
    import sys
    from mentor_workshop.core.journal import Journal
    journal = Journal(sys.argv[1])
    n = int(sys.argv[2])
    print("ready", flush=True)
    while True:
        journal.save(f"k{n % 5}", {"n": n, "text": "x" * (n * 7919 % 40000)})
        n += 1
    """
)


def timed(fn, runs: int) -> list[float]:
    """Milliseconds per call of ``fn``, ``runs`` times."""
    out = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(label: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(f"{label:<36} median {statistics.median(ms):7.3f} ms   p95 {p95:7.3f} ms   "
          f"(n={len(ms)})")


def readable(path: Path) -> bool:
    """Whether ``path`` parses as a journal a strict JSON reader accepts."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(data, dict) and isinstance(data.get("answers"), dict)


def kill_loop(folder: Path, kills: int, seed: int) -> bool:
    """Kill a saving writer ``kills`` times; print the figures; True if every file parsed."""
    path = folder / "killed" / "journal.json"
    path.parent.mkdir()
    rng = random.Random(seed)
    n, broken, started = 0, 0, time.perf_counter()
    for _ in range(kills):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
        writer.stdout.readline()  # "ready": it is about to save
        time.sleep(rng.uniform(0, 0.02))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        for candidate in (path, path.with_name(path.name + ".bak")):
            if candidate.exists() and not readable(candidate):
                broken += 1
        if path.exists() and readable(path):
            n = 1 + max(v["n"] for v in json.loads(path.read_text("utf-8"))["answers"].values())
    elapsed = time.perf_counter() - started
    mid_write = len(list(path.parent.glob(".journal.json*.tmp")))
    print(f"kill loop: {kills} kills in {elapsed:.1f} s ({kills / elapsed:.1f} per second); "
          f"{n} values saved; {mid_write} kills landed mid-write; {broken} unreadable files")
    return broken == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=500, help="timed saves per case")
    parser.add_argument("--kills", type=int, default=200, help="writer kills (0 to skip)")
    parser.add_argument("--seed", type=int, default=20270315, help="seed for kill moments")
    args = parser.parse_args()

    if hasattr(os, "getloadavg"):  # other work on the machine shows up in p95 first
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        journal = Journal(folder / "journal.json")
        for key, value in ANSWERS.items():
            journal.save(key, value)
        size = (folder / "journal.json").stat().st_size
        print(f"journal: {len(ANSWERS)} answers, {size / 1024:.1f} KiB on disk")

        report("save(), changed value",
               timed(lambda i: journal.save("request.draft", f"{i} {PARAGRAPH}"), args.saves))
        report("save(), same value (no write)",
               timed(lambda i: journal.save("tone.revision", ANSWERS["tone.revision"]),
                     args.saves))
        report("all(), new Journal",
               timed(lambda i: Journal(folder / "journal.json").all(), args.saves))
        ok = kill_loop(folder, args.kills, args.seed) if args.kills else True
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
