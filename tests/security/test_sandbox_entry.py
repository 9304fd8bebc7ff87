"""A kernel forked from the pre-warmed zygote into a sandbox: no privilege, no secret, no way out.

The zygote runs outside every sandbox (it never runs a participant's code); each kernel it forks
enters the participant's sandbox and drops every privilege before it becomes a kernel. These
tests start a real zygote and real kernels and ask each kernel, from inside, what it can do.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from mentor_workshop.facilitator import warm
from mentor_workshop.facilitator.sandbox import Sandbox, available
from mentor_workshop.facilitator.sandbox.bwrap import python_paths
from mentor_workshop.facilitator.sandbox.session import sandbox_environment

_OK, _WHY = available()
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not _OK, reason=f"no bubblewrap sandbox here: {_WHY}")]

SECRET = "hunter2-" + os.urandom(4).hex()

PROBE = r"""
import ctypes, json, os, socket
status = dict(line.split(':', 1) for line in open('/proc/self/status') if ':' in line)
libc = ctypes.CDLL(None, use_errno=True)
unshared = libc.unshare(0x10000000)  # a user namespace of its own: the way to regain caps
print(json.dumps({
    'uid': os.getuid(), 'gid': os.getgid(), 'groups': os.getgroups(),
    'caps': [status[k].strip() for k in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb')],
    'no_new_privs': status['NoNewPrivs'].strip(),
    'environ': open('/proc/self/environ', 'rb').read().decode('utf-8', 'replace'),
    'unshare': unshared, 'pids': sorted(int(p) for p in os.listdir('/proc') if p.isdigit()),
    'handin': sorted(os.listdir('.')),
    'home': sorted(os.listdir(HOME)) if os.path.isdir(HOME) else [],
    'interfaces': [name for _, name in socket.if_nameindex()], 'cwd': os.getcwd(),
}))
"""


def _run(coroutine: Any) -> Any:
    """Run ``coroutine`` on a loop of its own (another test may have left one running here)."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def _probe_code() -> str:
    return f"HOME = {str(Path.home())!r}\n" + PROBE


async def _probe(handin: Path) -> dict[str, Any]:
    box = Sandbox(str(handin), hide=[str(handin.parent)])
    warm.use_sandbox(box)
    km = warm.forking_manager_class()()
    try:
        await km.start_kernel(cwd=str(handin))
        client = km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            lines: list[str] = []

            def keep(msg: dict[str, Any]) -> None:
                if msg["header"]["msg_type"] == "stream":
                    lines.append(msg["content"]["text"])

            await client.execute_interactive(_probe_code(), timeout=60, output_hook=keep)
        finally:
            client.stop_channels()
        kernel = km.provisioner.pid
        await km.shutdown_kernel(now=True)
        return {**json.loads("".join(lines)), "kernel": kernel, "left": box.reap([kernel])}
    finally:
        warm.use_sandbox(None)
        box.close()


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("entry")
    handin = base / "submitted" / "p01" / "ag"
    handin.mkdir(parents=True)
    (handin / "journal.json").write_text("{}", encoding="utf-8")
    (base / "gradebook.db").write_text("secret", encoding="utf-8")
    os.environ["MW_TEST_SECRET"] = SECRET
    try:
        warm.start_zygote(sandbox_environment())
    finally:
        del os.environ["MW_TEST_SECRET"]
    zygote = warm.current_zygote()
    assert zygote is not None
    try:
        first = _run(_probe(handin))
        second = _run(_probe(handin))
    finally:
        warm.stop_zygote()
    return {"first": first, "second": second, "zygote": zygote, "handin": handin}


def test_the_kernel_runs_as_nobody_with_no_capability(probed: dict[str, Any]) -> None:
    seen = probed["first"]
    assert (seen["uid"], seen["gid"]) == (65534, 65534)
    if os.getuid() == 0:  # a user's own groups stay theirs, as under plain bubblewrap
        assert seen["groups"] == []
    assert seen["caps"] == ["0000000000000000"] * 5
    assert seen["no_new_privs"] == "1"
    assert seen["unshare"] == -1  # no user namespace of its own to gain them back in


def test_the_kernel_inherits_no_secret_from_the_zygote(probed: dict[str, Any]) -> None:
    # the start of a process's memory is the environment it was started with: the zygote's
    assert SECRET not in probed["first"]["environ"]
    assert "MW_TEST_SECRET" not in probed["first"]["environ"]


def test_the_kernel_sees_its_hand_in_and_nothing_else(probed: dict[str, Any]) -> None:
    seen = probed["first"]
    assert seen["cwd"] == str(probed["handin"])
    assert seen["handin"] == ["journal.json"]
    # of the facilitator's home, only the folders the Python installation lives in
    python = {Path(p).relative_to(Path.home()).parts[0] for p in python_paths()
              if Path(p).is_relative_to(Path.home()) and Path(p) != Path.home()}
    assert set(seen["home"]) <= python
    assert seen["interfaces"] == ["lo"]  # a network namespace of its own, loopback only
    # its own PID namespace: bubblewrap's init, the holder and the kernel, under small numbers
    assert len(seen["pids"]) <= 4 and max(seen["pids"]) <= 10
    assert seen["kernel"] not in seen["pids"]  # the host's number for it means nothing there


def test_each_participant_gets_a_fresh_sandbox_and_kernel(probed: dict[str, Any]) -> None:
    first, second = probed["first"], probed["second"]
    assert first["kernel"] != second["kernel"]
    assert first["left"] == 0 and second["left"] == 0
    for pid in (first["kernel"], second["kernel"]):
        assert not Path(f"/proc/{pid}").exists() or _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def test_a_child_that_cannot_enter_starts_no_kernel(tmp_path: Path) -> None:
    """Fail closed: told to enter something that is not a sandbox, the child exits."""
    warm.start_zygote(sandbox_environment())
    zygote = warm.current_zygote()
    assert zygote is not None
    box = Sandbox(str(tmp_path))
    try:
        for pid in (os.getpid(), 2**22 + 7):  # our own namespaces; no such process
            box.entry = (  # type: ignore[method-assign]
                lambda pid=pid: {"pid": pid, "cgroup": None, "limits": {}})
            before = _zygote_children(zygote.proc.pid)
            with pytest.raises(OSError, match="could not enter the notebook's sandbox"):
                zygote.fork(["-f", str(tmp_path / "k.json")], dict(os.environ), str(tmp_path),
                            sandbox=box)
            time.sleep(0.2)
            assert _zygote_children(zygote.proc.pid) == before
    finally:
        box.close()
        warm.stop_zygote()


def _zygote_children(pid: int) -> set[int]:
    import psutil

    return {p.pid for p in psutil.Process(pid).children(recursive=True)
            if p.status() != psutil.STATUS_ZOMBIE}


def test_without_a_zygote_the_kernel_still_starts_in_a_sandbox(tmp_path: Path) -> None:
    handin = tmp_path / "h"
    handin.mkdir()
    warm.stop_zygote()
    seen = _run(_probe(handin))
    assert (seen["uid"], seen["caps"][2], seen["no_new_privs"]) == (65534, "0" * 16, "1")
    assert seen["interfaces"] == ["lo"] and seen["handin"] == []


def test_a_zygote_that_cannot_enter_falls_back_to_a_sandbox_of_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """Where entering is refused (say, a kernel without the namespace ioctls), grading goes on:
    the kernel is started inside a sandbox from scratch, and the worker says why, once."""
    handin = tmp_path / "h"
    handin.mkdir()

    def refuse(self: Sandbox) -> dict[str, Any]:
        raise OSError("entering refused here")

    monkeypatch.setattr(Sandbox, "entry", refuse)
    warm.start_zygote(sandbox_environment())
    try:
        seen = _run(_probe(handin))
        assert warm.current_zygote() is None  # off for the rest of this worker's life
    finally:
        warm.stop_zygote()
    assert (seen["uid"], seen["caps"][2], seen["interfaces"]) == (65534, "0" * 16, ["lo"])
    said = capfd.readouterr().err
    assert "pre-warmed kernels are off in this worker: entering refused here" in said


def test_a_sandbox_that_cannot_start_says_why() -> None:
    from mentor_workshop.facilitator.sandbox.holder import Holder

    holder = Holder(lambda argv: ["/bin/sh", "-c", "echo 'bwrap: no permission' >&2; exit 1"])
    with pytest.raises(OSError, match="the sandbox did not start: bwrap: no permission"):
        holder.pid()
    assert not holder.running()


def test_a_notebook_that_kills_its_sandbox_gets_a_new_one_for_the_next(tmp_path: Path) -> None:
    box = Sandbox(str(tmp_path))
    try:
        first = box.holder()
        os.kill(first.pid(), 9)  # what a notebook can do: the holder runs as the same nobody
        first.proc.wait(timeout=10)
        second = box.holder()
        assert second is not first and second.running() and second.pid() != first.pid()
        assert box.entry()["pid"] == second.pid()
    finally:
        box.close()
    assert not second.running()
