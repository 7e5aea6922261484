"""Detectors that read the lexicon hits with their context: crisis, harassment, hate,
threat, sexual, profanity, and missing content notes.

Each returns findings; none looks at raw substrings. Context is a few tokens either side
of a hit in the same normalised form: who is the subject, who is the target, is it negated.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import pairwise
from typing import Any, Final, NamedTuple

from groupbot.moderation import lexicon as L
from groupbot.moderation.fastpath import MENTION_TOKEN
from groupbot.moderation.matcher import Hit
from groupbot.moderation.normalise import Normalised, normalise, sentence_ends


class Finding(NamedTuple):
    category: str
    rule: str
    severity: int
    note: str  # a short, moderator-readable explanation (never the member's PII)


# Builds a Finding without the NamedTuple's Python-level __new__ (the commonest finding).
_new: Any = tuple.__new__

_STOPPERS: Final = frozenset(
    "this that these those the his her their my our he she they him them it its i im me "
    "myself we us".split()
)
_PRESENT: Final = frozenset("again still tonight today lately currently anymore since".split())
# Verbs that put a crisis signal in the past, so a recovery marker nearby can close it.
_PAST_VERBS: Final = frozenset(
    "wanted tried attempted was were used felt thought had did took overdosed wished planned "
    "considered".split())
# What outweighs a recovery story: it is happening now, or keeps happening.
_STILL: Final = frozenset("again still tonight keep keeps kept constantly".split())


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


def _forms(norm: Normalised) -> Sequence[list[str]]:
    return _Forms(norm) if norm.variants else [norm.flat.split()]


def _negated(tokens: Sequence[str], start: int, window: int = 3) -> bool:
    return not L.NEGATIONS.isdisjoint(tokens[max(0, start - window):start])


def _told_sexual(tokens: Sequence[str], start: int, end: int) -> bool:
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
            if before[i + 1] in _EXPOSED and before[i] not in _WRITER:
                return True
    return bool(after) and after[0] in ("got", "were", "was", "leaked") and (
        not _EXPOSED.isdisjoint(after))


def _offered(norm: Normalised, tokens: Sequence[str], start: int, end: int) -> bool:
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


def _called_me(tokens: Sequence[str], start: int, anyone: bool = False) -> bool:
    """A name someone used on the writer or people near them, told: "my dad called me a
    ...", "they call us ...", "he said I was a ...". With `anyone` False, not when the
    writer is the one who said it ("I called him a ...")."""
    if _NAMING.isdisjoint(tokens[max(0, start - 6):start - 1]):
        return False  # (most insults: one set test)
    for j in range(max(0, start - 6), start - 1):
        if (tokens[j] in _NAMING and tokens[j + 1] in _NAMED
                and _BETWEEN.issuperset(tokens[j + 2:start])):
            return anyone or _WRITER.isdisjoint(tokens[max(0, j - 2):j])
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
_WRITER: Final = frozenset("i im ill id ive imma ima we were".split())


# --- whose words: one reader for every "someone else said it" check ------------------------

def _speaker(tokens: Sequence[str], j: int) -> tuple[str, bool]:
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
    if t in _YOU:
        return "you", denied
    if (t in L.OTHER_SUBJECTS or t in _INNER or t in _RELATIVE_WHO or t == MENTION_TOKEN
            or (i and tokens[i - 1] in _DETERMINERS)):
        return "other", denied
    return "", denied


def _reported(tokens: Sequence[str], start: int) -> bool:
    """Someone else's words or beliefs told, not said here, within three words before
    `start`: "my pastor said gays are ...", "they say being gay is a sin, and I'm gay",
    "anyone who says ... is wrong", "I used to think ... until I met my best friend". Said
    here: the writer's own words, hedged or not ("I honestly think ...", "believe me, ...")."""
    for j in range(start - 1, max(-1, start - 4), -1):
        if tokens[j] in _REPORTING:
            who, denied = _speaker(tokens, j)
            if denied or who in ("other", "you", "everyone"):  # ("nobody" is denied)
                return True
            return who == "writer" and "used" in tokens[max(0, j - 3):j]  # a past belief
    return False


def _reported_attack(tokens: Sequence[str], start: int) -> bool:
    """An attack phrase ("kill yourself", "nobody likes you") inside words someone said to the
    writer, told: "he told me go die", "she texted me kys", "my dad would say 'kill yourself'
    when he was drunk", "anyone who says ... is wrong". Gossip passed on to the person now
    is still an attack here: "my friends all say you should kill yourself"."""
    for j in range(start - 1, max(-1, start - 4), -1):
        verb = tokens[j]
        if verb in _REPORTING:
            who, denied = _speaker(tokens, j)
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


def _to_me(tokens: Sequence[str], start: int) -> bool:
    """Words someone said to the writer: "he texted me ...", "she said to me ..."."""
    for j in range(max(0, start - 4), start - 1):
        if tokens[j] in _SPEECH and (tokens[j + 1] == "me" or tokens[j + 1:j + 3] in (
                ["to", "me"], ["at", "me"])):
            return _speaker(tokens, j)[0] not in ("writer", "")
    return False


def _thought(tokens: Sequence[str], start: int) -> bool:
    """Someone else's thought, within three words before: "people will think you're dead"."""
    for j in range(start - 1, max(-1, start - 4), -1):
        if tokens[j] in _THINKING:
            return _speaker(tokens, j)[0] not in ("writer", "")
    return False


def _told_insult(tokens: Sequence[str], start: int) -> bool:
    """An insult inside words someone else said, told to the group: "he said you're
    worthless and I believed him", "my mom always told me you are stupid", "my inner voice
    says you're pathetic", "growing up I heard 'you're useless'", or denied: "I'd never say
    you're a loser", "don't call yourself a loser". Members of a codependency group tell these
    all the time. Still said here: the writer's own words ("I said you're an idiot", "told
    you so, you idiot"), what everyone says ("everyone says you're a loser"), and gossip
    passed on to the person ("my friends say you're a loser")."""
    lo = max(0, start - 7)
    window = tokens[lo:start]
    if _REPORTING_ANY.isdisjoint(window) or _YOU.isdisjoint(window):
        return False  # (most insults: two set tests)
    for j in range(start - 2, lo - 1, -1):
        verb = tokens[j]
        if verb not in _REPORTING_ANY or _YOU.isdisjoint(tokens[j + 1:start]):
            continue
        said = tokens[j + 2:start] if verb in _TELLING and tokens[j + 1] in _YOU else tokens[
            j + 1:start]  # ("the voice tells you you're ...": told to you, then what)
        if sum(t in _YOU for t in said) > 1:
            return False  # addressed anew: "I'd never call you an idiot, you moron"
        who, denied = _speaker(tokens, j)
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
_FEAR: Final = frozenset("scared afraid terrified frightened".split())
_REPORTING: Final = _SPEECH | _THINKING | frozenset(
    "say saying tell telling called calls calling".split())
_HEARING: Final = frozenset("heard hear hears hearing".split())
_TELLING: Final = frozenset("tell tells told telling".split())
_REPORTING_ANY: Final = (_REPORTING - {"thought", "believed"}) | {"call"} | _HEARING
_TO_THE_WRITER: Final = frozenset(("me", "myself", "us"))
_SPEAKING_WRITER: Final = (_WRITER - {"were"}) | {"me"}  # (as a speaker, "were" is rarely "we're")
_PASSIVE_TOLD: Final = frozenset("told taught called".split())
_OPINION_MODALS: Final = frozenset("need needs should must".split())
_RELATIVE_WHO: Final = frozenset(("who", "whoever"))
_DETERMINERS: Final = frozenset("my his her their the our a an your this that".split())
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


# Signs of distress without crisis: hopelessness, feeling a burden or trapped, self-hatred.
_DISTRESS: Final = Finding("distress", "distress.signs", 1,
                    "distress: signs of hopelessness or distress, no sign of crisis")

# How a crisis note names danger from someone (the care reply looks for it: see
# features.moderation).
DANGER_LABEL: Final = "someone hurting them or putting them in danger"
# A threat someone made to the writer, told to the group: cared for as danger to them.
RECEIVED_THREAT: Final = Finding("crisis", "crisis.danger", 2,
                          f"crisis: signs of {DANGER_LABEL} (severity 2)")

# Words (up to four before an attack phrase) that make its "you" anyone, or a question: "if
# you kill yourself your family would grieve", "do you suck at saying no too?", "if you think
# you are the problem, you are not". Members describe their own lives this way.
_GENERIC_YOU: Final = frozenset("if when whenever do does did like".split())
def _felt(toks: Sequence[str], start: int) -> bool:
    """An insult word as how "you" feel ("if you feel worthless, reach out"): a feeling,
    often a supporter's words, never the writer calling them it."""
    before = toks[max(0, start - 3):start]
    return not _FEELING_WORDS.isdisjoint(before) or (
        not _IF_YOU.isdisjoint(toks[max(0, start - 4):start]) and "you" in before)


_FEELING_WORDS: Final = frozenset("feel feels feeling felt seem seems".split())
_IF_YOU: Final = frozenset(("if", "when", "whenever"))


def _caused(toks: Sequence[str], start: int) -> bool:
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
    if j < 2 or toks[j - 1] not in _YOU:
        return False
    return toks[j - 2] in _CAUSING or (j < start and toks[j - 2] in _ASKING_IF)


def _self_talk(toks: Sequence[str], start: int) -> bool:
    """ "kys" after the writer's words about themselves ("I'm such an idiot, I know who I
    am, kys"), in a message that addresses no one (no "you", no mention) and does not frame
    it as an opinion ("I think kys", "I say kys")."""
    if MENTION_TOKEN in toks or not _YOU.isdisjoint(toks):
        return False
    before = toks[max(0, start - 5):start]
    return not _SELF_TALKING.isdisjoint(before) and (
        _REPORTING.isdisjoint(before) and "would" not in before)


# The attacks a writer may aim at themselves; the words that make it about the writer.
_SELF_AIMED: Final = frozenset(("kys", "kill yourself", "go die", "drop dead", "die in a fire"))
_SELF_TALKING: Final = frozenset("i im am me myself my".split())


def _quotative(toks: Sequence[str], start: int) -> bool:
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
_ASKING_HOW: Final = frozenset("way ways how method methods easiest quickest painless".split())
# Words just before a taunt that make it self-talk or kindness instead: "I want to cry about
# it", "I should get over it already", "gentle reminder: take your meds".
_SOFTENERS: Final = frozenset(
    "to i we should could can ok okay want wanna need remember reminder please gentle dont "
    "didnt me myself".split())


def _taken_back(tokens: Sequence[str], end: int) -> bool:
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
_PAST_FEELING: Final = frozenset("wanted felt was used thought almost nearly".split())


# --- crisis --------------------------------------------------------------------------------

def crisis(norm: Normalised, hits: Sequence[Hit], quoted: Sequence[Hit] | None,
           read: frozenset[Hit] = frozenset()) -> Finding | None:
    """First-person suicidal thoughts, self-harm, plans or attempts; not support or quotes.

    `quoted` are the crisis hits left after quoted passages were removed (None when the
    message had no quotes): a crisis phrase that only appears inside a quote is not one.
    Each signal is read in its own neighbourhood (a long post can tell a story from years
    ago and say how things are tonight): a recovery story around it ("I'm doing better
    now") or supportive words addressed to someone else drop it; a past-time marker next
    to it ("when I was a teen") makes it a gentle severity 1 unless a present marker
    ("again", "tonight") is there too. Distress signals (hopelessness, feeling trapped)
    are weak alone: two different ones, or one with a stronger signal, count; so does a
    single one in a long post mostly about the writer's own life (a gentle severity 1).
    Having the means counts only next to another signal, and then means severity 3.
    `read` are the signals the care reader found (care.py): it has read who says them and
    their negation within their own sentence, so only the neighbourhood is read here.
    """
    signals = [h for h in hits if h.tag.startswith("crisis.")]
    if not signals:
        return None
    if quoted is not None:
        kept = {(h.tag, h.phrase) for h in quoted}
        signals = [h for h in signals if (h.tag, h.phrase) in kept]
        if not signals:
            return None
    forms = _forms(norm)
    # A negated recovery marker ("things haven't gotten better") is no recovery story.
    context = [h for h in hits if h.tag in _CONTEXT_TAGS and not (
        h.tag == "recovery" and not _UNDONE.isdisjoint(forms[h.form][max(0, h.start - 2):h.start]))]
    strong: list[Hit] = []
    weak: list[Hit] = []
    means: list[Hit] = []
    history_only = True
    for h in signals:
        history = False
        toks = forms[h.form]
        start, end = h.start, h.start + h.length
        if h.tag in _DANGER_TAGS:
            if _in_danger(toks, h, context):
                strong.append(h)
                history_only = False
            continue
        before3 = toks[max(0, start - 3):start]
        checked = h in read
        if not checked and any(t in L.NEGATIONS and t != "didnt" for t in before3) and not (
                "if" in before3 and toks[start] not in _WANTING):
            continue  # "I would never..." (but "the only reason I didn't..." and
            # "scared that if I don't end it..." still count)
        own = checked or any(t in L.FIRST_PERSON for t in toks[start:end])
        if not own:
            # A generic phrase ("want to die") needs a first-person subject, or none.
            subject = None
            for t in reversed(toks[max(0, start - 4):start]):
                if t in L.FIRST_PERSON:
                    subject = "self"
                    break
                if t in L.OTHER_SUBJECTS:
                    subject = "other"
                    break
            if subject == "other":
                continue
            own = subject == "self"
            if not own and toks[start] in _TOPICAL and _SELF_EVIDENT.isdisjoint(
                    toks[start:end]):
                # "suicidal thoughts", "suicide note": a topic, unless the sentence is about me
                before = toks[max(0, start - _NEAR):start]
                mine = sum(t in L.FIRST_PERSON for t in before)
                if not mine or mine <= sum(t in L.SECOND_PERSON or t in L.OTHER_SUBJECTS
                                           for t in before):
                    continue
        if h.severity < 3:
            lo, hi = start - _NEAR, end + _NEAR
            wlo, whi = start - _WIDE, end + _WIDE
            near: set[str] = set()
            wide: set[str] = set()
            for c in context:
                if wlo <= c.start < whi:
                    wide.add(c.tag)
                    if lo <= c.start < hi:
                        near.add(c.tag)
            window = toks[max(0, lo):hi]
            present = any(t in _PRESENT for t in window)
            if ("recovery" in wide and not any(t in _STILL for t in window)
                    and ("past" in near or not _PAST_VERBS.isdisjoint(
                        toks[max(0, start - 3):end]))):
                continue  # a recovery story ("I tried years ago; I'm doing better now"),
                # told of the past: "I'm okay now, I just want to die" is not one
            if "past" in near and not present:
                history = True  # "when I was a teen I tried to...": counted, at severity 1
            if not own and "support" in wide:
                around = toks[max(0, wlo):whi]
                if "support" in near or sum(t in L.SECOND_PERSON for t in around) >= sum(
                        t in L.FIRST_PERSON for t in around):
                    continue  # "if you want to die, please call..."
        history_only = history_only and history
        kind = h.tag[7:]
        if kind == "distress":
            weak.append(h)
        elif kind == "means":
            means.append(h)
        else:
            strong.append(h)
    if not strong and not (weak and means):
        if not weak:
            return None
        # Hopelessness, feeling a burden or trapped, "I can't do this anymore": the gentle
        # tier (a short private note), unless the message also names a way to die.
        return _DISTRESS if not history_only else None
    severity = max((h.severity for h in strong), default=1)
    if history_only:
        severity = 1  # it all happened in the past: a gentle check-in, not an alarm
    if means:
        severity = 3
    if any(h.tag == "crisis.attempt" and h.phrase.startswith("i just") for h in strong):
        severity = 3  # happening now
    kinds = sorted({_KIND.get(h.tag, h.tag[7:]) for h in strong} | ({"distress"} if weak else set())
                   | ({"means"} if means else set()))
    note = "crisis: signs of " + ", ".join(_CRISIS_LABELS[k] for k in kinds)
    note += f" (severity {severity})"
    rule = "crisis." + kinds[0] if len(kinds) == 1 else "crisis.signals"
    return Finding("crisis", rule, severity, note)


def _in_danger(toks: Sequence[str], h: Hit, context: Sequence[Hit]) -> bool:
    """Someone hurting the writer now, or just now: "my ex choked me last night", "he keeps
    hitting me", "I'm scared he'll kill me". Not a story from long ago ("my dad hit me when I
    was a kid"), not denied ("he never hit me"), not an idiom ("he hit me up", "she beats me
    at chess", "it hit me today that ...")."""
    start, end = h.start, h.start + h.length
    before = toks[max(0, start - 3):start]
    if len(before) > 1 and before[-1] in ("stop", "stops") and before[-2] in L.NEGATIONS:
        before = before[:-2]  # "he won't stop hitting me": a double negative
    if not L.NEGATIONS.isdisjoint(before):
        return False
    if any(c.tag == "past" and abs(c.start - start) <= _NEAR for c in context) and (
            _NOW.isdisjoint(toks[max(0, start - 4):end + 4])):
        return False  # (but "he used to be sweet, now he hits me")
    if h.tag != "crisis.danger":  # "... me": who did it, and not an idiom
        if end < len(toks) and toks[end] in _NOT_HARM_AFTER:
            return False
        if toks[start] in _MAY_KILL and _THREAT_CUES.isdisjoint(toks[max(0, start - 5):start]):
            return False  # "my wife would kill me if I bought another guitar"
        i = start - 1
        while i >= 0 and start - i <= 4 and toks[i] in _ADVERBS:
            i -= 1
        if toks[start] in _PASSIVE and end + 1 < len(toks) and toks[end] == "by" and (
                toks[end + 1] not in _HARMERS and toks[end + 1] not in _DETERMINERS):
            return False  # "I was attacked by anxiety today", "beaten up by life"
        if toks[start] not in _HARMER_IN and toks[start] not in _PASSIVE and (
                i < 0 or toks[i] not in _HARMERS) and not (
                i > 0 and toks[i] == "and" and not _HARMERS.isdisjoint(toks[max(0, i - 4):i])):
            return False  # (the subject of an earlier verb: "my husband gets drunk and hits me")
        if h.tag == "crisis.harmed":  # it happened: only just now counts
            around = toks[max(0, start - 8):end + 8]
            return not _RECENT.isdisjoint(around) or any(
                a in ("last", "this") and b in _RECENT_AFTER_LAST
                for a, b in pairwise(around))
    return True


def writer_is_young(text: str) -> bool:
    """Whether the writer says they are a child or a teenager ("I'm 16 and ...", "I'm in high
    school"): their care reply then leads with lines for young people."""
    return _YOUNG.search(normalise(text).flat) is not None


_YOUNG: Final = re.compile(
    r" (?:im|i am) (?:only |just )?(?:1[0-7]|[7-9]|seven|eight|nine|ten|eleven|twelve"
    r"|thirteen|fourteen|fifteen|sixteen|seventeen)(?: years? old| yrs old| yo|yo| yrs)?"
    r" (?:$|and |but |so |im |i |my |with )"
    r"| (?:im|i am) (?:only |just |still )?(?:a minor|underage|under 18|a teen|a teenager"
    r"|(?:still )?in (?:middle|high) school|in (?:grade|year) \d)"
    r"| (?:im|i am) an? (?:1[0-7]|[7-9]) (?:year old|yo)")


_DANGER_TAGS: Final = frozenset(("crisis.danger", "crisis.harming", "crisis.harmed"))
_KIND: Final = {"crisis.harming": "danger", "crisis.harmed": "danger"}
# Who hurts the writer in "<someone> hit me" (not "it", "life", "reality" or "you").
_HARMERS: Final = (L.OTHER_SUBJECTS - L.SECOND_PERSON
            - {"people", "everyone", "anyone", "kid", "kids", "child", "children"}) | frozenset(
    "bf gf fiance fiancee stepdad stepfather stepmom stepmother landlord guy man woman mum mam "
    "mama mommy mummy papa daddy".split())
_ADVERBS: Final = frozenset(
    "just again also then has had literally actually always even finally once still really "
    "sometimes often is are keeps keep stop stops been said says wont never doesnt".split())
# Contractions with a person in them: "he'll hurt me". "would"/"he'd" ... "kill me" is also
# everyday exaggeration ("she'd kill me if she knew"): only with a threat said or feared.
_HARMER_IN: Final = frozenset("hed shed theyd hell shell theyll".split())
_MAY_KILL: Final = frozenset("hed shed theyd would".split())
_THREAT_CUES: Final = frozenset(
    "said says swore swears threatened threatens promised warned scared afraid terrified "
    "told".split())
_PASSIVE: Final = frozenset(("i", "ive", "im"))  # "I was raped last night": no one named
_NOW: Final = frozenset("now still again tonight today".split())
# "hit me up", "beats me at chess", "beat me to it", "hit me with the news" (a weapon is
# its own phrase)
_NOT_HARM_AFTER: Final = frozenset("up at out off from back with to".split())
_RECENT: Final = frozenset(
    "tonight today yesterday again earlier just recently hours minutes yday".split())
_RECENT_AFTER_LAST: Final = frozenset("night morning evening week weekend afternoon".split())


# First words of crisis phrases that name a topic rather than say something about oneself:
# they count only with a first-person subject ("I have suicidal thoughts").
_TOPICAL: Final = frozenset(
    "suicidal suicide thoughts thought attempted failed botched unsuccessful several multiple "
    "two three many goodbye lethal fatal painless quick easy how ways best easiest quickest "
    "fresh new days weeks months years the death dying psych psychiatric mental".split())


def _about_myself(toks: Sequence[str]) -> bool:
    """A long post mostly about the writer's own life, where one sign of hopelessness is
    enough for a gentle check-in. Everyday chat is short; a supportive reply talks to "you"."""
    if len(toks) < _LONG_POST:
        return False
    mine = yours = 0
    for t in toks:
        if t in L.FIRST_PERSON:
            mine += 1
        elif t in L.SECOND_PERSON:
            yours += 1
    return mine * 100 >= len(toks) * _MINE_PERCENT and mine > 2 * yours


def _separate(hits: list[Hit]) -> int:
    """How many of `hits` do not overlap ("i cant go on" and "cant go on" are one)."""
    count, end, form = 0, -1, 0
    for h in sorted(hits, key=lambda h: (h.form, h.start)):
        if h.form != form:
            form, end = h.form, -1
        if h.start >= end:
            count += 1
            end = h.start + h.length
    return count


# Words that make a topical phrase personal on their own ("suicidal thoughts are back").
_SELF_EVIDENT: Final = frozenset("again back tonight lately returned worse stronger".split())
# A negation in a conditional ("if I don't ...") does not cancel an act, but does a wish.
_WANTING: Final = frozenset("want wanna need".split())
_UNDONE: Final = L.NEGATIONS | {"nothing", "hasnt", "havent", "hadnt", "barely"}

_LONG_POST: Final = 30  # tokens: shorter than this, one distress signal alone is not enough
_MINE_PERCENT: Final = 8  # ... nor in a post where fewer than this share of words are I/me/my
_NEAR: Final = 10  # tokens either side of a crisis signal read as its neighbourhood
_WIDE: Final = 30  # ... and as the passage it belongs to (recovery, whom it is addressed to)
_CONTEXT_TAGS: Final = frozenset(("past", "support", "recovery"))
_CRISIS_LABELS: Final = {"ideation": "suicidal thoughts", "selfharm": "self-harm",
                  "plan": "a plan or intent", "attempt": "a suicide attempt",
                  "distress": "hopelessness or distress", "means": "access to means",
                  "danger": DANGER_LABEL}


# --- harassment, hate, threat, sexual, profanity --------------------------------------------

def _target(toks: Sequence[str], start: int, length: int, names: frozenset[str]) -> str | None:
    """The person an insult at `start` is aimed at: you, a mention, or a member's name; or
    someone pointed at ("that idiot", "this stupid bitch": `THIRD_PARTY`, a mild nudge),
    for an insult that names a person."""
    if toks[start] in _PERSON_INSULTS:
        for i in range(start - 1, max(-1, start - 4), -1):
            kind = _POINTED.get(toks[i])
            if kind is not None:
                if kind == _POINT:
                    return THIRD_PARTY
                # a word that ends the pointing: "<someone> is (such) a <insult>" is how
                # members describe people who hurt them ("my mom is such a ..."), which a
                # support group hears, not polices
                break
    # up to four words before it, nearest first (fillers such as "a", "such", "fucking" not
    # counted: "you look like a fucking clown"), then up to three after it
    end = start + length
    after = toks[end:end + 3]
    if start >= 2 and toks[start - 2] == "what" and (
            after[:1] in (["hes"], ["shes"], ["theyre"]) or tuple(after[:2]) in _DESCRIBED):
        return None  # "@sam what an idiot he is": about him, told to Sam
    if after and (after[0] in _BRUSH_OFF_WORDS or tuple(after[:2]) in _BRUSH_OFFS):
        # "loser, go away" (not told: "he texted me 'loser, go away'")
        return None if _told_brush_off(toks, start) else "you"
    counted = 0
    i = start - 1
    last = max(-1, start - 9)
    while i > last and counted < 4:
        t = toks[i]
        kind = _AROUND.get(t)
        if kind is None:
            if t not in _FILLERS:
                if names and t in names and start - i <= 4:
                    return "a member by name"
                counted += 1
        elif kind == _AT_YOU:
            if t not in _POSSESSIVE or (i + 1 == start and not (
                    start + length < len(toks) and toks[start + length] in _OWNED
                    and toks[start] not in _NEVER_OWNED)) or (
                    i + 1 < start and toks[i + 1] in _YOURE_NEXT):
                return "you"  # (not "your stupid brain lies to you", "your idiot ex")
            counted += 1  # "dont let your boss call you a ...": someone of yours; read on
        elif kind == _COPULA:  # "<subject> is a ...": about whoever the subject is
            i -= 1
            while i >= 0 and toks[i] in _BEFORE_COPULA:  # "you guys really are ..."
                i -= 1
            return _who(toks[i], names) if i >= 0 else None
        elif kind == _STOP:  # someone else in between ("you know, my brother is a ...")
            return None
        elif kind == _CLAUSE:  # a new clause: what came before is about something else,
            if counted == 0 and t == "but" and _youre_but(toks, i):
                return "you"  # unless it is "you're kind but a loser"
            break
        elif kind == _NEG:  # "you are not a burden", "you are not a failure or a loser"
            if t != "no" or toks[i + 1] not in _NO_NEGATION:
                return None
            counted += 1  # "no one cares, loser"
        elif kind == _AT_MENTION:
            if start - i <= 4:  # a mention counts only close by, fillers and all
                return "a mention"
            counted += 1
        else:  # _BRUSH: the end of a brush-off said with the insult ("get lost, idiot")
            if counted == 0 and _brushed_off(toks, i):
                return "you"
            counted += 1
        i -= 1
    for t in after:
        who = _who(t, names)
        if who or _AROUND.get(t) in _ENDS_AFTER:
            return _YOU_AFTER if who == "you" else who
    return None


def _youre_but(toks: Sequence[str], i: int) -> bool:
    """Whether the clause before "but" at `i` describes the person addressed, in up to two
    words ("you're kind but a loser", "you are smart but such an idiot"); not when anyone
    else is named in between ("you're right but he's an idiot" stops at "he's" first)."""
    for k in range(i - 1, max(-1, i - 4), -1):
        t = toks[k]
        if t in _YOURE or (t in ("are", "r") and k and toks[k - 1] in ("you", "u")):
            return k < i - 1  # (something said of them: "you're ... but")
        if _AROUND.get(t) is not None and t not in _ADVERBS_AIMED:
            return False
    return False


_YOURE: Final = frozenset(("youre", "ur", "yure"))


# `_target`'s answer for a "you" after the insult: `abuse` checks that it is in the same
# sentence ("what a jerk. you ok?" is a reply to someone hurt by a jerk).
_YOU_AFTER: Final = "you (after)"


def _cared_for(toks: Sequence[str], end: int) -> bool:
    """Whether the "you" after an insult begins care for the member: "he sounds like a total
    jerk, you deserve better", "what an asshole, you ok?"."""
    for k in range(end, min(len(toks) - 1, end + 3)):
        if toks[k] in _YOU:
            return toks[k + 1] in _CARING_AFTER
    return False


_CARING_AFTER: Final = frozenset("deserve deserved matter ok okay didnt".split())


def _across_sentences(norm: Normalised, toks: Sequence[str], end: int) -> bool:
    """Whether the first "you" after the insult ending at token `end` starts a new sentence."""
    ends = sentence_ends(norm)
    if ends is None:
        return False
    for k in range(end, min(len(toks), end + 3)):
        if toks[k] in _YOU:
            return bisect_right(ends, end - 1) != bisect_right(ends, k)
    return False


def _who(word: str, names: frozenset[str]) -> str | None:
    kind = _AROUND.get(word)
    if kind == _AT_YOU:
        return "you"
    if kind == _AT_MENTION:
        return "a mention"
    return "a member by name" if names and word in names else None


def _brushed_off(toks: Sequence[str], i: int) -> bool:
    """Whether the brush-off ending at `i` ("get lost", "stfu") is said here."""
    j = i if toks[i] in _BRUSH_OFF_WORDS else i - 1
    if j < 0 or (j < i and (toks[j], toks[i]) not in _BRUSH_OFFS):
        return False
    return not _told_brush_off(toks, j)


def _told_brush_off(toks: Sequence[str], j: int) -> bool:
    """A brush-off starting at `j` inside told words: "I told him to get lost, the idiot",
    "my dad would scream shut up idiot at me", "he texted me fuck off loser"."""
    for k in range(j - 1, max(-1, j - 4), -1):
        t = toks[k]
        if t == "to" and k == j - 1:
            return True
        if t in _REPORTING_ANY:
            return _speaker(toks, k)[0] != "writer" or (
                k + 1 < j and toks[k + 1] in _OBJECTS)  # "I wanted to tell him get lost ..."
    return False


THIRD_PARTY: Final = "someone pointed at (this/that)"
# Words between "you" and an insult that do not count towards the four-word window.
_FILLERS: Final = frozenset(
    "a an such fucking fuckin fkn freaking frickin little lil big total complete absolute "
    "utter real damn bloody".split())
# "your"/"ur" are also "you're" ("your a joke", "ur so dumb"): aimed at you only when what
# follows is not someone of yours ("your boss is an idiot").
_POSSESSIVE: Final = frozenset(("your", "ur", "yr"))
_ADVERBS_AIMED: Final = frozenset(
    "so just really always still literally truly totally actually honestly seriously kinda "
    "such".split())
_YOURE_NEXT: Final = _FILLERS | _ADVERBS_AIMED | frozenset(("being", "acting"))
# Insults that are never a description of something a member has ("your whore mother").
_NEVER_OWNED: Final = frozenset(
    "whore whores slut sluts bitch bitches cunt cunts hoe hoes skank skanks twat twats retard "
    "retarded".split())
# What a member has that an insult can describe: "your stupid brain", "your idiot ex".
_OWNED: Final = frozenset(
    "ex boyfriend girlfriend husband wife partner bf gf fiance fiancee boss abuser brain mind "
    "head thoughts depression anxiety illness disorder job car phone".split())
# Between a subject and its "is"/"are": fillers, adverbs and the plural of "you" ("you guys
# are idiots", "you two really are ...").
_BEFORE_COPULA: Final = _FILLERS | _ADVERBS_AIMED | frozenset(
    "all both two three lot guys people folks sir".split())
# Brush-offs said to someone ("get lost", "stfu"): an insult next to one is aimed at them.
_BRUSH_OFFS: Final = frozenset(
    (a, b) for a, bs in (("get", "lost out"), ("fuck", "off"), ("piss", "off"), ("go", "away"),
                         ("shut", "up"), ("bugger", "off"), ("sod", "off"), ("back", "off"),
                         ("screw", "off"), ("bog", "off")) for b in bs.split())
_BRUSH_OFF_WORDS: Final = frozenset(("stfu", "gtfo", "stfd", "foh"))
_OBJECTS: Final = frozenset("me him her them us".split())
_DESCRIBED: Final = frozenset((("he", "is"), ("she", "is"), ("he", "was"), ("she", "was"),
                        ("they", "are"), ("they", "were")))
_NO_NEGATION: Final = frozenset(("one", "way"))  # "no one", "no way": not a negation of the insult
# Chat spellings of "you" ("yo" is left out: it is also a greeting, and "yo girl" is "your").
_YOU: Final = L.SECOND_PERSON | frozenset(("yu", "yuh", "youse", "yr"))
_POINTING: Final = frozenset(("this", "that", "dat", "dis", "thiss", "thatt"))
# Words that break "that ... <insult>" apart ("that is a bitch" is an idiom, not a person).
_NOT_BETWEEN: Final = frozenset("is was s a an of to and or but be been are were its thats".split())
# What `_target` reads in a word, one lookup per word: around an insult, "you", a mention or
# a word that stops the search; before a person-naming insult, a pointing word or a word
# that ends the pointing.
_AT_YOU, _AT_MENTION, _STOP, _POINT, _END, _COPULA, _CLAUSE, _NEG, _BRUSH = range(1, 10)
_AROUND: Final[dict[str, int]] = {t: _AT_YOU for t in _YOU}
_AROUND[MENTION_TOKEN] = _AT_MENTION
for _t in (*_STOPPERS, "imma", "ima", "ill", "id", "ive",  # (the writer)
           "hes", "shes", "theyre", "theyve", "itd", "itll"):
    _AROUND.setdefault(_t, _STOP)
for _t in ("and", "but", "because", "cause", "while", "although", "though"):
    _AROUND[_t] = _CLAUSE
for _t in L.NEGATIONS:
    _AROUND.setdefault(_t, _NEG)
for _t in ("is", "isnt", "was", "wasnt", "are", "arent", "were", "werent"):
    _AROUND[_t] = _COPULA
_ENDS_AFTER: Final = frozenset((_STOP, _COPULA, _CLAUSE))  # after an insult, these end the search
for _t in (*_BRUSH_OFF_WORDS, *(b for _a, b in _BRUSH_OFFS)):
    _AROUND.setdefault(_t, _BRUSH)
_POINTED: Final[dict[str, int]] = {t: _POINT for t in _POINTING}
for _t in _STOPPERS | _NOT_BETWEEN | _YOU:
    _POINTED.setdefault(_t, _END)
# Insults that name a person (so "that <insult>" points at someone); not adjectives ("that
# ugly sweater") or words with other senses ("that pig", "that clown show").
_PERSON_INSULTS: Final = frozenset(
    "idiot idiots moron morons loser losers dumbass dumbasses retard retards bitch bitches "
    "slut sluts whore whores hoe hoes skank skanks cunt cunts twat twats prick pricks asshole "
    "assholes arsehole arseholes bastard bastards imbecile imbeciles dipshit dipshits douche "
    "douchebag douchebags jackass jackasses dickhead dickheads shithead shitheads fatass "
    "wanker wankers tosser tossers scumbag scumbags lowlife thot thots slag slags hag hags "
    "bimbo cocksucker motherfucker fucktard tard creep creeps".split())

_ACTING: Final = frozenset(("insult", "attack", "violence", "threat", "sexual", "sexual.topic"))


def abuse(norm: Normalised, hits: Sequence[Hit], names: frozenset[str]) -> list[Finding]:
    out: list[Finding] = []
    forms: Sequence[list[str]] | None = None
    supportive = False
    profane: list[str] = []
    acting: list[Hit] = []
    benign: list[Hit] = []
    for h in hits:
        tag = h.tag
        if tag == "profanity":
            profane.append(h.phrase)
        elif tag in _ACTING:
            acting.append(h)
        elif tag == "support":
            supportive = True
        elif tag == "benign":
            benign.append(h)
    if benign:  # "maine coon", "tranny fluid": the word inside is used in its innocent sense
        acting = [h for h in acting if not any(
            b.form == h.form and b.start <= h.start and h.start + h.length <= b.start + b.length
            for b in benign)]
    for h in acting:
        tag = h.tag
        if tag in ("insult", "attack", "violence", "threat"):
            if forms is None:
                forms = _forms(norm)
            toks = forms[h.form]
            if tag == "insult":
                # Aimed at someone, and not a name told ("whoever called you an idiot is
                # wrong", "he said you're worthless"): the target first, as most insults
                # in chat have none.
                who = _target(toks, h.start, h.length, names)
                if who is _YOU_AFTER:  # ("what a jerk. you ok?"; not "moron. you ...")
                    who = None if (h.form == 0 and h.start >= 2 and toks[h.start - 2] in (
                        "what", "such") and _across_sentences(
                        norm, toks, h.start + h.length)) or _cared_for(
                        toks, h.start + h.length) else "you"
                if who and not (_negated(toks, h.start, 2)
                                or (who == "you" and _felt(toks, h.start))
                                or _called_me(toks, h.start, anyone=True)
                                or (_told_insult(toks, h.start)
                                    and MENTION_TOKEN not in toks)):  # (told to someone)
                    # About someone not addressed ("that idiot"): mild, a reminder.
                    severity = 1 if who == THIRD_PARTY else h.severity
                    key: tuple[Any, ...] = ("insult", h.phrase, severity, who)
                    found = _FINDINGS.get(key)
                    if found is None:
                        found = _remember(key, Finding(
                            "harassment", "harassment.insult", severity,
                            f'harassment: insult "{h.phrase}" aimed at {who}'))
                    out.append(found)
            elif tag == "attack":
                if (supportive or _negated(toks, h.start, 5) or _reported_attack(toks, h.start)
                        or not _GENERIC_YOU.isdisjoint(toks[max(0, h.start - 4):h.start])
                        or not _ASKING_HOW.isdisjoint(toks[max(0, h.start - 3):h.start])
                        or _caused(toks, h.start) or _quotative(toks, h.start)
                        or (h.phrase in L.TAUNT_PHRASES and h.start
                            and toks[h.start - 1] in _SOFTENERS)):
                    continue  # (last: "it's ok to cry about it", "remember to take your meds")
                if h.phrase in _SELF_AIMED and _self_talk(toks, h.start) and (
                        _DISTRESS not in out):
                    # "I'm such an idiot ... I know who I am, kys": most likely said to
                    # oneself, a sign of distress; it may still be aimed at the channel, so
                    # the attack stands too and care turns it into an escalation (the
                    # moderators look, nothing is removed, no strike)
                    out.append(_DISTRESS)
                out.append(Finding("harassment", "harassment.attack", h.severity,
                                   f'harassment: "{h.phrase}" said to someone'))
            elif tag == "threat":
                if _negated(toks, h.start, 3) or _thought(toks, h.start) or _quotative(
                        toks, h.start):
                    continue  # (a thought: "people will think you're dead")
                if _to_me(toks, h.start) or (
                        not _FEAR.isdisjoint(toks) and _reported(toks, h.start)):
                    # "my ex texted me I know where you live": a threat the writer received,
                    # told; not theirs, but they may be in danger (first: see engine). Any
                    # other framing ("my friend said ...", "just saying, ...") is still a
                    # threat here, for moderators to judge.
                    if not (out and out[0] is RECEIVED_THREAT):
                        out.insert(0, RECEIVED_THREAT)
                    continue
                out.append(Finding("threat", "threat.phrase", 3, f'threat: "{h.phrase}"'))
            else:  # violence verb: first-person intent before it, a target after it
                before = toks[max(0, h.start - 4):h.start]
                after = toks[h.start + h.length:h.start + h.length + 3]
                if (not _WRITER.isdisjoint(before)  # "I", "we" (not "my dad would say")
                        and not _reported_attack(toks, h.start)
                        and any(t in L.INTENT or t in ("could", "would", "should", "might")
                                for t in before)
                        and any(t in L.THREAT_TARGETS for t in after)
                        and not any(t in L.NEGATIONS for t in before)
                        and _PAST_FEELING.isdisjoint(before)
                        and not _taken_back(toks, h.start + h.length)):
                    out.append(Finding("threat", "threat.violence", 2,
                                       f'threat: "{h.phrase}" aimed at someone'))
        elif tag in ("sexual", "sexual.topic"):
            if forms is None:
                forms = _forms(norm)
            if _told_sexual(forms[h.form], h.start, h.start + h.length):
                continue  # what happened to the writer, or their recovery: welcome here
            if tag == "sexual.topic" and not _offered(
                    norm, forms[h.form], h.start, h.start + h.length):
                continue  # named in a member's life (an addiction, their sex life): welcome
            out.append(Finding("sexual", "sexual.explicit", h.severity,
                               f'sexual: "{h.phrase}"'))
    if profane:
        key = ("profanity", *profane)
        found = _FINDINGS.get(key)
        if found is None:
            words = '"' + '", "'.join(dict.fromkeys(profane)) + '"'
            found = _remember(key, _new(Finding, (
                "profanity", "profanity.word", 1, f"profanity: {words}")))
        out.append(found)
    return out


# The commonest findings, kept once each: the same few words recur, and a kept Finding
# (its note's hash already computed) is cheaper to build and to look up in the engine's
# verdict memo. Bounded: cleared when full.
_FINDINGS: Final[dict[tuple[Any, ...], Finding]] = {}
_FINDINGS_MAX: Final = 4096


def _remember(key: tuple[Any, ...], finding: Finding) -> Finding:
    if len(_FINDINGS) >= _FINDINGS_MAX:
        _FINDINGS.clear()
    _FINDINGS[key] = finding
    return finding


def content_note(norm: Normalised, hits: Sequence[Hit]) -> Finding | None:
    """In a channel that asks for content notes: a heavy topic with no note or spoiler."""
    heavy = [h.phrase for h in hits if h.tag == "heavy"]
    if not heavy:
        return None
    head = norm.clean[:80].lower()
    if any(m in head for m in L.CONTENT_NOTE_MARKERS) or "||" in norm.clean:
        return None
    return Finding("", "content_note.missing", 1,
                   f'content note: this channel asks for a note (CN:) before heavy topics '
                   f'("{heavy[0]}")')
