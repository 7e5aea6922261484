"""Text helpers shared by the parser and the search: normalising, sentences, query words.

Kept free of SQL so the parser, the search and the benchmark's plain scan agree on what a
word and a sentence are.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
# Format characters (zero-width spaces and joiners, bidi marks) carry no words.
_INVISIBLE = dict.fromkeys(
    cp for cp in (0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x2061,
                  0x2062, 0x2063, 0x2064, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066,
                  0x2067, 0x2068, 0x2069, 0xFEFF)
)


def clean(text: str) -> str:
    """NFC, no invisible characters, non-breaking and other spaces as plain single spaces."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACE.sub(" ", text).strip()


# -- sentences ------------------------------------------------------------------------------
# Words that end with a period without ending a sentence.
_ABBREVIATIONS = frozenset(
    "dr mr mrs ms prof st jr sr vs etc al e.g i.e no fig approx inc ltd co ca cf".split()
)
# Sentence end: . ! ? or … , optional closing quotes/brackets, whitespace, and then something
# that can start a sentence (optionally behind an opening quote or a highlight marker).
_SENTENCE_END = re.compile(
    "(?<=[.!?…])[\"”’)\\]\x03]*\\s+(?=[\x02\"“‘(\\[]*[A-Z0-9\u00C0-\u024F])"
)


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, not breaking after "Dr." or initials like "C. E."."""
    parts: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        candidate = text[start : m.start()]
        last_word = candidate.rstrip("\"”’)]\x03").rsplit(None, 1)[-1] if candidate.strip() else ""
        bare = last_word.strip("\x02\x03(\"“").rstrip(".").lower()
        if bare in _ABBREVIATIONS or (len(bare) == 1 and bare.isalpha()):
            continue
        parts.append(text[start : m.end()].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return [p for p in parts if p]


# -- query words ------------------------------------------------------------------------------
MAX_QUERY_TERMS = 24
MAX_TERM_LENGTH = 40
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just let me more most my myself no nor not of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves i'm it's what's don't can't im ive id dont cant whats thats isnt doesnt
    get got really something someone anything thing things also even still much many
    tell know want need please help helps way ways kind sort lot like
    feel feels feeling always often sometimes usually come comes came""".split()
)


def fold(word: str) -> str:
    """Lowercase without accents: how the index's unicode61 tokenizer sees a word."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_words(query: str) -> list[str]:
    """The words of a member's query, folded, in order, without duplicates.

    Anything that is not a letter or digit (quotes, `*`, `-`, `:`, parentheses) only
    separates words, so FTS5 syntax typed by a member is searched as plain words.
    """
    text = unicodedata.normalize("NFKC", query[:20_000]).translate(_INVISIBLE)
    seen: dict[str, None] = {}
    for m in _WORD.finditer(text):
        word = fold(m.group(0)).replace("’", "'")
        if len(word) > MAX_TERM_LENGTH:
            continue
        if word.endswith("'s"):
            word = word[:-2]
        if word:
            seen.setdefault(word, None)
    return list(seen)


def content_words(query: str) -> list[str]:
    """Query words worth searching for: no stopwords, at most MAX_QUERY_TERMS of them."""
    words = [w for w in query_words(query)
             if w not in STOPWORDS and "'" not in w and (len(w) > 1 or w.isdigit())]
    return words[:MAX_QUERY_TERMS]


def fts_phrase(words: str) -> str:
    """One FTS5 string token: double quotes doubled, everything else literal."""
    return '"' + words.replace('"', '""') + '"'
