"""A facilitator's phrase list compiled for speed, and where in a draft its phrases occur.

The draft is re-read on every edit, so a bank is searched through the word index built by
:func:`mentor_workshop.core.feedback.text.index_words` instead of scanning every position.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

from mentor_workshop.core.feedback.phrases import (
    ANY_KEY,
    NUM_KEY,
    PhraseError,
    lead_keys,
    parse_phrase,
    seq_regex,
)


def overlaps_any(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    """Whether ``span`` shares at least one character with any of ``others``.

    Used to drop a match that an exception phrase covers, or that another signal already marked.

    Parameters
    ----------
    span : tuple of int
        ``(start, end)`` offsets, end exclusive.
    others : sequence of tuple of int
        Spans in the same form.

    Returns
    -------
    bool
        True when any overlap is non-empty; spans that only touch do not overlap.
    """
    return any(s < span[1] and span[0] < e for s, e in others)


@dataclass(frozen=True)
class Bank:
    """One compiled phrase list: where in a text its phrases occur.

    Phrases are grouped by the first letters of their first word, and each group is its own
    small regex: at a word start only the phrases that could begin there are tried.
    """

    by_key: Mapping[str, re.Pattern[str]]
    seconds: Mapping[str, frozenset[str] | None]
    exceptions: Bank | None = None

    def find(self, text: str, index: Mapping) -> list[tuple[int, int]]:
        """Where the bank's phrases occur in ``text``, longest match at each word start.

        Parameters
        ----------
        text : str
            The draft.
        index : mapping
            The word index of ``text`` from :func:`mentor_workshop.core.feedback.text.index_words`.

        Returns
        -------
        list of tuple of int
            Non-overlapping ``(start, end)`` spans in text order, minus any an exception covers.
        """
        tries: list[tuple[int, re.Pattern[str]]] = []
        for k1, rx in self.by_key.items():
            entries = index.get(k1)
            if not entries:
                continue
            seconds = self.seconds[k1]
            if seconds is None:
                tries += [(pos, rx) for pos, _ in entries]
            else:
                tries += [(pos, rx) for pos, k2 in entries if k2 in seconds]
        if not tries:
            return []
        tries.sort(key=itemgetter(0))
        found: list[tuple[int, int]] = []
        last_end = -1
        for pos, rx in tries:
            same_start = bool(found) and found[-1][0] == pos
            if pos < last_end and not same_start:
                continue
            m = rx.match(text, pos)
            if m is None or m.end() == pos:
                continue
            if same_start:  # two groups matched here: keep the longer, whichever was tried first
                if m.end() > found[-1][1]:
                    found[-1] = (pos, m.end())
                    last_end = m.end()
                continue
            found.append((pos, m.end()))
            last_end = m.end()
        if found and self.exceptions is not None:
            blocked = self.exceptions.find(text, index)
            if blocked:
                found = [f for f in found if not overlaps_any(f, blocked)]
        return found


def compile_bank(
    phrases: Sequence[tuple[str, str]], vocab: Mapping[str, list], exceptions: Bank | None = None
) -> Bank:
    """Compile a facilitator's phrase list into a :class:`Bank`.

    Parameters
    ----------
    phrases : sequence of tuple of str
        ``(key path for errors, phrase)`` pairs; the key path names the rule in messages.
    vocab : mapping of str to list
        The parsed word lists a phrase may name as ``<name>``.
    exceptions : Bank, optional
        Phrases that cancel a match they overlap ("urgent" but not "not urgent").

    Returns
    -------
    Bank
        One regex per leading key, longer phrases tried first.

    Raises
    ------
    PhraseError
        When a phrase cannot be parsed; the message starts with its key path.
    """
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    seconds: dict[str, set[str] | None] = {}
    for where, phrase in phrases:
        try:
            seq = parse_phrase(phrase, vocab)
        except PhraseError as exc:
            raise PhraseError(f"{where}: cannot read the phrase {phrase!r}: {exc}") from None
        rx = seq_regex(seq)
        for k1, k2 in lead_keys(((seq, 0),)):
            groups[k1].append((len(phrase), rx))
            if k2 is None or k1 in (ANY_KEY, NUM_KEY):
                seconds[k1] = None
            elif seconds.get(k1, set()) is not None:
                seconds.setdefault(k1, set()).add(k2)
    by_key = {}
    for key, parts in groups.items():
        # Longer phrases first, so "I just wanted" wins over "I just"; duplicates dropped.
        ordered = dict.fromkeys(rx for _, rx in sorted(parts, key=lambda p: -p[0]))
        by_key[key] = re.compile(f"(?:{'|'.join(ordered)})(?![^\\W_])", re.IGNORECASE)
    frozen = {k: (None if v is None else frozenset(v)) for k, v in seconds.items()}
    return Bank(by_key, frozen, exceptions)
