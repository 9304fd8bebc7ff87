"""The blind grading queue: every reflection of the cohort, question by question, names hidden.

Why this shape: reading one question for everyone in a row keeps a grader's standard steady, and
hiding names (stable pseudonyms, names struck from the text) keeps it fair. Scores and comments
go into nbgrader's gradebook exactly as formgrader writes them, so formgrader, ``nbgrader
generate_feedback`` and exports see them, and both tools can be used side by side.

The queue is shared by the notebook grader (:mod:`.ui`) and the spreadsheet round trip
(:mod:`.sheet`); neither writes to the gradebook any other way.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mentor_workshop.core import curriculum
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.course import open_course
from mentor_workshop.facilitator.grading.pseudonyms import course_key, pseudonyms
from mentor_workshop.facilitator.grading.rubric import RubricLevels, format_comment, parse_comment

__all__ = ["Answer", "GradingQueue", "Question"]

_NAME_MASK = "[name]"


@dataclass(frozen=True)
class Question:
    """One manually graded cell, e.g. the reflection of step 03."""

    notebook: str
    cell: str
    max_score: float
    title: str
    prompt: str = ""
    idea: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.notebook, self.cell


@dataclass
class Answer:
    """One participant's answer to a question, as the blind grader sees it."""

    pseudonym: str
    question: Question
    text: str
    max_score: float
    manual_score: float | None
    auto_score: float | None
    levels: dict[str, int] = field(default_factory=dict)
    comment: str = ""
    _student: str = field(default="", repr=False)

    @property
    def graded(self) -> bool:
        return self.manual_score is not None

    @property
    def blank(self) -> bool:
        """nbgrader already scored it 0 because the answer cell was left untouched."""
        return self.manual_score is None and self.auto_score == 0

    @property
    def score(self) -> float | None:
        return self.manual_score if self.manual_score is not None else self.auto_score


def _redact(text: str, words: Iterable[str]) -> str:
    """Strike the participant's own names and email from their answer."""
    for word in sorted({w for w in words if w and len(w) >= 3}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", _NAME_MASK, text, flags=re.I)
    return text


class GradingQueue:
    """Reflections to grade, question by question, names hidden; writes to the gradebook.

    Parameters
    ----------
    course_dir : str or PathLike
        The nbgrader course folder.
    assignment : str, optional
        The assignment to grade; the course's default when omitted.
    rubric : RubricLevels, optional
        The rubric to grade with; ``exercises/rubric.yaml`` by default.

    Raises
    ------
    UserError
        When the course has no gradebook or the gradebook does not know the assignment.
    """

    def __init__(
        self,
        course_dir: str | os.PathLike[str],
        assignment: str | None = None,
        rubric: RubricLevels | None = None,
    ) -> None:
        self.course = open_course(course_dir)
        self.assignment = self.course.pick_assignment(assignment)
        self.rubric = rubric or RubricLevels.load()
        if not self.course.has_gradebook():
            raise UserError("This course has no gradebook yet; run `mentor-workshop init`.")
        self._key = course_key(self.course.root)
        #: Private reflections (step 07's by default) stay out of grading unless the course's
        #: nbgrader_config.py sets ``c.MentorWorkshop.grade_private_reflections = True``.
        self.grade_private = self.course.grades_private_reflections
        self.reload()

    # ---------------------------------------------------------------- reading

    def reload(self) -> None:
        """Read questions and answers again (someone may be grading in formgrader too)."""
        self.questions: list[Question] = []
        self._answers: dict[tuple[str, str], list[Answer]] = {}
        with self.course.gradebook() as gb:
            try:
                assignment = gb.find_assignment(self.assignment)
            except Exception:
                raise UserError(
                    f"The gradebook has no assignment {self.assignment!r}; release it first."
                ) from None
            for notebook in sorted(assignment.notebooks, key=lambda n: n.name):
                if notebook.name in self.rubric.private and not self.grade_private:
                    continue
                grade_cells = {c.name: c for c in notebook.grade_cells}
                for cell in sorted(notebook.solution_cells, key=lambda c: c.name):
                    if cell.name in grade_cells:
                        self.questions.append(self._question(notebook.name, cell.name,
                                                             grade_cells[cell.name].max_score))
            students = {s.student.id: s.student for s in assignment.submissions}
            self.names = pseudonyms(self._key, students)
            self._by_pseudonym = {v: k for k, v in self.names.items()}
            texts = self._texts(students)
            for submission in assignment.submissions:
                sid = submission.student.id
                student = students[sid]
                words = [student.first_name or "", student.last_name or "",
                         student.email or "", sid, *(student.first_name or "").split()]
                for nb in submission.notebooks:
                    comments = {c.name: c for c in nb.comments}
                    for grade in nb.grades:
                        key = (nb.name, grade.name)
                        question = next((q for q in self.questions if q.key == key), None)
                        if question is None:
                            continue
                        comment = comments.get(grade.name)
                        levels, free = parse_comment(
                            self.rubric, comment.manual_comment if comment else "")
                        raw = texts.get((sid, nb.name), {}).get(grade.name)
                        text = "(not autograded yet: no answer to show)" if raw is None else \
                            _redact(raw, words)
                        self._answers.setdefault(key, []).append(Answer(
                            self.names[sid], question, text, grade.max_score,
                            grade.manual_score, grade.auto_score, levels, free, sid))
        for answers in self._answers.values():
            answers.sort(key=lambda a: a.pseudonym)

    def _question(self, notebook: str, cell: str, max_score: float) -> Question:
        title, prompt, idea = notebook, "", ""
        with contextlib.suppress(Exception):
            step = curriculum.load().step(notebook)
            title = f"Step {step.number}: {step.title}"
            reflection = getattr(step.content, "reflection", None)
            if reflection is not None:
                prompt, idea = reflection.prompt, reflection.idea
        return Question(notebook, cell, max_score, title, prompt, idea)

    def _texts(self, students: Iterable[str]) -> dict[tuple[str, str], dict[str, str]]:
        """Each answer cell's text, from the autograded notebooks (the gradebook has none)."""
        # deferred: nbformat's schema validator takes over a second to import, and the report's
        # kernel and the CLI open courses without reading a notebook
        import nbformat

        out: dict[tuple[str, str], dict[str, str]] = {}
        for sid in students:
            folder = self.course.path("autograded", sid, self.assignment)
            for path in folder.glob("*.ipynb"):
                try:
                    nb = nbformat.read(path, as_version=4)
                except Exception:
                    continue
                cells = {}
                for cell in nb.cells:
                    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                    if grade_id:
                        cells[grade_id] = cell.source
                out[(sid, path.stem)] = cells
        return out

    def answers(self, question: Question | int) -> list[Answer]:
        """Everyone's answer to one question, in pseudonym order.

        Parameters
        ----------
        question : Question or int
            The question, or its index in :attr:`questions`.

        Returns
        -------
        list of Answer
            The answers (empty when nobody submitted that notebook).
        """
        if isinstance(question, int):
            question = self.questions[question]
        return self._answers.get(question.key, [])

    def progress(self, question: Question | int) -> tuple[int, int]:
        """(graded or blank, total) for a question.

        Parameters
        ----------
        question : Question or int
            The question, or its index in :attr:`questions`.

        Returns
        -------
        tuple of (int, int)
            Answers that need no more work, and all answers.
        """
        answers = self.answers(question)
        return sum(1 for a in answers if a.graded or a.blank), len(answers)

    def participant_of(self, pseudonym: str) -> str:
        """Un-blind one pseudonym (for the facilitator's own records, never shown in the UI).

        Parameters
        ----------
        pseudonym : str
            A pseudonym from this queue.

        Returns
        -------
        str
            The participant's id.

        Raises
        ------
        KeyError
            When no participant has that pseudonym.
        """
        return self._by_pseudonym[pseudonym]

    def has_pseudonym(self, pseudonym: str) -> bool:
        """Whether a participant in this assignment has ``pseudonym`` (for sheet checks).

        Parameters
        ----------
        pseudonym : str
            A pseudonym, e.g. read from a spreadsheet.

        Returns
        -------
        bool
            True when it belongs to someone who submitted.
        """
        return pseudonym in self._by_pseudonym

    # ---------------------------------------------------------------- writing

    def score_for(self, question: Question, levels: dict[str, int]) -> float:
        """The score the chosen levels give: their sum, capped at the question's points.

        Parameters
        ----------
        question : Question
            The question graded.
        levels : dict of str to int
            Points chosen per criterion id.

        Returns
        -------
        float
            The score to store.
        """
        return float(min(sum(levels.values()), question.max_score))

    def grade(
        self,
        answer: Answer,
        *,
        levels: dict[str, int] | None = None,
        score: float | None = None,
        comment: str | None = None,
    ) -> Answer:
        """Save a grade for one answer. With ``levels`` the score is their sum.

        Parameters
        ----------
        answer : Answer
            The answer to grade (updated in place once saved).
        levels : dict of str to int, optional
            Rubric levels; the answer's current ones when omitted.
        score : float, optional
            The score; when None it is the levels' sum, or cleared if there are no levels.
        comment : str, optional
            The free comment; the answer's current one when omitted.

        Returns
        -------
        Answer
            ``answer``, with its new score, levels and comment.

        Raises
        ------
        UserError
            When a level or the score is out of range (nothing is saved).
        """
        self.grade_many([(answer, levels, score, comment)])
        return answer

    def grade_many(
        self,
        items: Sequence[tuple[Answer, dict[str, int] | None, float | None, str | None]],
    ) -> None:
        """Save several grades in one transaction: all are written, or none.

        Parameters
        ----------
        items : sequence of (Answer, levels, score, comment)
            As the arguments of :meth:`grade`, one tuple per answer.

        Returns
        -------
        None

        Raises
        ------
        UserError
            When any level or score is out of range (nothing is saved).
        """
        checked = []
        for answer, levels, score, comment in items:
            levels = dict(answer.levels if levels is None else levels)
            problems = self.rubric.check(levels, answer.question.notebook)
            if problems:
                raise UserError(f"{answer.pseudonym}: " + "; ".join(problems))
            if levels and score is None:
                score = self.score_for(answer.question, levels)
            if score is not None and not 0 <= score <= answer.max_score:
                raise UserError(
                    f"{answer.pseudonym}: the score must be between 0 and {answer.max_score:g}"
                )
            free = answer.comment if comment is None else comment
            checked.append((answer, levels, score, free))
        with self.course.gradebook() as gb:
            try:
                for answer, levels, score, free in checked:
                    q = answer.question
                    grade = gb.find_grade(q.cell, q.notebook, self.assignment, answer._student)
                    grade.manual_score = score
                    grade.needs_manual_grade = score is None and grade.auto_score is None
                    note = gb.find_comment(q.cell, q.notebook, self.assignment, answer._student)
                    note.manual_comment = format_comment(
                        self.rubric, levels, free, answer.question.notebook) or None
                gb.db.commit()
            except BaseException:
                gb.db.rollback()
                raise
        for answer, levels, score, free in checked:
            answer.manual_score, answer.levels, answer.comment = score, levels, free
