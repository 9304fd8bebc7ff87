"""Rebuild the English word list the kit ships (``mentor_workshop/core/reality/data``).

The words are those of the English frequency list inside pyspellchecker's wheel
(``spellchecker/resources/en.json.gz``, MIT licence), kept as a sorted, gzipped plain-text list:
the kit needs only which words exist, not how often, and a plain list loads in a quarter of the
time a JSON object of counts takes (every ``status`` run and every participant's first check pays
it). ``tests/test_reality.py`` checks the shipped list still equals pyspellchecker's.

    .venv/bin/python scripts/build-word-list.py
"""

from __future__ import annotations

from pathlib import Path

from mentor_workshop.core.atomic import write_bytes_atomic
from mentor_workshop.core.reality.vocabulary import WORDS_FILE, encode_words, source_words

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Write the list; print how many words and bytes."""
    words = source_words()
    target = ROOT / "mentor_workshop" / "core" / "reality" / "data" / WORDS_FILE
    data = encode_words(words)
    write_bytes_atomic(target, data)
    print(f"{len(words)} words, {len(data)} bytes -> {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
