"""Whether a detail found in a message is an organisation's, not a person's: a help desk's or
a team's mailbox, a clinic's or a company's line, a shop's address. Such details are found by
`pii.find` but are no personal data for `pii.detect`.
"""

from __future__ import annotations

import re
from typing import Final

from groupbot.moderation.addresses import WORDS
from groupbot.moderation.findings import Span
from groupbot.moderation.normalise import lower_case

# Details that are an organisation's, not a person's: a role mailbox ("support@",
# "info@", a mailbox named after its own domain), and a phone, e-mail or address framed
# as a service's, a business's or a public place's ("call us on", "for bookings:", "the
# clinic at", "the Review Board at", "our offices are at", a study's investigator), with
# no personal word from the framing to the end of the sentence ("the office where she
# works is on ...", "call us on ..., me and my wife are in all day").
_ROLE_MAILBOXES: Final = frozenset(
    "info information support help helpdesk contact contactus enquiries enquiry inquiries "
    "inquiry admin administrator office hello team sales billing accounts press media news "
    "newsletter jobs careers hr recruitment feedback complaints customerservice "
    "customerservices customercare care service services bookings booking reservations "
    "orders returns privacy legal abuse security webmaster postmaster hostmaster noreply "
    "donotreply notifications alerts irb ethics studies study research subjects participants "
    "admissions registrar reception frontdesk membership members volunteer volunteers events "
    "marketing partnerships list lists listserv appointments general enquiriesteam "
    "supportteam".split())
_ORG_NOUNS: Final = (
    "office|offices|headquarters|hq|branch|board|committee|department|dept|ministry|council|"
    "agency|authority|service|services|helpline|hotline|switchboard|reception|desk|helpdesk|"
    "company|firm|business|corporation|charity|organisation|organization|foundation|society|"
    "association|institute|institution|university|college|school|academy|hospital|clinic|"
    "practice|surgery|pharmacy|chemist|centre|center|shop|store|supermarket|market|mall|"
    "restaurant|cafe|café|pub|bar|hotel|motel|hostel|gym|library|museum|gallery|theatre|"
    "theater|cinema|church|mosque|temple|synagogue|station|airport|embassy|consulate|"
    "courthouse|court|hall|bank|factory|warehouse|venue|studio|salon|garage|dealership|"
    "police|team|programme|program|project|trust|registry")
_ORG_BEFORE: Final = re.compile(
    r"\b(?:the|a|an|our|this|that)\s+(?:[\w'&.-]+\s+){0,5}?(?:" + _ORG_NOUNS + r")\b"
    r"|\b(?:call|contact|text|ring|reach|email|e-mail|message|phone|write to|visit|find) us\b"
    r"|\bfor (?:admissions?|enquiries|enquiry|inquiries|inquiry|bookings?|reservations|"
    r"appointments|orders|sales|support|quotes?|a quote|more (?:info|information|details)|"
    r"further (?:info|information|details))\b"
    r"|(?<!\bmy )(?<!\bhis )(?<!\bher )(?<!\btheir )(?<!\byour )\b(?:(?:principal|student|"
    r"lead|chief|co-)\s?)?(?:investigators?|researchers?|research team|study team|"
    r"chief executive|ceo|spokesperson|press office|press officer)\b")
# Every `_ORG_BEFORE` match holds one of these words (a test checks it).
_ORG_WORDS: Final = frozenset((*_ORG_NOUNS.split("|"), *(
    "us admission admissions enquiries enquiry inquiries inquiry booking bookings "
    "reservations appointments orders sales support quote quotes info information details "
    "investigator investigators researcher researchers research study executive ceo "
    "spokesperson press").split()))
_PERSONAL: Final = re.compile(r"\b(?:me|my|mine|myself|i|i'm|im|he|she|him|his|her|hers|personal|"
                       r"home|mobile|cell|cellphone|private)\b")
_SENTENCE_BREAK: Final = re.compile(r"[.!?](?=\s)")


def organisation_details(text: str, span: Span) -> bool:
    """Whether the detail at `span` is an organisation's rather than a person's."""
    if span.kind == "email":
        local, _, domain = text[span.start:span.end].lower().partition("@")
        local = local.replace(".", "").replace("-", "").replace("_", "")
        if local in _ROLE_MAILBOXES or local == domain.split(".")[0].replace("-", ""):
            return True
    elif span.kind not in ("phone", "address"):
        return False
    before = lower_case(text[max(0, span.start - 100):span.start])
    if _ORG_WORDS.isdisjoint(WORDS.findall(before)):
        return False  # (most details) none of the words the framings need: no regex
    breaks = [m.end() for m in _SENTENCE_BREAK.finditer(before)]
    if breaks:
        before = before[breaks[-1]:]
    last = None
    for m in _ORG_BEFORE.finditer(before):
        last = m
    if last is None or _PERSONAL.search(before, last.end()) is not None:
        return False
    after = lower_case(text[span.end:span.end + 60])
    end = _SENTENCE_BREAK.search(after)
    return _PERSONAL.search(after, 0, len(after) if end is None else end.start()) is None
