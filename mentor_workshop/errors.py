"""Every error a user can cause, in one place.

Why one module: the command line shows a :class:`MentorWorkshopError` as one plain line and
exit code 2, and lets anything else surface as a bug with its traceback. If each area kept its
own exception classes, the CLI would have to list them by hand and a new one would slip
through as a traceback. Each class here says *which* kind of input was at fault; its message
says what to do about it.

Classes that used to derive from :class:`ValueError` or :class:`OSError` still do, so code
that caught those keeps working.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "ContentError",
    "CourseBusyError",
    "CourseError",
    "CurriculumError",
    "FeedbackRulesError",
    "HubError",
    "IcsError",
    "JournalError",
    "MentorWorkshopError",
    "PhraseError",
    "PlanExportError",
    "ReleaseLeakError",
    "RosterError",
    "SandboxUnavailable",
    "UnreadableJournal",
    "UserError",
]


class MentorWorkshopError(Exception):
    """A problem the user can fix; the message says how. The CLI prints it without a traceback."""


#: The first version's name for the base; kept so existing ``except UserError`` still works.
UserError = MentorWorkshopError


class CourseError(MentorWorkshopError):
    """A course folder, its config or a facilitator's command-line choice is not usable."""


class ReleaseLeakError(CourseError):
    """A released notebook would still show solutions, hidden tests or outputs."""


class JournalError(MentorWorkshopError, ValueError):
    """A save was refused or the journal cannot be used; the message says what to do."""


class UnreadableJournal(JournalError):
    """A file is not a journal the kit can read; the message says why in plain words."""


class ContentError(MentorWorkshopError, ValueError):
    """A content file in ``exercises/`` is wrong; the message names file, line and field."""


class CurriculumError(ContentError):
    """The exercises folder has problems; ``str()`` lists each as "file, line N: field: message".

    ``problems`` holds :class:`~mentor_workshop.core.content.yaml_source.Problem` records, so a
    tool can point at each file and line.
    """

    def __init__(self, problems: Sequence[Any]) -> None:
        self.problems: list[Any] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    # Convenience for the common single-problem case (and for tests).
    @property
    def file(self) -> str:
        return self.problems[0].file

    @property
    def line(self) -> int | None:
        return self.problems[0].line

    @property
    def field(self) -> str:
        return self.problems[0].field


class FeedbackRulesError(ContentError):
    """``exercises/feedback_rules.yaml`` (or its examples) cannot be used."""


class PhraseError(ContentError):
    """A phrase in a feedback bank does not follow the phrase syntax."""


class RosterError(MentorWorkshopError, ValueError):
    """The roster cannot be used; ``problems`` holds one message per problem found."""

    def __init__(self, problems: list[str] | str, path: str | os.PathLike[str] | None = None):
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        self.path = Path(path) if path is not None else None
        super().__init__(self._summary())

    def _summary(self) -> str:
        where = f"The roster {self.path}" if self.path is not None else "The roster"
        count = len(self.problems)
        head = f"{where} has {count} problem{'s' if count != 1 else ''} to fix:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class IcsError(MentorWorkshopError, ValueError):
    """A date, time or time zone cannot go into a calendar file."""


class PlanExportError(MentorWorkshopError, OSError):
    """The plan's files could not be written where the participant asked."""


class CourseBusyError(CourseError):
    """Another command holds the course's lock (two autograde runs on one gradebook)."""


class HubError(MentorWorkshopError):
    """The shared JupyterHub cannot be set up, started or torn down; the message says why."""


class SandboxUnavailable(CourseError):
    """Participants' notebooks cannot be run in a sandbox here, so the kit refuses to run them."""
