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

Words come from `groupbot/data/words/abuse.txt`; each word class becomes one symbol, a
sentence becomes a short string of symbols, and the rules below are regular expressions over
those strings (each bounded, so the time stays linear in the length of the message).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Final, NamedTuple

from groupbot.moderation.fastpath import MENTION_TOKEN
from groupbot.moderation.marks import CLAUSE, QUOTE, SENTENCE
from groupbot.moderation.symbols import Chunk, SymbolTable, windows
from groupbot.moderation.wordlists import load_classes

# Class name -> symbol. A word in several classes takes the first in this order; a longer
# phrase always wins over a shorter one.
_SYMBOLS: Final[tuple[tuple[str, str], ...]] = (
    ("group", "G"), ("you", "Y"), ("writer", "W"), ("they", "Z"), ("third", "H"),
    ("hostile.cause", "F"), ("exclusion", "O"), ("violence", "V"), ("death", "K"),
    ("harm.society", "q"), ("swarm", "w"), ("hostile", "E"), ("copula", "C"), ("modal", "M"),
    ("neg", "X"), ("general", "J"), ("compare", "k"), ("oppose", "U"), ("report", "R"),
    ("factive", "T"),
    ("insult", "I"), ("neg.noun", "N"), ("neg.attr", "A"), ("neg.attr.mild", "a"),
    ("neg.trait", "x"),
    ("pos.toward", "y"), ("pos", "P"), ("pos.life", "v"),
    ("hostile.noun", "e"), ("group.adj", "g"), ("person", "p"), ("body", "h"),
    ("someone", "S"), ("relative", "r"), ("boundary", "B"), ("lowly", "l"),
    ("society", "s"), ("det", "D"),
)
# Classes read beside the symbols (a word keeps its symbol and also counts here).
_SIDE: Final = ("neutral", "code.named", "condemn", "endorse", "self", "lowly", "society",
         "sense.fag", "sense.faggot", "sense.hoe", "sense.dyke", "sense.bitch", "sense.queer")
_SLUR_CLASSES: Final = ("slur.gendered", "slur.extra", "slur.reclaimable")
CLASSES: Final = (tuple(name for name, _ in _SYMBOLS)
           + tuple(c for c in _SIDE if c not in ("lowly", "society")) + _SLUR_CLASSES)
# The sense words that make a slur's other meaning: "a packet of fags", "a garden hoe".
_SENSES: Final = {"fag": "sense.fag", "fags": "sense.fag", "faggot": "sense.faggot",
           "faggots": "sense.faggot", "hoe": "sense.hoe", "hoes": "sense.hoe",
           "dyke": "sense.dyke", "dykes": "sense.dyke", "bitch": "sense.bitch",
           "bitches": "sense.bitch", "queer": "sense.queer", "queers": "sense.queer"}


class Finding(NamedTuple):
    """What the reader found: the detectors turn it into a policy finding."""

    category: str  # hate, harassment or threat
    rule: str
    severity: int
    note: str
    target: str  # "a group of people", "you", "a member"


class _Lexicon:
    def __init__(self) -> None:
        classes = load_classes("abuse.txt", CLASSES)
        self.classes = classes
        table = SymbolTable()
        table.add_classes(classes, _SYMBOLS)
        # Slurs: the lexicon's lists and the extra classes here; `slurs` keeps each one's
        # severity (3: the worst slurs) and whether it is an in-group word.
        from groupbot.moderation import lexicon as lexicon_lists

        self.slurs: dict[str, tuple[int, bool]] = {}
        self.codes: set[str] = set()
        for block, severity in ((lexicon_lists.SLURS_SEVERE, 3), (lexicon_lists.SLURS_MILD, 2),
                                (lexicon_lists.HATE_CODES, 2)):
            for pattern in lexicon_lists.patterns(block):
                for phrase in lexicon_lists.expand(pattern):
                    self.slurs[phrase] = (severity, False)
                    if block is lexicon_lists.HATE_CODES:
                        self.codes.add(phrase)
        for name, severity in (("slur.gendered", 2), ("slur.extra", 2)):
            for phrase in classes[name]:
                self.slurs.setdefault(phrase, (severity, False))
        for phrase in classes["slur.reclaimable"]:
            self.slurs[phrase] = (2, True)
        self.gendered = classes["slur.gendered"]
        for phrase in self.slurs:
            table.add(phrase, "L", -1)
        for phrase in classes["neutral"]:
            table.add(phrase, "o", -3)
        for pattern in lexicon_lists.patterns(lexicon_lists.BENIGN):
            for phrase in lexicon_lists.expand(pattern):  # "maine coon": no slur in it
                if " " in phrase:
                    table.add(phrase, "o", -2)
        for noun in classes["group"]:
            if " " not in noun and not noun.endswith("s") and table.word(noun + "s") is None:
                table.add(noun + "s", "G", len(_SYMBOLS))  # "a woman's life"
        table.freeze(_CONTRACTIONS, {p: "i" for p in _PREPOSITIONS} | {MENTION_TOKEN: "m"})
        self.table = table
        self.info = table.info
        # Words without which a message has nothing for the rules to read: a target, and
        # something said of one (praise counts only with a negation to turn it).
        self.targets = table.words_with("GgYZLm") | {"your", "their", "ur"}
        self.said = table.triggers("AaxNIEeFVKOqwJkLy") | _BODY_VERBS
        self.praise = table.triggers("Pv")
        self.negators = table.words_with("X")
        self.cues = self.targets | self.said | self.praise  # (what a long message is read for)
        self.side = {name: classes[name] for name in _SIDE}


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    return _Lexicon()


def key_words() -> frozenset[str]:
    """Words worth correcting a misspelling towards: what the targets and predicates are
    made of (not function words)."""
    lex = lexicon()
    out: set[str] = set()
    for name in ("group", "group.adj", "neg.attr", "neg.noun", "insult", "hostile",
                 "hostile.noun", "hostile.cause", "violence", "death", "exclusion", "pos",
                 "harm.society", "lowly", "swarm", "person"):
        for entry in lex.classes[name]:
            out.update(w for w in entry.split() if len(w) >= 4)
    return frozenset(out)


def known_words() -> frozenset[str]:
    """Single words the reader knows (slurs and listed words that are no English word, such
    as "dothead"): never read as a misspelling or split."""
    lex = lexicon()
    return frozenset(w for w in (*lex.info, *lex.slurs) if " " not in w)


def delicate_words() -> frozenset[str]:
    """Insults and slurs: a misspelling is read as one only by a swap or a dropped letter."""
    lex = lexicon()
    return frozenset(w for w, (sym, _p) in lex.info.items() if sym in "IL") | frozenset(
        w for w in lex.slurs if " " not in w) | lex.classes["neg.noun"]


def key_families() -> dict[str, str]:
    """Key words by the symbol the reader gives them: a misspelling that could be either of
    two words with the same meaning here ("womn": woman or women) is read as either."""
    lex = lexicon()
    return {w: s for w, (s, _p) in lex.info.items() if s in "GNIAaKV"}


# Contractions that hold two words ("they're": they + are); the apostrophe is gone by now.
_CONTRACTIONS: Final = {
    "theyre": "ZC", "youre": "YC", "ur": "YC", "im": "WC", "hes": "HC", "shes": "HC",
    "its": "DC", "thats": "DC", "whats": "BC", "theres": "DC", "heres": "DC",
    "isnt": "CX", "arent": "CX", "aint": "CX", "wasnt": "CX", "werent": "CX",
    "cant": "MX", "cannot": "MX", "wont": "MX", "wouldnt": "MX", "shouldnt": "MX",
    "couldnt": "MX", "mustnt": "MX", "ill": "WM", "id": "WM", "youll": "YM", "youd": "YM",
    "theyll": "ZM", "theyd": "ZM", "well": "WM", "wed": "WM", "ive": "WD", "weve": "WD",
    "youve": "YD", "theyve": "ZD", "lets": "WM",
}
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
# Verbs that are violence when a body follows ("cut their ... throats", "snap that ... neck").
_BODY_VERBS: Final = frozenset(
    "cut slit snap snapped break smash crack slice chop bash end take ruin".split())


def _violent_before(out: list[Chunk], tokens: Sequence[str]) -> None:
    """Turn the verb before a body word (skipping fillers and owners) into violence."""
    for k in range(len(out) - 1, max(-1, len(out) - 4), -1):
        if out[k].sym == "o" and tokens[out[k].start] in _BODY_VERBS:
            out[k] = Chunk("V", out[k].start, out[k].end)
            return
        if out[k].sym not in "DZo":
            return


# --- the rules ---------------------------------------------------------------------------------
# Symbols: G group of people, Y you, W writer, Z they, H someone else (he, my mom), S someone,
# m a member (mention); C copula, M modal, X negation, D filler, o any other word, B clause
# break, r relative "who/that"; A derogatory description, N degrading noun, I insult,
# E hostility (verb), e hostility (noun), F what makes the writer feel it, V violence,
# K death or suffering, O exclusion, P praise or worth, q harm to a shared place, s that
# place, w a swarm of, J "typical of", k a comparison, l an animal or dirt, R reporting,
# T presenting as true.

# Prepositions: they may sit between a target and its verb ("... in this country are"),
# never between "is/are" and what is said ("you're from a trash can", "horrible at it").
_PREPOSITIONS: Final = frozenset(
    "from at in on with about for into onto by near under over behind through across "
    "against toward towards among between during after before".split())
_GAP: Final = "[Dopi]"
_AFTER: Final = "[Dop]"
# A target, then what is said of it: "... are (not) ...", "... should all be ...".
_SUBJECT: Final = re.compile(
    r"(?P<q>X[D]{0,2})?(?P<t>[GYZm])r?(?:[Dp]|i[Dops]{0,3}){0,3}?"
    r"(?P<mid>(?:[MXCs]" + _AFTER + r"{0,2}){0,5}?)(?P<p>[AaxNIKOPVqFy])")
# Something done to, felt about or refused a target: "kill all ...", "I despise ...", "no
# place for ...", "I have no compassion for ...", "never trust a word said by a ...".
_OBJECT: Final = re.compile(r"(?P<p>[VEK])(?P<gap>[DiXM]{0,4}?o{0,2}D{0,2})(?P<t>[GYZm])")
# Refusing a target a place or kindness: "no place for ...", "I have no compassion for ...",
# "never trust a word said by a ...", "human rights should not apply to ...".
_REFUSE: Final = re.compile(r"(?P<p>[Oy])(?P<gap>[DopisXRM]{0,6}?)(?P<t>[GYZm])")
# A hostile feeling named as a noun, with the writer as the one who feels it: "contempt
# for ...", "the scorn I feel for ...".
_FEELING: Final = re.compile(r"(?P<p>e)(?P<gap>(?:Wo{0,2})?" + _GAP + r"{0,3}?)(?P<t>[GYZm])")
# Letting or making a target suffer: "make those ... suffer", "let any ... live".
_CAUSE: Final = re.compile(r"(?P<p0>M)" + _GAP + r"{0,3}?(?P<t>[GZ])" + _GAP + r"{0,2}?"
                    r"(?:C" + _GAP + r"{0,1})?(?P<p>[KVPv])")
# What a target makes the writer feel, further apart: "seeing ... here makes me angry".
_FEEL: Final = re.compile(r"(?P<t>[GZ])[^.B\"]{0,8}?(?P<p>F)")
# A swarm of a group; a degrading word right next to it: "swarms of ...", "filthy ...",
# "... vermin".
_SWARM: Final = re.compile(r"(?P<p>w)D{0,2}(?P<t>G)")
_BESIDE: Final = re.compile(r"(?P<p>A)(?P<t>G)|(?P<t2>G)(?P<p2>[NI])")
# "typical of a ...", "in their nature": a trait framed as the group's own.
_GENERAL: Final = re.compile(r"J" + _GAP + r"{0,3}(?P<t>G)|(?P<t2>G)" + _GAP + r"{0,3}J")
# "I find all ... disgusting": the writer's judgement of a group, in a small clause.
_CONSIDER: Final = re.compile(r"(?P<w>W)oD{0,2}(?P<t>G)(?P<p>[AaNI])")
_CONSIDERING: Final = frozenset("find consider deem call think".split())
# "execution is the only solution for ...": elimination as the answer to a group.
_SOLUTION: Final = re.compile(r"(?P<p>V)C[DJo]{0,4}iD{0,2}(?P<t>[GZ])")
_ANSWERS: Final = frozenset("solution answer cure remedy way fix option".split())
# "of course that dumbass was a ...": an insult for someone, then the group they belong to.
_NAMED_AS: Final = re.compile(r"(?P<p>[IN])C[D]{0,2}(?P<t>G)")
# "no one else is as filthy as these ...": the most of a bad trait.
_AS: Final = re.compile(r"(?P<p>[Aa])o" + _GAP + r"{0,2}?(?P<t>[GZ])")

_NEGATIVE: Final = frozenset("AaxNIKVqFOwEe")
# The writer's own belief, told as past ("I felt like they were ..."): no longer said.
_PAST_BELIEF: Final = frozenset(("felt like", "i thought", "we thought", "used to think",
                          "used to believe", "was like", "were like", "im like", "im all like",
                          "was all like", "be like"))
# How far back the readers look from a word for its subject, a negation or a frame: a
# clause's worth of symbols. (Bounded, so a long run-on message costs its length, no more.)
_REACH: Final = 14
# Degree words between "is/are" and what is said ("as clever as", "that stupid").
_DEGREE: Final = frozenset("as that this such too quite rather".split())
_ARTICLES: Final = frozenset("the a an my our your their his her its this that".split())
# Small words after a praise word that leave it said of the target ("smart as anyone").
_PARTICLES: Final = frozenset("as like than to at for of in on with about enough".split())
_SUGGESTIONS: Final = ("what if", "how about", "why dont", "why not", "why cant", "why do not")
# Modal verbs that wish or demand ("should die"), as against predict ("you will die").
_WISHING: Final = frozenset(
    "should shouldve must ought need needs deserve deserves hope hoping wish wishing pray "
    "praying let better".split())
# Words before a wished act that keep the writer as the one who wishes it ("it would be best
# to ...", "it's in everybody's interest to ...").
_EVALUATIVE: Final = frozenset(
    "to it its best better good great time interest idea fine ok okay right necessary needed "
    "only way just everybodys everyones everybody everyone in".split())
_MODAL_TOKENS: Final = frozenset(
    "should must ought need needs deserve deserves will would shall can could may might gonna "
    "wanna gotta hope wish pray let make see watch love like".split())
# A wish that needs no modal verb between the target and the act ("if only ... had their
# throats cut", "we would be better off if ... were eradicated").
_WISHES: Final = ("if only", "better off if", "best if", "better if", "happier if", "good riddance",
           "i wish", "we wish", "i hope", "we hope", "i pray", "hopefully", "in a just world",
           "in a perfect world", "in an ideal world", "at my hands", "by my hand",
           "at our hands")
# Words between "my" and an in-group word ("my fellow ...", "my day one ...").
_KIN: Final = frozenset("fellow day one main real own dear sweet brave lovely".split())
_PASSIVE_TOLD: Final = frozenset("told taught called named raised labelled labeled".split())
# Verbs and nouns that mention a word rather than use it.
_NAMING: Final = frozenset(
    "call calls called calling say says said saying word words term terms slur slurs name "
    "names named naming use uses used using write wrote written writing".split())
# Someone else's view: "... might not be worth shit to you".
_TO_OTHER: Final = frozenset(("you", "him", "her", "them", "people", "some"))


def _plural(words: str) -> bool:
    last = words.rpartition(" ")[2]
    return last.endswith("s") or last in ("people", "men", "women", "children", "folk")


def _spans_quote(syms: str, a: int, b: int) -> bool:
    """Whether positions a..b lie inside a pair of quote marks."""
    before = syms.count('"', 0, a)
    return before % 2 == 1 and '"' in syms[b:]


def read(tokens: Sequence[str], names: frozenset[str] = frozenset()) -> list[Finding]:
    """Findings of harassment, hate and threat by structure (see the module docstring).
    `names`: members' folded names, read as a member like a mention."""
    lex = lexicon()
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


def _read_part(tokens: Sequence[str], names: frozenset[str], lex: _Lexicon) -> list[Finding]:
    """`read` on a message, or on one stretch of a long one."""
    chunks = _merge(lex.table.chunks(tokens, names), tokens)
    for k, c in enumerate(chunks):
        if c.sym == "L" and _plural(tokens[c.end - 1]) and (
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
            sentence = _Sentence(syms, chunks[start:end], tokens, lex, you_group)
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


_KIND: Final = {"A": "a derogatory description", "a": "a derogatory description",
         "y": "kindness refused",
         "x": "a derogatory generalisation", "N": "a degrading noun", "I": "an insult",
         "K": "death or suffering wished", "V": "violence wished", "O": "exclusion",
         "P": "worth denied", "q": "harm to a shared place", "F": "disgust or anger",
         "w": "a swarm image", "E": "hostility", "e": "hostility", "v": "life denied"}


class _Sentence:
    """One sentence's symbols and the rules that read them."""

    def __init__(self, syms: str, chunks: Sequence[Chunk], tokens: Sequence[str],
                 lex: _Lexicon, you_group: bool) -> None:
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
        for m in _SUBJECT.finditer(syms) if targets else ():
            self._subject(m)
        for m in _OBJECT.finditer(syms) if targets and not has.isdisjoint("VEK") else ():
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
        for m in _REFUSE.finditer(syms) if targets and not has.isdisjoint("Oy") else ():
            t_pos, p_pos = m.start("t"), m.start("p")
            agent, negs = self._agent(p_pos)
            if agent in ("other", "thing") or syms[t_pos] == "Y":
                continue  # ("you can't get out of here": advice, not exclusion)
            self.add(t_pos, p_pos, negs + m.group("gap").count("X"), True)
        for m in _FEELING.finditer(syms) if "e" in has else ():
            if self._writer_feels(m.start("p")):
                p_pos = m.start("p")
                negs = syms[max(0, p_pos - 3):p_pos].count("X")  # "I have no ... contempt"
                self.add(m.start("t"), p_pos, negs, False)
        for m in _CAUSE.finditer(syms) if "M" in has else ():
            if self.first(m.start("p0")) not in _MODAL_TOKENS:
                continue
            agent, negs = self._agent(m.start("p0") + 1)
            if agent != "other":
                self.add(m.start("t"), m.start("p"), negs, True)
        for m in _FEEL.finditer(syms) if "F" in has else ():
            if "X" not in syms[m.start("t"):m.start("p")]:
                self.add(m.start("t"), m.start("p"), 0, False)
        for m in _SWARM.finditer(syms) if "w" in has else ():
            self.add(m.start("t"), m.start("p"), 0, False)
        for m in _BESIDE.finditer(syms) if "G" in has and not has.isdisjoint("ANI") else ():
            if m.group("t") is not None:
                if _plural(self.text(m.start("t"))):  # "filthy ..."; not "an ugly woman"
                    self.add(m.start("t"), m.start("p"), 0, False)
            else:
                self.add(m.start("t2"), m.start("p2"), 0, False)
        for m in _NAMED_AS.finditer(syms) if "C" in has and "G" in has else ():
            if m.start("p") and self.first(m.start("p") - 1) in ("that", "the", "this"):
                self.add(m.start("t"), m.start("p"), 0, False)
        for m in _AS.finditer(syms) if not has.isdisjoint("Aa") else ():
            if self.first(m.start("p") + 1) == "as":
                self.add(m.start("t"), m.start("p"), 0, False)
        if "J" in syms:
            bad = [i for i, s in enumerate(syms) if s in "AaNI"]
            if bad:
                for m in _GENERAL.finditer(syms):
                    t_pos = m.start("t") if m.group("t") is not None else m.start("t2")
                    self.add(t_pos, bad[0], 0, False, "a trait framed as their nature")
        if "L" in syms:
            self._slurs()
        if "k" in syms:
            found = self._compared()
            if found is not None:
                self.add(found[0], found[1], 0, False, "a comparison with animals or dirt",
                         negative=True)
        for m in _CONSIDER.finditer(syms) if "W" in has and "G" in has else ():
            if self.first(m.start("w") + 1) in _CONSIDERING:
                self.add(m.start("t"), m.start("p"), 0, False)
        for m in _SOLUTION.finditer(syms) if "V" in has else ():
            if any(self.first(j) in _ANSWERS for j in range(m.start("p") + 1, m.start("t"))):
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
            sense = _SENSES.get(phrase)
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
        return nxt in _ARTICLES

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
            if word in _NAMING:
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
        plural = _plural(self.text(i))
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
                syms[j] == "o" and (self.first(j).endswith("ly") or self.first(j) in _KIN))):
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
                self.first(j) in _WISHING for j in range(t_pos + 1, p_pos) if syms[j] == "M"):
            return  # wished or demanded ("should die"); not told ("were attacked") or
            # predicted ("you will die young")
        if syms[t_pos] == "Y" and p in "Oq":
            return  # "you need to get out of here", "you ruined it": not exclusion or harm
        if p == "q" and "s" not in syms[p_pos + 1:p_pos + 4]:
            return  # harm to a shared place names the place ("ruin our country")
        for j in range(m.start("mid"), p_pos):
            if syms[j] == "o" and not self.first(j).endswith("ly") and (
                    self.first(j) not in _DEGREE):
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
        if after == "to" and p_pos + 2 < len(syms) and self.first(p_pos + 2) in _TO_OTHER:
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
        negative = negative or p in _NEGATIVE
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
        kind = kind or _KIND.get(p, "a comparison with animals or dirt")
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
        if j < len(syms) and syms[j] == "D" and self.first(j) in _ARTICLES:
            j += 1
        return j < len(syms) and syms[j] in ("o" if nouns_only else "op") and (
            self.first(j) not in _PARTICLES)

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
        while i >= max(0, p_pos - _REACH) and syms[i] not in 'B."':
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
                   for j in range(max(0, p_pos - _REACH), p_pos - 1))

    def _suggested(self) -> bool:
        """A sentence that proposes: "what if we ...", "how about we ...", "why don't we"."""
        head = " ".join(self.tokens[self.chunks[0].start:self.chunks[min(
            2, len(self.chunks) - 1)].end])
        return head.startswith(_SUGGESTIONS)

    def _used_to(self, t_pos: int) -> bool:
        """A belief the writer held once ("I used to think ..."), earlier in the sentence."""
        words = [self.text(i) for i in range(max(0, t_pos - _REACH), t_pos)]
        return any(a == "used" and b == "to" for a, b in pairwise(words))

    def _agent(self, p_pos: int) -> tuple[str, int]:
        """Who does or feels the act at `p_pos`, and how many negations stand between them:
        "writer" (I, we, someone, "you should": the writer wishes it), "none" (no subject:
        "death to ...", "disgusted by ..."), or "other" (he, they, my mom: told)."""
        syms = self.syms
        negs = 0
        i = p_pos - 1
        while i >= max(0, p_pos - _REACH) and syms[i] not in 'B."':
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
            elif s == "o" and self.first(i) not in _EVALUATIVE and not (
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
        for i in range(t_pos - 1, max(-1, t_pos - _REACH - 1), -1):
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
            self._wish = any(w in words for w in _WISHES)
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
        while i >= max(0, pos - _REACH):
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
                if self._holder(i) == "writer" and self.text(i) not in _PAST_BELIEF:
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
        if r_pos and syms[r_pos - 1] == "C" and self.first(r_pos) in _PASSIVE_TOLD:
            return "other"  # "I was told ...", "I've been called ...": someone else's words
        negs = 0
        i = r_pos - 1
        while i >= max(0, r_pos - _REACH) and syms[i] != '"':
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
            for j in range(max(0, i - _REACH), t):
                if j != i and (syms[j] in "Nl" or (self.text(j) in lowly and syms[j] != "G")):
                    return t, j
            if any("rather" in self.text(j) for j in range(i + 1)):
                for j in range(i):
                    if syms[j] in "KAa":
                        return t, j
        return None
