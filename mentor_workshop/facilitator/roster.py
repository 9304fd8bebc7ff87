"""The facilitator's roster: one CSV line per participant, checked before anything uses it.

Roster ids become folder names (nbgrader student folders, personalised notebooks), so an id
like ``../x`` could write outside the course. Rosters are also typed by hand or exported from
spreadsheets, so we report every problem at once, each with its line number, instead of
stopping at the first: the facilitator fixes the file in one pass.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from mentor_workshop.errors import RosterError

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "Participant",
    "RosterError",
    "read_roster",
    "safe_id",
]

REQUIRED_COLUMNS = ("id", "name", "email")
OPTIONAL_COLUMNS = ("cohort", "facilitator")
MAX_ID_LENGTH = 64

_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# Deliberately simple: something@domain.tld with no spaces, commas or angle brackets. Letters
# outside ASCII are allowed because real addresses have them.
_EMAIL = re.compile(
    r"^(?!\.)(?!.*\.\.)[^\s@\"(),:;<>\[\]\\]+(?<!\.)@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,}$"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UTF8_BOM = b"\xef\xbb\xbf"
_SAVE_AS_UTF8 = (
    "Save the file as UTF-8 (in Excel: Save As > 'CSV UTF-8'; in LibreOffice: Save As > "
    "Text CSV > Edit filter settings > Unicode (UTF-8))."
)


@dataclass(frozen=True)
class Participant:
    """One participant as the roster names them."""

    id: str
    name: str
    email: str
    cohort: str = ""
    facilitator: str = ""


def safe_id(text: object) -> bool:
    """True if ``text`` is safe as a participant id and therefore as a folder or file name.

    Only ASCII letters, digits, '_', '.' and '-', at most 64 characters. A leading '.' (hidden
    files, '.' and '..') or '-' (read as an option by command-line tools) is refused too.

    Parameters
    ----------
    text : object
        A candidate id.

    Returns
    -------
    bool
    """
    return (
        isinstance(text, str)
        and _SAFE_ID.fullmatch(text) is not None
        and not text.startswith((".", "-"))
    )


def _id_problem(value: str) -> str | None:
    """Why ``value`` is not a safe id, in words a facilitator can act on (None if it is)."""
    if safe_id(value):
        return None
    if value in (".", ".."):
        return "is a special folder name"
    reasons = []
    if len(value) > MAX_ID_LENGTH:
        reasons.append(f"is {len(value)} characters long (the limit is {MAX_ID_LENGTH})")
    bad = sorted({ch for ch in value if not re.fullmatch(r"[A-Za-z0-9_.-]", ch)})
    if bad:
        shown = ", ".join("a space" if ch == " " else repr(ch) for ch in bad)
        reasons.append(f"contains {shown}")
    if value.startswith((".", "-")):
        reasons.append(f"starts with '{value[0]}'")
    return " and ".join(reasons)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        hint = "" if path.is_absolute() else f" (relative paths start from {Path.cwd()})"
        raise RosterError([f"There is no file at {path}. Check the path{hint}."], path) from None
    except IsADirectoryError:
        raise RosterError(
            [f"{path} is a folder; give the path of the roster CSV file inside it."], path
        ) from None
    except OSError as exc:
        raise RosterError([f"{path} cannot be read ({exc.strerror})."], path) from None


def _utf8_problems(raw: bytes) -> list[str]:
    """One message per line holding bytes that are not UTF-8 (usually an Excel/Latin-1 save)."""
    problems = []
    offset = 0
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            at = offset + exc.start
            problems.append(
                f"line {number}, byte offset {at}: byte 0x{line[exc.start]:02X} is not UTF-8 "
                f"text. {_SAVE_AS_UTF8}"
            )
        offset += len(line) + 1
    return problems


def _header(cells: list[str], line: int) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(cells):
        name = cell.strip().lower()
        if name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS and name in columns:
            problems.append(f"line {line}: the column '{name}' appears twice in the header.")
        elif name:
            columns.setdefault(name, index)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        found = ", ".join(repr(c.strip()) for c in cells if c.strip()) or "none"
        names = ", ".join(f"'{c}'" for c in missing)
        problems.append(
            f"line {line}: the header is missing the column{'s' if len(missing) > 1 else ''} "
            f"{names}. Columns found: {found}. A roster needs id, name and email "
            "(cohort and facilitator are optional)."
        )
    return columns, problems


def read_roster(path: str | os.PathLike[str]) -> list[Participant]:
    """Read and check a roster CSV, reporting every problem at once.

    Parameters
    ----------
    path : path-like
        The CSV with ``id,name,email`` (``cohort``, ``facilitator`` optional).

    Returns
    -------
    list of Participant
        In file order.

    Raises
    ------
    RosterError
        Listing each problem with its line number, so one round of fixes is enough.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    if not raw.strip():
        raise RosterError(
            [
                f"{path.name} is empty. It needs a header line 'id,name,email' and then one "
                "line per participant."
            ],
            path,
        )
    encoding_problems = _utf8_problems(raw)
    if encoding_problems:
        raise RosterError(encoding_problems, path)

    text = raw.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[str] = []
    columns: dict[str, int] | None = None
    participants: list[Participant] = []
    first_line_of: dict[str, tuple[str, int]] = {}  # casefolded id -> (id as written, line)
    last_line = 0
    try:
        for cells in reader:
            line = last_line + 1  # first physical line of this record
            last_line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns, header_problems = _header(cells, line)
                problems += header_problems
                if header_problems:
                    raise RosterError(problems, path)
                width = len(cells)
                continue
            extra = [c for c in cells[width:] if c.strip()]
            if extra:
                problems.append(
                    f"line {line}: {len(cells)} values but the header has {width} columns. "
                    "A value that contains a comma must be put in double quotes, "
                    'e.g. "Lee, Ana".'
                )
                continue
            participant, row_problems = _row(cells, columns, line, first_line_of)
            problems += row_problems
            if participant is not None:
                participants.append(participant)
    except csv.Error as exc:
        problems.append(
            f"line {reader.line_num}: the CSV is malformed ({exc}). Check for a stray double quote."
        )

    if columns is None:
        problems.append(f"{path.name} has no header line 'id,name,email'.")
    elif not participants and not problems:
        problems.append(f"{path.name} has a header but no participants.")
    if problems:
        raise RosterError(problems, path)
    return participants


def _row(
    cells: list[str],
    columns: dict[str, int],
    line: int,
    first_line_of: dict[str, tuple[str, int]],
) -> tuple[Participant | None, list[str]]:
    def cell(column: str) -> str:
        index = columns.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    problems = []
    pid, name, email = cell("id"), cell("name"), cell("email")

    if not pid:
        problems.append(f"line {line}: the id is empty.")
    else:
        why = _id_problem(pid)
        if why:
            problems.append(
                f"line {line}: the id {pid!r} {why}. Ids become folder names, so use only "
                f"letters, digits, '_', '.' and '-' (at most {MAX_ID_LENGTH}, not starting "
                "with '.' or '-'), e.g. 'p01'."
            )
        key = pid.casefold()
        if key in first_line_of:
            earlier, earlier_line = first_line_of[key]
            same = "is already used" if earlier == pid else f"clashes with {earlier!r}"
            detail = "" if earlier == pid else " (ids that differ only in case share a folder)"
            problems.append(
                f"line {line}: the id {pid!r} {same} on line {earlier_line}{detail}; "
                "every participant needs their own id."
            )
        else:
            first_line_of[key] = (pid, line)

    if not name:
        problems.append(f"line {line}: the name is empty.")
    elif _CONTROL.search(name):
        problems.append(f"line {line}: the name contains a line break or control character.")

    if not email:
        problems.append(f"line {line}: the email is empty.")
    elif not _EMAIL.fullmatch(email):
        problems.append(
            f"line {line}: {email!r} does not look like an email address (expected "
            "name@example.org)."
        )

    if problems:
        return None, problems
    return Participant(pid, name, email, cell("cohort"), cell("facilitator")), []
