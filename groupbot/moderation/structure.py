"""Harassment and hate found by their structure: a target, and what the same clause says of it.

A closed list of exact phrases misses what it has not seen ("Muslims are a pest", "I have so
much disdain for these ..."); this reader instead finds, in each sentence,
- a target: a protected group of people ("women", "trans people", "a Muslim", "your kind",
  and "they"/"them" when the message names such a group), the person addressed ("you"), or a
  member (a mention);
- what is said of it, in either order: a derogatory description or a degrading noun ("...
  are vermin"), hostility the writer feels ("I despise ..."), violence or death wished ("...
  should all be killed", "death to ..."), exclusion ("... do not belong here"), harm to a
  shared place ("... will ruin our country"), a comparison with animals or dirt;
and then reads the rest of the clause the way a person would:
- negation turns a predicate into its opposite: "... are not vermin" is not an attack, and
  "... are not human", "no place for ...", "do not deserve to live" are;
- whose words they are: quoted or reported words ("calling ... cockroaches is horrible",
  "you can't seriously believe that ...", "he said ...") are not the writer's; the writer's
  own opinion ("I think ...", "isn't it obvious that ...") is;
- whose feeling it is: "the contempt I feel for ..." is the writer's, "your contempt for
  ..." is not.
Abuse of a protected group is hate; of the person addressed, harassment; abuse of anyone or
anything else (artists, landlords, Mondays) is none of the group's business.

Words come from `groupbot/data/words/abuse.txt` (abuse_words.py); each word class becomes one
symbol, a sentence becomes a short string of symbols (here), and the sentence reader
(sentence.py) matches regular expressions over those strings (sentence_patterns.py, each
bounded, so the time stays linear in the length of the message).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from groupbot.moderation.abuse_words import BODY_VERBS, AbuseWords, abuse_words
from groupbot.moderation.sentence import Finding, Sentence, is_plural
from groupbot.moderation.symbols import Chunk, windows

# Words that only make the rest stronger: left out of the symbols, so that "are just so
# sickening" reads as "are sickening". (Expletives stay: they mean something before a group.)
_SKIP: Final = frozenset(
    "really realy rly literally honestly actually seriously genuinely truly totally "
    "completely absolutely simply just so soo very super kinda sorta definitely badly "
    "desperately lowkey highkey legit".split())


def _merge(chunks: list[Chunk], tokens: Sequence[str]) -> list[Chunk]:
    """Identity words with what follows them: "gay" + "people" is a group, "Muslim" +
    "vermin" a group and a degrading noun, "their ... throats" a group's body (and "cut" or
    "snap" before it, violence); "your lives" is you; a person word alone is nobody in
    particular ("people" alone: someone)."""
    out: list[Chunk] = []
    i, n = 0, len(chunks)
    while i < n:
        c = chunks[i]
        if c.sym in "gG":
            # identity words may stack ("black trans women", "disabled Muslim")
            j = i + 1
            while j < n and chunks[j].sym in "gG" and chunks[j].end - c.start <= 4:
                j += 1
            nxt = chunks[j] if j < n else None
            if nxt is not None and nxt.sym in "ph":
                if nxt.sym == "h" or tokens[nxt.start] in ("life", "lives"):
                    _violent_before(out, tokens)
                out.append(Chunk("G", c.start, nxt.end))
                i = j + 1
                continue
            if (nxt is not None and nxt.sym in "NI" and j == i + 1
                    and tokens[c.start] not in _COLOURS
                    and tokens[nxt.start] not in ("shit", "crap")):
                out.append(Chunk("G", c.start, chunks[j - 1].end))  # "... vermin"
                i = j
                continue
            before = tokens[chunks[i - 1].start] if i > 0 else ""
            if c.sym == "G" or before == "being" or (
                    before == "the" and tokens[c.start] in _NOUN_ADJECTIVES):
                out.append(Chunk("G", c.start, chunks[j - 1].end))
                i = j
                continue
            if tokens[c.start] == "queer" and j == i + 1 and c.start and (
                    tokens[c.start - 1] in _BEFORE_A_SLUR):
                out.append(Chunk("L", c.start, c.end))  # "a queer", "typical queer ..."
            else:
                out.append(Chunk("o", c.start, chunks[j - 1].end))
            i = j
            continue
        if c.sym == "V" and i + 1 < n and tokens[c.start] in _HARM_VERBS and any(
                chunks[k].sym == "s" for k in range(i + 1, min(n, i + 3))):
            out.append(Chunk("q", c.start, c.end))  # "... will destroy our culture"
            i += 1
            continue
        if c.sym in "ph":
            word = tokens[c.start]
            owner = tokens[c.start - 1] if c.start else ""
            if word in ("lives", "life") and owner in _OWNERS:
                out.append(Chunk(_OWNERS[owner], c.start - 1, c.end))
                if out[-2:-1] and out[-2].start == c.start - 1:
                    del out[-2]
            elif c.sym == "h" and owner in ("their", "your"):
                _violent_before(out, tokens)
                out.append(Chunk("Z" if owner == "their" else "Y", c.start, c.end))
            else:
                out.append(Chunk("S" if word == "people" else "o", c.start, c.end))
        else:
            out.append(c)
        i += 1
    return out


_OWNERS: Final = {"their": "Z", "your": "Y", "ur": "Y"}
_HARM_VERBS: Final = (
    frozenset("destroy destroys destroying destroyed ruin ruins ruining ruined".split()))
# Colour words: a group only with a person word ("black people"), never "black sheep".
_COLOURS: Final = frozenset("black white brown".split())
# Identity adjectives used as a noun after "the" ("the disabled"), not before a noun.
_NOUN_ADJECTIVES: Final = frozenset("disabled handicapped blind deaf retarded".split())
# Words before "queer" that make it a name for a person, not an identity ("a queer", "typical
# queer", "you queer"; not "queer rights", "stands for queer").
_BEFORE_A_SLUR: Final = frozenset(
    "a an another that this you typical common many fucking stupid dumb little such".split())
# Swear words that degrade a group named right after them ("you fucking ...").
_EXPLETIVES: Final = (
    frozenset("fucking fuckin fkn fking damn goddamn bloody effing stinking".split()))
_POINTERS: Final = frozenset("you these those all the them fuck stupid dirty".split())


def _violent_before(out: list[Chunk], tokens: Sequence[str]) -> None:
    """Turn the verb before a body word (skipping fillers and owners) into violence."""
    for k in range(len(out) - 1, max(-1, len(out) - 4), -1):
        if out[k].sym == "o" and tokens[out[k].start] in BODY_VERBS:
            out[k] = Chunk("V", out[k].start, out[k].end)
            return
        if out[k].sym not in "DZo":
            return


def read(tokens: Sequence[str], names: frozenset[str] = frozenset()) -> list[Finding]:
    """Findings of harassment, hate and threat by structure (see the module docstring).
    `names`: members' folded names, read as a member like a mention."""
    lex = abuse_words()
    words = set(tokens)
    if lex.targets.isdisjoint(words) and (not names or names.isdisjoint(words)):
        return []  # (most chat: no one and no group to say anything of)
    if lex.said.isdisjoint(words) and (lex.praise.isdisjoint(words)
                                       or lex.negators.isdisjoint(words)):
        return []
    tokens = [t for t in tokens if t not in _SKIP]
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for a, b in windows(tokens, lex.cues, names):
        for f in _read_part(tokens[a:b] if (a, b) != (0, len(tokens)) else tokens, names, lex):
            key = (f.category, f.target)
            if key not in seen:
                seen.add(key)
                findings.append(f)
    return findings


def _read_part(tokens: Sequence[str], names: frozenset[str], lex: AbuseWords) -> list[Finding]:
    """`read` on a message, or on one stretch of a long one."""
    chunks = _merge(lex.table.chunks(tokens, names), tokens)
    for k, c in enumerate(chunks):
        if c.sym == "L" and is_plural(tokens[c.end - 1]) and (
                " ".join(tokens[c.start:c.end]) in lex.gendered):
            # women as a group ("I hate ...", "... are ..."), or named as one ("all women are
            # ...", "they are a bunch of ...")
            j = k - 1
            while j >= 0 and chunks[j].sym == "D":
                j -= 1
            if not (j >= 0 and chunks[j].sym == "C"):
                chunks[k] = Chunk("G", c.start, c.end)
            continue
        if c.sym == "G" and k and tokens[chunks[k - 1].start] in _EXPLETIVES and (
                chunks[k - 1].sym == "D") and (k < 2 or tokens[chunks[k - 2].start] in _POINTERS):
            chunks[k - 1] = Chunk("A", chunks[k - 1].start, chunks[k - 1].end)
        if c.sym == "L":
            phrase = " ".join(tokens[c.start:c.end])
            if lex.slurs.get(phrase, (0, False))[1]:
                chunks[k] = Chunk("G", c.start, c.end)  # an in-group word: a group, no more
    syms_all = "".join(c.sym for c in chunks)
    if "L" not in syms_all and "G" not in syms_all and "Y" not in syms_all and (
            "Z" not in syms_all):
        return []
    if not any(s in syms_all for s in "AaxNIKOPVvqFwEeJkLy"):
        return []
    has_group = "G" in syms_all
    you_group = has_group and _you_are_group(syms_all, chunks, tokens)
    findings: list[Finding] = []
    bounds: list[tuple[int, int]] = []
    start = 0
    for end in _sentence_ends(syms_all):
        bounds.append((start, end))
        start = end + 1
    groups = [k for k, (a, b) in enumerate(bounds) if "G" in syms_all[a:b]]
    for k, (start, end) in enumerate(bounds):
        if end > start:
            syms = syms_all[start:end]
            if "Z" in syms and not any(k - 2 <= g <= k + 1 for g in groups):
                # "they" stands for a group named nearby (the sentence, the two before it or
                # the one after); otherwise for someone else
                syms = syms.replace("Z", "z")
            sentence = Sentence(syms, chunks[start:end], tokens, lex, you_group)
            findings.extend(sentence.findings())
    return findings


def _sentence_ends(syms: str) -> list[int]:
    ends = [i for i, s in enumerate(syms) if s == "."]
    ends.append(len(syms))
    return ends


def _you_are_group(syms: str, chunks: Sequence[Chunk], tokens: Sequence[str]) -> bool:
    """Whether "you" in this message is one of the group named ("you ... people", "...
    like you", "you are just ..."): then abuse of "you" is abuse of the group too."""
    if re.search(r"YD{0,2}G|YCD{0,3}G", syms):
        return True
    for c in chunks:
        if c.sym == "D" and tokens[c.start] == "like" and c.end - c.start == 2 and (
                tokens[c.start + 1] == "you"):
            return True
    return False
