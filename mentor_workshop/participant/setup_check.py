"""Is this machine ready for the workshop? One line per thing that must work, PASS or FAIL.

Why a check at all: in a live session, a participant whose widgets do not draw or whose journal
cannot be written loses the first half hour, and usually finds out only when an answer vanishes.
Running these checks in the welcome notebook surfaces every such problem while a facilitator is
still free to help, with a line that says what is wrong and what to do about it.

Every check runs here in the kernel except one: whether the browser actually drew the widgets.
Only the browser knows that, so :func:`run_checks` reports it as *waiting* and the welcome
notebook's widget turns it into a PASS when JupyterLab reports a drawn view (see
:mod:`mentor_workshop.participant.widgets.welcome`). Under headless execution it simply
stays waiting.

Nothing here raises: a check that breaks is itself reported as a FAIL with the reason, because
a traceback is the one thing a nervous participant must not see in the first notebook.
"""

from __future__ import annotations

import html
import os
import re
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from mentor_workshop.core.journal import Journal, JournalError
from mentor_workshop.core.steps import STEPS

#: Journal key the writability check really saves to and reads back.
PROBE_KEY = "welcome.setup_check"

#: Smallest Python the kit supports.
MIN_PYTHON = (3, 11)

#: (distribution, human name, the version prefix the kit is built against).
PACKAGES: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("jupyterlab", "JupyterLab", (4,)),
    ("ipywidgets", "ipywidgets", (8,)),
    ("nbgrader", "nbgrader", (0, 9)),
    ("papermill", "papermill", (2,)),
)

#: How many steps the workshop has; fewer means the content folder is incomplete.
EXPECTED_STEPS = len(STEPS)

#: Id of the one check only the browser can answer.
WIDGETS_ID = "widgets"
WAITING_TEXT = "waiting for the browser to draw this…"


@dataclass(frozen=True)
class Item:
    """One line of the setup check.

    ``passed`` is True (PASS), False (FAIL) or None (still waiting — only the browser check can
    wait, and waiting is not a failure).
    """

    name: str
    passed: bool | None
    detail: str
    id: str = ""

    @property
    def word(self) -> str:
        """The state in words, so it never depends on colour or an icon alone."""
        return {True: "PASS", False: "FAIL", None: "WAITING"}[self.passed]

    @property
    def icon(self) -> str:
        """✔, ✘ or ⏳ for PASS, FAIL or WAITING."""
        return {True: "✔", False: "✘", None: "⏳"}[self.passed]

    def line(self) -> str:
        """The item as one plain-text line: icon, word, name and detail."""
        return f"{self.icon} {self.word} — {self.name}: {self.detail}"


# ------------------------------------------------------------------------------ single checks


def check_python(version: tuple[int, ...] | None = None) -> Item:
    """Whether the kernel runs at least ``MIN_PYTHON``.

    Parameters
    ----------
    version : tuple of int, optional
        The version to judge; the running interpreter's when omitted (tests pass one).

    Returns
    -------
    Item
        PASS naming the version, or FAIL saying how to change the kernel.
    """
    have = tuple(version or sys.version_info[:3])
    shown = ".".join(str(p) for p in have)
    need = ".".join(str(p) for p in MIN_PYTHON)
    name = f"Python {need} or newer"
    if have[:2] >= MIN_PYTHON:
        return Item(name, True, f"Python {shown} is running this notebook.", "python")
    return Item(
        name, False,
        f"This notebook runs Python {shown}. Choose a Python {need}+ kernel (Kernel → Change "
        "Kernel…), or ask your facilitator which environment to use.",
        "python",
    )


def _leading_numbers(version: str) -> tuple[int, ...]:
    match = re.match(r"(\d+)(?:\.(\d+))?", version)
    if not match:
        return ()
    return tuple(int(g) for g in match.groups() if g is not None)


def check_package(
    dist: str,
    label: str,
    wanted: tuple[int, ...],
    version_of: Callable[[str], str] = metadata.version,
) -> Item:
    """Whether a package is installed in the major (and minor) version the kit is built for.

    Parameters
    ----------
    dist : str
        The distribution name, e.g. ``"ipywidgets"``.
    label : str
        How the package is named to the participant.
    wanted : tuple of int
        The version prefix required, e.g. ``(0, 9)``.
    version_of : callable, default ``importlib.metadata.version``
        Looks up an installed version; tests pass a fake.

    Returns
    -------
    Item
        PASS with the installed version, or FAIL with the ``pip install`` line that fixes it.
    """
    want = ".".join(str(p) for p in wanted)
    name = f"{label} {want}"
    fix = f"Ask your facilitator, or run: pip install \"{dist}=={want}.*\""
    try:
        found = version_of(dist)
    except metadata.PackageNotFoundError:
        return Item(name, False, f"{label} is not installed. {fix}", dist)
    if _leading_numbers(found)[: len(wanted)] == wanted:
        return Item(name, True, f"{label} {found} is installed.", dist)
    return Item(name, False, f"{label} {found} is installed, but the workshop needs {want}. {fix}",
                dist)


def check_journal(journal: Journal) -> Item:
    """A real save and read-back: the only proof that answers will survive a restart.

    Parameters
    ----------
    journal : Journal
        The journal to write ``PROBE_KEY`` into.

    Returns
    -------
    Item
        PASS, FAIL with the reason, or WAITING while nbgrader grades (nothing is written then).
    """
    name = "Your answers can be saved"
    if os.environ.get("NBGRADER_EXECUTION"):
        # Grading must never change a participant's journal, so the save test is skipped.
        return Item(name, None, "Not tested while your work is being graded.", "journal")
    token = {"checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
             "token": uuid.uuid4().hex[:12]}
    try:
        journal.save(PROBE_KEY, token)
        back = journal.load(PROBE_KEY)
    except (JournalError, OSError) as exc:
        return Item(name, False, f"Saving to {journal.path} failed: {exc}", "journal")
    if back != token:
        return Item(
            name, False,
            f"A test answer was saved to {journal.path} but did not read back the same. Another "
            "program may be changing the file; close other copies of the workshop and try again.",
            "journal",
        )
    return Item(name, True, f"A test answer was saved to {journal.path} and read back.", "journal")


def check_curriculum() -> Item:
    """Whether the workshop content loads and has all ``EXPECTED_STEPS`` steps.

    Returns
    -------
    Item
        PASS, or FAIL with the first line of the problem and the command that lists them all.
    """
    name = "Workshop content loads"
    try:
        from mentor_workshop.core import curriculum

        steps = curriculum.load().steps
    except Exception as exc:  # a CurriculumError lists file and line; anything else, its reason
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Item(
            name, False,
            f"The workshop content could not be read ({first}). Tell your facilitator; they can "
            "run: python -m mentor_workshop.curriculum",
            "curriculum",
        )
    if len(steps) != EXPECTED_STEPS:
        return Item(name, False,
                    f"Found {len(steps)} steps instead of {EXPECTED_STEPS}. Tell your facilitator.",
                    "curriculum")
    return Item(name, True, f"All {len(steps)} steps are ready.", "curriculum")


def widgets_item(drawn: bool | None = None) -> Item:
    """The browser check; ``drawn`` comes from the widget's view count (None: not known yet).

    Parameters
    ----------
    drawn : bool, optional
        Whether JupyterLab reported a drawn view of the check's widget.

    Returns
    -------
    Item
        PASS when drawn, otherwise WAITING (never FAIL: the kernel cannot tell).
    """
    name = "Interactive boxes appear in your browser"
    if drawn:
        return Item(name, True, "JupyterLab drew the interactive boxes.", WIDGETS_ID)
    return Item(name, None, WAITING_TEXT, WIDGETS_ID)


def _safely(item_id: str, name: str, fn: Callable[[], Item]) -> Item:
    try:
        return fn()
    except Exception as exc:
        return Item(name, False, f"The check itself failed ({type(exc).__name__}: {exc}). "
                    "Tell your facilitator.", item_id)


# ------------------------------------------------------------------------------ all together


def run_checks(journal: Journal | str | os.PathLike[str]) -> list[Item]:
    """Every setup check, in the order a facilitator would fix them.

    The widget check is returned as waiting; only a browser can turn it into a PASS.

    Parameters
    ----------
    journal : Journal or path-like
        The participant's journal, or the path of one.

    Returns
    -------
    list of Item
        Python, each of ``PACKAGES``, the journal, the content, then the browser check; a check
        that raised is a FAIL item, never an exception.
    """
    if not isinstance(journal, Journal):
        journal = Journal(Path(journal))
    items = [_safely("python", "Python", check_python)]
    for dist, label, wanted in PACKAGES:
        def one(d: str = dist, lb: str = label, v: tuple[int, ...] = wanted) -> Item:
            return check_package(d, lb, v)

        items.append(_safely(dist, label, one))
    items.append(_safely("journal", "Your answers can be saved", lambda: check_journal(journal)))
    items.append(_safely("curriculum", "Workshop content loads", check_curriculum))
    items.append(widgets_item())
    return items


def mark_drawn(items: Iterable[Item]) -> list[Item]:
    """The same items with the browser check turned to PASS.

    Parameters
    ----------
    items : iterable of Item
        Items from :func:`run_checks`.

    Returns
    -------
    list of Item
        A new list; the other items are unchanged.
    """
    return [widgets_item(True) if i.id == WIDGETS_ID else i for i in items]


def headline(items: list[Item]) -> str:
    """One sentence summing up the checks: how many fail, are waiting, or that all pass.

    Parameters
    ----------
    items : list of Item
        The check results.

    Returns
    -------
    str
        The summary, starting with an icon and always saying the state in words.
    """
    failed = sum(i.passed is False for i in items)
    waiting = sum(i.passed is None for i in items)
    if failed:
        return (f"✘ {failed} of {len(items)} checks FAIL. Each FAIL line says what to do; "
                "your facilitator can help.")
    if waiting:
        return (f"⏳ {len(items) - waiting} of {len(items)} checks PASS; {waiting} still waiting "
                "for your browser.")
    return f"✔ All {len(items)} checks PASS. You are ready to start."


def items_html(items: list[Item]) -> str:
    """The result as HTML, one line per item; every state in words as well as an icon.

    Parameters
    ----------
    items : list of Item
        The check results.

    Returns
    -------
    str
        Escaped HTML; each ``<li>`` carries ``data-item`` and ``data-state`` for browser tests.
    """
    rows = []
    for item in items:
        state = {True: "pass", False: "fail", None: "waiting"}[item.passed]
        rows.append(
            f'<li class="mw-setup-item mw-setup-{state}" data-item="{html.escape(item.id)}" '
            f'data-state="{item.word}"><strong>{item.icon} {item.word}</strong> — '
            f"{html.escape(item.name)}: {html.escape(item.detail)}</li>"
        )
    return (f'<div class="mw-setup" role="status"><p><strong>{html.escape(headline(items))}'
            f'</strong></p><ul class="mw-setup-list">{"".join(rows)}</ul></div>')


def report(items: list[Item]) -> str:
    """Plain text, for a terminal or a log.

    Parameters
    ----------
    items : list of Item
        The check results.

    Returns
    -------
    str
        The headline, then one line per item.
    """
    return "\n".join([headline(items), *(i.line() for i in items)])


__all__ = [
    "PROBE_KEY",
    "Item",
    "check_curriculum",
    "check_journal",
    "check_package",
    "check_python",
    "headline",
    "items_html",
    "mark_drawn",
    "report",
    "run_checks",
    "widgets_item",
]
