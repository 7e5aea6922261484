"""Street addresses in a message, for the personal-details reader (pii.py).

A house number and a few name words with a street type ("42 Oak Avenue", "9 Elm Way"), a
street word before the name ("Rua Augusta 12"), compound names ("Hauptstraße 5"), Hungarian
forms, corners, PO boxes and address lines after a cue ("I live at ..."). The street words
are data (groupbot/data/words/pii.txt); cheap gates keep most chat from any regex here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Final

from groupbot.moderation.normalise import (
    distinct_chars,
)
from groupbot.moderation.wordlists import STREET_CLASSES, load_classes, street_words

# Street words (groupbot/data/words/pii.txt): types written after the name, plain ("42 oak
# avenue") or only in Title case after Title-case name words ("9 Elm Way"), and words written
# before it ("Rua Augusta 12"); the engine's word matcher finds them and the address cues.
_STREETS: Final = load_classes("pii.txt", STREET_CLASSES)
_PLAIN_SUFFIXES: Final = _STREETS["street.plain"]
_TITLE_SUFFIXES: Final = _STREETS["street.title"]
_TITLE_ONLY: Final = _TITLE_SUFFIXES
_EU_PREFIXES: Final = tuple(sorted(_STREETS["street.prefix"], key=lambda w: (-len(w), w)))
_VAGUE_PREFIXES: Final = _STREETS["street.vague"]
ADDRESS_WORDS: Final = street_words(_STREETS)
COMPOUND_STREETS: Final = ("straße", "strasse", "straat", "weg", "laan", "gasse", "allee", "plein",
                     "vej", "gade", "gatan", "vägen", "vegur", "gata", "veien", "katu", "kuja",
                     "polku", "ntie", "braut", "stræti", "straeti", "stræde", "utca", "ulica",
                     "ská", "cká", "platz", "damm")
# A compound street name ("Hauptstraße 5") needs its suffix, maybe a dot, a space, a digit.
_COMPOUND_NUMBER: Final = re.compile(r"(?:" + "|".join(COMPOUND_STREETS) + r")\.? \d")
SPACE_DIGIT: Final = re.compile(r" \d")  # a cheap gate: `_COMPOUND_NUMBER` ends with one
_ADDRESS_SCAN: Final = 4000
WORDS: Final = re.compile(r"[^\W_]+")
_ALNUM: Final = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))
# A name word: letters or digits ("5th", "O'Connell", "St.-Denis"); no spaces, so every
# repetition below splits text one way only and the patterns stay linear.
_NAME: Final = r"[^\W_][\w'.-]*"
# In a number-first address the name words are not bare numbers ("5th", not "130").
_STREET_NAME: Final = r"(?:[^\W\d_]|\d+[^\W\d_])[\w'.-]*"
# A house number and up to five words; the street type among them is checked in Python
# (`_street_end`), which is several times faster than an alternation of street types.
_ADDRESS: Final = re.compile(
    r"(?<![\w-])\d{1,6}[A-Za-z]?,? ((?:" + _STREET_NAME + r" ){0,4}" + _STREET_NAME + r")",
    re.I)
_ADDRESS_PREFIXED: Final = re.compile(
    r"\b(" + "|".join((*_EU_PREFIXES, "rúa", "praça", "av", "boulevard", "plaza")) + r")\.?"
    r"((?: " + _NAME + r"){1,6}),? \d{1,5}[A-Za-z]?\b", re.I)
_ADDRESS_COMPOUND: Final = re.compile(
    r"\b(?:[^\W\d_][\w'-]*)?(?:" + "|".join(COMPOUND_STREETS) + r")\.? \d{1,5}[a-z]?\b", re.I)
# Hungarian: "Király u. 15.", "Fő tér 3", "Andrássy út 60".
_ADDRESS_HU: Final = re.compile(
    r"\b[^\W\d_][\w'-]*(?: [^\W\d_][\w'-]*){0,2} (?:u\.|utca|út|útja|tér|körút|krt\.) "
    r"\d{1,5}\b\.?", re.I)
_HU_HINTS: Final = (" u. ", "utca", "út ", "útja", "tér ", "krt.")
# Post boxes, including US military ones ("PSC 1234, Box 5678", "Unit 2050 Box 4190").
_BOX: Final = (
    re.compile(r"\b(?:(?:p\.? ?o\.?|post(?:al)?(?: office)?) ?box|(?:psc|cmr|unit) \d{1,5},? "
                  r"box) ?#? ?\d{1,6}\b", re.I))
# The last line of a US military address ("APO AE 09012") and of a ship's ("FPO AP 96601").
_MILITARY: Final = re.compile(r"\b[adf]po,? (?:aa|ae|ap),? \d{5}\b", re.I)
# A town with a postcode: "Springfield, IL 62704", "Leeds LS1 4AP", "Ottawa, ON K1A 0B1",
# "Sydney NSW 2000".
_POSTAL: Final = re.compile(
    r"\b[A-Z][a-z]+(?: [A-Z][a-z]+){0,2},? (?:"
    r"(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|"
    r"S[CD]|T[NX]|UT|V[AT]|W[AIVY]) \d{5}(?:-\d{4})?"
    r"|(?:[A-Z]{2} )?[A-Z]\d[A-Z] \d[A-Z]\d"
    r"|(?:NSW|VIC|QLD|SA|WA|TAS|NT|ACT) \d{4}"
    r"|[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2})\b")
_POSTAL_HINT: Final = re.compile(r"[A-Z] ?\d")  # every `_POSTAL` code has one, fast to find
_UNIT: Final = re.compile(r"\b(?:apt|apartment|suite|ste)\.? ?#? ?\d{1,5}[a-z]?\b", re.I)
# An intersection: "the corner of Elm Street and 5th Avenue".
_CORNER: Final = re.compile(r"\bcorner of ((?:" + _NAME + r" ){1,6}?)and(?: " + _NAME + r"){1,4}",
                     re.I)
_LIVES_AT: Final = (
    re.compile(r"\b(?:my (?:home )?address is|i live (?:at|on)|(?:he|she|they) lives? "
                       r"(?:at|on)|(?:his|her|their) address is)\b", re.I))
# Other address cues; what follows must look like an address ("lives at 4 Kirkegata",
# "address: Hauptstraße 5"), unlike "to address 3 points".
_ADDRESS_CUE: Final = re.compile(
    r"\b(?:(?:my|his|her|their|your|our|new|home|billing|shipping|mailing|postal|the|this) "
    r"address(?:es)?(?: is| was| will be| to| with)?|address(?:es)?:|lives (?:at|on))\W{0,3}"
    r"(?:it(?: is|'s) )?", re.I)
_AFTER_CUE: Final = re.compile(
    r"(?:the corner of )?(?:\d{1,6}[A-Za-z]?,? [^\W\d_]|" + _NAME
    + r"(?: " + _NAME + r"){0,3},? \d{1,5}[A-Za-z]?\b)", re.I)
# Around an address: a house number or flat before it ("Flat 3, 12 High St"), and a
# direction, flat, town, state, postcode and country after it.
_HEAD: Final = re.compile(r"(?:(?<![\w-])(?:(?:flat|apt|apartment|unit|suite|ste|no)\.? ?#? ?)?"
                   r"\d{1,6}[A-Za-z]?,? ?[/,]? )+$", re.I)
_TAIL: Final = re.compile(
    r"(?P<dir>\.?,? (?:N|S|E|W|NE|NW|SE|SW)\b\.?)"
    r"|(?P<unit>\.?,? (?i:apt|apartment|suite|ste|unit|flat|floor|#)\.? ?#? ?\d{1,5}[A-Za-z]?\b)"
    r"|(?P<code>,? (?:\d{4,5}(?:-\d{4})?|\d{2}-\d{3}|\d{3} \d{2}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
    r"|[A-Z]\d[A-Z] ?\d[A-Z]\d)\b)"
    r"|(?P<state>,? [A-Z]{2,3}\b(?= ?[,\d]))"
    r"|(?P<town>\.?, ?[^\W\d_](?:[^\W\d_]|['.-])*+(?!\w)"
    r"(?: [^\W\d_](?:[^\W\d_]|['.-])*+(?!\w)){0,2})")
# A line of a written-out address: short, no sentence punctuation, no chat words.
_ADDRESS_LINE: Final = re.compile(r"[ \t>|?*]*([^\W_][\w .,'()/#&-]{0,58}?)[ \t.,]*")
_LINE_STOP: Final = frozenset(
    "the a an to of my your in on at and or for with i we you they it is was are be me "
    "phone tel mobile fax email office desk website call thanks please".split())
_SHIP: Final = re.compile(r"[ \t>|?*]*(?:uss|usns|usnv|uscgc|psc|unit|cmr)\b", re.I)
# Words that never name a street; with them a number and a street type are a distance or a
# count ("a 5 minute drive", "10 mile road trip", "2 hour walk"), not an address.
_ADDR_STOP: Final = frozenset(
    "the a an to of my your in on at and or for down up with more than times hours minutes "
    "miles km days weeks years people kids dogs cats i we you they it is was "
    "minute min mins hour hr hrs second sec secs mile mi kilometre kilometer kilometres "
    "kilometers metre meter metres meters yard yards foot feet step steps block blocks "
    "day week month months year yr yrs night nights percent "
    "so not but if just did does got go went be been has had have would could should can "
    "cant dont wont didnt isnt wasnt this that these those them us he she him her his its "
    "our their me from by as".split())


def has_street_word(low: str) -> bool:
    """What the engine's word matcher says about `text` (accents folded, as it folds them)."""
    words = WORDS.findall(low if low.isascii() else _fold(low))
    if _SINGLE_WORDS.intersection(words):
        return True
    flat = " " + " ".join(words) + " "
    return any(f" {w} " in flat for w in _MULTI_WORDS)


_SINGLE_WORDS: Final = frozenset(w for w in ADDRESS_WORDS if " " not in w)
_MULTI_WORDS: Final = tuple(w for w in ADDRESS_WORDS if " " in w)


_COMPOUND_ENDS: Final = (*COMPOUND_STREETS, *(s + "." for s in COMPOUND_STREETS))


def _compound_number(low: str) -> bool:
    """`_COMPOUND_NUMBER.search(low)`, from the " <digit>" places (few, and found by a
    regex that starts with a literal) instead of trying the alternation everywhere."""
    for m in SPACE_DIGIT.finditer(low):
        if low.endswith(_COMPOUND_ENDS, 0, m.start()):
            return True
    return False


def unworded_hint(text: str, low: str, space_digit: bool) -> bool:
    """A necessary condition of the address patterns that need no street word (post boxes,
    military lines, compound and Hungarian street names, corners, towns with postcodes)."""
    if "box" in low:
        return True
    if not space_digit:
        return False
    return ("po " in low or "po," in low or "corner of" in low
            or any(h in low for h in _HU_HINTS)
            or _compound_number(low)
            or (text != low and _POSTAL_HINT.search(text) is not None
                and _POSTAL.search(text) is not None))


def _title(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()


def find_addresses(text: str, street_word: bool, digit: bool,
               add_: Callable[[str, int, int], None], taken: list[tuple[int, int]]) -> None:
    text = text[:_ADDRESS_SCAN]  # street patterns are the costly ones; chat messages are short
    low = text.lower()
    found: list[tuple[int, int]] = []

    def scan(rx: re.Pattern[str], keep: Callable[[re.Match[str]], bool] | None = None) -> None:
        # A handful of addresses says all a verdict needs: stop there (bounds the work).
        for m in rx.finditer(text):
            if keep is None or keep(m):
                found.append(m.span())
                if len(found) >= _MAX_ADDRESSES:
                    return

    words: set[str] = set()
    if digit and street_word:
        folded = low if low.isascii() else _fold(low)
        # The words, as ASCII letter-and-digit runs (at C speed; a regex pass cost ~0.4 ms
        # on 4,000 characters). Every street word is ASCII once folded; any other
        # character separates words, which can only add candidates the patterns then
        # confirm on the text, never lose one.
        words = set(folded.encode("ascii", "replace").translate(_ALNUM).decode("ascii")
                    .split())
        if not words.isdisjoint(_ALL_SUFFIXES):
            for m in _ADDRESS.finditer(text):
                end = _street_end(m)
                if end:
                    found.append((m.start(), end))
                    if len(found) >= _MAX_ADDRESSES:
                        break
        present = words & _PREFIXES
        if present:
            for span in _prefixed(text, low, present):
                found.append(span)
                if len(found) >= _MAX_ADDRESSES:
                    break
        if not words.isdisjoint(("apt", "apartment", "suite", "ste")):
            scan(_UNIT)
    if digit:
        if "box" in low:
            scan(_BOX)
        if "po " in low or "po," in low:
            scan(_MILITARY)
        if _compound_number(low):
            scan(_ADDRESS_COMPOUND)
        if any(h in low for h in _HU_HINTS):
            scan(_ADDRESS_HU)
        if text != low and _POSTAL_HINT.search(text) is not None:
            scan(_POSTAL)
    if "corner of" in low:
        scan(_CORNER, _corner_ok)
    if "live" in low or "address" in low:
        for m in _LIVES_AT.finditer(text):
            start = m.end() + len(text[m.end():m.end() + 3]) - len(
                text[m.end():m.end() + 3].lstrip(" :,"))  # after the cue: whose() reads it
            end = _line_end(text, start, 60)
            if end - start > 3 and _place_follows(text, start, end):
                found.append((start, end))
        if digit:
            for m in _ADDRESS_CUE.finditer(text):
                shape = _AFTER_CUE.match(text, m.end())
                if shape is not None and _cue_shape_ok(text, shape):
                    found.append((shape.start(), _line_end(text, shape.end(), 60)))
    for a, b in found[:_MAX_ADDRESSES]:  # (in pattern order: streets before cue phrases)
        if all(b <= s or a >= e for s, e in taken):
            a, b = _grow(text, a, b, taken)
            add_("address", a, b)


_MAX_ADDRESSES: Final = 8
def _prefixed(text: str, low: str, present: set[str]) -> list[tuple[int, int]]:
    """The spans of `_ADDRESS_PREFIXED` matches that `_prefixed_ok` keeps, as scanning with
    `finditer` gives them, but trying the pattern only where one of the `present` prefixes
    occurs rather than at every word of a long text."""
    if len(low) != len(text):  # (lower-casing moved positions: scan it all)
        return [m.span() for m in _ADDRESS_PREFIXED.finditer(text) if _prefixed_ok(m)]
    spans: list[tuple[int, int]] = []
    past = 0
    for at in _occurrences(low, present):
        if at < past:
            continue
        hit = _ADDRESS_PREFIXED.match(text, at)
        if hit is None:
            continue
        past = hit.end()  # (as finditer: past a match, kept or not)
        if _prefixed_ok(hit):
            spans.append(hit.span())
    return spans


# How each street prefix may be spelled in the text (the words set holds it unaccented).
_PREFIX_SPELLINGS: Final = {"rua": ("rua", "rúa"), "praca": ("praca", "praça")}


def _occurrences(low: str, prefixes: set[str]) -> list[int]:
    """Sorted positions where any of `prefixes` (any spelling) starts in `low`."""
    found: set[int] = set()
    for prefix in prefixes:
        for spelling in _PREFIX_SPELLINGS.get(prefix, (prefix,)):
            at = low.find(spelling)
            while at >= 0:
                found.add(at)
                at = low.find(spelling, at + 1)
    return sorted(found)
_ALL_SUFFIXES: Final = _PLAIN_SUFFIXES | _TITLE_SUFFIXES
_SUFFIX_FORMS: Final = _ALL_SUFFIXES | {s + "." for s in _ALL_SUFFIXES}
_PREFIXES: Final = frozenset((*_EU_PREFIXES, "av", "boulevard", "plaza"))


def _fold(low: str) -> str:
    """Accents off, as the engine's word matcher reads words ("praça" is "praca"): NFD,
    then each distinct combining mark removed with one C-speed `replace` (a Python loop
    per character cost ~2 ms on 4,000 characters of accented text)."""
    text = unicodedata.normalize("NFD", low)
    for ch in distinct_chars(text):
        if unicodedata.combining(ch):
            text = text.replace(ch, "")
    return text


def _street_end(m: re.Match[str]) -> int:
    """Where the address in an `_ADDRESS` match ends (its last street type), or 0: not
    "5 miles down the road" or "2 ways" (no chat words among the name words, and a street
    type that is also a common word only in Title case after Title-case names)."""
    words = m.group(1).split(" ")
    if _SUFFIX_FORMS.isdisjoint(m.group(1).lower().split(" ")[1:]):
        return 0  # (most numbers in chat) no street type at all
    for i in range(len(words) - 1, 0, -1):
        suffix = words[i].rstrip(".")
        key = suffix.lower()
        if key not in _ALL_SUFFIXES:
            continue
        names = words[:i]
        if any(w.lower().strip(".") in _ADDR_STOP for w in names):
            continue
        if key in _TITLE_ONLY and not (suffix[0].isupper() and suffix[1:].islower()
                                       and all(_title(w) for w in names)):
            continue
        return m.start(1) + sum(len(w) + 1 for w in words[:i]) + len(words[i])
    return 0


def _prefixed_ok(m: re.Match[str]) -> bool:
    """Not "sent via Signal 2" or "via Agenda 2030": a prefix that is also an ordinary word
    ("via", "plaza") counts only written as a street name is, capitalised, before Title-case
    names."""
    names = m.group(2).split()
    if any(w.lower().strip(".,") in _ADDR_STOP for w in names):
        return False
    prefix = m.group(1)
    return prefix.lower() not in _VAGUE_PREFIXES or (
        prefix[0].isupper() and all(_title(w) for w in names))


# What follows "I live at/on" or "my address is" when it is a place: a house number, a
# dwelling or flat, a street; and the idioms it never is ("I live at home", "at least",
# "on my own", "my address is on my CV").
_DWELLINGS: Final = frozenset(
    "house flat flats apartment apartments building cottage farm bungalow tower towers "
    "complex estate block hall halls dorm dorms residence condo duplex trailer unit number "
    "no apt suite".split())
_NOT_A_PLACE: Final = frozenset(
    "home least most all times night once first last risk peace ease work school uni college "
    "university campus my our his her their your own a an".split())
_SENTENCE_END: Final = re.compile(r"[.!?;](?:\s|$)")


def _place_follows(text: str, start: int, end: int) -> bool:
    """Whether text[start:end], after a "lives at" or "address is" cue, names a place."""
    stop = _SENTENCE_END.search(text, start, end)
    words = WORDS.findall(text, start, end if stop is None else stop.start())[:8]
    if not words:
        return False
    first = words[0]
    if first[0].isdigit():
        return True
    for i, w in enumerate(words):
        low = w.lower()
        if low in _DWELLINGS or low in _PLAIN_SUFFIXES or low in _PREFIXES or (
                low in _TITLE_ONLY and w[0].isupper()):
            return True
        if i and w[0].isdigit() and words[i - 1][0].isupper():
            return True  # a street name and its number ("the far end of Rua Nova 12")
    low = first.lower()
    return first[0].isupper() and first != "I" and low not in _NOT_A_PLACE \
        and low not in _LINE_STOP


def _cue_shape_ok(text: str, shape: re.Match[str]) -> bool:
    """An `_AFTER_CUE` match that is an address, not "the address listed on 7/9" or "the
    address 3 times": no chat words among the name words, and its number no date or time."""
    words = shape.group().split()
    if words[0][0].isdigit():  # (the match ends at the next word's first letter)
        name = WORDS.match(text, shape.end() - 1)
        return name is not None and name.group().lower() not in _ADDR_STOP
    if any(w.lower().strip(".,") in _ADDR_STOP for w in words[:-1]):
        return False
    after = text[shape.end():shape.end() + 2]
    return not (len(after) == 2 and after[0] in "/.:-" and after[1].isdigit())


def _corner_ok(m: re.Match[str]) -> bool:
    """A corner of two streets: a number or a street word on either side."""
    return any(c.isdigit() for c in m.group()) or any(
        w.strip(".,") in _SINGLE_WORDS for w in m.group().lower().split()[2:])


def _line_end(text: str, pos: int, most: int) -> int:
    """`pos` moved on to the end of its line, at most `most` characters on."""
    end = min(len(text), pos + most)
    nl = text.find("\n", pos, end)
    return end if nl < 0 else nl


def _address_line(line: str, lowercase: bool = False) -> bool:
    """A line of a written-out address: short, no chat words, every word capitalised or
    holding a digit (unless the writer writes all in lower case), bar particles ("de")."""
    if len(line) > 64 or _ADDRESS_LINE.fullmatch(line) is None:
        return False
    words = WORDS.findall(line)
    if not 0 < len(words) <= 7:
        return False
    for w in words:
        low = w.lower()
        if low in _LINE_STOP:
            return False
        if not (lowercase or w[0].isupper() or any(c.isdigit() for c in w)
                or low in _PARTICLES):
            return False
    return True


_PARTICLES: Final = frozenset("de del da das do dos di du des la le van der den von nad pod y e u "
                       "ul st".split())


def _grow(text: str, a: int, b: int, taken: list[tuple[int, int]]) -> tuple[int, int]:
    """Widen an address found at text[a:b] over the rest of it: the house number or flat
    before it, and direction, flat, town, state, postcode and country after it, on the same
    line or on the next short lines of a written-out address. Never over another finding."""
    lo = max([e for s, e in taken if e <= a], default=0)
    hi = min([s for s, e in taken if s >= b], default=len(text))
    head = _HEAD.search(text, max(lo, a - 40), a)
    if head is not None:
        a = head.start()
    lowercase = not any(c.isupper() for c in text[a:b])
    while True:
        m = _TAIL.match(text, b, hi)
        if m is None or m.end() == b:
            break
        if m.lastgroup == "town" and not lowercase:
            word = m.group().lstrip(".,").lstrip()
            if not word[:1].isupper():
                break
        b = m.end()
    ls = text.rfind("\n", 0, a) + 1
    le = text.find("\n", b)
    le = len(text) if le < 0 else le
    line = text[ls:le]
    if _address_line(line, lowercase) and lo <= ls and le <= hi:  # a line of its own: all of it
        m = _ADDRESS_LINE.fullmatch(line)
        if m is not None:
            a, b = min(a, ls + m.start(1)), max(b, ls + m.end(1))
    if text[b:le].strip(" \t.,;") == "":  # the address ends its line: the next lines
        pos, lines, blanks = le, 0, 0
        while pos < hi and lines < 5:
            nxt = text.find("\n", pos + 1)
            end = len(text) if nxt < 0 else nxt
            line = text[pos + 1:end]
            if not line.strip():
                blanks += 1
                if blanks > 1:
                    break
            elif end <= hi and _address_line(line, lowercase):
                m = _ADDRESS_LINE.fullmatch(line)
                if m is not None:
                    b = pos + 1 + m.end(1)
                lines += 1
            else:
                break
            pos = end
    if text[ls:a].strip(" \t>|?*") == "":  # it starts its line: a house or ship line above
        for _ in range(2):
            if ls <= lo + 1 or ls == 0:
                break
            ps = text.rfind("\n", 0, ls - 1) + 1
            line = text[ps:ls - 1]
            if ps < lo or not _address_line(line, lowercase) or not (
                    any(c.isdigit() for c in line) or _SHIP.match(line)):
                break
            m = _ADDRESS_LINE.fullmatch(line)
            if m is not None:
                a = ps + m.start(1)
            ls = ps
    return a, b
