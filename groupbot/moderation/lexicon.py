"""The built-in word lists, as the detectors read them (the lists themselves are data).

Phrase lists (`groupbot/data/words/phrases.txt`: insults, attacks, threats, crisis language,
spam wording ...), the function words read around a hit (`grammar.txt`), the words that send
a message to the spam scorer (`spam.txt`) and the street words (`pii.txt`) are files a
facilitator can edit; they are read and checked once, here, when the engine is first loaded,
and a mistake names the file and the line.

Every phrase is matched as whole words in the normalised token stream (lower case, look-alikes
folded, apostrophes dropped: "you're" is "youre"), never as a raw substring, so "assistance"
and "Scunthorpe" never match "ass" or the slur inside them. The tags are listed at the top of
phrases.txt.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from groupbot.moderation.phrases import PhraseList, load_phrases
from groupbot.moderation.wordlists import load_classes, street_words

# Tags read by the structural reader (structure.py), not by the phrase matcher.
STRUCTURAL_TAGS: Final = frozenset(("slur", "code"))
GRAMMAR_CLASSES: Final = ("negations", "first_person", "other_subjects", "second_person",
                          "intent", "threat_targets")

# Every tag a reader understands (phrases.txt says what each means).
TAGS: Final = frozenset((
    "insult", "attack", "slur", "code", "benign", "violence", "threat", "sexual", "sexual.topic",
    "profanity", "crisis.ideation", "crisis.selfharm", "crisis.plan", "crisis.attempt",
    "crisis.distress", "crisis.means", "crisis.danger", "crisis.harming", "crisis.harmed",
    "support", "past", "recovery", "plea.help", "plea.here", "spam", "heavy"))

LISTS: Final[dict[str, PhraseList]] = load_phrases("phrases.txt", TAGS)
_GRAMMAR: Final = load_classes("grammar.txt", GRAMMAR_CLASSES)
NEGATIONS: Final = _GRAMMAR["negations"]
FIRST_PERSON: Final = _GRAMMAR["first_person"]
OTHER_SUBJECTS: Final = _GRAMMAR["other_subjects"]
SECOND_PERSON: Final = _GRAMMAR["second_person"]
INTENT: Final = _GRAMMAR["intent"]
THREAT_TARGETS: Final = _GRAMMAR["threat_targets"]
SPAM_HINTS: Final = tuple(sorted(load_classes("spam.txt", ("hints",))["hints"]))

# How a content note starts (marks, not words: read on the raw text's first characters).
CONTENT_NOTE_MARKERS: Final = ("cn:", "cw:", "tw:", "content note", "content warning",
                               "trigger warning", "[cn", "[cw", "[tw", "(cn", "(cw", "(tw")


def phrases(name: str) -> tuple[str, ...]:
    """Every phrase of one list of phrases.txt (KeyError names a list that is not there)."""
    return LISTS[name].phrases


def tagged(tag: str) -> Iterator[PhraseList]:
    """The lists with this tag, in file order."""
    return (lst for lst in LISTS.values() if lst.tag == tag)


def entries() -> Iterator[tuple[str, str, int]]:
    """(phrase, tag, severity) for every phrase the matcher finds: the street words, then
    every list of phrases.txt but those the structural reader reads."""
    for word in street_words():
        yield word, "street", 0
    for lst in LISTS.values():
        if lst.tag not in STRUCTURAL_TAGS:
            for phrase in lst.phrases:
                yield phrase, lst.tag, lst.severity


# Every phrase of the taunts list, for the softener check in abuse.py.
TAUNT_PHRASES: Final = frozenset(phrases("taunts"))
