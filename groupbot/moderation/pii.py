"""Personal details: emails, phone numbers, payment cards (Luhn), IBANs (mod 97), national
ids (US SSN, UK National Insurance), street addresses, IP addresses.

Checksums keep random numbers from counting as cards or IBANs. Whose details they are
matters: sharing your own (oversharing, severity 1) is treated more gently than posting
someone else's (doxxing, severity 3); unclear is severity 2. Findings never echo the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from groupbot.moderation.detectors import Finding
from groupbot.moderation.normalise import GATE_DIGIT, GATE_EMAIL, GATE_NUMERIC, GATE_SPACE_DIGIT

# Cheap gates: numeric details need a run of 7+ digit-ish characters (or letters+digits for
# IBAN/NI numbers); addresses need a street word. Most chat fails every gate at once.
_NUM_HINT = re.compile(r"\d[\d .()/x-]{5,}\d")
# Street words (whole words, found by the engine's word matcher) and compound street names.
ADDRESS_WORDS = (
    "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive",
    "dr", "court", "ct", "way", "place", "pl", "terrace", "circle", "cir", "parkway", "pkwy",
    "highway", "hwy", "square", "sq", "crescent", "close", "grove", "gardens", "row", "trail",
    "alley", "plaza", "mews", "apt", "apartment", "suite", "ste", "rua", "via", "calle",
    "avenida", "rue", "piazza", "strada", "carrer", "address", "live at", "lives at",
    "live on", "lives on")
_COMPOUND_STREETS = ("straße", "strasse", "weg", "laan", "gasse", "allee", "plein", "vej",
                     "gade", "gatan", "vägen", "vegur", "gata", "veien", "katu", "utca", "ulica")
_DIGIT = re.compile(r"\d")
# A compound street name ("Hauptstraße 5") needs its suffix, maybe a dot, a space, a digit.
_COMPOUND_NUMBER = re.compile(r"(?:" + "|".join(_COMPOUND_STREETS) + r")\.? \d")
_SPACE_DIGIT = re.compile(r" \d")  # a cheap gate: `_COMPOUND_NUMBER` ends with one
_EMAIL_HINT = re.compile(r"@[A-Za-z0-9-]+\.[A-Za-z0-9-]")
_ADDRESS_SCAN = 4000
_WORDS = re.compile(r"[^\W_]+")
_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,4}"
    r"\.[A-Za-z]{2,24}(?![\w-])")
_CARD = re.compile(r"(?<![\d-])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\d-])")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])")
_SSN = re.compile(r"(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])")
_SSN_BARE = re.compile(r"(?:ssn|social security(?: number| no)?)\D{0,20}(\d{9})(?!\d)", re.I)
_NINO = re.compile(r"(?<![A-Za-z0-9])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
                   r" ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(0?\d{0,4}\)[ .-]?\d{1,5}|\d{2,5})(?:[ .-]?\d{2,5}){0,5}"
    r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?!\w)", re.I)
_PHONE_CUE = re.compile(r"(?:phone|tel|telephone|call|mobile|cell|number|ph|fax|text|whatsapp|"
                        r"reach me|contact|answering|answer|ring|dial|message|sms|landline|"
                        r"hotline|extension)\W{0,3}(?:\w+\W{1,3}){0,3}$", re.I)
_BANK_CUE = re.compile(r"(?:iban|account|acct|bank|transfer|wire|pay|from|to)\W{0,3}"
                       r"(?:\w+\W{1,3}){0,2}$", re.I)
_IP = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
                 r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])")
_SUFFIX = (r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|"
           r"place|pl|terrace|circle|cir|parkway|pkwy|highway|hwy|square|sq|crescent|close|"
           r"grove|gardens|row|trail|alley|plaza|mews)")
_ADDRESS = re.compile(
    r"(?<![\w-])\d{1,6}[A-Za-z]?,? (?:[A-Za-zÀ-ÿ'.-]+ ){1,4}" + _SUFFIX + r"\b\.?", re.I)
_EU_PREFIXES = ("rua", "via", "calle", "avenida", "rue", "boulevard", "piazza", "plaza",
                "strada", "carrer")
_ADDRESS_EU = re.compile(
    r"\b(?:rua|via|calle|avenida|rue|boulevard|piazza|plaza|strada|carrer)"
    r"(?: [\w'À-ÿ.-]+){1,4},? \d{1,5}\b"
    r"|\b[A-ZÀ-Ý][\wà-ÿ]*(?:straße|strasse|weg|laan|gasse|allee|plein|vej|gade|gatan|vägen|"
    r"vegur|gata|veien|katu|utca|ulica)\.? \d{1,5}[a-z]?\b", re.I)
_UNIT = re.compile(r"\b(?:apt|apartment|suite|ste)\.? ?#? ?\d{1,5}[a-z]?\b", re.I)
_LIVES_AT = re.compile(r"\b(?:my (?:home )?address is|i live (?:at|on)|(?:he|she|they) lives? "
                       r"(?:at|on)|(?:his|her|their) address is)\b", re.I)
_ADDR_STOP = frozenset(
    "the a an to of my your in on at and or for down up with more than times hours minutes "
    "miles km days weeks years people kids dogs cats i we you they it is was".split())
_OWN = re.compile(r"(?:\bmy\b|\bme\b|\bmine\b|\bi live|\bim at|\bi am at|\bi'm at)[^.!?\n]{0,40}$",
                  re.I)
_OTHER = re.compile(r"(?:\b(?:his|her|their|hers|theirs)\b|'s\b|\b(?:he|she|they) (?:lives?|is at)"
                    r"|\bwhose\b|\bfound\b|\bleak(?:ed)?\b|\bdox)[^.!?\n]{0,40}$", re.I)

_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

_LABELS = {"email": "an email address", "phone": "a phone number", "card": "a payment card number",
           "iban": "a bank account number (IBAN)", "ssn": "a US social security number",
           "nino": "a UK National Insurance number", "address": "a street address",
           "ip": "an IP address"}


class Span(NamedTuple):
    kind: str
    start: int
    end: int


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_ok(value: str) -> bool:
    s = value.replace(" ", "").upper()
    if not s[:2].isalpha() or not s[2:4].isdigit() or not s.isalnum():
        return False
    expected = _IBAN_LENGTHS.get(s[:2])
    if expected is None or len(s) != expected:
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _iban_end(value: str, start: int) -> int:
    """Trim a greedy match ("GB82... now") to its country's IBAN length."""
    expected = _IBAN_LENGTHS.get(value[:2].upper())
    if expected is None:
        return start + len(value)
    count = 0
    for i, ch in enumerate(value):
        if ch != " ":
            count += 1
            if count == expected:
                return start + i + 1
    return start + len(value)


def iban_shaped(value: str) -> bool:
    """The right length for its country, without the checksum (used only after a bank cue)."""
    s = value.replace(" ", "").upper()
    return s[:2].isalpha() and s[2:4].isdigit() and len(s) == _IBAN_LENGTHS.get(s[:2], -1)


def ssn_ok(area: str, group: str, serial: str) -> bool:
    return (area not in ("000", "666") and not area.startswith("9") and group != "00"
            and serial != "0000")


def find(text: str, street_word: bool | None = None, gates: int = 0) -> list[Span]:
    """Every personal detail in `text` (NFKC text, original case), without overlaps.

    `street_word` says whether the text has a street word (the engine knows from its word
    matcher); None means look for one here. `gates` are the `normalise.GATE_*` facts about
    `text` when the normaliser computed them (0: look here).
    """
    # Cheap gates, each a necessary condition of the patterns it guards.
    if gates:
        email = (gates & GATE_EMAIL) != 0
        digit = (gates & GATE_DIGIT) != 0
    else:
        email = "@" in text and _EMAIL_HINT.search(text) is not None
        if text.isascii():  # (`\d` is 0-9 here: count them at C speed, no regex)
            digit = len(text.encode("ascii").translate(None, b"0123456789")) != len(text)
        else:
            digit = _DIGIT.search(text) is not None
    if not (email or digit or street_word is not False):
        return []  # (most chat) no "@" address, no digit, no street word: no pattern can match
    if gates:
        numeric = (gates & GATE_NUMERIC) != 0
        space_digit = (gates & GATE_SPACE_DIGIT) != 0
    else:
        numeric = digit and _NUM_HINT.search(text) is not None
        space_digit = digit and _SPACE_DIGIT.search(text) is not None
    low = text.lower()
    if street_word is None:
        flat = " " + " ".join(_WORDS.findall(low)) + " "
        street_word = any(f" {w} " in flat for w in ADDRESS_WORDS)
    # Every street pattern needs a digit, except "I live at ..." / "my address is ...".
    address = (digit and (street_word or (space_digit
                                          and _COMPOUND_NUMBER.search(low) is not None))) or (
        street_word and ("live" in low or "address" in low))
    if not (email or numeric or address):
        return []
    spans: list[Span] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(kind: str, a: int, b: int) -> None:
        spans.append(Span(kind, a, b))
        taken.append((a, b))

    if email:
        for m in _EMAIL.finditer(text):
            add("email", m.start(), m.end())
    if numeric:
        if len(text) > _WINDOWED:
            for a, b in _digit_windows(text):
                _numeric(text[a:b], _shifted_add(add, a), _shifted_free(free, a))
        else:
            _numeric(text, add, free)
    if address:
        _addresses(text, add, free)
    return spans


_WINDOWED = 2000  # longer text: numeric patterns run only around runs of digits
_CONTEXT = 64  # characters kept either side of a run (cue words, the rest of an IBAN)


def _shifted_add(add: Callable[[str, int, int], None],
                 offset: int) -> Callable[[str, int, int], None]:
    return lambda kind, a, b: add(kind, a + offset, b + offset)


def _shifted_free(free: Callable[[int, int], bool], offset: int) -> Callable[[int, int], bool]:
    return lambda a, b: free(a + offset, b + offset)


def _digit_windows(text: str) -> list[tuple[int, int]]:
    """Merged spans around every run of 7+ digit-like characters: every numeric pattern
    (cards, IBANs, ids, IPs, phones) contains such a run, and its cue words sit within
    `_CONTEXT` characters of it."""
    spans: list[tuple[int, int]] = []
    for m in _NUM_HINT.finditer(text):
        a, b = max(0, m.start() - _CONTEXT), min(len(text), m.end() + _CONTEXT)
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


def _numeric(text: str, add: Callable[[str, int, int], None],
             free: Callable[[int, int], bool]) -> None:
    for m in _IBAN.finditer(text):
        a, b = m.start(), _iban_end(m.group(), m.start())
        value = text[a:b]
        if free(a, b) and (iban_ok(value) or (
                iban_shaped(value) and _BANK_CUE.search(text[max(0, a - 40):a]))):
            add("iban", a, b)
    for m in _CARD.finditer(text):
        digits = m.group().replace(" ", "").replace("-", "")
        if 13 <= len(digits) <= 19 and free(*m.span()) and luhn_ok(digits):
            add("card", m.start(), m.end())
    for m in _SSN.finditer(text):
        if free(*m.span()) and ssn_ok(m.group(1), m.group(3), m.group(4)):
            add("ssn", m.start(), m.end())
    for m in _SSN_BARE.finditer(text):
        if free(*m.span(1)):
            add("ssn", m.start(1), m.end(1))
    for m in _NINO.finditer(text):
        if free(*m.span()):
            add("nino", m.start(), m.end())
    for m in _IP.finditer(text):
        if free(*m.span()):
            add("ip", m.start(), m.end())
    for m in _PHONE.finditer(text):
        a, b = m.span()
        if free(a, b) and _phone_like(m.group(), _PHONE_CUE.search(text[max(0, a - 40):a])
                                      is not None):
            add("phone", a, b)


def _phone_like(s: str, cue: bool = False) -> bool:
    s = re.split(r"\s?(?:x|ext\.?)\s?(?=\d+$)", s, flags=re.I)[0]
    digits = sum(c.isdigit() for c in s)
    if digits > 15 or digits < 7:
        return False
    plus = s.startswith("+") or "(" in s
    if digits < 9 and not plus and "-" not in s and "." not in s and not cue:
        return False
    groups = re.split(r"[ .()-]+", s.strip("+"))
    groups = [g for g in groups if g]
    if len(groups) == 2 and all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return False  # a pair of years
    if "." in s and len(groups) == 3 and all(len(g) <= 2 for g in groups[:2]):
        return False  # a date like 12.05.2024
    return not (len(groups) == 1 and digits < 10)


def _addresses(text: str, add_: Callable[[str, int, int], None],
               free_: Callable[[int, int], bool]) -> None:
    text = text[:_ADDRESS_SCAN]  # street patterns are the costly ones; chat messages are short
    for m in _ADDRESS.finditer(text):
        words = m.group().lower().replace(",", " ").split()[1:-1]
        if any(w in _ADDR_STOP for w in words):
            continue
        if free_(*m.span()):
            add_("address", m.start(), m.end())
    low = text.lower()
    # Each pattern runs only when a word it cannot match without is in the text.
    eu = any(w in low for w in _EU_PREFIXES) or _COMPOUND_NUMBER.search(low) is not None
    unit = "apt" in low or "apartment" in low or "suite" in low or "ste" in low
    for rx in ((_ADDRESS_EU,) if eu else ()) + ((_UNIT,) if unit else ()):
        for m in rx.finditer(text):
            if free_(*m.span()):
                add_("address", m.start(), m.end())
    if "live" not in low and "address" not in low:
        return
    for m in _LIVES_AT.finditer(text):
        end = min(len(text), m.end() + 60)
        nl = text.find("\n", m.end(), end)
        end = end if nl < 0 else nl
        if end - m.end() > 3 and free_(m.start(), end):
            add_("address", m.start(), end)


def whose(text: str, start: int) -> int:
    """Severity by owner: 1 the author's own, 3 someone else's, 2 unclear."""
    before = text[max(0, start - 60):start]
    if _OTHER.search(before):
        return 3
    if _OWN.search(before):
        return 1
    return 2


def detect(text: str, street_word: bool | None = None,
           gates: int = 0) -> tuple[list[Finding], list[Span]]:
    spans = find(text, street_word, gates)
    if not spans:
        return [], spans
    findings: list[Finding] = []
    for kind in dict.fromkeys(s.kind for s in spans):
        sev = max(whose(text, s.start) for s in spans if s.kind == kind)
        owner = {1: "their own", 2: "unclear whose", 3: "someone else's"}[sev]
        findings.append(Finding("pii", f"pii.{kind}", sev, f"pii: {_LABELS[kind]} ({owner})"))
    return findings, spans
