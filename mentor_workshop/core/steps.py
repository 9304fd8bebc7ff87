"""The one registry of the workshop's steps.

Why one registry: a step is known to five parts of the kit: the content loader (which model
reads its YAML), the journal readers (which keys are its answers), the checks (what counts as
done), the widgets (which module draws its exercises) and the notebooks (by id). When each kept
its own table, a new or renamed step had to be typed into four places and a missed one failed
quietly. Here each step is declared once; every other table is derived from this one.

The shape follows papermill's translator registry: a small class with ``register`` and lookup,
and one module-level instance (:data:`STEPS`) filled in below. Titles, objectives and timings
are content, not code: they live in ``exercises/curriculum.yaml``, whose loader checks that its
step ids are exactly the ones registered here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from mentor_workshop.core.content.models import StepContent
from mentor_workshop.core.content.step_models import (
    AssumptionsContent,
    FollowUpContent,
    GraciousContent,
    HeartContent,
    PlanContent,
    RejectionContent,
    RequestContent,
    ShortlistContent,
    ToneContent,
    TwoWayContent,
    WelcomeContent,
    WithinContent,
)
from mentor_workshop.core.criteria.after_the_ask import (
    check_be_gracious,
    check_lead_from_within,
    check_rejection,
    check_two_way,
    plan_check,
)
from mentor_workshop.core.criteria.before_the_ask import (
    check_assumptions,
    check_shortlist,
    check_welcome,
)
from mentor_workshop.core.criteria.follow_up import check_follow_up, with_the_ask
from mentor_workshop.core.criteria.result import CheckFunction
from mentor_workshop.core.criteria.the_ask import (
    check_from_the_heart,
    check_request,
    check_vulnerability_confidence,
)

__all__ = ["STEPS", "Step", "StepRegistry"]


@dataclass(frozen=True)
class Step:
    """Everything the code needs to know about one step.

    Attributes
    ----------
    id : str
        The step id, which is also the notebook's name without ``.ipynb``.
    prefix : str or None
        The journal key prefix of its answers (``"shortlist."``); ``None`` for a step that
        stores nothing of its own.
    content : type
        The pydantic model that reads ``exercises/steps/<id>.yaml``.
    check : callable
        The check the self-check button and the nbgrader hidden test both run.
    widgets : str
        The module under :mod:`mentor_workshop.participant.widgets` holding its exercises.
        A name, not an import, because the core never imports the participant's wing.
    """

    id: str
    prefix: str | None
    content: type[StepContent]
    check: CheckFunction
    widgets: str


class StepRegistry:
    """The workshop's steps in order, looked up by id."""

    def __init__(self) -> None:
        self._steps: dict[str, Step] = {}
        # Kept as steps register: the report and the plan ask for it once per participant.
        self._prefixes: dict[str, str] = {}

    def register(self, step: Step) -> Step:
        """Add a step after the ones already registered.

        Parameters
        ----------
        step : Step
            The step's declaration.

        Returns
        -------
        Step
            The same step, so a declaration can be kept in a name.

        Raises
        ------
        ValueError
            When the id or the journal prefix is already taken: two steps writing the same keys
            would read each other's answers.
        """
        if step.id in self._steps:
            raise ValueError(f"step {step.id!r} is registered twice")
        if step.prefix is not None and step.prefix in self._prefixes.values():
            raise ValueError(f"journal prefix {step.prefix!r} of {step.id!r} is already used")
        self._steps[step.id] = step
        if step.prefix is not None:
            self._prefixes[step.id] = step.prefix
        return step

    def __getitem__(self, step_id: str) -> Step:
        try:
            return self._steps[step_id]
        except KeyError:
            raise KeyError(f"Unknown step {step_id!r}; choose one of: {', '.join(self)}") from None

    def __contains__(self, step_id: object) -> bool:
        return step_id in self._steps

    def __iter__(self) -> Iterator[str]:
        return iter(self._steps)

    def __len__(self) -> int:
        return len(self._steps)

    def ids(self) -> tuple[str, ...]:
        """The step ids in workshop order.

        Returns
        -------
        tuple of str
            ``("00_welcome", ..., "11_follow_up")``.
        """
        return tuple(self._steps)

    def prefixes(self) -> Mapping[str, str]:
        """Step id -> journal key prefix, for the steps that store answers.

        Returns
        -------
        Mapping
            A read-only view in workshop order; steps with no answers of their own are left
            out.
        """
        return MappingProxyType(self._prefixes)

    def content_models(self) -> dict[str, type[StepContent]]:
        """Step id -> the model of its content file, in workshop order.

        Returns
        -------
        dict
            What the curriculum loader validates each ``exercises/steps/<id>.yaml`` against.
        """
        return {s.id: s.content for s in self._steps.values()}

    def checks(self) -> dict[str, CheckFunction]:
        """Step id -> its check function, in workshop order.

        Returns
        -------
        dict
            The functions :func:`mentor_workshop.core.checks.check` and the plan's check run.
        """
        return {s.id: s.check for s in self._steps.values()}


def _before_the_plan() -> dict[str, CheckFunction]:
    """The checks the plan gathers: every step before it. The follow-up comes two weeks after
    the plan, so it must not hold the plan back from being complete."""
    ids = STEPS.ids()
    return {s: c for s, c in STEPS.checks().items() if ids.index(s) < ids.index("10_my_plan")}


#: The workshop's steps. Adding one: register it here, then write its content YAML, widget
#: module, check and notebook (docs/architecture.md, "Adding a step").
STEPS = StepRegistry()

for _step in (
    Step("00_welcome", "welcome.", WelcomeContent, check_welcome, "welcome"),
    Step("01_shortlist", "shortlist.", ShortlistContent, check_shortlist, "shortlist"),
    Step("02_assumptions", "assumptions.", AssumptionsContent, check_assumptions, "assumptions"),
    Step("03_request", "request.", RequestContent, check_request, "request"),
    Step("04_from_the_heart", "heart.", HeartContent, check_from_the_heart, "from_the_heart"),
    Step("05_vulnerability_confidence", "tone.", ToneContent, check_vulnerability_confidence,
         "tone"),
    Step("06_be_gracious", "gracious.", GraciousContent, check_be_gracious, "gracious"),
    Step("07_rejection", "rejection.", RejectionContent, check_rejection, "rejection"),
    Step("08_two_way", "two_way.", TwoWayContent, check_two_way, "two_way"),
    Step("09_lead_from_within", "within.", WithinContent, check_lead_from_within, "within"),
    Step("10_my_plan", "plan.", PlanContent, with_the_ask(plan_check(_before_the_plan)),
         "my_plan"),
    Step("11_follow_up", "follow_up.", FollowUpContent, check_follow_up, "follow_up"),
):
    STEPS.register(_step)
