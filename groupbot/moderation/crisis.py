"""The crisis detector on phrase hits: first-person suicidal thoughts, self-harm, plans or
attempts, distress, and danger from someone; not support, quotes or recovery stories.

The structural care reader (care.py) reads the same message by its shape; the engine takes
any care finding from either (care comes first). The context readers are in context.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Final

from groupbot.moderation import lexicon as L
from groupbot.moderation.context import DETERMINERS, split_forms
from groupbot.moderation.findings import DANGER_LABEL, DISTRESS, Finding
from groupbot.moderation.matcher import Hit
from groupbot.moderation.normalise import Normalised, normalise

_PRESENT: Final = frozenset("again still tonight today lately currently anymore since".split())
# Verbs that put a crisis signal in the past, so a recovery marker nearby can close it.
_PAST_VERBS: Final = frozenset(
    "wanted tried attempted was were used felt thought had did took overdosed wished planned "
    "considered".split())
# What outweighs a recovery story: it is happening now, or keeps happening.
_STILL: Final = frozenset("again still tonight keep keeps kept constantly".split())


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
    forms = split_forms(norm)
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
        return DISTRESS if not history_only else None
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
                toks[end + 1] not in _HARMERS and toks[end + 1] not in DETERMINERS):
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
