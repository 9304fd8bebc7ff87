"""One draft under analysis: the state every signal reads, computed once.

Several signals look at the same things (the asks, the sentences that make a request, the
phrase matches), and the panel re-runs on every edit, so each is found once and shared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any

from mentor_workshop.core.feedback.context import name_work_mentions, work_mentions
from mentor_workshop.core.feedback.model import Level, Signal, Span
from mentor_workshop.core.feedback.rules import Rules
from mentor_workshop.core.feedback.text import Doc

#: Where one clause of a sentence ends and the next may begin a new request.
_CLAUSE_BREAK = re.compile(r"[,;]|\b(?:and|or)\b", re.IGNORECASE)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else f"{value:.1f}"
    return str(value)


class Analysis:
    """One message under analysis: matches are computed once and shared between signals."""

    def __init__(self, text: str, context: Mapping[str, str], rules: Rules) -> None:
        self.text = text
        self.rules = rules
        self.context = context
        self.doc = Doc(text)
        self.leader = context.get("leader_name") or "them"
        self._matches: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def find(self, signal: str, bank: str) -> list[tuple[int, int]]:
        """Where one of ``signal``'s phrase banks matches the draft (computed once, then kept)."""
        key = (signal, bank)
        if key not in self._matches:
            self._matches[key] = (
                self.rules.signals[signal].banks[bank].find(self.text, self.doc.index)
            )
        return self._matches[key]

    def signal(
        self,
        name: str,
        level: Level,
        outcome: str,
        spans: Iterable[tuple[int, int]],
        **fields: Any,
    ) -> Signal:
        """The verdict, with the file's message and suggestion filled in for this draft."""
        sr = self.rules.signals[name]
        out = sr.outcomes[outcome]
        values = {"leader": self.leader, **{k: _fmt(v) for k, v in sr.thresholds.items()}}
        values.update({k: _fmt(v) for k, v in fields.items()})
        return Signal(
            name=name,
            level=level,
            spans=self.spans(spans),
            message=out.message.format_map(values),
            suggestion=out.suggestion.format_map(values),
            why=sr.why,
        )

    def spans(self, ranges: Iterable[tuple[int, int]]) -> tuple[Span, ...]:
        """``ranges`` as sorted, de-duplicated Spans of the draft; out-of-range ones dropped."""
        uniq = sorted({(s, e) for s, e in ranges if 0 <= s < e <= len(self.text)})
        return tuple(Span(s, e, self.text[s:e]) for s, e in uniq)

    # -- shared features ---------------------------------------------------------------------

    @cached_property
    def asks(self) -> list[tuple[int, int]]:
        """Requests made of the reader: polite asks, and demands (which are asks too)."""
        return sorted(self.find("clear_ask", "ask") + self.find("overconfidence", "demands"))

    @cached_property
    def request_sentences(self) -> list[int]:
        """Sentences that ask something of the reader: an ask phrase, or a question."""
        doc = self.doc
        idx = {doc.sentence_of(s) for s, _ in self.asks}
        idx |= {i for i, sent in enumerate(doc.sentences) if doc.is_question(sent)}
        return sorted(idx)

    @cached_property
    def request_count(self) -> int:
        """How many separate requests: "could you review my CV, could you introduce me to your
        board and could we meet monthly?" is one sentence but three requests.

        Within a sentence, polite asks count once per clause (split at commas, semicolons,
        "and", "or"), so "Would you mentor me?" stays one request though two phrases match;
        "you should call me by tomorrow" is one demand in two phrases, so demands do not split.
        """
        clauses: dict[int, set[int]] = {i: set() for i in self.request_sentences}
        for start, _ in self.find("clear_ask", "ask"):
            sent = self.doc.sentence_of(start)
            begin = self.doc.sentences[sent][0] if sent < len(self.doc.sentences) else 0
            clauses.setdefault(sent, set()).add(len(_CLAUSE_BREAK.findall(self.text, begin, start)))
        return sum(max(1, len(found)) for found in clauses.values())

    def context_work(self) -> list[tuple[int, int]]:
        """Where the message mentions the leader's work that the participant named."""
        return work_mentions(self.text, self.context.get("leader_work") or "")

    def context_name_work(self) -> list[tuple[int, int]]:
        """A mention such as "Maria's keynote": specific admiration in the third person."""
        return name_work_mentions(
            self.text, self.context.get("leader_name") or "", self.rules.work_noun_regex
        )
