"""Blind rubric grading of the reflections, question by question across the cohort.

Why this shape: reading one question for everyone in a row keeps a grader's standard steady,
and hiding names (stable pseudonyms, names struck from the text) keeps it fair. Scores and
comments go into nbgrader's gradebook exactly as formgrader writes them, so formgrader,
``nbgrader generate_feedback`` and exports see them, and both tools can be used side by side.

The rubric comes from ``exercises/rubric.yaml``. The levels chosen are kept at the top of the
gradebook comment (``Rubric: Depth of reflection 2/3 · ...``), which participants see in their
feedback and which lets a later session show the same buttons pressed again.

Three front ends share :class:`GradingQueue`: the notebook ``facilitator/grade_reflections.ipynb``
(:func:`grader_ui`, keyboard-driven), and ``mentor-workshop grade export`` / ``grade import``
(:func:`export_csv`, :func:`import_csv`) for graders who prefer a spreadsheet.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import hmac
import html
import io
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentor_workshop.core.atomic import write_bytes_atomic, write_text_atomic
from mentor_workshop.errors import UserError
from mentor_workshop.facilitator.course import Course, open_course

__all__ = [
    "Answer",
    "GradingQueue",
    "ImportReport",
    "Question",
    "RubricLevels",
    "export_csv",
    "format_comment",
    "grader_ui",
    "import_csv",
    "parse_comment",
    "pseudonyms",
]

#: Where the course keeps its pseudonym key (created on first use; never leaves the course).
KEY_PATH = Path(".mentor_workshop") / "pseudonym.key"
RUBRIC_PREFIX = "Rubric: "
_SEPARATOR = " · "
_NAME_MASK = "[name]"


# --------------------------------------------------------------------------- rubric data


@dataclass(frozen=True)
class Level:
    points: int
    label: str
    description: str


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    description: str
    levels: tuple[Level, ...]

    @property
    def max_points(self) -> int:
        return max(level.points for level in self.levels)


@dataclass(frozen=True)
class RubricLevels:
    """The rubric as graders use it (a plain copy of ``curriculum.load().rubric``)."""

    title: str
    criteria: tuple[Criterion, ...]

    @property
    def total(self) -> int:
        return sum(c.max_points for c in self.criteria)

    @classmethod
    def load(cls, exercises: str | os.PathLike[str] | None = None) -> RubricLevels:
        from mentor_workshop.core.content import curriculum

        try:
            rubric = curriculum.load(exercises).rubric
        except curriculum.CurriculumError as exc:
            raise UserError(f"The rubric cannot be loaded:\n{exc}") from None
        return cls(rubric.title, tuple(
            Criterion(c.id, c.title, c.description,
                      tuple(Level(lv.points, lv.label, lv.description) for lv in c.levels))
            for c in rubric.criteria
        ))

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def check(self, levels: dict[str, int]) -> list[str]:
        """Problems with a set of chosen levels (unknown criterion, level out of range)."""
        problems = []
        for cid, points in levels.items():
            try:
                crit = self.criterion(cid)
            except KeyError:
                problems.append(f"unknown rubric criterion {cid!r}")
                continue
            allowed = [lv.points for lv in crit.levels]
            if points not in allowed:
                problems.append(f"{crit.title} must be one of {', '.join(map(str, allowed))}, "
                                f"not {points}")
        return problems


def format_comment(rubric: RubricLevels, levels: dict[str, int], comment: str) -> str:
    """The gradebook comment: the rubric line (if levels were chosen), then the grader's words."""
    parts = [
        f"{c.title} {levels[c.id]}/{c.max_points}" for c in rubric.criteria if c.id in levels
    ]
    head = RUBRIC_PREFIX + _SEPARATOR.join(parts) if parts else ""
    comment = comment.strip()
    return "\n".join(x for x in (head, comment) if x)


def parse_comment(rubric: RubricLevels, text: str | None) -> tuple[dict[str, int], str]:
    """(levels, free comment) from a gradebook comment written by :func:`format_comment`.

    A comment typed in formgrader has no rubric line and comes back whole as the free comment.
    """
    text = text or ""
    first, _, rest = text.partition("\n")
    if not first.startswith(RUBRIC_PREFIX):
        return {}, text.strip()
    by_title = {c.title: c for c in rubric.criteria}
    levels: dict[str, int] = {}
    for item in first[len(RUBRIC_PREFIX):].split(_SEPARATOR):
        match = re.fullmatch(r"(.+) (\d+)/(\d+)", item.strip())
        crit = by_title.get(match.group(1)) if match else None
        if crit is None:
            return {}, text.strip()
        levels[crit.id] = int(match.group(2))
    return levels, rest.strip()


# ----------------------------------------------------------------------------- pseudonyms


def _course_key(course: Course) -> bytes:
    path = course.root / KEY_PATH
    try:
        key = path.read_bytes().strip()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32).encode("ascii")
    write_bytes_atomic(path, key + b"\n")
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    return key


def pseudonyms(key: bytes, student_ids: Iterable[str]) -> dict[str, str]:
    """Stable, unguessable pseudonyms (``P-3F2A1C``), unique within the cohort.

    An HMAC of the id with the course's secret key: the same participant keeps the same
    pseudonym across sessions, but nobody can work the id out from it without the key.
    """
    ids = sorted(set(student_ids))
    digests = {s: hmac.new(key, s.encode("utf-8"), hashlib.sha256).hexdigest().upper()
               for s in ids}
    length = 6
    while True:
        names = {s: f"P-{d[:length]}" for s, d in digests.items()}
        if len(set(names.values())) == len(names):
            return names
        length += 2


def _redact(text: str, words: Iterable[str]) -> str:
    """Strike the participant's own names and email from their answer."""
    for word in sorted({w for w in words if w and len(w) >= 3}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", _NAME_MASK, text, flags=re.I)
    return text


# ------------------------------------------------------------------------------- the queue


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


class GradingQueue:
    """Reflections to grade, question by question, names hidden; writes to the gradebook."""

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
        self._key = _course_key(self.course)
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
            from mentor_workshop.core.content import curriculum

            step = curriculum.load().step(notebook)
            title = f"Step {step.number}: {step.title}"
            reflection = getattr(step.content, "reflection", None)
            if reflection is not None:
                prompt, idea = reflection.prompt, reflection.idea
        return Question(notebook, cell, max_score, title, prompt, idea)

    def _texts(self, students: Iterable[str]) -> dict[tuple[str, str], dict[str, str]]:
        """Each answer cell's text, from the autograded notebooks (the gradebook has none)."""
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
        if isinstance(question, int):
            question = self.questions[question]
        return self._answers.get(question.key, [])

    def progress(self, question: Question | int) -> tuple[int, int]:
        """(graded or blank, total) for a question."""
        answers = self.answers(question)
        return sum(1 for a in answers if a.graded or a.blank), len(answers)

    def participant_of(self, pseudonym: str) -> str:
        """Un-blind one pseudonym (for the facilitator's own records, never shown in the UI)."""
        return self._by_pseudonym[pseudonym]

    # ---------------------------------------------------------------- writing

    def score_for(self, question: Question, levels: dict[str, int]) -> float:
        return float(min(sum(levels.values()), question.max_score))

    def grade(
        self,
        answer: Answer,
        *,
        levels: dict[str, int] | None = None,
        score: float | None = None,
        comment: str | None = None,
    ) -> Answer:
        """Save a grade for one answer. With ``levels`` the score is their sum."""
        self.grade_many([(answer, levels, score, comment)])
        return answer

    def grade_many(
        self,
        items: Sequence[tuple[Answer, dict[str, int] | None, float | None, str | None]],
    ) -> None:
        """Save several grades in one transaction: all are written, or none."""
        checked = []
        for answer, levels, score, comment in items:
            levels = dict(answer.levels if levels is None else levels)
            problems = self.rubric.check(levels)
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
                    note.manual_comment = format_comment(self.rubric, levels, free) or None
                gb.db.commit()
            except BaseException:
                gb.db.rollback()
                raise
        for answer, levels, score, free in checked:
            answer.manual_score, answer.levels, answer.comment = score, levels, free


# -------------------------------------------------------------------------------- CSV


def _cell(value: Any) -> Any:
    """Stop a spreadsheet from running participant text as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _uncell(value: str) -> str:
    if value[:2] in ("'=", "'+", "'-", "'@"):
        return value[1:]
    return value


FIXED_COLUMNS = ("pseudonym", "notebook", "cell", "max_score")
TAIL_COLUMNS = ("score", "comment", "answer")


def export_csv(
    course_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    assignment: str | None = None,
) -> int:
    """One row per participant × reflection, pseudonymous, with a column per rubric criterion.

    Fill in levels (or a score) and a comment, then ``grade import``. Returns the row count.
    """
    queue = GradingQueue(course_dir, assignment)
    header = [*FIXED_COLUMNS, *(c.id for c in queue.rubric.criteria), *TAIL_COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    rows = 0
    for question in queue.questions:
        for a in queue.answers(question):
            score = "" if a.manual_score is None else f"{a.manual_score:g}"
            writer.writerow([_cell(v) for v in (
                a.pseudonym, question.notebook, question.cell, f"{a.max_score:g}",
                *(a.levels.get(c.id, "") for c in queue.rubric.criteria),
                score, a.comment, a.text,
            )])
            rows += 1
    # UTF-8 with a byte-order mark so Excel shows accents and dashes correctly.
    write_text_atomic(out, "\ufeff" + buffer.getvalue())
    return rows


@dataclass
class ImportReport:
    applied: int = 0
    unchanged_blank: int = 0

    def lines(self) -> list[str]:
        out = [f"Saved {self.applied} grades to the gradebook."]
        if self.unchanged_blank:
            out.append(f"{self.unchanged_blank} rows had no score or levels and were left as "
                       "they were.")
        return out


def import_csv(
    course_dir: str | os.PathLike[str],
    path: str | os.PathLike[str],
    assignment: str | None = None,
) -> ImportReport:
    """Apply a graded CSV from :func:`export_csv`: every row is checked first, and if any is
    wrong nothing is saved and every problem is listed with its line number."""
    queue = GradingQueue(course_dir, assignment)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"{path} cannot be read ({exc.strerror}).") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path} is not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8' and try again."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[str] = []
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise UserError(f"{path} is empty.") from None
    missing = [c for c in ("pseudonym", "notebook", "cell", "score", "comment") if c not in header]
    if missing:
        raise UserError(f"{path}, line 1: missing column(s) {', '.join(missing)}; export a fresh "
                        "sheet with `mentor-workshop grade export`.")
    col = {name: i for i, name in enumerate(header)}
    criteria = [c for c in queue.rubric.criteria if c.id in col]
    answers = {(a.pseudonym, q.notebook, q.cell): a
               for q in queue.questions for a in queue.answers(q)}
    seen: dict[tuple[str, str, str], int] = {}
    items = []
    report = ImportReport()
    last = 1
    try:
        for cells in reader:
            line = last + 1
            last = reader.line_num
            if not any(c.strip() for c in cells):
                continue

            def get(name: str, cells: list[str] = cells) -> str:
                index = col.get(name)
                return _uncell(cells[index].strip()) if index is not None and index < len(
                    cells) else ""

            key = (get("pseudonym"), get("notebook"), get("cell"))
            answer = answers.get(key)
            where = f"line {line}"
            if answer is None:
                if key[0] not in queue._by_pseudonym:
                    problems.append(f"{where}: unknown pseudonym {key[0]!r}")
                else:
                    problems.append(f"{where}: {key[1]}/{key[2]} is not a reflection to grade")
                continue
            if key in seen:
                problems.append(f"{where}: {key[0]} {key[1]}/{key[2]} already appears on line "
                                f"{seen[key]}")
                continue
            seen[key] = line
            levels: dict[str, int] = {}
            bad = False
            for crit in criteria:
                value = get(crit.id)
                if value == "":
                    continue
                allowed = [lv.points for lv in crit.levels]
                try:
                    number = float(value)
                except ValueError:
                    number = -1.0
                if not number.is_integer() or int(number) not in allowed:
                    problems.append(f"{where}: {crit.id} must be one of "
                                    f"{', '.join(map(str, allowed))}, not {value!r}")
                    bad = True
                    continue
                levels[crit.id] = int(number)
            if levels and len(levels) != len(queue.rubric.criteria):
                gaps = [c.id for c in queue.rubric.criteria if c.id not in levels]
                problems.append(f"{where}: fill in every rubric level or none (missing "
                                f"{', '.join(gaps)})")
                bad = True
            score_text = get("score")
            score: float | None = None
            if score_text:
                try:
                    score = float(score_text)
                except ValueError:
                    problems.append(f"{where}: score {score_text!r} is not a number")
                    continue
                if not 0 <= score <= answer.max_score:
                    problems.append(f"{where}: score {score_text} is out of range 0–"
                                    f"{answer.max_score:g}")
                    continue
            if bad:
                continue
            if levels:
                total = queue.score_for(answer.question, levels)
                if score is not None and abs(score - total) > 1e-9:
                    problems.append(f"{where}: score {score:g} does not match the levels, which "
                                    f"add up to {total:g}; fix one or clear the score")
                    continue
                score = total
            if score is None:
                report.unchanged_blank += 1
                continue
            items.append((answer, levels, score, get("comment")))
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: the CSV is malformed ({exc})")
    if problems:
        count = len(problems)
        raise UserError(
            f"{path}: {count} problem{'s' if count != 1 else ''}; nothing was saved:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    queue.grade_many(items)
    report.applied = len(items)
    return report


# --------------------------------------------------------------------- notebook front end

KEY_HELP = (
    "Keys: <b>0–9</b> level for the highlighted criterion (then the next one) · "
    "<b>n</b> next · <b>p</b> previous · <b>u</b> next ungraded · <b>c</b> comment · "
    "<b>s</b> save · <b>x</b> clear levels"
)


class GraderState:
    """What the grader notebook shows and does, without any widgets (so tests can drive it)."""

    def __init__(self, queue: GradingQueue, question: int = 0) -> None:
        self.queue = queue
        self.question_index = question
        self.index = 0
        self.active = 0  # highlighted rubric criterion
        self.levels: dict[str, int] = {}
        self.comment = ""
        self.message = ""
        self.index = self._first_open()
        self._load()

    def _first_open(self) -> int:
        """Where a session starts: the first answer that still needs a grade."""
        answers = self.answers
        return next((i for i, a in enumerate(answers) if not a.graded and not a.blank), 0)

    @property
    def question(self) -> Question:
        return self.queue.questions[self.question_index]

    @property
    def answers(self) -> list[Answer]:
        return self.queue.answers(self.question)

    @property
    def answer(self) -> Answer | None:
        answers = self.answers
        return answers[self.index] if answers else None

    @property
    def dirty(self) -> bool:
        a = self.answer
        return a is not None and (self.levels != a.levels or self.comment != a.comment)

    def _load(self) -> None:
        a = self.answer
        self.levels = dict(a.levels) if a else {}
        self.comment = a.comment if a else ""
        self.active = next((i for i, c in enumerate(self.queue.rubric.criteria)
                            if c.id not in self.levels), 0)

    def choose_question(self, index: int) -> None:
        self.save_if_complete()
        self.question_index = index
        self.index = self._first_open()
        self._load()

    def move(self, step: int) -> None:
        self.save_if_complete()
        if self.answers:
            self.index = (self.index + step) % len(self.answers)
        self._load()

    def next_ungraded(self) -> bool:
        self.save_if_complete()
        answers = self.answers
        for offset in range(1, len(answers) + 1):
            i = (self.index + offset) % len(answers)
            if not answers[i].graded and not answers[i].blank:
                self.index = i
                self._load()
                return True
        self.message = "Every answer to this question is graded."
        self._load()
        return False

    def set_level(self, points: int, criterion: int | None = None) -> None:
        criteria = self.queue.rubric.criteria
        crit = criteria[self.active if criterion is None else criterion]
        if points not in [lv.points for lv in crit.levels]:
            self.message = f"{crit.title} goes from 0 to {crit.max_points}."
            return
        self.levels[crit.id] = points
        self.message = ""
        self.active = (criteria.index(crit) + 1) % len(criteria)
        if len(self.levels) == len(criteria):
            self.save()

    def clear(self) -> None:
        self.levels = {}
        self.active = 0

    def save_if_complete(self) -> None:
        if self.dirty and (len(self.levels) == len(self.queue.rubric.criteria) or
                           not self.levels):
            self.save()

    def save(self) -> bool:
        a = self.answer
        if a is None:
            return False
        criteria = self.queue.rubric.criteria
        if self.levels and len(self.levels) != len(criteria):
            self.message = "Choose a level for every criterion before saving."
            return False
        if not self.levels and a.manual_score is None:
            if self.comment != a.comment:
                self.queue.grade(a, levels={}, score=None, comment=self.comment)
                self.message = "Comment saved (no score yet)."
            return True
        self.queue.grade(a, levels=self.levels, score=None if self.levels else a.manual_score,
                         comment=self.comment)
        self.message = f"Saved {a.pseudonym}: {a.manual_score:g}/{a.max_score:g}."
        return True

    def key(self, char: str) -> str | None:
        """Apply one keystroke; returns "comment" when the comment box should take focus."""
        if char.isdigit():
            self.set_level(int(char))
        elif char in "nj":
            self.move(1)
        elif char in "pk":
            self.move(-1)
        elif char == "u":
            self.next_ungraded()
        elif char == "s":
            self.save()
        elif char == "x":
            self.clear()
        elif char == "c":
            return "comment"
        return None

    def answer_html(self) -> str:
        a = self.answer
        q = self.question
        done, total = self.queue.progress(q)
        head = (f"<h3>{html.escape(q.title)} <small>({html.escape(q.cell)}, "
                f"{done}/{total} graded)</small></h3>")
        if q.prompt:
            head += f"<p><b>Question:</b> {html.escape(q.prompt)}</p>"
        if q.idea:
            head += f"<p><b>This step's idea:</b> {html.escape(q.idea)}</p>"
        if a is None:
            return head + "<p>No submissions yet.</p>"
        status = "graded" if a.graded else ("blank — scored 0 by autograde" if a.blank
                                            else "not graded")
        body = html.escape(a.text).replace("\n", "<br>")
        return (f"{head}<p><b>{html.escape(a.pseudonym)}</b> · answer {self.index + 1} of "
                f"{len(self.answers)} · {status}</p>"
                f"<div style='border:1px solid #ccc;padding:8px;white-space:normal'>{body}</div>")


def grader_ui(course_dir: str | os.PathLike[str] = ".", assignment: str | None = None) -> Any:
    """The keyboard-driven grader for ``facilitator/grade_reflections.ipynb``."""
    import ipywidgets as w

    state = GraderState(GradingQueue(course_dir, assignment))
    queue = state.queue
    if not queue.questions:
        return w.HTML("<p>This assignment has no reflections to grade.</p>")
    criteria = queue.rubric.criteria

    def question_label(i: int, q: Question) -> tuple[str, int]:
        done, total = queue.progress(q)
        return f"{q.title} ({done}/{total})", i

    questions = w.Dropdown(options=[question_label(i, q) for i, q in enumerate(queue.questions)],
                           description="Question", layout=w.Layout(width="60%"))
    answer = w.HTML()
    buttons = []
    descriptions = []
    rows = []
    for ci, crit in enumerate(criteria):
        toggle = w.ToggleButtons(
            options=[(f"{lv.points} · {lv.label}", lv.points) for lv in crit.levels],
            value=None, tooltips=[lv.description for lv in crit.levels],
            style={"button_width": "auto"})
        toggle.observe(lambda change, ci=ci: _on_toggle(change, ci), names="value")
        desc = w.HTML()
        buttons.append(toggle)
        descriptions.append(desc)
        rows.append(w.VBox([w.HTML(), toggle, desc]))
    comment = w.Textarea(placeholder="Comment for the participant (optional)",
                         layout=w.Layout(width="100%", height="5em"))
    keys = w.Text(placeholder="Click here, then grade with the keyboard", continuous_update=True,
                  layout=w.Layout(width="60%"))
    message = w.HTML()
    nav = [w.Button(description=d, tooltip=t) for d, t in
           (("◀ previous", "p"), ("next ▶", "n"), ("next ungraded", "u"), ("save", "s"))]
    syncing = {"on": False}

    def render() -> None:
        syncing["on"] = True
        try:
            answer.value = state.answer_html()
            for ci, crit in enumerate(criteria):
                marker = "▶ " if ci == state.active else ""
                rows[ci].children[0].value = (
                    f"<b>{marker}{html.escape(crit.title)}</b> (0–{crit.max_points}): "
                    f"{html.escape(crit.description)}")
                buttons[ci].value = state.levels.get(crit.id)
                chosen = state.levels.get(crit.id)
                level = next((lv for lv in crit.levels if lv.points == chosen), None)
                descriptions[ci].value = f"<i>{html.escape(level.description)}</i>" if level else ""
            comment.value = state.comment
            total = sum(state.levels.values()) if state.levels else None
            score = "" if total is None else f"Score: <b>{total}</b>/{state.question.max_score:g}. "
            message.value = f"{score}{html.escape(state.message)}<br><small>{KEY_HELP}</small>"
            questions.options = [question_label(i, q) for i, q in enumerate(queue.questions)]
            questions.value = state.question_index
        finally:
            syncing["on"] = False

    def _on_toggle(change: dict, ci: int) -> None:
        if syncing["on"] or change["new"] is None:
            return
        state.set_level(change["new"], ci)
        render()

    def on_keys(change: dict) -> None:
        if syncing["on"] or not change["new"]:
            return
        focus = None
        for char in change["new"]:
            focus = state.key(char.lower()) or focus
        keys.value = ""
        render()
        if focus == "comment":
            comment.focus()

    def on_comment(change: dict) -> None:
        if not syncing["on"]:
            state.comment = change["new"]

    def on_question(change: dict) -> None:
        if not syncing["on"] and change["new"] is not None:
            state.choose_question(change["new"])
            render()

    def on_nav(button: Any) -> None:
        state.key(button.tooltip)
        render()
        keys.focus()

    keys.observe(on_keys, names="value")
    comment.observe(on_comment, names="value")
    questions.observe(on_question, names="value")
    for button in nav:
        button.on_click(on_nav)
    render()
    ui = w.VBox([questions, answer, *rows, comment, w.HBox([keys, *nav]), message])
    ui._mw_state = state  # for tests and for the curious
    ui._mw_keys = keys
    return ui
