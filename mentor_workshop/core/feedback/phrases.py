"""The facilitator's phrase syntax (see the head of feedback_rules.yaml) turned into regexes.

A facilitator writes phrases in a tiny syntax rather than regular expressions: it is easy to
read and hard to break. Each phrase is parsed to a small tree, turned into a regex, and indexed
by the first letters of its first two words (:func:`lead_keys`) so that a bank is only tried
where the words could start it (scanning every position with a few hundred alternatives would
cost milliseconds per message).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from mentor_workshop.errors import PhraseError

APOSTROPHES = "'’‘ʼ"
#: A hyphen or dash between two words: the hyphen-minus and U+2010 to U+2013 (hyphen,
#: non-breaking hyphen, figure dash, en dash). One range, not a list: a class of scattered
#: non-Latin-1 characters makes Python build a 64 K table for it, and the few hundred phrase
#: patterns that use it took twice as long to compile.
DASHES = "[-\u2010-\u2013]"
WS_RE = rf"(?:\s+|\s*{DASHES}\s*)"
_NUM_RE = r"\d+(?:[.,:]\d+)?"
ANY_RE = r"[^\W_]+(?:['’][^\W_]+)?"
#: A word's key is its first KEY_LEN letters; the word index and the banks must agree on it.
KEY_LEN = 3
ANY_KEY = "*"
NUM_KEY = "#"


def parse_phrase(src: str, vocab: Mapping[str, list] | None) -> list:
    """Parse phrase syntax into nodes: ("lit", ch) ("ws",) ("num",) ("any",) ("alt", [seq], opt).

    Parameters
    ----------
    src : str
        One phrase as the facilitator wrote it.
    vocab : mapping of str to list, or None
        Parsed word lists ``<name>`` may refer to; ``None`` while parsing a word list itself,
        so lists cannot nest.

    Returns
    -------
    list
        The node sequence, without leading or trailing whitespace nodes.

    Raises
    ------
    PhraseError
        For unbalanced brackets, an unknown word list, a stray ``|`` or an empty phrase.
    """
    pos = 0

    def parse_seq(closers: str) -> tuple[list, str | None]:
        nonlocal pos
        seq: list = []
        while pos < len(src):
            ch = src[pos]
            if ch in closers or ch == "|":
                return seq, ch
            pos += 1
            if ch in "([":
                close = ")" if ch == "(" else "]"
                branches = []
                while True:
                    branch, stop = parse_seq(")]")
                    if stop is None:
                        raise PhraseError(
                            f"'{ch}' at position {pos} is never closed with '{close}'"
                        )
                    pos += 1
                    if not branch:
                        raise PhraseError(f"empty choice inside '{ch}…{close}'")
                    branches.append(branch)
                    if stop == "|":
                        continue
                    if stop != close:
                        raise PhraseError(f"'{ch}' is closed with '{stop}' instead of '{close}'")
                    break
                seq.append(("alt", branches, ch == "["))
            elif ch in ")]":
                raise PhraseError(f"'{ch}' at position {pos} has no opening bracket")
            elif ch == "<":
                end = src.find(">", pos)
                if end < 0:
                    raise PhraseError("'<' is never closed with '>'")
                name = src[pos:end].strip()
                pos = end + 1
                if vocab is None:
                    raise PhraseError(f"a word list <{name}> cannot be used inside vocab")
                if name not in vocab:
                    known = ", ".join(sorted(vocab)) or "none"
                    raise PhraseError(f"unknown word list <{name}> (known: {known})")
                seq.append(("alt", vocab[name], False))
            elif ch == ">":
                raise PhraseError("'>' without '<'")
            elif ch == "#":
                seq.append(("num",))
            elif ch == "*":
                seq.append(("any",))
            elif ch.isspace() or ch == "-":
                if not seq or seq[-1] != ("ws",):
                    seq.append(("ws",))
            else:
                seq.append(("lit", ch))
        return seq, None

    seq, stop = parse_seq("")
    if stop == "|":
        raise PhraseError("'|' is only allowed inside (…) or […]")
    while seq and seq[0] == ("ws",):
        seq.pop(0)
    while seq and seq[-1] == ("ws",):
        seq.pop()
    if not seq:
        raise PhraseError("the phrase is empty")
    return seq


def _char_regex(ch: str) -> str:
    # Any apostrophe matches any other: participants type straight and curly ones alike.
    return f"[{APOSTROPHES}]" if ch in APOSTROPHES else re.escape(ch)


def seq_regex(seq: list) -> str:
    """The regex (without word boundaries) for a parsed phrase.

    Parameters
    ----------
    seq : list
        Nodes from :func:`parse_phrase`.

    Returns
    -------
    str
        A regex source; an optional part takes its neighbouring space with it, so "I know
        [very] busy" also matches "I know busy".
    """
    out: list[str] = []
    i = 0
    while i < len(seq):
        node = seq[i]
        kind = node[0]
        if kind == "lit":
            out.append(_char_regex(node[1]))
        elif kind == "ws":
            out.append(WS_RE)
        elif kind == "num":
            out.append(_NUM_RE)
        elif kind == "any":
            out.append(ANY_RE)
        else:
            body = "|".join(seq_regex(b) for b in node[1])
            if not node[2]:
                out.append(f"(?:{body})")
            elif out and out[-1] == WS_RE:
                # "I know [very] busy": the space before an optional part goes with it.
                out[-1] = f"(?:{WS_RE}(?:{body}))?"
            elif i + 1 < len(seq) and seq[i + 1] == ("ws",):
                out.append(f"(?:(?:{body}){WS_RE})?")
                i += 1
            else:
                out.append(f"(?:{body})?")
        i += 1
    return "".join(out)


def lead_keys(stack: tuple, runs: tuple[str, ...] = (), cur: str | None = None) -> set:
    """How a phrase can begin: pairs (first word key, second word key or None).

    A key is the first letters of a run of letters/digits. Indexing word starts by both keys
    means "I just" is only tried where "I" is followed by "just…", not at every "I".

    Parameters
    ----------
    stack : tuple
        ``(node sequence, next position)`` pairs still to read, innermost last; a caller
        passes ``((seq, 0),)``.
    runs : tuple of str, default ()
        Keys of the runs already complete (used by the recursion).
    cur : str, optional
        The key of the run being read (used by the recursion).

    Returns
    -------
    set of tuple
        ``(first key, second key or None)`` pairs; ``ANY_KEY``/``NUM_KEY`` when the phrase can
        begin with any word or a number.
    """
    while stack:
        seq, i = stack[-1]
        if i >= len(seq):
            stack = stack[:-1]
            continue
        stack = (*stack[:-1], (seq, i + 1))
        node = seq[i]
        kind = node[0]
        if kind == "lit" and node[1].isalnum():
            if cur is None:
                cur = node[1].lower()
            elif len(cur) < KEY_LEN:
                cur += node[1].lower()
            if runs and len(cur) >= KEY_LEN:
                return {(runs[0], cur)}
        elif kind in ("lit", "ws"):
            if cur is not None:
                runs, cur = (*runs, cur), None
                if len(runs) == 2:
                    return {runs}
        elif kind in ("num", "any"):
            if runs:
                return {(runs[0], None)}
            if cur is None:
                return {(NUM_KEY if kind == "num" else ANY_KEY, None)}
            return {(cur if len(cur) >= KEY_LEN else ANY_KEY, None)}
        else:
            keys: set = set()
            for branch in node[1]:
                keys |= lead_keys((*stack, (branch, 0)), runs, cur)
            if node[2]:
                keys |= lead_keys(stack, runs, cur)
            return keys
    if cur is not None:
        runs = (*runs, cur)
    if not runs:
        return {(ANY_KEY, None)}
    return {(runs[0], runs[1] if len(runs) > 1 else None)}


def literal_phrase_regex(words: str) -> str:
    """A regex for text typed by a participant (context), matched like a phrase.

    Parameters
    ----------
    words : str
        The text, e.g. a leader's name or the title of their work.

    Returns
    -------
    str
        A regex source matching the words literally, with flexible spaces and apostrophes.
    """
    tokens = [t for t in re.split(r"\s+", words.strip()) if t]
    return WS_RE.join("".join(_char_regex(c) for c in tok) for tok in tokens)
