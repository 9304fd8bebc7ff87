"""Fixtures for the browser suite: one JupyterLab server and one Chromium for the whole run.

Starting JupyterLab and a browser costs seconds, so both are session-scoped; every test still
gets its own browser context (no shared cookies or storage), its own folder of released
notebooks with its own ``journal.json``, and its own JupyterLab workspace. Kernels a test
started are stopped when it ends.

``make test`` runs whole files in three workers (``--dist loadfile``); each worker that gets a
browser file starts its own server and Chromium, once. The tests are independent of each other,
so where they run costs time, not correctness. (Each module's ``xdist_group("browser")`` is for
``--dist loadgroup``, which pytest 9 with pytest-xdist 3.8 no longer honours.)
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

    from .labdriver import LabServer

CHROMIUM = Path(os.environ.get("MW_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 1000}

SKIP_REASON = (
    f"Chromium not found at {CHROMIUM}. The browser tests drive Debian's Chromium and never "
    "download one: install it with `sudo apt-get install chromium` (or run "
    "`sh scripts/ensure-chromium.sh`), or point MW_CHROMIUM at a Chromium binary."
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Remember each phase's outcome so the page fixture can screenshot a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"mw_rep_{report.when}", report)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is missing")
    return CHROMIUM


def built_once(tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str,
               build: Callable[[Path], Path]) -> Path:
    """``build(folder)``, run once per test run however many workers need it; each worker
    gets its own copy (tests may change what they are given).

    ``make test`` runs the browser files in several workers, and each would otherwise grade
    its own course: the same seconds of work, done again in each worker.

    Returns the copy of what ``build`` returned (a path inside ``folder``).
    """
    mine = tmp_path_factory.mktemp(name)
    if worker_id == "master":  # not under xdist: nobody to share with
        return build(mine)
    from filelock import FileLock

    run = tmp_path_factory.getbasetemp().parent  # the same for every worker of this run
    built, done = run / f"shared-{name}", run / f"shared-{name}.done"
    with FileLock(str(run / f"shared-{name}.lock")):
        if not done.is_file():
            shutil.rmtree(built, ignore_errors=True)
            built.mkdir()
            done.write_text(str(build(built).relative_to(built)), encoding="utf-8")
    shutil.copytree(built, mine, symlinks=True, dirs_exist_ok=True)
    return mine / done.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path,
            worker_id: str) -> Path:
    """The released notebooks, made with nbgrader from this checkout's source notebooks."""
    from .labdriver import generate_release

    return built_once(tmp_path_factory, worker_id, "course", generate_release)


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory, release: Path) -> Iterator[LabServer]:
    from .labdriver import LabServer

    server = LabServer(tmp_path_factory.mktemp("lab"), release)
    server.start()
    try:
        yield server
    finally:
        server.stop()


#: How long an ``expect(...)`` waits for the page to show what it should (Playwright's default
#: is 5 s). A participant's action goes browser → kernel → journal → back to the screen; with
#: three workers, the hub and kernel pools sharing two cores, one such round once took longer
#: than 5 s (a third shortlist card not drawn in time). A wait ends as soon as the page is
#: right, so a longer limit costs nothing when the page is.
EXPECT_TIMEOUT_MS = 20_000


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Browser]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Browser, lab: LabServer,
            request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    """A fresh browser context per test; on failure a screenshot of every page it opened."""
    from .labdriver import ARTIFACTS, slug

    ctx = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    ctx.set_default_timeout(30_000)
    try:
        yield ctx
    finally:
        report = getattr(request.node, "mw_rep_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for i, page in enumerate(ctx.pages):
                # The page may already be gone; the failure report says why.
                with contextlib.suppress(Exception):
                    name = f"FAILED-{slug(request.node.name)}-{i}.png"
                    page.screenshot(path=str(ARTIFACTS / name))
        ctx.close()
        lab.shutdown_sessions()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


# ------------------------------------------------------------------ the facilitator's side


@pytest.fixture(scope="session")
def facilitator_course(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path,
                       worker_id: str) -> Path:
    """A small autograded course from the sample cohort (see ``facilitator_course.py``)."""
    from .facilitator_course import build

    return built_once(tmp_path_factory, worker_id, "facilitator", build)


@pytest.fixture(scope="session")
def facilitator_lab(tmp_path_factory: pytest.TempPathFactory,
                    facilitator_course: Path) -> Iterator[LabServer]:
    """``jupyter lab`` started in the course folder, as a facilitator runs it for formgrader."""
    from .labdriver import LabServer

    server = LabServer(tmp_path_factory.mktemp("facilitator-lab"),
                       facilitator_course / "release", root=facilitator_course)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def facilitator_page(browser: Browser, facilitator_lab: LabServer,
                     request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context on the facilitator's server; as ``context`` otherwise."""
    from .labdriver import ARTIFACTS, slug

    ctx = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    ctx.set_default_timeout(30_000)
    try:
        yield ctx.new_page()
    finally:
        report = getattr(request.node, "mw_rep_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for i, page in enumerate(ctx.pages):
                with contextlib.suppress(Exception):
                    name = f"FAILED-{slug(request.node.name)}-{i}.png"
                    page.screenshot(path=str(ARTIFACTS / name))
        ctx.close()
        facilitator_lab.shutdown_sessions()

