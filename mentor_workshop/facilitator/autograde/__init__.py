"""Autograde a whole cohort in parallel, with exactly the scores ``nbgrader autograde`` gives.

The parts, parent first:

* :mod:`.driver` -- the public :func:`autograde`: plan the run, feed the workers, collect;
* :mod:`.gradebook` -- the parent's gradebook work (prepare, save grades, read back scores);
* :mod:`.worker` -- the long-lived worker process: sanitise and execute one submission;
* :mod:`.preprocessors` -- nbgrader's pipelines, with the kit's two fixes;
* :mod:`mentor_workshop.facilitator.warm` -- the warm pool: kernels forked from a zygote;
* :mod:`.tamper` -- edited, duplicated or deleted cells, found with nbgrader's checksums;
* :mod:`.outcomes` -- the report (:class:`AutogradeReport`, :class:`ParticipantOutcome`).

Retries and the handling of dead kernels and workers follow the pool policy shared with
``batch`` (:mod:`mentor_workshop.facilitator.pool`).
"""

from mentor_workshop.facilitator.autograde.driver import autograde, default_workers
from mentor_workshop.facilitator.autograde.outcomes import (
    AutogradeReport,
    NotebookOutcome,
    ParticipantOutcome,
)

__all__ = [
    "AutogradeReport",
    "NotebookOutcome",
    "ParticipantOutcome",
    "autograde",
    "default_workers",
]
