"""The read-only journal view that status and the report check journals through."""

from __future__ import annotations

import json

import pytest

from mentor_workshop.core.checks import check
from mentor_workshop.core.curriculum import load
from mentor_workshop.core.journal import Journal, JournalError, UnreadableJournal
from mentor_workshop.core.journal_view import JournalView, view_of
from tests.journals import complete_answers, partial_answers


def _write(path, answers, participant=None):
    path.write_text(json.dumps({"schema_version": 1, "participant": participant or {},
                                "answers": answers, "saved_at": {"request.draft": "2026-01-01"}}),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("answers", [complete_answers(), partial_answers(), {}])
def test_checks_through_a_view_agree_with_checks_through_the_journal(tmp_path, answers):
    path = _write(tmp_path / "journal.json", answers)
    view, content = view_of(path), load()
    for step in (s.id for s in content.steps):
        via_view = check(step, view, content=content)
        via_journal = check(step, Journal(path))
        assert via_view.score == via_journal.score, step
        assert via_view.passed == via_journal.passed, step


def test_reading_through_a_view_never_writes(tmp_path):
    path = _write(tmp_path / "journal.json", complete_answers(), {"id": "p1", "name": "Ada"})
    before = path.read_bytes(), sorted(p.name for p in tmp_path.iterdir())
    view = view_of(path)
    assert view.participant == {"id": "p1", "name": "Ada"}
    assert view.saved_at("request.draft") == "2026-01-01"
    assert view.saved_at("tone.revision") is None
    assert view.load("nothing.here", "default") == "default"
    assert set(view.all()) == set(complete_answers())
    for step in (s.id for s in load().steps):
        check(step, view)
    assert (path.read_bytes(), sorted(p.name for p in tmp_path.iterdir())) == before


def test_a_damaged_file_is_reported_and_left_where_it_is(tmp_path):
    path = tmp_path / "journal.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(UnreadableJournal):
        view_of(path)
    assert path.read_text(encoding="utf-8") == "{not json"


def test_bad_keys_are_refused_like_the_journal_refuses_them():
    view = JournalView({"answers": {}})
    with pytest.raises(JournalError):
        view.load("../etc/passwd")


def test_odd_sections_read_as_empty():
    view = JournalView({"answers": [], "saved_at": "x", "participant": None})
    assert view.all() == {} and view.participant == {} and view.saved_at("a.b") is None
