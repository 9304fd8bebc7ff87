"""Writing the plan's files where the participant keeps them.

Why atomic: the export runs from a notebook, often on a laptop that sleeps or a synced folder.
Each file is replaced in one step, so an interrupted export leaves the previous version, not
half a file; and a failure is one message saying what to do, with the journal untouched.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from mentor_workshop.core.atomic import write_bytes_atomic, write_text_atomic
from mentor_workshop.errors import PlanExportError
from mentor_workshop.participant.plan.build import JournalSource, build_plan
from mentor_workshop.participant.plan.calendar import to_ics
from mentor_workshop.participant.plan.html import to_html
from mentor_workshop.participant.plan.markdown import to_markdown
from mentor_workshop.participant.solo.calendar import pace_events

__all__ = ["FILENAMES", "export"]

#: Output file per format; ``export`` returns paths under these keys.
FILENAMES: dict[str, str] = {"md": "my_plan.md", "html": "my_plan.html", "ics": "my_plan.ics"}


def export(journal: JournalSource, out_dir: str | os.PathLike[str] = ".") -> dict[str, Path]:
    """Write my_plan.md, my_plan.html and (when something is dated) my_plan.ics to ``out_dir``.

    A my_plan.ics left from an earlier export is removed when nothing is dated any more, so the
    folder never holds a calendar that contradicts the plan beside it.

    Parameters
    ----------
    journal : Journal, path or mapping
        The participant's journal (open, or its path), or a mapping of answers by key.
    out_dir : path, default "."
        The folder to write into; created when missing.

    Returns
    -------
    dict
        Format (``"md"``, ``"html"``, ``"ics"``) -> the path written.

    Raises
    ------
    PlanExportError
        When the folder or a file cannot be written (no permission, disk full).
    """
    plan = build_plan(journal)
    folder = Path(out_dir)
    outputs: dict[str, str | bytes] = {"md": to_markdown(plan), "html": to_html(plan)}
    calendar = to_ics(plan, extra=pace_events(journal, plan.schedule.stamp))
    if calendar:
        outputs["ics"] = calendar
    written: dict[str, Path] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for kind, data in outputs.items():
            path = folder / FILENAMES[kind]
            last = kind == list(outputs)[-1]
            if isinstance(data, bytes):
                write_bytes_atomic(path, data, fsync_dir=last)
            else:
                write_text_atomic(path, data, fsync_dir=last)
            written[kind] = path
        if "ics" not in outputs:
            with contextlib.suppress(FileNotFoundError):
                (folder / FILENAMES["ics"]).unlink()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise PlanExportError(
            f"Your plan could not be saved in {folder} ({reason}). Choose a folder you can "
            "write to (set out_dir), or free some disk space, then run the export again. "
            "Your answers in the journal are safe."
        ) from None
    return written
