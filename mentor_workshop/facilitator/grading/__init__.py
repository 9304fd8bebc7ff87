"""Blind rubric grading of the reflections, question by question across the cohort.

Why this shape: reading one question for everyone in a row keeps a grader's standard steady,
and hiding names (stable pseudonyms, names struck from the text) keeps it fair. Scores and
comments go into nbgrader's gradebook exactly as formgrader writes them, so formgrader,
``nbgrader generate_feedback`` and exports see them, and both tools can be used side by side.

The package, one job per module:

- :mod:`.rubric`: the rubric's levels and the ``Rubric: ...`` line kept in gradebook comments;
- :mod:`.pseudonyms`: the course key and the ``P-3F2A1C`` names (the cohort report uses them too);
- :mod:`.queue`: :class:`GradingQueue`, the answers across the cohort and the gradebook writes;
- :mod:`.sheet`: ``mentor-workshop grade export`` / ``grade import`` (:func:`export_csv`,
  :func:`import_csv`) for graders who prefer a spreadsheet;
- :mod:`.ui`: :func:`grader_ui`, the keyboard-driven grader of
  ``facilitator/grade_reflections.ipynb``.
"""

from mentor_workshop.facilitator.grading.pseudonyms import KEY_PATH, pseudonyms
from mentor_workshop.facilitator.grading.queue import Answer, GradingQueue, Question
from mentor_workshop.facilitator.grading.rubric import (
    RUBRIC_PREFIX,
    Criterion,
    Level,
    RubricLevels,
    format_comment,
    parse_comment,
)
from mentor_workshop.facilitator.grading.sheet import (
    FIXED_COLUMNS,
    TAIL_COLUMNS,
    ImportReport,
    export_csv,
    import_csv,
)
from mentor_workshop.facilitator.grading.ui import KEY_HELP, GraderState, grader_ui

__all__ = [
    "FIXED_COLUMNS",
    "KEY_HELP",
    "KEY_PATH",
    "RUBRIC_PREFIX",
    "TAIL_COLUMNS",
    "Answer",
    "Criterion",
    "GraderState",
    "GradingQueue",
    "ImportReport",
    "Level",
    "Question",
    "RubricLevels",
    "export_csv",
    "format_comment",
    "grader_ui",
    "import_csv",
    "parse_comment",
    "pseudonyms",
]
