"""nbgrader's submit and collect, hardened for a shared hub.

**Submit** (``PrivateExchangeSubmit``), with the hand-in readable by its owner and the
facilitator only. Why: nbgrader's own submit leaves the submission folder in ``inbound`` world-
writable and its files world-readable, counting on the random suffix of the folder's name to
hide it. Anyone who learns the name (a shared screen, a log, a shell history) could read or
change the work. The hub's ``inbound`` is setgid to the facilitator's group, so a new
submission already belongs to that group; this class narrows the modes after nbgrader has
copied the files (folders 0770, files 0640). Files nbgrader writes after its copy
(``timestamp.txt``, the submission secret) belong to the participant's own group instead, which
the facilitator's account joins at setup. Either way the facilitator collects through a group;
the other participants get "permission denied" even with the exact path. The hub's
``nbgrader_config.py`` selects this class with ``c.ExchangeFactory.submit``.

**Collect** (``OwnerCheckedCollect``), taking a hand-in for a participant only from their own
account. Why: nbgrader names a hand-in after the student id the *submitter* chose, and its
collect merely warns when the folder's owner differs. On a hub anyone can submit under
someone else's id (``nbgrader submit --student p02``) and, being newer, replace that person's
work. The facilitator's ``nbgrader_config.py`` selects this class with
``c.ExchangeFactory.collect``: a hand-in whose folder is not owned by ``mw-<id>`` is left out,
with a warning in the log, and the person's own newest hand-in is collected instead.
"""

from __future__ import annotations

import os
import pwd
from typing import Any

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.submit import ExchangeSubmit

from mentor_workshop.errors import HubError
from mentor_workshop.facilitator.hub.accounts import account_name

__all__ = ["OwnerCheckedCollect", "PrivateExchangeSubmit"]

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


class OwnerCheckedCollect(ExchangeCollect):
    """Collect as nbgrader does, from hand-ins whose folder belongs to the named participant."""

    def _genuine(self, record: dict[str, Any]) -> bool:
        path = os.path.join(self.inbound_path, record["filename"])
        try:
            owner = pwd.getpwuid(os.stat(path).st_uid).pw_name
            return owner == account_name(record["username"])
        except (OSError, KeyError, HubError):
            return False

    def _sort_by_timestamp(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Newest first, but every genuine hand-in before any forged one."""
        return sorted(records, key=lambda r: (self._genuine(r), r["timestamp"]), reverse=True)

    def init_src(self) -> None:
        """nbgrader's choice of hand-ins, minus those not made by their participant."""
        super().init_src()
        kept = []
        for record in self.src_records:
            if self._genuine(record):
                kept.append(record)
            else:
                self.log.warning("Left out %s: it was not handed in by %s's own account.",
                                 record["filename"], record["username"])
        self.src_records = kept
