"""Every citation in the content resolves to one entry of ``exercises/references.yaml``, and
participants see readable citations, never keys. Claims the evidence does not support stay out.

Two ways content cites, both checked here: a key, ``[@langer1978]`` (YAML text; the loader
renders it), and, in Markdown a participant or facilitator reads as it is (notebook cells, the
guide), the entry's authors and year, "Langer, Blank & Chanowitz 1978"."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from mentor_workshop.core import curriculum
from mentor_workshop.core.content.references import (
    Reference,
    ReferencesFile,
    keys_in,
    render,
)

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December", "Spring", "Summer", "Autumn",
          "Winter", "Step", "ICWSM"}
# "Surname 2001", "Surname, 2001", "Surname (2001", "Surname et al. 2013": the word before the year
AUTHOR_YEAR = re.compile(r"\b([A-Z][A-Za-z'-]+)(?: et al\.)?,?\s\(?((?:19|20)\d{2})\b")


@pytest.fixture(scope="module")
def references() -> dict[str, Reference]:
    data = yaml.safe_load((EXERCISES / "references.yaml").read_text(encoding="utf-8"))
    return dict(ReferencesFile.model_validate(data).references)


def _notebooks() -> list[Path]:
    """Notebooks 00-10, whose text this suite owns (a newer step brings its own checks)."""
    return [p for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if int(p.name[:2]) <= 10]


def _notebook_markdown() -> dict[str, str]:
    out = {}
    for path in _notebooks():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        out[path.name] = "\n\n".join("".join(c["source"]) for c in cells
                                     if c["cell_type"] == "markdown")
    return out


def _notebook_visible_text() -> dict[str, str]:
    """Markdown and code a participant sees (cell sources, not the nbgrader metadata)."""
    out = {}
    for path in _notebooks():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        out[path.name] = "\n".join("".join(c["source"]) for c in cells)
    return out


def _content_yaml() -> dict[str, str]:
    files = [*sorted((EXERCISES / "steps").glob("*.yaml")), EXERCISES / "curriculum.yaml",
             EXERCISES / "rubric.yaml", EXERCISES / "agenda.yaml",
             EXERCISES / "feedback_rules.yaml"]
    return {p.name: p.read_text(encoding="utf-8") for p in files if p.is_file()}


def _guide() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "facilitator").glob(
        "*.md")) if p.name != "references.md"}  # that page is generated from the file itself


def test_every_citation_key_resolves(references: dict[str, Reference]) -> None:
    used: set[str] = set()
    for name, text in {**_content_yaml(), **_notebook_markdown(), **_guide()}.items():
        for key in keys_in(text):
            assert key in references, f"{name}: [@{key}] is not in references.yaml"
            used.add(key)
        for match in re.finditer(r"^\s*-?\s*ref:\s*(\S+)", text, re.M):
            assert match.group(1) in references, f"{name}: ref {match.group(1)} is unknown"
            used.add(match.group(1))
    assert len(used) >= 15  # the keys are really in use, not only defined


def test_every_author_year_citation_matches_a_reference(
        references: dict[str, Reference]) -> None:
    by_year: dict[int, list[Reference]] = {}
    for ref in references.values():
        by_year.setdefault(ref.year, []).append(ref)
    checked = 0
    for name, text in {**_notebook_markdown(), **_guide(), **_content_yaml()}.items():
        for match in AUTHOR_YEAR.finditer(text):
            surname, year = match.group(1), int(match.group(2))
            if surname in MONTHS:
                continue
            candidates = by_year.get(year, [])
            assert any(surname in ref.authors for ref in candidates), (
                f"{name}: '{match.group(0)}' cites no entry of references.yaml")
            checked += 1
    assert checked >= 30


def test_each_reference_is_complete(references: dict[str, Reference]) -> None:
    for key, ref in references.items():
        assert re.fullmatch(r"[a-z]+\d{4}", key), key
        assert key.startswith(ref.authors[0].lower().replace("-", "")[:5]), key
        assert str(ref.year) in key and 1900 < ref.year < 2100
        assert len(ref.finding.split()) >= 8, f"{key}: say what it found"


def test_keys_render_as_readable_citations(references: dict[str, Reference]) -> None:
    assert render("as shown [@langer1978].", references) == (
        "as shown (Langer, Blank & Chanowitz 1978).")
    assert render("[@flynn2008; @bohns2016]", references) == "(Flynn & Lake 2008; Bohns 2016)"
    assert references["eby2013"].short == "Eby et al. 2013"
    assert render("[@nobody1999]", references) == "[@nobody1999]"  # left for the loader to report


def test_participants_never_see_a_key() -> None:
    cur = curriculum.load(EXERCISES)

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list | tuple):
            return [s for v in value for s in strings(v)]
        return []
    for step in cur.steps:
        texts = strings(step.content.model_dump()) + [e.cite for e in step.evidence]
        assert not [t for t in texts if "[@" in t], step.id
    research = cur.step("02_assumptions").content.calibration.research
    assert "(Flynn & Lake 2008)" in research and "(Bohns 2016)" in research
    langer = next(e for e in cur.step("03_request").evidence if e.ref == "langer1978")
    assert "24% to 42%" in langer.finding and langer.cite.startswith("Langer, Blank & Chanowitz")


def test_an_unknown_key_is_reported_with_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "exercises"
    shutil.copytree(EXERCISES, folder, ignore=shutil.ignore_patterns("sample_cohort"))
    step = folder / "steps" / "04_from_the_heart.yaml"
    step.write_text(step.read_text().replace("How you ask matters",
                                             "How you ask [@smith2099] matters"))
    curriculum_file = folder / "curriculum.yaml"
    curriculum_file.write_text(curriculum_file.read_text().replace("ref: levin2011",
                                                                   "ref: levin2012"))
    with pytest.raises(curriculum.CurriculumError) as info:
        curriculum.load(folder)
    problems = sorted(str(p) for p in info.value.problems)  # both, and nothing else
    assert len(problems) == 2
    assert re.fullmatch(r"exercises/curriculum.yaml, line \d+: steps\[9\].evidence\[0\].ref: "
                        r"unknown reference 'levin2012'; .*", problems[0])
    assert problems[1].startswith("exercises/steps/04_from_the_heart.yaml, line 3: intro: "
                                  "unknown reference '[@smith2099]'")


@pytest.mark.parametrize("phrase", [
    "most no's", "about their diary", "diary than about you", "far more likely to follow through",
    "most people never do", "single best predictor", "hunch is not naive", "slider",
])
def test_unsupported_claims_are_gone(phrase: str) -> None:
    texts = {**_content_yaml(), **_notebook_markdown(), **_guide()}
    if phrase == "hunch is not naive":  # the one claim that lived in a widget's own text
        texts["assumptions.py"] = (ROOT / "mentor_workshop" / "participant" / "widgets" /
                                   "assumptions.py").read_text(encoding="utf-8")
    hits = [name for name, text in texts.items() if phrase in text.lower()]
    assert not hits, f"{phrase!r} still in {hits}"


@pytest.mark.parametrize("jargon", ["papermill", "graded check", "nbgrader", "autograde"])
def test_participant_text_has_no_tool_jargon(jargon: str) -> None:
    texts = {**_notebook_visible_text(),
             **{p.name: p.read_text(encoding="utf-8")
                for p in sorted((EXERCISES / "steps").glob("*.yaml"))}}
    hits = [name for name, text in texts.items() if jargon in text.lower()]
    assert not hits, f"{jargon!r} shown to participants in {hits}"
