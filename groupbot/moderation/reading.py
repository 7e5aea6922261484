"""One reading of a message as words and punctuation, the way a person would read it.

The normaliser (`normalise.py`) folds look-alikes, leetspeak and markup; this step reads what
is left the way people type: letters spaced out ("h a t e"), stretched ("soooo"), one letter
off ("sucide"), words run together ("Ihate"), and filler words between the words that carry
the meaning ("I want to fucking die", "you are so so stupid"). It keeps punctuation, so the
structural reader can tell sentences, clauses and quotes apart.

Two outputs: `tokens` (words with punctuation marks ".", "," and '"'; fillers kept, because
an expletive before a group of people means something) and `flat` (words only, fillers
dropped), which the phrase matcher reads as one more form of the text.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from groupbot.moderation.marks import CLAUSE, FILLERS, QUOTE, SENTENCE
from groupbot.moderation.normalise import Normalised
from groupbot.moderation.spelling import Speller

# Chat spellings of words the detectors read, too short for the spelling reader.
SLANG: Final = {"fuk": "fuck", "fck": "fuck", "fuq": "fuck", "phuck": "fuck", "fuking": "fucking",
         "fcking": "fucking", "fkin": "fucking", "ppl": "people", "cuz": "because",
         "coz": "because", "dem": "them", "dey": "they", "dat": "that", "dis": "this",
         "da": "the", "wit": "with", "kil": "kill", "ded": "dead", "iam": "i am",
         "imma": "im going to", "ima": "im going to", "idk": "i dont know",
         "idc": "i dont care", "idgaf": "i dont care", "wanna": "want to", "gonna": "going to",
         "tryna": "trying to", "kinda": "kind of", "cant": "cant"}

# Marks, one character for one: sentence ends become ".", clause marks ",", quotes '"'
# (ASCII text through a byte table, at C speed; the tokeniser then reads each as a token).
_MARK_CHARS: Final = (
    {"!": ".", "?": ".", "\n": ".", ";": ",", ":": ",", "(": ",", ")": ",", "[": ",",
               "]": ",", "\u2013": ",", "\u2014": ",", "\u201c": '"', "\u201d": '"'})
_MARKS_TABLE: Final = str.maketrans(_MARK_CHARS)
_MARKS_BYTES: Final = (
    bytes(ord(_MARK_CHARS.get(chr(c), chr(c))) if c < 128 else c for c in range(256)))
_SLANG_WORDS: Final = frozenset(SLANG)
_TOKEN: Final = re.compile(r"[^\W_]+|[.,\"]")
_TOKEN_ASCII: Final = re.compile(r"[a-z0-9]+|[.,\"]")  # (the same on lower-case ASCII, faster)
_STRETCH: Final = re.compile(r"([a-z])\1\1+")
_MARKS: Final = frozenset((SENTENCE, CLAUSE, QUOTE))
_SPELLING_BUDGET: Final = 200
_LONGEST_WORD: Final = 24  # a longer token is no misspelled word (a link, a hash, a key mash)
# A shorter token is neither corrected nor split (spelling.MIN_CORRECT; a split needs a key
# word of three letters and one more) but a stretched one ("sooo") is read
_SHORTEST_READ: Final = 4
# Single letters that are words on their own; any other one may be a word spaced out.
_LETTER_WORDS: Final = frozenset(("i", "a", "u"))


class Reading(NamedTuple):
    tokens: tuple[str, ...]  # words and the marks ".", ",", '"'
    flat: str  # " word word ... " without marks and fillers (the matcher's form)
    changed: bool  # a word was read differently from the normaliser's tokens


def read(norm: Normalised, sp: Speller) -> Reading:
    """The reading of a normalised message (see the module docstring), with the speller
    towards the words the detectors look for (`vocabulary.speller()`)."""
    low = norm.lower
    if low.isascii():
        raw = _TOKEN_ASCII.findall(low.encode("ascii").translate(_MARKS_BYTES).decode("ascii"))
    else:
        raw = _TOKEN.findall(low.translate(_MARKS_TABLE))
    seen = set(raw)
    unknown = seen - sp.known - _MARKS
    if not unknown and FILLERS.isdisjoint(seen) and _SLANG_WORDS.isdisjoint(seen):
        # (most chat: every word known, no filler; only spaced-out letters left to join)
        if not any(len(t) == 1 and t not in _LETTER_WORDS and t not in _MARKS for t in seen):
            return Reading(tuple(raw), "", False)
    words: list[str] = []
    changed = False
    i = 0
    n = len(raw)
    # Unknown words read again per message, at most: a message of random letters should not
    # cost a spelling search per token (real misspellings are a handful).
    budget = _SPELLING_BUDGET
    while i < n:
        tok = raw[i]
        if tok in _MARKS:
            if not words or words[-1] != tok or tok == QUOTE:
                words.append(tok)
            i += 1
            continue
        if len(tok) == 1 and tok.isalpha():
            # A run of three or more single letters is a word spaced out ("k i l l"); a
            # leading "i", "a" or "u" before four or more may be a word of its own.
            j = i
            while j < n and len(raw[j]) == 1 and raw[j].isalpha():
                j += 1
            if j - i >= 3:
                letters = "".join(raw[i:j])
                if letters[0] in "aiu" and j - i >= 5 and letters[1:] in sp.known:
                    words.append(letters[0])
                    letters = letters[1:]
                if letters in sp.known or (budget > 0 and len(letters) <= _LONGEST_WORD):
                    budget -= 1  # (a spaced-out word costs a spelling search too)
                    words.extend(sp.read(letters))
                else:
                    words.append(letters)
                changed = True
                i = j
                continue
        if tok in SLANG:
            words.extend(SLANG[tok].split())
            changed = True
        elif tok in unknown and budget > 0 and _SHORTEST_READ <= len(tok) <= _LONGEST_WORD:
            budget -= 1
            if _STRETCH.search(tok):
                tok = _unstretch(tok, sp)
                changed = True
            parts = sp.read(tok)
            if parts != (tok,):
                changed = True
            words.extend(parts)
        else:
            words.append(tok)
        i += 1
    flat_words = [w for w in words if w not in FILLERS and w not in _MARKS]
    if not changed and len(flat_words) != sum(1 for w in words if w not in _MARKS):
        changed = True
    return Reading(tuple(words), " " + " ".join(flat_words) + " ", changed)


def _unstretch(tok: str, sp: Speller) -> str:
    """A stretched word shortened to a word if it can be ("sooo" -> "so", "kiiill" ->
    "kill"): runs of three or more letters cut to two, then to one."""
    two = _STRETCH.sub(r"\1\1", tok)
    if two in sp.known:
        return two
    one = _STRETCH.sub(r"\1", tok)
    if one in sp.known:
        return one
    return two
