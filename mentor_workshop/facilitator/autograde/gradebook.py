"""The gradebook side of autograde: prepare each submission, save its grades, read back its score.

Why apart from the workers: nbgrader's gradebook is one SQLite file, and parallel writers fight
over it (that is what made several ``nbgrader autograde`` runs at once slower than one). So the
parent process does every gradebook write, one submission at a time, exactly as nbgrader's
``Autograde`` converter does it (``init_assignment``, then the grade-saving preprocessors, then
the permissions and the post-convert hook), while the workers only execute.

nbgrader is imported inside the methods: the pre-warmed kernels fork from a process that
imports this package (see :mod:`mentor_workshop.facilitator.warm`).
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from traitlets.config import Config

from mentor_workshop.core.atomic import write_text_atomic
from mentor_workshop.core.journal import JOURNAL_FILENAME, UnreadableJournal, read_journal_data
from mentor_workshop.facilitator.autograde.outcomes import NotebookOutcome, ParticipantOutcome
from mentor_workshop.facilitator.autograde.preprocessors import exporter, load_class, pipelines
from mentor_workshop.facilitator.autograde.tamper import expectations
from mentor_workshop.facilitator.autograde.trusted import score_from_journal
from mentor_workshop.facilitator.autograde.worker import ExecutedNotebook, SubmissionJob
from mentor_workshop.facilitator.course import Course

__all__ = ["GradebookSide"]

log = logging.getLogger(__name__)


class GradebookSide:
    """The gradebook side: prepares submissions and saves grades, one at a time.

    Parameters
    ----------
    course
        The open course.
    config
        Its nbgrader config, with any command-line overrides.
    force
        Grade again what was graded already (``--force``, or participants named).
    """

    def __init__(self, course: Course, config: Config, force: bool) -> None:
        from nbgrader.coursedir import CourseDirectory  # deferred: see the module docstring

        self.course = course
        self.config = config
        self.force = force
        self.coursedir = CourseDirectory(config=config)
        _, _, self.saving = pipelines(config)
        section = config.get("Autograde", {})
        self.exclude = section.get("exclude_overwriting", {})
        self.create_student = section.get("create_student", True)
        self.hooks = {k: load_class(section.get(k)) for k in ("pre_convert_hook",
                                                              "post_convert_hook")}
        self.expected: dict[str, dict[str, Any]] = {}

    def path(self, step: str, student: str, assignment: str) -> str:
        """A participant's folder of one step, as nbgrader's course directory names it.

        Parameters
        ----------
        step
            ``submitted``, ``autograded``, ... (a ``CourseDirectory`` folder).
        student
            The participant's id.
        assignment
            The assignment.

        Returns
        -------
        str
        """
        return self.coursedir.format_path(getattr(self.coursedir, f"{step}_directory"),
                                          student, assignment)

    def should_grade(self, assignment: str, student: str) -> bool:
        """nbgrader's ``init_destination``: new, forced, or re-submitted since last time.

        Parameters
        ----------
        assignment
            The assignment.
        student
            The participant's id.

        Returns
        -------
        bool
            True when the submission is to be graded (its old autograded folder is removed).
        """
        from nbgrader.utils import rmtree  # deferred: see the module docstring

        dest = os.path.normpath(self.path("autograded", student, assignment))
        if student in self.coursedir.student_id_exclude.split(","):
            return False
        if not os.path.exists(dest):
            return True
        if self.force:
            rmtree(dest)
            return True
        src = self.path("submitted", student, assignment)
        new = self.coursedir.get_existing_timestamp(src)
        old = self.coursedir.get_existing_timestamp(dest)
        if new is not None and old is not None and new > old:
            rmtree(dest)
            return True
        return False

    def prepare(self, assignment: str, student: str, outcome: ParticipantOutcome
                ) -> SubmissionJob | None:
        """nbgrader's ``Autograde.init_assignment``, step for step.

        Parameters
        ----------
        assignment
            The assignment.
        student
            The participant's id.
        outcome
            Where problems found on the way are noted.

        Returns
        -------
        SubmissionJob or None
            What a worker needs, or None when there is nothing to grade (``outcome.error``
            says why).
        """
        # deferred: see the module docstring
        from nbgrader.api import Gradebook, MissingEntry
        from nbgrader.utils import find_all_files

        ignore = list(self.coursedir.ignore)
        source = self.path("submitted", student, assignment)
        dest = self.path("autograded", student, assignment)
        self._run_hook("pre_convert_hook", assignment, student, [])
        for filename in find_all_files(source, [*ignore, "*.ipynb"]):
            target = os.path.join(dest, os.path.relpath(filename, source))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.exists(target):
                os.remove(target)
            shutil.copy(filename, target)
        course_id = self.coursedir.course_id
        with Gradebook(self.coursedir.db_url, course_id) as gb:
            if self.create_student:
                gb.update_or_create_student(student)
            else:
                try:
                    gb.find_student(student)
                except MissingEntry:
                    outcome.error = f"no participant {student!r} in the gradebook"
                    return None
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                outcome.error = f"no assignment {assignment!r} in the gradebook (release it first)"
                return None
            timestamp = self.coursedir.get_existing_timestamp(source)
            if timestamp:
                gb.update_or_create_submission(assignment, student, timestamp=timestamp)
            else:
                gb.update_or_create_submission(assignment, student)
        source_root = self.coursedir.format_path(self.coursedir.source_directory, ".", assignment)
        exclude = {os.path.join(source_root, x) for x in self.exclude.get(assignment, [])}
        for filename in set(find_all_files(source_root, [*ignore, "*.ipynb"])) - exclude:
            target = os.path.join(dest, os.path.relpath(filename, source_root))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.exists(target):
                os.remove(target)
            shutil.copy(filename, target)

        submitted = sorted(glob.glob(os.path.join(source, "*.ipynb")))
        notebooks = []
        with Gradebook(self.coursedir.db_url, course_id) as gb:
            if assignment not in self.expected:
                release = Path(self.coursedir.format_path(self.coursedir.release_directory,
                                                          ".", assignment))
                self.expected[assignment] = expectations(
                    gb, assignment, self.config, release if release.is_dir() else None)
            for path in submitted:
                notebook_id = Path(path).stem
                try:
                    gb.find_notebook(notebook_id, assignment)
                except MissingEntry:
                    outcome.notes.append(f"{Path(path).name} is not part of the assignment; "
                                         "ignored")
                    continue
                notebooks.append(path)
            if not notebooks:
                outcome.error = "no notebooks of the assignment were handed in"
                return None
            for notebook in gb.find_assignment(assignment).notebooks:
                if not os.path.exists(os.path.join(source, f"{notebook.name}.ipynb")):
                    outcome.notebooks.append(NotebookOutcome(
                        notebook.name, "missing", notes=["not handed in; scored 0"]))
                    submission = gb.find_submission_notebook(notebook.name, assignment, student)
                    for grade in submission.grades:
                        grade.auto_score = 0
                        grade.needs_manual_grade = False
                    gb.db.commit()
        outcome.notes += _journal_notes(dest)
        return SubmissionJob(assignment, student, notebooks, dest, self.coursedir.db_url,
                             self.expected[assignment])

    def save(self, job: SubmissionJob, executed: ExecutedNotebook) -> None:
        """Score the kit's steps from the journal, run the gradebook-writing preprocessors and
        write the autograded notebook.

        Parameters
        ----------
        job
            The submission the notebook belongs to.
        executed
            The notebook back from a worker (nothing is saved when it could not run).

        Returns
        -------
        None
        """
        import nbformat  # deferred: see the module docstring

        if executed.output is None or executed.resources is None:
            return
        saving = exporter(self.config, self.saving)
        nb = nbformat.reads(executed.output, as_version=4)
        # the kit's steps score from the handed-in journal, checked here, not in the kernel
        checks = job.expected.get(executed.notebook, {}).get("checks", {})
        executed.notes += score_from_journal(
            nb, checks, Path(self.path("submitted", job.student, job.assignment)))
        output, _ = saving.from_notebook_node(nb, resources=executed.resources)
        write_text_atomic(os.path.join(job.dest, f"{executed.notebook}.ipynb"), output)

    def finish(self, job: SubmissionJob, outcome: ParticipantOutcome) -> None:
        """Set nbgrader's permissions, run its post-convert hook and read back the score.

        Parameters
        ----------
        job
            The graded submission.
        outcome
            Gets the score, the maximum, and a note per test cell scored 0 for stderr.

        Returns
        -------
        None
        """
        from nbgrader.api import Gradebook  # deferred: see the module docstring

        permissions = int(str(664 if self.coursedir.groupshared else 444), 8)
        if "permissions" in self.config.get("Autograde", {}):
            permissions = int(str(self.config.Autograde.permissions), 8)
        for dirname, _, filenames in os.walk(job.dest):
            for filename in filenames:
                with contextlib.suppress(OSError):
                    os.chmod(os.path.join(dirname, filename), permissions)
        self._run_hook("post_convert_hook", job.assignment, job.student, job.notebooks)
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            submission = gb.find_submission(job.assignment, job.student)
            outcome.score = round(submission.score, 2)
            outcome.max_score = submission.max_score
            for nb in outcome.notebooks:
                if nb.status == "graded":
                    sub_nb = gb.find_submission_notebook(nb.notebook, job.assignment,
                                                         job.student)
                    nb.notes += _stderr_notes(job, nb.notebook, sub_nb)

    def _run_hook(self, name: str, assignment: str, student: str, notebooks: list[str]) -> None:
        hook = self.hooks.get(name)
        if hook:
            try:
                hook(assignment=assignment, student=student, notebooks=notebooks)
            except Exception:
                log.info("%s failed", name, exc_info=True)


def _journal_notes(dest: str) -> list[str]:
    """A damaged journal is graded as far as possible (the kit moves it aside); say so."""
    path = Path(dest) / JOURNAL_FILENAME
    if not path.exists():
        return [f"no {JOURNAL_FILENAME} was handed in: the exercises score 0"]
    try:
        read_journal_data(path)  # the same rules the participant's kernel applies
    except UnreadableJournal:
        backup = "from its backup" if (Path(dest) / f"{JOURNAL_FILENAME}.bak").exists() else \
            "as empty (no backup was handed in)"
        return [f"{JOURNAL_FILENAME} is damaged; it was graded {backup}"]
    return []


def _stderr_notes(job: SubmissionJob, notebook: str, sub_nb: Any) -> list[str]:
    """A test cell scored 0 because something wrote to stderr: worth a facilitator's look."""
    import nbformat  # deferred: see the module docstring

    path = os.path.join(job.dest, f"{notebook}.ipynb")
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return []
    notes = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            outputs = cell.get("outputs", [])
            has_error = any(o.output_type == "error" for o in outputs)
            if not has_error and any(o.output_type == "stream" and o.name == "stderr"
                                     for o in outputs):
                notes.append(f"{meta.get('grade_id')} wrote to stderr, so nbgrader scored it 0")
    return notes

