"""Scenario: a participant logs into the shared hub in Chromium, works a step and submits.

A real hub (``mentor-workshop hub setup`` and ``start``, as root) with one participant: they
type the code from their login card, land in JupyterLab with the workshop already fetched,
fill in step 00, and hand in from nbgrader's Assignments panel. The hand-in must appear in the
exchange under their roster id with their journal in it. Skipped unless root.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from .labdriver import ROOT, NotebookPage, type_like_a_person, wait_for_journal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.hub,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0,
                       reason="the hub creates Unix accounts: run it as root"),
    pytest.mark.skipif(shutil.which("npm") is None, reason="the hub needs npm"),
    pytest.mark.timeout(600),
]


class _HubLab:
    """Stands in for the suite's LabServer: notebook URLs on the participant's hub server."""

    def __init__(self, base: str, user: str) -> None:
        self.base, self.user = base, user

    def notebook_url(self, folder: Path, notebook: str, workspace: str) -> str:
        return (f"{self.base}/user/{self.user}/lab/workspaces/{workspace}/tree/"
                f"{folder.name}/{notebook}.ipynb")


@pytest.fixture(scope="module")
def one_person_hub() -> Iterator[dict]:
    import sys

    from mentor_workshop.cli import main
    from mentor_workshop.facilitator.hub import setup_hub, start_hub, teardown_hub
    from mentor_workshop.facilitator.hub.lifecycle import find_state
    from mentor_workshop.facilitator.hub.process import free_port

    sys.path.insert(0, str(ROOT / "tests"))
    from hubclient import wait_for_hub

    base = Path(tempfile.mkdtemp(prefix="mw-hub-browser-", dir="/srv"))
    base.chmod(0o755)
    pid = "b" + secrets.token_hex(2)
    roster = base / "roster.csv"
    roster.write_text(f"id,name,email\n{pid},Bea Person,{pid}@example.org\n", encoding="utf-8")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_welcome.ipynb", notebooks)
    course = base / "course"
    made = False
    try:
        assert main(["init", str(course), "--roster", str(roster), "--notebooks",
                     str(notebooks)]) == 0
        made = True
        setup_hub(course, roster, exchange=base / "exchange", facilitator=f"mw-f{pid}")
        state = find_state(course)
        with open(state / "jupyterhub_config.py", "a", encoding="utf-8") as config:
            # lets the test ask JupyterLab whether the kernel is idle; the page is unchanged
            config.write('\nc.Spawner.args = ["--LabApp.expose_app_in_browser=True"]\n')
        port = free_port()
        start_hub(course, port=port, background=True)
        wait_for_hub(port)
        codes = json.loads((state / "codes.json").read_text())
        yield {"base": f"http://127.0.0.1:{port}", "pid": pid, "user": f"mw-{pid}",
               "code": codes[f"mw-{pid}"], "exchange": base / "exchange"}
    finally:
        if made:
            teardown_hub(course)
        shutil.rmtree(base, ignore_errors=True)


def test_log_in_work_a_step_and_submit(browser: Browser, one_person_hub: dict) -> None:
    hub = one_person_hub
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(60_000)
    try:
        page = ctx.new_page()
        page.goto(f"{hub['base']}/hub/login")
        page.fill("#username_input", hub["user"])
        page.fill("#password_input", hub["code"])
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{hub['user']}/lab**", timeout=180_000)

        nb = NotebookPage(page, _HubLab(hub["base"], hub["user"]),  # type: ignore[arg-type]
                          Path("mentor_workshop"), "00_welcome").open(timeout=180_000)
        nb.run_all()
        type_like_a_person(nb.field("mw-00-name"), "Bea Person")
        nb.field("mw-00-role").fill("Team lead in a library")
        nb.field("mw-00-hopes").fill("To learn how to ask a leader for an hour of advice.")
        home = Path("/home") / hub["user"] / "mentor_workshop"
        wait_for_journal(home, lambda a: a.get("welcome.profile", {}).get("role", "").startswith(
            "Team lead"), what="the profile typed in the browser")

        nb.menu("Nbgrader", "Assignment List")
        submit = page.get_by_role("button", name="Submit").first
        expect(submit).to_be_visible(timeout=60_000)
        submit.click()
        inbound = hub["exchange"] / "course" / "inbound"
        entry = None
        for _ in range(120):
            entry = next((p for p in inbound.iterdir() if p.name.startswith(hub["pid"] + "+")),
                         None)
            if entry is not None and (entry / "timestamp.txt").exists():
                break
            page.wait_for_timeout(500)
        assert entry is not None, "no hand-in arrived in the exchange"
        handed_in = json.loads((entry / "journal.json").read_text())
        assert handed_in["answers"]["welcome.profile"]["name"] == "Bea Person"
        page.screenshot(path=str(ROOT / "tests" / "artifacts" / "hub_submitted.png"))
    finally:
        ctx.close()
