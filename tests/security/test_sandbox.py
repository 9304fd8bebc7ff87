"""The autograde sandbox: a hand-in sees only its own files, has no network and leaves nothing.

Each participant of one small course hands in ``00_welcome`` with one attack cell added before
the hidden test. One sandboxed ``autograde`` run grades them all; the tests then check that each
attack failed where it matters (the course, the gradebook, the listener, the process table), that
the summary says so where there is something to say, and that honest work still scores in full.
"""

from __future__ import annotations

import json
import shutil
import socket
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from courses import ASSIGNMENT, grades, make_course, make_submission
from journals import complete_answers
from nbformat.v4 import new_code_cell

from mentor_workshop.errors import SandboxUnavailable
from mentor_workshop.facilitator import course as mw_course
from mentor_workshop.facilitator.autograde import AutogradeReport, ParticipantOutcome, autograde
from mentor_workshop.facilitator.sandbox import available
from mentor_workshop.facilitator.sandbox import bwrap as sandbox_bwrap

_OK, _WHY = available()
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not _OK, reason=f"no bubblewrap sandbox here: {_WHY}")]

STEP = "00_welcome"
HONEST = "p01"
READER = "p02"
WRITER = "p03"
NETWORK = "p04"
DETACH = "p05"
MEMORY = "p06"
FLOOD = "p07"
MARKER = f"mw-detached-{uuid.uuid4().hex[:8]}"


def _attack(code: str):
    def edit(name: str, nb: nbformat.NotebookNode) -> None:
        if name == STEP:
            nb.cells.insert(3, new_code_cell(textwrap.dedent(code)))

    return edit


class _Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it gets."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("sandbox")
    course = make_course(base, [STEP], timeout=20)
    key = course / ".mentor_workshop" / "pseudonym.key"
    key.parent.mkdir(exist_ok=True)
    key.write_text("SECRET-KEY", encoding="utf-8")
    listener = _Listener()
    inbox = base / "inbox"
    full = complete_answers()
    root = str(course)
    secrets = {
        "gradebook": f"{root}/gradebook.db",
        "source": f"{root}/source/{ASSIGNMENT}/{STEP}.ipynb",
        "other": f"{root}/submitted/p01/{ASSIGNMENT}/journal.json",
        "key": str(key),
    }
    home = Path.home()
    mine = [p for p in sorted(home.iterdir()) if p.is_file()] if home.is_dir() else []
    if mine:  # a file of the facilitator's own, e.g. ~/.bashrc
        secrets["home"] = str(mine[0])
    make_submission(course, inbox / HONEST, answers=full, reflection="I will ask on Monday.")
    make_submission(course, inbox / READER, answers=full, edit=_attack(f"""
        import os
        for name, path in {secrets!r}.items():
            try:
                if os.path.isdir(path):
                    os.listdir(path)
                else:
                    open(path, 'rb').read(10)
                print('LEAK', name)
            except OSError as exc:
                print('BLOCKED', name, type(exc).__name__)
        """))
    make_submission(course, inbox / WRITER, answers=full, edit=_attack(f"""
        for path in [{root + '/evil.txt'!r}, {root + '/gradebook.db'!r},
                     {root + '/submitted/p01/' + ASSIGNMENT + '/journal.json'!r},
                     'evil-in-handin.txt']:
            try:
                with open(path, 'a') as fh:
                    fh.write('x')
                print('WROTE', path)
            except OSError as exc:
                print('BLOCKED', path, type(exc).__name__)
        """))
    make_submission(course, inbox / NETWORK, answers=full, edit=_attack(f"""
        import socket
        try:
            socket.create_connection(('127.0.0.1', {listener.port}), timeout=3).close()
            print('CONNECTED')
        except OSError as exc:
            print('BLOCKED network', type(exc).__name__)
        """))
    payload = f"import time; time.sleep(6); open({root + '/gradebook.db'!r}, 'ab').write(b'x')"
    make_submission(course, inbox / DETACH, answers=full, edit=_attack(f"""
        import subprocess, sys
        subprocess.Popen([sys.executable, '-c', {payload!r}, '{MARKER}'],
                         start_new_session=True, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
        print('DETACHED')
        """))
    make_submission(course, inbox / MEMORY, answers=full, edit=_attack("""
        try:
            hog = bytearray(8 * 1024**3)
            print('ALLOCATED')
        except MemoryError:
            print('BLOCKED memory')
        """))
    make_submission(course, inbox / FLOOD, answers=full, edit=_attack("""
        while True:
            print('x' * 100_000)
        """))
    assert len(mw_course.collect(course, inbox).collected) == 7
    before = (course / "gradebook.db").stat().st_mtime_ns
    try:
        report = autograde(course, workers=2, progress=False)
    finally:
        listener.close()
    after_grading = (course / "gradebook.db").read_bytes()
    return {"course": course, "report": report, "hits": listener.hits, "before": before,
            "after": after_grading}


def _outcome(report: AutogradeReport, pid: str) -> ParticipantOutcome:
    return next(p for p in report.participants if p.participant == pid)


def _outputs(course: Path, pid: str) -> str:
    nb = nbformat.read(course / "autograded" / pid / ASSIGNMENT / f"{STEP}.ipynb", as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"])


def test_honest_work_still_scores_in_full(graded: dict) -> None:
    scores = grades(graded["course"])
    assert scores[(HONEST, STEP, "test_00")][0] == 1.0
    assert _outcome(graded["report"], HONEST).problems == []


def test_a_hand_in_sees_no_other_file(graded: dict) -> None:
    out = _outputs(graded["course"], READER)
    assert "LEAK" not in out
    for name in ("gradebook", "source", "other", "key"):
        assert f"BLOCKED {name}" in out
    assert "LEAK home" not in out


def test_a_hand_in_cannot_write_into_the_course(graded: dict) -> None:
    course = graded["course"]
    out = _outputs(course, WRITER)
    assert "WROTE /" not in out  # only its own scratch copy is writable
    assert not (course / "evil.txt").exists()
    assert not (course / "autograded" / WRITER / ASSIGNMENT / "evil-in-handin.txt").exists()
    assert not (course / "submitted" / WRITER / ASSIGNMENT / "evil-in-handin.txt").exists()
    honest = course / "submitted" / HONEST / ASSIGNMENT / "journal.json"
    assert json.loads(honest.read_text(encoding="utf-8"))  # still valid JSON, untouched


def test_a_hand_in_cannot_reach_the_network(graded: dict) -> None:
    assert graded["hits"] == 0
    assert "BLOCKED network" in _outputs(graded["course"], NETWORK)


def test_no_process_outlives_its_notebook(graded: dict) -> None:
    import psutil

    notes = " ".join(_outcome(graded["report"], DETACH).problems)
    assert "left running in the sandbox were killed" in notes
    time.sleep(7)  # past the moment the detached process meant to write
    assert not [p for p in psutil.process_iter(["cmdline"])
                if MARKER in " ".join(p.info["cmdline"] or [])]
    assert (graded["course"] / "gradebook.db").read_bytes() == graded["after"]


def test_a_memory_bomb_is_contained(graded: dict) -> None:
    assert "BLOCKED memory" in _outputs(graded["course"], MEMORY)
    assert grades(graded["course"])[(MEMORY, STEP, "test_00")][0] == 1.0


def test_an_output_flood_is_cut(graded: dict) -> None:
    outcome = _outcome(graded["report"], FLOOD)
    # cut at the output limit; on a machine so loaded that the cell's time limit comes first,
    # cut by that instead: either way one line says why and the file stays small
    assert any("MiB of output" in line or "longer than" in line or "timed out" in line
               for line in outcome.problems), outcome.problems
    size = (graded["course"] / "autograded" / FLOOD / ASSIGNMENT / f"{STEP}.ipynb").stat()
    assert size.st_size < 20 * 1024**2


def test_without_a_sandbox_autograde_refuses(graded: dict, monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on the PATH
    sandbox_bwrap._probe.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable, match="--unsafe-no-sandbox"):
            autograde(graded["course"], progress=False)
        # opting out works, and says so first thing (everything is graded already: skipped)
        report = autograde(graded["course"], progress=False, sandbox=False)
        assert report.lines()[1].startswith("WARNING: graded WITHOUT a sandbox")
    finally:
        sandbox_bwrap._probe.cache_clear()


def test_the_sandbox_holds_no_secret_environment(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    from mentor_workshop.facilitator.sandbox import Sandbox

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "hunter2")
    handin = tmp_path / "handin"
    handin.mkdir()
    box = Sandbox(str(handin), hide=[str(tmp_path)])
    try:
        env = box.environment()
        assert "AWS_SECRET_ACCESS_KEY" not in env and env["HOME"] == "/tmp"
        cmd = box.command([sys.executable, "-c", "import os; print(sorted(os.environ))"])
        assert "hunter2" not in " ".join(cmd)
    finally:
        box.close()
    assert shutil.which("bwrap")
