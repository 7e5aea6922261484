"""The structural reader's words: the classes of `groupbot/data/words/abuse.txt` as symbols,
and the slurs and hate codes of the phrase lists, built once into one symbol table.

structure.py reads a sentence as a string of these symbols; the speller (vocabulary.py)
corrects misspellings towards the key words listed here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from groupbot.moderation import lexicon as lexicon_lists
from groupbot.moderation.fastpath import MENTION_TOKEN
from groupbot.moderation.symbols import SymbolTable
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


class AbuseWords:
    def __init__(self) -> None:
        classes = load_classes("abuse.txt", CLASSES)
        self.classes = classes
        table = SymbolTable()
        table.add_classes(classes, _SYMBOLS)
        # Slurs: the phrase lists tagged slur or code and the extra classes here; `slurs`
        # keeps each one's severity (3: the worst slurs) and whether it is an in-group word.
        self.slurs: dict[str, tuple[int, bool]] = {}
        self.codes: set[str] = set()
        for tag in ("slur", "code"):
            for lst in lexicon_lists.tagged(tag):
                for phrase in lst.phrases:
                    self.slurs[phrase] = (lst.severity, False)
                    if tag == "code":
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
        for lst in lexicon_lists.tagged("benign"):
            for phrase in lst.phrases:  # "maine coon": no slur in it
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
        self.said = table.triggers("AaxNIEeFVKOqwJkLy") | BODY_VERBS
        self.praise = table.triggers("Pv")
        self.negators = table.words_with("X")
        self.cues = self.targets | self.said | self.praise  # (what a long message is read for)
        self.side = {name: classes[name] for name in _SIDE}


@lru_cache(maxsize=1)
def abuse_words() -> AbuseWords:
    return AbuseWords()


def key_words() -> frozenset[str]:
    """Words worth correcting a misspelling towards: what the targets and predicates are
    made of (not function words)."""
    lex = abuse_words()
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
    lex = abuse_words()
    return frozenset(w for w in (*lex.info, *lex.slurs) if " " not in w)


def delicate_words() -> frozenset[str]:
    """Insults and slurs: a misspelling is read as one only by a swap or a dropped letter."""
    lex = abuse_words()
    return frozenset(w for w, (sym, _p) in lex.info.items() if sym in "IL") | frozenset(
        w for w in lex.slurs if " " not in w) | lex.classes["neg.noun"]


def key_families() -> dict[str, str]:
    """Key words by the symbol the reader gives them: a misspelling that could be either of
    two words with the same meaning here ("womn": woman or women) is read as either."""
    lex = abuse_words()
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
# Verbs that are violence when a body follows ("cut their ... throats", "snap that ... neck").
BODY_VERBS: Final = frozenset(
    "cut slit snap snapped break smash crack slice chop bash end take ruin".split())


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
