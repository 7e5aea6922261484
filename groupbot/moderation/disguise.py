"""Undoing the disguises people put on words, for the normaliser (normalise.py): look-alike
letters from other scripts folded (the confusables table), leetspeak ("1d10t"), letters
stretched ("sooo") or spaced out ("k i l l"), and words masked with symbols ("f*ck", "sh!t").

Each step has a C twin in the fast path (fastpath.py); normalise.py takes `c_<step> or
py_<step>`, and the golden verdicts are checked both ways.
"""

from __future__ import annotations

import functools
import re
from typing import Final

from groupbot.moderation.confusables_table import TABLE as _CONFUSABLES
from groupbot.moderation.fastpath import (
    c_masked_spans,
)

# Zero-width, joiners, bidi controls, soft hyphen, variation selectors, tag characters,
# Hangul fillers and other characters that render as nothing.
INVISIBLE_RANGES: Final = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE007F), (0xE0100, 0xE01EF),
)
INVISIBLE: Final[dict[int, None]] = {
    cp: None for lo, hi in INVISIBLE_RANGES for cp in range(lo, hi + 1)
}


def fold_table() -> dict[int, str | None]:
    """Confusables plus deletion of combining marks (applied after NFD)."""
    table: dict[int, str | None] = dict(_CONFUSABLES)
    for cp in range(0x0300, 0x0370):
        table[cp] = None
    for lo, hi in ((0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F)):
        for cp in range(lo, hi + 1):
            table[cp] = None
    table.update(INVISIBLE)
    # Typographic apostrophes and quotes become ASCII so "you’re" reads as "youre".
    for cp in (0x2018, 0x2019, 0x201B, 0x02BC, 0xFF07):
        table[cp] = "'"
    return table

LEET_I: Final = (
    str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                         "9": "g", "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e"}))
LEET_L: Final = (
    str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                         "9": "g", "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e"}))
MASKED: Final = (
    re.compile(r"(?<![a-z])[a-z]++(?:\*+[a-z]++)+"))  # from a word start, no backtracking
_SPLIT_RUN: Final = re.compile(r"(?<= )(?:[a-z] ){2,}[a-z](?= )")
STRETCH: Final = re.compile(r"([a-z])\1\1+")
_SPACES: Final = re.compile(r"\s+")


def squash(text: str) -> str:
    """Whitespace collapsed; used for fingerprints of repeated messages."""
    return _SPACES.sub(" ", text).strip()


def leet_i(m: re.Match[str]) -> str:
    word = m.group()
    tail = len(word) - len(word.rstrip("!"))  # a trailing "!" is punctuation, not an i
    if tail:
        return word[:-tail].translate(LEET_I) + " "
    return word.translate(LEET_I)


def leet_l(m: re.Match[str]) -> str:
    word = m.group()
    tail = len(word) - len(word.rstrip("!"))
    if tail:
        return word[:-tail].translate(LEET_L) + " "
    return word.translate(LEET_L)


def py_stretch_both(form: str, only: int = 0) -> tuple[str, str]:
    """`form` with stretched letters shortened to one, and to two, in one scan (`only`:
    build just that one of the two; the other is returned unchanged)."""
    one: list[str] = []
    two: list[str] = []
    pos = 0
    for m in STRETCH.finditer(form):
        before = form[pos:m.start()]
        letter = m.group(1)
        if only != 2:
            one.append(before)
            one.append(letter)
        if only != 1:
            two.append(before)
            two.append(letter + letter)
        pos = m.end()
    if not pos:
        return form, form
    one.append(form[pos:])
    two.append(form[pos:])
    return ("".join(one) if only != 2 else form), ("".join(two) if only != 1 else form)


def py_join_runs(form: str) -> tuple[str, str]:
    """Both split-letter joins of `form` (`_join_run`, `_join_run_keep_word`) in one scan."""
    joined: list[str] = []
    kept: list[str] = []
    pos = 0
    for m in _SPLIT_RUN.finditer(form):
        before = form[pos:m.start()]
        joined.append(before)
        kept.append(before)
        joined.append(_join_run(m))
        kept.append(_join_run_keep_word(m))
        pos = m.end()
    joined.append(form[pos:])
    kept.append(form[pos:])
    return "".join(joined), "".join(kept)


def _join_run(m: re.Match[str]) -> str:
    return m.group().replace(" ", "")


def _join_run_keep_word(m: re.Match[str]) -> str:
    run = m.group()
    if run[0] in "aiu" and len(run) > 5:
        return run[:2] + run[2:].replace(" ", "")
    return run.replace(" ", "")


# Masked swearing ("f*ck", "sh**t"): a star stands for one or more letters. Resolved against
# the masked words below; anything else keeps its stars (which then split the word).
_MASK_WORDS: Final = (
    "fuck", "fucking", "fucker", "shit", "bitch", "cunt", "nigger", "nigga", "faggot", "fag",
    "whore", "slut", "dick", "cock", "pussy", "asshole", "bastard", "retard", "twat", "kill",
    "motherfucker", "damn", "piss", "suicide", "rape",
)


# Candidates by first letter (a candidate must start like the masked word does).
_MASK_BY_FIRST: Final[dict[str, tuple[str, ...]]] = {
    first: tuple(w for w in _MASK_WORDS if w[0] == first) for first in {w[0] for w in _MASK_WORDS}
}


def unmask_all(text: str) -> str:
    """`MASKED.sub(unmask, text)`; natively found spans when built (the regex engine
    tries `MASKED` at every letter of a long text). The tests check they agree."""
    if c_masked_spans is None:
        return MASKED.sub(unmask, text)
    spans = c_masked_spans(text)
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append(_unmask_word(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def unmask(m: re.Match[str]) -> str:
    return _unmask_word(m.group())


@functools.lru_cache(maxsize=4096)
def _unmask_word(word: str) -> str:
    """The swear word `word` masks ("f*ck"), or `word` with its stars as spaces. Kept: a
    long message can hold hundreds of masked words, mostly the same few."""
    parts = [p for p in word.split("*") if p]
    for candidate in _MASK_BY_FIRST.get(word[0], ()):
        if _fits(candidate, parts, word):
            return candidate
    return word.replace("*", " ")


def _fits(candidate: str, parts: list[str], word: str) -> bool:
    """Does `candidate` read as `word` with each run of stars standing for 1+ letters?"""
    if not (candidate.startswith(parts[0]) and candidate.endswith(parts[-1])):
        return False
    if len(candidate) < len(word.replace("*", "")) + word.count("*") - word.count("**"):
        return False
    pos = len(parts[0])
    for part in parts[1:-1]:
        found = candidate.find(part, pos + 1)
        if found < 0:
            return False
        pos = found + len(part)
    return len(candidate) - len(parts[-1]) > pos
