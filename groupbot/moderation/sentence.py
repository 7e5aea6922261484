"""One sentence read by its symbols (structure.py makes them): a target, what the sentence
says of it, and the rest of the clause read the way a person would (negation, whose words and
whose feeling, a wish, a comparison, a condemned act). The patterns over the symbol string
are in sentence_patterns.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from groupbot.moderation.abuse_words import AbuseWords
from groupbot.moderation.marks import CLAUSE, QUOTE, SENTENCE
from groupbot.moderation.sentence_patterns import (
    ANSWERS,
    ARTICLES,
    AS,
    BESIDE,
    CAUSE,
    CONSIDER,
    CONSIDERING,
    DEGREE,
    EVALUATIVE,
    FEEL,
    FEELING,
    GENERAL,
    KIN,
    KIND,
    MODAL_TOKENS,
    NAMED_AS,
    NAMING,
    NEGATIVE,
    OBJECT,
    PARTICLES,
    PASSIVE_TOLD,
    PAST_BELIEF,
    REACH,
    REFUSE,
    SENSES,
    SOLUTION,
    SUBJECT,
    SUGGESTIONS,
    SWARM,
    TO_OTHER,
    WISHES,
    WISHING,
)
from groupbot.moderation.symbols import Chunk


class Finding(NamedTuple):
    """What the reader found: the detectors turn it into a policy finding."""

    category: str  # hate, harassment or threat
    rule: str
    severity: int
    note: str
    target: str  # "a group of people", "you", "a member"


def is_plural(words: str) -> bool:
    last = words.rpartition(" ")[2]
    return last.endswith("s") or last in ("people", "men", "women", "children", "folk")


def _spans_quote(syms: str, a: int, b: int) -> bool:
    """Whether positions a..b lie inside a pair of quote marks."""
    before = syms.count('"', 0, a)
    return before % 2 == 1 and '"' in syms[b:]


class Sentence:
    """One sentence's symbols and the rules that read them."""

    def __init__(self, syms: str, chunks: Sequence[Chunk], tokens: Sequence[str],
                 lex: AbuseWords, you_group: bool) -> None:
        self.syms = syms
        self.chunks = chunks
        self.tokens = tokens
        self.lex = lex
        self.you_group = you_group
        self.out: list[Finding] = []
        self._wish: bool | None = None
        self._endorse: bool | None = None

    def text(self, i: int) -> str:
        """The words of the chunk at position `i`."""
        c = self.chunks[i]
        return " ".join(self.tokens[c.start:c.end])

    def first(self, i: int) -> str:
        return self.tokens[self.chunks[i].start]

    def findings(self) -> list[Finding]:
        syms = self.syms
        has = set(syms)  # (each rule runs only where its symbols are: most sentences skip most)
        targets = not has.isdisjoint("GYZm")
        if not targets and "L" not in has:
            return self.out
        for m in SUBJECT.finditer(syms) if targets else ():
            self._subject(m)
        for m in OBJECT.finditer(syms) if targets and not has.isdisjoint("VEK") else ():
            t_pos, p_pos = m.start("t"), m.start("p")
            p = syms[p_pos]
            agent, negs = self._agent(p_pos)
            if agent in ("other", "thing"):
                continue  # someone else's act or feeling, told; or a thing's ("this food")
            if p in "VK" and not self._intended(p_pos, agent):
                continue  # told, not wished: "I hurt for them", "the murder of ..."
            if agent != "none" and self.text(p_pos) in ("fuck", "screw"):
                continue  # "fuck ..." as a curse stands alone; with a subject it is sex
            if agent == "none" and self._condemned_act(p_pos):
                continue  # "it is a sin to hate ...", "it's wrong to attack ..."
            if p == "V" and agent == "none" and self._judged_act(m.end("t")):
                continue  # "murdering ... is a crime": the act is condemned
            if self._suggested():
                negs = 0  # "why don't we ...": a proposal, not a negation
            self.add(t_pos, p_pos, negs + m.group("gap").count("X"), True,
                     writer=agent == "writer" and p in "EV")
        for m in REFUSE.finditer(syms) if targets and not has.isdisjoint("Oy") else ():
            t_pos, p_pos = m.start("t"), m.start("p")
            agent, negs = self._agent(p_pos)
            if agent in ("other", "thing") or syms[t_pos] == "Y":
                continue  # ("you can't get out of here": advice, not exclusion)
            self.add(t_pos, p_pos, negs + m.group("gap").count("X"), True)
        for m in FEELING.finditer(syms) if "e" in has else ():
            if self._writer_feels(m.start("p")):
                p_pos = m.start("p")
                negs = syms[max(0, p_pos - 3):p_pos].count("X")  # "I have no ... contempt"
                self.add(m.start("t"), p_pos, negs, False)
        for m in CAUSE.finditer(syms) if "M" in has else ():
            if self.first(m.start("p0")) not in MODAL_TOKENS:
                continue
            agent, negs = self._agent(m.start("p0") + 1)
            if agent != "other":
                self.add(m.start("t"), m.start("p"), negs, True)
        for m in FEEL.finditer(syms) if "F" in has else ():
            if "X" not in syms[m.start("t"):m.start("p")]:
                self.add(m.start("t"), m.start("p"), 0, False)
        for m in SWARM.finditer(syms) if "w" in has else ():
            self.add(m.start("t"), m.start("p"), 0, False)
        for m in BESIDE.finditer(syms) if "G" in has and not has.isdisjoint("ANI") else ():
            if m.group("t") is not None:
                if is_plural(self.text(m.start("t"))):  # "filthy ..."; not "an ugly woman"
                    self.add(m.start("t"), m.start("p"), 0, False)
            else:
                self.add(m.start("t2"), m.start("p2"), 0, False)
        for m in NAMED_AS.finditer(syms) if "C" in has and "G" in has else ():
            if m.start("p") and self.first(m.start("p") - 1) in ("that", "the", "this"):
                self.add(m.start("t"), m.start("p"), 0, False)
        for m in AS.finditer(syms) if not has.isdisjoint("Aa") else ():
            if self.first(m.start("p") + 1) == "as":
                self.add(m.start("t"), m.start("p"), 0, False)
        if "J" in syms:
            bad = [i for i, s in enumerate(syms) if s in "AaNI"]
            if bad:
                for m in GENERAL.finditer(syms):
                    t_pos = m.start("t") if m.group("t") is not None else m.start("t2")
                    self.add(t_pos, bad[0], 0, False, "a trait framed as their nature")
        if "L" in syms:
            self._slurs()
        if "k" in syms:
            found = self._compared()
            if found is not None:
                self.add(found[0], found[1], 0, False, "a comparison with animals or dirt",
                         negative=True)
        for m in CONSIDER.finditer(syms) if "W" in has and "G" in has else ():
            if self.first(m.start("w") + 1) in CONSIDERING:
                self.add(m.start("t"), m.start("p"), 0, False)
        for m in SOLUTION.finditer(syms) if "V" in has else ():
            if any(self.first(j) in ANSWERS for j in range(m.start("p") + 1, m.start("t"))):
                self.add(m.start("t"), m.start("p"), 0, True)
        return self.out

    def _slurs(self) -> None:
        """A slur is hate unless quoted or reported, reclaimed, or meant in another sense
        ("a packet of fags", "a garden hoe"). A gendered slur is also everyday swearing
        ("life's a bitch"): hate when aimed at someone ("you ...", "a ... like you",
        "they're ...") or at women as a group ("too many ...", "typical ... behaviour")."""
        syms = self.syms
        lex = self.lex
        for i, s in enumerate(syms):
            if s != "L":
                continue
            phrase = self.text(i)
            severity, _in_group = lex.slurs.get(phrase, (2, False))
            if phrase in ("retard", "retards", "retarded") and self._verb(i):
                continue  # "silymarin retards the progression": the verb
            sense = SENSES.get(phrase)
            if sense is not None and not lex.side[sense].isdisjoint(self.tokens):
                continue
            if phrase in lex.gendered and not self._aimed(i):
                continue
            if _spans_quote(syms, i, i) and not self._endorsed():
                continue
            code = phrase in lex.codes
            if code and (self._frame(i) == "reported" or self._code_seen(i)):
                continue  # "someone yelled ... at me", "my neighbour has a ... flag"
            if self._named(i) or self._reclaimed(i):
                continue
            what = "slogan or code of organised hate" if code else "slur"
            self.out.append(Finding("hate", "hate.code" if code else "hate.slur", severity,
                                    f'hate: {what} "{phrase}"', "a group"))
            return

    def _verb(self, i: int) -> bool:
        """The word at `i` used as a verb: an object follows it ("... retards the growth")."""
        c = self.chunks[i]
        nxt = self.tokens[c.end] if c.end < len(self.tokens) else ""
        return nxt in ARTICLES

    def _code_seen(self, i: int) -> bool:
        """A slogan named as a thing seen ("a ... tattoo"), or 1488 as a number ("I walked
        1488 steps", "it cost 1488"): only said on its own does it count."""
        c = self.chunks[i]
        nxt = self.tokens[c.end] if c.end < len(self.tokens) else ""
        if nxt in self.lex.side["code.named"]:
            return True
        return self.tokens[c.start] == "1488" and nxt not in ("", SENTENCE, CLAUSE, QUOTE)

    def _named(self, i: int) -> bool:
        """The slur mentioned as a word, not used: "calling people ...", "he called me a
        ...", "the word ..."; by anyone but the writer, or by the writer denying it ("I
        wasn't calling you a ...")."""
        for j in range(i - 1, max(-1, i - 6), -1):
            s = self.syms[j]
            if s in '."':
                return False
            word = self.first(j)
            if word in NAMING:
                holder = self._holder(j)
                if holder == "denied" and "but" in self.tokens[self.chunks[i].end:
                                                             self.chunks[i].end + 3]:
                    return False  # "I'm not calling you a ... but": a hedge, still said
                return holder != "writer" or word in ("word", "words", "term", "slur")
        return False

    def _aimed(self, i: int) -> bool:
        """A gendered slur aimed at someone or at a group, within its clause."""
        syms = self.syms
        after = " ".join(self.tokens[self.chunks[i].end:self.chunks[i].end + 2])
        if after == "like you":
            return True
        plural = is_plural(self.text(i))
        for j in range(i - 1, max(-1, i - 5), -1):
            s = syms[j]
            if s in "YZGJOm" or (s == "z" and plural):
                return True  # ("they were a mean ...": someone told of, not a group)
            if s in 'B."':
                return False
        return False

    def _reclaimed(self, i: int) -> bool:
        """The writer's own word for themselves or their people: "my ...", "I'm a proud
        ...", "us ...", "... like me", "calling myself a ...", "proud to be a ..."."""
        syms = self.syms
        words = self.tokens
        c = self.chunks[i]
        if words[c.end:c.end + 2] in (["like", "me"], ["like", "us"]):
            return True
        j = i - 1
        while j >= 0 and i - j <= 3 and (syms[j] in "DP" or (
                syms[j] == "o" and (self.first(j).endswith("ly") or self.first(j) in KIN))):
            if self.first(j) in ("my", "our"):
                return True
            j -= 1
        if j < 0:
            return False
        if syms[j] == "W" and self.first(j) in ("us", "we", "myself", "ourselves"):
            return not (j and self.first(j - 1) == "the")  # (not "the US")
        if syms[j] == "C" and j > 0 and syms[j - 1] == "W":
            return True  # "I'm a proud ...", "we are ..."
        if syms[j] == "C" and self.first(j) in ("being", "be"):
            # "I love being a ...", "proud to be a ...": said of oneself, with pride
            return "P" in syms or any(syms[k] == "W" for k in range(max(0, j - 4), j))
        return False

    def _subject(self, m: re.Match[str]) -> None:
        syms = self.syms
        p = m.group("p")
        mid = m.group("mid")
        t_pos, p_pos = m.start("t"), m.start("p")
        if p in "AaNI" and "C" not in mid:
            return  # a description needs "is/are": "... people, disgusting" is not one
        if p in "KV" and not self._wished(t_pos) and not any(
                self.first(j) in WISHING for j in range(t_pos + 1, p_pos) if syms[j] == "M"):
            return  # wished or demanded ("should die"); not told ("were attacked") or
            # predicted ("you will die young")
        if syms[t_pos] == "Y" and p in "Oq":
            return  # "you need to get out of here", "you ruined it": not exclusion or harm
        if p == "q" and "s" not in syms[p_pos + 1:p_pos + 4]:
            return  # harm to a shared place names the place ("ruin our country")
        for j in range(m.start("mid"), p_pos):
            if syms[j] == "o" and not self.first(j).endswith("ly") and (
                    self.first(j) not in DEGREE):
                return  # a verb or noun in between: "you guys are playing a dangerous game"
        if p in "PyAa" and self._attributive(p_pos, p in "Aa"):
            return  # "none of you are my legal representatives": said of something else
        if t_pos >= 2 and syms[t_pos - 1] in "CD" and "W" in syms[max(0, t_pos - 3):t_pos] and (
                "C" in syms[max(0, t_pos - 3):t_pos]):
            return  # "I was an Asian who ...": the writer's own group, told
        if t_pos and syms[t_pos - 1] == "i":
            return  # "separate from you is awful": the target is another word's object
        if self._used_to(t_pos):
            return  # "I used to think they were ...": a belief left behind
        if t_pos and syms[t_pos - 1] in "VEeOUk" and not m.group("q"):
            return  # the target is someone's object ("people who attack ... are vile")
        after = self.first(p_pos + 1) if p_pos + 1 < len(syms) else ""
        if after == "to" and p_pos + 2 < len(syms) and self.first(p_pos + 2) in TO_OTHER:
            return  # "... are worth nothing to you": someone else's view
        if after == "at" and p in "AaP":
            return  # "horrible at trash talk", "not good at school": a skill, not the person
        negs = (m.group("q") or "").count("X") + mid.count("X")
        if negs and self._counterfactual(t_pos):
            negs = 0  # "if they weren't such ...": they are
        self.add(t_pos, p_pos, negs, False)

    def add(self, t_pos: int, p_pos: int, negations: int, object_of: bool,
            kind: str = "", writer: bool = False, negative: bool = False) -> None:
        """Record what is said of the target at `t_pos` by the predicate at `p_pos`, once the
        negations are counted and the clause is the writer's own (`writer`: the writer is
        the one who feels or does it, whoever frames the sentence)."""
        syms = self.syms
        target = syms[t_pos]
        p = syms[p_pos]
        negative = negative or p in NEGATIVE
        if negations % 2 == 1:
            negative = not negative
        if not negative:
            return
        lo, hi = min(t_pos, p_pos), max(t_pos, p_pos)
        if target == "Y" and not self.you_group and self._generic_you(t_pos):
            return  # "if you take the last one you should choke on it": anyone
        if _spans_quote(syms, lo, hi) and not self._endorsed():
            return  # quoted words, as counter-speech quotes them
        if not writer and self._frame(lo) == "reported":
            return
        kind = kind or KIND.get(p, "a comparison with animals or dirt")
        group = target in "GZ" or (target == "Y" and self.you_group)
        violent = p in "VK"
        if group:
            severity = 3 if violent or p in "Nw" else 2
            # (violence wished on a group is hate at its most severe: removed with a pause,
            # as the policy's hate severity 3 says, rather than left up for review)
            self.out.append(Finding("hate", "hate.attack", severity,
                                    f"hate: {kind} aimed at a group of people", "a group"))
        elif target == "Y":
            if violent and object_of:
                self.out.append(Finding("threat", "threat.violence", 3,
                                        f"threat: {kind} aimed at you", "you"))
            else:
                self.out.append(Finding("harassment",
                                        "harassment.attack" if p in "KVO" else "harassment.insult",
                                        1 if p in "aOF" else 2,
                                        f"harassment: {kind} aimed at you", "you"))
        elif target == "m":
            self.out.append(Finding("harassment", "harassment.insult", 1,
                                    f"harassment: {kind} about a member", "a member"))

    def _attributive(self, p_pos: int, nouns_only: bool = False) -> bool:
        """A word that describes a noun after it ("legal representatives", "worth the
        pedestal", "fake automatons"), so it is not said of the target. (`nouns_only`: a
        person word after it still makes it said of a person: "an ugly person".)"""
        syms = self.syms
        j = p_pos + 1
        if j < len(syms) and syms[j] == "D" and self.first(j) in ARTICLES:
            j += 1
        return j < len(syms) and syms[j] in ("o" if nouns_only else "op") and (
            self.first(j) not in PARTICLES)

    def _intended(self, p_pos: int, agent: str) -> bool:
        """Violence or death the writer wants or calls for: with a modal of intent or wish
        ("I will ...", "we should ...", "let's ..."), or as a call with no subject ("death
        to ...", "kill all ..."), not told ("I hurt for them", "a killer who shot ...")."""
        syms = self.syms
        if any(w in self.text(p_pos).split() for w in ("would", "should")):
            return True  # ("the world would be better off without ...")
        if self._suggested():
            return True  # "what if we just ...", "how about we ...", "why don't we ..."
        i = p_pos - 1
        while i >= max(0, p_pos - REACH) and syms[i] not in 'B."':
            if syms[i] == "M":
                return True
            if syms[i] in "WSYC":
                return False  # (C: "is torturing ...": told)
            i -= 1
        return agent == "none"

    def _condemned_act(self, p_pos: int) -> bool:
        """An act named after "to" and judged wrong before it: "it is a sin to hate ..."."""
        if not p_pos or self.first(p_pos - 1) != "to":
            return False
        condemn = self.lex.side["condemn"]
        return any(self.syms[j] in "Aa" or self.text(j) in condemn
                   for j in range(max(0, p_pos - REACH), p_pos - 1))

    def _suggested(self) -> bool:
        """A sentence that proposes: "what if we ...", "how about we ...", "why don't we"."""
        head = " ".join(self.tokens[self.chunks[0].start:self.chunks[min(
            2, len(self.chunks) - 1)].end])
        return head.startswith(SUGGESTIONS)

    def _used_to(self, t_pos: int) -> bool:
        """A belief the writer held once ("I used to think ..."), earlier in the sentence."""
        words = [self.text(i) for i in range(max(0, t_pos - REACH), t_pos)]
        return any(a == "used" and b == "to" for a, b in pairwise(words))

    def _agent(self, p_pos: int) -> tuple[str, int]:
        """Who does or feels the act at `p_pos`, and how many negations stand between them:
        "writer" (I, we, someone, "you should": the writer wishes it), "none" (no subject:
        "death to ...", "disgusted by ..."), or "other" (he, they, my mom: told)."""
        syms = self.syms
        negs = 0
        i = p_pos - 1
        while i >= max(0, p_pos - REACH) and syms[i] not in 'B."':
            s = syms[i]
            if s == "X":
                negs += 1
            elif s in "WS":
                return "writer", negs
            elif s == "Y":
                return ("writer" if "M" in syms[i:p_pos] else "other"), negs
            elif s in "HzZGmr":
                return "other", negs  # (r: "a politician who treats ...")
            elif s == "U":
                return "other", negs  # "we must call out the hatred for ..."
            elif s == "o" and self.first(i) not in EVALUATIVE and not (
                    self.first(i).endswith("ly")):
                return "thing", negs  # a noun or a verb of its own: "this food will kill you"
            i -= 1
        return "none", negs

    def _writer_feels(self, p_pos: int) -> bool:
        """A hostility noun is the writer's ("I have so much hatred for", "the scorn I feel
        for"), not someone else's ("your contempt for", "the open hatred for")."""
        syms = self.syms
        if p_pos + 1 < len(syms) and syms[p_pos + 1] == "W":
            return True
        for i in range(p_pos - 1, max(-1, p_pos - 5), -1):
            s = syms[i]
            if s == "W":
                return True
            if s in "YHzZGmU.B" or self.first(i) in ("your", "his", "her", "their", "the"):
                return False
        return False

    def _generic_you(self, t_pos: int) -> bool:
        """"you" as anyone: after "if", "when" or "whenever" in its clause."""
        for i in range(t_pos - 1, max(-1, t_pos - REACH - 1), -1):
            if self.syms[i] in '."':
                return False
            if self.first(i) in ("if", "when", "whenever", "unless"):
                return True
        return False

    def _wished(self, t_pos: int) -> bool:
        """A wish around the target: "I wish all ... would be shot", "in a just world ...
        would all be dead", "... will die at my hands"."""
        if self._wish is None:  # (once per sentence)
            words = " ".join(self.tokens[self.chunks[0].start:self.chunks[-1].end])
            self._wish = any(w in words for w in WISHES)
        return self._wish

    def _counterfactual(self, t_pos: int) -> bool:
        """The target opens an "if" clause: "if they weren't so ..." says that they are."""
        return t_pos > 0 and self.syms[t_pos - 1] == "B" and self.first(t_pos - 1) in (
            "if", "unless")

    def _judged_act(self, end: int) -> bool:
        """After "murdering a ...": is the act called acceptable ("should be legal") or
        not ("is a crime")? True when it is condemned."""
        rest = self.syms[end:end + 6]
        if "C" not in rest and "M" not in rest:
            return False
        negs = rest.count("X")
        for i, s in enumerate(rest):
            if s in "PAaNI":
                good = s == "P"
                return good == (negs % 2 == 1)
            if self.first(end + i) in ("crime", "illegal", "wrong", "unacceptable"):
                return negs % 2 == 0
        return False

    def _frame(self, pos: int) -> str:
        """Whose words the clause at `pos` is: "reported" (someone else's words or belief,
        a mention of words, words the writer denies or condemns) or "own"."""
        syms = self.syms
        i = pos - 1
        while i >= max(0, pos - REACH):
            s = syms[i]
            if s == "B":
                if i and syms[i - 1] == "R":
                    return "reported"  # "in my church, ...", "he said, ..."
                break
            if s == "T":
                return "own"  # "isn't it obvious that ...", "can we agree that ..."
            if s == "U":
                return "reported"  # "we must call out ...", "stop calling ..."
            if s == "R":
                if self._holder(i) == "writer" and self.text(i) not in PAST_BELIEF:
                    return "reported" if self.first(i) in ("used", "using", "use") else "own"
                return "reported"
            i -= 1
        return "own"

    def _holder(self, r_pos: int) -> str:
        """Who says or believes at `r_pos`: "writer" (I think, in my opinion) unless denied
        ("I never said"), else "other" (he says, people calling, "calling ... is", a
        noun: "posts like ...")."""
        syms = self.syms
        if r_pos + 1 < len(syms) and self.first(r_pos + 1) in ("myself", "ourselves"):
            return "other"  # "I keep telling myself ...": an inner voice, told
        if r_pos and syms[r_pos - 1] == "C" and self.first(r_pos) in PASSIVE_TOLD:
            return "other"  # "I was told ...", "I've been called ...": someone else's words
        negs = 0
        i = r_pos - 1
        while i >= max(0, r_pos - REACH) and syms[i] != '"':
            s = syms[i]
            if s == "X":
                negs += 1
            elif s == "W":
                return "denied" if negs else "writer"
            elif s in "YHzSZGm":
                return "other"
            elif s == "B":
                break
            i -= 1
        return "other"

    def _endorsed(self) -> bool:
        """Words outside the quotes that agree with what is quoted ("so true: ...")."""
        if self._endorse is None:  # (once per sentence)
            endorse = self.lex.side["endorse"]
            inside = False
            self._endorse = False
            for i, s in enumerate(self.syms):
                if s == '"':
                    inside = not inside
                elif not inside and self.text(i) in endorse:
                    self._endorse = True
                    break
        return self._endorse

    def _compared(self) -> tuple[int, int] | None:
        """A group set below animals, dirt or illness: "my dog is smarter than any ...",
        "I'd rather have cancer than be near a ...", "no difference between a dead rat and
        a dead ...". Returns the target's position and the lowly word's."""
        syms = self.syms
        lowly = self.lex.side["lowly"]
        for i, s in enumerate(syms):
            if s != "k":
                continue
            words = self.text(i)
            if not (words.endswith("than") or words.endswith("between")):
                continue
            t = next((j for j in range(i + 1, min(len(syms), i + 9)) if syms[j] in "GZ"), None)
            if t is None:
                continue
            for j in range(max(0, i - REACH), t):
                if j != i and (syms[j] in "Nl" or (self.text(j) in lowly and syms[j] != "G")):
                    return t, j
            if any("rather" in self.text(j) for j in range(i + 1)):
                for j in range(i):
                    if syms[j] in "KAa":
                        return t, j
        return None
