"""axe-core, the web's standard accessibility engine, run inside the test's own Chromium.

Why axe and not only the home-made checks: axe-core knows WCAG's rules (names, roles, contrast,
landmarks, language, link styling) far better than a few hand-written queries, and it is what
an auditor would run. It is an npm package, fetched by ``scripts/ensure-axe.sh`` at install time
into the git-ignored ``.axe/`` folder and injected from that file with Playwright; nothing is
loaded from a CDN and nothing touches the network when the tests run.

Two kinds of page:

* JupyterLab pages (:func:`lab_violations`): every rule runs on the whole page, except the
  rules listed in :mod:`axe_rules` ``CHROME_RULES``, which run only on the notebook's cells less
  JupyterLab's parts of them, so they still hold the kit's markdown, widgets and outputs to
  account.
* Pages the kit writes itself (:func:`page_violations`): every rule, no exceptions.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .axe_rules import BLOCKING_IMPACTS, CELL_CHROME, CHROME_RULES, KIT_CONTENT

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_DIR = Path(os.environ.get("MW_AXE_DIR", ROOT / ".axe"))
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"

SKIP_REASON = (
    f"axe-core not found at {AXE_JS}. It comes from npm at install time, never from a CDN: run "
    "`sh scripts/ensure-axe.sh` (which `make test` runs), or point MW_AXE_DIR at a folder where "
    "`npm install --prefix DIR axe-core@4` was run."
)

#: Runs axe-core and returns its violations, trimmed to what a failure message needs.
_RUN_JS = r"""
async ([context, options]) => {
  const result = await window.axe.run(context, options);
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({
      target: n.target.map(t => Array.isArray(t) ? t.join(' >> ') : t).join(' '),
      html: n.html.slice(0, 160),
      why: [...n.any, ...n.all, ...n.none].map(c => c.message).join('; ').slice(0, 300),
    })),
  }));
}
"""


def axe_script() -> Path:
    """The axe-core file to inject; skips the test with instructions when it is missing."""
    if not AXE_JS.is_file():
        pytest.skip(SKIP_REASON)
    return AXE_JS


def _inject(page: Page) -> None:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script()))


#: What the axe runs of this session cost (printed by the sweep, to keep an eye on its price).
COST = {"runs": 0, "seconds": 0.0}


def _run(page: Page, context: Any, options: dict[str, Any]) -> list[dict[str, Any]]:
    start = time.perf_counter()
    _inject(page)
    options = {"resultTypes": ["violations"], **options}
    violations = page.evaluate(_RUN_JS, [context, options])
    COST["runs"] += 1
    COST["seconds"] += time.perf_counter() - start
    return violations


def page_violations(page: Page) -> list[dict[str, Any]]:
    """Every axe-core violation on a page the kit wrote, with no rule switched off.

    Pages the kit writes may carry a Content-Security-Policy that forbids inline scripts; open
    them in a browser context made with ``bypass_csp=True`` so axe can be injected.
    """
    return _run(page, {"exclude": []}, {})


def lab_violations(page: Page) -> list[dict[str, Any]]:
    """Every axe-core violation on a JupyterLab page, JupyterLab's own chrome excepted.

    Two runs: every rule but those in ``CHROME_RULES`` on the whole page, then those rules on
    the notebook's cells with JupyterLab's parts of a cell (``CELL_CHROME``) excluded, so
    everything the kit draws is checked by every rule.
    """
    off = {rule: {"enabled": False} for rule in CHROME_RULES}
    everywhere = _run(page, {"exclude": []}, {"rules": off})
    if not CHROME_RULES:
        return everywhere
    outside_chrome = _run(page, {"include": [[KIT_CONTENT]],
                                 "exclude": [[sel] for sel in CELL_CHROME]},
                          {"runOnly": {"type": "rule", "values": sorted(CHROME_RULES)}})
    return everywhere + outside_chrome


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The violations that fail the sweep: impact serious or critical."""
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def describe(where: str, violations: list[dict[str, Any]], limit: int = 6) -> str:
    """A readable failure message: each rule, its help text and where it fires."""
    lines = []
    for v in violations:
        lines.append(f"{where}: {v['id']} ({v['impact']}) — {v['help']}")
        for node in v["nodes"][:limit]:
            lines.append(f"    {node['target']}: {node['why']}\n      {node['html']}")
        if len(v["nodes"]) > limit:
            lines.append(f"    … and {len(v['nodes']) - limit} more")
    return "\n".join(lines)


def summary(violations: list[dict[str, Any]]) -> str:
    """One line per rule with its count, for the log of non-blocking findings."""
    return json.dumps({v["id"]: [v["impact"], len(v["nodes"])] for v in violations})
