"""The one registry of steps: everything else is derived from it and agrees with it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from mentor_workshop.core import checks, curriculum
from mentor_workshop.core.content.step_models import WelcomeContent
from mentor_workshop.core.criteria.before_the_ask import check_welcome
from mentor_workshop.core.steps import STEPS, Step, StepRegistry
from mentor_workshop.participant.widgets import exercise

ROOT = Path(__file__).resolve().parent.parent


def test_content_ids_notebooks_and_registry_agree() -> None:
    cur = curriculum.load()
    assert [s.id for s in cur.steps] == list(STEPS.ids())
    for step in cur.steps:
        assert isinstance(step.content, STEPS[step.id].content)
        assert (ROOT / "notebooks" / f"{step.id}.ipynb").is_file()


def test_derived_tables_come_from_the_registry() -> None:
    assert STEPS.checks() == checks.CHECKS
    assert STEPS.content_models() == curriculum.CONTENT_MODELS
    assert STEPS.ids() == curriculum.STEP_IDS


@pytest.mark.parametrize("step_id", STEPS.ids())
def test_each_step_has_a_widget_module_and_a_check(step_id: str, tmp_path: Path) -> None:
    module = importlib.import_module(
        f"mentor_workshop.participant.widgets.{STEPS[step_id].widgets}")
    assert "" in module.EXERCISES or step_id == "00_welcome"
    assert exercise(step_id) is module.EXERCISES[""]
    result = checks.check(step_id, tmp_path / "journal.json")
    assert result.step_id == step_id and result.criteria and not result.passed


def test_prefixes_are_distinct_and_every_step_has_one() -> None:
    prefixes = STEPS.prefixes()
    assert len(set(prefixes.values())) == len(prefixes)
    assert [s for s in STEPS if s not in prefixes] == []


def test_a_step_cannot_be_registered_twice_or_share_a_prefix() -> None:
    registry = StepRegistry()
    registry.register(Step("00_welcome", "welcome.", WelcomeContent, check_welcome, "welcome"))
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(Step("00_welcome", "other.", WelcomeContent, check_welcome, "welcome"))
    with pytest.raises(ValueError, match="already used"):
        registry.register(Step("99_new", "welcome.", WelcomeContent, check_welcome, "welcome"))
    assert registry.ids() == ("00_welcome",)


def test_unknown_step_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="01_shortlist"):
        STEPS["01_shortlst"]
