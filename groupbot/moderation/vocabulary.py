"""The vocabulary the detectors read for, gathered once: the speller towards it.

The spelling reader corrects a misspelled word only towards a word some detector looks for
(the care reader's, the structural reader's and the phrase lists' words), so the speller is
built from all of them. It lives here, above those readers, so that none of them imports
the reading and the reading imports none of them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from groupbot.moderation import care, lexicon
from groupbot.moderation.abuse_words import delicate_words, key_families, key_words, known_words
from groupbot.moderation.spelling import Speller, english


@lru_cache(maxsize=1)
def speller() -> Speller:
    """The speller towards every word the detectors look for (built once)."""
    keys: set[str] = set(key_words()) | care.key_words()
    # Words that punish when read: a misspelling becomes one only by a swap or a dropped
    # letter ("nitty gritty" is not a sexual word, "shirt" is not "shit").
    delicate = set(delicate_words())
    for phrase, tag, _severity in lexicon.entries():
        if tag not in ("street", "benign", "spam", "past", "support", "recovery"):
            keys.update(phrase.split())
        if tag in _PUNISHING:
            delicate.update(phrase.split())
    return Speller(keys, english() | known_words(), key_families(), delicate)


_PUNISHING: Final = frozenset(("sexual", "sexual.topic", "profanity", "insult"))
