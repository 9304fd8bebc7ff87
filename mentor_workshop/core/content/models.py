"""The schema of the files in ``exercises/``: one strict pydantic model per file.

Why: facilitators adapt this YAML by hand, so the models are the contract of what they may write.
``extra="forbid"`` turns a misspelt key into an error instead of a silently ignored setting, and
the models are frozen because one cached instance is shared by every widget in the kernel.

Each step file has a ``*Content`` model (see ``CONTENT_MODELS``), built from small shared pieces
(``TextField``, ``Prompt``, ``BankItem``...). Rules that span several items (unique ids, exactly
one best option...) live in each model's ``problems()`` so they can point at the exact item at
fault; ``yaml_source.validate`` turns them into "file, line N: field: message".
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
    field_validator,
)

from mentor_workshop.core.content.yaml_source import Issue, Loc, field_path

# Fixed id sets the widgets, checks and journal keys rely on (docs/architecture.md). Each is a
# Literal so that pydantic rejects any other value, and a tuple for code that needs the order.
ChannelId = Literal["in_person", "email", "phone", "letter"]
ScaffoldId = Literal["who_i_am", "why_you", "the_ask", "the_time", "thanks"]
ScenarioId = Literal["not_now", "too_busy", "silence", "referral"]
Tone = Literal["needy", "balanced", "overconfident"]
CHANNEL_IDS: tuple[str, ...] = get_args(ChannelId)
SCAFFOLD_IDS: tuple[str, ...] = get_args(ScaffoldId)  # also the order the parts must come in
SCENARIO_IDS: tuple[str, ...] = get_args(ScenarioId)
TONES: tuple[str, ...] = get_args(Tone)

# ---------------------------------------------------------------------------------------------
# Shared pieces
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


class StepContent(_Model):
    """What every step file has: a short framing for the notebook and a reflection."""

    intro: Text
    reflection: Reflection

    def problems(self) -> Iterator[Issue]:
        """Rules spanning several items; each issue carries the location of the item at fault."""
        yield from ()


# Rules that span the items of a list, shared by the models' ``problems()``.


def _duplicate_ids(items: Sequence[Any], prefix: Loc) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in seen:
            yield (
                (*prefix, i, "id"),
                f"duplicate id '{item.id}' (already used by "
                f"{field_path((*prefix, seen[item.id]))}); each id must be unique in this list",
            )
        else:
            seen[item.id] = i


def _duplicate_texts(items: Sequence[str], prefix: Loc) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    for i, text in enumerate(items):
        key = text.casefold()
        if key in seen:
            yield (*prefix, i), f"repeats {field_path((*prefix, seen[key]))}; remove one of them"
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
    id: ChannelId
    label: Text
    pros: list[Text] = Field(min_length=1)
    cons: list[Text] = Field(min_length=1)
    evidence: Text | None = None


class ScaffoldPart(_Model):
    id: ScaffoldId
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
    answer: Tone
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
    id: ScenarioId
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
                    "more than one option has 'best: true' "
                    f"(also {field_path((*prefix, best[0]))}); mark exactly one option as best"
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


# Which model reads which step file, in workshop order.
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

# The step ids, in workshop order: the notebook names and the journal's step keys.
STEP_IDS: tuple[str, ...] = tuple(CONTENT_MODELS)

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


class StepEntry(_Model):
    """One step in curriculum.yaml; its exercise content lives in the file ``content`` names."""

    id: str
    number: NonNegativeInt
    title: Text
    objectives: list[Text] = Field(min_length=2, max_length=4)
    minutes: PositiveInt
    live_minutes: LiveMinutes
    notebook: str
    content: str
    evidence: list[Evidence] = Field(default_factory=list)


class CurriculumFile(_Model):
    """curriculum.yaml: the workshop's spine. Rules across steps and files are the loader's."""

    title: Text
    subtitle: str = ""
    session: Session
    steps: list[StepEntry] = Field(min_length=1)


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

