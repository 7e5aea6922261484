"""The engine's fast paths give the same answers as its general paths.

Short plain ASCII text goes through `_normalise_ascii`; other short text through
`_normalise_full`. The fast one must produce the very same forms wherever it applies, so
verdicts agree too. Cheap gates (the leet hint, invite and email hints, regex-rule
prefilters) must never change a result. Long text takes a bounded path that must still
catch an evasion placed at its very end. All sentences written for these tests.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from groupbot.moderation import disguise as D
from groupbot.moderation import normalise as N
from groupbot.moderation import pii
from groupbot.moderation.engine import ModerationEngine, required_literals
from groupbot.moderation.policy_file import default_policy_path, load_policy
from tests.interpreted import interpreted

ENGINE = ModerationEngine()

CORPUS = [
    "hi all, how was everyone's week?",
    "thanks for listening, it helped a lot",
    "my therapist says boundaries are a skill, not a wall",
    "I can't believe it's already Friday!!!",
    "wow! that's great news!! congrats",
    "call me at 555-123-4567 after 5pm",
    "my email is sam.lee@example.org",
    "RT @someone: this is sooooo true",
    "@sam you are an idiot",
    "you are an 1d10t",
    "u r a l0ser",
    "you stupid b!tch",
    "k i l l yourself",
    "k.i.l.l yourself",
    "ki11 yourself",
    "what a f a g g o t",
    "what a n1gger",
    "mus1ims are animals",
    "i will k1ll you",
    "i know where u live",
    "send nudes",
    "p0rn",
    "fuuuuuck this day",
    "sh1t happens",
    "i want to k1ll myself",
    "i w a n t to die",
    "i wanna d1e",
    "I feel like such a burden to my family",
    "FREE entry!! txt WIN to 80086 to claim your prize",
    "join my server discord.gg/abcdef",
    "check out https://example.com/page?id=42",
    "I have 3 kids and 2 dogs, 1 cat",
    "1st, 2nd and 3rd place go to b4 noon",
    "a+ work, 10/10 would recommend",
    "$100 for the whole set, dm me",
    "p@ssw0rd is not a password",
    "hey!you!there",
    "!!! a !! b ! c",
    "the sky is bluuuue today",
    "i am soooo tired of this",
    "Scunthorpe, cocktail, assistance and classic analysis",
    "a b c d e f g",
    "x y z is not a word",
    "we're meeting at 221b Baker Street",
    "my number's +44 20 7946 0958, text me",
    "",
    "   ",
    "'''",
    "@everyone meeting in 5",
    "<@123456> please read the rules",
]


def _random_ascii(rng: random.Random, n: int) -> list[str]:
    alphabet = "abeiklost 0134579@$!|+.,'-_/#:<>"
    words = ["kill", "idiot", "you", "die", "i", "want", "to", "shit", "a", "b", "sh1t", "k1ll",
             "l0ser", "@sam", "www.x.com", "555", "1", "yourself", "myself", "free", "win"]
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            out.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))))
        else:
            out.append(" ".join(rng.choice(words) + rng.choice(["", "", "!", "1", "!!", "."])
                                for _ in range(rng.randint(1, 12))))
    return out


def _fast_eligible(text: str) -> bool:
    return len(text) <= N._LONG and text.isascii() and N._FAST_BLOCKERS.search(text) is None


def test_corpus_mostly_takes_the_fast_path() -> None:
    assert sum(map(_fast_eligible, CORPUS)) >= len(CORPUS) - 2


@pytest.mark.parametrize("text", CORPUS)
def test_fast_and_full_normalising_agree(text: str) -> None:
    if not _fast_eligible(text):
        pytest.skip("not a fast-path text")
    assert N._normalise_ascii(text) == N._normalise_full(text)


def test_fast_and_full_agree_on_random_text() -> None:
    rng = random.Random(20261128)
    checked = 0
    for text in _random_ascii(rng, 4000):
        if _fast_eligible(text):
            checked += 1
            assert N._normalise_ascii(text) == N._normalise_full(text), repr(text)
    assert checked > 2500


@pytest.fixture(scope="module")
def full_path_engine() -> Any:
    """An engine that normalises every message the general way: a private, interpreted
    copy of the engine module (patching a compiled one would change nothing)."""
    source = interpreted("engine")
    source.normalise = N._normalise_full
    return source.ModerationEngine(load_policy(default_policy_path()))


@pytest.mark.parametrize("text", [*CORPUS, "you are an ||idiot||", "you are a c*nt",
                                  "you are an \u0456d\u0456\u043et", "ＩＤＩＯＴ"])
def test_verdicts_agree_with_the_full_path(text: str, full_path_engine: Any) -> None:
    fast = ENGINE.decide(text, author_id="a", channel_name="general")
    full = full_path_engine.decide(text, author_id="a", channel_name="general")
    assert (fast.action, fast.categories, fast.rules, fast.reason, fast.severity) == (
        full.action, full.categories, full.rules, full.reason, full.severity)


def test_leet_gate_never_changes_the_result() -> None:
    """Where the old, looser hint fired but the new gate does not, mapping would not have
    changed a single token; and the byte-class version equals the regex."""
    rng = random.Random(7)
    looser = 0
    for _ in range(60000):
        low = "".join(rng.choice("ab!1@$+| .z") for _ in range(rng.randint(1, 14)))
        assert N._leet_hint(low) == bool(N._LEET_HINT.search(low)), repr(low)
        if N._MIXED_HINT.search(low) and not N._LEET_HINT.search(low):
            looser += 1
            plain = N._flat(low)
            assert N._flat(N._MIXED.sub(D.leet_i, low)) == plain, repr(low)
            assert N._flat(N._MIXED.sub(D.leet_l, low)) == plain, repr(low)
    assert looser > 100


def test_mention_shortcut_matches_the_full_pattern() -> None:
    rng = random.Random(3)
    for _ in range(20000):
        s = "".join(rng.choice("ab_.@ x1-") for _ in range(rng.randint(1, 20)))
        assert N._AT_MENTION.subn("M", s) == N._MENTION.subn("M", s), repr(s)


TAILS = [
    ("you are an i\u200bd\u200bi\u200bo\u200bt", "harassment"),
    ("you are an \u0456d\u0456\u043et", "harassment"),
    ("k i l l yourself", "harassment"),
    ("ki11 yourself", "harassment"),
    ("you stupid b!tch", "harassment"),
    ("you are a c*nt", "harassment"),
    ("you are an ＩＤＩＯＴ", "harassment"),
    ("what a f@ggot", "hate"),
    ("i want to k1ll myself", "crisis"),
    ("fuuuuuck", "profanity"),
    ("my number is 555-123-4567, call me", "pii"),
    ("join discord.gg/abcdef now", "spam"),
]


@pytest.mark.parametrize(("tail", "category"), TAILS)
@pytest.mark.parametrize("filler", ["We talked about boundaries and rest today. ",
                                    "Merci à tous 😀 — ça va mieux, ¡gracias! "])
def test_long_messages_cannot_hide_a_word_at_the_end(tail: str, category: str,
                                                     filler: str) -> None:
    text = filler * (9000 // len(filler)) + tail
    assert len(text) > N._LONG
    verdict = ENGINE.decide(text)
    assert category in verdict.categories, (tail, verdict.reason)


def test_long_text_with_many_distinct_characters_is_folded() -> None:
    many = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 600))  # > _MANY_CHARS distinct
    verdict = ENGINE.decide(many + " you are an \u0456d\u0456\u043et")
    assert "harassment" in verdict.categories


@pytest.mark.parametrize(("pattern", "example"), [
    (r"\b(?:send|give) (?:me )?(?:your )?(?:seed|recovery) (?:phrase|words)\b",
     "send me your seed phrase"),
    (r"free\s+nitro", "free  nitro"), (r"buy (cheap|discount)+ pills", "buy cheapcheap pills"),
    (r"(?i)Wallet ?Drainer", "walletdrainer"), (r"x{2,}yz", "xxxyz"),
    (r"(ab|cd)(ef|gh)ijk", "cdghijk"), (r"pay(?:pal)? me \d+", "paypal me 20"),
])
def test_regex_prefilter_is_sound(pattern: str, example: str) -> None:
    """Whenever a pattern matches, one of its required literals is in the text (texts
    are its example, cut, mutated and surrounded by noise)."""
    needed = required_literals(pattern)
    rx = re.compile(pattern)
    rng = random.Random(pattern)
    noise = "abcdefghijklmnopqrstuvwxyz 0123456789"
    matched = 0
    for _ in range(3000):
        text = list(example)
        for _ in range(rng.randint(0, 3)):
            i = rng.randrange(len(text))
            op = rng.random()
            if op < 0.4:
                del text[i]
            elif op < 0.8:
                text[i] = rng.choice(noise)
            else:
                text.insert(i, rng.choice(noise))
        mixed = "".join(rng.choice(noise) for _ in range(rng.randint(0, 5))) + "".join(text)
        if rx.search(mixed):
            matched += 1
            assert needed is None or any(lit in mixed for lit in needed), (pattern, mixed)
    assert matched > 100


def test_regex_prefilter_gives_up_rather_than_guess() -> None:
    assert required_literals("(a+)+$") is None
    assert required_literals("(.*a){20}b") is None
    assert required_literals("a|bc") is None  # too short to help
    assert required_literals(r"(?:seed|recovery) phrase") == frozenset({" phrase"})


def test_email_and_address_gates_do_not_lose_details() -> None:
    spans = pii.find("write to a@b.1c.com or sam@mail.example.org today")
    assert [s.kind for s in spans] == ["email", "email"]
    assert any(s.kind == "address" for s in pii.find("Ich wohne in der Hauptstraße 5, Berlin"))
    assert any(s.kind == "address" for s in pii.find("I live at the blue house by the lake"))


def _spam_texts(seed: int) -> list[str]:
    """Random text built from the pieces the spam patterns look for."""
    rng = random.Random(seed)
    pieces = ["txt", "TXT", "Text", "reply", "REPLY", "send", "sms", " ", " ", " ", "  ", "to",
              "2", "no:", "80086", "150", "p", "/", "msg", "min", "per ", "£", "$", "1.50", "+",
              "16", "18", "STOP", "stop", "stops", "end", "code", ":", "K61", "@", "a.co", "www.",
              "http://", "0906", "1701461", "0800", "-", "(", ")", "555", "win", "prize", "only ",
              "just ", "from ", "unsubscribe", "opt out", "optout", ",", ".", "WIN", "costs",
              "ppm", "1 900", "eu", "x", "uk", " to ", "txt ", "99p", "£5", " 80086", "pounds",
              "cash", "voucher", "'", "gbp", "costs ", "txts cost", "STOP to ", "£2/min"]
    texts = ["Call 09061701461 now", "only £5.00/wk", "150p per msg", "16+ only",
             "text WIN to 80086", "visit example.co.uk", "HTTP://EXAMPLE.COM",
             "Send STOP to 62468", "txt STOP 2 end", "to unsubscribe reply STOP",
             "call 0800 123 4567", "(555) 123-4567", "promo code SAVE10", "mail me at a@b.co",
             "win £100 cash", "from just 99p", "Reply WIN now", "txt your name and age to 80086"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
              for _ in range(30000)]
    return texts


def test_spam_gates_are_necessary_conditions() -> None:
    """Every text a structural spam pattern matches passes the cheap gate in front of it."""
    from groupbot.moderation import spam as S

    matched: dict[str, int] = {}

    def seen(name: str) -> None:
        matched[name] = matched.get(name, 0) + 1

    for t in _spam_texts(11):
        low = t.lower()
        digits = sum(c.isdigit() for c in t)
        shape = t.encode("utf-8", "replace").translate(S._SHAPE)
        pence = b"1p" in shape or b"1 p" in shape
        currency = any(c in t for c in "£$€")
        texting = any(w in low for w in ("txt", "text", "repl", "rply", "send", "sms"))
        if S._CHARGE_PENCE.search(low):
            seen("charge")
            assert pence, t
        if S._CHARGE_COST.search(low):
            seen("cost")
            assert "cost" in low, t
        if S._CHARGE_PRICE.search(low):
            seen("price")
            assert currency and digits, t
        if S._PREMIUM.search(t):
            seen("premium")
            assert b"1111111111" in shape or "900" in t, t
        if S._PRIZE_AMOUNT.search(low):
            seen("prize amount")
            assert currency and S._has_prize_word(low), t
        if S._PITCH.search(low):
            seen("pitch")
            assert (currency or pence) and any(w in low for w in ("only ", "just ", "from ")), t
        if S._AGE_LIMIT.search(t):
            seen("age")
            assert "+" in t and ("16" in t or "18" in t), t
        if S._MONEY.search(low):
            seen("money")
            assert digits and (currency or pence or "pound" in low or "gbp" in low), t
        if S._STOP_CODE.search(low):
            seen("stop code")
            assert "stop" in low and digits >= 4, t
        if S._UNSUBSCRIBE.search(low):
            seen("unsubscribe")
            assert "unsubscribe" in low or "optout" in low or "opt out" in low, t
        if S._LONGNUM.search(t):
            seen("long number")
            assert digits >= 8 and b"1111111111" in shape, t
        if S._PHONE.search(t):
            seen("phone")
            assert digits >= 8 and (b"111111" in shape or b"111 111" in shape
                                    or b"1110111" in shape), t
        if S._SHORTCODE.search(low):
            seen("short code")
            assert texting and digits >= 4, t
        if S._KEYWORD.search(t) or S._DETAILS.search(low):
            seen("keyword")
            assert texting, t
        if S._CODE.search(low):
            seen("code")
            assert "code" in low, t
        if S._EMAIL.search(low):
            seen("email")
            assert "@" in t, t
        if S._LINK.search(low):
            seen("link")
            assert ("http://" in low or "https://" in low or "www." in low
                    or any(d in low for d in S._TLDS)), t
    assert all(matched.get(name, 0) >= 10 for name in (
        "charge", "cost", "price", "premium", "prize amount", "pitch", "age", "money",
        "stop code", "unsubscribe", "long number", "phone", "short code", "keyword", "code",
        "email", "link")), matched


def test_the_opt_out_check_agrees_with_its_patterns_on_random_text() -> None:
    """`_opted_out` looks for "reply STOP" only around each "stop"; the same answers as
    the patterns over the whole text."""
    from groupbot.moderation import spam as S

    found = 0
    for t in _spam_texts(29):
        low = t.lower()
        want = bool(S._STOP_VERB.search(low) or S._STOP_CODE.search(low)
                    or S._UNSUBSCRIBE.search(low) or S._STOP_END.search(t))
        found += want
        assert S._opted_out(t, low, sum(c.isdigit() for c in t)) == want, t
    assert found > 100


def test_the_shortened_link_check_agrees_with_its_pattern_on_random_text() -> None:
    from groupbot.moderation import spam

    rng = random.Random(41)
    pieces = ["bit.ly/", "BIT.LY/", "T.co/", "t.co", "xt.co/", "goo.gl/x", "rb.gy/", " ", "a",
              "http://", "/", ".", "Is.Gd/", "cutt.ly", "tinyurl.com/"]
    for _ in range(20000):
        clean = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        want = spam._SHORTENER.search(clean) is not None
        assert spam._shortened(clean, clean.lower()) == want, clean
