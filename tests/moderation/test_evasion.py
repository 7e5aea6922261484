"""Both directions of normalising: innocent words never match (Scunthorpe), and evasions
(zero-width characters, look-alikes, leetspeak, spacing, spoilers, stretching) still do."""

from __future__ import annotations

import pytest

from groupbot.moderation.engine import ModerationEngine
from groupbot.moderation.normalise import MAX_CHARS, normalise

ENGINE = ModerationEngine()

INNOCENT = [
    "therapist", "assistance", "Scunthorpe", "classic", "analysis", "cocktail", "grapefruit",
    "assessment", "passion", "bass guitar", "embarrass", "compass", "massage", "assume",
    "cockpit", "peacock", "hancock", "shuttlecock", "Dickens", "dickson", "titanic",
    "titillate", "constitution", "Sussex", "Essex", "Middlesex", "sextant", "sextet",
    "hello", "shell", "Shittake-free Hitchcock", "pussycat", "pussywillow", "bitcoin",
    "arsenal", "parsley", "Matsushita", "scrapbook", "crapshoot", "pissarro", "pianist",
    "button", "buttress", "Kuntz", "documentary", "skill", "killjoy", "skillet", "Hooters",
    "hoedown", "shoe", "spice", "spicy", "raccoon", "cocoon", "Niger", "Nigeria", "snigger",
    "scrape", "grape", "drape", "therapeutic", "rapeseed", "hotdish", "homogenous",
    "homophone", "Japan", "japanese", "Pakistan", "faggoting", "Uranus", "Titus",
    "wanking", "cunning", "Cummings", "document", "circumstance", "sussed", "ass-istance",
    "pen island", "shitake", "diesel", "suicide squad movie", "analytics", "Lightwater",
    # near the slur and group lists: drinks, places, idioms, animals, a car part
    "Negroni", "Montenegro", "flame retardant", "tardy slip", "niggling doubt", "coonhound",
    "Maine Coon", "honky-tonk playlist", "Tardis", "Spic and Span", "guinea pig",
    "chink in the armour", "Homo sapiens lecture", "crackers and cheese", "hickory smoker",
    "Nigg Bay trip", "fag break", "tranny fluid",
]


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_words_pass(text: str) -> None:
    verdict = ENGINE.decide(f"My {text} is great, thanks for asking.")
    assert not set(verdict.categories) & {"harassment", "hate", "sexual", "threat"}, (
        text, verdict.as_json())
    assert verdict.action.value == "allow", (text, verdict.as_json())


def test_at_least_fifty_innocent_words() -> None:
    assert len(INNOCENT) >= 50


ZW = "\u200b"
EVASIONS = [
    # (text, expected category)
    ("you are an idiot", "harassment"),
    (f"you are an i{ZW}d{ZW}i{ZW}o{ZW}t", "harassment"),
    ("you are an \u0456d\u0456\u043et", "harassment"),  # Cyrillic i and o
    ("you are an 1d10t", "harassment"),
    ("you are an ||idiot||", "harassment"),
    ("you are an **idiot**", "harassment"),
    ("you are an `idiot`", "harassment"),
    ("you are an i.d.i.o.t", "harassment"),
    ("you are an i d i o t", "harassment"),
    ("you are an idiooooot", "harassment"),
    ("you are an ＩＤＩＯＴ", "harassment"),  # full-width
    ("you are an 𝐢𝐝𝐢𝐨𝐭", "harassment"),  # mathematical bold
    ("you are an ⓘⓓⓘⓞⓣ", "harassment"),  # circled
    ("you are an ɪᴅɪᴏᴛ", "harassment"),  # small capitals
    ("you are an ídíót", "harassment"),  # accents
    ("you're a m0r0n", "harassment"),
    ("you’re a moron", "harassment"),  # typographic apostrophe
    ("u r a l0ser", "harassment"),
    ("@sam you b1tch", "harassment"),
    ("you stupid b!tch", "harassment"),
    ("you are a c*nt", "harassment"),
    ("you are a \u0441unt", "harassment"),  # Cyrillic es
    ("k i l l yourself", "harassment"),
    ("k.i.l.l yourself", "harassment"),
    ("ki11 yourself", "harassment"),
    ("kill y0urself", "harassment"),
    (f"kill{ZW} your{ZW}self", "harassment"),
    ("kys", "harassment"),
    ("||kys||", "harassment"),
    ("go d!e in a fire", "harassment"),
    ("what a f@ggot", "hate"),
    ("what a f a g g o t", "hate"),
    ("what a fa\u0261got", "hate"),  # Latin script g
    ("what a n1gger", "hate"),
    ("what a n*gger", "hate"),
    ("what a k\u0456ke", "hate"),
    ("what a sp1c", "hate"),
    ("muslims are vermin", "hate"),
    ("mus1ims are animals", "hate"),
    ("i will k1ll you", "threat"),
    ("i will kill y o u", "threat"),
    ("i know where u live", "threat"),
    ("send n00dz", "none"),  # not in the list: must not explode; checked below as allow
    ("send nudes", "sexual"),
    ("send nud\u0435s", "sexual"),  # Cyrillic ie
    ("s3nd nudes", "sexual"),
    ("this is f*cking sh1t", "profanity"),
    ("fuuuuuck", "profanity"),
    ("s\u200bh\u200bi\u200bt", "profanity"),
    ("\U0001d41f\U0001d42e\U0001d41c\U0001d424", "profanity"),  # bold fuck
    ("ѕhіt", "profanity"),
    ("i want to k1ll myself", "crisis"),
    (f"i want to kill my{ZW}self", "crisis"),
    ("i w a n t to die", "crisis"),
    ("||i want to die||", "crisis"),
    ("i wanna d1e", "crisis"),
]


@pytest.mark.parametrize(("text", "category"), EVASIONS)
def test_evasions_are_caught(text: str, category: str) -> None:
    verdict = ENGINE.decide(text)
    if category == "none":
        assert verdict.error is None
        return
    assert category in verdict.categories, (text, verdict.as_json())


def test_at_least_fifty_evasions() -> None:
    assert len([e for e in EVASIONS if e[1] != "none"]) >= 50


def test_normalised_forms() -> None:
    n = normalise("Y\u200bou’re an ||ID1OT||, k i l l yourself")
    assert n.flat == " youre an idiot k i l l yourself "
    assert " kill yourself " in " ".join(n.variants) + " "
    assert normalise("hello").variants == ()


def test_huge_and_binary_input_is_judged_without_crashing() -> None:
    text = ("\u0000\ufffd\u202e" + "a\u0301" * 3 + "😀") * 5000
    verdict = ENGINE.decide(text)
    assert verdict.error is None
    assert verdict.details.get("truncated") is True
    assert len(normalise(text).clean) <= MAX_CHARS


def test_mixed_script_innocent_text_passes() -> None:
    verdict = ENGINE.decide("Привет, как дела? 你好 مرحبا Γειά σου")
    assert verdict.action.value == "allow"
