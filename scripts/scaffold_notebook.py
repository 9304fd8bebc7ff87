"""Create the standard skeleton of a step notebook (nbgrader source version).

Every step notebook has the same frame — parameters, set-up, objectives, the exercise, the
self-check, the reflection (a 7-point manually graded answer) and a hidden autograded test — so a
maintainer adding a step starts from this and writes only the teaching text.

    python scripts/scaffold_notebook.py 11_new_step --points 3 --teaching "Some *markdown*"
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REFLECTION_POINTS = 7


def nbgrader(grade_id: str, *, grade: bool = False, solution: bool = False,
             locked: bool = True, points: float | None = None) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": locked, "task": False,
            "grade_id": grade_id, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def skeleton(step_id: str, points: float, teaching: list[str], exercises: list[str]) -> dict:
    """The notebook as nbformat node; ``exercises`` are the names passed to ``mw.show``."""
    number = step_id.split("_", 1)[0]
    cells = [
        new_markdown_cell(teaching[0], metadata=nbgrader(f"title_{number}")),
        new_code_cell(
            '# Parameters: a facilitator\'s batch (papermill) replaces these.\n'
            'participant_id = ""\nparticipant_name = ""\njournal_path = "journal.json"',
            metadata={"tags": ["parameters"]},
        ),
        new_code_cell(
            "import mentor_workshop as mw\n\n"
            "journal = mw.setup(journal_path, participant_id, participant_name)\n"
            f'mw.intro("{step_id}")',
            metadata=nbgrader(f"setup_{number}"),
        ),
    ]
    for i, text in enumerate(teaching[1:], start=1):
        cells.append(new_markdown_cell(text, metadata=nbgrader(f"teach_{number}_{i}")))
    for name in exercises:
        part = name.partition(".")[2] or "main"
        cells.append(new_code_cell(f'mw.show("{name}")',
                                   metadata=nbgrader(f"show_{number}_{part}")))
    cells += [
        new_markdown_cell(
            "### Check your work\n\nRun the cell below (or press **Check my work** above). It is "
            "the same check your facilitator's grader runs.",
            metadata=nbgrader(f"check_intro_{number}"),
        ),
        new_code_cell(f'mw.check("{step_id}")', metadata=nbgrader(f"selfcheck_{number}")),
        new_code_cell(f'mw.reflection("{step_id}")',
                      metadata=nbgrader(f"reflection_prompt_{number}")),
        new_markdown_cell(
            "YOUR ANSWER HERE",
            metadata=nbgrader(f"reflection_{number}", grade=True, solution=True, locked=False,
                              points=REFLECTION_POINTS),
        ),
        new_code_cell(
            "# Graded check: when your facilitator grades, this cell runs the same check as\n"
            '# "Check my work" and gives partial credit for what is complete.\n'
            "### BEGIN HIDDEN TESTS\n"
            "from mentor_workshop.checks import grade\n\n"
            f'grade("{step_id}", journal_path, points={points})\n'
            "### END HIDDEN TESTS",
            metadata=nbgrader(f"test_{number}", grade=True, points=points),
        ),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step_id")
    parser.add_argument("--points", type=float, default=3)
    parser.add_argument("--teaching", action="append", default=[])
    parser.add_argument("--exercise", action="append", default=[])
    parser.add_argument("--out", type=Path, default=Path("notebooks"))
    args = parser.parse_args()
    nb = skeleton(args.step_id, args.points, args.teaching or ["# TODO"],
                  args.exercise or [args.step_id])
    path = args.out / f"{args.step_id}.ipynb"
    nbformat.write(nb, path)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
