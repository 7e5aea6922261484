"""Abuse read by its structure: a target, what the same clause says of it, negation, whose
words, and the senses of slurs. Sentences written for these tests (no data-set text); each
list is a kind of message, so a rule that only fits one sentence shows up here."""

from __future__ import annotations

import pytest

from groupbot.moderation import structure
from groupbot.moderation.engine import ModerationEngine
from groupbot.moderation.normalise import normalise
from groupbot.moderation.reading import read
from groupbot.moderation.verdict import Action
from groupbot.moderation.vocabulary import speller

ENGINE = ModerationEngine()


def cats(text: str) -> set[str]:
    return set(ENGINE.decide(text).categories)


# Derogation of a protected group, in the shapes people write it.
HATE = [
    "refugees are a disease on this country",          # a degrading noun after "are"
    "honestly muslims are so repulsive",                # a derogatory description
    "lesbians like you are vile",                       # "like you"
    "I loathe immigrants",                              # hostility the writer feels
    "the contempt I feel for trans people is endless",  # a feeling named, the writer's
    "gay men make me want to puke",                     # what they make the writer feel
    "disabled people should be locked up",              # wished, with a modal
    "we need to get rid of all the jews",               # violence or elimination wished
    "jews have no place in a decent society",           # exclusion
    "there is no room in this town for any mexican",    # refusal, object after a gap
    "black lives are worth nothing",                    # worth denied
    "immigrants are not human",                         # kindness negated
    "muslim lives do not matter",                       # a praise verb negated
    "women can never be as clever as men",              # negated praise, "never"
    "swarms of migrants are flooding our towns",        # a swarm image
    "typical of a woman to be so useless",              # a trait framed as their nature
    "my cat is smarter than any immigrant",             # a comparison with animals
    "I'd rather die than live next to a muslim",        # aversion, compared with death
    "arabs will destroy our culture",                   # harm to a shared place
    "is it not obvious that gay people are disgusting?",  # a question that endorses
    "in my view, disabled people are lesser beings",    # the writer's own opinion
    "Those refugees won't change. Let's just eradicate them.",  # "them", a sentence on
    "I tried to get along with muslims but they are revolting",  # "they", same sentence
]


@pytest.mark.parametrize("text", HATE)
def test_attacks_on_a_group_read_by_structure_are_hate(text: str) -> None:
    assert "hate" in cats(text), ENGINE.decide(text).as_json()


# The same words where the structure says something else.
NOT_HATE = [
    "refugees are not a disease, they are people",      # negated
    "no muslim deserves to be attacked",                # "no" before the target
    "I don't hate immigrants at all",                   # the feeling denied
    "calling trans people vermin is cruel",             # a gerund mentions the words
    "he said women are worthless and I cried",          # someone else's words, told
    '"immigrants are scum" is the worst thing I ever read',  # quoted to condemn it
    "your open contempt for gay people has to stop",    # someone else's feeling
    "we must stand against the hatred for jews",        # hatred opposed
    "muslims are being attacked in the streets",        # what happens to them, told
    "artists are parasites on my time",                 # not a protected group
    "mondays are the absolute worst",                   # a thing
    "immigrants are wonderful neighbours",              # praise
    "women deserve to live without fear",               # praise, unnegated
    "I used to think gay people were sick, I was wrong",  # a belief left behind
    "it is a sin to hate black people",                 # the hatred condemned
    "the black sheep of the family is me",              # a colour, not a people
    "I'd be okay with it if they weren't so loud",      # no group named
]


@pytest.mark.parametrize("text", NOT_HATE)
def test_the_same_words_with_another_structure_are_not_hate(text: str) -> None:
    assert "hate" not in cats(text), ENGINE.decide(text).as_json()


# Slurs: used, mentioned, reclaimed, or another sense entirely.
SLURS_USED = [
    "too many trannies around here",
    "typical faggot move",
    "you are nothing but a whore",
    "they are just a bunch of bitches",
]
SLURS_NOT_USED = [
    "we queers are proud of who we are",                # reclaimed, "we"
    "me and my niggas at the game",                     # an in-group word, nothing hateful
    "she smoked a fag outside the pub",                 # a cigarette
    "the council built a dyke against the sea",         # an embankment
    "my labrador bitch had six puppies",                # a dog
    "he called me a faggot in school and it still hurts",  # what was done to the writer
    "that fucking queue at the bank was a bitch",       # a gendered word as a curse at a thing
    "my neighbour has a white power flag and it scares me",  # a slogan seen, not said
]


@pytest.mark.parametrize("text", SLURS_USED)
def test_a_slur_used_for_people_is_hate(text: str) -> None:
    assert "hate" in cats(text), ENGINE.decide(text).as_json()


@pytest.mark.parametrize("text", SLURS_NOT_USED)
def test_a_slur_mentioned_reclaimed_or_in_another_sense_is_not_hate(text: str) -> None:
    assert "hate" not in cats(text), ENGINE.decide(text).as_json()


# The same structures at the person addressed: harassment, and threats with intent.
def test_the_person_addressed() -> None:
    assert ENGINE.decide("you are despicable").action is Action.REMOVE
    assert ENGINE.decide("you are so annoying").action is Action.NUDGE  # a milder word
    assert "threat" in cats("I am going to hurt you")
    assert not cats("you are not worthless")  # negated: kindness
    assert not cats("if you feel worthless, please reach out")  # "you" as anyone
    assert "harassment" not in cats("you're horrible at trash talk")  # a skill, an idiom


# Misspelled, spaced out, run together: the structure still reads.
EVASIONS = [
    "immigrnts are vermin",      # a letter left out
    "I haet muslims",            # two letters swapped
    "women are a plauge",        # swapped in the predicate
    "I h a t e refugees",        # spaced out
    "Ihate gay people",          # run together
    "jews are massivescum",      # run together in the predicate
]


@pytest.mark.parametrize("text", EVASIONS)
def test_misspellings_and_spacing_do_not_hide_the_structure(text: str) -> None:
    assert "hate" in cats(text), ENGINE.decide(text).as_json()


def test_the_reader_alone_returns_nothing_for_ordinary_chat() -> None:
    for text in ("thanks for listening everyone", "I feel a bit better today",
                 "my therapist says boundaries are a kindness"):
        assert structure.read(read(normalise(text), speller()).tokens) == []


def test_a_long_message_is_read_to_its_end() -> None:
    """The last sentence of a 39,000-character message is read like a short one."""
    filler = "We talked about boundaries and about self care this week. " * 650
    text = filler + "Refugees are vermin."
    assert len(text) < 40_000
    verdict = ENGINE.decide(text)
    assert "hate" in verdict.categories and not verdict.details.get("truncated")
