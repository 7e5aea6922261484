"""Signs of crisis and distress read by their structure, not only by listed phrases.

People in pain do not write the lexicon's phrases: "I just want my pain to end", "I don't
want to be here anymore", "I wanna use the rope", "nobody would even notice", "life is so
pointless", "I hate every part of myself". This reader finds the shapes those share, in
each sentence of the message as `reading.py` reads it (fillers out, misspellings read):
- a wish for death or not to live: wanting + dying ("I want to die"), or not wanting + living
  ("I don't want to wake up"), or wanting "it all" to end;
- a plan or a method: wanting + a lethal means ("I need a gun"), a means used on oneself, a
  method asked for ("the quickest way to ..."), "doing it tonight", an attempt, a farewell;
- distress: "I feel hopeless", "life is pointless", "I can't do this anymore", "I hate
  myself", "nobody cares", "what's the point", a call for help; and a member scared for
  someone who is at risk.
Each sign becomes a lexicon hit (`matcher.Hit`) on the reading's word form, so
`crisis.crisis` reads it like any listed phrase: who says it, negation, past and recovery,
support given to someone else. Words: `groupbot/data/words/care.txt` (in part from the
Suicide Risk Lexicon; see its header).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Final

from groupbot.moderation.marks import FILLERS, SENTENCE
from groupbot.moderation.matcher import Hit
from groupbot.moderation.symbols import Chunk, SymbolTable, windows
from groupbot.moderation.wordlists import load_classes

_SYMBOLS: Final[tuple[tuple[str, str], ...]] = (
    ("attempt", "a"), ("farewell", "f"), ("selfharm.other", "s"), ("state.strong", "S"),
    ("cant", "C"), ("neg", "X"), ("state", "T"), ("death", "K"), ("life", "L"),
    ("means.strong", "Z"), ("means", "M"), ("selfharm", "h"), ("attempt.how", "u"),
    ("method.ask", "q"), ("ask.how", "k"),
    ("nobody", "n"), ("cares", "c"), ("reason", "r"), ("hate", "A"),
    ("want", "D"), ("ending", "N"), ("cope", "O"), ("method", "J"), ("way", "w"),
    ("worry", "y"), ("resolve", "R"), ("time.now", "t"), ("self", "W"), ("other", "H"),
    ("things", "E"), ("feel", "F"), ("boundary", "B"), ("aim", "P"), ("body", "b"),
)
CLASSES: Final = tuple(name for name, _ in _SYMBOLS)
# Contractions with the writer in them ("I'm": I + am); the apostrophe is gone by now.
_CONTRACTIONS: Final = {"im": "WF", "ive": "W", "id": "WD", "ill": "WD", "its": "oF", "thats": "oF",
                 "youre": "HF", "hes": "HF", "shes": "HF", "theyre": "HF", "dont": "X",
                 "cant": "C", "wont": "X", "isnt": "X", "arent": "X", "wasnt": "X"}
_PAINS: Final = (
    frozenset(("pain", "the pain", "my pain", "this pain", "hurt", "hurting", "suffering",
                    "my suffering", "misery", "the suffering")))
# Wishing to be gone for a while is not wishing to be dead: a gentle note, not an alarm.
_VANISH: Final = frozenset(("disappear", "vanish", "fade away", "fade out"))
# Wishing (not having to, or being about to): "I don't want to live" is a wish not to be.
_DESIRES: Final = frozenset(("want", "wanna", "wish", "want to", "wanna just", "just want",
                      "would rather", "hope", "hope to", "wish i could", "need", "need to"))
# After "live": where or with whom ("don't want to live in London"), not being alive.
_WHERE: Final = frozenset(
    "in with near at on there abroad together somewhere anywhere nearby close far next by "
    "alone home".split())
# How far back a sign's subject or negation is looked for (a clause; bounded, so a long
# run-on message costs its length, no more).
_REACH: Final = 12
# After "goodbye": a goodbye for now.
_FOR_NOW: Final = frozenset("see for till until tomorrow tonight later next".split())


class _Care:
    def __init__(self) -> None:
        classes = load_classes("care.txt", CLASSES)
        table = SymbolTable()
        table.add_classes(classes, _SYMBOLS)
        table.freeze(_CONTRACTIONS)
        self.table = table
        # Words without which there is nothing to read (most chat).
        # Words without which no rule can match (most chat): one word of every entry the
        # rules need (each rule needs one of these classes).
        self.cues = table.triggers("afsSCTKLMZhqrAckb") | {"through"}


@lru_cache(maxsize=1)
def _care() -> _Care:
    return _Care()


def key_words() -> frozenset[str]:
    """Words worth correcting a misspelling towards ("sucide", "hopless")."""
    return frozenset(w for w in _care().table.info if len(w) >= 4 and w.isalpha())


# A wish to die, or a wish for it all to end ("I want it all to end", "wish it would stop").
_WANT_DEATH: Final = re.compile(r"D[DWFot]{0,4}?K")
_DEATH_FIRST: Final = re.compile(r"KFo{0,3}?WD")
_WANT_END: Final = re.compile(r"D[DWo]{0,2}?E[Wo]{0,2}?N")
_NOT_LIVE: Final = re.compile(r"X[Do]{0,2}?D[DWFo]{0,3}?L")
_PLAN: Final = re.compile(r"D[DWFo]{0,3}?(?P<j>J?)[o]{0,3}?(?P<m>[MZ])")
_MEANS: Final = re.compile(r"J[o]{0,3}?[MZ]")
_AIM: Final = re.compile(r"P[oMZ]{0,3}?b")  # "held (the knife) against my wrist"
_MEANS_SYMS: Final = frozenset("MZ")
# In "is there any point ...?": what makes it a question about going on.
_LIFE_WORDS: Final = (
    ("live", "living", "alive", "life", "go on", "going on", "keep going", "carry on",
               "be here", "anymore", "trying", "existing", "wake"))
_TRIED: Final = re.compile(r"D[o]{0,1}?u[uo]{0,3}?W")  # "tried to hang ... myself"
_SELFHARM: Final = re.compile(r"(?:W[FDo]{0,3}?)?h")
_STATE: Final = re.compile(r"[WE]F[FDo]{0,2}?T")
_CANT: Final = re.compile(r"C[Do]{0,1}?O")
_HATE: Final = re.compile(r"W[F]{0,2}?A[o]{0,1}?[WE]|^A[o]{0,1}?E")
_NOBODY: Final = re.compile(r"n[DFo]{0,2}?c")
_POINT: Final = re.compile(r"[Xo][o]{0,2}?r")


def signals(tokens: Sequence[str], form: int) -> list[Hit]:
    """Lexicon hits for the signs this reader finds, on the word form numbered `form`
    (the reading's `flat`: its tokens without marks and fillers)."""
    care = _care()
    if care.cues.isdisjoint(tokens):
        return []
    words = [t for t in tokens if t not in FILLERS]
    # flat token index of each word (marks are not in the flat form)
    flat_at: list[int] = []
    k = 0
    for w in words:
        flat_at.append(k)
        if w not in (SENTENCE, ",", '"'):
            k += 1
    out: list[Hit] = []
    for a, b in windows(words, care.cues):
        part = words[a:b] if (a, b) != (0, len(words)) else words
        chunks = care.table.chunks(part)
        syms = "".join(c.sym for c in chunks)
        context = _Message(syms, chunks, part)
        start = 0
        for end in [i for i, s in enumerate(syms) if s == "."] + [len(syms)]:
            if end > start:
                for tag, severity, x, y in context.sentence(start, end):
                    first = a + chunks[x].start
                    last = a + chunks[y - 1].end
                    lo, hi = flat_at[first], flat_at[last - 1] + 1
                    phrase = " ".join(w for w in words[first:last]
                                      if w not in (SENTENCE, ",", '"'))
                    if hi > lo and phrase:
                        out.append(Hit(tag, severity, phrase, form, lo, hi - lo))
            start = end + 1
    return out


class _Message:
    def __init__(self, syms: str, chunks: Sequence[Chunk], words: Sequence[str]) -> None:
        self.syms = syms
        self.chunks = chunks
        self.words = words
        # the message talks of dying, of a way to, or of despair at all
        self.suicidal = any(s in syms for s in "KMZaSh")

    def text(self, i: int) -> str:
        c = self.chunks[i]
        return " ".join(self.words[c.start:c.end])

    def sentence(self, start: int, end: int) -> list[tuple[str, int, int, int]]:
        """(tag, severity, first chunk, one past the last chunk) for each sign here."""
        syms = self.syms[start:end]
        found: list[tuple[str, int, int, int]] = []
        has = set(syms)  # (each rule runs only where its symbols are)

        def add(tag: str, severity: int, a: int, b: int) -> None:
            found.append((tag, severity, start + a, start + b))

        for m in _WANT_DEATH.finditer(syms) if "D" in has and "K" in has else ():
            if self._own(syms, start, m.start()) and "H" not in m.group():
                gone = self.text(start + m.end() - 1) in _VANISH
                add("crisis.distress" if gone else "crisis.ideation", 1 if gone else 2,
                    self._from(syms, m.start()), m.end())
        for m in _DEATH_FIRST.finditer(syms) if "K" in has and "D" in has else ():
            # "suicide is all I think about"
            add("crisis.ideation", 2, m.start(), m.end())
        for m in _WANT_END.finditer(syms) if "E" in has and "N" in has else ():
            if self._own(syms, start, m.start()) and "H" not in m.group():
                things = next(self.text(start + i) for i in range(m.start(), m.end())
                              if syms[i] == "E")
                add("crisis.distress" if things in _PAINS else "crisis.ideation",
                    1 if things in _PAINS else 2, self._from(syms, m.start()), m.end())
        for m in _NOT_LIVE.finditer(syms) if "L" in has and "X" in has else ():
            want = next(self.text(start + i) for i in range(m.start(), m.end())
                        if syms[i] == "D")
            if (self._subject(syms, start, m.start()) != "other" and want in _DESIRES
                    and not self._a_place(start + m.end() - 1)):
                add("crisis.ideation", 2, self._from(syms, m.start()), m.end())
        # A means wanted or used ("I need a gun", "jump in front of the train") counts only
        # beside another sign (crisis.crisis): people buy guns and fix roofs.
        for m in _PLAN.finditer(syms) if "D" in has and not has.isdisjoint("MZ") else ():
            if self._own(syms, start, m.start()):
                # a means for little else, or a way of using one ("drink bleach"): a plan
                strong = m.group("m") == "Z" or m.group("j") == "J"
                intent = self.text(start + m.start()) not in _DESIRES  # "going to", not "want"
                add("crisis.plan" if strong else "crisis.means", 3 if intent or not strong else 2,
                    self._from(syms, m.start()), m.end())
        for m in _TRIED.finditer(syms) if "u" in has else ():
            if self.text(start + m.start()) in ("tried to", "trying to", "attempt to") and (
                    self.text(start + m.end() - 1) == "myself"):
                add("crisis.attempt", 2, self._from(syms, m.start()), m.end())
        for m in _SELFHARM.finditer(syms) if "h" in has else ():
            if self._own(syms, start, m.end() - 1):
                add("crisis.selfharm", 2, m.start(), m.end())
        for i, s in enumerate(syms):
            if s == "S" and self._subject(syms, start, i) != "other" and self._own(syms, start, i):
                tag = "crisis.plan" if self._is_plan(start + i) else "crisis.distress"
                add(tag, 3 if tag == "crisis.plan" else 1, self._from(syms, i), i + 1)
            elif s in "qMZ" and "k" in syms and self._asks(start):
                add("crisis.ideation", 2, i, i + 1)  # "does ... hanging hurt?", "will ... kill me"
        for m in _MEANS.finditer(syms) if "J" in has else ():
            if self._subject(syms, start, m.start()) == "self" and not any(
                    a <= start + m.start() < b for _t, _s, a, b in found):
                add("crisis.means", 3, self._from(syms, m.start()), m.end())
        for m in _AIM.finditer(syms) if "b" in has and "P" in has else ():
            # a means held to oneself: the means named here, or earlier ("found a gun ...
            # put it to my head")
            if not _MEANS_SYMS.isdisjoint(m.group()) or not _MEANS_SYMS.isdisjoint(
                    self.syms[:start + m.start()]):
                if self._own(syms, start, m.start()):
                    add("crisis.attempt", 2, self._from(syms, m.start()), m.end())
        for i, s in enumerate(syms) if not has.isdisjoint("wafySqMZt") else ():
            if s == "w" and "K" in syms[i + 1:i + 6]:
                k = syms.index("K", i + 1)
                between = self.words[self.chunks[start + i].end:self.chunks[start + k].start]
                if "will" not in between:  # ("how you will die": a prediction)
                    add("crisis.ideation", 2, i, k + 1)  # "the quickest way to ...": a method
            elif s == "a" and self._subject(syms, start, i) != "other":
                add("crisis.attempt", 2, self._from(syms, i), i + 1)
            elif s == "f" and self._farewell(start + i):
                add("crisis.plan", 3, i, i + 1)
            elif s == "y" and "s" in self.syms and "W" in self.syms:
                add("crisis.distress", 1, i, i + 1)  # scared for someone at risk
            elif s == "t" and i and syms[i - 1] == "R" and (
                    self.suicidal or "through" in self.text(start + i - 1)):
                add("crisis.plan", 3, self._from(syms, i - 1), i + 1)  # "doing it tonight"
        for m in _STATE.finditer(syms) if "T" in has else ():
            if "X" not in m.group() and not self._done_with_chores(start + m.end() - 1):
                add("crisis.distress", 1, self._from(syms, m.start()), m.end())
        for m in _CANT.finditer(syms) if "C" in has else ():
            if self._subject(syms, start, m.start()) != "other":
                add("crisis.distress", 1, self._from(syms, m.start()), m.end())
        for m in _HATE.finditer(syms) if "A" in has else ():
            obj = self.text(start + m.end() - 1)
            if (syms[m.end() - 1] == "E" or obj in ("myself", "my self")) and (
                    self._subject(syms, start, m.start()) != "other"):
                add("crisis.distress", 1, m.start(), m.end())
        for m in _NOBODY.finditer(syms) if "n" in has else ():
            if self._about_me(start + m.end() - 1):
                add("crisis.distress", 1, m.start(), m.end())
        for m in _POINT.finditer(syms) if "r" in has else ():
            if self._no_point(start + m.start(), start + m.end() - 1):
                add("crisis.distress", 1, m.start(), m.end())
        return found

    def _a_place(self, i: int) -> bool:
        """ "live" in a place or a way ("don't want to live in London", "with my parents"),
        not being alive ("don't want to live (like this, anymore)")."""
        c = self.chunks[i]
        after = self.words[c.end] if c.end < len(self.words) else ""
        return self.text(i) in ("live", "living") and after in _WHERE

    def _is_plan(self, i: int) -> bool:
        """A strong state that is a plan ("my suicide plans", "I've decided how")."""
        text = self.text(i)
        return ("plan" in text and "suicide" in text) or text.startswith(
            ("decided how", "know how im going to", "know when and how", "know where and when",
             "picked a date", "set a date"))

    def _asks(self, start: int) -> bool:
        """The sentence starting at `start` is a question about a method."""
        return self.words[self.chunks[start].start] in (
            "does", "do", "will", "would", "is", "how", "can", "what", "whats", "which")

    def _subject(self, syms: str, start: int, i: int) -> str:
        """Who the sign at `i` of the sentence `syms` (which starts at chunk `start`) is
        about: "self" (I, or no one named), "other" (you, my friend: support or worry, read
        elsewhere)."""
        if self.words[self.chunks[start + i].start] in ("my", "i"):
            return "self"  # ("... interferes with my suicide plans")
        j = i - 1
        while j >= max(0, i - _REACH) and syms[j] not in "B":
            if syms[j] == "W":
                return "self"
            if syms[j] == "H":
                return "other"
            j -= 1
        return "self"

    def _own(self, syms: str, start: int, i: int) -> bool:
        """A wish the writer has: theirs, and not denied ("I don't want to die")."""
        if self._subject(syms, start, i) == "other":
            return False
        j = i - 1
        while j >= max(0, i - _REACH) and syms[j] not in "B":
            if syms[j] == "X":
                return False
            if syms[j] == "W":
                break
            j -= 1
        return True

    def _from(self, syms: str, i: int) -> int:
        """Where the sign starts: back to its subject "I" when it is close, so the crisis
        reader sees who says it."""
        for j in range(i - 1, max(-1, i - 4), -1):
            if syms[j] == "W":
                return j
            if syms[j] in "B":
                break
        return i

    def _farewell(self, i: int) -> bool:
        """A goodbye that is a farewell: in a message about dying or despair, not "goodbye,
        see you tomorrow"."""
        c = self.chunks[i]
        after = self.words[c.end] if c.end < len(self.words) else ""
        if after in _FOR_NOW:
            return False
        return self.suicidal or "T" in self.syms or "sorry" in self.words

    def _done_with_chores(self, i: int) -> bool:
        """ "I'm done with the dishes": done, finished or over a task, not with life."""
        if self.text(i) not in ("done", "finished", "over it", "so done"):
            return False
        c = self.chunks[i]
        after = self.words[c.end:c.end + 2]
        return bool(after) and after[0] in ("with", "for", "by") and not (
            len(after) > 1 and after[1] in ("life", "living", "everything", "it", "this",
                                            "myself", "trying"))

    def _about_me(self, i: int) -> bool:
        """ "nobody cares" said of the writer ("nobody would miss me", "nobody cares"), not
        of an opinion ("nobody cares about your ...")."""
        words = self.text(i).split()
        if "me" in words:
            return True
        c = self.chunks[i]
        after = self.words[c.end:c.end + 2]
        return not after or after[0] in (".", ",", "if", "whether", "anymore") or (
            after[0] == "about" and len(after) > 1 and after[1] in ("me", "myself"))

    def _no_point(self, q: int, r: int) -> bool:
        """ "there's no point", "what's the point (of it all)", not "the point of this
        thread"."""
        lead = self.words[self.chunks[q].start]
        first = self.chunks[q].start
        if lead == "there" and first and self.words[first - 1] in ("is", "isnt"):
            # a question: "is there any reason to live?", not "is there a point to this?"
            c = self.chunks[r]
            said = " ".join(("", self.text(r), *self.words[c.end:c.end + 3], ""))
            return any(f" {w} " in said for w in _LIFE_WORDS)
        if lead not in ("no", "whats", "what", "any", "dont", "cant", "never", "not", "there"):
            return False
        if "reason" in self.text(r) and "reason to" not in self.text(r):
            return False  # "there's no reason ...": anything; "no reason to live" is not
        c = self.chunks[r]
        after = self.words[c.end:c.end + 2]
        return not after or (after[0] in (".", ",", "anymore", "in", "to", "of") and (
            len(after) < 2 or after[0] in (".", ",", "anymore") or after[1] in (
                "it", "anything", "life", "living", "trying", "going", "this", "me",
                "being", "getting", "existing", "waking")))
