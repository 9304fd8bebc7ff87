"""The nbgrader course behind a workshop: set-up, release, collect, feedback and export.

Why nbgrader and not a grader of our own: facilitators already know it, its gradebook and
formgrader work side by side with the kit, and its checksums tell us when a participant edited a
locked cell. Everything here goes through nbgrader's Python API (``NbGraderAPI``, ``Gradebook``,
its converters and preprocessors) on an ordinary course directory, so ``nbgrader`` commands and
formgrader keep working on the same folder.

The kit smooths nbgrader's rough edges:

* the whole workshop is ONE assignment (all step notebooks + the shared ``journal.json``), and the
  course config makes autograde keep each participant's journal instead of the blank one
  (:mod:`.init`);
* ``add_missing_cells`` is on, so a participant who deletes a graded cell is still graded;
* a release is checked for leaked solutions and hidden tests before anyone can hand it out
  (:mod:`.release`);
* submissions handed in as folders or zip files are collected safely (no zip-slip) with one
  clear line per problem instead of a stack trace (:mod:`.collect`);
* feedback HTML has hidden tests removed (nbgrader restores them in ``autograded/``),
  participant text escaped, and nothing loaded from the internet (nbgrader's template pulls
  MathJax from a CDN; the kit's pages open offline and a page that would not is not kept)
  (:mod:`.feedback`);
* the gradebook is created even when the venv's ``bin/`` (with ``alembic``) is not on PATH
  (:mod:`.config`).

Scores leave the course as one CSV file (:mod:`.export`).
"""

from __future__ import annotations

from mentor_workshop.core.journal import JOURNAL_FILENAME
from mentor_workshop.errors import ReleaseLeakError
from mentor_workshop.facilitator.course.collecting import CollectLine, CollectReport, collect
from mentor_workshop.facilitator.course.config import (
    CONFIG_FILENAME,
    DEFAULT_ASSIGNMENT,
    Course,
    ensure_tools_on_path,
    load_config,
    open_course,
)
from mentor_workshop.facilitator.course.export import export_grades
from mentor_workshop.facilitator.course.feedback_pages import FeedbackReport, feedback
from mentor_workshop.facilitator.course.init import InitReport, init_course
from mentor_workshop.facilitator.course.releasing import ReleaseReport, release, verify_release

__all__ = [
    "CONFIG_FILENAME",
    "DEFAULT_ASSIGNMENT",
    "JOURNAL_FILENAME",
    "CollectLine",
    "CollectReport",
    "Course",
    "FeedbackReport",
    "InitReport",
    "ReleaseLeakError",
    "ReleaseReport",
    "collect",
    "ensure_tools_on_path",
    "export_grades",
    "feedback",
    "init_course",
    "load_config",
    "open_course",
    "release",
    "verify_release",
]
