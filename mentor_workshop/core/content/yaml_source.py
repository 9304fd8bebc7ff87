"""YAML files read with their line numbers, and checked against a pydantic model in plain words.

Why: facilitators edit ``exercises/`` by hand, so a mistake has to come back as "file, line N:
field: what to fix", not as a traceback or as pydantic's developer-facing wording. PyYAML's
composer keeps the position of every node; ``YamlDoc`` holds that node tree beside the plain
data, so a pydantic error location such as ``("steps", 3, "id")`` can be walked back to the line
that holds it.

Nothing here knows about the workshop: it reads any YAML file against any pydantic model. A
model may add rules that span several items by defining ``problems()``, which yields ``Issue``s
(location, message); they are reported exactly like pydantic's own errors.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

#: A path into a document, as pydantic reports it: mapping keys and list indexes.
Loc = tuple[str | int, ...]
#: One rule broken inside a document: where, and a message saying what to fix.
Issue = tuple[Loc, str]

M = TypeVar("M", bound=BaseModel)


def field_path(loc: Sequence[str | int]) -> str:
    """``("steps", 3, "id")`` as a facilitator reads it: ``steps[3].id``.

    Parameters
    ----------
    loc : sequence of str or int
        Mapping keys and list indexes, outermost first, as pydantic reports a location.

    Returns
    -------
    str
        The dotted path with ``[i]`` indexes, or ``"(top level)"`` for an empty location.
    """
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def key_lines(node: yaml.Node | None, loc: Sequence[str | int]) -> list[int]:
    """The line of each part of ``loc`` that the document has, in order, stopping at the first it
    lacks: a key's own line, or a list item's first line.

    Every YAML reader here (the content loader, the feedback rules) words its errors as "line N",
    and they must agree on which line a path points to, so the walk is written once.

    Parameters
    ----------
    node : yaml.Node or None
        The composed node to walk from (usually the document root).
    loc : sequence of str or int
        Mapping keys and list indexes to follow.

    Returns
    -------
    list of int
        1-based line numbers, one per part of ``loc`` that was found; shorter than ``loc``
        when the document lacks a part.
    """
    lines: list[int] = []
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            found = next(((key, value) for key, value in node.value
                          if isinstance(key, yaml.ScalarNode) and key.value == part), None)
            if found is None:
                break
            lines.append(found[0].start_mark.line + 1)
            node = found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            lines.append(node.start_mark.line + 1)
        else:
            break
    return lines


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, located precisely enough to fix without hunting."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML file that still knows where each value was written."""

    shown: str  # the path as printed in messages, e.g. "exercises/steps/03_request.yaml"
    node: yaml.Node
    data: Any

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest node ``loc`` reaches: the key's own line when it ends on a
        key, else the enclosing item's line (which is where a missing field belongs)."""
        lines = key_lines(self.node, loc)
        return lines[-1] if lines else self.node.start_mark.line + 1

    def problem(self, loc: Loc, message: str) -> Problem:
        """A :class:`Problem` in this file at the line ``loc`` points to."""
        return Problem(self.shown, self.line_of(loc), field_path(loc), message)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

#: libyaml's parser where PyYAML was built with it (its nodes carry the same line marks, and
#: every facilitator command and kernel reads the content at start-up: five times faster).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, shown: str, problems: list[Problem]) -> YamlDoc | None:
    """The file parsed with line numbers, or ``None`` with the reason added to ``problems``.

    Problems are collected rather than raised so that one run reports every broken file.

    Parameters
    ----------
    path : pathlib.Path
        The file to read (UTF-8, a BOM is allowed).
    shown : str
        The path as messages should print it, e.g. ``"exercises/curriculum.yaml"``.
    problems : list of Problem
        Collects what is wrong: an unreadable or empty file, a syntax error, duplicate keys.

    Returns
    -------
    YamlDoc or None
        The data with its node tree; ``None`` when the file could not be parsed at all.
        Duplicate keys are reported but the document is still returned.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(shown, None, "", "file not found"))
        return None
    except OSError as exc:
        problems.append(Problem(shown, None, "", f"cannot read the file: {exc.strerror or exc}"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(shown, line, "", "not UTF-8 text; save the file as UTF-8"))
        return None
    try:
        node, data = _parse(text, _LOADER)
    except yaml.YAMLError:
        # libyaml's messages are terse: a file it rejects is read again by PyYAML's own
        # parser, whose messages say what to fix
        try:
            node, data = _parse(text, yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            problems.append(Problem(shown, line, "", _syntax_message(exc)))
            return None
        except yaml.YAMLError as exc:
            problems.append(Problem(shown, None, "", f"YAML error: {exc}"))
            return None
    if node is None:
        problems.append(Problem(shown, 1, "", "the file is empty"))
        return None
    doc = YamlDoc(shown, node, data)
    problems.extend(_duplicate_keys(doc))
    return doc


def _parse(text: str, loader_class: type) -> tuple[yaml.Node | None, Any]:
    """(node, data) of a single-document YAML text; raises ``yaml.YAMLError`` as it fails."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "could not read this line"
    if isinstance(exc, yaml.constructor.ConstructorError):
        return f"YAML error: {problem}; use plain text, numbers and lists here (no '!!' tags)"
    if "'\\t'" in problem or "tab" in problem:
        return f"YAML syntax error: {problem}; indent with spaces, not tabs"
    message = f"YAML syntax error: {problem}"
    context, start, end = exc.context, exc.context_mark, exc.problem_mark
    if context and start is not None and end is not None and start.line != end.line:
        message += f" ({context} on line {start.line + 1})"
    return message + "; check the indentation, colons and quotes here or on the line above"


def _duplicate_keys(doc: YamlDoc) -> Iterator[Problem]:
    """YAML silently keeps the last of two equal keys; a facilitator would lose an edit."""
    stack: list[tuple[yaml.Node, Loc]] = [(doc.node, ())]
    visited: set[int] = set()  # aliases can make the node graph cyclic
    while stack:
        node, loc = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if isinstance(name, str):
                    if name in first:
                        yield Problem(
                            doc.shown, key.start_mark.line + 1, field_path((*loc, name)),
                            f"duplicate key (first on line {first[name]}); YAML keeps only the "
                            "last one, so remove or rename one of them",
                        )
                    else:
                        first[name] = key.start_mark.line + 1
                stack.append((value, (*loc, name) if isinstance(name, str) else loc))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*loc, i)) for i, item in enumerate(node.value))


# ---------------------------------------------------------------------------------------------
# Validating
# ---------------------------------------------------------------------------------------------


def validate(doc: YamlDoc, model: type[M], problems: list[Problem]) -> M | None:
    """``doc`` as a ``model`` instance, or ``None`` with every error added to ``problems``.

    The model's own ``problems()`` rules run only once the fields are valid, so they can rely
    on the types; their issues are added but the instance is still returned.

    Parameters
    ----------
    doc : YamlDoc
        The parsed file, used for the data and to locate each error's line.
    model : type of pydantic.BaseModel
        The model the file must satisfy.
    problems : list of Problem
        Collects every field error (in plain words) and every ``problems()`` issue.

    Returns
    -------
    model or None
        The validated instance; ``None`` when any field failed pydantic's validation.
    """
    try:
        instance = model.model_validate(doc.data)
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(doc.problem(tuple(error["loc"]), _friendly(error, model)))
        return None
    checker = getattr(instance, "problems", None)
    if callable(checker):
        problems.extend(doc.problem(loc, message) for loc, message in checker())
    return instance


def _friendly(error: Any, model: type[BaseModel]) -> str:
    kind, loc = error["type"], tuple(error["loc"])
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        name = str(loc[-1])
        parent = _model_at(model, loc[:-1])
        allowed = list(parent.model_fields) if parent else []
        message = "unknown field"
        guess = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        if guess:
            message += f" — did you mean '{guess[0]}'?"
        if allowed:
            message += f" (allowed here: {', '.join(allowed)})"
        return message
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "should be a block of 'name: value' lines" + _found(error.get("input"))
    if kind == "list_type":
        return "should be a list (one '- ' line per item)" + _found(error.get("input"))
    message = str(error["msg"])
    if kind == "value_error":  # our own validators already quote the value
        return message.removeprefix("Value error, ")
    return message + _found(error.get("input"))


def _found(value: Any) -> str:
    if isinstance(value, dict | list):
        return f" (found a {'mapping' if isinstance(value, dict) else 'list'})"
    if isinstance(value, str | int | float | bool) or value is None:
        shown = repr(value)
        return f" (found {shown if len(shown) <= 60 else shown[:57] + '...'})"
    return ""


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class a location points into, so an unknown key can list the allowed ones."""
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
            info = tp.model_fields.get(part)
            if info is None:
                return None
            tp = info.annotation
        elif isinstance(part, int) and get_args(tp):
            tp = get_args(tp)[0]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    """``Annotated[X, ...]`` and ``X | None`` down to ``X``; a wider union gives its first type."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, UnionType):
            args = [a for a in get_args(tp) if a is not NoneType]
            tp = args[0] if args else tp
            if len(args) != 1:
                return tp
        else:
            return tp
