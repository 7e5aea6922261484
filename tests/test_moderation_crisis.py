"""Crisis detection by the kind of language people in crisis use, with severity levels,
and the hard negatives that must stay non-crisis: talking about someone else, supporting
someone, recovery stories and quotes. All sentences written for these tests."""

from __future__ import annotations

import pytest

from groupbot.moderation.engine import ModerationEngine
from groupbot.moderation.verdict import Action

ENGINE = ModerationEngine()

# (text, lowest acceptable severity, highest acceptable severity)
CRISIS_KINDS = [
    # wishing to be dead, not wanting to wake up, wanting it to stop
    ("honestly I wish I was dead", 2, 2),
    ("I just don't want to wake up tomorrow", 2, 2),
    ("every night I hope I don't wake up", 2, 2),
    ("I want it all to stop", 2, 2),
    ("i'm so tired of existing", 2, 2),
    # no reason to live, can't go on
    ("there's no reason to live anymore", 2, 2),
    ("i don't see the point of living", 2, 2),
    ("I can't go on living like this", 2, 2),
    # a burden, better off without me
    ("I feel like such a burden to my family", 2, 2),
    ("my kids would be better off if I was gone", 2, 2),
    ("nobody would even notice if I was gone", 2, 2),
    # hopelessness: two different signals make a gentle (severity 1) check-in
    ("I hate myself and I can't take it anymore", 1, 1),
    ("I feel so hopeless. I'm trapped and there's no way out", 1, 1),
    # plans, method, means, goodbyes
    ("I've been researching ways to kill myself", 3, 3),
    ("by the time you read this I'll be gone", 3, 3),
    ("this is my final goodbye, thank you all", 3, 3),
    ("I have the pills ready and I don't want to be alive anymore", 3, 3),
    ("i'm going to end it tonight", 3, 3),
    # attempts
    ("I swallowed a bottle of pills an hour ago", 3, 3),
    ("I tried to kill myself last month", 2, 2),
    # self-harm acts, urges, relapse
    ("I relapsed and cut myself again last night", 2, 2),
    ("the urge to cut is really bad tonight", 2, 2),
    ("I burned myself with a lighter", 2, 2),
    # a story from the past that is not framed as recovered: counted, gently
    ("when I was a teenager I tried to kill myself", 1, 1),
]

NOT_CRISIS = [
    # someone else
    "My sister told me she wants to die and I'm scared for her",
    "he said he's been cutting himself, what should I do?",
    # supporting someone
    "If you ever feel like you want to kill yourself, please reach out, you are not alone",
    "Are you having thoughts of suicide? I'm here for you and we can call a crisis line",
    # recovery stories
    "When I was a teenager I used to cut myself, but I'm doing so much better now",
    "I tried to kill myself years ago and I'm grateful to be alive today",
    # topics, not first person
    "Suicidal thoughts are more common than people think, the group talked about it",
    "The article said people who feel like a burden are at higher risk",
    # quoting
    'The poster says "I want to die" in big letters, it is a film about grief',
    "> I can't go on like this\nthat line from the book stayed with me",
    # ordinary chat
    "this traffic is killing me",
    "I'm dead tired after that shift lol",
    "can't wait for the weekend, this week was a lot",
    "we planned the trip, I picked a date and bought the tickets",
    "goodbye everyone, see you at next week's meeting!",
]


@pytest.mark.parametrize(("text", "low", "high"), CRISIS_KINDS)
def test_crisis_language_kinds(text: str, low: int, high: int) -> None:
    v = ENGINE.decide(text)
    assert v.action is Action.SUPPORT, (text, v.as_json())
    assert v.categories[0] == "crisis"
    assert low <= v.severity <= high, (text, v.severity, v.reason)


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_not_crisis(text: str) -> None:
    v = ENGINE.decide(text)
    assert "crisis" not in v.categories, (text, v.as_json())


def test_still_in_crisis_despite_a_recovery_story() -> None:
    v = ENGINE.decide("I used to want to die and got better, but tonight I want to die again")
    assert v.action is Action.SUPPORT


def test_one_weak_signal_alone_is_not_a_crisis() -> None:
    assert "crisis" not in ENGINE.decide("ugh I hate myself for forgetting my keys").categories
    assert "crisis" not in ENGINE.decide("I have the pills from the pharmacy").categories


def test_means_raise_severity_only_with_another_signal() -> None:
    assert ENGINE.decide("I want to die").severity == 2
    assert ENGINE.decide("I want to die and I have the pills").severity == 3


def test_long_post_reads_each_signal_in_its_own_context() -> None:
    story = ("Years ago I went through a lot and used to hurt myself. " * 3
             + "Things got harder this year. " * 20
             + "Right now I don't want to be alive anymore.")
    v = ENGINE.decide(story)
    assert v.action is Action.SUPPORT and v.severity >= 2, v.reason


def test_own_words_in_quotes_still_count() -> None:
    v = ENGINE.decide('I keep wanting to text my friend "I want to kill myself" but I can\'t')
    assert v.action is Action.SUPPORT
