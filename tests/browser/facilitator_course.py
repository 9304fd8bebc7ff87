"""A small autograded course from the sample cohort, laid out as a facilitator's folder.

Why small: the facilitator scenarios need real reflections from real hand-ins in a real nbgrader
gradebook, graded by the real autograde; they do not need all eleven steps for twelve people.
Two steps for six participants keep autograding to seconds while giving the blind grader six
answers per question.

The folder is what a facilitator serves with ``jupyter lab`` (so formgrader finds the course):

* the nbgrader course itself (``nbgrader_config.py``, ``source/``, ``submitted/``,
  ``autograded/``, ``gradebook.db``);
* ``grade_reflections.ipynb``, copied from ``facilitator/`` (its ``course_dir = "."`` is this
  folder);
* ``facilitator/cohort_report.ipynb`` beside ``exercises/sample_cohort/``, so the report notebook
  runs with its own default parameters, as it does from a checkout.
"""

from __future__ import annotations

import csv
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from mentor_workshop.facilitator.sandbox import available as sandbox_available

ROOT = Path(__file__).resolve().parents[2]
COHORT = ROOT / "exercises" / "sample_cohort"
#: Two steps with reflections: one graded by keyboard in the browser, one beforehand.
STEPS = ("00_welcome", "02_assumptions")
#: Six participants, each handing in a folder (the demo zips p07 onwards).
PARTICIPANTS = ("p01", "p02", "p03", "p04", "p05", "p06")
#: Typed by :data:`HOSTILE_BY` at the end of a reflection: every page that shows it must show
#: it as text (``window.__mw_xss`` stays unset).
HOSTILE = "<script>window.__mw_xss=1</script><img src=x onerror=\"window.__mw_xss=2\">"
HOSTILE_BY = ("p05", "02_assumptions", "reflection_02")


def roster_people(ids: Sequence[str] = PARTICIPANTS) -> dict[str, dict[str, str]]:
    """The sample roster's rows for ``ids``: what must never show in a blind grader."""
    with (COHORT / "roster.csv").open(encoding="utf-8-sig", newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f) if row["id"] in ids}


def build(base: Path, steps: Sequence[str] = STEPS,
          participants: Sequence[str] = PARTICIPANTS) -> Path:
    """Init, release, hand in, collect and autograde; returns the facilitator's folder."""
    from mentor_workshop.facilitator import course as mw_course
    from mentor_workshop.facilitator.autograde import autograde
    from mentor_workshop.facilitator.demo import ASSIGNMENT, build_inbox

    # nbgrader runs `alembic` to create its gradebook; make sure the venv's bin/ is on PATH.
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    course = base / "course"
    roster = base / "roster.csv"
    lines = (COHORT / "roster.csv").read_text(encoding="utf-8-sig").splitlines()
    roster.write_text("\n".join([lines[0], *(ln for ln in lines[1:]
                                             if ln.split(",", 1)[0] in participants)]) + "\n",
                      encoding="utf-8")
    mw_course.init_course(course, roster, notebooks=[ROOT / "notebooks" / f"{s}.ipynb"
                                                     for s in steps], timeout=20)
    mw_course.release(course)
    inbox = base / "inbox"
    build_inbox(course / "release" / ASSIGNMENT, COHORT, inbox, participants)
    _type_hostile_text(inbox)
    mw_course.collect(course, inbox)
    autograde(course, workers=2, progress=False,
              sandbox=sandbox_available()[0])
    shutil.copy(ROOT / "facilitator" / "grade_reflections.ipynb", course)
    (course / "facilitator").mkdir()
    shutil.copy(ROOT / "facilitator" / "cohort_report.ipynb", course / "facilitator")
    shutil.copytree(COHORT, course / "exercises" / "sample_cohort")
    return course


def _type_hostile_text(inbox: Path) -> None:
    import nbformat

    pid, step, cell_id = HOSTILE_BY
    path = inbox / pid / f"{step}.ipynb"
    if not path.exists():
        return
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == cell_id:
            cell.source = f"{cell.source}\n\n{HOSTILE}"
    nbformat.write(nb, path)
