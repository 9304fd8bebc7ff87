"""CSV cells a spreadsheet will not run as formulas, and rows participant text cannot start.

Why one module: grades and rubric sheets carry text participants typed, and a spreadsheet runs a
cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (CSV injection). Text with a
bare carriage return is worse: a tool that splits lines on ``\\r`` starts a new row in the middle
of a reflection, and that row's first cell can be a formula (``=WEBSERVICE(...)``). So every
writer of a CSV goes through this module: line breaks are normalised to ``\\n``, every line
start inside a cell that looks like a formula is guarded, and text cells are always quoted. The
export and the grading round trip guard and un-guard the same way, so a reflection that starts
with a dash comes back unchanged.
"""

from __future__ import annotations

import csv
import re
from typing import IO, Any

__all__ = ["FORMULA_STARTS", "dict_writer", "guard_cell", "unguard_cell", "writer"]

#: First characters a spreadsheet treats as the start of a formula (tab and CR in some).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A line start to guard: a formula start, or the guard quote itself (so un-guarding is exact).
_GUARD_AT = re.compile(r"^(?=[=+\-@\t'])", re.M)
_GUARDED_AT = re.compile(r"^'(?=[=+\-@\t'])", re.M)
_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def guard_cell(value: Any) -> Any:
    """Make text safe for a spreadsheet cell: line breaks as ``\\n``, formula lines quoted.

    Parameters
    ----------
    value : Any
        A cell about to be written; only strings are changed.

    Returns
    -------
    Any
        ``value`` itself when it is not a string; otherwise the text with every kind of line
        break turned into ``\\n`` and a ``'`` put before each line that starts like a formula
        (or with a ``'``, so that :func:`unguard_cell` restores the text exactly).
    """
    if not isinstance(value, str):
        return value
    return _GUARD_AT.sub("'", _BREAKS.sub("\n", value))


def unguard_cell(value: str) -> str:
    """Undo :func:`guard_cell` on a cell read back from a sheet the kit wrote.

    Parameters
    ----------
    value : str
        The cell's text as read.

    Returns
    -------
    str
        The text without the guarding quotes, at every line start where one was added.
    """
    return _GUARDED_AT.sub("", value)


def writer(stream: IO[str]) -> Any:
    """A ``csv.writer`` that quotes every text cell and ends rows with ``\\n``.

    Why quote every text cell: a quoted cell cannot be taken for the start of a row by any CSV
    reader, whatever the participant typed; numbers stay bare so spreadsheets read them as
    numbers.

    Parameters
    ----------
    stream : text stream
        Where the rows go.

    Returns
    -------
    csv writer
        Pass cells through :func:`guard_cell` before writing them.
    """
    return csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)


def dict_writer(stream: IO[str], fieldnames: list[str]) -> csv.DictWriter:
    """The :func:`writer` rules for rows given as dicts.

    Parameters
    ----------
    stream : text stream
        Where the rows go.
    fieldnames : list of str
        The columns, in order.

    Returns
    -------
    csv.DictWriter
    """
    return csv.DictWriter(stream, fieldnames=fieldnames, lineterminator="\n",
                          quoting=csv.QUOTE_NONNUMERIC)
