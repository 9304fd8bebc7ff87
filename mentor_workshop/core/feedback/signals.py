"""The nine signals, one function each, and :func:`analyze`, which runs them all.

Every signal is a rule a participant can read: the words that triggered it, what to try, and
the evidence behind it. The thresholds, phrase lists and texts come from the rules file; only
the logic that combines them lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from mentor_workshop.core.feedback.analysis import Analysis
from mentor_workshop.core.feedback.bank import overlaps_any
from mentor_workshop.core.feedback.context import clean_context
from mentor_workshop.core.feedback.model import SIGNAL_NAMES, Level, Signal
from mentor_workshop.core.feedback.rules import active_rules
from mentor_workshop.core.feedback.text import flesch_kincaid_grade


def _length(a: Analysis) -> Signal:
    t = a.rules.signals["length"].thresholds
    n = a.doc.word_count
    if n == 0:
        return a.signal("length", Level.CONSIDER, "empty", (), count=0)
    if n < t["good_min"]:
        return a.signal("length", Level.CONSIDER, "short", (), count=n)
    if n <= t["good_max"]:
        return a.signal("length", Level.GOOD, "good", (), count=n)
    first_extra = a.doc.word_spans[int(t["good_max"])][0]
    tail = [(first_extra, a.doc.word_spans[-1][1])]
    if n <= t["problem_above"]:
        return a.signal("length", Level.CONSIDER, "long", tail, count=n)
    return a.signal("length", Level.PROBLEM, "too_long", tail, count=n)


def _readability(a: Analysis) -> Signal:
    t = a.rules.signals["readability"].thresholds
    doc = a.doc
    measured: list[tuple[float, int, tuple[int, int]]] = []
    total_words = total_syll = 0
    for sent in doc.sentences:
        lo, hi = doc.word_range(*sent)
        n_words = hi - lo
        if not n_words:
            continue
        ends_properly = a.text[sent[1] - 1] in ".!?…\"'’”)]"
        if n_words < t["min_words_per_line"] and not ends_properly:
            continue  # a greeting or sign-off line such as "Dear Sam," or "Best, Jo"
        syll = doc.syllables[hi] - doc.syllables[lo]
        total_words += n_words
        total_syll += syll
        measured.append((flesch_kincaid_grade(n_words, 1, syll), n_words, sent))
    if not measured:
        if doc.word_count == 0:
            return a.signal("readability", Level.CONSIDER, "empty", (), grade=0)
        return a.signal("readability", Level.GOOD, "good", (), grade=0)
    # Compare the grade as shown, so "grade 16.0" never counts as above 16.
    grade = round(max(0.0, flesch_kincaid_grade(total_words, len(measured), total_syll)), 1)
    shown = f"{grade:.1f}"
    if grade <= t["consider_above"]:
        return a.signal("readability", Level.GOOD, "good", (), grade=shown)
    hardest = sorted(measured, key=lambda m: (-m[0], -m[1]))
    picked = [m[2] for m in hardest if m[0] > t["consider_above"]][: int(t["sentences_shown"])]
    picked = picked or [hardest[0][2]]
    if grade > t["problem_above"]:
        return a.signal("readability", Level.PROBLEM, "very_hard", picked, grade=shown)
    return a.signal("readability", Level.CONSIDER, "college", picked, grade=shown)


def _clear_ask(a: Analysis) -> Signal:
    t = a.rules.signals["clear_ask"].thresholds
    doc = a.doc
    questions = [s for s in doc.sentences if doc.is_question(s)]
    if len(questions) > t["max_questions"]:
        return a.signal(
            "clear_ask", Level.PROBLEM, "too_many_questions", questions, count=len(questions)
        )
    asks = a.asks
    if not asks:
        if questions:
            return a.signal("clear_ask", Level.CONSIDER, "vague", questions, count=len(questions))
        return a.signal("clear_ask", Level.PROBLEM, "no_ask", (), count=0)
    requests = a.request_sentences
    if a.request_count > t["max_requests"]:
        return a.signal("clear_ask", Level.CONSIDER, "scattered", asks, count=a.request_count)
    ask_sentences = {doc.sentence_of(s) for s, _ in asks}
    near = {i + d for i in ask_sentences for d in (-1, 0, 1)}
    scope = [
        m
        for m in a.find("clear_ask", "duration") + a.find("clear_ask", "when")
        if doc.sentence_of(m[0]) in near
    ]
    # Mark the polite asks; a demand is an ask too, but marked only when there is nothing else.
    shown = a.find("clear_ask", "ask") or asks
    if not scope:
        return a.signal("clear_ask", Level.CONSIDER, "no_scope", shown, count=len(requests))
    return a.signal("clear_ask", Level.GOOD, "good", shown + scope, count=len(requests))


def _reason(a: Analysis) -> Signal:
    cues = (
        a.find("reason", "because")
        + a.find("reason", "why_you")
        + a.find("reason", "why_now")
        + a.context_work()
    )
    if cues:
        return a.signal("reason", Level.GOOD, "good", cues)
    return a.signal("reason", Level.CONSIDER, "missing", ())


def _admiration(a: Analysis) -> Signal:
    generic = a.find("admiration", "generic")
    specific = [
        m
        for m in a.find("admiration", "specific") + a.context_work() + a.context_name_work()
        if not overlaps_any(m, generic)  # "everything you've written" is not specific
    ]
    if specific and not generic:
        return a.signal("admiration", Level.GOOD, "good", specific)
    if specific:
        return a.signal("admiration", Level.CONSIDER, "mixed", generic)
    if generic:
        return a.signal("admiration", Level.PROBLEM, "generic", generic)
    return a.signal("admiration", Level.CONSIDER, "missing", ())


def _gratitude(a: Analysis) -> Signal:
    considering = a.find("gratitude", "considering")
    if considering:
        return a.signal("gratitude", Level.GOOD, "good", considering)
    general = a.find("gratitude", "general")
    if not general:
        return a.signal("gratitude", Level.CONSIDER, "missing", ())
    # Thanks that comes after the ask, or in the closing lines, is thanks for considering it.
    doc = a.doc
    frac = a.rules.signals["gratitude"].thresholds["closing_fraction"]
    first_ask = a.asks[0][0] if a.asks else None
    closing = [
        m
        for m in general
        if (first_ask is not None and m[0] > first_ask)
        or doc.word_index(m[0]) >= frac * doc.word_count
    ]
    if closing:
        return a.signal("gratitude", Level.GOOD, "good", closing)
    return a.signal("gratitude", Level.CONSIDER, "early_only", general)


def _neediness(a: Analysis) -> Signal:
    t = a.rules.signals["neediness"].thresholds
    disclaimers = a.find("neediness", "disclaimers")
    courtesies = [m for m in a.find("neediness", "courtesies") if not overlaps_any(m, disclaimers)]
    softeners = disclaimers + courtesies
    hedges = [m for m in a.find("neediness", "hedges") if not overlaps_any(m, softeners)]
    apologies = [m for m in a.find("neediness", "apologies") if not overlaps_any(m, softeners)]
    mild = len(hedges) + len(apologies)
    # "I know you're busy, so I'll keep this short" is one courtesy in two phrases: count the
    # sentences that hold one, and the phrases only to spot a pile inside one sentence.
    courteous = len({a.doc.sentence_of(s) for s, _ in courtesies})
    pile = mild + courteous
    per_100 = 100.0 * pile / max(a.doc.word_count, 1)
    spans = softeners + hedges + apologies
    fields = {"count": pile, "per_100": f"{per_100:.1f}"}
    if (
        disclaimers
        or len(apologies) >= t["problem_apologies"]
        or len(courtesies) > t["problem_courtesies"]
        or (courteous >= t["problem_courtesies"] and mild)
        or (pile >= t["problem_hedges"] and per_100 >= t["problem_per_100_words"])
    ):
        return a.signal("neediness", Level.PROBLEM, "problem", spans, **fields)
    if courteous == 1 and not mild and len(courtesies) <= t["problem_courtesies"]:
        return a.signal("neediness", Level.GOOD, "courteous", courtesies, **fields)
    if pile:
        return a.signal("neediness", Level.CONSIDER, "mild", spans, **fields)
    return a.signal("neediness", Level.GOOD, "good", (), **fields)


def _overconfidence(a: Analysis) -> Signal:
    t = a.rules.signals["overconfidence"].thresholds
    strong = a.find("overconfidence", "demands") + a.find("overconfidence", "entitlement")
    urgency = a.find("overconfidence", "urgency")
    requests = a.request_sentences
    count = a.request_count
    many = count > t["max_requests"]
    if strong or len(urgency) + many >= 2:
        return a.signal("overconfidence", Level.PROBLEM, "problem", strong + urgency, count=count)
    if urgency:
        return a.signal("overconfidence", Level.CONSIDER, "mild", urgency, count=count)
    if many:
        spans = [a.doc.sentences[i] for i in requests]
        return a.signal("overconfidence", Level.CONSIDER, "many_asks", spans, count=count)
    return a.signal("overconfidence", Level.GOOD, "good", (), count=count)


def _reciprocity(a: Analysis) -> Signal:
    offers = a.find("reciprocity", "offer")
    if offers:
        return a.signal("reciprocity", Level.GOOD, "good", offers)
    return a.signal("reciprocity", Level.CONSIDER, "missing", ())


_RULES: dict[str, Callable[[Analysis], Signal]] = {
    "length": _length,
    "readability": _readability,
    "clear_ask": _clear_ask,
    "reason": _reason,
    "admiration": _admiration,
    "gratitude": _gratitude,
    "neediness": _neediness,
    "overconfidence": _overconfidence,
    "reciprocity": _reciprocity,
}


def analyze(text: str, context: Mapping | None = None, *,
            names: Iterable[str] | None = None) -> list[Signal]:
    """Feedback on a draft request: one Signal per name in SIGNAL_NAMES, in that order.

    ``context`` may carry ``leader_name``, ``leader_role``, ``leader_work`` and ``first_name``
    (other keys are ignored); naming the leader's work lets the rules recognise a specific
    compliment that the general phrase lists would miss.

    Parameters
    ----------
    text : str
        The draft.
    context : mapping, optional
        What the journal knows about the leader and the participant.
    names : iterable of str, optional
        Only these signals (each is worked out on its own, so a check that reads one signal
        does not pay for all of them); all of them when omitted.

    Returns
    -------
    list of Signal
        One verdict per name in ``SIGNAL_NAMES`` (or in ``names``), in that order.

    Raises
    ------
    TypeError
        When ``text`` is not a str or ``context`` is malformed.
    FeedbackRulesError
        When the rules file is missing or broken.
    """
    wanted = SIGNAL_NAMES if names is None else tuple(names)
    unknown = [name for name in wanted if name not in _RULES]
    if unknown:
        raise ValueError(f"no such signal: {', '.join(unknown)}")
    draft = DraftSignals(text, context)
    return [draft.signal(name) for name in wanted]


class DraftSignals:
    """One draft read once; each signal worked out the first time it is asked for, then kept.

    Why: the step checks read a few signals each from the same drafts (the request is graded
    in step 03, again in 04 and in the plan), and none needs all nine. Keeping the read draft
    lets each check pay only for the signals it reads, and only once.

    Parameters
    ----------
    text, context
        As for :func:`analyze`, which raises the same errors for bad ones.
    """

    def __init__(self, text: str, context: Mapping | None = None) -> None:
        if not isinstance(text, str):
            raise TypeError(
                f"the feedback engine needs the message as text (str), not {type(text).__name__}")
        self._analysis = Analysis(text, clean_context(context), active_rules())
        self._signals: dict[str, Signal] = {}

    def signal(self, name: str) -> Signal:
        """The verdict on one signal.

        Parameters
        ----------
        name : str
            One of ``SIGNAL_NAMES``.

        Returns
        -------
        Signal
            As :func:`analyze` gives it.

        Raises
        ------
        ValueError
            For a name that is not a signal.
        """
        found = self._signals.get(name)
        if found is None:
            rule = _RULES.get(name)
            if rule is None:
                raise ValueError(f"no such signal: {name}")
            found = self._signals[name] = rule(self._analysis)
        return found


def summary(signals: Iterable[Signal]) -> dict[str, str]:
    """Signal name -> level word ("good", "consider" or "problem").

    Plain words, so the step checks can compare a level with ``"good"`` directly.

    Parameters
    ----------
    signals : iterable of Signal
        Verdicts, e.g. from :func:`analyze`.

    Returns
    -------
    dict of str to str
        Each signal's name mapped to its level's value.
    """
    return {s.name: Level(s.level).value for s in signals}
