"""CSV cells a spreadsheet will not run as formulas.

Why one module: grades and rubric sheets carry text participants typed, and a spreadsheet runs a
cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (CSV injection). The export and
the grading round trip must guard and un-guard the same way, or a reflection that starts with a
dash would come back changed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FORMULA_STARTS", "guard_cell", "unguard_cell"]

#: First characters a spreadsheet treats as the start of a formula (tab and CR in some).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a quote.

    Parameters
    ----------
    value : Any
        A cell about to be written; only strings are changed.

    Returns
    -------
    Any
        ``value`` itself, or ``"'" + value`` when it starts like a formula.
    """
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def unguard_cell(value: str) -> str:
    """Undo :func:`guard_cell` on a cell read back from a sheet the kit wrote.

    Parameters
    ----------
    value : str
        The cell's text as read.

    Returns
    -------
    str
        The text without the guarding quote, when one was added.
    """
    if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value
