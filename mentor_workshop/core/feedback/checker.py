"""Clear errors for the facilitator-edited YAML files: each names the file, the key and the line.

A facilitator adapting a phrase list is not expected to read a traceback; pointing at
``signals.length.thresholds.good_min (line 77)`` lets them fix the file on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from mentor_workshop.core.content.yaml_source import field_path as keypath
from mentor_workshop.core.content.yaml_source import key_lines
from mentor_workshop.errors import FeedbackRulesError

#: The C loader when PyYAML was built with it: the rules file is large enough for it to matter.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml_line(text: str, keys: Sequence[str | int]) -> int | None:
    """The 1-based line of a key path in a YAML text, or None when even its first key is absent."""
    try:
        node = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.YAMLError:
        return None
    lines = key_lines(node, keys)
    return lines[-1] if lines else None


def _braced(fields: Sequence[str]) -> str:
    return ", ".join("{" + f + "}" for f in fields) or "no fields"


class Checker:
    """Builds clear errors that name the file, the key and (where known) the line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, keys: Sequence[str | int], problem: str) -> FeedbackRulesError:
        """The error for ``problem`` at key path ``keys``, for the caller to raise."""
        where = keypath(keys)
        line = _yaml_line(self.text, keys) if keys else None
        at = f" (line {line})" if line else ""
        return FeedbackRulesError(f"{self.path}: {where}{at}: {problem}")

    def mapping(self, value: Any, keys: Sequence[str | int]) -> Mapping:
        """``value`` if it is a mapping; raises the located error otherwise."""
        if not isinstance(value, Mapping):
            raise self.fail(keys, f"expected a mapping of keys, found {type(value).__name__}")
        return value

    def text_value(self, value: Any, keys: Sequence[str | int]) -> str:
        """``value`` stripped if it is non-blank text; raises the located error otherwise."""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(keys, "expected a non-empty text")
        return value.strip()

    def number(self, value: Any, keys: Sequence[str | int]) -> float:
        """``value`` as a float if it is a number of 0 or more (not a bool); raises otherwise."""
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(keys, f"expected a number of 0 or more, found {value!r}")
        return float(value)

    def template(self, value: Any, keys: Sequence[str | int], fields: Sequence[str]) -> str:
        """Non-blank text whose ``{field}`` slots are all in ``fields``; raises otherwise."""
        text = self.text_value(value, keys)
        try:
            text.format_map(dict.fromkeys(fields, "1"))
        except KeyError as exc:
            raise self.fail(
                keys, f"unknown field {{{exc.args[0]}}}; this text may use {_braced(fields)}"
            ) from None
        except (ValueError, IndexError) as exc:
            raise self.fail(
                keys, f"braces are not balanced ({exc}); write {{{{ for a brace"
            ) from None
        return text

    def only(self, value: Mapping, keys: Sequence[str | int], allowed: Iterable[str]) -> None:
        """Raise the located error for the first key of ``value`` not in ``allowed``."""
        allowed = tuple(allowed)
        for key in value:
            if key not in allowed:
                raise self.fail(
                    [*keys, key], f"unknown key {key!r}; expected one of {', '.join(allowed)}"
                )
