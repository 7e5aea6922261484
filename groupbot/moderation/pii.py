"""Personal details: emails, phone numbers, payment cards (Luhn), IBANs (mod 97), national
ids (US SSN, UK National Insurance), street addresses, IP addresses.

Checksums keep random numbers from counting as cards or IBANs; amounts, ranges, dates,
references and ids inside links do not count as phone numbers. Whose details they are
matters: an organisation's (a help desk's mailbox, a clinic's line, a shop's address) are
found by `find` but are no personal data for `detect`; sharing your own (oversharing,
severity 1) is treated more gently than posting someone else's (doxxing, severity 3);
unclear is severity 2. Findings never echo the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from groupbot.moderation.addresses import (
    SPACE_DIGIT,
    find_addresses,
    has_street_word,
    unworded_hint,
)
from groupbot.moderation.findings import Finding, Span
from groupbot.moderation.normalise import (
    GATE_BOX,
    GATE_DIGIT,
    GATE_EMAIL,
    GATE_KNOWN,
    GATE_NUMERIC,
    GATE_SPACE_DIGIT,
    lower_case,
)
from groupbot.moderation.organisations import organisation_details
from groupbot.moderation.resources import all_resources

# Cheap gates: numeric details need a run of 7+ digit-ish characters (or letters+digits for
# IBAN/NI numbers); addresses need a street word. Most chat fails every gate at once.
_NUM_HINT: Final = re.compile(r"\d[\d .()/x-]{5,}\d")
_DIGIT: Final = re.compile(r"\d")
_EMAIL_HINT: Final = re.compile(r"@[A-Za-z0-9-]+\.[A-Za-z0-9-]")
_EMAIL: Final = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,4}"
    r"\.[A-Za-z]{2,24}(?![\w-])")
# The two halves of `_EMAIL`, for `_email_spans`: the domain from the "@", and the run of
# local-part characters that ends at the "@" ("\\Z" matches at `endpos`).
_EMAIL_DOMAIN: Final = re.compile(
    r"@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,4}\.[A-Za-z]{2,24}(?![\w-])")
_LOCAL_RUN: Final = re.compile(r"[A-Za-z0-9._%+-]+\Z")
# (JCB's 15-digit numbers start 1800 or 2131)
_CARD: Final = re.compile(r"(?<![\d-])(?:[2-6]\d{3}|1800)(?:[ -]?\d){9,15}(?![\d-])")
_IBAN: Final = (
    re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])"))
_SSN: Final = re.compile(r"(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])")
_SSN_BARE: Final = re.compile(r"(?:ssn|social security(?: number| no)?)\D{0,20}(\d{9})(?!\d)", re.I)
_NINO: Final = (
    re.compile(r"(?<![A-Za-z0-9])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
                   r" ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])"))
_PHONE: Final = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(0?\d{0,4}\)[ .-]?\d{1,5}|\d{2,5})(?:[ .-]?\d{2,5}){0,5}"
    r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?!\w)", re.I)
# (whole words, maybe inflected: not "PHQ", "hotel", "during", "context")
_PHONE_CUE: Final = (
    re.compile(r"\b(?:phone|tel|telephone|call|mobile|cell|cellphone|number|ph|fax|text|"
                        r"whatsapp|reach me|contact|answering|answer|ring|dial|message|sms|"
                        r"landline|hotline|extension)(?:s|ed|ing)?\b\W{0,3}(?:\w+\W{1,3}){0,3}$",
                        re.I))
_BANK_CUE: Final = re.compile(r"(?:iban|account|acct|bank|transfer|wire|pay|from|to)\W{0,3}"
                       r"(?:\w+\W{1,3}){0,2}$", re.I)
_IP: Final = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}"
                 r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])")
_OWN: Final = (
    re.compile(r"(?:\bmy\b|\bme\b|\bmine\b|\bi live|\bim at|\bi am at|\bi'm at)[^.!?\n]{0,40}$",
                  re.I))
_OTHER: Final = (
    re.compile(r"(?:\b(?:his|her|their|hers|theirs)\b|'s\b|\b(?:he|she|they) (?:lives?|is at)"
                    r"|\blives (?:at|on|in)\b"
                    r"|\bwhose\b|\bfound\b|\bleak(?:ed)?\b|\bdox)[^.!?\n]{0,40}$", re.I))

_IBAN_LENGTHS: Final = {
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

_LABELS: Final = (
    {"email": "an email address", "phone": "a phone number", "card": "a payment card number",
           "iban": "a bank account number (IBAN)", "ssn": "a US social security number",
           "nino": "a UK National Insurance number", "address": "a street address",
           "ip": "an IP address"})


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
    """Every personal detail in `text` (NFKC text, original case), without overlaps,
    whoever's it is (`detect` leaves out an organisation's).

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
        if gates in NOTHING_TO_FIND and street_word is False:
            return []
        numeric = (gates & GATE_NUMERIC) != 0
        space_digit = (gates & GATE_SPACE_DIGIT) != 0
    else:
        numeric = digit and _NUM_HINT.search(text) is not None
        space_digit = digit and SPACE_DIGIT.search(text) is not None
    low = text.lower()
    if street_word is None:
        street_word = has_street_word(low)
    # Every street pattern needs a digit, except "I live at ..." / "my address is ..." and
    # street corners; the ones without a street word need their own word or shape.
    address = (digit and (street_word or unworded_hint(text, low, space_digit))) or (
        street_word and ("live" in low or "address" in low or "corner of" in low))
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
        for a, b in _email_spans(text):
            if _in_link(text, a):  # a parameter of a web address ("?list=group@lists...")
                taken.append((a, b))
            else:
                add("email", a, b)
    if numeric:
        if len(text) > _WINDOWED:
            for a, b in _digit_windows(text):
                _numeric(text[a:b], _shifted_add(add, a), _shifted_free(free, a))
        else:
            _numeric(text, add, free)
    if address:
        find_addresses(text, street_word, digit, add, taken)
    return spans


def _email_spans(text: str) -> list[tuple[int, int]]:
    """The spans `_EMAIL.finditer(text)` gives, tried only at each "@" (the regex engine
    would try every position of a long text). An address's local part is the whole run
    of local-part characters before its "@" (the look-behind refuses any later start),
    so one `match` at that run's start decides it; the domain is checked first."""
    spans: list[tuple[int, int]] = []
    pos = 0
    at = text.find("@")
    while at >= 0:
        if _EMAIL_DOMAIN.match(text, at):
            run = _LOCAL_RUN.search(text, max(pos, at - 64), at)
            if run is not None:
                m = _EMAIL.match(text, run.start())
                if m is not None:
                    spans.append(m.span())
                    pos = m.end()
                    at = text.find("@", pos)
                    continue
        at = text.find("@", at + 1)
    return spans


def _nothing_to_find(gates: int) -> bool:
    """Whether text with these gates (known) and no street word can hold nothing `find`
    looks for: no e-mail hint, no run of digits, and no digit that an unworded address
    pattern could use (those need " <digit>" or "box")."""
    if not gates & GATE_KNOWN or gates & (GATE_EMAIL | GATE_NUMERIC):
        return False
    return not (gates & GATE_DIGIT and gates & (GATE_SPACE_DIGIT | GATE_BOX))


# Every gate value (`normalise.GATE_*` bits) for which `find`, given no street word, finds
# nothing: the engine skips the call for these, `find` returns at once.
NOTHING_TO_FIND: Final = frozenset(g for g in range(64) if _nothing_to_find(g))


_WINDOWED: Final = 2000  # longer text: numeric patterns run only around runs of digits
_CONTEXT: Final = 64  # characters kept either side of a run (cue words, the rest of an IBAN)


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
        # back to the start of the word there, so that `_in_link` sees a whole link
        a -= len(_word_before(text, a))
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
        if 13 <= len(digits) <= 19 and free(*m.span()) and luhn_ok(digits) \
                and (digits[0] != "1" or len(digits) == 15) and not _in_link(text, m.start()):
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
        if not free(a, b):
            continue
        value = m.group()
        if _phone_at(text, a, b, value):
            add("phone", a, b)


def _phone_at(text: str, a: int, b: int, value: str) -> bool:
    cue = _phone_cue(text[max(0, a - 40):a])
    return _phone_like(value, cue) and not _in_link(text, a) \
        and not _other_number(text, a, b, value, cue)


# A number is no phone when it is an amount or a range of them ("about $1200-1500",
# "1200-1500 kcal a day", "4000-6000 per month"), a reference ("order number: ...",
# "Ref: ...", "case no. ...", "#..."), a citation ("§ 12-34"), a date or a decimal.
_AMOUNT_BEFORE: Final = re.compile(
    r"(?:[$£€¥₹~]|\b(?:usd|gbp|eur|aud|cad|inr|rs)\.?|\b(?:between|around|about|approx|"
    r"approximately|roughly|nearly|almost|over|under|up to|at least|at most|circa))\s?$")
_AMOUNT_AFTER: Final = re.compile(
    r"(?:[$£€¥₹%]|\s?(?:(?:k|m|bn|kcal|cals?|calories|dollars|bucks|pounds|quid|euros?|usd|"
    r"gbp|eur|rupees|yen|miles|mi|km|kms|kg|kgs|lbs?|words|people|steps|times|hours|hrs|"
    r"minutes|mins|years|yrs|months|weeks|days|views|members|votes|users|subscribers|rpm|mph|"
    r"kph|mg|ml|feet|metres|meters|sq|sqft|pa|pcm|p\.a)\b|(?:a|an|per|each|every) (?:day|week|"
    r"month|year|hour|night|annum|head|person)\b|/(?:mo|month|yr|year|wk|week|day|hr|hour|h|m)"
    r"\b))")
_REFERENCE_BEFORE: Final = re.compile(
    r"(?:[#§№]|\b(?:ref|reference|order|tracking|track|case|ticket|invoice|receipt|"
    r"confirmation|booking|reservation|transaction|policy|protocol|serial|model|part|"
    r"item|product|sku|isbn|issn|doi|pin|id|application|docket|incident|complaint|membership|"
    r"student|employee|patient|licen[cs]e|registration|permit|passport|visa|vin|imei|batch|"
    r"parcel|shipment|consignment|waybill|version|ver|build|release|firmware|section|"
    r"sections|sec|article|art|chapter|clause|statute|page|pages|pp|volume|vol|issue|flight)"
    r"\.?(?:\s?(?:number|num|no\.?|nr\.?|#|id|code|ref))?(?:\s?(?:is|was|=|:|#))?)"
    r"(?:\s?\d+-)*\s?$")  # (the number may start inside its own match: "ISBN 978-0-...")
_PAYMENT_CUE: Final = re.compile(r"\b(?:card|account|acct)\b\W{0,3}(?:\w+\W{1,3}){0,2}$")
_YEAR_FIRST: Final = (
    re.compile(r"(?:19|20)\d\d[-.](?:0?[1-9]|1[0-2])[-.](?:0?[1-9]|[12]\d|3[01])\b"))
_YEAR_LAST: Final = (
    re.compile(r"(?:0?[1-9]|[12]\d|3[01])[-.](?:0?[1-9]|[12]\d|3[01])[-.](?:19|20)\d\d\b"))
# An amount's shape: a number, a range of two, or thousands in groups of three.
_AMOUNT: Final = re.compile(r"\d+(?:[-.]\d+)?|\d{1,3}(?: \d{3})+")
_RANGE: Final = re.compile(r"([1-9]\d{3,4})-(\d{4,6})")
_DECIMAL: Final = re.compile(r"\d+\.\d+")
_TIMES: Final = re.compile(r"([01]\d|2[0-3])([0-5]\d)-([01]\d|2[0-3])([0-5]\d)")
_QUARTERS: Final = frozenset(("00", "15", "30", "45"))


def _series(value: str) -> bool:
    """A list of four or more like-sized numbers that only climb or only fall ("180 175
    170 165", "100 200 300 400"), as scores, weights or counts are listed; a phone's groups
    seldom do."""
    if " " not in value or "-" in value or "." in value:
        return False
    groups = [g for g in value.split(" ") if g]
    if len(groups) < 4 or len({len(g) for g in groups}) != 1:
        return False
    nums = [int(g) for g in groups]
    up = down = True
    for i in range(1, len(nums)):
        up = up and nums[i] > nums[i - 1]
        down = down and nums[i] < nums[i - 1]
    return up or down


def _other_number(text: str, a: int, b: int, value: str, cue: bool) -> bool:
    """Whether the phone-shaped `value` at text[a:b] is some other number: an amount or a
    range, a reference, a citation, a date or a decimal (a few checks, only on the rare
    phone-shaped numbers)."""
    before = lower_case(text[max(0, a - 40):a])
    if _PAYMENT_CUE.search(before) is not None:
        return False  # "my card # ...", "account no. ...": personal data whatever its shape
    if value[0] in "+(":
        return False  # (written as a phone is)
    if _REFERENCE_BEFORE.search(before) is not None:
        return True
    if _YEAR_FIRST.match(value) or _YEAR_LAST.match(value) or _DECIMAL.fullmatch(value):
        return True  # 2019-07-12, 12-07-2019, 12345.67, 51.5073509
    t = _TIMES.fullmatch(value)
    if t is not None and t.group(2) in _QUARTERS and t.group(4) in _QUARTERS:
        return True  # 0900-1730: a span of clock times
    if value[0] == "0":
        return False  # (a trunk prefix: amounts and ranges never start with 0)
    if _AMOUNT.fullmatch(value) and (
            _AMOUNT_BEFORE.search(before) is not None
            or _AMOUNT_AFTER.match(lower_case(text[b:b + 16])) is not None):
        return True
    r = _RANGE.fullmatch(value)
    if r is not None and not cue:  # 1200-1500, 4000-12000: a range (phone groups rarely climb so)
        low, high = r.group(1), r.group(2)
        return len(high) - len(low) <= 1 and int(low) < int(high)
    if not cue and _series(value):
        return True
    # a long bare run is a count or an id: a phone written bare has at most 12 digits
    # (13 with a country code and no "+")
    return value.isdigit() and len(value) >= (14 if cue else 13) and not value.startswith("00")


def _phone_cue(before: str) -> bool:
    """`_PHONE_CUE.search(before)`. On ASCII, the same pattern without IGNORECASE on the
    lower-cased text: the regex engine can then skip to the cue words' first letters
    instead of trying 22 words case-blind at every position (5 to 25 times faster on the
    common window with no cue). Other text keeps the IGNORECASE pattern (Unicode case
    folding can change lengths)."""
    if before.isascii():
        return _PHONE_CUE_LOWER.search(before.lower()) is not None
    return _PHONE_CUE.search(before) is not None


_PHONE_CUE_LOWER: Final = re.compile(_PHONE_CUE.pattern)


def _in_link(text: str, a: int) -> bool:
    """Whether the number at `a` is part of a web address ("amazon.com/dp/0894864025",
    "https://example.org/page?id=..."): its word so far has "://", starts with "www.", or
    has a domain and then a "/" ("number=555..." and "tel:/555..." are not links)."""
    word = _word_before(text, a)
    if "://" in word or word.lower().startswith("www."):
        return True
    slash = word.find("/")
    return slash > 0 and "." in word[:slash]


_LINK_REACH: Final = 300  # how far back `_in_link` looks for the start of a link


def _word_before(text: str, a: int) -> str:
    """The non-space characters that end at `a`, at most `_LINK_REACH` of them (one
    `rsplit` at C speed, not a Python loop per character)."""
    seg = text[max(0, a - _LINK_REACH):a]
    if not seg or seg[-1].isspace():
        return ""
    return seg.rsplit(None, 1)[-1]


_EXTENSION: Final = re.compile(r"\s?(?:x|ext\.?)\s?(?=\d+$)", re.I)
_GROUP_BREAKS: Final = re.compile(r"[ .()-]+")


def _phone_like(s: str, cue: bool = False) -> bool:
    s = _EXTENSION.split(s)[0]
    digits = sum(c.isdigit() for c in s)
    if digits > 15 or digits < 7:
        return False
    if _public_line("".join(c for c in s if c.isdigit())):
        return False
    plus = s.startswith("+") or "(" in s
    if digits < 9 and not plus and "-" not in s and "." not in s and not cue:
        return False
    groups = _GROUP_BREAKS.split(s.strip("+"))
    groups = [g for g in groups if g]
    if len(groups) >= 2 and all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return False  # years ("2016 2017 2018")
    if "." in s and len(groups) == 3 and all(len(g) <= 2 for g in groups[:2]):
        return False  # a date like 12.05.2024
    return not (len(groups) == 1 and digits < 10)


def _public_line(digits: str) -> bool:
    """A toll-free or freephone number, or a line in the shipped resources file: a service's
    line (a helpline a member passes on, "the hotline is 1-800-799-7233", "text them on 0458
    737 732"), never a person's own number."""
    if digits in _helplines():
        return True
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) == 10 and digits[:3] in _NANP_TOLL_FREE:
        return True
    # (a longer run is no phone line: "my card 1800 1607 0420 458" stays personal data)
    return len(digits) <= 13 and digits.startswith(_FREEPHONE)


_HELPLINES: frozenset[str] | None = None


def _helplines() -> frozenset[str]:
    """The numbers (7+ digits) of the shipped resources, read once."""
    global _HELPLINES
    if _HELPLINES is None:
        try:
            reaches = [r.reach for r in all_resources()]
        except Exception:  # (a broken resources file fails loudly where it is loaded)
            reaches = []
        _HELPLINES = frozenset(
            d for d in ("".join(ch for ch in m.group() if ch.isdigit())
                        for reach in reaches for m in _NUMBER_RUN.finditer(reach))
            if len(d) >= 7)
    return _HELPLINES


_NUMBER_RUN: Final = re.compile(r"\d[\d -]{5,}\d")


# North American toll-free area codes; freephone and shared-cost prefixes elsewhere (GB and
# DE 0800/0808, NZ 0800/0508, AU 1800/1300, IE 1800/1850), bare or after a country code.
_NANP_TOLL_FREE: Final = frozenset(("800", "888", "877", "866", "855", "844", "833"))
_FREEPHONE: Final = ("0800", "0808", "0508", "1800", "1300", "1850", "44800", "44808", "49800",
              "64800", "64508", "611800", "611300", "3531800")


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
    """The personal details in `text` as findings, and their spans: `find`'s, less the
    ones that are an organisation's."""
    spans = find(text, street_word, gates)
    if spans:
        spans = [s for s in spans if not organisation_details(text, s)]
    if not spans:
        return [], spans
    findings: list[Finding] = []
    for kind in dict.fromkeys(s.kind for s in spans):
        sev = max(whose(text, s.start) for s in spans if s.kind == kind)
        owner = {1: "their own", 2: "unclear whose", 3: "someone else's"}[sev]
        findings.append(Finding("pii", f"pii.{kind}", sev, f"pii: {_LABELS[kind]} ({owner})"))
    return findings, spans
