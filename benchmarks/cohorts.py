"""Synthetic cohorts for the scale benchmarks: N journals made from the sample cohort's twelve.

Why copies of real journals rather than random text: the cost of ``status`` and of the report is
in the checks and the feedback rules, and those only do their full work on answers that look
like a participant's. Each copy gets its own id and name, and a share of the copies stop early
(steps left empty), so the cohort has the same mix of done, started and untouched steps as a
real room at the end of a session.

It also measures peak memory of a command and its children (the report's kernel included) by
sampling the process tree's resident set size, because ``ru_maxrss`` of the children covers only
the largest single one.
"""

from __future__ import annotations

import contextlib
import json
import random
import resource
import subprocess
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "exercises" / "sample_cohort" / "journals"


def make_cohort(folder: Path, size: int, *, seed: int = 7) -> Path:
    """Write ``size`` journals as ``folder/<id>.json`` and return ``folder``.

    Parameters
    ----------
    folder : pathlib.Path
        Where to write (created).
    size : int
        How many participants.
    seed : int
        For the choice of which copies stop early.

    Returns
    -------
    pathlib.Path
        ``folder``.
    """
    rng = random.Random(seed)
    sources = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SAMPLE.glob("*.json"))]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(size):
        state = json.loads(json.dumps(sources[i % len(sources)]))
        pid = f"q{i:05d}"
        state["participant"] = {"id": pid, "name": f"Participant {i}"}
        keys = sorted(state["answers"])
        if len(keys) > 1 and rng.random() < 0.3:  # stopped part-way: drop the later steps' answers
            for key in keys[rng.randrange(1, len(keys)):]:
                del state["answers"][key]
        _make_own(state["answers"], i)
        (folder / f"{pid}.json").write_text(json.dumps(state, ensure_ascii=False),
                                            encoding="utf-8")
    return folder


#: Real words that change no check's verdict, so that no two participants share a text: otherwise
#: anything cached by text (as the checks do within one journal) would flatter the benchmark.
_OWN_WORDS = ("honestly", "really", "truly", "simply", "clearly", "frankly", "gladly", "still")


def _make_own(node, i: int):
    """Make every longer text in ``node`` this participant's own by adding four words."""
    suffix = "".join(f" {_OWN_WORDS[(i // 8**d) % 8]}" for d in range(4))  # unique to 4,096
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and len(value) > 40 and " " in value:
                node[key] = value.rstrip(".") + suffix + "."
            else:
                _make_own(value, i)
    elif isinstance(node, list):
        for item in node:
            _make_own(item, i)
    return node


def run_measured(argv: list[str], **kwargs) -> tuple[float, float, float,
                                                    subprocess.CompletedProcess]:
    """Run ``argv``; return (wall seconds, CPU seconds, peak MB of the process tree, the result).

    CPU seconds (user + system, the command and every child it waited for) are reported beside
    wall time because on a shared machine the wall time mostly shows the wait for a core.

    Parameters
    ----------
    argv : list of str
        The command.
    **kwargs
        Passed to :class:`subprocess.Popen`.

    Returns
    -------
    tuple
        Wall seconds, CPU seconds, peak resident megabytes summed over the command and its
        descendants, and a CompletedProcess with the output.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
            except psutil.Error:
                pass
            peak = max(peak, total)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, peak / 2**20, subprocess.CompletedProcess(argv, proc.returncode, out,
                                                                   err)
