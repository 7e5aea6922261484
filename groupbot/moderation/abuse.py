"""Harassment, hate, threats, sexual content and profanity from the phrase hits, each read
with its target and its context (context.py); and the content note a channel may ask for.

Slurs and hate said of groups of people are read by the structural reader (structure.py);
this module reads what is aimed at a person: you, a mention, a member's name.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any, Final

from groupbot.moderation import lexicon as L
from groupbot.moderation.context import (
    ASKING_HOW,
    FEAR,
    GENERIC_YOU,
    PAST_FEELING,
    REPORTING_ANY,
    SELF_AIMED,
    SOFTENERS,
    STOPPERS,
    WRITER,
    YOU,
    called_me,
    caused,
    felt,
    negated,
    offered,
    quotative,
    reported,
    reported_attack,
    self_talk,
    speaker,
    split_forms,
    taken_back,
    thought,
    to_me,
    told_insult,
    told_sexual,
)
from groupbot.moderation.fastpath import MENTION_TOKEN
from groupbot.moderation.findings import DISTRESS, RECEIVED_THREAT, Finding, new_finding
from groupbot.moderation.matcher import Hit
from groupbot.moderation.normalise import Normalised, sentence_ends


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
        if toks[k] in YOU:
            return toks[k + 1] in _CARING_AFTER
    return False


_CARING_AFTER: Final = frozenset("deserve deserved matter ok okay didnt".split())


def _across_sentences(norm: Normalised, toks: Sequence[str], end: int) -> bool:
    """Whether the first "you" after the insult ending at token `end` starts a new sentence."""
    ends = sentence_ends(norm)
    if ends is None:
        return False
    for k in range(end, min(len(toks), end + 3)):
        if toks[k] in YOU:
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
        if t in REPORTING_ANY:
            return speaker(toks, k)[0] != "writer" or (
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
_POINTING: Final = frozenset(("this", "that", "dat", "dis", "thiss", "thatt"))
# Words that break "that ... <insult>" apart ("that is a bitch" is an idiom, not a person).
_NOT_BETWEEN: Final = frozenset("is was s a an of to and or but be been are were its thats".split())
# What `_target` reads in a word, one lookup per word: around an insult, "you", a mention or
# a word that stops the search; before a person-naming insult, a pointing word or a word
# that ends the pointing.
_AT_YOU, _AT_MENTION, _STOP, _POINT, _END, _COPULA, _CLAUSE, _NEG, _BRUSH = range(1, 10)
_AROUND: Final[dict[str, int]] = {t: _AT_YOU for t in YOU}
_AROUND[MENTION_TOKEN] = _AT_MENTION
for _t in (*STOPPERS, "imma", "ima", "ill", "id", "ive",  # (the writer)
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
for _t in STOPPERS | _NOT_BETWEEN | YOU:
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
                forms = split_forms(norm)
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
                if who and not (negated(toks, h.start, 2)
                                or (who == "you" and felt(toks, h.start))
                                or called_me(toks, h.start, anyone=True)
                                or (told_insult(toks, h.start)
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
                if (supportive or negated(toks, h.start, 5) or reported_attack(toks, h.start)
                        or not GENERIC_YOU.isdisjoint(toks[max(0, h.start - 4):h.start])
                        or not ASKING_HOW.isdisjoint(toks[max(0, h.start - 3):h.start])
                        or caused(toks, h.start) or quotative(toks, h.start)
                        or (h.phrase in L.TAUNT_PHRASES and h.start
                            and toks[h.start - 1] in SOFTENERS)):
                    continue  # (last: "it's ok to cry about it", "remember to take your meds")
                if h.phrase in SELF_AIMED and self_talk(toks, h.start) and (
                        DISTRESS not in out):
                    # "I'm such an idiot ... I know who I am, kys": most likely said to
                    # oneself, a sign of distress; it may still be aimed at the channel, so
                    # the attack stands too and care turns it into an escalation (the
                    # moderators look, nothing is removed, no strike)
                    out.append(DISTRESS)
                out.append(Finding("harassment", "harassment.attack", h.severity,
                                   f'harassment: "{h.phrase}" said to someone'))
            elif tag == "threat":
                if negated(toks, h.start, 3) or thought(toks, h.start) or quotative(
                        toks, h.start):
                    continue  # (a thought: "people will think you're dead")
                if to_me(toks, h.start) or (
                        not FEAR.isdisjoint(toks) and reported(toks, h.start)):
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
                if (not WRITER.isdisjoint(before)  # "I", "we" (not "my dad would say")
                        and not reported_attack(toks, h.start)
                        and any(t in L.INTENT or t in ("could", "would", "should", "might")
                                for t in before)
                        and any(t in L.THREAT_TARGETS for t in after)
                        and not any(t in L.NEGATIONS for t in before)
                        and PAST_FEELING.isdisjoint(before)
                        and not taken_back(toks, h.start + h.length)):
                    out.append(Finding("threat", "threat.violence", 2,
                                       f'threat: "{h.phrase}" aimed at someone'))
        elif tag in ("sexual", "sexual.topic"):
            if forms is None:
                forms = split_forms(norm)
            if told_sexual(forms[h.form], h.start, h.start + h.length):
                continue  # what happened to the writer, or their recovery: welcome here
            if tag == "sexual.topic" and not offered(
                    norm, forms[h.form], h.start, h.start + h.length):
                continue  # named in a member's life (an addiction, their sex life): welcome
            out.append(Finding("sexual", "sexual.explicit", h.severity,
                               f'sexual: "{h.phrase}"'))
    if profane:
        key = ("profanity", *profane)
        found = _FINDINGS.get(key)
        if found is None:
            words = '"' + '", "'.join(dict.fromkeys(profane)) + '"'
            found = _remember(key, new_finding(Finding, (
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
