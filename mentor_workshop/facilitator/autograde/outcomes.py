"""What autograde reports: per notebook, per participant, and for the whole run.

Why a report of its own rather than nbgrader's log: nbgrader stops a participant at the first
problem and says so in a log a facilitator rarely reads. The kit grades on, so every problem it
worked around (a dead kernel, an endless loop, an edited test cell, a damaged journal) must be
said next to the participant it concerns, and the run must say who was skipped and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["AutogradeReport", "NotebookOutcome", "ParticipantOutcome"]


@dataclass
class NotebookOutcome:
    """One notebook of one participant: how grading went, and what a facilitator should know."""

    notebook: str
    status: str  # graded | timeout | crashed | failed | missing | skipped
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


@dataclass
class ParticipantOutcome:
    """One participant's submission: the score, and every problem found while grading it."""

    participant: str
    assignment: str
    notebooks: list[NotebookOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    skipped: bool = False
    score: float | None = None
    max_score: float | None = None

    @property
    def ok(self) -> bool:
        """True when the submission was graded and every notebook ran to the end."""
        return self.error is None and all(
            n.status in ("graded", "skipped") for n in self.notebooks
        )

    @property
    def problems(self) -> list[str]:
        """Every problem to report, the participant's own first, then each notebook's."""
        out = [self.error] if self.error else []
        out += self.notes
        for nb in self.notebooks:
            out += [f"{nb.notebook}: {note}" for note in nb.notes]
        return out


@dataclass
class AutogradeReport:
    """The whole run: how long it took, on how many workers, and each participant's outcome."""

    workers: int
    seconds: float = 0.0
    participants: list[ParticipantOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def graded(self) -> list[ParticipantOutcome]:
        """The participants graded in this run (not skipped, not failed)."""
        return [p for p in self.participants if not p.skipped and p.error is None]

    @property
    def ungraded(self) -> list[str]:
        """Each participant or notebook that could not be graded, as ``id`` or ``id/notebook``:
        a non-empty list makes the command exit non-zero."""
        out = []
        for p in self.participants:
            if p.error is not None:
                out.append(p.participant)
            out += [f"{p.participant}/{n.notebook}" for n in p.notebooks if n.status == "failed"]
        return out

    @property
    def notebooks(self) -> int:
        """How many notebooks this run dealt with (skipped ones not counted)."""
        return sum(
            1 for p in self.participants for n in p.notebooks if n.status not in ("skipped",)
        )

    def lines(self) -> list[str]:
        """The report as the command prints it: totals, who was skipped, then one line per
        participant with its score and its problems indented below.

        Returns
        -------
        list of str
        """
        skipped = [p.participant for p in self.participants if p.skipped]
        out = [
            f"Autograded {len(self.graded)} participants ({self.notebooks} notebooks) in "
            f"{self.seconds:.1f} s with {self.workers} workers."
        ]
        out += [f"WARNING: {w}" for w in self.warnings]
        if skipped:
            out.append(
                f"Skipped {len(skipped)} already graded (use --force or --participant ID to "
                f"grade again): {', '.join(skipped)}"
            )
        for p in self.participants:
            if p.skipped:
                continue
            score = (
                f"{p.score:g}/{p.max_score:g}" if p.score is not None and p.max_score else "-"
            )
            problems = p.problems
            mark = "ok " if not problems else "!! "
            out.append(f"{mark}{p.participant:<12} {score}")
            out += [f"      {line}" for line in problems]
        ungraded = self.ungraded
        if ungraded:
            out.append(f"Could not grade {len(ungraded)}: {', '.join(ungraded)}; see the lines "
                       "above, fix, and run autograde again for them (--participant ID).")
        return out
