"""The workshop's content, loaded from ``exercises/`` and checked before anyone sees it.

Why: the content is YAML that facilitators adapt by hand. A typo must come back as
"file, line, field: what to fix" when the facilitator runs
``python -m mentor_workshop.curriculum DIR`` — never as a traceback in a participant's notebook
halfway through a live session. So the loader checks every file before it returns anything, and
reports all the problems of a folder at once.

This module is the public face: ``load``, ``Curriculum``, ``Step``, ``CurriculumError`` and the
command. The schema of each file lives in ``content_models``; reading YAML with line numbers and
wording the errors lives in ``yaml_source``. Here are only the rules that join the files: every
step present once, in order, with its content file inside the folder, and the timings fitting
the session.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentor_workshop.core import resources
from mentor_workshop.core.content.models import (
    CHANNEL_IDS,
    SCAFFOLD_IDS,
    SCENARIO_IDS,
    TONES,
    CurriculumFile,
    Evidence,
    LiveMinutes,
    Rubric,
    Session,
    StepContent,
    TextField,
)
from mentor_workshop.core.content.references import Reference, ReferencesFile, cite_in_place
from mentor_workshop.core.content.step_models import (
    CommitmentFields,
    DormantTieFields,
    PlanSection,
    Rhythm,
)
from mentor_workshop.core.content.yaml_source import Loc, Problem, YamlDoc, read_yaml, validate
from mentor_workshop.core.steps import STEPS
from mentor_workshop.errors import CurriculumError

#: The bibliography every citation key resolves against (optional in a facilitator's folder).
REFERENCES_FILE = "references.yaml"

#: The step ids in workshop order and the model of each step's file, from the registry.
STEP_IDS: tuple[str, ...] = STEPS.ids()
CONTENT_MODELS = STEPS.content_models()

# Re-exported names other modules use as ``curriculum.X``; new code may import the content
# models from ``content_models`` directly.
__all__ = [
    "CHANNEL_IDS", "CONTENT_MODELS", "SCAFFOLD_IDS", "SCENARIO_IDS", "STEP_IDS", "TONES",
    "CommitmentFields", "Curriculum", "CurriculumError", "DormantTieFields", "Evidence",
    "LiveMinutes", "PlanSection", "Problem", "Rhythm", "Rubric", "Session", "Step", "StepContent",
    "TextField", "clear_cache", "load", "main",
]


# ---------------------------------------------------------------------------------------------
# The public result
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Step:
    """One step as the notebooks see it: the curriculum.yaml entry joined with its content file."""

    id: str
    number: int
    title: str
    objectives: list[str]
    minutes: int
    live_minutes: LiveMinutes
    notebook: str
    evidence: list[Evidence]
    content: Any  # the step's StepContent subclass, e.g. RequestContent for 03_request
    content_path: Path


@dataclass(frozen=True, eq=False)
class Curriculum:
    """The whole validated workshop; built only when every file passed, so callers never
    need to re-check what they read from it."""

    root: Path
    title: str
    subtitle: str
    session: Session
    steps: list[Step]
    rubric: Rubric
    references: dict[str, Reference] = field(default_factory=dict)

    def step(self, step_id: str) -> Step:
        """The step with this id; ``KeyError`` listing the valid ids otherwise."""
        for step in self.steps:
            if step.id == step_id:
                return step
        valid = ", ".join(s.id for s in self.steps)
        raise KeyError(f"no step {step_id!r} in the curriculum; valid ids: {valid}")

    @property
    def live_minutes(self) -> int:
        """Minutes of live content, excluding the break."""
        return sum(s.live_minutes.total for s in self.steps)

    @property
    def self_paced_minutes(self) -> int:
        """Minutes a participant working alone is expected to spend, all steps added up."""
        return sum(s.minutes for s in self.steps)


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def _shown(root: Path, path: Path) -> str:
    try:
        return (Path(root.name) / path.relative_to(root)).as_posix()
    except ValueError:
        return str(path)


def _read(root: Path, path: Path, problems: list[Problem]) -> YamlDoc | None:
    return read_yaml(path, _shown(root, path), problems)


def _step_problems(cf: CurriculumFile, doc: YamlDoc, root: Path) -> Iterator[Problem]:
    """Every step exactly once, in order, numbered and named as the notebooks expect."""
    first: dict[str, int] = {}
    for i, entry in enumerate(cf.steps):
        loc: Loc = ("steps", i)
        if entry.id in first:
            j = first[entry.id]
            yield doc.problem((*loc, "id"), (
                f"duplicate step id '{entry.id}' (already used by steps[{j}], "
                f"line {doc.line_of(('steps', j, 'id'))}); each step id must be unique"
            ))
            continue
        first[entry.id] = i
        if entry.id not in STEP_IDS:
            yield doc.problem((*loc, "id"), (
                f"unknown step id '{entry.id}'; valid ids: {', '.join(STEP_IDS)}"
            ))
            continue
        expected = STEP_IDS.index(entry.id)
        if i != expected and len(cf.steps) == len(STEP_IDS):
            yield doc.problem((*loc, "id"), (
                f"out of order: step '{STEP_IDS[i]}' belongs here "
                f"and '{entry.id}' belongs at position {expected}"
            ))
        if entry.number != expected:
            yield doc.problem((*loc, "number"), f"should be {expected} for step '{entry.id}'")
        if entry.notebook != f"{entry.id}.ipynb":
            yield doc.problem((*loc, "notebook"),
                              f"should be '{entry.id}.ipynb' to match the step id")
        content = (root / entry.content).resolve()
        if not content.is_relative_to(root):
            yield doc.problem((*loc, "content"), (
                f"must be a path inside the exercises folder, e.g. steps/{entry.id}.yaml"
            ))
        elif not content.is_file():
            yield doc.problem((*loc, "content"), f"file not found: {_shown(root, content)}")
    missing = [s for s in STEP_IDS if s not in first]
    if missing:
        yield doc.problem(("steps",), (
            f"missing step(s): {', '.join(missing)}; the workshop needs all of "
            f"{', '.join(STEP_IDS)}"
        ))


def _session_problems(cf: CurriculumFile, doc: YamlDoc) -> Iterator[Problem]:
    """The live timings must fit the session, so a stretched step shows before the day."""
    session = cf.session
    if session.break_after is not None and session.break_after not in STEP_IDS:
        yield doc.problem(("session", "break_after"),
                          f"unknown step id '{session.break_after}'")
    used = sum(e.live_minutes.total for e in cf.steps) + session.break_minutes
    if used > session.total_minutes:
        yield doc.problem(("session", "total_minutes"), (
            f"the steps' live_minutes plus the break come to {used} minutes, more than the "
            f"{session.total_minutes} available; shorten some steps or lengthen the session"
        ))


def _plan_section_problems(content: StepContent, doc: YamlDoc) -> Iterator[Problem]:
    """A plan section may only gather steps that exist (ids come from the registry)."""
    for i, section in enumerate(getattr(content, "sections", None) or []):
        for j, step_id in enumerate(section.from_steps):
            if step_id not in STEP_IDS:
                yield doc.problem(("sections", i, "from_steps", j), (
                    f"unknown step id '{step_id}'; valid ids: {', '.join(STEP_IDS)}"
                ))


def _references(root: Path, problems: list[Problem]) -> dict[str, Reference]:
    """The folder's bibliography; empty when it has no references.yaml (then any citation
    is reported as unknown where it is used)."""
    path = root / REFERENCES_FILE
    if not path.is_file():
        return {}
    doc = _read(root, path, problems)
    parsed = validate(doc, ReferencesFile, problems) if doc else None
    return dict(parsed.references) if parsed else {}


def _read_cited(root: Path, path: Path, problems: list[Problem],
                refs: dict[str, Reference]) -> YamlDoc | None:
    doc = _read(root, path, problems)
    if doc is not None:
        problems.extend(cite_in_place(doc, refs))
    return doc


def _rubric_step_problems(rubric: Rubric, doc: YamlDoc) -> Iterator[Problem]:
    """Anchors and step declarations must name steps the registry knows."""
    valid = ", ".join(STEP_IDS)
    for step_id in rubric.steps:
        if step_id not in STEP_IDS:
            yield doc.problem(("steps", step_id), f"unknown step id '{step_id}'; valid: {valid}")
    for i, criterion in enumerate(rubric.criteria):
        for j, level in enumerate(criterion.levels):
            for step_id in level.anchors:
                if step_id not in STEP_IDS:
                    yield doc.problem(("criteria", i, "levels", j, "anchors", step_id),
                                      f"unknown step id '{step_id}'; valid: {valid}")


def _build(root: Path) -> Curriculum:
    problems: list[Problem] = []
    if not root.is_dir():
        hint = ""
        if os.environ.get(resources.EXERCISES_ENV, "").strip():
            hint = f" (set by the environment variable {resources.EXERCISES_ENV})"
        raise CurriculumError([Problem(str(root), None, "", f"exercises folder not found{hint}")])

    refs = _references(root, problems)
    cur_doc = _read_cited(root, root / "curriculum.yaml", problems, refs)
    cf = validate(cur_doc, CurriculumFile, problems) if cur_doc else None
    steps: list[Step] = []
    if cf is not None and cur_doc is not None:
        problems.extend(_step_problems(cf, cur_doc, root))
        problems.extend(_session_problems(cf, cur_doc))
        seen: set[str] = set()
        for entry in cf.steps:
            path = (root / entry.content).resolve()
            if entry.id not in CONTENT_MODELS or entry.id in seen or not path.is_file():
                continue  # already reported above
            seen.add(entry.id)
            doc = _read_cited(root, path, problems, refs)
            content = validate(doc, CONTENT_MODELS[entry.id], problems) if doc else None
            if content is not None and doc is not None:
                problems.extend(_plan_section_problems(content, doc))
            if content is not None:
                steps.append(Step(
                    id=entry.id, number=entry.number, title=entry.title,
                    objectives=list(entry.objectives), minutes=entry.minutes,
                    live_minutes=entry.live_minutes, notebook=entry.notebook,
                    evidence=list(entry.evidence), content=content, content_path=path,
                ))

    rubric_doc = _read_cited(root, root / "rubric.yaml", problems, refs)
    rubric = validate(rubric_doc, Rubric, problems) if rubric_doc else None
    if rubric is not None and rubric_doc is not None:
        problems.extend(_rubric_step_problems(rubric, rubric_doc))

    if problems or cf is None or rubric is None:
        raise CurriculumError(problems)
    return Curriculum(root=root, title=cf.title, subtitle=cf.subtitle, session=cf.session,
                      steps=steps, rubric=rubric, references=refs)


_cache: dict[Path, tuple[tuple[Any, ...], Curriculum]] = {}
_cache_lock = threading.Lock()


def _signature(root: Path) -> tuple[Any, ...]:
    """Cheap fingerprint of the YAML files, so edits in a running kernel are picked up.

    Taken on every :func:`load` (a step notebook calls it a dozen times), so it walks with
    ``os.scandir``, which reads each folder once: four times faster than ``Path.rglob``.
    """
    entries = []
    folders = [str(root)]
    while folders:
        try:
            with os.scandir(folders.pop()) as found:
                for entry in found:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.name.endswith(".yaml"):
                        with contextlib.suppress(OSError):
                            st = entry.stat()
                            entries.append((entry.path, st.st_mtime_ns, st.st_size))
        except OSError:
            continue
    return tuple(sorted(entries))


def load(root: Path | str | None = None) -> Curriculum:
    """The validated curriculum in ``root`` (default: ``resources.exercises_dir()``).

    Cached per folder and re-read only when a YAML file in it changes, so every widget in a
    kernel shares one instance yet a facilitator's edit shows up without a restart.

    Parameters
    ----------
    root : pathlib.Path or str, optional
        The exercises folder; :func:`mentor_workshop.core.resources.exercises_dir` when omitted.

    Returns
    -------
    Curriculum
        The curriculum, built only once every file passed.

    Raises
    ------
    CurriculumError
        Listing every problem found (a missing folder included), each with file, line and field.
    """
    folder = Path(root) if root is not None else resources.exercises_dir()
    folder = folder.expanduser().resolve()
    signature = _signature(folder) if folder.is_dir() else ()
    with _cache_lock:
        hit = _cache.get(folder)
        if hit is not None and hit[0] == signature:
            return hit[1]
    curriculum = _build(folder)
    with _cache_lock:
        _cache[folder] = (signature, curriculum)
    return curriculum


def clear_cache() -> None:
    """Forget every loaded folder, for when a file changed without its size or mtime changing."""
    with _cache_lock:
        _cache.clear()


# ---------------------------------------------------------------------------------------------
# Command line: python -m mentor_workshop.curriculum [DIR]
# ---------------------------------------------------------------------------------------------


def _summary(curriculum: Curriculum) -> str:
    session = curriculum.session
    return (
        f"OK: {len(curriculum.steps)} steps; live {curriculum.live_minutes} min "
        f"+ {session.break_minutes} min break of {session.total_minutes} min; "
        f"self-paced {curriculum.self_paced_minutes} min; "
        f"rubric out of {curriculum.rubric.total}"
    )


def main(argv: Iterable[str] | None = None) -> int:
    """Validate an exercises folder; exit status 1 (and no traceback) when anything is wrong.

    Parameters
    ----------
    argv : iterable of str, optional
        The arguments after the program name (an optional folder); ``sys.argv[1:]`` if omitted.

    Returns
    -------
    int
        0 with a one-line summary on stdout; 1 with every problem listed on stderr.
    """
    parser = argparse.ArgumentParser(
        prog="python -m mentor_workshop.curriculum",
        description="Check a (facilitator's) exercises folder: curriculum, step files, rubric, "
        "and the self-paced content (solo.yaml).",
    )
    parser.add_argument("folder", nargs="?", type=Path,
                        help="exercises folder (default: the one the kit uses)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    folder = args.folder or resources.exercises_dir()
    try:
        curriculum = load(folder)
    except CurriculumError as exc:
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} in {folder}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except Exception as exc:  # the promise is: no traceback, ever, from this command
        print(f"could not check {folder}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if (Path(folder) / "solo.yaml").exists():  # the self-paced path's content, when adapted
        from mentor_workshop.core import solo

        try:
            solo.load(folder)
        except Exception as exc:  # the same promise: no traceback
            print(str(exc), file=sys.stderr)
            return 1
    print(_summary(curriculum))
    return 0


if __name__ == "__main__":
    sys.exit(main())
