"""The shared "is this real text?" judgement: filler of every kind is caught with a kind,
specific sentence, and real answers — short, terse, non-native, full of names — pass."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from journals import complete_answers

from mentor_workshop.core import curriculum, feedback
from mentor_workshop.core.reality import KINDS, judge, judge_date, load_config, similarity
from mentor_workshop.core.reality import config as reality_config
from mentor_workshop.errors import ContentError

ROOT = Path(__file__).resolve().parent.parent
COHORT = sorted((ROOT / "exercises" / "sample_cohort" / "journals").glob("*.json"))
ASK_WHY = curriculum.load().step("07_rejection").content.ask_why.template


def _helpful(reason: str | None) -> None:
    """A verdict's reason is a sentence that says what to do, not a bare fail."""
    assert reason and len(reason.split()) >= 8, reason
    assert "—" in reason or ";" in reason, "it names the problem and then what to do"


# ------------------------------------------------------------------ filler is caught

FILLER = [
    # (text, kind, the signal that must fire)
    ("zork plonk quib frab nib snoo", "words", "nonwords"),
    ("blorft wuzzle in the grimple snarf", "words", "nonwords"),
    # Capitalised words may be names, so Title Case counts only when none of it is English.
    ("Zork Quib Frab Snoo", "words", "nonwords"),
    ("x", "words", "single_letters"),
    ("y", "words", "single_letters"),
    ("a b c", "short", "single_letters"),
    ("asdfgh", "short", "mash"),
    ("jkjkjkjk lkjh", "words", "mash"),
    ("She is great qwertyuiop", "prose", "mash"),
    ("zzzzzz", "short", "mash"),
    ("mnbvcxz", "words", "mash"),
    ("Lorem ipsum dolor sit amet. Could we meet for 20 minutes next week because I want to "
     "learn? Consectetur adipiscing elit, sed do eiusmod tempor.", "prose", "lorem"),
    ("lorem ipsum", "short", "lorem"),
    (" ".join(["thanks"] * 30), "prose", "repeated_words"),
    ("good good good", "words", "repeated_words"),
    ("thank you so much " * 6, "prose", "repeated_words"),
    ("I admire your work. I admire your work. I admire your work.", "prose",
     "repeated_sentences"),
    ("She gave a great talk at the summit last year. She gave a great talk at the summit last "
     "year. Would you meet me?", "prose", "repeated_sentences"),
    ("test", "words", "filler"),
    ("tbd", "short", "filler"),
    ("n/a", "words", "filler"),
    ("blah blah", "words", "filler"),
    ("...", "words", "filler"),
    ("Dear [name], I would love to meet you.", "prose", "blank"),
    ("Thanks for {thing}", "words", "blank"),
]


@pytest.mark.parametrize(("text", "kind", "signal"), FILLER,
                         ids=[f"{i}-{f[2]}" for i, f in enumerate(FILLER)])
def test_filler_is_caught_with_a_helpful_sentence(text: str, kind: str, signal: str) -> None:
    verdict = judge(text, kind=kind)  # type: ignore[arg-type]
    assert not verdict.ok and verdict.signal == signal, verdict
    _helpful(verdict.reason)


def test_the_reason_quotes_what_it_found() -> None:
    assert "“zork”" in judge("zork plonk quib frab nib snoo", kind="words").reason
    assert "30 times" in judge(" ".join(["thanks"] * 30)).reason
    assert "“asdfgh”" in judge("asdfgh", kind="short").reason


def test_the_starter_text_handed_back_is_not_an_answer() -> None:
    assert judge(ASK_WHY, kind="prose", template=ASK_WHY).signal == "copied"
    # Reworked, but with the template's blank left in: the blank is what is left to do.
    reworked = "Dear [name], thanks for the quick reply. What would make a future ask easier?"
    assert judge(reworked, template=ASK_WHY).signal == "blank"
    filled = ASK_WHY.replace("[name]", "Dr Osei")
    verdict = judge(filled, kind="prose", template=ASK_WHY)
    assert not verdict.ok and verdict.signal == "copied"
    _helpful(verdict.reason)
    # Small touches (a name, a contraction undone) do not make it one's own either.
    touched = filled.replace("I'd", "I would").replace("really ", "")
    assert judge(touched, template=ASK_WHY).signal == "copied"


def test_a_copied_example_is_caught_and_e_g_is_ignored() -> None:
    example = "e.g. She rebuilt the repairs service around tenants' own feedback."
    verdict = judge("She rebuilt the repairs service around tenants’ own feedback",
                    kind="words", examples=[example])
    assert verdict.signal == "copied"
    own = "She rebuilt our city's bus network around what riders told her in surveys."
    assert judge(own, kind="words", examples=[example]).ok


def test_a_reworked_template_is_the_participants_own() -> None:
    mine = ("Dear Dr Osei, thanks for replying so quickly. I'd value one honest pointer: what "
            "would have made my request easier to say yes to? Either way, I'm grateful.")
    assert judge(mine, kind="prose", template=ASK_WHY).ok
    assert similarity(mine, ASK_WHY) < load_config().thresholds.copied_similarity


def test_empty_and_non_text_are_empty() -> None:
    for value in ("", "   \n", None, 42):
        assert judge(value).signal == "empty"  # type: ignore[arg-type]


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        judge("hello there", kind="essay")  # type: ignore[arg-type]
    assert set(KINDS) == {"prose", "words", "short"}


# ------------------------------------------------------------------ real text passes

REAL = [
    ("Persistence", "words"),
    ("Conference talk", "words"),
    ("Alumni network", "words"),
    ("Ada Lovelace", "short"),
    ("Mei-Lin Zhou", "short"),
    ("Tomasz Wiśniewski", "short"),
    ("CFO, Northbridge Housing", "short"),
    ("Jo", "short"),
    ("I", "short"),
    # British spelling, jargon and names
    ("Her colour-coded roadmap made our organisation's onboarding programme far less chaotic.",
     "words"),
    ("Efua Asante-Boateng rebuilt the Accra clinic's triage after the 2021 floods.", "words"),
    ("Kwame taught me that a good standup takes ten minutes, not forty.", "words"),
    # non-native English: grammar slips are not filler
    ("I want learn how be good leader for my team, is difficult for me now.", "words"),
    ("Since two years I am working as engineer and I like to make the next step.", "words"),
    ("Please could you give me advices about how to speak in the meetings with directors?",
     "prose"),
    # terse but real
    ("Lead my first team.", "words"),
    ("Ask her at the May forum.", "words"),
    ("Monthly email.", "short"),
    # real prose that repeats on purpose, once
    ("Thank you. You made time when you had none, and I will not forget it. Thank you.",
     "prose"),
    ("Thanks again, and see you on Thursday!", "prose"),
    ("I was wondering... would you have half an hour in March?", "prose"),
]


@pytest.mark.parametrize(("text", "kind"), REAL, ids=[f"{i}" for i in range(len(REAL))])
def test_real_answers_pass(text: str, kind: str) -> None:
    verdict = judge(text, kind=kind)  # type: ignore[arg-type]
    assert verdict.ok, verdict


#: Keys whose values a widget chose from a list ("yes", "in_person", "second_meeting"), not
#: text anyone typed.
CHOICE_KEYS = frozenset({"status", "choice", "channel", "leader", "id", "path"})


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v)
                if k not in CHOICE_KEYS and not (k == "action" and " " not in str(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_every_answer_in_the_sample_cohort_and_adas_journal_is_real() -> None:
    """Hundreds of real answers by people with names from many languages, some terse, some
    long: none may be mistaken for filler, as prose or as a phrase."""
    journals = [complete_answers()] + [
        json.loads(p.read_text(encoding="utf-8"))["answers"] for p in COHORT]
    texts = [t for answers in journals for t in _strings(answers) if len(t.strip()) > 1]
    assert len(texts) > 300
    for text in texts:
        if len(text.split()) >= 3:  # a sentence or a phrase (ids and names are "short")
            for kind in ("prose", "words"):
                verdict = judge(text, kind=kind)
                assert verdict.ok, (text, verdict)
        assert judge(text, kind="short").ok, text


def test_every_labelled_example_request_is_real() -> None:
    examples = [ex for ex in feedback.load_examples() if len(ex["text"].split()) >= 5]
    assert len(examples) > 60
    for ex in examples:
        assert judge(ex["text"]).ok, (ex["id"], judge(ex["text"]))


# ------------------------------------------------------------------ dates


def test_dates_in_the_past_or_years_away_are_refused_kindly() -> None:
    today = date(2027, 3, 15)
    for value, signal in [("1999-05-01", "date_past"), ("2027-03-01", "date_past"),
                          ("2090-01-01", "date_far"), ("2029-06-01", "date_far"),
                          ("next Tuesday", "date_missing"), (None, "date_missing"),
                          ("2027-02-30", "date_missing")]:
        verdict = judge_date(value, today=today)
        assert not verdict.ok and verdict.signal == signal, (value, verdict)
        assert len(verdict.reason.split()) >= 5
    assert "1999-05-01 is already in the past" in judge_date("1999-05-01", today=today).reason


def test_plausible_dates_pass() -> None:
    today = date(2027, 3, 15)
    for value in ("2027-03-15", "2027-03-14", "2027-04-01", "2028-12-31", today):
        assert judge_date(value, today=today).ok, value
    assert judge_date((date.today() + timedelta(days=30)).isoformat()).ok
    assert judge_date("2027-01-01", today=today, future=False).ok


# ------------------------------------------------------------------ data and speed


def test_messages_live_in_the_yaml_and_a_broken_file_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = (ROOT / "exercises" / "reality.yaml").read_text(encoding="utf-8")
    adapted = tmp_path / "reality.yaml"
    adapted.write_text(shipped.replace("looks like keyboard mash", "looks like cat-on-keys"),
                       encoding="utf-8")
    monkeypatch.setattr(reality_config.resources, "exercises_dir", lambda: tmp_path)
    monkeypatch.setattr(reality_config, "_RECHECK_SECONDS", 0.0)  # not wait the second out
    # what this test loads stays in its own caches, so later tests see the shipped rules
    monkeypatch.setattr(reality_config, "_recent", {})
    monkeypatch.setattr(reality_config, "_cache", {})
    assert "cat-on-keys" in judge("asdfgh", kind="short").reason
    adapted.write_text("version: 1\nmessages: {}\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"reality\.yaml"):
        judge("hello there")


def test_judging_a_long_draft_is_fast_enough_for_every_keystroke() -> None:
    """A loose guard only (timings are measured properly in benchmarks/feedback.py)."""
    text = " ".join(ex["text"] for ex in feedback.load_examples()[:4])
    judge(text)
    start = time.perf_counter()
    for _ in range(20):
        judge(text)
    assert (time.perf_counter() - start) / 20 < 0.05


# ------------------------------------------------------------------ the feedback panel


def test_the_feedback_panel_says_when_a_draft_is_filler() -> None:
    lorem = ("Lorem ipsum dolor sit amet. Could we meet for 20 minutes next week because I want "
             "to learn? Consectetur adipiscing elit.")
    html = feedback.panel_html(lorem, feedback.analyze(lorem))
    assert 'class="mw-fb-reality"' in html and 'data-signal="lorem"' in html
    assert "placeholder text (lorem ipsum)" in html
    real = ("Dear Dr Osei, your talk on rural clinics changed how I plan our rota. Could we meet "
            "for 20 minutes next month? Thank you for considering it.")
    assert "mw-fb-reality" not in feedback.panel_html(real, feedback.analyze(real)).split(
        "</style>", 1)[1]


def test_the_panel_escapes_what_the_verdict_quotes() -> None:
    mash = "<b>qwertyuiop</b> asdfgh"
    html = feedback.panel_html(mash, feedback.analyze(mash))
    assert "<b>qwertyuiop" not in html and "&lt;b&gt;" in html


# ------------------------------------------------------------------ the shipped word list


def test_the_shipped_word_list_is_pyspellcheckers() -> None:
    """The list inside the package has exactly the words of pyspellchecker's English list, and
    rebuilding it (``scripts/build-word-list.py``) would give the same bytes."""
    pytest.importorskip("spellchecker")
    from importlib import resources

    from mentor_workshop.core.reality import vocabulary

    shipped = (resources.files(vocabulary.__package__) / "data" / vocabulary.WORDS_FILE)
    assert vocabulary.words() == vocabulary.source_words()
    assert vocabulary.encode_words(vocabulary.source_words()) == shipped.read_bytes(), (
        "the shipped list is out of date: run .venv/bin/python scripts/build-word-list.py")
    assert {"mentor", "leadership", "gracious"} <= vocabulary.words()
    assert "" not in vocabulary.words()

