"""Reading a phrase hit in its context, for the crisis and abuse detectors.

Whose words they are (the writer's own, or someone else's: reported, quoted, thought, a
voice in the head), to whom they are said, whether they are negated, taken back, offered or
told as a story. One reader for every "someone else said it" check, so that the two detectors
never disagree about it. Context is a few tokens either side of a hit in the same normalised
form; nothing here looks at raw substrings.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Final

from groupbot.moderation import lexicon as L
from groupbot.moderation.fastpath import MENTION_TOKEN
from groupbot.moderation.normalise import Normalised

STOPPERS: Final = frozenset(
    "this that these those the his her their my our he she they him them it its i im me "
    "myself we us".split()
)


class _Forms(Sequence[list[str]]):
    """The token lists of a message's forms, each split only when a detector reads it: a
    long message has several forms of thousands of tokens, and hits are usually in one."""

    __slots__ = ("_cache", "_norm")

    def __init__(self, norm: Normalised) -> None:
        self._norm = norm
        self._cache: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return 1 + len(self._norm.variants)

    def __getitem__(self, index: int) -> list[str]:  # type: ignore[override]
        toks = self._cache.get(index)
        if toks is None:
            form = self._norm.flat if index == 0 else self._norm.variants[index - 1]
            toks = self._cache[index] = form.split()
        return toks


def split_forms(norm: Normalised) -> Sequence[list[str]]:
    return _Forms(norm) if norm.variants else [norm.flat.split()]


def negated(tokens: Sequence[str], start: int, window: int = 3) -> bool:
    return not L.NEGATIONS.isdisjoint(tokens[max(0, start - window):start])


def told_sexual(tokens: Sequence[str], start: int, end: int) -> bool:
    """Sexual words in a member's own story, which the group welcomes: something done to
    them ("he sent me a dick pic", "my nudes got leaked"), or recovery ("30 days free of
    porn", "my porn addiction"). Not when it asks or offers ("send me nudes")."""
    before = tokens[max(0, start - 4):start]
    after = tokens[end:end + 3]
    if not _RECOVERING.isdisjoint(before) or not _RECOVERING.isdisjoint(after):
        return True
    if before[-2:] in (["free", "of"], ["free", "from"]) or after[:1] == ["free"]:
        return True  # "free of porn", "porn free" (but "free porn" is an offer)
    if "me" in before and not _DONE_TO.isdisjoint(before):
        return True  # "he sent me ...", "she showed me ...", "he asked me for ..."
    if "my" in before:  # "my ex posted my nudes online" (not "I posted my nudes")
        for i in range(len(before) - 1):
            if before[i + 1] in _EXPOSED and before[i] not in WRITER:
                return True
    return bool(after) and after[0] in ("got", "were", "was", "leaked") and (
        not _EXPOSED.isdisjoint(after))


def offered(norm: Normalised, tokens: Sequence[str], start: int, end: int) -> bool:
    """Sexual material offered or shared, not named: a link, "go look", "dm me for", "check
    out", "for sale" near the word; a link anywhere only in a short message. (A long post
    that names porn in one paragraph and links a news story in another offers nothing.)"""
    near = " ".join(("", *tokens[max(0, start - _OFFER_REACH):end + _OFFER_REACH], ""))
    if any(cue in near for cue in _OFFER_CUES) or any(
            f" {link} " in near for link in ("http", "https", "www", "com")):
        return True
    clean = norm.clean
    return len(tokens) <= _SHORT and ("http" in clean or "www." in clean or ".com" in clean)


# How near an offer must be to the sexual word; how short a message whose link anywhere
# counts (a few lines of chat).
_OFFER_REACH: Final = 15
_SHORT: Final = 60
_OFFER_CUES: Final = (
    (" go look ", " check out ", " check it out ", " dm me ", " hmu ", " for sale ",
               " selling ", " link in bio ", " click ", " subscribe ", " my snap ",
               " add me ", " look at my ", " watch my ", " want to see ", " wanna see "))


_RECOVERING: Final = frozenset(
    "addicted addiction addict addicts quit quitting clean sober relapse relapsed "
    "struggle struggled struggling recovery recovering sobriety".split())
_DONE_TO: Final = frozenset(
    "sent showed asked forced made pressured pushed texted messaged offered tried kept "
    "begged".split())
_EXPOSED: Final = frozenset("leaked shared posted spread sent exposed".split())


def called_me(tokens: Sequence[str], start: int, anyone: bool = False) -> bool:
    """A name someone used on the writer or people near them, told: "my dad called me a
    ...", "they call us ...", "he said I was a ...". With `anyone` False, not when the
    writer is the one who said it ("I called him a ...")."""
    if _NAMING.isdisjoint(tokens[max(0, start - 6):start - 1]):
        return False  # (most insults: one set test)
    for j in range(max(0, start - 6), start - 1):
        if (tokens[j] in _NAMING and tokens[j + 1] in _NAMED
                and _BETWEEN.issuperset(tokens[j + 2:start])):
            return anyone or WRITER.isdisjoint(tokens[max(0, j - 2):j])
        if (j >= 2 and tokens[j] in _PASSIVE_NAMING and tokens[j - 1] in _PASSIVE_AUX
                and tokens[j - 2] in _NAMED_PASSIVE and _BETWEEN.issuperset(tokens[j + 1:start])):
            return True  # "I was called a ...", "we got called ...": done to them, told
    return False


_NAMING: Final = frozenset("called call calls calling said says told named".split())
_NAMED: Final = (
    frozenset("me us you i im we him he her she them they my our".split()))  # who was named
_PASSIVE_NAMING: Final = frozenset(("called", "named"))
_PASSIVE_AUX: Final = frozenset("was were been got get gets getting being".split())
_NAMED_PASSIVE: Final = _NAMED | frozenset("ive weve hes shes theyve always often".split())
# What may stand between the named person and the name ("called me a fat ...", "said I was
# a ..."); anything else ("call me later you ...") means the name is said here.
_BETWEEN: Final = frozenset(
    "a an the such so just was is were am im are being be i total complete fat stupid "
    "dumb little big ugly fucking useless".split())
# The writer as the one who names ("I called him ...", "I'm not calling you ... but").
WRITER: Final = frozenset("i im ill id ive imma ima we were".split())


def speaker(tokens: Sequence[str], j: int) -> tuple[str, bool]:
    """Who says the words a reporting verb at `j` reports, and whether they are denied.

    The subject is the nearest word before the verb past auxiliaries and adverbs ("she would
    always say", "I honestly think"): "writer" (I, we, me; and "someone should tell you": an
    opinion of the writer's), "everyone" (everyone, people, they), "nobody", "you", "other"
    (he, my mom, my pastor, who...; and a passive "I was told": someone else's words), or ""
    when there is none or it is no person (an imperative, "believe me", "you better
    believe"). Denied: a negation in between ("I'd never say", "don't call yourself ...")."""
    denied = passive = modal = False
    i = j - 1
    while i >= 0 and j - i <= 6 and tokens[i] in _TO_SUBJECT:
        t = tokens[i]
        denied = denied or t in L.NEGATIONS
        passive = passive or (i == j - 1 and t in ("was", "were") and tokens[j] in _PASSIVE_TOLD)
        modal = modal or t in _OPINION_MODALS
        i -= 1
    if i < 0 or j - i > 6:
        return "", denied
    t = tokens[i]
    if passive:
        return "other", denied  # "I was told ...", "we were taught ..."
    if t in _SPEAKING_WRITER:
        return "writer", denied
    if t in _NOBODY or (t == "one" and i and tokens[i - 1] == "no"):
        return "nobody", True
    if modal and t in ("someone", "somebody", "anyone", "anybody"):
        return "writer", denied  # "someone needs to tell you you're an idiot"
    if t in _EVERYONE:
        return "everyone", denied
    if t in YOU:
        return "you", denied
    if (t in L.OTHER_SUBJECTS or t in _INNER or t in _RELATIVE_WHO or t == MENTION_TOKEN
            or (i and tokens[i - 1] in DETERMINERS)):
        return "other", denied
    return "", denied


def reported(tokens: Sequence[str], start: int) -> bool:
    """Someone else's words or beliefs told, not said here, within three words before
    `start`: "my pastor said gays are ...", "they say being gay is a sin, and I'm gay",
    "anyone who says ... is wrong", "I used to think ... until I met my best friend". Said
    here: the writer's own words, hedged or not ("I honestly think ...", "believe me, ...")."""
    for j in range(start - 1, max(-1, start - 4), -1):
        if tokens[j] in _REPORTING:
            who, denied = speaker(tokens, j)
            if denied or who in ("other", "you", "everyone"):  # ("nobody" is denied)
                return True
            return who == "writer" and "used" in tokens[max(0, j - 3):j]  # a past belief
    return False


def reported_attack(tokens: Sequence[str], start: int) -> bool:
    """An attack phrase ("kill yourself", "nobody likes you") inside words someone said to the
    writer, told: "he told me go die", "she texted me kys", "my dad would say 'kill yourself'
    when he was drunk", "anyone who says ... is wrong". Gossip passed on to the person now
    is still an attack here: "my friends all say you should kill yourself"."""
    for j in range(start - 1, max(-1, start - 4), -1):
        verb = tokens[j]
        if verb in _REPORTING:
            who, denied = speaker(tokens, j)
            if denied:
                return "but" not in tokens[start:start + 6]  # (a hedge: "not saying X but")
            if who in ("writer", ""):
                return False
            if _said_to_writer(tokens, j) or any(
                    tokens[k] in ("to", "at") and tokens[k + 1] == "me"
                    for k in range(start, min(len(tokens) - 1, start + 7))):
                return True  # said to the writer ("they kept saying kill yourself to me")
            return (tokens[max(0, j - 2)] in _RELATIVE_WHO or tokens[j - 1] in _RELATIVE_WHO
                    or "would" in tokens[max(0, j - 3):j]
                    or not _STORY_TIME.isdisjoint(tokens[max(0, j - 4):j]))
    return False


def _said_to_writer(tokens: Sequence[str], j: int) -> bool:
    """Whether the reporting verb at `j` is followed by the writer: "told me", "said to me",
    "yelled at me", "texted us"."""
    return tokens[j + 1] in _TO_THE_WRITER or tokens[j + 1:j + 3] in (["to", "me"],
                                                                      ["at", "me"])


def to_me(tokens: Sequence[str], start: int) -> bool:
    """Words someone said to the writer: "he texted me ...", "she said to me ..."."""
    for j in range(max(0, start - 4), start - 1):
        if tokens[j] in _SPEECH and (tokens[j + 1] == "me" or tokens[j + 1:j + 3] in (
                ["to", "me"], ["at", "me"])):
            return speaker(tokens, j)[0] not in ("writer", "")
    return False


def thought(tokens: Sequence[str], start: int) -> bool:
    """Someone else's thought, within three words before: "people will think you're dead"."""
    for j in range(start - 1, max(-1, start - 4), -1):
        if tokens[j] in _THINKING:
            return speaker(tokens, j)[0] not in ("writer", "")
    return False


def told_insult(tokens: Sequence[str], start: int) -> bool:
    """An insult inside words someone else said, told to the group: "he said you're
    worthless and I believed him", "my mom always told me you are stupid", "my inner voice
    says you're pathetic", "growing up I heard 'you're useless'", or denied: "I'd never say
    you're a loser", "don't call yourself a loser". Members of a codependency group tell these
    all the time. Still said here: the writer's own words ("I said you're an idiot", "told
    you so, you idiot"), what everyone says ("everyone says you're a loser"), and gossip
    passed on to the person ("my friends say you're a loser")."""
    lo = max(0, start - 7)
    window = tokens[lo:start]
    if REPORTING_ANY.isdisjoint(window) or YOU.isdisjoint(window):
        return False  # (most insults: two set tests)
    for j in range(start - 2, lo - 1, -1):
        verb = tokens[j]
        if verb not in REPORTING_ANY or YOU.isdisjoint(tokens[j + 1:start]):
            continue
        said = tokens[j + 2:start] if verb in _TELLING and tokens[j + 1] in YOU else tokens[
            j + 1:start]  # ("the voice tells you you're ...": told to you, then what)
        if sum(t in YOU for t in said) > 1:
            return False  # addressed anew: "I'd never call you an idiot, you moron"
        who, denied = speaker(tokens, j)
        if denied:  # unless a hedge: "I'm not saying you're a ..., but"
            return "but" not in tokens[start:start + 5]
        if tokens[j + 1] == "myself" or (who != "writer" and _said_to_writer(tokens, j)):
            return True  # said to the writer ("I keep telling myself", "she told me ...")
        if verb in _HEARING:  # "I heard you're an idiot" is gossip; "growing up I heard ..."
            return who != "writer" or not _STORY_TIME.isdisjoint(tokens[max(0, j - 4):start + 4])
        if who == "other":  # a story, unless passed on now ("my friends say you're ...")
            return (verb not in _SAYS_NOW or (j > 0 and tokens[j - 1] in _INNER | _FAMILY)
                    or not _STORY_TIME.isdisjoint(tokens[max(0, j - 4):j])
                    or not _STORY_AFTER.isdisjoint(tokens[start + 1:start + 9]))
        return who == "you"  # "you said you're an idiot for staying, but you're not"
    return False


# Verbs of speech said to someone; of thought; all that report words (for attacks, threats
# and group attacks); and what may frame an insult (also "call" and hearing).
_SPEECH: Final = frozenset(
    "said says told tells texted messaged wrote writes yelled screamed shouted yell yells "
    "scream screams shout shouts saying telling texting messaging yelling screaming "
    "shouting".split())
_THINKING: Final = frozenset("think thinks thought believe believes believed".split())
FEAR: Final = frozenset("scared afraid terrified frightened".split())
_REPORTING: Final = _SPEECH | _THINKING | frozenset(
    "say saying tell telling called calls calling".split())
_HEARING: Final = frozenset("heard hear hears hearing".split())
_TELLING: Final = frozenset("tell tells told telling".split())
REPORTING_ANY: Final = (_REPORTING - {"thought", "believed"}) | {"call"} | _HEARING
_TO_THE_WRITER: Final = frozenset(("me", "myself", "us"))
_SPEAKING_WRITER: Final = (WRITER - {"were"}) | {"me"}  # (as a speaker, "were" is rarely "we're")
_PASSIVE_TOLD: Final = frozenset("told taught called".split())
_OPINION_MODALS: Final = frozenset("need needs should must".split())
_RELATIVE_WHO: Final = frozenset(("who", "whoever"))
DETERMINERS: Final = frozenset("my his her their the our a an your this that".split())
# Words between a reporting verb and its subject ("she would always say", "I just wanted to
# say", "I'm not saying", "I honestly think", "we all said", "nobody here thinks").
_TO_SUBJECT: Final = frozenset(
    "always used to would kept keep keeps constantly never still wanted want wanna gonna going "
    "gotta have has had need needs just can could will might must should aint not dont didnt "
    "doesnt wont cant stop am was were is be been really literally finally even also did do "
    "honestly truly seriously actually all both here".split())
_EVERYONE: Final = frozenset("everyone everybody all people they yall ppl".split())
_NOBODY: Final = frozenset(("nobody", "noone"))
_SAYS_NOW: Final = frozenset("says say thinks think believe believes".split())
# Inner voices ("my brain says you're worthless"): the writer's own pain, not gossip.
_INNER: Final = frozenset("voice voices brain mind head depression anxiety thoughts critic".split())
# Family, whose words members recount ("my mom says you're pathetic when I cry").
_FAMILY: Final = frozenset(
    "mom mum mother dad father husband wife partner boyfriend girlfriend ex stepdad stepmom "
    "parents brother sister grandma grandpa aunt uncle".split())
# After an insult, what makes it words said over and over to the writer, told.
_STORY_AFTER: Final = frozenset("every whenever when me everyday always".split())
# Words that make something heard a story of the writer's life, not gossip passed on.
_STORY_TIME: Final = frozenset(
    "growing grew always used kept every constantly child kid kids years".split())

# Words (up to four before an attack phrase) that make its "you" anyone, or a question: "if
# you kill yourself your family would grieve", "do you suck at saying no too?", "if you think
# you are the problem, you are not". Members describe their own lives this way.
GENERIC_YOU: Final = frozenset("if when whenever do does did like".split())
def felt(toks: Sequence[str], start: int) -> bool:
    """An insult word as how "you" feel ("if you feel worthless, reach out"): a feeling,
    often a supporter's words, never the writer calling them it."""
    before = toks[max(0, start - 3):start]
    return not _FEELING_WORDS.isdisjoint(before) or (
        not _IF_YOU.isdisjoint(toks[max(0, start - 4):start]) and "you" in before)


_FEELING_WORDS: Final = frozenset("feel feels feeling felt seem seems".split())
_IF_YOU: Final = frozenset(("if", "when", "whenever"))


def caused(toks: Sequence[str], start: int) -> bool:
    """ "... will make you (want to) kill yourself", "do you ever want to ...", "if you
    wanna ...": something driving someone to it (a drug, an illness) or a question about
    their wish, told; not the phrase said to someone."""
    j = start
    if j >= 1 and toks[j - 1] == "wanna":
        j -= 1
    elif j >= 2 and toks[j - 2] == "want" and toks[j - 1] == "to":
        j -= 2
    if j < start and j >= 2 and toks[j - 1] in _WISH_ADVERBS:
        j -= 1  # ("do you ever want to ...")
    if j < 2 or toks[j - 1] not in YOU:
        return False
    return toks[j - 2] in _CAUSING or (j < start and toks[j - 2] in _ASKING_IF)


def self_talk(toks: Sequence[str], start: int) -> bool:
    """ "kys" after the writer's words about themselves ("I'm such an idiot, I know who I
    am, kys"), in a message that addresses no one (no "you", no mention) and does not frame
    it as an opinion ("I think kys", "I say kys")."""
    if MENTION_TOKEN in toks or not YOU.isdisjoint(toks):
        return False
    before = toks[max(0, start - 5):start]
    return not _SELF_TALKING.isdisjoint(before) and (
        _REPORTING.isdisjoint(before) and "would" not in before)


# The attacks a writer may aim at themselves; the words that make it about the writer.
SELF_AIMED: Final = frozenset(("kys", "kill yourself", "go die", "drop dead", "die in a fire"))
_SELF_TALKING: Final = frozenset("i im am me myself my".split())


def quotative(toks: Sequence[str], start: int) -> bool:
    """Words told with "was like", "is like", "goes": "my OCD was like 'you're dead now'"."""
    window = toks[max(0, start - 4):start]
    return any(a in _QUOTING_BE and b == "like" for a, b in pairwise(window)) or (
        "goes" in window or "went" in window)


_CAUSING: Final = frozenset("make makes made making drive drives drove driving push pushes".split())
# Before "you want to ...": a question or a condition about the addressee's wish.
_ASKING_IF: Final = frozenset("do did if when whenever does ever".split())
_WISH_ADVERBS: Final = frozenset("ever still really sometimes".split())
_QUOTING_BE: Final = frozenset("was is im were be am its".split())
# Words before "kill yourself" that make it a question about a method ("the quickest way to
# kill yourself?"): a sign of crisis in the writer, read as such, not an attack.
ASKING_HOW: Final = frozenset("way ways how method methods easiest quickest painless".split())
# Words just before a taunt that make it self-talk or kindness instead: "I want to cry about
# it", "I should get over it already", "gentle reminder: take your meds".
SOFTENERS: Final = frozenset(
    "to i we should could can ok okay want wanna need remember reminder please gentle dont "
    "didnt me myself".split())


def taken_back(tokens: Sequence[str], end: int) -> bool:
    """The writer takes it back right after: "I want to punch him ... but I won't"."""
    rest = tokens[end:end + 10]
    for i, t in enumerate(rest[:-1]):
        if t == "i":
            nxt = rest[i + 1]
            if nxt in ("wont", "wouldnt") or (nxt in ("would", "will")
                                              and rest[i + 2:i + 3] == ["never"]):
                return True
    return False


# A feeling told in the past ("I wanted to kill him when I found out, but I just cried"):
# venting about what happened, not a threat.
PAST_FEELING: Final = frozenset("wanted felt was used thought almost nearly".split())
# Chat spellings of "you" ("yo" is left out: it is also a greeting, and "yo girl" is "your").
YOU: Final = L.SECOND_PERSON | frozenset(("yu", "yuh", "youse", "yr"))
