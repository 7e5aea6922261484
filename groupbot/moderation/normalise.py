"""Text normalisation against evasion, producing the forms the matchers need.

The pipeline: invisible characters removed; NFKC; case folding; accents stripped; look-alike
characters folded to ASCII (Unicode TR39 confusables, shipped as a generated table and applied
with one `str.translate`); spoiler/bold/code markup dropped; leetspeak mapped inside words
that mix letters and symbols; then word tokens. Matchers search a space-delimited token string
(" you are an idiot "), so a pattern only ever matches whole words: "assistance" never
contains "ass". Variants (letters split by spaces or dots joined up, stretched letters
shortened, 1 read as l) are produced only when the text shows that kind of evasion.

Three paths (see `normalise`): short plain ASCII text (most chat) skips the Unicode steps
and tokenises with a byte table; other short text takes the full path; text over `_LONG`
characters takes a bounded path of whole-string C-speed passes, so 10,000 characters of
adversarial Unicode stay within a few milliseconds without letting a word at the end escape.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Final, NamedTuple

from groupbot.moderation.disguise import (
    INVISIBLE,
    INVISIBLE_RANGES,
    LEET_I,
    LEET_L,
    MASKED,
    STRETCH,
    fold_table,
    leet_i,
    leet_l,
    py_join_runs,
    py_stretch_both,
    unmask,
    unmask_all,
)
from groupbot.moderation.fastpath import (
    GATE_BOX,
    GATE_DIGIT,
    GATE_EMAIL,
    GATE_KNOWN,
    GATE_NUMERIC,
    GATE_SPACE_DIGIT,
    MENTION_TOKEN,
    NATIVE,
    c_distinct_chars,
    c_flat_ascii,
    c_join_runs,
    c_normalise_ascii,
    c_stretch_both,
)

__all__ = [
    "GATE_BOX",
    "GATE_DIGIT",
    "GATE_EMAIL",
    "GATE_KNOWN",
    "GATE_NUMERIC",
    "GATE_SPACE_DIGIT",
    "MAX_CHARS",
    "MENTION_TOKEN",
    "NATIVE",
    "Normalised",
    "distinct_chars",
    "fold",
    "normalise",
    "sentence_ends",
]

# Longest text judged: the largest message a platform sends (Slack's 40,000 characters; Discord
# sends at most 4,000). A longer one is judged on its start and the verdict says it was
# truncated. The time is linear in the length: under 5 ms per 10,000 characters of adversarial
# Unicode (benchmarks/bench_moderation_speed.py).
MAX_CHARS: Final = 40_000
_LONG: Final = 2_000  # above this, cheaper whole-string passes bound the worst case
_INVISIBLE_RX: Final = re.compile("[" + "".join(
    f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in INVISIBLE_RANGES) + "]")


_FOLD: Final = fold_table()
# A word that mixes letters with digits or leet symbols: only these are mapped, so "455"
# (a number) stays a number and "sh1t" becomes "shit".
# (The lookbehind only lets a match start where a run of word characters starts, which is
# where the leftmost match starts anyway; it saves re-scanning every word from each letter.)
_MIXED: Final = re.compile(r"(?<![a-z0-9@$!|+€])[a-z0-9@$!|+€]*(?:[a-z][0-9@$!|+€]|[0-9@$|+€][a-z])"
                    r"[a-z0-9@$!|+€]*")
_MIXED_HINT: Final = re.compile(r"[a-z][0-9@$!|+€]|[0-9@$|+€][a-z]")
_SPOILER: Final = re.compile(r"\|\|(.+?)\|\|", re.S)
_MENTION: Final = re.compile(r"<@[!&]?[a-z0-9]+(?:\|[^>]*)?>"
                      r"|(?<![\w.@])@(?!everyone\b|here\b)[a-z_][\w.-]{1,31}")
# The same, for text without "<@": starting with a literal "@" lets the regex engine jump
# from one "@" to the next instead of trying every position.
_AT_MENTION: Final = re.compile(r"@(?<![\w.@]@)(?!everyone\b|here\b)[a-z_][\w.-]{1,31}")
_WORD: Final = re.compile(r"[^\W_]+")
_BLOCK_QUOTE: Final = re.compile(r"(?m)^[ \t]*(?:>|&gt;).*$")
_INLINE_QUOTE: Final = re.compile(r"\"[^\"\n]{12,400}\"|“[^”\n]{12,400}”")
# Words that say an inline quote is someone else's words (an article, a song, a person),
# not the author's own: "the article says "..."", ""..." she said".
_REPORTED_BEFORE: Final = re.compile(
    r"\b(?:says?|said|writes?|wrote|written|article|quote[sd]?|quoting|lines?|lyrics?|song|"
    r"book|poem|post|tweet|tweeted|according to|reads?|title[sd]?|headline|study|asks?|asked|"
    r"told (?:me|us|him|her|them)|tells? (?:me|us|him|her|them)|calls? it|called it)\W*$", re.I)
_REPORTED_AFTER: Final = (
    re.compile(r"^\W*(?:(?:he|she|they|someone|it|my \w+) )?(?:says?|said|wrote|"
                             r"writes?|asked|told)\b", re.I))


class Normalised(NamedTuple):
    """The forms of one message that matchers read.

    clean   NFKC text with invisible characters removed, original case (for PII and links)
    lower   the folded, lower-case text before tokenising (for rule regexes and hints)
    flat    " token token ... " after all folding: the primary form for whole-word matching
    variants further flat forms to search (split letters joined, stretched letters shortened)
    mentions how many people the text mentions; everyone: an @everyone/@here
    truncated the text was longer than MAX_CHARS and only its start was judged
    gates   facts about `clean` the PII finder would otherwise look for itself (the
            `pii.GATE_*` bits; 0 when not computed): only the native fast path sets them
    """

    clean: str
    lower: str
    flat: str
    variants: tuple[str, ...]
    mentions: int
    everyone: bool
    truncated: bool
    gates: int = 0

    def forms(self) -> tuple[str, ...]:
        return (self.flat, *self.variants)

    def tokens(self) -> list[str]:
        return self.flat.split()


# Builds a Normalised without the NamedTuple's Python-level __new__ (the fast path).
_new: Any = tuple.__new__


def lower_case(s: str) -> str:
    """Lower case for comparing: ASCII's fast `lower`, else Unicode's `casefold`."""
    return s.lower() if s.isascii() else s.casefold()


def fold(text: str) -> str:
    """Unicode folding only: invisible removed, NFKC, case folded, accents and look-alikes."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text.translate(INVISIBLE)).casefold()
    return unicodedata.normalize("NFD", text).translate(_FOLD)


def normalise(text: str) -> Normalised:
    """All the forms of `text` the matchers read.

    Most chat is short plain ASCII with no markup, and goes through `_normalise_ascii`,
    which skips the Unicode folding and tokenises with a byte table; other short text
    (Unicode, markup, masked words) goes through `_normalise_full`. Tests check that both
    give the same result wherever the fast one applies. Text longer than `_LONG` goes
    through `_normalise_long`, which bounds the work (whole-string passes at C speed, fewer
    variant forms) while still folding, unmasking, mapping leetspeak and joining split
    letters over the whole text, so a long message cannot hide a word at its end.
    """
    if len(text) > _LONG:
        return _normalise_long(text)
    if text.isascii() and not ("|" in text or "`" in text or "~" in text or "*" in text):
        # (the `in` tests are `_FAST_BLOCKERS`, at C speed)
        if c_normalise_ascii is not None:
            found = c_normalise_ascii(text)
            if found is not None:
                low, flat, mentions, everyone, variants, alt_low, gates = found
                return _new(Normalised, (  # type: ignore[no-any-return]
                    text, low, flat, _variants(flat, alt_low) if variants else (), mentions,
                    everyone, False, gates))
        return _normalise_ascii(text)
    return _normalise_full(text)


# Characters that need the full path: spoiler/code/strike markup and masked words.
_FAST_BLOCKERS: Final = re.compile(r"[|`~*]")
# ASCII tokenising: every byte that is not a lower-case letter or digit becomes a space
# (the same tokens as `_WORD.findall` on lower-case ASCII text, at C speed).
_ASCII_WORDS: Final = bytes(c if (97 <= c <= 122 or 48 <= c <= 57) else 32 for c in range(256))
_LEET_I_BYTES: Final = (
    bytes(ord(str(LEET_I.get(c, chr(c)))) for c in range(128)) + bytes(range(128, 256)))
_LEET_L_BYTES: Final = (
    bytes(ord(str(LEET_L.get(c, chr(c)))) for c in range(128)) + bytes(range(128, 256)))
# A word mixing letters and leet symbols that mapping would change. Stricter than
# `_MIXED_HINT`: a "!" that only ends a word ("wow!") is punctuation, and mapping would
# drop it anyway, so "wow!" alone does not send the text through the leet step (the test
# suite checks on random strings that this gate never changes a result).
_LEET_HINT: Final = re.compile(r"[a-z][0-9@$|+€]|[0-9@$|+€][a-z]|[a-z]!+[a-z0-9@$|+€]|![a-z]")
_SPLIT_HINT: Final = re.compile(r" [a-z] [a-z] [a-z] ")
# `_LEET_HINT` on ASCII, without a regex scan: each byte mapped to its class (a letter, 1
# a leet symbol or digit, ! itself, space anything else), then substring tests.
_CLASSES: Final = bytes(97 if 97 <= c <= 122 else 49 if (48 <= c <= 57 or c in b"@$|+") else
                 33 if c == 33 else 32 for c in range(256))
_BANG_RUN: Final = re.compile(r"a!+[a1]")


def _leet_hint(low: str) -> bool:
    """`_LEET_HINT.search(low)` for ASCII text, at C speed."""
    c = low.encode("ascii").translate(_CLASSES)
    if b"a1" in c or b"1a" in c or b"!a" in c:
        return True
    return b"a!" in c and _BANG_RUN.search(c.decode("ascii")) is not None


def _maybe_stretched(flat: str) -> bool:
    """`STRETCH.search(flat)` for ASCII text, with a C-speed gate: XOR of the text with
    itself shifted by one byte has two zero bytes in a row exactly where a byte repeats
    three times; only then (a letter or digit run) does the regex confirm it."""
    b = flat.encode("ascii")
    x = int.from_bytes(b, "big") ^ int.from_bytes(b[1:] + b" ", "big")
    if b"\0\0" not in x.to_bytes(len(b), "big"):
        return False
    return STRETCH.search(flat) is not None


def _flat_ascii(low: str) -> str:
    return " " + " ".join(low.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split()) \
        + " "


def _flat(low: str) -> str:
    if low.isascii():
        return _FLAT_ASCII(low)  # type: ignore[no-any-return]
    return " " + " ".join(_WORD.findall(low)) + " "


def sentence_ends(norm: Normalised) -> list[int] | None:
    """For each sentence of `norm`, how many tokens of `norm.flat` come before its end
    (sentences end at ".", "!" or "?" before a space); None if the text has one sentence,
    or its tokens cannot be lined up with `flat`."""
    low = norm.lower
    if "." not in low and "!" not in low and "?" not in low:
        return None
    parts = _SENTENCE_END.split(low)
    if len(parts) < 2:
        return None
    ends: list[int] = []
    count = 0
    for part in parts:
        count += len(_flat(part).split())
        ends.append(count)
    return ends if count == norm.flat.count(" ") - 1 else None


_SENTENCE_END: Final = re.compile(r"[.!?]+(?:\s+|$)")


def _normalise_ascii(text: str) -> Normalised:
    """The fast path: short ASCII text without markup or masked words."""
    low = text.lower()
    if "'" in low:
        low = low.replace("'", "")
    mentions = 0
    everyone = False
    if "@" in low:
        everyone = "@everyone" in low or "@here" in low
        low, mentions = (_AT_MENTION if "<@" not in low else _MENTION).subn(
            f" {MENTION_TOKEN} ", low)
    raw = low.encode("ascii")
    c = raw.translate(_CLASSES)  # `_leet_hint`, sharing the one encoding with tokenising
    if not (b"a1" in c or b"1a" in c or b"!a" in c
            or (b"a!" in c and _BANG_RUN.search(c.decode("ascii")) is not None)):
        flat = " " + " ".join(raw.translate(_ASCII_WORDS).decode("ascii").split()) + " "
        if _SPLIT_HINT.search(flat) is None and not _maybe_stretched(flat):
            return _new(Normalised, (text, low, flat, (), mentions, everyone, False, 0))  # type: ignore[no-any-return]
        return Normalised(text, low, flat, _variants(flat, None), mentions, everyone, False)
    mapped = _MIXED.sub(leet_i, low)
    alt_low = _MIXED.sub(leet_l, low) if "1" in low or "|" in low else None
    flat = _flat_ascii(mapped)
    return Normalised(text, mapped, flat, _variants(flat, alt_low), mentions, everyone, False)


def _variants(flat: str, alt_low: str | None) -> tuple[str, ...]:
    """Further forms: the "1 read as l" reading, split letters joined, stretching shortened."""
    variants: list[str] = []
    if alt_low is not None:
        alt = _flat(alt_low)
        if alt != flat:
            variants.append(alt)
    for form in (flat, *variants):
        # (the native builders when built and the form is ASCII, as nearly all are; the
        # Python ones are the reference the tests compare them with)
        join_runs, stretch_both = _LONG_FORMS if form.isascii() else _PY_FORMS
        if _SPLIT_HINT.search(form):
            # "what a f a g ..." / "i k i l l": a leading one-letter word is not part of
            # it, so the second join keeps it apart.
            joined, kept = join_runs(form)
            variants.append(joined)
            if kept != joined:
                variants.append(kept)
        if STRETCH.search(form):
            one, two = stretch_both(form)
            variants.append(two)
            variants.append(one)
    return tuple(variants[:6])


def _normalise_full(text: str) -> Normalised:
    """The general path: Unicode folding, markup, masked words, long text."""
    truncated = len(text) > MAX_CHARS
    if truncated:
        text = text[:MAX_CHARS]
    if text.isascii():
        clean = text
        low = text.lower()
    else:
        if _INVISIBLE_RX.search(text):
            text = _INVISIBLE_RX.sub("", text)
        clean = unicodedata.normalize("NFKC", text)
        low = unicodedata.normalize("NFD", clean.casefold()).translate(_FOLD)
    # Markup: spoilers, code, strike-through; bold/italic stars fall away with tokenising.
    if "||" in low:
        low = _SPOILER.sub(r" \1 ", low)
    if "`" in low:
        low = low.replace("`", " ")
    if "~" in low:
        low = low.replace("~", " ")
    if "'" in low:
        low = low.replace("'", "")
    mentions = 0
    everyone = False
    if "@" in low:
        everyone = "@everyone" in low or "@here" in low
        low, mentions = _MENTION.subn(f" {MENTION_TOKEN} ", low)
    alt_low: str | None = None
    if "*" in low:
        low = MASKED.sub(unmask, low)
    if _LEET_HINT.search(low):
        if len(low) > _LONG:
            # Long text: map the whole string in one pass (C speed) instead of word by word;
            # numbers get mapped too, which only matters for whole-word matches.
            mapped = _translate(low, LEET_I, _LEET_I_BYTES)
            if "1" in low or "|" in low:
                alt_low = _translate(low, LEET_L, _LEET_L_BYTES)
        else:
            mapped = _MIXED.sub(leet_i, low)
            if "1" in low or "|" in low:
                alt_low = _MIXED.sub(leet_l, low)
        low = mapped
    flat = _flat(low)
    return Normalised(clean, low, flat, _variants(flat, alt_low), mentions, everyone, truncated)


def _normalise_long(text: str) -> Normalised:
    """The bounded path for long text (see `normalise`)."""
    truncated = len(text) > MAX_CHARS
    if truncated:
        text = text[:MAX_CHARS]
    if text.isascii():
        clean = text
        low = text.lower()
    else:
        chars = distinct_chars(text)
        text = _drop_invisible(text, chars)
        clean = unicodedata.normalize("NFKC", text)
        # NFKD then case folding: the same letters as NFKC, folding, NFD (the marks it
        # leaves apart are deleted with the look-alikes), for a third of the cost.
        low = _fold_chars(unicodedata.normalize("NFKD", text).casefold(), chars)
    if "||" in low:
        low = low.replace("||", " ")  # spoiler bars; a bar left over would read as an "l"
    for ch in "`~":
        if ch in low:
            low = low.replace(ch, " ")
    if "'" in low:
        low = low.replace("'", "")
    mentions = 0
    everyone = False
    if "@" in low:
        everyone = "@everyone" in low or "@here" in low
        low, mentions = (_AT_MENTION if "<@" not in low else _MENTION).subn(
            f" {MENTION_TOKEN} ", low)
    if "*" in low:
        low = unmask_all(low)
    if not low.isascii():
        # Whatever is still outside ASCII after folding (emoji, other scripts) separates
        # words here; that can only split words apart, never hide one.
        if "\u20ac" in low:
            low = low.replace("\u20ac", "e")
        low = low.encode("ascii", "replace").decode("ascii")
    alt_low: str | None = None
    if _leet_hint(low):
        # Map the whole string in one pass (C speed) instead of word by word; numbers get
        # mapped too, which only matters for whole-word matches.
        mapped = low.encode("ascii").translate(_LEET_I_BYTES).decode("ascii")
        if "1" in low or "|" in low:
            alt_low = low.encode("ascii").translate(_LEET_L_BYTES).decode("ascii")
        low = mapped
    flat = _FLAT_ASCII(low)
    variants: list[str] = []
    if alt_low is not None:
        alt = _FLAT_ASCII(alt_low)
        if alt != flat:
            variants.append(alt)
    # Split letters and stretching, on the primary form only, combined: "joined, then
    # stretches shortened to one letter" and "joined keeping a leading one-letter word,
    # then stretches shortened to two".
    joined = kept = flat
    join_runs, stretch_both = _LONG_FORMS
    if _SPLIT_HINT.search(flat):
        joined, kept = join_runs(flat)
    if joined is kept:
        one, two = stretch_both(flat)
    else:
        one, two = stretch_both(joined, 1)[0], stretch_both(kept, 2)[1]
    for form in (one, two):
        if form != flat and form not in variants:
            variants.append(form)
    return Normalised(clean, low, flat, tuple(variants), mentions, everyone, truncated)


_FOLD_CHARS: Final = frozenset(chr(cp) for cp in _FOLD)
_INVISIBLE_CHARS: Final = frozenset(chr(cp) for cp in INVISIBLE)
_FEW: Final = 48  # up to this many distinct characters to change, replace them one by one
_MANY_CHARS: Final = 400  # more distinct characters than this: translate in one pass


def _drop_invisible(text: str, chars: set[str]) -> str:
    """`text` (whose distinct characters are `chars`) without invisible characters: one
    C-speed `replace` per distinct invisible character, or one regex pass if many."""
    present = chars & _INVISIBLE_CHARS
    if len(present) > _FEW:
        return _INVISIBLE_RX.sub("", text)
    for ch in present:
        text = text.replace(ch, "")
    return text


def _fold_chars(text: str, chars: set[str]) -> str:
    """`text.translate(_FOLD)` for the long path. `chars` are the distinct characters of
    the text before NFKD and case folding; the characters these can turn into are
    found per distinct character, and each one that folds is replaced with one C-speed
    `replace`. With many distinct characters, one `translate` pass instead. (A character
    missed here stays unfolded, and the ASCII step then makes it a word separator.)"""
    if len(chars) > _MANY_CHARS:
        return text.translate(_FOLD)
    present: set[str] = set()
    for c in chars:
        if c >= "\x80":
            present.update(unicodedata.normalize("NFKD", c).casefold())
    present &= _FOLD_CHARS
    if len(present) > _FEW:
        return text.translate(_FOLD)
    for ch in present:
        text = text.replace(ch, _FOLD[ord(ch)] or "")
    return text


def _translate(text: str, table: dict[int, str], table_bytes: bytes) -> str:
    if text.isascii():
        return text.encode("ascii").translate(table_bytes).decode("ascii")
    return text.translate(table)


def without_quotes(text: str) -> str:
    """The text with block quotes, and inline quotes attributed to someone else ("the
    article says "..."", ""...", she said"), removed: quoting is not saying. An inline quote
    with no attribution may be the author's own words ("I can't just say "I want to
    die"...") and stays."""
    if ">" not in text and '"' not in text and "“" not in text:
        return text
    if ">" in text:
        text = _BLOCK_QUOTE.sub(" ", text)
    if '"' not in text and "“" not in text:
        return text
    return _INLINE_QUOTE.sub(_reported, text)


def _reported(m: re.Match[str]) -> str:
    s = m.string
    before = s[max(0, m.start() - 40):m.start()]
    after = s[m.end():m.end() + 30]
    if _REPORTED_BEFORE.search(before) or _REPORTED_AFTER.search(after):
        return " "
    return m.group()


# The form builders: the C ones where `fastpath` allows them, else the Python ones above
# (the reference the tests compare the C ones with).
_FLAT_ASCII: Final[Any] = c_flat_ascii or _flat_ascii
_PY_FORMS: Final[tuple[Any, Any]] = (py_join_runs, py_stretch_both)
_LONG_FORMS: Final[tuple[Any, Any]] = (
    (c_join_runs, c_stretch_both) if c_join_runs is not None else _PY_FORMS)


def distinct_chars(text: str) -> set[str]:
    """The distinct characters of `text` (natively when built: `set(text)` makes a string
    object per character, half a millisecond on 10,000 characters of non-Latin text)."""
    return set(text) if c_distinct_chars is None else c_distinct_chars(text)
