"""The Content-Security-Policy every kit page carries, tested where it counts: in Chromium.

A page with an inline script, an image, a style sheet, a prefetch and a CSS background pointing
at the network is opened twice: without the policy the browser runs the script and sends the
requests (so the test can fail), with ``harden_page`` it does neither.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mentor_workshop.core.safe_html import harden_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

#: Nothing listens there (the discard port): a request sent there fails as refused.
BEACON = "http://127.0.0.1:9/beacon"


def _page() -> str:
    return ("<!DOCTYPE html><html><head><title>t</title>"
            f"<link rel='stylesheet' href='{BEACON}/css'>"
            f"<link rel='prefetch' href='{BEACON}/pre'></head><body><p id='text'>Kept</p>"
            f"<script>window.__ran = 1; fetch('{BEACON}/fetch').catch(() => 0);</script>"
            f"<img src='{BEACON}/img'><div style=\"background: url('{BEACON}/bg')\">x</div>"
            "</body></html>")


def test_hardened_pages_run_no_script_and_fetch_nothing(browser, tmp_path: Path) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        failed: dict[str, str] = {}  # Chromium reports a request its policy stopped as "csp"
        page.on("requestfailed", lambda request: failed.update({request.url: request.failure}))
        plain, hardened = tmp_path / "plain.html", tmp_path / "hardened.html"
        plain.write_text(_page(), encoding="utf-8")
        hardened.write_text(harden_page(_page()), encoding="utf-8")

        page.goto(plain.as_uri())
        page.wait_for_timeout(500)
        assert page.evaluate("() => window.__ran") == 1  # the test can fail:
        assert {u: f for u, f in failed.items() if f != "csp"}  # these were really sent

        failed.clear()
        page.goto(hardened.as_uri())
        page.wait_for_timeout(500)
        assert page.evaluate("() => window.__ran") is None
        assert page.text_content("#text") == "Kept"
        assert set(failed) >= {f"{BEACON}/img", f"{BEACON}/css", f"{BEACON}/bg"}
        assert set(failed.values()) == {"csp"}  # every one stopped before it left
    finally:
        context.close()
