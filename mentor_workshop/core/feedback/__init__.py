"""Transparent feedback on a draft request to a would-be mentor.

Every signal is a rule a participant can read: the words that triggered it, what to try, and the
evidence behind it. Phrase banks, thresholds and texts live in ``exercises/feedback_rules.yaml``
so a facilitator can adapt them without touching Python; this package only holds the logic.

The rules are plain phrase lists rather than a model because a participant must be able to see
*why* a flag fired and argue with it, and because nothing here may download anything at run time.

How the parts fit, from the file to the page:

- ``phrases``: the facilitator's phrase syntax turned into regexes;
- ``bank``: a phrase list compiled for speed, searched through a word index;
- ``checker`` and ``rules``: the rules file checked (errors name file, key, line) and cached;
- ``examples``: the labelled example messages;
- ``text``: words, sentences, syllables and the Flesch–Kincaid grade;
- ``context``: where a draft mentions what the participant said about their leader;
- ``analysis`` and ``signals``: one draft's shared state, and one function per signal;
- ``render``: the marked draft and the feedback panel as escaped HTML;
- ``model``: the names, levels and result types all of them share.
"""

from mentor_workshop.core.feedback.checker import FeedbackRulesError
from mentor_workshop.core.feedback.context import CONTEXT_KEYS as CONTEXT_KEYS
from mentor_workshop.core.feedback.examples import EXAMPLES_FILE as EXAMPLES_FILE
from mentor_workshop.core.feedback.examples import load_examples
from mentor_workshop.core.feedback.model import SIGNAL_NAMES, Level, Signal, Span
from mentor_workshop.core.feedback.render import highlight_html, panel_html
from mentor_workshop.core.feedback.rules import RULES_FILE as RULES_FILE
from mentor_workshop.core.feedback.rules import Rules as Rules
from mentor_workshop.core.feedback.rules import load_rules, reload_rules
from mentor_workshop.core.feedback.signals import DraftSignals, analyze, summary
from mentor_workshop.core.feedback.text import flesch_kincaid_grade

__all__ = [
    "SIGNAL_NAMES",
    "DraftSignals",
    "FeedbackRulesError",
    "Level",
    "Signal",
    "Span",
    "analyze",
    "flesch_kincaid_grade",
    "highlight_html",
    "load_examples",
    "load_rules",
    "panel_html",
    "reload_rules",
    "summary",
]
