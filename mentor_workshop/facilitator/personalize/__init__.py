"""The two per-participant batches: personalised step notebooks, and each participant's plan.

:func:`personalize_cohort` and :func:`make_plans` run a batch from start to finish
(:mod:`.workflow`); the steps they take are public too: the participant versions of the
notebooks (:mod:`.notebooks`) and the jobs of each batch (:mod:`.jobs`).
"""

from __future__ import annotations

from mentor_workshop.facilitator.personalize.jobs import (
    PERSONALIZE_MANIFEST,
    PLAN_FILES,
    PLAN_STEP,
    PLANS_MANIFEST,
    batch_start,
    personalize_jobs,
    plan_jobs,
    snapshot_journals,
    tidy_after_proof_run,
)
from mentor_workshop.facilitator.personalize.notebooks import (
    StagedNotebook,
    declared_parameters,
    participant_version,
    stage_notebooks,
    step_notebooks,
)
from mentor_workshop.facilitator.personalize.workflow import (
    PersonalizeResult,
    PlansResult,
    make_plans,
    personalize_cohort,
)

__all__ = [
    "PERSONALIZE_MANIFEST",
    "PLANS_MANIFEST",
    "PLAN_FILES",
    "PLAN_STEP",
    "PersonalizeResult",
    "PlansResult",
    "StagedNotebook",
    "batch_start",
    "declared_parameters",
    "make_plans",
    "participant_version",
    "personalize_cohort",
    "personalize_jobs",
    "plan_jobs",
    "snapshot_journals",
    "stage_notebooks",
    "step_notebooks",
    "tidy_after_proof_run",
]
