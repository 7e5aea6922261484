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
    "is there a point to this meeting or can we skip it?",
    # something held to the writer by someone else, long ago, or with no means
    "my dad put a gun to my head when I was ten, it still comes back to me",
    "the nurse put the needle into my arm and I didn't even flinch",
    "I held my phone to my head for an hour on hold with the bank",
]


# Distress without crisis (hopelessness, feeling a burden or trapped, self-hatred, "I can't do
# this anymore", "nobody would miss me"): the gentle tier, a short private note.
DISTRESS_KINDS = [
    "I hate myself and I can't take it anymore",
    "I feel so hopeless. I'm trapped and there's no way out",
    "nothing will ever get better and I can't do this anymore",
    "I'm at rock bottom and I feel so hopeless",
    "I feel like such a burden to my family",
    "my kids would be better off if I was gone",
    "nobody would even notice if I was gone",
    "I just want the pain to stop",
    "honestly I don't even care anymore",
    "life is so fucking pointless",
    "I cant do thsi anymore",
    "is there any reason to live anymore?",
    "is there a reason to keep going, honestly",
]


@pytest.mark.parametrize("text", DISTRESS_KINDS)
def test_distress_gets_the_gentle_care_note(text: str) -> None:
    v = ENGINE.decide(text)
    assert v.action is Action.CARE and v.categories[0] == "distress", (text, v.as_json())
    assert v.severity == 1


# Crisis as people write it, not as a list writes it: filler words, misspellings, other
# word orders, a method named or asked for.
CRISIS_AS_WRITTEN = [
    "I want to fucking die",
    "i really really want to die",
    "i wanna kil myself",
    "sucide is all i think about",
    "I don't want to wake up tomorrow",
    "I just want it all to end",
    "what's the best way to kill yourself?",
    "will 30 tylenol kill me",
    "I'm going to go through with it tomorrow",
    "I tried to hang myself last week",
    "I need to buy a rope tonight, I'm done with everything",
    "goodnight forever, im sorry for everything",
    # a sign in a later sentence is read with its own words, not the first sentence's
    "Long day... my cat is what stops me, he gets in the way of my suicide plans.",
    "Rough week. Anyway. I'm going to go through with it tomorrow",
    # a means held to oneself, the means named before or in the act
    "found the gun in the drawer. sat there and put it against my head",
    "last night I pressed the blade to my wrist and stopped",
]


@pytest.mark.parametrize("text", CRISIS_AS_WRITTEN)
def test_crisis_as_members_write_it(text: str) -> None:
    v = ENGINE.decide(text)
    assert v.action is Action.SUPPORT and v.categories[0] == "crisis", (text, v.as_json())


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


# --- more kinds of crisis language (the C-SSRS items, in everyday words) --------------------

MORE_CRISIS_KINDS = [
    # wish to be dead, said in other ways
    ("all I want right now is to die", 2, 2),
    ("honestly I've had a death wish for months", 2, 2),
    ("some days I'm just waiting to die", 2, 2),
    ("every day I'm alive feels like torture", 2, 2),
    ("I keep thinking about dying, it doesn't stop", 2, 2),
    ("I've been having thoughts of suicide", 2, 2),
    ("ugh, suicidal urges are back tonight", 2, 2),
    ("my therapist calls it passive suicidal ideation, but it scares me", 2, 2),
    # what keeps someone alive, said as the only thing left
    ("the only reason I haven't killed myself is my dog", 2, 2),
    ("if it wasn't for my kids I would have already ended it", 2, 2),
    ("I'm scared that if I don't end my life I'll be sad forever", 2, 2),
    ("I don't have what it takes to end it and I hate that", 2, 2),
    # slang and split words people use
    ("I'm going to neck myself", 2, 3),
    ("I want to kill my self", 2, 2),
    ("some days I want to jump in front of a train", 2, 2),
    # method, means, preparations
    ("I'm getting my affairs in order and I don't want to be alive anymore", 3, 3),
    ("I know exactly how I would do it and I want to die", 3, 3),
    ("I want to end it tonight", 3, 3),
    # actual, aborted and interrupted attempts
    ("I downed a whole bottle of pills", 2, 3),
    ("I put a gun in my mouth last week", 2, 2),
    ("I tried to suffocate myself", 2, 2),
    # self-injury, including the clinical words people use about themselves
    ("I'm a cutter and the urges are bad", 2, 2),
    ("I struggle with self-injurious behavior", 2, 2),
    ("there are fresh marks on my wrists again", 2, 2),
    # two separate signs of hopelessness: a gentle check-in
    # warning signs said plainly: pills taken or ready, letters written, a method, the means
    ("i took a bunch of pills last night", 2, 3),
    ("I have the pills ready", 3, 3),
    ("I wrote goodbye letters to my kids", 3, 3),
    ("I stockpiled my meds", 3, 3),
    ("I want to disappear forever", 1, 3),
    ("sometimes I wish I could just fall asleep and not wake up", 2, 2),
    ("I keep thinking about driving into a tree", 2, 3),
    ("I looked up how many pills it takes", 3, 3),
    ("I bought a gun and I think about using it on myself", 2, 3),
    # a recovery word does not cancel a wish said now, or one that keeps coming back
    ("I'm okay now, I just want to die", 2, 3),
    ("I'm doing better now, I just want to die", 2, 3),
    ("I'm fine now but I keep thinking about killing myself", 2, 3),
    ("I wanted to die last year", 1, 1),  # told of the past: a gentle check-in
]

MORE_NOT_CRISIS = [
    # supporting someone, second person
    "If you feel suicidal, please call a crisis line. You are not alone.",
    "Have you been having thoughts of suicide? I'm here for you if you need to talk",
    "I know it feels like nothing will ever get better, but please reach out to someone",
    # negated
    "I would never kill myself, I have too much to live for",
    "I don't want to die, I just want the pain to ease a bit",
    # recovery
    "I used to have a death wish years ago, but I'm doing so much better now",
    "I was a cutter in high school and I'm in recovery now",
    # quoted
    'the song says "all I want is to die" and it made me cry in a good way',
    "> every day I'm alive feels like torture\nthis line from the poem stayed with me",
    # someone else
    "My friend said the only reason she hasn't killed herself is her cat",
    # ordinary chat: one weak sign, a means word or a goodbye on its own
    "my life is over, they cancelled my favourite show lol",
    "I don't know what to do anymore with this printer",
    "I bought a gun for hunting season",
    "said goodbye to everyone at the airport, see you in June",
    "I almost died laughing at that video",
    "this homework is killing me",
    "my method for bread is to let it rise overnight",
    "I almost crashed into a tree on the ice today",
    "I took a bunch of vitamins this morning",
    "I have the rope ready for the camping trip",
    "my grandma wrote goodbye letters before her surgery",
    # a note or a letter is not a goodbye (writing to your inner child is a recovery exercise)
    "I wrote a letter to my inner child today",
    "I left a note for my roommate",
    "I wrote a note for my kids",
    "my cousin wants to die and I don't know how to help",
    "how many pills it takes to fix a headache, asking for me lol",
    # recovery stories told of the past
    "I wanted to die last year but today I'm okay",
    "I tried to kill myself years ago, I'm doing better now",
]


@pytest.mark.parametrize(("text", "low", "high"), MORE_CRISIS_KINDS)
def test_more_crisis_language_kinds(text: str, low: int, high: int) -> None:
    v = ENGINE.decide(text)
    assert v.action is Action.SUPPORT, (text, v.as_json())
    assert low <= v.severity <= high, (text, v.severity, v.reason)


@pytest.mark.parametrize("text", MORE_NOT_CRISIS)
def test_more_not_crisis(text: str) -> None:
    v = ENGINE.decide(text)
    assert "crisis" not in v.categories, (text, v.as_json())


def test_a_negated_recovery_marker_is_not_a_recovery_story() -> None:
    v = ENGINE.decide("I tried to kill myself last year. Things haven't gotten better since.")
    assert v.action is Action.SUPPORT, v.reason
    # ... while a real recovery marker still drops the old story
    ok = ENGINE.decide("I tried to kill myself last year. Things have gotten better since.")
    assert "crisis" not in ok.categories


# A long post about the writer's own life, one sign of hopelessness in it (no stronger
# signal): a gentle check-in. The same sign in a short line, or in a long reply that talks
# to someone else, is not.
_OWN_LIFE = ("I have been trying to keep my job and my flat together for months now. I get up, "
             "I go to work, I come home and I sit in my room. My family lives far away and I "
             "have not talked to my friends in weeks. ")


def test_one_sign_of_hopelessness_in_a_long_post_about_myself_is_a_gentle_check_in() -> None:
    v = ENGINE.decide(_OWN_LIFE + "Honestly I feel so hopeless.")
    assert v.action is Action.CARE and v.severity == 1, v.reason
    assert "crisis" not in ENGINE.decide("honestly I feel so hopeless about this exam").categories


def test_one_sign_of_hopelessness_in_a_long_reply_to_someone_is_not() -> None:
    reply = ("You have been through so much, and you are still here, and you should be proud of "
             "yourself. Your family loves you and your friends want to hear from you. You can "
             "take it one day at a time. I know you feel hopeless sometimes, and that is okay.")
    assert "crisis" not in ENGINE.decide(reply).categories


# --- someone hurting the writer, now -----------------------------------------------------------

IN_DANGER = [
    "my boyfriend choked me last night",
    "he hit me again today and I don't know what to do",
    "my husband keeps hitting me",
    "I'm scared he'll kill me",
    "im not safe at home",
    "she threatened to kill me",
    "he said he'd kill me if I leave",
    "he won't let me leave the house",
    "my ex put his hands around my throat yesterday",
    "my stepdad just hit me with a belt",
    "I'm 16 and my mom's boyfriend keeps touching me",
    "he used to be so sweet but now he hits me",
    "my mum hits me",
    "my husband gets drunk and hits me",
    "he threatened me again",
    "i was attacked by a man last night",
    "my ex said i know where you live and i'm scared",
    "my ex keeps texting me i know where you live",
    "I don't feel safe at home",
    "I was raped last night",
    "he said he'd kill me",
    # a threat someone made to the writer, told to the group
    "my ex texted me I know where you live",
    "he said to me you're dead meat",
]


@pytest.mark.parametrize("text", IN_DANGER)
def test_someone_hurting_the_writer_now_gets_the_support_path(text: str) -> None:
    """Danger from someone is cared for like a crisis: a private reply, a moderator alert,
    never a punishment. The reason tells moderators what kind of danger it is."""
    v = ENGINE.decide(text)
    assert v.action is Action.SUPPORT and "crisis.danger" in v.rules, (text, v.as_json())
    assert "someone hurting them" in v.reason


NOT_IN_DANGER = [
    # what was done long ago: what members bring to a codependency group
    "my dad hit me when I was a kid",
    "my dad used to hit me",
    "my ex choked me years ago and I left",
    "he hit me",  # no sign that it is now: a story the group hears
    # denied, or said of someone else
    "he never hit me but the words hurt",
    "he didn't hit me today, he just yelled",
    "if he hits you, please call the police",
    "my friend's husband hits her",
    # idioms
    "he hit me up last night",
    "she beats me at chess every time",
    "it hit me today that I deserve better",
    "he beat me to the last slice again",
    "my mom hit me with a guilt trip yesterday",
    "you hit me with that joke lol",
    "someone said i know where you live in a movie",
    # everyday exaggeration
    "my wife would kill me if I bought another guitar",
    "he'd kill me if he knew I ate his fries",
    "I was raped when I was 14",
    "i was attacked by anxiety today",
    "i got beaten up by life today",
    "my kid hits me when he's having a meltdown",
    "life is hitting me hard today",
    "it would kill me to lose her",
    "he touched me on the arm to say hi yesterday",
    "your words are touching me deeply",
]


@pytest.mark.parametrize("text", NOT_IN_DANGER)
def test_old_stories_idioms_and_others_are_not_danger(text: str) -> None:
    v = ENGINE.decide(text)
    assert "crisis" not in v.categories, (text, v.as_json())


def test_a_double_negative_is_still_danger() -> None:
    for text in ("he won't stop hitting me", "she never stops hitting me"):
        assert "crisis.danger" in ENGINE.decide(text).rules, text
    assert "crisis" not in ENGINE.decide("he stopped hitting me").categories
