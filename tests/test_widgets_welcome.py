"""Step 00 widgets: the profile saves as you type and survives a restart; the setup check waits
for the browser and turns green when JupyterLab reports a drawn view."""

from __future__ import annotations

import json
from pathlib import Path

import ipywidgets as w
import pytest
from conftest import FIND_SRC, descendants, inputs, on_disk, one

from mentor_workshop.core.journal import Journal
from mentor_workshop.participant.setup_check import PROBE_KEY, WAITING_TEXT
from mentor_workshop.participant.widgets import exercise
from mentor_workshop.participant.widgets.welcome import Profile, SetupCheck


def test_registry_names() -> None:
    assert exercise("00_welcome") is Profile
    assert exercise("00_welcome.setup") is SetupCheck


def test_profile_saves_as_typed_and_restores(journal_path: Path, fresh_kernel) -> None:
    root = Profile(journal_path).widget()
    one(root, "mw-00-name").value = "Priya Shah"
    one(root, "mw-00-role").value = "Product manager"
    one(root, "mw-00-hopes").value = "Advice on leading a team for the first time"
    assert on_disk(journal_path)["welcome.profile"] == {
        "name": "Priya Shah", "role": "Product manager",
        "hopes": "Advice on leading a team for the first time",
    }
    for css in ("mw-00-name", "mw-00-role", "mw-00-hopes"):
        box = one(root, css)
        assert box.description, f"{css} needs a visible label"
        assert box.continuous_update is True

    out = fresh_kernel.run(FIND_SRC + '''
from mentor_workshop.participant.widgets.welcome import Profile
root = Profile("journal.json").widget()
print(json.dumps({c: find(root, c)[0].value for c in ("mw-00-name", "mw-00-role", "mw-00-hopes")}))
''')
    assert json.loads(out) == {"mw-00-name": "Priya Shah", "mw-00-role": "Product manager",
                               "mw-00-hopes": "Advice on leading a team for the first time"}


def test_name_prefilled_from_the_roster(journal_path: Path) -> None:
    Journal(journal_path).set_participant(id="p01", name="Amara Osei")
    root = Profile(journal_path).widget()
    assert one(root, "mw-00-name").value == "Amara Osei"
    # saved, so the self-check agrees with what the participant sees
    assert on_disk(journal_path)["welcome.profile"]["name"] == "Amara Osei"


def test_typed_name_wins_over_the_roster(journal_path: Path) -> None:
    journal = Journal(journal_path)
    journal.set_participant(name="Amara Osei")
    journal.save("welcome.profile", {"name": "Mara", "role": "", "hopes": ""})
    assert one(Profile(journal_path).widget(), "mw-00-name").value == "Mara"


def test_oversized_answer_gets_a_friendly_message(journal_path: Path) -> None:
    ex = Profile(journal_path)
    root = ex.widget()
    one(root, "mw-00-name").value = "Priya"
    one(root, "mw-00-hopes").value = "word " * 250_000  # > 1 MB once saved
    assert "Not saved" in ex.status.value and "Shorten it" in ex.status.value
    assert "Traceback" not in ex.status.value
    assert on_disk(journal_path)["welcome.profile"]["name"] == "Priya"
    assert on_disk(journal_path)["welcome.profile"]["hopes"] == ""


def test_grading_mode_shows_a_summary_and_writes_nothing(
        journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Journal(journal_path).save("welcome.profile", {"name": "<script>x</script>", "role": "PM",
                                                   "hopes": ""})
    before = journal_path.read_bytes()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    html = Profile(journal_path).summary_html()
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
    assert "Your role" in html and "(not answered)" in html
    Profile(journal_path).show()
    root = Profile(journal_path).widget()
    one(root, "mw-00-role").value = "changed while grading"
    setup = SetupCheck(journal_path)
    setup.show()
    assert "Last successful save test" in setup.summary_html()
    assert journal_path.read_bytes() == before


def test_setup_check_waits_then_passes_when_drawn(journal_path: Path) -> None:
    ex = SetupCheck(journal_path)
    root = ex.widget()
    results = one(root, "mw-00-setup")
    assert results._view_count == 0  # JupyterLab counts views only when this starts at 0
    assert WAITING_TEXT in results.value and "WAITING" in results.value
    assert "FAIL" not in results.value
    assert results.value.count("✔ PASS") == 7
    assert PROBE_KEY in on_disk(journal_path)

    results._view_count = 1  # what JupyterLab sends once it has drawn the view
    assert WAITING_TEXT not in results.value
    assert results.value.count("✔ PASS") == 8
    assert "All 8 checks PASS" in results.value
    assert ex.items[-1].passed is True

    one(root, "mw-00-setup-rerun").click()  # a re-run remembers the browser already drew it
    assert "All 8 checks PASS" in one(root, "mw-00-setup").value


def test_setup_check_lists_what_to_confirm_by_hand(journal_path: Path) -> None:
    from mentor_workshop.core import curriculum

    labels = [i.label for i in curriculum.load().step("00_welcome").content.setup_check]
    assert labels
    root = SetupCheck(journal_path).widget()
    text = " ".join(c.value for c in descendants(root) if isinstance(c, w.HTML))
    for label in labels:
        assert label in text



def test_every_input_has_a_label_and_a_class(journal_path: Path) -> None:
    boxes = inputs(Profile(journal_path).widget())
    assert [c for box in boxes for c in box._dom_classes if c.startswith("mw-00-")] == [
        "mw-00-name", "mw-00-role", "mw-00-hopes"]
    for box in boxes:
        assert box.description, f"{type(box).__name__} has no label"
    setup = SetupCheck(journal_path).widget()
    assert inputs(setup) == []  # nothing to type: the checks run themselves
    assert one(setup, "mw-00-setup-rerun").description
