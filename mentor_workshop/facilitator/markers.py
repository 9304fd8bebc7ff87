"""nbgrader's solution and hidden-test markers, read once from the course's config.

Why one module: the release check (is anything secret left?) and ``personalize`` (what would a
participant see?) must agree on what a marker is. nbgrader lets a course rename them in
``nbgrader_config.py``; if one side hard-coded the defaults, a course with its own markers would
pass the leak check yet hand out solutions in personalised copies. This module reads nbgrader's
``traitlets`` config without importing nbgrader itself, so ``personalize`` stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Markers", "config_value", "markers"]


def config_value(config: Mapping[str, Any] | None, section: str, key: str, default: Any) -> Any:
    """One setting from a traitlets config, or ``default`` when the course does not set it.

    Parameters
    ----------
    config : mapping or None
        The course's loaded config (``traitlets.config.Config``); ``None`` means nbgrader's
        defaults.
    section, key : str
        Where the setting lives, for example ``"ClearSolutions"``, ``"code_stub"``.
    default : Any
        nbgrader's default for it.

    Returns
    -------
    Any
        The configured value or ``default``.
    """
    if config is not None and section in config and key in config[section]:
        return config[section][key]
    return default


@dataclass(frozen=True)
class Markers:
    """The delimiters nbgrader uses to cut solutions and hidden tests out of a release."""

    begin_solution: str = "BEGIN SOLUTION"
    end_solution: str = "END SOLUTION"
    begin_test: str = "BEGIN HIDDEN TESTS"
    end_test: str = "END HIDDEN TESTS"
    text_stub: str = "YOUR ANSWER HERE"
    code_stub: Mapping[str, str] = field(default_factory=dict)

    @property
    def code_stub_python(self) -> str:
        """What replaces a Python solution (nbgrader's default unless the course sets one)."""
        return self.code_stub.get("python", "# YOUR CODE HERE\nraise NotImplementedError()")

    def region(self, begin: str, end: str) -> re.Pattern[str]:
        """A pattern for one marked region, from the line holding ``begin`` to ``end``'s line.

        Parameters
        ----------
        begin, end : str
            The two delimiters, for example :attr:`begin_test` and :attr:`end_test`.

        Returns
        -------
        re.Pattern
            Group 1 is the indentation of the opening line.
        """
        return re.compile(
            rf"^([ \t]*)[^\n]*{re.escape(begin)}.*?^[^\n]*{re.escape(end)}[^\n]*",
            re.MULTILINE | re.DOTALL,
        )


def markers(config: Mapping[str, Any] | None = None) -> Markers:
    """The markers a course uses: its own config where it sets them, nbgrader's otherwise.

    Parameters
    ----------
    config : mapping, optional
        The course's loaded nbgrader config; ``None`` gives nbgrader's defaults.

    Returns
    -------
    Markers
        The delimiters and stubs.
    """
    base = Markers()
    return Markers(
        begin_solution=config_value(config, "ClearSolutions", "begin_solution_delimeter",
                                    base.begin_solution),
        end_solution=config_value(config, "ClearSolutions", "end_solution_delimeter",
                                  base.end_solution),
        begin_test=config_value(config, "ClearHiddenTests", "begin_test_delimeter",
                                base.begin_test),
        end_test=config_value(config, "ClearHiddenTests", "end_test_delimeter", base.end_test),
        text_stub=config_value(config, "ClearSolutions", "text_stub", base.text_stub),
        code_stub=dict(config_value(config, "ClearSolutions", "code_stub", {}) or {}),
    )
