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
from itertools import pairwise
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
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


class ContentModel(BaseModel):
    # Frozen: one cached instance is shared by every widget in the kernel.
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextField(ContentModel):
    """A text box: its label, the greyed example inside it, and a line of help below."""

    label: Text
    placeholder: str = ""
    help: str = ""


class Prompt(ContentModel):
    """A control that needs a label and optional help but no placeholder (checkbox, picker)."""

    label: Text
    help: str = ""


class ScaleField(ContentModel):
    """A 1–5 rating; ``low`` and ``high`` say what 1 and 5 mean so ratings are comparable."""

    label: Text
    help: str = ""
    low: Text
    high: Text


class BankItem(ContentModel):
    id: Id
    text: Text


class LabelledItem(ContentModel):
    id: Id
    label: Text


class Reflection(ContentModel):
    """The step's reflection question; ``idea`` tells graders what the rubric's step_evidence
    criterion looks for in this step."""

    prompt: Text
    hints: list[Text] = Field(min_length=1)
    idea: Text


class StepContent(ContentModel):
    """What every step file has: a short framing for the notebook and a reflection."""

    intro: Text
    reflection: Reflection

    def problems(self) -> Iterator[Issue]:
        """Rules spanning several items; each issue carries the location of the item at fault."""
        yield from ()


# Rules that span the items of a list, shared by the models' ``problems()``.


def duplicate_ids(items: Sequence[Any], prefix: Loc) -> Iterator[Issue]:
    """An issue for each item whose ``id`` an earlier item already used.

    Widgets and journal keys look items up by id, so a repeat would silently shadow one.

    Parameters
    ----------
    items : sequence of Any
        Models with an ``id`` attribute, in file order.
    prefix : Loc
        The location of the list itself, so each issue points at the repeated item.

    Yields
    ------
    Issue
        ``(location of the repeated id, message naming the first use)``.
    """
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


def duplicate_texts(items: Sequence[str], prefix: Loc) -> Iterator[Issue]:
    """An issue for each text that repeats an earlier one, ignoring case.

    Parameters
    ----------
    items : sequence of str
        The texts, in file order.
    prefix : Loc
        The location of the list itself.

    Yields
    ------
    Issue
        ``(location of the repeat, message naming the first one)``.
    """
    seen: dict[str, int] = {}
    for i, text in enumerate(items):
        key = text.casefold()
        if key in seen:
            yield (*prefix, i), f"repeats {field_path((*prefix, seen[key]))}; remove one of them"
        else:
            seen[key] = i


def exact_ids(items: Sequence[Any], prefix: Loc, expected: Sequence[str]) -> Iterator[Issue]:
    """Issues unless the items' ids are unique and include every id in ``expected``.

    For lists whose ids the code relies on (channels, scaffold parts, scenarios).

    Parameters
    ----------
    items : sequence of Any
        Models with an ``id`` attribute, in file order.
    prefix : Loc
        The location of the list itself.
    expected : sequence of str
        The ids the list must contain, in the order messages should name them.

    Yields
    ------
    Issue
        Duplicate-id issues, then one issue naming the missing ids, if any.
    """
    yield from duplicate_ids(items, prefix)
    present = {item.id for item in items}
    missing = [e for e in expected if e not in present]
    if missing:
        yield prefix, (
            f"missing {', '.join(repr(m) for m in missing)}; "
            f"this list needs exactly the ids {', '.join(expected)}"
        )


# ---------------------------------------------------------------------------------------------
# curriculum.yaml and rubric.yaml
# ---------------------------------------------------------------------------------------------


class LiveMinutes(ContentModel):
    framing: NonNegativeInt
    exercise: NonNegativeInt
    discussion: NonNegativeInt
    reflection: NonNegativeInt

    @property
    def total(self) -> int:
        """Minutes of the four live phases added up."""
        return self.framing + self.exercise + self.discussion + self.reflection


class Evidence(ContentModel):
    """A study behind a step. Written as ``ref: key``; the loader fills ``cite``, ``finding``
    and ``secondary`` from references.yaml (a ``finding`` written here wins)."""

    ref: Id | None = None
    cite: Text
    finding: Text
    secondary: bool = False


class Session(ContentModel):
    """The live workshop's frame, so a facilitator who stretches a step sees it no longer fits."""

    total_minutes: PositiveInt
    break_minutes: NonNegativeInt = 0
    break_after: str | None = None


class StepEntry(ContentModel):
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


class CurriculumFile(ContentModel):
    """curriculum.yaml: the workshop's spine. Rules across steps and files are the loader's."""

    title: Text
    subtitle: str = ""
    session: Session
    steps: list[StepEntry] = Field(min_length=1)


class Level(ContentModel):
    """One level of a criterion; ``anchors`` holds a short example answer per step id."""

    points: NonNegativeInt
    label: Text
    description: Text
    anchors: dict[str, Text] = Field(default_factory=dict)


class Criterion(ContentModel):
    id: Id
    title: Text
    description: Text
    levels: list[Level] = Field(min_length=2)

    @property
    def max_points(self) -> int:
        """The most points a level of this criterion gives."""
        return max(level.points for level in self.levels)


class Source(ContentModel):
    """A source of the rubric: ``ref: key`` into references.yaml, which fills ``cite``."""

    ref: Id | None = None
    cite: Text
    note: str = ""


class StepCriteria(ContentModel):
    """Which criteria score one step's reflection, and (optionally) each level's points there."""

    criteria: list[Id] = Field(min_length=1)
    points: dict[Id, list[NonNegativeInt]] = Field(default_factory=dict)
    #: Private by default: kept in the participant's notebook, left out of grading, unless the
    #: course's nbgrader_config.py sets ``c.MentorWorkshop.grade_private_reflections = True``.
    private: bool = False


class Rubric(ContentModel):
    """The facilitators' scoring guide for reflections (see CURRICULUM.md)."""

    title: Text
    criteria: list[Criterion] = Field(min_length=1)
    total: PositiveInt
    steps: dict[str, StepCriteria] = Field(default_factory=dict)
    sources: list[Source] = Field(min_length=1)

    def is_private(self, step_id: str) -> bool:
        """Whether this step's reflection is private by default (not collected for grading).

        Parameters
        ----------
        step_id : str
            A step id.

        Returns
        -------
        bool
        """
        declared = self.steps.get(step_id)
        return bool(declared and declared.private)

    def for_step(self, step_id: str) -> list[Criterion]:
        """The criteria that score ``step_id``'s reflection, with that step's level points.

        A step the rubric does not list uses every criterion as written, so a new step (or a
        facilitator's own) is graded without extra configuration.

        Parameters
        ----------
        step_id : str
            A step id such as ``"04_from_the_heart"``.

        Returns
        -------
        list of Criterion
            Copies whose levels carry the points they are worth in this step.
        """
        declared = self.steps.get(step_id)
        if declared is None:
            return list(self.criteria)
        out = []
        for cid in declared.criteria:
            criterion = self.criterion(cid)
            points = declared.points.get(cid)
            if points is not None:
                levels = [lv.model_copy(update={"points": p})
                          for lv, p in zip(criterion.levels, points, strict=True)]
                criterion = criterion.model_copy(update={"levels": levels})
            out.append(criterion)
        return out

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id; ``KeyError`` listing the valid ids otherwise."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        valid = ", ".join(c.id for c in self.criteria)
        raise KeyError(f"no rubric criterion {criterion_id!r}; valid ids: {valid}")

    def problems(self) -> Iterator[Issue]:
        """Unique criterion ids, levels scored 0, 1, 2 ... and a total that adds up."""
        yield from duplicate_ids(self.criteria, ("criteria",))
        for i, criterion in enumerate(self.criteria):
            points = [level.points for level in criterion.levels]
            if points != list(range(len(points))):
                yield ("criteria", i, "levels"), (
                    f"levels must score 0, 1, 2 ... in order with no gaps; found {points}"
                )
        added = sum(c.max_points for c in self.criteria)
        if added != self.total:
            yield ("total",), f"is {self.total} but the criteria add up to {added}"
        yield from self._step_problems()

    def _step_problems(self) -> Iterator[Issue]:
        known = {c.id: c for c in self.criteria}
        for step_id, declared in self.steps.items():
            at = ("steps", step_id)
            unknown = [cid for cid in declared.criteria if cid not in known]
            if unknown:
                yield (*at, "criteria"), (f"unknown criterion {', '.join(unknown)}; valid ids: "
                                          f"{', '.join(known)}")
                continue
            for cid, points in declared.points.items():
                if cid not in declared.criteria:
                    yield (*at, "points", cid), f"'{cid}' is not among this step's criteria"
                elif len(points) != len(known[cid].levels) or points[0] != 0 or any(
                        b <= a for a, b in pairwise(points)):
                    yield (*at, "points", cid), (
                        f"needs {len(known[cid].levels)} rising numbers starting at 0, one per "
                        f"level; found {points}")
                    return
            added = sum(c.max_points for c in self.for_step(step_id))
            if added != self.total:
                yield at, (f"the points add up to {added}, not the total {self.total}; give "
                           "a missing criterion's points to the others with 'points'")

