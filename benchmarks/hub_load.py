"""Twelve (or more) participants typing at once through a real hub: saves and the room view.

Run as root (it creates accounts, then removes them):

    sudo .venv/bin/python benchmarks/hub_load.py                     # 12 people, 2 minutes
    sudo .venv/bin/python benchmarks/hub_load.py --participants 20 --seconds 60

Each participant has their own server and kernel, started through the hub's REST API. Their
kernel saves an answer into their journal every 1–2 seconds (typing pace: widgets save on
change), each save sent over the hub's proxy as a cell execution and timed from the client.
At the same time the facilitator reloads the room view every 2 seconds. At the end every
journal must hold the last value its participant saved, parse cleanly, and no journal may have
been moved aside as damaged. Prints p50/p95 of a save and of the room view, and the load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hubclient import Hub, admin_token, wait_for_hub  # noqa: E402

from mentor_workshop.cli import main as cli  # noqa: E402
from mentor_workshop.facilitator.hub import setup_hub, start_hub, teardown_hub  # noqa: E402
from mentor_workshop.facilitator.hub.lifecycle import find_state  # noqa: E402
from mentor_workshop.facilitator.hub.process import free_port  # noqa: E402

KEY = "request.draft"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _typist(hub: Hub, user: str, seconds: float, out: list[float]) -> int:
    kernel = hub.kernel(user, "mentor_workshop/00_welcome.ipynb")
    try:
        kernel.run("from mentor_workshop.core.journal import Journal\n"
                   "j = Journal('journal.json')")
        deadline = time.monotonic() + seconds
        n = 0
        while time.monotonic() < deadline:
            n += 1
            start = time.perf_counter()
            kernel.run(f"j.save({KEY!r}, 'Dear Dr Johnson, draft {n} of my request.')")
            out.append(time.perf_counter() - start)
            time.sleep(random.uniform(1.0, 2.0))
        return n
    finally:
        kernel.close()


def _room(hub: Hub, stop: threading.Event, out: list[float]) -> None:
    url = f"{hub.base}/services/room/"
    while not stop.is_set():
        start = time.perf_counter()
        r = requests.get(url, headers={"Authorization": f"token {hub.admin_token}"}, timeout=60)
        if r.ok:
            out.append(time.perf_counter() - start)
        stop.wait(2.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("Run as root: the benchmark creates (and removes) Unix accounts.")
        return 2
    base = Path(tempfile.mkdtemp(prefix="mw-hub-load-", dir="/srv"))
    base.chmod(0o755)
    tag = "l" + secrets.token_hex(2)
    pids = [f"{tag}p{i:02d}" for i in range(1, args.participants + 1)]
    roster = base / "roster.csv"
    roster.write_text("id,name,email\n" + "".join(f"{p},P {p},{p}@example.org\n" for p in pids))
    notebooks = base / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_welcome.ipynb", notebooks)
    course = base / "course"
    made = False
    try:
        assert cli(["init", str(course), "--roster", str(roster), "--notebooks",
                    str(notebooks)]) == 0
        made = True
        setup_hub(course, roster, exchange=base / "exchange", facilitator=f"mw-f{tag}")
        port = free_port()
        start_hub(course, port=port, background=True)
        wait_for_hub(port)
        state = find_state(course)
        hub = Hub(port, admin_token(state, f"mw-f{tag}"))
        users = [f"mw-{p}" for p in pids]
        t0 = time.perf_counter()
        for user in users:
            hub.start(user)
        hub.wait_ready(users, timeout=600)
        spawn = time.perf_counter() - t0
        load_before = os.getloadavg()
        saves: list[float] = []
        room: list[float] = []
        stop = threading.Event()
        watcher = threading.Thread(target=_room, args=(hub, stop, room))
        watcher.start()
        with ThreadPoolExecutor(len(users)) as pool:
            counts = list(pool.map(lambda u: _typist(hub, u, args.seconds, saves), users))
        stop.set()
        watcher.join()
        load_after = os.getloadavg()
        lost = damaged = 0
        for user, n in zip(users, counts, strict=True):
            folder = Path("/home") / user / "mentor_workshop"
            data = json.loads((folder / "journal.json").read_text(encoding="utf-8"))
            if data["answers"].get(KEY) != f"Dear Dr Johnson, draft {n} of my request.":
                lost += 1
            damaged += len(list(folder.glob("journal.corrupt-*")))
        print(f"{len(users)} participants, {args.seconds:.0f} s, {os.cpu_count()} cores; "
              f"servers ready in {spawn:.1f} s")
        print(f"saves: {len(saves)}  p50 {_pct(saves, .5) * 1000:.0f} ms  "
              f"p95 {_pct(saves, .95) * 1000:.0f} ms  max {max(saves) * 1000:.0f} ms")
        print(f"room view: {len(room)} loads  p50 {_pct(room, .5) * 1000:.0f} ms  "
              f"p95 {_pct(room, .95) * 1000:.0f} ms")
        print(f"journals with a lost last save: {lost}; moved aside as damaged: {damaged}")
        print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
              f"(mean save {statistics.mean(saves) * 1000:.0f} ms)")
        return 0 if lost == 0 and damaged == 0 else 1
    finally:
        if made:
            print("\n".join(teardown_hub(course).lines[-2:]))
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
