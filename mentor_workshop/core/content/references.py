"""The workshop's bibliography (``exercises/references.yaml``) and its citation keys.

Why: a claim in a notebook is only as good as the study behind it, and the first version's
evidence drifted from what the studies found. Every study now lives once, with what it found in
our words, and content cites it by key: ``[@langer1978]`` or ``[@flynn2008; @bohns2016]``. The
loader checks each key while it reads a file (so a typo comes back as "file, line N") and
replaces it with a readable citation, "(Langer, Blank & Chanowitz 1978)", before any widget
shows the text. An evidence item may name just ``ref: key``; its full citation and finding come
from here, so the two cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import Field, PositiveInt

from mentor_workshop.core.content.models import ContentModel, Id, Text
from mentor_workshop.core.content.yaml_source import Loc, Problem, YamlDoc

__all__ = ["CITATION", "Reference", "ReferencesFile", "cite_in_place", "keys_in", "render"]

#: ``[@key]`` or ``[@key1; @key2]`` anywhere in a text.
CITATION = re.compile(r"\[(@[a-z0-9_]+(?:\s*;\s*@[a-z0-9_]+)*)\]")


class Reference(ContentModel):
    """One study or source: who, when, what, where, and what it found (in our words)."""

    authors: list[Text] = Field(min_length=1)
    year: PositiveInt
    title: Text
    venue: Text
    finding: Text
    secondary: bool = False

    @property
    def short(self) -> str:
        """"Langer, Blank & Chanowitz 1978"; four or more authors become "Eby et al. 2013"."""
        names = self.authors
        if len(names) >= 4:
            who = f"{names[0]} et al."
        elif len(names) == 1:
            who = names[0]
        else:
            who = ", ".join(names[:-1]) + " & " + names[-1]
        return f"{who} {self.year}"

    @property
    def full(self) -> str:
        """The short form with the venue: what the evidence panels print."""
        return f"{self.short}, {self.venue}"


class ReferencesFile(ContentModel):
    """references.yaml: every source, by key."""

    references: dict[Id, Reference] = Field(min_length=1)


def keys_in(text: str) -> list[str]:
    """The citation keys used in ``text``, in order of appearance.

    Parameters
    ----------
    text : str
        Any content text.

    Returns
    -------
    list of str
        Keys without the ``@``; repeats kept.
    """
    return [part.strip().lstrip("@") for match in CITATION.finditer(text)
            for part in match.group(1).split(";")]


def render(text: str, references: dict[str, Reference]) -> str:
    """``text`` with each ``[@key]`` replaced by "(Authors Year)"; unknown keys stay as typed.

    Parameters
    ----------
    text : str
        Content text that may cite.
    references : dict of str to Reference
        The bibliography.

    Returns
    -------
    str
        Plain text for a participant; escape it before putting it in HTML as usual.
    """
    def one(match: re.Match[str]) -> str:
        keys = [part.strip().lstrip("@") for part in match.group(1).split(";")]
        if any(key not in references for key in keys):
            return match.group(0)
        return "(" + "; ".join(references[key].short for key in keys) + ")"
    return CITATION.sub(one, text)


def _walk(data: Any, loc: Loc) -> Iterator[tuple[Loc, Any, Any]]:
    """Every (location, container, key) pair whose value is a string, depth first."""
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return
    for key, value in list(items):
        if isinstance(value, str):
            yield (*loc, key), data, key
        else:
            yield from _walk(value, (*loc, key))


def cite_in_place(doc: YamlDoc, references: dict[str, Reference]) -> list[Problem]:
    """Check and render every citation in a parsed file, before its model validates it.

    Each ``[@key]`` string becomes readable text, and each item written as ``{ref: key}``
    gains its ``cite`` from the bibliography; an evidence item also its ``finding`` and
    ``secondary`` (a ``finding`` written in the item wins, for a step-specific emphasis).

    Parameters
    ----------
    doc : YamlDoc
        A parsed content file; its data is changed in place.
    references : dict of str to Reference
        The bibliography.

    Returns
    -------
    list of Problem
        One per unknown key, at the line where it is used.
    """
    problems: list[Problem] = []
    for loc, container, key in list(_walk(doc.data, ())):
        text = container[key]
        for cited in keys_in(text):
            if cited not in references:
                problems.append(doc.problem(loc, f"unknown reference '[@{cited}]'; add it to "
                                                 "references.yaml or fix the key"))
        if key == "ref" and isinstance(container, dict):
            ref = references.get(text)
            if ref is None:
                problems.append(doc.problem(loc, f"unknown reference '{text}'; add it to "
                                                 "references.yaml or fix the key"))
            # an unknown key still gets stand-ins, so it is the one problem reported
            container.setdefault("cite", ref.full if ref else text)
            if "evidence" in loc:  # an evidence item also shows the finding
                container.setdefault("finding", ref.finding if ref else text)
                container.setdefault("secondary", ref.secondary if ref else False)
            continue
        container[key] = render(text, references)
    return problems
