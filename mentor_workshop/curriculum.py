"""The workshop's content, loaded from ``exercises/`` and checked before anyone sees it.

Why: the content is YAML that facilitators adapt by hand. A typo must come back as
"file, line, field: what to fix" when the facilitator runs
``python -m mentor_workshop.curriculum DIR`` — never as a traceback in a participant's notebook
halfway through a live session. So every file is parsed with PyYAML's composer (which keeps the
line of every node), validated by strict pydantic models (``extra="forbid"`` catches misspelt
keys), and each pydantic error location is mapped back to the YAML node it came from.

Layout of the per-step content models: one ``*Content`` class per step id (see
``CONTENT_MODELS``), built from small shared pieces (``TextField``, ``Prompt``, ``BankItem``...).
Rules that span several items (unique ids, exactly one best option...) live in each model's
``problems()`` so they can point at the exact item at fault.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
    ValidationError,
    field_validator,
)

from mentor_workshop import resources

STEP_IDS: tuple[str, ...] = (
    "00_welcome",
    "01_shortlist",
    "02_assumptions",
    "03_request",
    "04_from_the_heart",
    "05_vulnerability_confidence",
    "06_be_gracious",
    "07_rejection",
    "08_two_way",
    "09_lead_from_within",
    "10_my_plan",
)
CHANNEL_IDS: tuple[str, ...] = ("in_person", "email", "phone", "letter")
SCAFFOLD_IDS: tuple[str, ...] = ("who_i_am", "why_you", "the_ask", "the_time", "thanks")
SCENARIO_IDS: tuple[str, ...] = ("not_now", "too_busy", "silence", "referral")
TONES: tuple[str, ...] = ("needy", "balanced", "overconfident")

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
Issue = tuple[Loc, str]

# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, located precisely enough to fix without hunting."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class CurriculumError(ValueError):
    """The exercises folder has problems; ``str()`` lists each as "file, line N: field: message"."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    # Convenience for the common single-problem case (and for tests).
    @property
    def file(self) -> str:
        return self.problems[0].file

    @property
    def line(self) -> int | None:
        return self.problems[0].line

    @property
    def field(self) -> str:
        return self.problems[0].field


# ---------------------------------------------------------------------------------------------
# Shared model pieces
# ---------------------------------------------------------------------------------------------

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,64}$")]


class _Model(BaseModel):
    # Frozen: one cached instance is shared by every widget in the kernel.
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextField(_Model):
    """A text box: its label, the greyed example inside it, and a line of help below."""

    label: Text
    placeholder: str = ""
    help: str = ""


class Prompt(_Model):
    """A control that needs a label and optional help but no placeholder (checkbox, picker)."""

    label: Text
    help: str = ""


class ScaleField(_Model):
    """A 1–5 rating; ``low`` and ``high`` say what 1 and 5 mean so ratings are comparable."""

    label: Text
    help: str = ""
    low: Text
    high: Text


class BankItem(_Model):
    id: Id
    text: Text


class LabelledItem(_Model):
    id: Id
    label: Text


class Reflection(_Model):
    """The step's reflection question; ``idea`` tells graders what the rubric's step_evidence
    criterion looks for in this step."""

    prompt: Text
    hints: list[Text] = Field(min_length=1)
    idea: Text


def _path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _duplicate_ids(items: Sequence[Any], prefix: Loc, attr: str = "id") -> Iterator[Issue]:
    seen: dict[Any, int] = {}
    for i, item in enumerate(items):
        value = getattr(item, attr)
        if value in seen:
            yield (
                (*prefix, i, attr),
                f"duplicate {attr} '{value}' (already used by {_path((*prefix, seen[value]))}); "
                f"each {attr} must be unique in this list",
            )
        else:
            seen[value] = i


def _duplicate_texts(items: Sequence[str], prefix: Loc) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    for i, text in enumerate(items):
        key = text.casefold()
        if key in seen:
            yield (*prefix, i), f"repeats {_path((*prefix, seen[key]))}; remove one of them"
        else:
            seen[key] = i


def _exact_ids(items: Sequence[Any], prefix: Loc, expected: Sequence[str]) -> Iterator[Issue]:
    yield from _duplicate_ids(items, prefix)
    present = {item.id for item in items}
    missing = [e for e in expected if e not in present]
    if missing:
        yield prefix, (
            f"missing {', '.join(repr(m) for m in missing)}; "
            f"this list needs exactly the ids {', '.join(expected)}"
        )


class StepContent(_Model):
    """What every step file has: a short framing for the notebook and a reflection."""

    intro: Text
    reflection: Reflection

    def problems(self) -> Iterator[Issue]:
        """Rules spanning several items; each issue carries the location of the item at fault."""
        yield from ()


# ---------------------------------------------------------------------------------------------
# Per-step content models
# ---------------------------------------------------------------------------------------------


class WelcomeFields(_Model):
    name: TextField
    role: TextField
    hopes: TextField


class WelcomeContent(StepContent):
    fields: WelcomeFields
    setup_check: list[LabelledItem] = Field(min_length=1)

    def problems(self) -> Iterator[Issue]:
        yield from _duplicate_ids(self.setup_check, ("setup_check",))


class ShortlistFields(_Model):
    name: TextField
    role: TextField
    why: TextField
    learn: TextField
    reach: TextField
    warmth: ScaleField
    values: ScaleField
    stretch: Prompt


class Weights(_Model):
    values: float = Field(ge=0)
    warmth: float = Field(ge=0)


class ShortlistContent(StepContent):
    fields: ShortlistFields
    weights: Weights
    first_pick: Prompt
    min_leaders: PositiveInt
    specific_reason_min_words: PositiveInt
    generic_reasons: list[Text] = Field(min_length=1)

    def problems(self) -> Iterator[Issue]:
        yield from _duplicate_texts(self.generic_reasons, ("generic_reasons",))


class BeliefFields(_Model):
    belief: TextField
    confidence_before: Prompt
    evidence_for: TextField
    evidence_against: TextField
    rewrite: TextField
    confidence_after: Prompt


class Calibration(_Model):
    question: Text
    research: Text
    typical_guess_note: Text


class AssumptionsContent(StepContent):
    belief_bank: list[BankItem] = Field(min_length=8)
    fields: BeliefFields
    calibration: Calibration
    min_beliefs: PositiveInt

    def problems(self) -> Iterator[Issue]:
        yield from _duplicate_ids(self.belief_bank, ("belief_bank",))


class Channel(_Model):
    id: Literal["in_person", "email", "phone", "letter"]
    label: Text
    pros: list[Text] = Field(min_length=1)
    cons: list[Text] = Field(min_length=1)
    evidence: Text | None = None


class ScaffoldPart(_Model):
    id: Literal["who_i_am", "why_you", "the_ask", "the_time", "thanks"]
    label: Text
    placeholder: str = ""
    hint: Text


class Draft(_Model):
    label: Text
    placeholder: str = ""
    min_words: PositiveInt
    max_words: PositiveInt


class RequestContent(StepContent):
    channel_prompt: Text
    channels: list[Channel]
    scaffold: list[ScaffoldPart]
    draft: Draft

    def problems(self) -> Iterator[Issue]:
        yield from _exact_ids(self.channels, ("channels",), CHANNEL_IDS)
        yield from _exact_ids(self.scaffold, ("scaffold",), SCAFFOLD_IDS)
        order = [p.id for p in self.scaffold]
        if sorted(order) == sorted(SCAFFOLD_IDS) and tuple(order) != SCAFFOLD_IDS:
            first = next(i for i, want in enumerate(SCAFFOLD_IDS) if order[i] != want)
            yield ("scaffold", first, "id"), (
                f"out of order: expected '{SCAFFOLD_IDS[first]}' here "
                f"(the parts go {', '.join(SCAFFOLD_IDS)})"
            )
        if self.draft.min_words >= self.draft.max_words:
            yield ("draft", "min_words"), (
                f"must be smaller than max_words ({self.draft.max_words})"
            )


class HeartFields(_Model):
    work: TextField
    statement: TextField


class Examples(_Model):
    generic: list[Text] = Field(min_length=1)
    specific: list[Text] = Field(min_length=1)


class HeartContent(StepContent):
    fields: HeartFields
    examples: Examples
    min_words: PositiveInt


class SortPhrase(_Model):
    id: Id
    text: Text
    answer: Literal["needy", "balanced", "overconfident"]
    explanation: Text


class Category(_Model):
    label: Text
    description: Text


class ToneCategories(_Model):
    needy: Category
    balanced: Category
    overconfident: Category


class Revision(_Model):
    label: Text
    placeholder: str = ""


class ToneContent(StepContent):
    categories: ToneCategories
    sorting: list[SortPhrase] = Field(min_length=12)
    pass_ratio: float = Field(gt=0, le=1)
    revision: Revision

    def problems(self) -> Iterator[Issue]:
        yield from _duplicate_ids(self.sorting, ("sorting",))
        for tone in TONES:
            count = sum(p.answer == tone for p in self.sorting)
            if count < 2:
                yield ("sorting",), (
                    f"only {count} phrase(s) with answer '{tone}'; keep the deck balanced "
                    "(about a third each, at least 2 of every kind)"
                )


class ThankYou(_Model):
    label: Text
    placeholder: str = ""
    min_words: PositiveInt


class MeetingFields(_Model):
    yes_date: Prompt
    start: Prompt
    timezone: Prompt
    duration_minutes: Prompt
    questions: Prompt


class Meeting(_Model):
    within_days: PositiveInt
    questions: PositiveInt
    default_duration_minutes: PositiveInt
    default_timezone: Text
    suggested_questions: list[Text] = Field(min_length=1)
    fields: MeetingFields

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as 'Europe/London'"
            ) from None
        return value


class GraciousContent(StepContent):
    thank_you: ThankYou
    meeting: Meeting


class Option(_Model):
    id: Id
    text: Text
    best: bool
    explanation: Text


class Scenario(_Model):
    id: Literal["not_now", "too_busy", "silence", "referral"]
    title: Text
    message: Text
    options: list[Option] = Field(min_length=2)


class AskWhy(_Model):
    label: Text
    placeholder: str = ""
    template: Text


class SelfCompassion(_Model):
    reaction_label: Text
    rewrite_label: Text
    hints: list[Text] = Field(min_length=1)


class RejectionContent(StepContent):
    scenarios: list[Scenario]
    why_label: Text
    ask_why: AskWhy
    self_compassion: SelfCompassion
    next_leader: Prompt

    def problems(self) -> Iterator[Issue]:
        yield from _exact_ids(self.scenarios, ("scenarios",), SCENARIO_IDS)
        for i, scenario in enumerate(self.scenarios):
            prefix: Loc = ("scenarios", i, "options")
            yield from _duplicate_ids(scenario.options, prefix)
            best = [j for j, option in enumerate(scenario.options) if option.best]
            if not best:
                yield prefix, "no option has 'best: true'; mark exactly one option as best"
            for j in best[1:]:
                yield (*prefix, j, "best"), (
                    f"more than one option has 'best: true' (also {_path((*prefix, best[0]))}); "
                    "mark exactly one option as best"
                )


class TwoWayFields(_Model):
    cares: TextField
    offers: TextField


class TwoWayContent(StepContent):
    fields: TwoWayFields
    offer_bank: list[BankItem] = Field(min_length=8)
    min_offers: PositiveInt
    prep_checklist: list[BankItem] = Field(min_length=5)

    def problems(self) -> Iterator[Issue]:
        yield from _duplicate_ids(self.offer_bank, ("offer_bank",))
        yield from _duplicate_ids(self.prep_checklist, ("prep_checklist",))


class Rhythm(_Model):
    label: Text
    help: str = ""
    options_weeks: list[PositiveInt] = Field(min_length=1)
    channels: list[Text] = Field(min_length=1)


class DormantTieFields(_Model):
    name: TextField
    why: TextField


class CommitmentFields(_Model):
    action: TextField
    date: TextField


class WithinFields(_Model):
    report_back: TextField
    dormant_tie: DormantTieFields
    commitment: CommitmentFields


class WithinContent(StepContent):
    rhythm: Rhythm
    fields: WithinFields

    def problems(self) -> Iterator[Issue]:
        weeks = self.rhythm.options_weeks
        if weeks != sorted(set(weeks)):
            yield ("rhythm", "options_weeks"), "list each number of weeks once, smallest first"
        yield from _duplicate_texts(self.rhythm.channels, ("rhythm", "channels"))


class PlanSection(_Model):
    id: Id
    title: Text
    from_steps: list[str] = Field(min_length=1)


class PlanContent(StepContent):
    sections: list[PlanSection] = Field(min_length=1)
    missing: Text

    def missing_text(self, number: int, title: str) -> str:
        """The plan's wording for a section whose step is not done yet."""
        return self.missing.format(number=number, title=title)

    def problems(self) -> Iterator[Issue]:
        yield from _duplicate_ids(self.sections, ("sections",))
        for i, section in enumerate(self.sections):
            for j, step_id in enumerate(section.from_steps):
                if step_id not in STEP_IDS:
                    yield ("sections", i, "from_steps", j), (
                        f"unknown step id '{step_id}'; valid ids: {', '.join(STEP_IDS)}"
                    )
        try:
            self.missing_text(3, "Make your request")
        except (KeyError, IndexError, ValueError) as exc:
            yield ("missing",), (
                f"cannot fill in this wording ({exc}); it may use only "
                "{number} (e.g. {number:02d}) and {title}"
            )


CONTENT_MODELS: dict[str, type[StepContent]] = {
    "00_welcome": WelcomeContent,
    "01_shortlist": ShortlistContent,
    "02_assumptions": AssumptionsContent,
    "03_request": RequestContent,
    "04_from_the_heart": HeartContent,
    "05_vulnerability_confidence": ToneContent,
    "06_be_gracious": GraciousContent,
    "07_rejection": RejectionContent,
    "08_two_way": TwoWayContent,
    "09_lead_from_within": WithinContent,
    "10_my_plan": PlanContent,
}

# ---------------------------------------------------------------------------------------------
# curriculum.yaml and rubric.yaml
# ---------------------------------------------------------------------------------------------


class LiveMinutes(_Model):
    framing: NonNegativeInt
    exercise: NonNegativeInt
    discussion: NonNegativeInt
    reflection: NonNegativeInt

    @property
    def total(self) -> int:
        return self.framing + self.exercise + self.discussion + self.reflection


class Evidence(_Model):
    cite: Text
    finding: Text
    secondary: bool = False


class Session(_Model):
    """The live workshop's frame, so a facilitator who stretches a step sees it no longer fits."""

    total_minutes: PositiveInt
    break_minutes: NonNegativeInt = 0
    break_after: str | None = None


class _StepEntry(_Model):
    id: str
    number: NonNegativeInt
    title: Text
    objectives: list[Text] = Field(min_length=2, max_length=4)
    minutes: PositiveInt
    live_minutes: LiveMinutes
    notebook: str
    content: str
    evidence: list[Evidence] = Field(default_factory=list)


class _CurriculumFile(_Model):
    title: Text
    subtitle: str = ""
    session: Session
    steps: list[_StepEntry] = Field(min_length=1)


class Level(_Model):
    points: NonNegativeInt
    label: Text
    description: Text


class Criterion(_Model):
    id: Id
    title: Text
    description: Text
    levels: list[Level] = Field(min_length=2)

    @property
    def max_points(self) -> int:
        return max(level.points for level in self.levels)


class Source(_Model):
    cite: Text
    note: str = ""


class Rubric(_Model):
    """The facilitators' scoring guide for reflections (see CURRICULUM.md)."""

    title: Text
    criteria: list[Criterion] = Field(min_length=1)
    total: PositiveInt
    sources: list[Source] = Field(min_length=1)

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        valid = ", ".join(c.id for c in self.criteria)
        raise KeyError(f"no rubric criterion {criterion_id!r}; valid ids: {valid}")

    def problems(self) -> Iterator[Issue]:
        yield from _duplicate_ids(self.criteria, ("criteria",))
        for i, criterion in enumerate(self.criteria):
            points = [level.points for level in criterion.levels]
            if points != list(range(len(points))):
                yield ("criteria", i, "levels"), (
                    f"levels must score 0, 1, 2 ... in order with no gaps; found {points}"
                )
        added = sum(c.max_points for c in self.criteria)
        if added != self.total:
            yield ("total",), f"is {self.total} but the criteria add up to {added}"


# ---------------------------------------------------------------------------------------------
# The public result
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Step:
    """One step as the notebooks see it: the curriculum.yaml entry joined with its content file."""

    id: str
    number: int
    title: str
    objectives: list[str]
    minutes: int
    live_minutes: LiveMinutes
    notebook: str
    evidence: list[Evidence]
    content: Any  # the step's StepContent subclass, e.g. RequestContent for 03_request
    content_path: Path


@dataclass(frozen=True, eq=False)
class Curriculum:
    """The whole validated workshop; built only when every file passed, so callers never
    need to re-check what they read from it."""

    root: Path
    title: str
    subtitle: str
    session: Session
    steps: list[Step]
    rubric: Rubric

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        valid = ", ".join(s.id for s in self.steps)
        raise KeyError(f"no step {step_id!r} in the curriculum; valid ids: {valid}")

    @property
    def live_minutes(self) -> int:
        """Minutes of live content, excluding the break."""
        return sum(s.live_minutes.total for s in self.steps)

    @property
    def self_paced_minutes(self) -> int:
        return sum(s.minutes for s in self.steps)


# ---------------------------------------------------------------------------------------------
# YAML with line numbers
# ---------------------------------------------------------------------------------------------


@dataclass
class _Doc:
    shown: str  # the path as printed in messages, e.g. "exercises/steps/03_request.yaml"
    node: yaml.Node | None
    data: Any


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "could not read this line"
    if isinstance(exc, yaml.constructor.ConstructorError):
        return f"YAML error: {problem}; use plain text, numbers and lists here (no '!!' tags)"
    if "'\\t'" in problem or "tab" in problem:
        return f"YAML syntax error: {problem}; indent with spaces, not tabs"
    message = f"YAML syntax error: {problem}"
    context, start, end = exc.context, exc.context_mark, exc.problem_mark
    if context and start is not None and end is not None and start.line != end.line:
        message += f" ({context} on line {start.line + 1})"
    return message + "; check the indentation, colons and quotes here or on the line above"


def _read_yaml(path: Path, shown: str, problems: list[Problem]) -> _Doc | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(shown, None, "", "file not found"))
        return None
    except OSError as exc:
        problems.append(Problem(shown, None, "", f"cannot read the file: {exc.strerror or exc}"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(shown, line, "", "not UTF-8 text; save the file as UTF-8"))
        return None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problems.append(Problem(shown, line, "", _syntax_message(exc)))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(shown, None, "", f"YAML error: {exc}"))
        return None
    finally:
        loader.dispose()
    if node is None:
        problems.append(Problem(shown, 1, "", "the file is empty"))
        return None
    doc = _Doc(shown, node, data)
    problems.extend(_duplicate_keys(doc))
    return doc


def _duplicate_keys(doc: _Doc) -> Iterator[Problem]:
    """YAML silently keeps the last of two equal keys; a facilitator would lose an edit."""
    stack: list[tuple[yaml.Node, Loc]] = [(doc.node, ())] if doc.node is not None else []
    visited: set[int] = set()  # aliases can make the node graph cyclic
    while stack:
        node, loc = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if isinstance(name, str):
                    if name in first:
                        yield Problem(
                            doc.shown, key.start_mark.line + 1, _path((*loc, name)),
                            f"duplicate key (first on line {first[name]}); YAML keeps only the "
                            "last one, so remove or rename one of them",
                        )
                    else:
                        first[name] = key.start_mark.line + 1
                stack.append((value, (*loc, name) if isinstance(name, str) else loc))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*loc, i)) for i, item in enumerate(node.value))


def _line_of(node: yaml.Node | None, loc: Loc) -> int | None:
    """The line of the deepest node ``loc`` reaches: the key's own line when it ends on a key,
    else the enclosing item's line (which is where a missing field belongs)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    line, node = key.start_mark.line + 1, value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, UnionType):
            args = [a for a in get_args(tp) if a is not NoneType]
            tp = args[0] if args else tp
            if len(args) != 1:
                return tp
        else:
            return tp


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            info = tp.model_fields.get(part)
            if info is None:
                return None
            tp = info.annotation
        elif isinstance(part, int) and get_args(tp):
            tp = get_args(tp)[0]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _friendly(error: Any, model: type[BaseModel]) -> str:
    kind, loc = error["type"], tuple(error["loc"])
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        name = str(loc[-1])
        parent = _model_at(model, loc[:-1])
        allowed = list(parent.model_fields) if parent else []
        message = "unknown field"
        guess = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        if guess:
            message += f" — did you mean '{guess[0]}'?"
        if allowed:
            message += f" (allowed here: {', '.join(allowed)})"
        return message
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "should be a block of 'name: value' lines" + _found(error.get("input"))
    if kind == "list_type":
        return "should be a list (one '- ' line per item)" + _found(error.get("input"))
    message = str(error["msg"])
    if kind == "value_error":  # our own validators already quote the value
        return message.removeprefix("Value error, ")
    return message + _found(error.get("input"))


def _found(value: Any) -> str:
    if isinstance(value, dict | list):
        return f" (found a {'mapping' if isinstance(value, dict) else 'list'})"
    if isinstance(value, str | int | float | bool) or value is None:
        shown = repr(value)
        return f" (found {shown if len(shown) <= 60 else shown[:57] + '...'})"
    return ""


def _validate(doc: _Doc, model: type[M], problems: list[Problem]) -> M | None:
    try:
        instance = model.model_validate(doc.data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            problems.append(
                Problem(doc.shown, _line_of(doc.node, loc), _path(loc), _friendly(error, model))
            )
        return None
    checker = getattr(instance, "problems", None)
    if callable(checker):
        for loc, message in checker():
            problems.append(Problem(doc.shown, _line_of(doc.node, loc), _path(loc), message))
    return instance


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def _shown(root: Path, path: Path) -> str:
    try:
        return (Path(root.name) / path.relative_to(root)).as_posix()
    except ValueError:
        return str(path)


def _check_steps(cf: _CurriculumFile, doc: _Doc, root: Path, problems: list[Problem]) -> None:
    def add(loc: Loc, message: str) -> None:
        problems.append(Problem(doc.shown, _line_of(doc.node, loc), _path(loc), message))

    first: dict[str, int] = {}
    for i, entry in enumerate(cf.steps):
        loc: Loc = ("steps", i)
        if entry.id in first:
            j = first[entry.id]
            add((*loc, "id"), f"duplicate step id '{entry.id}' (already used by steps[{j}], "
                f"line {_line_of(doc.node, ('steps', j, 'id'))}); each step id must be unique")
            continue
        first[entry.id] = i
        if entry.id not in STEP_IDS:
            add((*loc, "id"), f"unknown step id '{entry.id}'; valid ids: {', '.join(STEP_IDS)}")
            continue
        expected = STEP_IDS.index(entry.id)
        if i != expected and len(cf.steps) == len(STEP_IDS):
            add((*loc, "id"), f"out of order: step '{STEP_IDS[i]}' belongs here "
                f"and '{entry.id}' belongs at position {expected}")
        if entry.number != expected:
            add((*loc, "number"), f"should be {expected} for step '{entry.id}'")
        if entry.notebook != f"{entry.id}.ipynb":
            add((*loc, "notebook"), f"should be '{entry.id}.ipynb' to match the step id")
        content = (root / entry.content).resolve()
        if not content.is_relative_to(root):
            add((*loc, "content"), "must be a path inside the exercises folder, e.g. "
                f"steps/{entry.id}.yaml")
        elif not content.is_file():
            add((*loc, "content"), f"file not found: {_shown(root, content)}")
    missing = [s for s in STEP_IDS if s not in first]
    if missing:
        add(("steps",), f"missing step(s): {', '.join(missing)}; the workshop needs all of "
            f"{', '.join(STEP_IDS)}")

    session = cf.session
    if session.break_after is not None and session.break_after not in STEP_IDS:
        add(("session", "break_after"), f"unknown step id '{session.break_after}'")
    used = sum(e.live_minutes.total for e in cf.steps) + session.break_minutes
    if used > session.total_minutes:
        add(("session", "total_minutes"), (
            f"the steps' live_minutes plus the break come to {used} minutes, more than the "
            f"{session.total_minutes} available; shorten some steps or lengthen the session"
        ))


def _build(root: Path) -> Curriculum:
    problems: list[Problem] = []
    if not root.is_dir():
        hint = ""
        if os.environ.get(resources.EXERCISES_ENV, "").strip():
            hint = f" (set by the environment variable {resources.EXERCISES_ENV})"
        raise CurriculumError([Problem(str(root), None, "", f"exercises folder not found{hint}")])

    cur_doc = _read_yaml(root / "curriculum.yaml", _shown(root, root / "curriculum.yaml"), problems)
    cf = _validate(cur_doc, _CurriculumFile, problems) if cur_doc else None
    steps: list[Step] = []
    if cf is not None and cur_doc is not None:
        _check_steps(cf, cur_doc, root, problems)
        seen: set[str] = set()
        for entry in cf.steps:
            path = (root / entry.content).resolve()
            if entry.id not in CONTENT_MODELS or entry.id in seen or not path.is_file():
                continue
            seen.add(entry.id)
            doc = _read_yaml(path, _shown(root, path), problems)
            content = _validate(doc, CONTENT_MODELS[entry.id], problems) if doc else None
            if content is not None:
                steps.append(Step(
                    id=entry.id, number=entry.number, title=entry.title,
                    objectives=list(entry.objectives), minutes=entry.minutes,
                    live_minutes=entry.live_minutes, notebook=entry.notebook,
                    evidence=list(entry.evidence), content=content, content_path=path,
                ))

    rubric_doc = _read_yaml(root / "rubric.yaml", _shown(root, root / "rubric.yaml"), problems)
    rubric = _validate(rubric_doc, Rubric, problems) if rubric_doc else None

    if problems or cf is None or rubric is None:
        raise CurriculumError(problems)
    return Curriculum(root=root, title=cf.title, subtitle=cf.subtitle, session=cf.session,
                      steps=steps, rubric=rubric)


_cache: dict[Path, tuple[tuple[Any, ...], Curriculum]] = {}
_cache_lock = threading.Lock()


def _signature(root: Path) -> tuple[Any, ...]:
    """Cheap fingerprint of the YAML files, so edits in a running kernel are picked up."""
    entries = []
    for path in sorted(root.rglob("*.yaml")):
        try:
            st = path.stat()
        except OSError:
            continue
        entries.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(entries)


def load(root: Path | str | None = None) -> Curriculum:
    """The validated curriculum in ``root`` (default: ``resources.exercises_dir()``).

    Cached per folder and re-read only when a YAML file in it changes. Raises
    ``CurriculumError`` listing every problem found, each with file, line and field.
    """
    folder = Path(root) if root is not None else resources.exercises_dir()
    folder = folder.expanduser().resolve()
    signature = _signature(folder) if folder.is_dir() else ()
    with _cache_lock:
        hit = _cache.get(folder)
        if hit is not None and hit[0] == signature:
            return hit[1]
    curriculum = _build(folder)
    with _cache_lock:
        _cache[folder] = (signature, curriculum)
    return curriculum


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


# ---------------------------------------------------------------------------------------------
# Command line: python -m mentor_workshop.curriculum [DIR]
# ---------------------------------------------------------------------------------------------


def _summary(curriculum: Curriculum) -> str:
    session = curriculum.session
    return (
        f"OK: {len(curriculum.steps)} steps; live {curriculum.live_minutes} min "
        f"+ {session.break_minutes} min break of {session.total_minutes} min; "
        f"self-paced {curriculum.self_paced_minutes} min; "
        f"rubric out of {curriculum.rubric.total}"
    )


def main(argv: Iterable[str] | None = None) -> int:
    """Validate an exercises folder; exit status 1 (and no traceback) when anything is wrong."""
    parser = argparse.ArgumentParser(
        prog="python -m mentor_workshop.curriculum",
        description="Check a (facilitator's) exercises folder: curriculum, step files, rubric.",
    )
    parser.add_argument("folder", nargs="?", type=Path,
                        help="exercises folder (default: the one the kit uses)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    folder = args.folder or resources.exercises_dir()
    try:
        curriculum = load(folder)
    except CurriculumError as exc:
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} in {folder}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except Exception as exc:  # the promise is: no traceback, ever, from this command
        print(f"could not check {folder}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(_summary(curriculum))
    return 0


if __name__ == "__main__":
    sys.exit(main())
