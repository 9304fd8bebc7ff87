"""Is this real text? One judgement shared by every step's check and the feedback panel.

A check that only counts words rewards filler: "zork plonk quib", "thanks" thirty times, lorem
ipsum, the example pasted back, a commitment dated 1999. :func:`judge` tells an answer from a
stand-in and :func:`judge_date` a meant date from a filled-in box; each failing verdict carries
one kind, specific sentence saying what to do, never a bare fail. The self-check button and the
nbgrader hidden test call the same checks, so they inherit the same judgement.

- ``config``: the texts, thresholds and word lists in ``exercises/reality.yaml``;
- ``vocabulary``: the offline English word list (shipped inside this package), loaded once;
- ``text``: :func:`judge` and its :class:`Verdict`;
- ``dates``: :func:`judge_date`.
"""

from mentor_workshop.core.reality.config import load_config
from mentor_workshop.core.reality.dates import day_of, judge_date
from mentor_workshop.core.reality.text import KINDS, Verdict, judge, similarity

__all__ = ["KINDS", "Verdict", "day_of", "judge", "judge_date", "load_config", "similarity"]
