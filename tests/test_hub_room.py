"""The room view and the hub's generated files, without root: snapshot, page, config text."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from journals import answers_for, complete_answers

from mentor_workshop.core.journal import JOURNAL_FILENAME, Journal
from mentor_workshop.core.safe_html import remote_references
from mentor_workshop.errors import HubError
from mentor_workshop.facilitator.hub import config_writer as cw
from mentor_workshop.facilitator.hub.accounts import account_name, plan_accounts
from mentor_workshop.facilitator.room import render_room, take_snapshot
from mentor_workshop.facilitator.roster import Participant

XSS = "<script>alert('room')</script>"


def _journal(folder: Path, answers: dict, name: str) -> Path:
    path = folder / JOURNAL_FILENAME
    folder.mkdir(parents=True)
    journal = Journal(path)
    for key, value in answers.items():
        journal.save(key, value)
    journal.set_participant(id=folder.name, name=name)
    return path


def test_snapshot_places_people_counts_the_funnel_and_flags_the_stuck(tmp_path: Path) -> None:
    done = _journal(tmp_path / "p1", complete_answers(), "Ada")
    early = _journal(tmp_path / "p2", answers_for("00_welcome"), XSS)
    journals = {"p1": done, "p2": early, "p3": tmp_path / "p3" / JOURNAL_FILENAME}
    snap = take_snapshot(journals, now=time.time() + 30 * 60, stuck_minutes=10)
    rows = {r.id: r for r in snap.rows}
    assert rows["p2"].step == snap.steps[1] and rows["p2"].stuck
    assert rows["p3"].problem == "no journal yet" and not rows["p3"].stuck
    assert snap.funnel[snap.steps[0]] == 2
    assert rows["p1"].done >= rows["p2"].done + 5
    page = render_room(snap)
    assert XSS not in page and "&lt;script&gt;" in page
    assert "<script" not in page and remote_references(page) == []
    projected = render_room(snap, pseudonymous=True)
    assert "Ada" not in projected and "p1" not in projected and rows["p1"].pseudonym in projected


def test_snapshot_only_reads_and_tolerates_a_journal_being_written(tmp_path: Path) -> None:
    path = _journal(tmp_path / "p1", answers_for("00_welcome"), "Ada")
    before = sorted(p.name for p in path.parent.iterdir())
    stop = threading.Event()

    def typist() -> None:
        journal, n = Journal(path), 0
        while not stop.is_set():
            n += 1
            journal.save("request.draft", f"Dear Dr Johnson, draft number {n}.")

    thread = threading.Thread(target=typist)
    thread.start()
    try:
        for _ in range(15):
            snap = take_snapshot({"p1": path})
            assert snap.rows[0].problem == ""
    finally:
        stop.set()
        thread.join()
    after = sorted(p.name for p in path.parent.iterdir())
    assert after == before  # no lock, copy or "corrupt" file appeared beside the journal


def test_account_names_carry_the_roster_id_and_clashes_are_refused() -> None:
    assert account_name("P.01") == "mw-p-01"
    people = [Participant("p01", "A", "a@example.org"), Participant("P01x", "B", "b@e.org")]
    assert [a.name for a in plan_accounts(people, "mw-facilitator")] == [
        "mw-facilitator", "mw-p01", "mw-p01x"]
    with pytest.raises(HubError, match="both become"):
        plan_accounts([Participant("a.b", "A", "a@e.org"), Participant("a-b", "B", "b@e.org")],
                      "mw-facilitator")
    with pytest.raises(HubError, match="shorten"):
        account_name("x" * 40)


@pytest.mark.parametrize("login", cw.LOGIN_CHOICES)
def test_generated_config_is_python_that_binds_locally(tmp_path: Path, login: str) -> None:
    s = cw.HubSettings(course_dir=tmp_path / "course", course_id="course",
                       assignment="mentor_workshop", state_dir=tmp_path / "state",
                       prefix=Path("/opt/mentor-workshop"), exchange_root=Path("/srv/x"),
                       facilitator="mw-facilitator", participants={"mw-p01": "p01"},
                       login=login, user_password="u" * 16, admin_password="a" * 40,
                       room_token="t" * 64)
    for text in (cw.hub_config(s), cw.personal_nbgrader_config(s, "p01"),
                 cw.personal_nbgrader_config(s, None)):
        compile(text, "config", "exec")
    config = cw.hub_config(s)
    assert 'c.JupyterHub.ip = "127.0.0.1"' in config and "mw-p01" in config
    assert ("shared-password" in config) == (login == "shared-password")
    assert "PrivateExchangeSubmit" in cw.personal_nbgrader_config(s, "p01")
    assert "student_id = 'p01'" in cw.personal_nbgrader_config(s, "p01")


def test_without_root_the_hub_commands_explain_what_they_would_do(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from courses import cli

    monkeypatch.setattr("os.geteuid", lambda: 1000)
    for args in (["hub", "setup", str(tmp_path), "--roster", str(tmp_path / "r.csv"),
                  "--exchange", str(tmp_path / "x")],
                 ["hub", "start", str(tmp_path), "--port", "18000"],
                 ["hub", "teardown", str(tmp_path)]):
        result = cli(args)
        assert result.returncode == 2 and "needs root" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    setup = cli(["hub", "setup", str(tmp_path), "--roster", "r.csv"])
    assert "Unix account per roster line" in setup.stderr


def test_the_page_reloads_by_header_and_the_reader_can_pause_it() -> None:
    """A timed reload the reader cannot stop fails WCAG 2.2.1: no meta refresh, a pause link."""
    from mentor_workshop.facilitator.room.page import render_room
    from mentor_workshop.facilitator.room.snapshot import take_snapshot

    snap = take_snapshot({})
    running = render_room(snap, refresh=7, pause_url="?paused=1")
    paused = render_room(snap, refresh=7, paused=True, pause_url="?")
    assert "http-equiv" not in running.lower() and "http-equiv" not in paused.lower()
    assert "refreshes every 7 s" in running and 'href="?paused=1">Pause refreshing' in running
    assert "paused" in paused and ">Resume refreshing<" in paused


def test_two_set_ups_at_once_build_the_environment_one_after_the_other(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two courses set up on one server at the same moment must not run pip into the same
    prefix together: the second waits for the first, then finds the environment up to date."""
    from mentor_workshop.facilitator.hub import environment

    if not environment.SYSTEM_PYTHON.is_file():
        pytest.skip(f"{environment.SYSTEM_PYTHON} is missing")
    spans: list[tuple[float, float]] = []

    def slow_build(env: environment.HubEnvironment, kit: str | None) -> list[str]:
        start = time.monotonic()
        time.sleep(0.3)
        spans.append((start, time.monotonic()))
        return [f"built {env.prefix}"]

    monkeypatch.setattr(environment, "_ensure", slow_build)
    prefix = tmp_path / "opt" / "mentor-workshop"
    threads = [threading.Thread(target=environment.ensure_environment, args=(prefix,))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = sorted(spans)
    assert first[1] <= second[0], "the two builds overlapped"


def test_the_hub_environment_starts_without_jsonschemas_iri_parsers(tmp_path: Path) -> None:
    """The hook in the hub environment's site-packages marks ``rfc3987_syntax`` absent in every
    process there before jsonschema loads (0.7 s per participant server, fetch and hub), while
    schema validation and the other format checks still work; writing it twice is a no-op."""
    import subprocess
    import sys
    import sysconfig

    from mentor_workshop.facilitator.hub import environment

    prefix = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True)
    env = environment.HubEnvironment(prefix)
    assert environment.write_startup_hook(env) is True
    assert environment.write_startup_hook(env) is False  # already there, unchanged
    probe = (
        "import sys, jsonschema\n"
        "print(sys.modules.get('rfc3987_syntax', 'loaded'))\n"
        "checker = jsonschema.Draft202012Validator.FORMAT_CHECKER\n"
        "v = jsonschema.Draft202012Validator({'type': 'string', 'format': 'date'},"
        " format_checker=checker)\n"
        "print(v.is_valid('2026-12-05'), v.is_valid('2026-13-45'), v.is_valid(3))\n"
    )
    # the environment's Python, with jsonschema found on the path (not a site dir: no hook)
    packages = {"PYTHONPATH": sysconfig.get_paths()["purelib"]}
    out = subprocess.run([str(env.python), "-c", probe], capture_output=True, text=True,
                         env=packages, check=True).stdout.split("\n")
    assert out[:2] == ["None", "True False False"]
    # the same Python without the hook imports rfc3987_syntax as usual (when installed)
    plain = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True,
                           env=packages, check=True).stdout.split("\n")
    assert plain[1] == "True False False"
    assert plain[0] != "None"
