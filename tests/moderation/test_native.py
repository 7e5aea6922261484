"""The native fast path (`groupbot/moderation/_fastpath.c`) must give exactly what the
Python normaliser gives: the same forms, mention count and variants on random and
edge-case text, gates that agree with the PII finder's own regexes, and the same verdicts
on the golden file with the native path switched off.

CI sets GROUPBOT_REQUIRE_NATIVE=1, so a build that silently lost the extension fails
there instead of only getting slower.
"""

from __future__ import annotations

import os
import random
from typing import Any

import pytest

from groupbot.moderation import addresses, pii
from groupbot.moderation import disguise as D
from groupbot.moderation import normalise as N

native = pytest.mark.skipif(
    not N.NATIVE and os.environ.get("GROUPBOT_REQUIRE_NATIVE") != "1",
    reason="the native fast path was not built (no C compiler at install time)")


def test_native_path_is_built_where_ci_requires_it() -> None:
    if os.environ.get("GROUPBOT_REQUIRE_NATIVE") == "1":
        assert N.NATIVE, "groupbot.moderation._fastpath did not build or import"
    else:
        assert N.NATIVE in (True, False)
        if not N.NATIVE:
            pytest.skip("native fast path not built here")


def _python_gates(text: str) -> int:
    """The facts `pii.find` computes for itself, as `GATE_*` bits."""
    g = N.GATE_KNOWN
    if "@" in text and pii._EMAIL_HINT.search(text):
        g |= N.GATE_EMAIL
    if pii._DIGIT.search(text):
        g |= N.GATE_DIGIT
        if pii._NUM_HINT.search(text):
            g |= N.GATE_NUMERIC
        if addresses.SPACE_DIGIT.search(text):
            g |= N.GATE_SPACE_DIGIT
    return g


def _eligible(text: str) -> bool:
    return text.isascii() and len(text) <= N._LONG and not any(c in text for c in "|`~*")


_PIECES = ("@everyone", "@here", "@everyonex", "@here.", "a@b.co", "@_x", "@a", "@ab",
           "@" + "x" * 40, "<@123>", "k i l l", "fuuuck", "sh1t", "wow!", "a!!b", "a!!1", "!a",
           "don't", "@e.", "x@y", "RT @user:", "&#8220;", "555-123-4567", "(020) 7946 0018",
           "4111 1111 1111 1111", "12 main st", "ssn 078051120", "b1tch", "$h!t", "+1 202",
           "1d10t", "l0ser", "@@ab", ".@ab", "-@ab", "n0", "4ever", "2day", "x-1", "1x2x3x4x5x6x7")


def _random_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "abcxyzEKSIL  ''@@<>!!1134$|+._-\t\n,:#&;0ehx()/"
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(0, 9)):
            if rng.random() < 0.3:
                parts.append(rng.choice(_PIECES))
            else:
                parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))))
        out.append(rng.choice(("", " ")).join(parts))
    return out


@native
@pytest.mark.parametrize("seed", range(4))
def test_native_matches_python_on_random_text(seed: int) -> None:
    checked = 0
    for text in _random_texts(seed, 20_000):
        if not _eligible(text):
            continue
        fast = N.normalise(text)
        slow = N._normalise_ascii(text)
        assert fast[:7] == slow[:7], repr(text)
        if fast.gates:  # (0 only where the text needed the Python path: "<@" markup)
            assert fast.gates == _python_gates(text), repr(text)
        checked += 1
    assert checked > 15_000


@native
@pytest.mark.parametrize("text", [
    "", " ", "'", "@", "@@", "@everyone", "hey @here!", "<@1234> you idiot", "a" * 2000,
    "x" * 31 + "@" + "y" * 60, "call 555 123 4567 now", "1234567", "123456", "1 2 3 4 5 6 7",
    "mail me at sam@example.org", "@example.org", "f u c k you", "w o w", "sooo goood",
    "you are a l0ser!!!", "wow!!", "h!!!i", "I'm fine", "RT @someone: &#8220;hello&#8221;",
])
def test_native_matches_python_on_edge_cases(text: str) -> None:
    fast = N.normalise(text)
    slow = N._normalise_ascii(text)
    assert fast[:7] == slow[:7]
    if fast.gates:
        assert fast.gates == _python_gates(text)


@native
def test_native_hands_discord_mention_markup_to_python() -> None:
    from groupbot.moderation import _fastpath

    assert _fastpath.normalise_ascii("<@123> hi") is None
    assert _fastpath.normalise_ascii("héllo") is None  # not ASCII
    assert _fastpath.normalise_ascii("hello there")[1] == " hello there "
    with pytest.raises(TypeError):
        _fastpath.normalise_ascii(b"bytes")


@native
def test_gates_let_pii_skip_work_without_changing_what_it_finds() -> None:
    skipped = 0
    for text in [*_random_texts(9, 5000), "call me on 020 7946 0018",
                 "my card 4111 1111 1111 1111", "12 Main St", "Hauptstrasse 5",
                 "I live at the end of the road", "sam@example.org", "PO Box 12",
                 "write to pobox12", "BOX#5 please", "it was 5 of us", "&#128514;&#128514;"]:
        if not _eligible(text):
            continue
        norm = N.normalise(text)
        for street in (None, False):
            assert pii.find(text, street, norm.gates) == pii.find(text, street), repr(text)
        if norm.gates in pii.NOTHING_TO_FIND:  # what the engine skips finds nothing
            skipped += 1
            assert pii.find(text, False) == [], repr(text)
    assert skipped > 100


_SWITCH_CHECK = """
import json
from groupbot.moderation import fastpath
from groupbot.moderation.engine import ModerationEngine
from tests.moderation_golden import CONTEXTS, load, record
engine = ModerationEngine()
bad = [(label, r["text"][:60]) for r in load() for label, kw in CONTEXTS
       if record(engine.decide(r["text"], **kw)) != r[label]]
print(json.dumps({"native": fastpath.NATIVE, "why": fastpath.WHY, "count": len(bad),
                  "first": bad[:3]}))
"""


@native
@pytest.mark.parametrize("switched_off", [False, True])
def test_golden_verdicts_with_the_c_code_and_without(switched_off: bool) -> None:
    """As the standard library's test_json runs its tests on the C and the Python scanner:
    a fresh interpreter with the C fast path in use, and one with it switched off by
    `fastpath.ENV`, both judge the golden file exactly."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from groupbot.moderation import fastpath

    env = {k: v for k, v in os.environ.items() if k != fastpath.ENV}
    if switched_off:
        env[fastpath.ENV] = "1"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", _SWITCH_CHECK], cwd=root, env=env,
                         capture_output=True, text=True, timeout=900, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["native"] is (not switched_off), result["why"]
    assert result["count"] == 0, result["first"]


def _random_string(rng: random.Random, alphabet: str, most: int) -> str:
    """Up to `most` characters drawn from `alphabet`."""
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, most)))


def _matcher_and_phrases() -> tuple[Any, list[str]]:
    """The default policy's matcher (with its native table) and every lexicon phrase."""
    from groupbot.moderation import lexicon
    from groupbot.moderation.engine import ModerationEngine, compile_policy

    matcher = compile_policy(ModerationEngine().policy).matcher
    assert matcher._table is not None
    return matcher, sorted({p for p, _tag, _sev in lexicon.entries()})


def _phrase_flat(rng: random.Random, phrases: list[str], filler: list[str], most: int,
                 whole: float, partial: float) -> str:
    """A flat form of up to `most` pieces: whole lexicon phrases, phrases missing their
    first word, or filler."""
    words: list[str] = []
    for _ in range(rng.randint(0, most)):
        pick = rng.random()
        if pick < whole:
            words.extend(rng.choice(phrases).split(" "))
        elif pick < whole + partial:
            words.extend(rng.choice(phrases).split(" ")[1:])
        else:
            words.append(rng.choice(filler))
    return " " + " ".join(words) + " "


def _both_ways(matcher: Any, norm: N.Normalised) -> tuple[Any, Any]:
    """`scan_flags` with the native table, then with the automaton alone."""
    table = matcher._table
    fast = matcher.scan_flags(norm)
    matcher._table = None
    try:
        slow = matcher.scan_flags(norm)
    finally:
        matcher._table = table
    return fast, slow


@native
def test_native_token_matcher_finds_what_aho_corasick_finds() -> None:
    """The native token matcher (short, single-form text) against the automaton: the same
    hits in the same order, and the same flags, on random flat text built from lexicon
    phrases, their parts and filler, including double spaces, empty and non-ASCII text."""
    matcher, phrases = _matcher_and_phrases()
    rng = random.Random(3)
    filler = ["i", "you", "the", "a", "so", "really", "x", "zmention", "1", "", "ñandú", "日本"]
    for n in range(6000):
        flat = _phrase_flat(rng, phrases, filler, 12, 0.35, 0.15)
        fast, slow = _both_ways(matcher, N.Normalised(flat, flat, flat, (), 0, False, False))
        assert fast == slow, (n, flat)


@native
def test_native_matcher_over_several_forms_finds_what_aho_corasick_finds() -> None:
    """Messages with variant forms (long ones, stretched or split letters): the native
    matcher form by form, with later forms' repeats dropped, against the automaton."""
    matcher, phrases = _matcher_and_phrases()
    rng = random.Random(4)
    filler = ["i", "you", "the", "so", "x", "zmention", "1", "ñandú"]
    compared = 0
    for _ in range(2000):
        first = _phrase_flat(rng, phrases, filler, 40, 0.4, 0.0)
        variants = tuple(rng.choice((_phrase_flat(rng, phrases, filler, 40, 0.4, 0.0), first))
                         for _ in range(rng.randint(1, 4)))
        norm = N.Normalised(first, first, first, variants, 0, False, False)
        fast, slow = _both_ways(matcher, norm)
        assert fast == slow, (first, variants)
        compared += len(fast[0])
    assert compared > 10_000  # the sample really holds hits, across forms


@native
def test_token_matcher_is_not_used_for_keys_that_are_not_whole_tokens() -> None:
    from groupbot.moderation.matcher import _token_table

    class Keys:
        def __init__(self, keys: list[str]) -> None:
            self.keys = keys

        def items(self) -> list[tuple[str, tuple[int, tuple[()], int]]]:
            return [(k, (len(k), (), 0)) for k in self.keys]

    assert _token_table(Keys([" a b ", " c "])) is not None
    assert _token_table(Keys([" a  b "])) is None  # a double space: Aho-Corasick only
    assert _token_table(Keys(["a "])) is None


@native
def test_native_long_path_form_builders_match_python() -> None:
    from groupbot.moderation import _fastpath

    rng = random.Random(8)
    for n in range(20_000):
        words = ["".join(rng.choice("aaabiu") for _ in range(rng.choice((1, 1, 1, 2, 3, 4))))
                 for _ in range(rng.randint(0, 14))]
        form = " " + " ".join(words) + " "
        if n % 7 == 0:
            form = form.replace(" ", "  ", 1)
        assert _fastpath.join_runs(form) == D.py_join_runs(form), form
        for only in (0, 1, 2):
            fast = _fastpath.stretch_both(form, only)
            slow = D.py_stretch_both(form, only)
            assert fast == slow, (form, only)
            assert (fast[0] is form) == (slow[0] is form) and (fast[1] is form) == (
                slow[1] is form), (form, only)
    with pytest.raises(ValueError):
        _fastpath.join_runs("é a b c")


@native
def test_native_flat_form_matches_python() -> None:
    from groupbot.moderation import _fastpath

    rng = random.Random(9)
    alphabet = "ab09zZ _-.!?\n\t*'"
    for _ in range(20_000):
        text = _random_string(rng, alphabet, 30)
        assert _fastpath.flat_ascii(text) == N._flat_ascii(text), repr(text)
    assert _fastpath.flat_ascii("") == "  " == N._flat_ascii("")
    with pytest.raises(ValueError):
        _fastpath.flat_ascii("café")


@native
def test_native_masked_words_and_distinct_characters_match_python() -> None:
    rng = random.Random(12)
    alphabet = "abfkcuhstiz***  .-1é日\u200b😀"
    for _ in range(20_000):
        text = _random_string(rng, alphabet, 40)
        assert D.unmask_all(text) == D.MASKED.sub(D.unmask, text), repr(text)
        assert N.distinct_chars(text) == set(text), repr(text)
    for text in ("f*ck this", "sh**t", "what the f***", "*ab", "ab*", "a*b*c*d", "f*ck*ng",
                 "x" * 500 + "*" + "y"):
        assert D.unmask_all(text) == D.MASKED.sub(D.unmask, text)
