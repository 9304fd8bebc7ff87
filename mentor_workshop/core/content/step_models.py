"""The model of each step's content file (``exercises/steps/NN_*.yaml``).

Why a module apart from :mod:`.models`: these classes change whenever a step's exercise does,
while the shared pieces and the curriculum and rubric models rarely do. Which model reads which
file is declared once, in :mod:`mentor_workshop.core.steps`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PositiveInt, field_validator

from mentor_workshop.core.content.models import (
    CHANNEL_IDS,
    SCAFFOLD_IDS,
    SCENARIO_IDS,
    TONES,
    BankItem,
    ChannelId,
    ContentModel,
    Id,
    LabelledItem,
    Prompt,
    ScaffoldId,
    ScaleField,
    ScenarioId,
    StepContent,
    Text,
    TextField,
    Tone,
    duplicate_ids,
    duplicate_texts,
    exact_ids,
)
from mentor_workshop.core.content.yaml_source import Issue, Loc, field_path


class WelcomeFields(ContentModel):
    name: TextField
    role: TextField
    hopes: TextField


class WelcomeContent(StepContent):
    fields: WelcomeFields
    setup_check: list[LabelledItem] = Field(min_length=1)

    def problems(self) -> Iterator[Issue]:
        yield from duplicate_ids(self.setup_check, ("setup_check",))


class ShortlistFields(ContentModel):
    name: TextField
    role: TextField
    why: TextField
    learn: TextField
    reach: TextField
    warmth: ScaleField
    values: ScaleField
    stretch: Prompt


class Weights(ContentModel):
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
        yield from duplicate_texts(self.generic_reasons, ("generic_reasons",))


class BeliefFields(ContentModel):
    belief: TextField
    confidence_before: Prompt
    evidence_for: TextField
    evidence_against: TextField
    rewrite: TextField
    confidence_after: Prompt


class Calibration(ContentModel):
    question: Text
    research: Text
    typical_guess_note: Text


class AssumptionsContent(StepContent):
    belief_bank: list[BankItem] = Field(min_length=8)
    fields: BeliefFields
    calibration: Calibration
    min_beliefs: PositiveInt

    def problems(self) -> Iterator[Issue]:
        yield from duplicate_ids(self.belief_bank, ("belief_bank",))


class Channel(ContentModel):
    id: ChannelId
    label: Text
    pros: list[Text] = Field(min_length=1)
    cons: list[Text] = Field(min_length=1)
    evidence: Text | None = None


class ScaffoldPart(ContentModel):
    id: ScaffoldId
    label: Text
    placeholder: str = ""
    hint: Text


class Draft(ContentModel):
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
        yield from exact_ids(self.channels, ("channels",), CHANNEL_IDS)
        yield from exact_ids(self.scaffold, ("scaffold",), SCAFFOLD_IDS)
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


class HeartFields(ContentModel):
    work: TextField
    statement: TextField


class Examples(ContentModel):
    generic: list[Text] = Field(min_length=1)
    specific: list[Text] = Field(min_length=1)


class HeartContent(StepContent):
    fields: HeartFields
    examples: Examples
    min_words: PositiveInt


class SortPhrase(ContentModel):
    id: Id
    text: Text
    answer: Tone
    explanation: Text


class Category(ContentModel):
    label: Text
    description: Text


class ToneCategories(ContentModel):
    needy: Category
    balanced: Category
    overconfident: Category


class Revision(ContentModel):
    label: Text
    placeholder: str = ""


class ToneContent(StepContent):
    categories: ToneCategories
    sorting: list[SortPhrase] = Field(min_length=12)
    pass_ratio: float = Field(gt=0, le=1)
    revision: Revision

    def problems(self) -> Iterator[Issue]:
        yield from duplicate_ids(self.sorting, ("sorting",))
        for tone in TONES:
            count = sum(p.answer == tone for p in self.sorting)
            if count < 2:
                yield ("sorting",), (
                    f"only {count} phrase(s) with answer '{tone}'; keep the deck balanced "
                    "(about a third each, at least 2 of every kind)"
                )


class ThankYou(ContentModel):
    label: Text
    placeholder: str = ""
    min_words: PositiveInt


class MeetingFields(ContentModel):
    yes_date: Prompt
    start: Prompt
    timezone: Prompt
    duration_minutes: Prompt
    questions: Prompt


class Meeting(ContentModel):
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


class Option(ContentModel):
    id: Id
    text: Text
    best: bool
    explanation: Text


class Scenario(ContentModel):
    id: ScenarioId
    title: Text
    message: Text
    options: list[Option] = Field(min_length=2)


class AskWhy(ContentModel):
    label: Text
    placeholder: str = ""
    template: Text


class SelfCompassion(ContentModel):
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
        yield from exact_ids(self.scenarios, ("scenarios",), SCENARIO_IDS)
        for i, scenario in enumerate(self.scenarios):
            prefix: Loc = ("scenarios", i, "options")
            yield from duplicate_ids(scenario.options, prefix)
            best = [j for j, option in enumerate(scenario.options) if option.best]
            if not best:
                yield prefix, "no option has 'best: true'; mark exactly one option as best"
            for j in best[1:]:
                yield (*prefix, j, "best"), (
                    "more than one option has 'best: true' "
                    f"(also {field_path((*prefix, best[0]))}); mark exactly one option as best"
                )


class TwoWayFields(ContentModel):
    cares: TextField
    offers: TextField


class TwoWayContent(StepContent):
    fields: TwoWayFields
    offer_bank: list[BankItem] = Field(min_length=8)
    min_offers: PositiveInt
    prep_checklist: list[BankItem] = Field(min_length=5)

    def problems(self) -> Iterator[Issue]:
        yield from duplicate_ids(self.offer_bank, ("offer_bank",))
        yield from duplicate_ids(self.prep_checklist, ("prep_checklist",))


class Rhythm(ContentModel):
    label: Text
    help: str = ""
    options_weeks: list[PositiveInt] = Field(min_length=1)
    channels: list[Text] = Field(min_length=1)


class DormantTieFields(ContentModel):
    name: TextField
    why: TextField


class CommitmentFields(ContentModel):
    action: TextField
    date: TextField


class WithinFields(ContentModel):
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
        yield from duplicate_texts(self.rhythm.channels, ("rhythm", "channels"))


class PlanSection(ContentModel):
    id: Id
    title: Text
    from_steps: list[str] = Field(min_length=1)


class AskCalendar(ContentModel):
    """How the plan's calendar file dates the reminders that follow the ask (in days after it)."""

    nudge_after_days: PositiveInt
    follow_up_after_days: PositiveInt


class AskFields(ContentModel):
    """Step 10's "schedule my ask" card: who, how, when and, in person, on what occasion."""

    label: Text
    help: str = ""
    who: Prompt
    channel: Prompt
    date: Prompt
    occasion: TextField
    calendar: AskCalendar


class PlanContent(StepContent):
    sections: list[PlanSection] = Field(min_length=1)
    missing: Text
    ask: AskFields

    def missing_text(self, number: int, title: str) -> str:
        """The plan's wording for a section whose step is not done yet."""
        return self.missing.format(number=number, title=title)

    def problems(self) -> Iterator[Issue]:
        yield from duplicate_ids(self.sections, ("sections",))
        try:
            self.missing_text(3, "Make your request")
        except (KeyError, IndexError, ValueError) as exc:
            yield ("missing",), (
                f"cannot fill in this wording ({exc}); it may use only "
                "{number} (e.g. {number:02d}) and {title}"
            )


# ------------------------------------------------------------------ step 11, the follow-up

#: Fixed answer ids of the follow-up (journal values and the cohort report's funnel use them).
AskedId = Literal["yes", "not_yet"]
ReplyId = Literal["yes", "not_now", "no", "no_reply"]
NextActionId = Literal["next_person", "polite_follow_up", "second_meeting"]
ASKED_IDS: tuple[str, ...] = get_args(AskedId)
REPLY_IDS: tuple[str, ...] = get_args(ReplyId)
NEXT_ACTION_IDS: tuple[str, ...] = get_args(NextActionId)


class AskedChoice(ContentModel):
    id: AskedId
    label: Text


class ReplyChoice(ContentModel):
    id: ReplyId
    label: Text
    #: What the notebook says once this reply is chosen: kind words and where to go next.
    response: Text


class NextChoice(ContentModel):
    id: NextActionId
    label: Text


class FollowUpFields(ContentModel):
    asked: Prompt
    asked_choices: list[AskedChoice]
    asked_on: Prompt
    stopped: TextField
    new_date: Prompt
    reply: Prompt
    reply_choices: list[ReplyChoice]
    meeting: TextField
    learned: TextField
    next_action: Prompt
    next_choices: list[NextChoice]
    next_note: TextField


class StoppedCategory(ContentModel):
    """A group of reasons for not having asked yet, found by words in the participant's answer.

    ``keywords`` are matched as whole words or word beginnings, case-insensitively ("busy"
    matches "Busy" and "busier" does not; "cancel" matches "cancelled").
    """

    id: Id
    label: Text
    keywords: list[Text] = Field(min_length=1)


class FollowUpContent(StepContent):
    """Step 11: what happened after the ask, two weeks on."""

    fields: FollowUpFields
    #: Shown to someone who has not asked yet: a reason to try again, never a verdict.
    encouragement: Text
    min_learned_words: PositiveInt
    #: How the cohort report groups "what stopped me"; an answer matching none is "other".
    stopped_categories: list[StoppedCategory] = Field(min_length=1)
    other_category: Text

    def problems(self) -> Iterator[Issue]:
        yield from exact_ids(self.fields.asked_choices, ("fields", "asked_choices"), ASKED_IDS)
        yield from exact_ids(self.fields.reply_choices, ("fields", "reply_choices"), REPLY_IDS)
        yield from exact_ids(self.fields.next_choices, ("fields", "next_choices"),
                             NEXT_ACTION_IDS)
        yield from duplicate_ids(self.stopped_categories, ("stopped_categories",))
