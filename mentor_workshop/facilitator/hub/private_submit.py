"""nbgrader's submit, with the hand-in readable by its owner and the facilitator only.

Why: nbgrader's own submit leaves the submission folder in ``inbound`` world-writable and its
files world-readable, counting on the random suffix of the folder's name to hide it. Anyone
who learns the name (a shared screen, a log, a shell history) could read or change the work.
The hub's ``inbound`` is setgid to the facilitator's group, so a new submission already
belongs to that group; this class narrows the modes after nbgrader has copied the files
(folders 0770, files 0640). Files nbgrader writes after its copy (``timestamp.txt``, the
submission secret) belong to the participant's own group instead, which the facilitator's
account joins at setup. Either way the facilitator collects through a group; the other
participants get "permission denied" even with the exact path. The hub's
``nbgrader_config.py`` selects this class with ``c.ExchangeFactory.submit``.
"""

from __future__ import annotations

import os

from nbgrader.exchange.default.submit import ExchangeSubmit

__all__ = ["PrivateExchangeSubmit"]

FOLDER_MODE = 0o770
FILE_MODE = 0o640


class PrivateExchangeSubmit(ExchangeSubmit):
    """Submit as nbgrader does, then close the submission to everyone but the facilitator."""

    def copy_files(self) -> None:
        """Copy the submission (nbgrader's code), then narrow every mode in it."""
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        folders = []
        for folder, _, files in os.walk(dest):
            folders.append(folder)
            for name in files:
                os.chmod(os.path.join(folder, name), FILE_MODE)
        for folder in reversed(folders):
            os.chmod(folder, FOLDER_MODE)
