"""Hate, harassment and sexual content: slur spellings, attacks on groups, insults pointed at
someone, sexual content asked for; and the innocent senses, untargeted venting and members' own
stories that must stay out of these categories.

Every sentence here was written for this test; none comes from a data set.
"""

from __future__ import annotations

import pytest

from groupbot.moderation import lexicon as L
from groupbot.moderation.engine import ModerationEngine
from groupbot.moderation.verdict import Action

ENGINE = ModerationEngine()
ACTING = {"harassment", "hate", "threat"}


def cats(text: str) -> set[str]:
    return set(ENGINE.decide(text).categories)


# --- slurs: spellings and groups the list used to miss --------------------------------------

SLURS = [
    "these niggaz never pay back",
    "look at that little niglet",
    "ban the towel heads",
    "some spear chucker moved in next door",
    "border jumpers took the jobs",
    "only retards think that",
    "what a retard",
    "they are all coloreds",
    "she is a dothead",
    "that oven dodger again",
    "go home you goat fucker",
    "kill the crackers",
]


@pytest.mark.parametrize("text", SLURS)
def test_slur_spellings_are_hate(text: str) -> None:
    verdict = ENGINE.decide(text)
    assert "hate" in verdict.categories, verdict.as_json()
    assert verdict.action in (Action.REMOVE, Action.TIMEOUT), verdict.as_json()


# --- attacks on a group of people -------------------------------------------------------------

GROUP_ATTACKS = [
    "dirty jews everywhere",  # a pejorative right before the group
    "fucking immigrants ruin everything",
    "stupid women should stay quiet",
    "fuck islam",
    "muslim scum",  # a dehumanising noun right after it
    "deport all the mexicans",  # an action right before it
    "refugees are all criminals",
    "immigrants are nothing but parasites",
    "gays dont belong here",
    "i hate loud fat bitches",  # a misogynist slur used for women as a group
    "fuck these hoes",
    "i hate hoes, hope they all die",
    "arabs have no right to be here",
    "all women are bitches",  # misogyny: women called a slur, or kept in their place
    "bitches ain't shit",
    "women belong in the kitchen",
    "you people are animals",  # the person addressed, as one of a kind
    "your kind isn't welcome here",
    # attacks on LGBTQ members' identity
    "trans people are mentally ill",
    "gay people are an abomination",
    "being trans is a mental illness",
    "being gay is a sin",
]


@pytest.mark.parametrize("text", GROUP_ATTACKS)
def test_attacks_on_a_group_are_hate(text: str) -> None:
    verdict = ENGINE.decide(text)
    assert "hate" in verdict.categories, verdict.as_json()
    assert "hate.attack" in verdict.rules or "hate.slur" in verdict.rules, verdict.as_json()


def test_a_call_to_kill_a_group_is_severe() -> None:
    verdict = ENGINE.decide("kill all the jews")
    assert verdict.severity == 3 and verdict.action is Action.TIMEOUT, verdict.as_json()


# --- harassment: aimed at you, at a mention, or at someone pointed at -----------------------

AIMED = [
    ("kill urself", Action.TIMEOUT),
    ("go drink bleach", Action.TIMEOUT),
    ("yo bitch ass needs to sit down", Action.NUDGE),
    ("you little pussy", Action.NUDGE),
    ("youre a fucking queer", Action.REMOVE),
    ("@sam you fucktard", Action.REMOVE),
    ("yr a rude little cunt", Action.REMOVE),
    # words with innocent senses, said of the person addressed
    ("you are trash", Action.REMOVE),
    ("honestly youre such garbage", Action.REMOVE),
    ("u r disgusting", Action.REMOVE),
    ("you're a joke", Action.REMOVE),
    ("you suck", Action.NUDGE),
    ("you make me sick", Action.NUDGE),
    ("you are so annoying", Action.NUDGE),
    # words the writer joins in on are said here, even when "everyone says" them
    ("everyone says you are trash", Action.REMOVE),
    ("we all think you suck", Action.NUDGE),
    # fillers between "you" and the insult do not hide it
    ("you look like a fucking clown", Action.REMOVE),
    ("you are such a big fat absolute total loser", Action.REMOVE),
    # an insult with a brush-off is said to the person addressed
    ("get lost idiot", Action.REMOVE),
    ("fuck off, loser", Action.REMOVE),
    ("moron, go away", Action.REMOVE),
    ("stfu clown", Action.REMOVE),
    # said to someone
    ("@sam fuck you", Action.NUDGE),
    ("screw you all", Action.NUDGE),
    ("you was always a loser", Action.REMOVE),
    # the writer's own words stay theirs, told or hedged
    ("I said you're an idiot", Action.REMOVE),
    ("I just wanted to say you're a loser", Action.REMOVE),
    ("I'm not saying you're a bitch, but", Action.REMOVE),
    ("let me say it again, you're an idiot", Action.REMOVE),
    # hedged or framed, still the writer's own words
    ("I honestly think you should kill yourself", Action.TIMEOUT),
    ("believe me, nobody likes you", Action.TIMEOUT),
    ("we all said you're a loser", Action.REMOVE),
    ("everyone said you're a loser", Action.REMOVE),
    ("my friends say you're a loser", Action.REMOVE),  # gossip passed on to the person
    ("told you you're an idiot", Action.REMOVE),
    ("I heard you're a fucking idiot", Action.REMOVE),
    # the plural of "you", and adverbs, before "are"
    ("you guys are idiots", Action.REMOVE),
    ("you really are a loser", Action.REMOVE),
    ("ur literally a clown", Action.REMOVE),
    ("you're such a drama queen", Action.NUDGE),
    ("no wonder your husband left you", Action.NUDGE),
    # gossip passed on now, opinions and vocatives: still said here
    ("my friends all say you should kill yourself", Action.TIMEOUT),
    ("everyone said you should kys", Action.TIMEOUT),
    ("someone needs to tell you you're an idiot", Action.REMOVE),
    ("@sam my friends said you're a loser", Action.REMOVE),
    ("i'd never call you an idiot, you moron", Action.REMOVE),
    ("moron. you have no idea what you're talking about", Action.REMOVE),
    ("your whore mother", Action.REMOVE),
    ("your idiot kids", Action.REMOVE),
    ("you disgust me", Action.NUDGE),
    # blaming or dismissing a member for what happened to them
    ("no wonder he left you", Action.NUDGE),
    ("lol you brought this on yourself", Action.NUDGE),
    ("nobody here cares about your sob story", Action.NUDGE),
    ("you're so dramatic, go cry about it", Action.NUDGE),
    ("you're the problem, not him", Action.NUDGE),
    # wishing someone harm
    ("hope you get cancer", Action.TIMEOUT),
    # mental illness used against a member
    ("you're just a crazy schizo", Action.REMOVE),
    ("go take your meds psycho", Action.NUDGE),
    ("you belong in a psych ward", Action.NUDGE),
    ("i hope you die alone", Action.TIMEOUT),
    ("go get hit by a bus", Action.TIMEOUT),
    # telling a member to leave the country
    ("go back to where you came from", Action.REMOVE),
    ("just go back to your own country", Action.REMOVE),
    # a compliment first does not take the insult back
    ("you're kind but a loser", Action.REMOVE),
    ("you are smart but such an idiot", Action.REMOVE),
    ("u r sweet but a total moron", Action.REMOVE),
]


@pytest.mark.parametrize(("text", "action"), AIMED)
def test_insults_aimed_at_someone_are_harassment(text: str, action: Action) -> None:
    verdict = ENGINE.decide(text)
    assert "harassment" in verdict.categories, verdict.as_json()
    assert verdict.action is action, verdict.as_json()


POINTED = [
    "ugh that bitch at the front desk",
    "this stupid idiot cut me off",
]


@pytest.mark.parametrize("text", POINTED)
def test_name_calling_someone_not_addressed_is_a_mild_nudge(text: str) -> None:
    """Venting about someone absent is name-calling, but a reminder is enough."""
    verdict = ENGINE.decide(text)
    assert "harassment" in verdict.categories, verdict.as_json()
    assert verdict.severity == 1 and verdict.action is Action.NUDGE, verdict.as_json()


# --- innocent senses and untargeted venting ---------------------------------------------------

INNOCENT = [
    # Describing someone who hurt you is what members bring to a support group.
    "my mom is such a bitch about my boundaries",
    "my ex was a bastard and I finally see it",
    "kevin is a moron, but I still miss him",
    "my maine coon sleeps all day",
    "the coon hounds were baying all night",
    "we danced at a honky tonk in Nashville",
    "the tranny fluid is leaking again, need a new tranny",
    "that contract is gobbledy gook to me",
    "found the chink in the armor of their argument",
    "homo sapiens evolved in Africa",
    "I feel like a guinea pig in this trial",
    "spic and span kitchen after the party",
    "bought some redskin potatoes for dinner",
    "a pack of tighty whitey briefs",
    "holy cow, what a day",
    "life is a bitch sometimes",
    "it was a bitch to fix that sink",
    "karma is a bitch",
    "I'm a queer woman and proud of it",
    "the queer community meetup is on Friday",
    "proud to be a redneck from the hills",
    "people who attack muslims are disgusting",
    "fat women deserve respect at the doctor",
    "i hate the yankees so much",
    "these colored pencils are great",
    "the refugees I met were lovely",
    "fuck this shit, today was awful",
    "damn, my whole week went wrong",
    "i thot you were coming at six",
    "the garden hoe is in the shed",
    "we need to take out the trash",
    "Montenegro and Niger are countries",
    "a Negroni please",
    "the flame retardant coating",
    "this pizza is trash lol",
    "I felt like garbage all week",
    "you made a joke and it helped",
    "you are not trash, you matter",
    # someone else's words, told to the group
    "don't listen to anyone who says you are trash",
    "she texted me kys last night and I cried",
    "he told me go die and walked out",
    # "you" as anyone, or a question: members describing their own lives
    "do you suck at saying no too?",
    "does anyone else feel like you are a joke to your own family",
    "when you are trash at cooking like me, takeout it is",
    "if you kill yourself your family would be heartbroken, please stay",
    # what drives someone to it, or a question about their wish: not said to them
    "staying there will make you want to kill yourself, please look for a way out",
    "do you ever want to kill yourself? I do, and it helps to say it",
    "if you wanna kill yourself please call a line first",
    # names someone else used on the writer, told to the group
    "my dad called me a retard growing up",
    "they call us faggots at school and I hate it",
    "he said I was a fat dyke and I believed him",
    "whoever called you a retard is wrong",
    "I'm sorry I called you an idiot yesterday",
    # a feeling told in the past is venting, not a threat
    "I wanted to kill him when I found out, but I just cried",
    "I want to punch him in the face lol but I won't",
    # the writer about themselves, or someone far from the mention
    "I got lost in the mall like an idiot",
    "you know what, I'm a total idiot sometimes",
    "imma real clown lol",
    "so sorry, your fiance was such a jerk to you",
    "what a jerk. you ok?",  # a new sentence: a question to the member, not the insult's
    "your stupid brain lies to you",  # someone or something of theirs
    "your ex sounds like a total jerk, you deserve better",  # care after the insult
    "what an asshole, you ok?",
    "your idiot ex doesn't deserve you",
    "@sam what an idiot he is, I'm so sorry",
    "ugh what a jerk!! are you ok",
    "sounds like your friends are assholes, you deserve better",
    "what a kind person you are, and what a jerk he was to you",
    "you are not being a bitch for saying no, I promise",
    "@sam then larry turned out to be an absolute clown",
    # a brush-off told, or said to an illness, not to a person
    "I told him to get lost, the idiot",
    "fuck you depression, not today",
    "good night, fuck you, I'm done with this day",
    "all I got from him was a resounding fuck you",
    "what the fuck you talking about, that movie was great",
    "I said fuck you to my ex and blocked him",
    "i hope you get better soon",
    "I feel like I'm the problem",
    "I need to take my meds",
    # LGBTQ members' own lives, and what others said to them
    "there's nothing wrong with being gay",
    "it is a sin to hate gay people",
    "my parents think being gay is wrong and it hurts",
    "my pastor said gays are an abomination and I cried",
    "I'm trans and my family says I'm mentally ill",
    "if you think you are the problem, you are not",
    "you are not the problem",
    # what someone said to the writer, told to the group: the heart of a codependency group
    "he said you're worthless and I believed him",
    "my mom always told me you are stupid",
    'he used to say "you\'re a loser" every day',
    "she yelled you idiot at me",
    'my dad would say "kill yourself" when he was drunk',
    "my dad would scream shut up idiot at me",
    "he texted me fuck off loser",
    "I wanted to tell him get lost loser",
    "don't call yourself a loser, you're doing great",
    "I'd never say you're a loser",
    "nobody here thinks you're an idiot",
    "you said you're an idiot for staying, but you're not",
    "they told me go die",
    # self-talk and kindness around the taunt phrases
    "it's ok to cry about it",
    "I wish I could get over it already",
    "gentle reminder: take your meds",
    # someone else's beliefs, and slogans named not said
    "being gay is wrong according to my parents",
    "I grew up believing being gay is wrong",
    "being trans is wrong, said my dad",
    "they said transgender people are mentally ill and I cried",
    # LGBTQ members' families and churches, told
    "they say being gay is a sin, and i'm gay",
    "my parents were always saying gays are perverts",
    "i was told gays are perverts",
    "i used to think gays are sinners until i met my best friend",
    # abuse said over and over, told
    "my mom says you're pathetic when i cry",
    "my husband says you're an idiot whenever i talk",
    "my inner critic says you're a loser",
    "they were saying kill yourself to me at school",
    "my neighbor has a white power flag",
    "my uncle has a 1488 tattoo and it scares me",
    "I walked 1488 steps",
    "my inner voice says you're pathetic",
    "I keep telling myself you are worthless",
    'growing up I heard "you\'re useless" all the time',
    # a threat the writer received, told to the group
    "my ex texted me I know where you live",
    "he told me I know where you live and I'm scared",
    # an extremist slogan someone else used on the writer, or an innocent phrase
    "someone yelled heil hitler at me on the bus",
    "I need a new white power cord for my laptop",
    # names used on the writer, told in the passive
    "i was called a chink at school",
    "ive been called a retard my whole life",
    # what someone else says to the member, or about someone else
    "he told me to go back to where i came from",
    "my neighbor yelled go back to your country at me",
    "you're right but he's an idiot",
    "you're doing great but my boss is an idiot",
    "ur mom is nice but a loser",
    # what a member's community holds, told (not "in my opinion")
    "in my church, being gay is a sin, period",
    "in my family being gay is a sin and i had to leave",
    "my dad thinks women belong in the kitchen",
    "my ex ain't shit",
    "the dishes belong in the kitchen",
    "my grandma survived the holocaust",
    "my uncle says the holocaust never happened and i had to leave the table",
    "trans women are women",
    "trans men are men",
    "trans women are not men",
    "you people are amazing, thank you",
    "he is not welcome here anymore",
]


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_senses_and_venting_are_not_hate_or_harassment(text: str) -> None:
    verdict = ENGINE.decide(text)
    assert not set(verdict.categories) & ACTING, verdict.as_json()


THREATS = ["we comin for yo life", "I know where you live", "im coming for you",
           # framed, still a threat for moderators to judge
           "I honestly think I know where you live", "just saying, I know where you live",
           "my friend said i know where you live", "believe me, you will pay for this"]


@pytest.mark.parametrize("text", THREATS)
def test_threats_said_here_are_held_for_review(text: str) -> None:
    verdict = ENGINE.decide(text)
    assert "threat" in verdict.categories and verdict.action is Action.HOLD, (
        verdict.as_json())


HATE_CODES = ["1488", "sieg heil brothers", "heil hitler", "white power!",
              "jews will not replace us", "the aryan race must rise",
              # denial, glorification and conspiracy tropes; denying trans women are women
              "the holocaust never happened", "hitler was right", "jews control the media",
              "jews are behind everything", "trans women are men", "trans men aren't real men"]


def test_a_belief_in_the_writers_own_voice_is_still_hate() -> None:
    for text in ("in my opinion being gay is a sin", "in my view, gays are an abomination"):
        assert "hate" in ENGINE.decide(text).categories, text


@pytest.mark.parametrize("text", HATE_CODES)
def test_slogans_of_organised_hate_are_hate(text: str) -> None:
    verdict = ENGINE.decide(text)
    assert "hate.code" in verdict.rules and verdict.action is Action.REMOVE, verdict.as_json()


def test_a_slur_the_writer_used_still_counts() -> None:
    verdict = ENGINE.decide("I called him a retard")
    assert "hate" in verdict.categories, verdict.as_json()
    hedge = ENGINE.decide("I'm not calling you a faggot but")
    assert "hate" in hedge.categories, hedge.as_json()
    threat = ENGINE.decide("I will kill him when I find him")
    assert "threat" in threat.categories, threat.as_json()
    boast = ENGINE.decide("im gonna beat him up and i never miss")
    assert "threat" in boast.categories, boast.as_json()


def test_untargeted_swearing_stays_profanity() -> None:
    verdict = ENGINE.decide("fucking hell this week is shit")
    assert verdict.categories == ("profanity",), verdict.as_json()
    assert verdict.action is Action.ALLOW


def test_a_benign_phrase_only_shields_the_word_inside_it() -> None:
    """"maine coon" is a cat; the same word aimed at someone elsewhere is still a slur."""
    assert "hate" not in cats("my maine coon")
    assert "hate" in cats("my maine coon hates that coon next door")


# --- the lexicon stays consistent with the detector ------------------------------------------

@pytest.mark.parametrize("text", ["wassup my nicca", "all them niccas at the party",
                                  "n1ggaz everywhere", "me and my niggas tonight"])
def test_an_in_group_word_with_nothing_hateful_said_of_it_stays_up(text: str) -> None:
    """Reclaimed words ("my nicca") are how many members talk; they are hate only with
    something hateful said of the people they name (see the slur list above)."""
    assert "hate" not in cats(text), ENGINE.decide(text).as_json()


def test_benign_phrases_each_contain_a_listed_word() -> None:
    """A benign phrase that shields nothing would be dead weight in the matcher."""
    listed = set().union(*(L.phrases(name) for name in (
        "slurs_severe", "slurs_mild", "hate_codes", "insults", "attacks", "mild_attacks",
        "aimed_mild", "rude")))
    for phrase in L.phrases("benign"):
        words = phrase.split()
        spans = {" ".join(words[i:j]) for i in range(len(words))
                 for j in range(i + 1, len(words) + 1)}
        assert spans & listed, phrase


# --- sexual content: asked for or offered, not a member's own story ----------------------------

SEXUAL_ASKED = [
    "send nudes",
    "send me a dick pic",
    "you should send me your nudes",
    "wanna see my dick pic?",
    "I posted my nudes lol, go look",
]


@pytest.mark.parametrize("text", SEXUAL_ASKED)
def test_sexual_content_asked_for_or_offered_is_removed(text: str) -> None:
    verdict = ENGINE.decide(text)
    assert "sexual" in verdict.categories and verdict.action is Action.REMOVE, \
        verdict.as_json()


SEXUAL_TOLD = [
    # what was done to the writer: the policy's guideline says this is welcome
    "my nudes got leaked by my ex and I want to disappear",
    "he sent me a dick pic and I blocked him",
    "he asked me for nudes and I said no",
    "he showed me porn when I was a kid",
    "my ex posted my nudes online",
    # recovery talk
    "I'm 30 days free of porn today",
    "my porn addiction is tied to my codependency",
    "I relapsed on porn last night",
]


@pytest.mark.parametrize("text", SEXUAL_TOLD)
def test_a_members_own_story_is_not_sexual_content(text: str) -> None:
    verdict = ENGINE.decide(text)
    assert "sexual" not in verdict.categories, verdict.as_json()
    # (nothing removed; "I want to disappear" gets the gentle care note)
    assert verdict.action in (Action.ALLOW, Action.CARE), verdict.as_json()
