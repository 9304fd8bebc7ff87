"""The draft-feedback rules: the contract, each rule, safe HTML, and agreement with the bank."""

from __future__ import annotations

import dataclasses
import html
import math
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mentor_workshop.core import feedback as fb
from mentor_workshop.core.feedback import SIGNAL_NAMES, Level, Signal, Span
from mentor_workshop.core.feedback import rules as fb_rules
from mentor_workshop.core.feedback.bank import Bank
from mentor_workshop.core.feedback.phrases import PhraseError, lead_keys, parse_phrase, seq_regex
from mentor_workshop.core.feedback.text import Doc, count_syllables

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "exercises" / "feedback_rules.yaml"

STRONG = (
    "Dear Ana,\n\nYour essay on hiring for curiosity changed how I interview. I've just been "
    "asked to build a team of five, and I want to get it right. Could I buy you a coffee for 30 "
    "minutes next week near your office? I'm happy to share the interview rubric I built from "
    "your ideas. Thank you for considering it.\n\nBest,\nRui"
)


def levels(text: str, context: dict | None = None) -> dict[str, str]:
    return fb.summary(fb.analyze(text, context))


def signal(text: str, name: str, context: dict | None = None) -> Signal:
    return next(s for s in fb.analyze(text, context) if s.name == name)


def span_texts(text: str, name: str, context: dict | None = None) -> list[str]:
    return [sp.text for sp in signal(text, name, context).spans]


def words(n: int) -> str:
    """A plain message of exactly ``n`` words, in short sentences."""
    base = ["We", "met", "at", "the", "spring", "fair", "and", "I", "liked", "your"]
    base += ["talk", "a", "lot"]
    out = [base[i % len(base)] for i in range(n)]
    return " ".join(w + ("." if i % 8 == 7 else "") for i, w in enumerate(out))


# --- the contract --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        STRONG,
        "Hi!",
        "<script>alert('x')</script> & more",
        "??? !!! ...",
        "ÉCOLE İstanbul naïve café — “quoted” 20-minute ½",
        words(260),
    ],
)
def test_every_call_returns_the_nine_signals_in_order(text: str) -> None:
    signals = fb.analyze(text)
    assert [s.name for s in signals] == list(SIGNAL_NAMES)
    for s in signals:
        assert isinstance(s.level, Level)
        assert s.level.value in {"good", "consider", "problem"}
        assert s.message.strip() and s.suggestion.strip() and s.why.strip()
        assert isinstance(s.spans, tuple)
        for sp in s.spans:
            assert isinstance(sp, Span)
            assert 0 <= sp.start < sp.end <= len(text)
            assert text[sp.start : sp.end] == sp.text


def test_spans_index_the_text_exactly_across_the_bank() -> None:
    for ex in fb.load_examples():
        text = ex["text"]
        for s in fb.analyze(text, ex["context"]):
            starts = [sp.start for sp in s.spans]
            assert starts == sorted(starts), (ex["id"], s.name)
            for sp in s.spans:
                assert text[sp.start : sp.end] == sp.text, (ex["id"], s.name, sp)


def test_signal_and_span_are_frozen() -> None:
    s = fb.analyze(STRONG)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.level = Level.PROBLEM  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Span(0, 1, "x").start = 2  # type: ignore[misc]


def test_level_is_a_str_enum() -> None:
    assert Level.GOOD == "good" and str(Level.PROBLEM) == "problem"


def test_summary_maps_names_to_level_words() -> None:
    got = fb.summary(fb.analyze(STRONG))
    assert list(got) == list(SIGNAL_NAMES)
    assert all(type(v) is str for v in got.values())
    assert set(got.values()) == {"good"}


def test_a_strong_message_is_good_on_every_signal() -> None:
    assert set(levels(STRONG).values()) == {"good"}


def test_empty_text_does_not_crash_and_flags_what_is_missing() -> None:
    got = levels("")
    assert got["length"] == "consider"
    assert got["clear_ask"] == "problem"
    assert got["neediness"] == "good" and got["overconfidence"] == "good"
    assert "nothing" in signal("", "length").message.lower()


def test_bad_input_gets_a_clear_error() -> None:
    with pytest.raises(TypeError, match="message as text"):
        fb.analyze(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="context must be a mapping"):
        fb.analyze("Hi", ["leader_name"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"context\['leader_name'\] must be text"):
        fb.analyze("Hi", {"leader_name": 3})


def test_unknown_context_keys_are_ignored() -> None:
    assert levels(STRONG, {"leader_name": "Ana", "id": "x", "warmth": 3}) == levels(STRONG)


# --- length ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "level"),
    [(1, "consider"), (49, "consider"), (50, "good"), (125, "good"), (126, "consider"),
     (200, "consider"), (201, "problem"), (400, "problem")],
)  # fmt: skip
def test_length_thresholds(n: int, level: str) -> None:
    s = signal(words(n), "length")
    assert s.level == level
    assert str(n) in s.message


def test_length_marks_the_words_past_the_limit() -> None:
    text = words(130)
    s = signal(text, "length")
    assert len(s.spans) == 1
    assert len(text[: s.spans[0].start].split()) == 125
    assert s.spans[0].end == len(text.rstrip("."))


def test_contractions_and_hyphenated_words_count_once() -> None:
    assert signal("You're a 20-minute walk away.", "length").message.startswith(
        "Your message is 5 words"
    )


# --- readability ----------------------------------------------------------------------------

JARGON = (
    "Your presentation regarding organizational transformation methodologies demonstrated an "
    "exceptional integration of quantitative performance measurement and qualitative "
    "stakeholder engagement considerations. I am currently responsible for operationalizing "
    "comparable cross-functional transformation initiatives within a multinational "
    "pharmaceutical organization."
)


@pytest.mark.parametrize(
    ("word", "count"),
    [("the", 1), ("make", 1), ("table", 2), ("people", 2), ("wanted", 2), ("helped", 1),
     ("mentor", 2), ("organization", 5), ("radio", 3), ("you're", 1), ("consider", 3),
     ("notes", 1), ("boxes", 2), ("20", 1), ("2021", 2), ("rhythm", 1)],
)  # fmt: skip
def test_syllable_heuristic(word: str, count: int) -> None:
    assert count_syllables(word) == count


def test_flesch_kincaid_formula() -> None:
    assert fb.flesch_kincaid_grade(100, 5, 150) == pytest.approx(0.39 * 20 + 11.8 * 1.5 - 15.59)
    assert fb.flesch_kincaid_grade(0, 0, 0) == 0.0


def test_plain_text_reads_as_good_and_jargon_as_a_problem() -> None:
    assert signal(STRONG, "readability").level == "good"
    s = signal(JARGON, "readability")
    assert s.level == "problem"
    assert re.search(r"grade \d+\.\d", s.message)
    # The marked spans are whole sentences, hardest first.
    assert s.spans and all(sp.text.endswith(".") for sp in s.spans)


def test_greeting_and_sign_off_lines_do_not_lower_the_grade() -> None:
    body = JARGON
    padded = "Dear Ms. Laurent,\n\n" + body + "\n\nBest,\nMarc\nSent from my phone"
    assert signal(padded, "readability").message == signal(body, "readability").message


def test_abbreviations_do_not_split_sentences() -> None:
    doc = Doc("Dear Dr. Lee, I met Ms. Ruiz at the fair. She spoke well.")
    assert len(doc.sentences) == 2


def test_readability_uses_no_downloads() -> None:
    fb.analyze(JARGON)
    assert "textstat" not in sys.modules and "nltk" not in sys.modules


# --- clear ask ------------------------------------------------------------------------------


def test_ask_with_a_time_is_good() -> None:
    text = "Would you be willing to meet for a 20-minute call next week?"
    s = signal(text, "clear_ask")
    assert s.level == "good"
    assert span_texts(text, "clear_ask") == ["Would you be willing", "20-minute", "next week"]


@pytest.mark.parametrize(
    "text",
    [
        "Could we meet for half an hour in March?",
        "I'd love to buy you a coffee next Tuesday.",
        "Would you mentor me, with one call once a month?",
        "I'd be grateful for thirty minutes of your time this spring.",
    ],
)
def test_ask_phrasings_with_scope(text: str) -> None:
    assert signal(text, "clear_ask").level == "good"


def test_ask_without_time_is_consider() -> None:
    s = signal("I admire your work. Would you be my mentor?", "clear_ask")
    assert s.level == "consider"
    assert "time" in s.suggestion or "20 minutes" in s.suggestion


def test_time_far_from_the_ask_does_not_count() -> None:
    text = (
        "I started my job in March. It has been busy. The team is new. "
        "We ship a lot. Would you be my mentor?"
    )
    assert signal(text, "clear_ask").level == "consider"


def test_no_ask_is_a_problem_and_mentor_as_a_noun_is_not_an_ask() -> None:
    text = "You have been a mentor to so many people in our field. Thank you for that."
    s = signal(text, "clear_ask")
    assert s.level == "problem"
    assert s.spans == ()


def test_more_than_three_questions_is_a_problem() -> None:
    text = "How did you start? Was it hard? What helped? Could we talk for 20 minutes next week?"
    s = signal(text, "clear_ask")
    assert s.level == "problem"
    assert len(s.spans) == 4 and "4 questions" in s.message


def test_three_questions_are_fine() -> None:
    text = "How did you start? What helped most? Could we talk for 20 minutes next week?"
    assert signal(text, "clear_ask").level == "good"


def test_may_the_verb_is_not_the_month() -> None:
    assert signal("May I ask you to mentor me?", "clear_ask").level == "consider"
    assert signal("May I ask you to mentor me in May?", "clear_ask").level == "good"


# --- reason ---------------------------------------------------------------------------------


def test_reason_found_and_missing() -> None:
    assert signal("I'm writing because I start a new role soon.", "reason").level == "good"
    s = signal("Would you meet me for 20 minutes next week?", "reason")
    assert s.level == "consider" and s.spans == ()


def test_reason_uses_the_leaders_work_from_context() -> None:
    text = "The 2021 transit fare redesign showed me policy can move fast. Can we meet?"
    assert signal(text, "reason").level == "consider"
    ctx = {"leader_work": "the 2021 transit fare redesign"}
    assert signal(text, "reason", ctx).level == "good"


# --- admiration -----------------------------------------------------------------------------


def test_specific_admiration_is_good() -> None:
    text = "Your keynote on open science changed how my lab works."
    s = signal(text, "admiration")
    assert s.level == "good"
    assert span_texts(text, "admiration") == ["Your keynote"]


def test_generic_flattery_is_a_problem_with_the_words_marked() -> None:
    text = "I'm a huge fan — you're amazing and so inspiring, a real legend."
    s = signal(text, "admiration")
    assert s.level == "problem"
    assert span_texts(text, "admiration") == ["huge fan", "you're amazing", "so inspiring",
                                              "a real legend"]  # fmt: skip


def test_specific_plus_generic_is_consider() -> None:
    text = "Huge fan! Your decision to open-source the toolkit changed my career."
    s = signal(text, "admiration")
    assert s.level == "consider"
    assert span_texts(text, "admiration") == ["Huge fan"]


def test_no_admiration_is_consider() -> None:
    s = signal("Could we meet next week?", "admiration")
    assert s.level == "consider" and s.spans == ()


def test_everything_you_have_written_is_generic_not_specific() -> None:
    assert signal("I've read everything you've written.", "admiration").level == "problem"


def test_a_future_work_is_not_admiration() -> None:
    text = "I could help with research for your next book."
    assert signal(text, "admiration").level == "consider"


def test_context_names_the_work_and_the_leader() -> None:
    text = "The Riverside merger kept both staffs together, and I still talk about it."
    assert signal(text, "admiration").level == "consider"
    ctx = {"leader_name": "Dr. Amara Singh", "leader_work": "the Riverside clinic merger"}
    # Most of the named work's words appear: that is a specific mention.
    s = signal(text, "admiration", ctx)
    assert s.level == "good"
    assert [sp.text for sp in s.spans] == ["Riverside", "merger"]
    third_person = "Amara's keynote at HealthConf changed how I work."
    assert signal(third_person, "admiration", {"leader_name": "Dr. Amara Singh"}).level == "good"


def test_leader_name_personalises_the_suggestion() -> None:
    s = signal("Could we meet next week?", "admiration", {"leader_name": "Grace Liu"})
    assert "Grace Liu" in s.suggestion
    assert "them" in signal("Could we meet next week?", "admiration").suggestion


# --- gratitude ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Could we meet next week? Thank you for considering it.",
        "Could we meet next week? Thanks for reading!",
        "Could we meet next week? I appreciate your time.",
        "Could we meet next week?\n\nThanks,\nJo",
    ],
)
def test_thanks_for_considering_is_good(text: str) -> None:
    assert signal(text, "gratitude").level == "good"


def test_thanks_only_for_their_work_is_consider() -> None:
    text = (
        "Thank you so much for your talk on resilience last week; it helped me a great deal and "
        "I keep coming back to it. I'm a second-year resident choosing a fellowship. Would you "
        "be willing to meet for 20 minutes in the next month?"
    )
    s = signal(text, "gratitude")
    assert s.level == "consider"
    assert s.spans[0].text == "Thank you"


def test_no_thanks_is_consider() -> None:
    s = signal("Could we meet next week?", "gratitude")
    assert s.level == "consider" and s.spans == ()


# --- neediness ------------------------------------------------------------------------------


def test_no_hedges_is_good() -> None:
    assert signal(STRONG, "neediness").level == "good"


def test_one_mild_hedge_is_only_consider() -> None:
    text = "I just wanted to say thank you. Your workshop helped me a lot."
    s = signal(text, "neediness")
    assert s.level == "consider"
    assert span_texts(text, "neediness") == ["I just wanted"]


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("I know you're far too busy, but could we talk?", "I know you're far too busy"),
        ("I'm no expert, but could we talk?", "I'm no expert"),
        ("This is probably a stupid question.", "This is probably a stupid question"),
        ("I don't want to bother you.", "I don't want to bother you"),
    ],
)
def test_disclaimers_are_a_problem(text: str, marked: str) -> None:
    s = signal(text, "neediness")
    assert s.level == "problem"
    assert marked in span_texts(text, "neediness")


def test_repeated_apologies_are_a_problem() -> None:
    text = "Sorry for the cold email. Could we meet next week? Apologies again."
    s = signal(text, "neediness")
    assert s.level == "problem"
    assert span_texts(text, "neediness") == ["Sorry", "Apologies"]


def test_a_pile_of_hedges_is_a_problem() -> None:
    text = "I was wondering if maybe we could sort of talk, perhaps, hopefully soon?"
    s = signal(text, "neediness")
    assert s.level == "problem"
    assert len(s.spans) >= 4


@pytest.mark.parametrize(
    "text",
    [
        "I'd love to hear what kind of projects helped you.",
        "I was sorry to hear about the studio closing.",
        "I just started my first job as an engineer.",
        "It is the kind of work I want to do next.",
    ],
)
def test_look_alikes_are_not_hedges(text: str) -> None:
    assert signal(text, "neediness").level == "good"


# --- overconfidence -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "You should know how much your talk helped me.",
        "You must get a lot of messages like this.",
        "If you have to reschedule, that is fine.",
        "You owe me nothing, so thank you for reading.",
        "It's not urgent at all.",
        "I immediately recognised my team in your article.",
        "Could you send me a time that suits you?",
        "I'll make sure to keep it short.",
    ],
)
def test_look_alikes_are_not_overconfident(text: str) -> None:
    assert signal(text, "overconfidence").level == "good"


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("You should call me by Friday.", "You should"),
        ("I need you to mentor me.", "I need you to"),
        ("I deserve a mentor like you.", "I deserve"),
        ("I expect a reply soon.", "I expect a reply"),
    ],
)
def test_demands_and_entitlement_are_a_problem(text: str, marked: str) -> None:
    s = signal(text, "overconfidence")
    assert s.level == "problem"
    assert marked in span_texts(text, "overconfidence")


def test_urgency_alone_is_consider_and_piled_up_is_a_problem() -> None:
    assert signal("Could we talk this week? It's urgent.", "overconfidence").level == "consider"
    assert signal("Could we talk? It's urgent, please reply ASAP.", "overconfidence").level == (
        "problem"
    )


def test_many_asks_is_consider() -> None:
    text = (
        "Would you mentor me? Could you review my CV? Can you introduce me to your team? "
        "Would you share your slides?"
    )
    s = signal(text, "overconfidence")
    assert s.level == "consider"
    assert "4 separate requests" in s.message


# --- reciprocity ----------------------------------------------------------------------------


def test_reciprocity() -> None:
    assert signal("In return, I'd be happy to share our survey data.", "reciprocity").level == (
        "good"
    )
    assert signal("I could help with translation.", "reciprocity").level == "good"
    s = signal("I'd love to return to engineering next spring.", "reciprocity")
    assert s.level == "consider" and s.spans == ()


# --- matching details -----------------------------------------------------------------------


def test_curly_apostrophes_match_like_straight_ones() -> None:
    straight = (
        "I'm no expert and I know you're far too busy. You're amazing. I'd be happy to share."
    )
    curly = straight.replace("'", "’")
    s_levels, c_levels = levels(straight), levels(curly)
    assert s_levels == c_levels
    assert c_levels["neediness"] == "problem" and c_levels["reciprocity"] == "good"
    assert c_levels["admiration"] == "problem"
    for a, b in zip(fb.analyze(straight), fb.analyze(curly), strict=True):
        assert [(sp.start, sp.end) for sp in a.spans] == [(sp.start, sp.end) for sp in b.spans]


def test_matching_ignores_case_and_respects_word_boundaries() -> None:
    assert signal("HUGE FAN of the LEGEND.", "admiration").level == "problem"
    assert signal("A legendary launch.", "admiration").level == "consider"
    assert signal("This is a non-urgent note.", "overconfidence").level == "good"


def test_phrase_syntax() -> None:
    vocab = {"n": [parse_phrase("#", None), parse_phrase("twenty", None)]}

    def rx(phrase: str) -> re.Pattern[str]:
        body = seq_regex(parse_phrase(phrase, vocab))
        return re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])", re.I)

    assert rx("I know [very|so] busy").fullmatch("I know busy")
    assert rx("I know [very|so] busy").fullmatch("I know  so\nbusy")
    assert rx("[really] sorry").fullmatch("sorry")
    assert rx("[really] sorry").fullmatch("really sorry")
    assert rx("<n> minute[s]").fullmatch("20-minutes")
    assert rx("<n> minute[s]").fullmatch("twenty minute")
    assert rx("your * talk").fullmatch("your recent talk")
    assert not rx("your * talk").fullmatch("your talk")
    assert rx("apologi(s|z)e").fullmatch("apologize")
    assert rx("I'm").fullmatch("I’m")
    # Words joined by any hyphen or short dash (hyphen-minus, U+2010 to U+2013), spaced or not;
    # an em dash breaks a clause, it does not join two words of one phrase.
    for dash in ("-", "\u2010", "\u2011", "\u2012", "\u2013", " \u2013 "):
        assert rx("twenty minutes").fullmatch(f"twenty{dash}minutes"), repr(dash)
    assert not rx("twenty minutes").fullmatch("twenty\u2014minutes")


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("(could|can we", "never closed"),
        ("could) we", "no opening"),
        ("<nope> minutes", "unknown word list <nope>"),
        ("a | b", "only allowed inside"),
        ("[]", "empty"),
    ],
)
def test_phrase_syntax_errors(phrase: str, problem: str) -> None:
    with pytest.raises(PhraseError, match=re.escape(problem)):
        parse_phrase(phrase, {"n": []})


def test_lead_keys() -> None:
    def keys(phrase: str) -> set:
        return lead_keys(((parse_phrase(phrase, {}), 0),))

    assert keys("I just wanted") == {("i", "jus")}
    assert keys("[really] sorry") == {("rea", "sor"), ("sor", None)}
    assert keys("I'm no expert") == {("i", "m")}
    assert keys("# minutes") == {("#", None)}
    assert keys("thank[s| you] for") == {("tha", "for"), ("tha", "you")}


def test_the_word_index_never_loses_a_match() -> None:
    """Trying each bank only where its first words occur finds what trying everywhere finds."""
    rules = fb.load_rules()
    texts = [ex["text"] for ex in fb.load_examples()]
    for text in texts:
        doc = Doc(text)
        for sig in rules.signals.values():
            for bank in sig.banks.values():
                for b in (bank, bank.exceptions):
                    if b is None:
                        continue
                    plain = dataclasses.replace(b, exceptions=None)
                    assert plain.find(text, doc.index) == _brute_force(plain, text, doc)


def _brute_force(bank: Bank, text: str, doc: Doc) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for start, _ in doc.word_spans:
        if found and start < found[-1][1]:
            continue
        ends = [m.end() for rx in bank.by_key.values() if (m := rx.match(text, start))]
        ends = [e for e in ends if e > start]
        if ends:
            found.append((start, max(ends)))
    return found


# --- HTML -----------------------------------------------------------------------------------

EVIL = "Hi <script>alert('x')</script> & \"friends\"\nCould we meet for 20 minutes next week?"


class _Marks(HTMLParser):
    """Collects the text and checks that <mark> tags nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.marks: list[dict[str, str | None]] = []
        self.tags: set[str] = set()
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)
        self.in_style = tag == "style"
        if tag == "mark":
            self.marks.append(dict(attrs))
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if not self.in_style:
            self.text.append(data)


def _parse(fragment: str) -> _Marks:
    p = _Marks()
    p.feed(fragment)
    p.close()
    return p


def test_highlight_escapes_everything_and_keeps_the_text() -> None:
    out = fb.highlight_html(EVIL, fb.analyze(EVIL))
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "&amp;" in out and "&quot;friends&quot;" in out
    parsed = _parse(out)
    assert parsed.tags <= {"style", "div", "mark"}
    assert "".join(parsed.text) == EVIL  # every character, newline included, in order
    assert "white-space: pre-wrap" in out


def test_highlight_marks_carry_signal_and_level() -> None:
    text = "I know you're far too busy. Huge fan! Could we meet for 20 minutes next week?"
    out = fb.highlight_html(text, fb.analyze(text))
    classes = {m["class"] for m in _parse(out).marks}
    assert "mw-sig mw-sig-neediness mw-level-problem" in classes
    assert "mw-sig mw-sig-admiration mw-level-problem" in classes
    assert "mw-sig mw-sig-clear_ask mw-level-good" in classes
    for m in _parse(out).marks:
        assert m["title"]  # the tooltip explains the mark


def test_highlight_handles_overlapping_spans() -> None:
    text = "abcdefghij"
    sigs = [
        Signal("neediness", Level.PROBLEM, (Span(0, 6, "abcdef"),), "m1", "s", "w"),
        Signal("overconfidence", Level.CONSIDER, (Span(3, 9, "defghi"),), "m2", "s", "w"),
        Signal("admiration", Level.GOOD, (Span(4, 5, "e"),), "m3 <b>", "s", "w"),
    ]
    out = fb.highlight_html(text, sigs)
    parsed = _parse(out)
    assert "".join(parsed.text) == text
    assert not parsed.stack
    assert "m3 &lt;b&gt;" in out
    # "e" sits inside all three marks.
    assert re.search(r"(<mark[^>]*>){3}e(</mark>){3}", out)


def test_highlight_skips_spans_that_do_not_fit_the_text() -> None:
    sig = Signal("length", Level.CONSIDER, (Span(0, 5, "other"), Span(50, 60, "x")), "m", "s", "w")
    out = fb.highlight_html("hello", [sig])
    assert "<mark" not in out and "hello" in out


def test_highlight_names_filter() -> None:
    text = "Huge fan! I know you're far too busy."
    signals = fb.analyze(text)
    out = fb.highlight_html(text, signals, names=["admiration"])
    classes = " ".join(m["class"] or "" for m in _parse(out).marks)
    assert "mw-sig-admiration" in classes and "mw-sig-neediness" not in classes
    with pytest.raises(ValueError, match="unknown signal name"):
        fb.highlight_html(text, signals, names=["tone"])


def test_panel_is_self_contained_escaped_and_readable_without_colour() -> None:
    text = EVIL + " I'm no expert. Huge fan <b>really</b>!"
    out = fb.panel_html(text, fb.analyze(text))
    lowered = out.lower()
    for banned in ("<script", "http:", "https:", "//cdn", "src=", "url(", "@import", "<link"):
        assert banned not in lowered, banned
    assert "&lt;script&gt;" in out and "&lt;b&gt;really&lt;/b&gt;" in out
    assert "var(--jp-" in out
    parsed = _parse(out)
    assert not parsed.stack
    rules = fb.load_rules()
    plain = html.unescape(out)
    for name in SIGNAL_NAMES:
        assert rules.signals[name].label in plain
        assert f'data-signal="{name}"' in out
    for lvl in ("good", "consider", "problem"):
        ui = rules.ui["levels"][lvl]
        if f'mw-fb-item mw-sig-neediness mw-level-{lvl}"' in out or lvl == "problem":
            assert ui["word"] in plain and ui["icon"] in plain
    # The triggering words are quoted, and the evidence is shown.
    assert "<q>I&#x27;m no expert</q>" in out
    assert "Blankenship" in plain


def test_panel_shows_an_icon_and_a_word_for_every_signal() -> None:
    signals = fb.analyze(STRONG + " Huge fan. I'm no expert.")
    out = fb.panel_html(STRONG, signals)
    items = re.findall(r'<li class="mw-fb-item[^"]*mw-level-(\w+)".*?</li>', out, re.S)
    assert len(items) == 9
    rules = fb.load_rules()
    for block in re.findall(r'<li class="mw-fb-item.*?</li>', out, re.S):
        level = re.search(r"mw-level-(\w+)", block).group(1)
        ui = rules.ui["levels"][level]
        assert ui["icon"] in block and f"<strong>{ui['word']}</strong>" in block


# --- the rules file -------------------------------------------------------------------------


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = RULES.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "feedback_rules.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('        - "mentor me"\n', '        - "mentor (me"\n',
         r"signals\.clear_ask\.phrases\.ask\[\d+\]: cannot read the phrase 'mentor \(me'"),
        ("      good_min: 50 ", "      good_min: lots ",
         r"signals\.length\.thresholds\.good_min \(line \d+\): expected a number"),
        ("      good_max: 125 ", "      good_max: 20 ",
         r"signals\.length\.thresholds\.good_max \(line \d+\): good_max must be at least"),
        ('message: "Your message is {count} words: a',
         'message: "Your message is {cuont} words: a',
         r"signals\.length\.outcomes\.good\.message \(line \d+\): unknown field \{cuont\}"),
        ("    phrases:\n      offer:", "    phrases:\n      offers:",
         r"signals\.reciprocity\.phrases\.offers \(line \d+\): unknown key 'offers'"),
        ("  reciprocity:\n    label:", "  reciprocity:\n    lable:",
         r"signals\.reciprocity\.lable \(line \d+\): unknown key"),
        ('        - "your [*] <work_noun>"\n', '        - "your [*] <work_nouns>"\n',
         r"unknown word list <work_nouns>"),
    ],
)  # fmt: skip
def test_malformed_rules_name_the_file_and_key(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(fb.FeedbackRulesError, match=expected) as info:
        fb.load_rules(path)
    assert str(path) in str(info.value)


def test_missing_rules_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(fb.FeedbackRulesError, match="cannot read the feedback rules"):
        fb.load_rules(tmp_path / "nope.yaml")


def test_not_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "feedback_rules.yaml"
    path.write_text("signals: [unclosed\n", encoding="utf-8")
    with pytest.raises(fb.FeedbackRulesError, match="not valid YAML"):
        fb.load_rules(path)


def test_rules_are_cached_and_reloaded_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "feedback_rules.yaml"
    path.write_text(RULES.read_text(encoding="utf-8"), encoding="utf-8")
    first = fb.load_rules(path)
    assert fb.load_rules(path) is first
    text = path.read_text(encoding="utf-8").replace('label: "Length"', 'label: "Word count"')
    path.write_text(text, encoding="utf-8")
    assert fb.load_rules(path).signals["length"].label == "Word count"


def test_analysis_follows_an_adapted_exercises_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = RULES.read_text(encoding="utf-8").replace("good_min: 50 ", "good_min: 5 ")
    (tmp_path / "feedback_rules.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(fb_rules, "exercises_dir", lambda: tmp_path)
    try:
        fb.reload_rules()
        assert signal("Could we meet next week for 20 minutes?", "length").level == "good"
    finally:
        monkeypatch.undo()
        fb.reload_rules()
    assert signal("Could we meet next week for 20 minutes?", "length").level == "consider"


# --- the labelled bank ----------------------------------------------------------------------


def test_the_bank_is_big_varied_and_well_formed() -> None:
    examples = fb.load_examples()
    assert len(examples) >= 60
    assert all(len(ex["expect"]) >= 3 for ex in examples)
    kinds = {ex["kind"] for ex in examples}
    assert {"strong", "needy", "pushy", "generic", "too_long", "too_short", "no_ask"} <= kinds
    for name in SIGNAL_NAMES:
        labels = [ex["expect"][name] for ex in examples if name in ex["expect"]]
        assert "good" in labels and set(labels) - {"good"}, name


def _agreement(examples: list[dict]) -> dict[str, tuple[int, int, int, int]]:
    counts = {name: [0, 0, 0, 0] for name in SIGNAL_NAMES}  # tp, fp, fn, tn
    for ex in examples:
        got = fb.summary(fb.analyze(ex["text"], ex["context"]))
        for name, want in ex["expect"].items():
            truth, guess = want != "good", got[name] != "good"
            idx = 0 if truth and guess else 1 if guess else 2 if truth else 3
            counts[name][idx] += 1
    return {k: tuple(v) for k, v in counts.items()}  # type: ignore[misc]


def _table(title: str, counts: dict[str, tuple[int, int, int, int]]) -> tuple[dict, str]:
    """Precision and recall per signal, and the table of them (printed, and returned so an
    assertion message can show it)."""
    lines = [f"{title}  ('not good' is the positive class)",
             f"{'signal':<15} {'tp':>3} {'fp':>3} {'fn':>3} {'tn':>3}  precision  recall"]
    scores = {}
    for name, (tp, fp, fn, tn) in counts.items():
        p = tp / (tp + fp) if tp + fp else float("nan")
        r = tp / (tp + fn) if tp + fn else float("nan")
        scores[name] = (p, r)
        lines.append(f"{name:<15} {tp:>3} {fp:>3} {fn:>3} {tn:>3}  {p:>9.2f}  {r:>6.2f}")
    text = "\n".join(lines)
    print("\n" + text)
    return scores, text


def test_rules_agree_with_the_labelled_bank() -> None:
    examples = fb.load_examples()
    scores, table = _table(f"All {len(examples)} labelled examples", _agreement(examples))
    for name, (p, r) in scores.items():
        assert p >= 0.8, f"{name}: precision {p:.2f}\n{table}"
        assert r >= 0.8, f"{name}: recall {r:.2f}\n{table}"


#: Precision and recall on the held-out examples (ids ``heldout_*``, never used to shape the
#: rules) as measured when they were added, rounded down to the nearest 0.05 and never below
#: 0.5: a rule change may not lose agreement on text it was not tuned to.
HELD_OUT_FLOORS = {  # signal: (precision, recall)
    "length": (1.0, 1.0),
    "readability": (1.0, 1.0),
    "clear_ask": (0.75, 1.0),
    "reason": (1.0, 1.0),
    "admiration": (0.8, 0.8),
    "gratitude": (1.0, 1.0),
    "neediness": (1.0, 1.0),
    "overconfidence": (1.0, 1.0),
    "reciprocity": (0.7, 1.0),
}


def test_rules_agree_with_the_held_out_examples() -> None:
    held_out = [ex for ex in fb.load_examples()
                if ex["id"].startswith("heldout_") and not ex["id"].startswith("heldout_h12_")]
    assert len(held_out) >= 15, "the floors below were measured on 15 held-out examples"
    assert list(HELD_OUT_FLOORS) == list(SIGNAL_NAMES)
    assert all(min(floors) >= 0.5 for floors in HELD_OUT_FLOORS.values())
    scores, table = _table(
        f"Held-out subset ({len(held_out)} examples, not used to shape the rules)",
        _agreement(held_out))
    for name, (p, r) in scores.items():
        p_floor, r_floor = HELD_OUT_FLOORS[name]
        # NaN (a signal never flagged, or never expected to be) fails both comparisons.
        assert p >= p_floor, f"{name}: held-out precision {p:.2f} < {p_floor}\n{table}"
        assert r >= r_floor, f"{name}: held-out recall {r:.2f} < {r_floor}\n{table}"


# --- repeated analysis -----------------------------------------------------------------------


def test_analysis_of_a_long_message_is_repeatable() -> None:
    """The panel re-runs the analysis on every edit, with its caches warm: the answer must not
    depend on how often it ran. (How fast it runs is measured by ``benchmarks/feedback.py``.)"""
    text = " ".join([STRONG.replace("\n", " ")] * 5)
    first = fb.analyze(text)
    assert [s.name for s in first] == list(SIGNAL_NAMES)
    assert fb.summary(first)["length"] == "problem"  # five messages in one is far too long
    for _ in range(30):
        assert fb.analyze(text) == first


#: The same for the second held-out set (ids ``heldout_h12_*``): hard cases written and labelled
#: for issue 12 before the rules changed, never looked at while they changed, and measured once
#: afterwards (rounded down to 0.05). ``None``: the set has no labels for that signal.
HELD_OUT_H12_FLOORS: dict[str, tuple[float, float] | None] = {
    "length": (1.0, 1.0),
    "readability": None,
    "clear_ask": (0.65, 1.0),
    "reason": (0.7, 1.0),
    "admiration": (0.6, 1.0),
    "gratitude": (1.0, 1.0),
    "neediness": (1.0, 1.0),
    "overconfidence": (1.0, 1.0),
    "reciprocity": (0.8, 1.0),
}


def test_rules_agree_with_the_issue_12_held_out_examples() -> None:
    held_out = [ex for ex in fb.load_examples() if ex["id"].startswith("heldout_h12_")]
    assert len(held_out) >= 20, "the floors below were measured on 23 held-out examples"
    assert list(HELD_OUT_H12_FLOORS) == list(SIGNAL_NAMES)
    scores, table = _table(
        f"Issue 12 held-out subset ({len(held_out)} hard cases, not used to shape the rules)",
        _agreement(held_out))
    for name, (p, r) in scores.items():
        floors = HELD_OUT_H12_FLOORS[name]
        if floors is None:
            continue
        assert min(floors) >= 0.5
        assert p >= floors[0], f"{name}: held-out precision {p:.2f} < {floors[0]}\n{table}"
        assert r >= floors[1], f"{name}: held-out recall {r:.2f} < {floors[1]}\n{table}"


def test_the_two_wrongly_flagged_lines_of_issue_12_pass() -> None:
    """"I'd welcome ..." is an ask; one courtesy is not neediness."""
    assert signal("I'd welcome twenty minutes of your advice in March.", "clear_ask").level == (
        "good")
    for courtesy in ("I understand if you can't.",
                     "I know you're busy, so I'll keep this short."):
        text = (f"{courtesy} Your keynote on rural clinics changed how I plan our rota. Could "
                "we meet for 20 minutes next month? Thank you for considering it.")
        assert signal(text, "neediness").level == "good", courtesy


@pytest.mark.parametrize("ask", [
    "I'd welcome your advice", "Would you have a moment", "Might you be free",
    "Would you be open to a call", "Could I borrow an hour of your time",
    "I'd love to hear how you did it", "Is it possible to meet you", "I kindly request a call",
    "Open to a quick chat", "I'd appreciate twenty minutes", "Let's grab a coffee",
])
def test_natural_asks_count_as_asks(ask: str) -> None:
    assert signal(f"{ask} next week?", "clear_ask").level != "problem", ask


def test_a_pile_of_courtesies_and_hedges_is_a_problem() -> None:
    text = ("I know you're busy. Could we meet for 20 minutes next month? I completely "
            "understand if you can't. No pressure at all. I won't take it personally.")
    assert signal(text, "neediness").level == "problem"
    hedged = ("I know you're busy. I was just wondering if we could perhaps meet, maybe for 20 "
              "minutes next month?")
    assert signal(hedged, "neediness").level == "problem"


def test_requests_in_one_sentence_are_counted_by_clause() -> None:
    text = ("Could you review my CV, could you introduce me to your head of research, could we "
            "meet monthly, and could you also read my thesis chapter?")
    assert signal(text, "clear_ask").level == "consider"
    assert signal(text, "overconfidence").level == "consider"
    assert signal("Would you mentor me for an hour a month?", "overconfidence").level == "good"


def test_asking_for_some_signals_gives_the_same_verdicts_as_asking_for_all() -> None:
    text = ("Dear Dr. Okafor, thank you for your keynote on hiring juniors. Would you be open "
            "to a 20-minute call next month? I'm working on the same question in my team.")
    context = {"leader_name": "Dr. Okafor", "leader_work": "keynote on hiring juniors"}
    every = {s.name: s for s in fb.analyze(text, context)}
    some = fb.analyze(text, context, names=("gratitude", "clear_ask"))
    assert [s.name for s in some] == ["gratitude", "clear_ask"]
    assert all(s == every[s.name] for s in some)
    with pytest.raises(ValueError, match="no such signal: tone_of_voice"):
        fb.analyze(text, names=("tone_of_voice",))


# --- one draft, read once -------------------------------------------------------------------


def test_draft_signals_give_what_analyze_gives_whichever_is_asked_first() -> None:
    """The step checks ask a draft for a few signals each, in their own order; every answer is
    the one the full analysis (the feedback panel's) gives, and the readability grade too."""
    ctx = {"leader_name": "Dr. Ana Ruiz", "leader_work": "the essay on hiring for curiosity"}
    for example in fb.load_examples():
        text = example["text"]
        full = fb.analyze(text, ctx)
        draft = fb.DraftSignals(text, ctx)
        for expected in reversed(full):
            assert draft.signal(expected.name) == expected
        assert draft.signal("clear_ask") is draft.signal("clear_ask")  # worked out once
    with pytest.raises(ValueError, match="no such signal"):
        fb.DraftSignals(STRONG).signal("charm")
    with pytest.raises(TypeError):
        fb.DraftSignals(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize("work", [
    "the essay on hiring for curiosity", "Hiring-for-curiosity essay", "Rui's 20-minute talk",
    "the Café Müller keynote", "her work", "",
])
@pytest.mark.parametrize("text", [
    STRONG,
    "Your HIRING essay, the one on curiosity, changed my interviews.",
    "I loved the Café Müller keynote and Rui’s 20-minute talk on hiring-for-curiosity.",
    "Hiring\u2013for curiosity: your essay. Rui's 20 minute talk too.",
])
def test_work_mentions_with_the_quick_substring_test_match_the_patterns_alone(
        text: str, work: str) -> None:
    """A plain substring test rules most words out before their pattern runs; whatever it rules
    out, the pattern would not have found (case, apostrophes, dashes and accents included)."""
    from mentor_workshop.core.feedback import context as fc

    found = fc.work_mentions(text, work)
    exact, words = fc._work_patterns(work.strip()) if work.strip() else (None, ())
    reference: list[tuple[int, int]] = []
    span = fc._find_title(text, exact) if exact else None
    if span is not None:
        reference = [span]
    elif words:
        hits = [(m.start(), m.end()) for _, rx in words if (m := rx.search(text))]
        needed = max(min(2, len(words)), math.ceil(0.6 * len(words)))
        reference = hits if len(hits) >= needed else []
    assert found == reference
