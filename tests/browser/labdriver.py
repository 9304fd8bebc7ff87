"""A real JupyterLab server and a participant's hands on it, for the browser tests.

Why drive the real thing: widget unit tests set ``.value`` in Python, which cannot tell whether a
participant's typing reaches the kernel, whether what the kernel saved comes back after a restart,
or what the screen shows. Here the participant's actions are literal — typing into boxes, clicking
menus, pressing Tab and Enter — and every assertion is about what is on screen or in
``journal.json`` on disk.

Two pieces:

* :class:`LabServer` starts ``jupyter lab`` on 127.0.0.1 with a token and quiet settings (no news,
  no update checks, no network) on a folder of released notebooks; each test gets its own
  sub-folder (its own ``journal.json``) and its own JupyterLab workspace, so tests never see each
  other's notebooks or answers.
* :class:`NotebookPage` is one notebook in one browser page: open it, run all cells, restart the
  kernel, find exercise widgets by the ``mw-<NN>-<field>`` classes the widget modules add, and
  take a screenshot for a reviewer.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .lab_probes import (
    ALL_RUN_JS,
    KERNEL_IDLE_JS,
    KERNEL_STATE_JS,
    OPEN_NEXT_JS,
    accessible_name_problems,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
ASSIGNMENT = "mentor_workshop"

#: What a raw Python error looks like on screen; a participant must never see it.
TRACEBACK_TEXT = "Traceback (most recent call last)"
#: What JupyterLab shows when a widget cannot be drawn.
WIDGET_ERROR_TEXT = "Error displaying widget"

#: Settings a first-time user would otherwise be asked about (news, update checks), plus a
#: notebook that keeps every cell in the DOM so the tests can find outputs below the fold.
USER_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "checkForUpdates": False,
        "fetchNews": "false",
    },
    "@jupyterlab/apputils-extension/themes.jupyterlab-settings": {
        "theme": "JupyterLab Light",
        "adaptive-theme": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
    },
}

# ------------------------------------------------------------------------------ the release


def generate_release(course_root: Path, notebooks_dir: Path = ROOT / "notebooks") -> Path:
    """The notebooks as participants receive them: nbgrader ``generate_assignment`` output.

    Built on a throwaway course so the browser sees exactly what a release contains (solutions
    cleared, hidden tests removed, cells locked), not the facilitator's source notebooks.
    """
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    source = course_root / "source" / ASSIGNMENT
    source.mkdir(parents=True, exist_ok=True)
    for nb in sorted(notebooks_dir.glob("*.ipynb")):
        shutil.copy(nb, source / nb.name)
    # nbgrader runs `alembic` to create its gradebook; make sure the venv's bin/ is on PATH.
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    config = Config()
    config.CourseDirectory.root = str(course_root)
    config.CourseDirectory.course_id = "browser_tests"
    config.CourseDirectory.db_url = f"sqlite:///{course_root / 'gradebook.db'}"
    config.Exchange.root = str(course_root / "exchange")
    api = NbGraderAPI(config=config)
    result = api.generate_assignment(ASSIGNMENT, force=True, create=True)
    release = course_root / "release" / ASSIGNMENT
    if not result.get("success") or not release.is_dir():
        raise RuntimeError(
            "nbgrader generate_assignment failed:\n"
            f"{result.get('error') or ''}\n{result.get('log') or ''}"
        )
    return release


# ------------------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_user_settings(folder: Path, settings: Mapping[str, Mapping[str, Any]]) -> None:
    for rel, values in settings.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2), encoding="utf-8")


class LabServer:
    """``jupyter lab`` on 127.0.0.1 with a random token, serving ``root``."""

    def __init__(self, home: Path, release: Path, root: Path | None = None) -> None:
        self.home = home
        self.release = release
        #: What the server serves. A facilitator's server serves the course folder and starts
        #: there, so nbgrader's formgrader finds the course's ``nbgrader_config.py``.
        self.root = root or home / "served"
        self.cwd = home if root is None else root
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "jupyter-lab.log"
        self.runtime = tempfile.mkdtemp(prefix="mwr-", dir="/tmp")
        self.proc: subprocess.Popen[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 90.0) -> None:
        settings = self.home / "user-settings"
        write_user_settings(settings, USER_SETTINGS)
        env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
        for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                         ("IPYTHONDIR", "ipython")):
            (self.home / sub).mkdir(exist_ok=True)
            env[var] = str(self.home / sub)
        # Kernels on IPC sockets, files in the runtime folder, as the kit's own pools run them:
        # with TCP, ports picked by binding and releasing can be taken by another of the suite's
        # kernels in between, and the notebook's kernel never answers. The folder is short
        # (under /tmp) because a socket's path must stay under about 100 bytes.
        env["JUPYTER_RUNTIME_DIR"] = self.runtime
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        cmd = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={self.home / 'workspaces'}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
            "--ServerApp.terminals_enabled=False",
            "--KernelManager.transport=ipc",
            # Lets the tests ask JupyterLab whether the kernel is connected and idle; what the
            # participant sees and does is unchanged.
            "--LabApp.expose_app_in_browser=True",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        log = open(self.log_path, "wb")  # noqa: SIM115 - handed to the child process
        self.proc = subprocess.Popen(cmd, cwd=self.cwd, env=env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited early:\n{self.log_tail()}")
            with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
                if "started" in self.api("GET", "/api/status"):
                    return
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer /api/status in {timeout:.0f}s:\n"
                           f"{self.log_tail()}")

    def stop(self) -> None:
        """Ask the server to shut down (it stops its kernels), then make sure it is gone."""
        try:
            self._stop()
        finally:
            shutil.rmtree(self.runtime, ignore_errors=True)

    def _stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(Exception):
            self.api("POST", "/api/shutdown")
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # -- REST --------------------------------------------------------------------------------

    def api(self, method: str, path: str, timeout: float = 10.0) -> Any:
        request = urllib.request.Request(
            self.url + path, method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method in ("POST", "DELETE", "PUT") else None,
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_sessions(self, path: str | None = None) -> None:
        """Stop every kernel a test started (or the one of ``path``), so they do not pile up."""
        with contextlib.suppress(Exception):
            for session in self.api("GET", "/api/sessions") or []:
                if path is not None and session.get("path") != path:
                    continue
                with contextlib.suppress(Exception):
                    self.api("DELETE", f"/api/sessions/{session['id']}")

    # -- folders -----------------------------------------------------------------------------

    def folder(self, name: str, notebooks: Iterable[str] | None = None,
               answers: Mapping[str, Any] | None = None,
               participant: Mapping[str, str] | None = None) -> Path:
        """A fresh folder of released notebooks (all, or the ones named) with its own journal."""
        folder = self.root / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        wanted = None if notebooks is None else {f"{n}.ipynb" for n in notebooks}
        for nb in self.release.glob("*.ipynb"):
            if wanted is None or nb.name in wanted:
                shutil.copy(nb, folder / nb.name)
        missing = (wanted or set()) - {p.name for p in folder.iterdir()}
        if missing:
            raise FileNotFoundError(f"not in the release: {sorted(missing)}")
        if answers or participant:
            from mentor_workshop.core.journal import Journal

            journal = Journal(folder / "journal.json")
            if participant:
                journal.set_participant(**participant)
            for key, value in (answers or {}).items():
                journal.save(key, value)
        return folder

    def notebook_url(self, folder: Path, notebook: str, workspace: str) -> str:
        rel = folder.relative_to(self.root).as_posix()
        path = f"{notebook}.ipynb" if rel == "." else f"{rel}/{notebook}.ipynb"
        return f"{self.url}/lab/workspaces/{workspace}/tree/{path}?token={self.token}"


# ------------------------------------------------------------------------------ the journal


def answers_on_disk(folder: Path) -> dict[str, Any]:
    """The answers exactly as written to journal.json ({} while there is none)."""
    path = folder / "journal.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["answers"]


def wait_for_journal(folder: Path, predicate: Callable[[dict[str, Any]], bool],
                     timeout: float = 20.0, what: str = "the expected answers") -> dict[str, Any]:
    """Poll journal.json until ``predicate(answers)``: saves travel browser → kernel → disk."""
    deadline = time.monotonic() + timeout
    answers: dict[str, Any] = {}
    while True:
        with contextlib.suppress(json.JSONDecodeError, OSError, KeyError):
            answers = answers_on_disk(folder)
            if predicate(answers):
                return answers
        if time.monotonic() > deadline:
            raise AssertionError(
                f"journal.json never held {what} within {timeout:.0f}s; it holds:\n"
                + json.dumps(answers, indent=2, ensure_ascii=False)[:4000]
            )
        time.sleep(0.2)


# ------------------------------------------------------------------------------ the browser

def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:80] or "test"


class NotebookPage:
    """One released notebook open in one browser page, driven as a participant would."""

    def __init__(self, page: Page, lab: LabServer, folder: Path, notebook: str,
                 workspace: str | None = None) -> None:
        self.page = page
        self.lab = lab
        self.folder = folder
        self.notebook = notebook
        self.workspace = slug(workspace or f"{folder.name}-{notebook}")

    # -- opening and running -----------------------------------------------------------------

    @property
    def panel(self) -> Locator:
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")

    def open(self, timeout: float = 60_000) -> NotebookPage:
        """Open the notebook and wait for its kernel; a kernel that never comes up gets one retry.

        Under the full suite's load (three workers, the hub tests, kernel pools), a kernel has
        once in some twenty runs not reached "idle" within a minute. What the tests check is the
        notebook, not the kernel start, so that kernel is shut down and the page reloaded, as a
        participant would, once; the first state is kept in a warning, and a second failure
        fails the test with both states and the server's log.
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.page.goto(self.lab.notebook_url(self.folder, self.notebook, self.workspace))
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=timeout)
        try:
            self.wait_kernel_idle(timeout)
            return self
        except PlaywrightTimeout:
            first = self.kernel_state()
        if isinstance(self.lab, LabServer):  # on the hub, the reload alone
            self.lab.shutdown_sessions(self._path())
        self.page.reload()
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=timeout)
        try:
            self.wait_kernel_idle(timeout)
        except PlaywrightTimeout as exc:
            log = self.lab.log_tail() if isinstance(self.lab, LabServer) else ""
            raise AssertionError(
                f"the kernel of {self.notebook} never became idle: {first}, then after a fresh "
                f"start {self.kernel_state()}\n{log}") from exc
        warnings.warn(f"the kernel of {self.notebook} was not idle after {timeout / 1000:.0f} s "
                      f"({first}); it was started afresh", stacklevel=2)
        return self

    def open_next(self, notebook: str, timeout: float = 60_000) -> NotebookPage:
        """Another notebook of this folder, opened from inside this JupyterLab page.

        As a participant moving on to the next step does: this notebook is saved and closed,
        the next one opened with JupyterLab's open command (what the file browser runs), so
        JupyterLab is not loaded again (two of the three seconds a notebook by URL takes).
        This notebook's kernel is stopped. Should the new kernel not come up in time, the
        notebook is opened by its URL instead (:meth:`open`, with its own retry).
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        assert isinstance(self.lab, LabServer), "open_next needs the suite's LabServer"
        nxt = NotebookPage(self.page, self.lab, self.folder, notebook, self.workspace)
        self.page.evaluate(OPEN_NEXT_JS, [self._path(), nxt._path()])
        self.lab.shutdown_sessions(self._path())
        try:
            nxt.wait_kernel_idle(timeout)
        except PlaywrightTimeout:
            return nxt.open(timeout)
        return nxt

    def _path(self) -> str:
        """The notebook's path as the server names it (relative to what it serves)."""
        assert isinstance(self.lab, LabServer)
        return (self.folder / f"{self.notebook}.ipynb").relative_to(self.lab.root).as_posix()

    def kernel_state(self) -> dict[str, Any]:
        """What JupyterLab reports about the current tab's kernel, and any dialog on screen."""
        return self.page.evaluate(KERNEL_STATE_JS)

    def wait_kernel_idle(self, timeout: float = 60_000) -> None:
        """Until this notebook is the current tab and its kernel is connected and idle."""
        self.page.wait_for_function(KERNEL_IDLE_JS, arg=f"{self.notebook}.ipynb",
                                    timeout=timeout, polling=200)

    def menu(self, top: str, item: str | re.Pattern[str], submenu: str | None = None,
             timeout: float = 30.0) -> None:
        """Click through the menu bar, e.g. Run › Run All Cells, or Settings › Theme › ….

        A menu item is disabled for a moment while JupyterLab works out which notebook is
        current; clicking it then does nothing, so wait until it is enabled.
        """
        deadline = time.monotonic() + timeout
        while True:
            self.page.get_by_role("menuitem", name=top, exact=True).click()
            if submenu is not None:
                self._menu_entry(submenu).hover()
            entry = self._menu_entry(item)
            entry.wait_for(state="visible")
            if entry.get_attribute("aria-disabled") != "true" and "lm-mod-disabled" not in (
                    entry.get_attribute("class") or ""):
                entry.click()
                return
            self.page.keyboard.press("Escape")
            if submenu is not None:
                self.page.keyboard.press("Escape")
            if time.monotonic() > deadline:
                raise AssertionError(f"menu item {top} › {item} stayed disabled")
            self.page.wait_for_timeout(300)

    def _menu_entry(self, label: str | re.Pattern[str]) -> Locator:
        """An entry of an open menu by its label (entries with a submenu have no ARIA role)."""
        pattern = re.compile(rf"^{re.escape(label)}$") if isinstance(label, str) else label
        return self.page.locator(".lm-Menu .lm-Menu-item").filter(
            has=self.page.locator(".lm-Menu-itemLabel", has_text=pattern)).last

    def run_all(self, timeout: float = 120_000) -> None:
        """Run › Run All Cells, then wait until every cell has run and the kernel is idle."""
        self.wait_kernel_idle()
        self.menu("Run", "Run All Cells")
        self.wait_all_run(timeout)

    def restart_and_run_all(self, timeout: float = 120_000) -> None:
        """Kernel › Restart Kernel and Run All Cells…, accepting the dialog, then wait.

        Outputs from before the restart are marked first, so the wait only ends once every one
        of them has been replaced by the new kernel's output.
        """
        self.page.evaluate(
            "() => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
            ".jp-OutputArea-output').forEach(e => e.setAttribute('data-mw-stale', '1'))")
        self.menu("Kernel", re.compile(r"^Restart Kernel and Run All Cells"))
        self.page.locator(".jp-Dialog .jp-mod-accept").click()
        self.page.wait_for_selector(".jp-Dialog", state="detached")
        self.wait_all_run(timeout)

    def wait_all_run(self, timeout: float = 120_000) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.page.wait_for_timeout(300)
        try:
            self.page.wait_for_function(ALL_RUN_JS, timeout=timeout, polling=250)
        except PlaywrightTimeout:
            prompts = self.panel.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
            raise AssertionError(
                f"{self.notebook}: cells did not finish running in {timeout / 1000:.0f}s; "
                f"prompts: {' '.join(p.strip() for p in prompts)}") from None

    # -- finding things ----------------------------------------------------------------------

    def widget(self, css_class: str) -> Locator:
        """The element an exercise tagged with ``add_class(css_class)``."""
        return self.panel.locator(f".{css_class}")

    def field(self, css_class: str) -> Locator:
        """The input, textarea or select inside the widget tagged ``css_class``."""
        return self.widget(css_class).locator("input, textarea, select").first

    def button(self, css_class: str) -> Locator:
        return self.panel.locator(f"button.{css_class}")

    def exercises(self) -> Locator:
        return self.panel.locator(".mw-exercise")

    def exercise_of(self, css_class: str) -> Locator:
        """The whole exercise (``.mw-exercise``) holding the widget tagged ``css_class``."""
        return self.panel.locator(".mw-exercise").filter(
            has=self.page.locator(f".{css_class}")).last

    def outputs_text(self) -> str:
        return "\n".join(self.panel.locator(".jp-OutputArea").all_inner_texts())

    def assert_no_traceback(self) -> None:
        text = self.outputs_text()
        assert TRACEBACK_TEXT not in text, f"a raw traceback is on screen:\n{text[-3000:]}"
        assert WIDGET_ERROR_TEXT not in text, f"a widget failed to draw:\n{text[-3000:]}"
        errors = self.panel.locator(".jp-OutputArea-output[data-mime-type="
                                    "'application/vnd.jupyter.stderr']")
        assert errors.count() == 0, "stderr/error output on screen:\n" + "\n".join(
            errors.all_inner_texts())

    def assert_labelled(self) -> None:
        """Every control the exercises drew has a name a screen reader can read.

        Slider handles are left out here: ipywidgets draws them unnamed, which is tracked by
        its own test so that this one keeps guarding everything else.
        """
        problems = [p for p in accessible_name_problems(self.panel.locator(".jp-Notebook"))
                    if not p.startswith("div")]
        assert problems == [], f"{self.notebook}: controls a screen reader cannot name: {problems}"

    # -- evidence for a reviewer -------------------------------------------------------------

    def screenshot(self, name: str, target: Locator | None = None) -> Path:
        """Save ``tests/artifacts/<name>.png``: what the participant sees.

        With ``target``, the window is made tall enough to show the whole exercise (JupyterLab
        scrolls inside its own panel, so an element screenshot would be cut off), scrolled to
        it, and captured as the participant would see it; then the window size is restored.
        """
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{slug(name)}.png"
        size = self.page.viewport_size or {"width": 1400, "height": 1000}
        try:
            if target is not None:
                height = target.evaluate("e => e.getBoundingClientRect().height")
                tall = int(min(max(height + 260, size["height"]), 6000))
                self.page.set_viewport_size({"width": size["width"], "height": tall})
                self.page.wait_for_timeout(300)
                target.evaluate("e => e.scrollIntoView({block: 'start'})")
                self.page.wait_for_timeout(300)
            self.page.screenshot(path=str(path), animations="disabled")
        finally:
            if target is not None:
                self.page.set_viewport_size(size)
        return path


#: Milliseconds between keystrokes: a very fast typist. Typing faster than any person makes
#: ipywidgets hold back text updates while a button click goes straight through (its message
#: throttle only buffers state), which no participant can do.
KEY_DELAY_MS = 35


#: JupyterLab's theme settings, which the theme tests change through the settings API.
THEMES_PLUGIN = "@jupyterlab/apputils-extension:themes"


def set_theme(lab: LabServer, theme: str) -> None:
    """Through the settings API: the safety net that puts the shared server back to light."""
    body = json.dumps({"raw": json.dumps({"theme": theme})}).encode()
    request = urllib.request.Request(
        f"{lab.url}/lab/api/settings/{THEMES_PLUGIN}", data=body, method="PUT",
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()


def open_and_run(page: Page, lab: LabServer, folder: Path, step: str,
                 after: NotebookPage | None = None) -> NotebookPage:
    """Open a step notebook, run every cell, and wait until its first exercise is drawn.

    With ``after`` (a notebook open in ``page``), the step is opened from inside that page
    (:meth:`NotebookPage.open_next`) instead of by loading JupyterLab again.
    """
    from playwright.sync_api import expect

    nb = after.open_next(step) if after is not None \
        else NotebookPage(page, lab, folder, step).open()
    nb.run_all()
    expect(nb.exercises().first).to_be_visible()
    return nb


def type_like_a_person(box: Locator, text: str, delay: float = KEY_DELAY_MS) -> None:
    """Click into ``box`` and type ``text`` key by key, after anything already there."""
    box.click()
    box.evaluate("e => e.setSelectionRange(e.value.length, e.value.length)")
    box.press_sequentially(text, delay=delay)
