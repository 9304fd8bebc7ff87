"""Drive a running JupyterHub the way participants' browsers do: REST calls and kernels.

A plain helper module for ``test_hub.py``, the hub browser test and ``benchmarks/hub_load.py``:
tokens come from the hub's API (asked for by an admin), each participant's requests carry
their own token, and code runs in their own kernel over the server's websocket.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests
import websocket


@dataclass
class Hub:
    """A running hub on 127.0.0.1 and an admin token for it."""

    port: int
    admin_token: str
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _admin(self) -> dict[str, str]:
        return {"Authorization": f"token {self.admin_token}"}

    def token(self, user: str) -> str:
        """A token for ``user``, made through the hub's API by the admin."""
        if user not in self.tokens:
            r = requests.post(f"{self.base}/hub/api/users/{user}/tokens", headers=self._admin(),
                              json={"note": "mentor-workshop test"}, timeout=30)
            r.raise_for_status()
            self.tokens[user] = r.json()["token"]
        return self.tokens[user]

    def headers(self, user: str) -> dict[str, str]:
        return {"Authorization": f"token {self.token(user)}"}

    def start(self, user: str) -> None:
        r = requests.post(f"{self.base}/hub/api/users/{user}/server", headers=self.headers(user),
                          timeout=60)
        assert r.status_code in (201, 202, 400), r.text  # 400: already running

    def wait_ready(self, users: list[str], timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        pending = set(users)
        while pending and time.monotonic() < deadline:
            for user in sorted(pending):
                info = requests.get(f"{self.base}/hub/api/users/{user}",
                                    headers=self.headers(user), timeout=30).json()
                if info["servers"].get("", {}).get("ready"):
                    pending.discard(user)
            time.sleep(1)
        assert not pending, f"servers not ready: {sorted(pending)}"

    def api(self, user: str, method: str, path: str, *, as_user: str | None = None,
            **kwargs: Any) -> requests.Response:
        """A call to ``user``'s single-user server, authenticated as ``as_user`` (or ``user``)."""
        kwargs.setdefault("timeout", 120)
        return requests.request(method, f"{self.base}/user/{user}/{path.lstrip('/')}",
                                headers=self.headers(as_user or user), allow_redirects=False,
                                **kwargs)

    def kernel(self, user: str, notebook: str) -> Kernel:
        """A kernel for ``notebook`` (a session, so it runs in the notebook's folder)."""
        r = self.api(user, "POST", "api/sessions", json={
            "path": notebook, "type": "notebook", "name": notebook.rsplit("/", 1)[-1],
            "kernel": {"name": "python3"}})
        r.raise_for_status()
        kid = r.json()["kernel"]["id"]
        session = uuid.uuid4().hex
        url = (f"ws://127.0.0.1:{self.port}/user/{user}/api/kernels/{kid}/channels"
               f"?session_id={session}")
        return Kernel(url, [f"Authorization: token {self.token(user)}"], user, session)


@dataclass
class Kernel:
    """One kernel's websocket: run code, get its output or its error.

    A websocket the server drops (it happens on a loaded machine) is opened again with the
    same session id, as JupyterLab does: the server keeps what the kernel sent meanwhile for
    that session and sends it on reconnection, so no reply is lost.
    """

    url: str
    header: list[str]
    user: str
    session: str
    ws: websocket.WebSocket = field(init=False)

    def __post_init__(self) -> None:
        self.ws = self._connect()

    def _connect(self) -> websocket.WebSocket:
        return websocket.create_connection(self.url, header=self.header, timeout=180)

    def _recv(self, reconnects: int = 2) -> str:
        for attempt in range(reconnects + 1):
            try:
                return self.ws.recv()
            except websocket.WebSocketConnectionClosedException:
                if attempt == reconnects:
                    raise
                time.sleep(1)
                self.ws = self._connect()
        raise AssertionError("unreachable")

    def run(self, code: str) -> str:
        """Execute ``code``; return what it printed; raise AssertionError on an error."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.user, "session": self.session,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        out: list[str] = []
        error = None
        replied = idle = False
        while not (replied and idle):
            msg = json.loads(self._recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                error = "\n".join(msg["content"]["traceback"])
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        assert error is None, error[-3000:]
        return "".join(out)

    def close(self) -> None:
        self.ws.close()


def as_user(user: str, *command: str, cwd: str = "/") -> subprocess.CompletedProcess:
    """Run a command as a Unix account (``runuser``), for the file-system isolation checks."""
    return subprocess.run(["runuser", "-u", user, "--", *command], capture_output=True,
                          text=True, cwd=cwd, timeout=120, check=False)


def wait_for_hub(port: int, timeout: float = 90) -> None:
    """Until the hub's API answers on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/hub/api/", timeout=5).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the hub on port {port} did not answer in {timeout:.0f}s")


def admin_token(state: Any, facilitator: str) -> str:
    """A token for the facilitator (an admin), made with ``jupyterhub token`` on the hub's db."""
    import os
    from pathlib import Path

    result = subprocess.run(
        [str(Path("/opt/mentor-workshop/bin/jupyterhub")), "token", facilitator, "-f",
         str(Path(state) / "jupyterhub_config.py")], cwd=state, capture_output=True, text=True,
        check=False, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]
