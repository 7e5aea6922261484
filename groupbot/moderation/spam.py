"""Spam: an offer plus a way to act on it; invite links, mass mentions; floods and repeats.

Spam has a structure: something is offered (a prize, a free gift, a sale, money to earn, a
channel to follow, a paid text or chat service, or a lure such as a locked account or a
parcel on hold) and the reader is given a way to take it up (a link, a phone number or a
text short code, "reply WIN" / "call now" / "DM me", a code to redeem, an email address).
Members' own messages carry one half all the time: rent, savings, prices and other
numbers; a link to an article or a meeting; capitals when they are upset; a reply that
mentions several people. So one half alone is never promotion. `spam.promo` needs both: an
offer of at least `_OFFER` (a spam phrase, a paid-service sign, or several offer words) and
a way to act, their weights together reaching the policy's `score_threshold`.

Money and prices never count as an offer; the charges of a paid text or chat service
("150p per msg"), a premium-rate number and an opt-out line ("send STOP to 62468") do: they
are the terms of something being sold. Some kinds of message raise the bar instead:
- a story told in the first person ("I", "my", "me" again and again) is how members write
  and how spam rarely does, so there the offer must be plain (`_STORY_OFFER`: a spam phrase
  and more, not the loose offer words a post about money gathers anyway), unless it shows
  a paid service's terms (charges, a premium-rate number, an opt-out line);
- a message that names a scam or spam is someone warning the group about one;
- a member quoting what they were sent ("I got this: "..." is it real?") is judged on their
  own words around the quote;
- in a long post the offer and the way to act must be near each other (`_NEAR` characters),
  as they are in an advert, not a prize draw in one paragraph and a link in another.

An invite link to another server, mass mentions and @everyone alone are a nudge (a private
reminder of the guideline), not a removal: a member shares a group they like, a reply or an
announcement mentions several people. A raid that pings many members is a flood or a
repeat (below), and an invite that comes with an offer is `spam.promo`.

Floods and repeats need history: `SpamTracker` keeps a bounded, in-memory window per member,
and the engine reads a snapshot of it (so `decide` stays pure) while the caller records each
message after judging it.
"""

from __future__ import annotations

import re
from collections import OrderedDict, deque
from collections.abc import Sequence
from typing import Final

from groupbot.moderation.findings import Finding
from groupbot.moderation.lexicon import SPAM_HINTS
from groupbot.moderation.matcher import Hit
from groupbot.moderation.normalise import Normalised
from groupbot.moderation.policy import SpamPolicy

# --- what is offered ------------------------------------------------------------------------

# Offer words that everyday talk hardly uses (1 each): a prize draw, a paid chat line, an SMS
# service's goods. Everyday ones (`_LOOSE_WEIGHT` each; "free" `_FREE_WEIGHT`): a few of them
# together, or beside a stronger sign. All words count at most `_WORDS_CAP` together. Money
# words (rent, loan, credit, deal, price, savings) are not here at all. Every word of both
# is in `lexicon.SPAM_HINTS`, so a message with none of them (and no spam phrase) never
# reaches the offer count (tests check it).
_STRONG: Final = frozenset(
    "prize prizes winner winners awarded guaranteed voucher vouchers jackpot giveaway giveaways "
    "nitro ringtone ringtones polyphonic horny freemsg camcorder complimentary".split())
_LOOSE: Final = frozenset(
    "free win won claim cash urgent offer offers bonus reward rewards discount promo sale "
    "subscription unlimited tone tones poly polys mobile mob mobiles expires landline sexy xxx "
    "bitcoin crypto quiz awaiting handset txts wap flirt flirting babes pics".split())
_LOOSE_WEIGHT: Final = 0.75
_FREE_WEIGHT: Final = 0.5
_WORDS_CAP: Final = 2.0
_OFFER: Final = 1.5  # an offer: a spam phrase, a paid-service sign, two strong words, ...
_STORY_OFFER: Final = 4.0  # the same in a first-person story
_STORY_FIRST: Final = 3  # first-person words ("i", "my", "me", ...) that make a text a story
_FIRST_PERSON: Final = frozenset("i im ive id ill me my myself mine".split())
# Words of someone warning about spam, not sending it ("not a scam" is the spammer's).
_REPORT: Final = (
    frozenset("scam scams scammer scammers scammed scammy spam spammer spammers phishing "
                    "fraud fraudulent".split()))
_DENIAL: Final = frozenset("not no isnt never nt".split())
# (The patterns below run on the lower-cased text without IGNORECASE, which the regex engine
# scans several times faster, above all on long Unicode text; `_KEYWORD` and `_STOP_END` need
# the capitals and run on the text as written.)
# The terms of a paid text or chat service: pence per message or minute, a price per text,
# "ppm", "txts cost".
_CHARGE_PENCE: Final = (
    re.compile(r"\d ?(?:p|pence) ?(?:/|per |each)|\dp(?:msg|min|txt|sms)|\d ?ppm\b"))
_CHARGE_COST: Final = re.compile(r"\b(?:calls|txts|texts|msgs|messages|replies|mins) cost\b"
                          r"|\bcosts? \d+p\b")
_CHARGE_PRICE: Final = (
    re.compile(r"[£$€] ?\d+(?:\.\d\d)? ?(?:/|per|a|each) ?(?:msg|min|txt|text|sms|call|"
                           r"tone)"))
# A premium-rate number (UK 09.., 087.., 070..; US 1-900): calling it is the paid service.
_PREMIUM: Final = re.compile(
    r"(?<!\d)(?:09\d{8,9}|087\d{7,8}|070\d{7,8}|1[ -]?900[ -]?\d{3}[ -]?\d{4})(?!\d)")
# An opt-out, the mark of a bulk message: "send STOP to 62468", "txt STOP 2 end", "to
# unsubscribe reply ...".
# (Each starts with a word it needs, so the regex engine skips to it; `_opted_out` says which
# words gate which.)
_STOP_VERB: Final = re.compile(r"\b(?:txt|text|send|reply|sms)\s{1,6}stop\b")
_STOP_CODE: Final = re.compile(r"stop\b[^.!?\n]{0,12}\b(?:to|2)\s*\d{4,6}(?!\d)")
_UNSUBSCRIBE: Final = re.compile(r"(?:unsubscribe|opt ?out)\W{1,3}(?:reply|txt|text|sms|click)\b")
_STOP_END: Final = re.compile(r"\bSTOP ?(?:to|2) ?(?:end|cancel|unsub|opt)")
# The small print of one: terms and conditions, a PO box; an age limit.
_SMALL_PRINT: Final = (" t c ", " t cs ", " tcs ", " tscs ", " ts and cs ", " pobox ", " po box ")
_AGE_LIMIT: Final = re.compile(r"\b1[68] ?\+")
# An amount next to a prize word: "win £100 cash", "a £2000 prize", "$500 reward" (one of
# `_PRIZE_WORDS` is in any text it matches).
_PRIZE_AMOUNT: Final = re.compile(
    r"\b(?:win|won|prize|cash|reward|award|awarded|bonus|worth|draw)\b[^.!?\n]{0,20}?[£$€] ?\d"
    r"|[£$€] ?\d[\d,.]*\w{0,3} ?(?:\w+ ){0,2}"
    r"(?:prize|cash|reward|award|bonus|voucher|vouchers|gift)\b")
_PRIZE_WORDS: Final = ("win", "won", "prize", "cash", "reward", "award", "bonus", "worth", "draw",
                "voucher", "gift")
# An amount of money (with a keyword to a short code: a paid text service).
_MONEY: Final = re.compile(r"[£$€] ?\d|\d(?:\.\d\d)? ?(?:p|pence|pounds?|gbp)\b")
# A price pitched: "only £10", "from just $5", "for only 99p".
_PITCH: Final = re.compile(r"(?<=only |just |from )(?:[£$€] ?\d|\d+p\b)")

# --- ways to act on it ----------------------------------------------------------------------

# A spam phrase whose first word is one of these is a way to act ("click here", "txt win");
# any other is an offer. The same words on their own are a way to act too (what the reader
# is told to do: "call", "reply", "DM"), never an offer.
_ACT_VERBS: Final = frozenset("click call ring txt text reply rply send dm message pm".split())
_ACT_WORDS: Final = (
    frozenset("txt text reply rply call ring dm email click visit dial sms whatsapp "
                       "telegram".split()))
# Before one of `_ACT_WORDS`, a word that makes it no instruction to the reader: a subject
# or an auxiliary (someone telling what was done: "I call her", "they'll text"), or a
# determiner (the noun: "a text", "the call", "my email").
_NOT_TOLD: Final = frozenset(
    "i you u we they he she it who that people ill youll well theyll hed shed id youd wed "
    "theyd ive youve weve theyve dont didnt doesnt wont cant couldnt wouldnt shouldnt never "
    "not always would could should might can will did does do may must a an the my your ur "
    "his her their our its this these those another any every each no some one per by via "
    "got get had have has".split())
_INVITE: Final = re.compile(
    r"(?:discord(?:app)?\.(?:gg|com/invite|io|me|li)|t\.me|telegram\.(?:me|dog)|"
    r"chat\.whatsapp\.com|join\.skype\.com|wa\.me)/\S+", re.I)
_INVITE_LOWER: Final = re.compile(_INVITE.pattern)
_LINK: Final = re.compile(r"https?://|www\.|\b[a-z0-9-]{2,}\.(?:com|net|org|co\.uk|io|biz|info|xyz|ly)\b")
_SHORTENER: Final = (
    re.compile(r"\b(?:bit\.ly|tinyurl\.com|goo\.gl|t\.co|is\.gd|cutt\.ly|rb\.gy)/", re.I))
# A phone number: premium, freephone or long runs of digits, or one written in groups
# ("0800 123 4567", "(555) 123-4567", "+44 20 7946 0958").
_LONGNUM: Final = re.compile(r"(?<![\d/=?&#])(?:0[789]\d{8,10}|0800\d{6,7}|\d{11,})(?!\d)")
_PHONE: Final = re.compile(r"(?<![\d/.=?&#])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,5}\)|\d{2,5})"
                    r"[ .-]\d{3,4}[ .-]?\d{3,4}(?![\d/]|\.\d)")
# A text short code: "txt WIN to 80086", "send STOP to 87239", "Text 1, 2 or 3 to 83049".
_SHORTCODE: Final = re.compile(r"\b(?:txt|text|texting|txting|send|reply|rply|sms)\b[^.!?\n]{0,40}?"
                        r"\b(?:to|2)(?: no)?[ :.]{1,3}\d{4,6}(?!\d)")
# A keyword to send ("Reply WIN", "txt CHAT", "text back the word YES"), or details to send
# ("reply with your name and age").
_KEYWORD: Final = re.compile(
    r"\b(?:[Tt]xt|TXT|[Tt]ext|TEXT|[Rr]eply|REPLY|[Rr]ply|[Ss]end|SEND)(?: back| BACK)?"
    r"(?: with| WITH)?(?: the (?:key)?word)?[ :]+[\"']?[A-Z][A-Z0-9]+\b")
_DETAILS: Final = re.compile(r"\b(?:txt|text|reply|rply|send)(?: back)?(?: with)? (?:your|ur|yr) "
                      r"(?:name|age|postcode|address|details|answer)")
# A code to redeem: "promo code SAVE10", "claim code K61", "use code: X2Y".
_CODE: Final = re.compile(r"\b(?:promo|discount|voucher|coupon|referral|claim|bonus|redeem|use|"
                   r"identifier)\s+code\b|\bcode[ :]+[a-z]*\d")
_EMAIL: Final = re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}")

# A long post is judged window by window: the offer and the way to act must both be within
# one stretch of `2 * _NEAR` characters (windows overlap by `_NEAR`).
_NEAR: Final = 300
_TOKEN: Final = re.compile(r"[^\W_]+")
# Quoted passages (a quote of 12 characters or more, a "> " line) are someone else's words
# when the member's own words around them (`_OWN_WORDS` characters or more) ask about them
# or tell of them: "I got this text: "..." is it real?".
_QUOTE: Final = re.compile(r"\"[^\"\n]{12,400}\"|\u201c[^\u201d\n]{12,400}\u201d"
                    r"|(?<!\w)'[^'\n]{12,400}'(?!\w)")
_BLOCK_QUOTE: Final = re.compile(r"(?m)^[ \t]*(?:>|&gt;).*$")
_OWN_WORDS: Final = 40
_FINGERPRINT_SKIP: Final = 3  # very short messages ("ok", "yes") are not counted as repeats


def detect(norm: Normalised, hits: Sequence[Hit], policy: SpamPolicy,
           mentions: int, wording: bool = True, hint: bool | None = None) -> list[Finding]:
    """`wording` False says no hit is tagged "spam", and `hint` whether one of the
    `lexicon.SPAM_HINTS` words occurs (None: look here); the engine knows both from the
    matcher."""
    if hint is None:
        hint = _has_any(norm.flat)
    out: list[Finding] = []
    clean = norm.clean
    if "/" in clean and not policy.allow_invites and _invite_hint(clean.lower()) \
            and _INVITE.search(clean):
        out.append(Finding("spam", "spam.invite", 1, "spam: an invite link to another server "
                                                      "or chat"))
    phrases = [h.phrase for h in hits if h.tag == "spam"] if wording and hits else []
    if phrases or hint or policy.score_threshold <= 0:
        # (No spam phrase and no offer or action word: nothing is offered, whatever links,
        # prices or capitals the text has.)
        promo = _promotion(norm, phrases, policy)
        if promo is not None:
            out.append(promo)
    if mentions >= policy.mass_mentions:
        out.append(Finding("spam", "spam.mentions", 1, f"spam: mentions {mentions} people"))
    if norm.everyone:
        out.append(Finding("spam", "spam.everyone", 1, "spam: mentions everyone"))
    return out


def _promotion(norm: Normalised, phrases: list[str], policy: SpamPolicy) -> Finding | None:
    """`spam.promo`: an offer and a way to act on it, or None."""
    tokens = norm.flat.split()
    words = set(tokens)
    for word in words & _REPORT:
        if not _denied(tokens, tokens.index(word)):
            return None  # someone warning the group about a scam, not sending one
    first = 0
    for word in words & _FIRST_PERSON:
        first += tokens.count(word)
    story = first >= _STORY_FIRST
    clean = norm.clean
    found = _judge(norm.flat, tokens, words, clean, phrases, story, policy)
    if found is None:
        return None
    if '"' in clean or "\u201c" in clean or "'" in clean or ">" in clean:
        own = _QUOTE.sub(" ", _BLOCK_QUOTE.sub(" ", clean))
        if own != clean and len(own.strip()) >= _OWN_WORDS and ("?" in own or _first_person(own)):
            # A member showing the group something they were sent, in their own words
            # around it: judge their words alone.
            otokens = _TOKEN.findall(own.lower())
            oflat = " " + " ".join(otokens) + " "
            return _judge(oflat, otokens, set(otokens), own,
                          [p for p in phrases if f" {p} " in oflat], story, policy)
    if len(clean) <= 2 * _NEAR:
        return found
    # A long post: the offer and the way to act must be near each other.
    start = 0
    while start < len(clean):
        end = min(len(clean), start + 2 * _NEAR)
        window = clean[start:end]
        wtokens = _TOKEN.findall(window.lower())
        wflat = " " + " ".join(wtokens) + " "
        wphrases = [p for p in phrases if f" {p} " in wflat]
        hit = _judge(wflat, wtokens, set(wtokens), window, wphrases, story, policy)
        if hit is not None:
            return hit
        if end == len(clean):
            break
        start += _NEAR
    return None


def _first_person(text: str) -> bool:
    """The text has a first-person word ("I", "my", "me", ...)."""
    for tok in _TOKEN.findall(text.lower()):
        if tok in _FIRST_PERSON:
            return True
    return False


def _denied(tokens: list[str], at: int) -> bool:
    """"not a scam", "no spam": a denial just before the word at `at`."""
    for tok in tokens[max(0, at - 2):at]:
        if tok in _DENIAL:
            return True
    return False


def _judge(flat: str, tokens: list[str], words: set[str], clean: str, phrases: Sequence[str],
           story: bool, policy: SpamPolicy) -> Finding | None:
    """`spam.promo` for one text (or one stretch of a long one): `flat`, `tokens` and
    `words` are its word forms, `phrases` the spam phrases in it, `story` whether the
    message is a first-person story."""
    low = clean.lower()
    digits = 0
    for d in "0123456789":
        digits += clean.count(d)
    offer, service, offers, acts = offered(flat, words, phrases, clean, low, digits)
    if "/" in clean and not policy.allow_invites and _invite_hint(low) \
            and _INVITE_LOWER.search(low):
        offer += 1.0  # (the group does not want other servers advertised)
        offers.append("an invite to another server")
    texting = ("txt" in low or "text" in low or "repl" in low or "rply" in low or "send" in low
               or "sms" in low)
    # Money, with a keyword to send to a short code, is a paid text service.
    money = texting and digits > 0 and _priced(clean, low)
    if offer <= 0.0 and not money:
        return None  # nothing offered: prices and links alone are members' own business
    acts.extend(ways_to_act(tokens, clean, low, digits, texting, offer > 0.0))
    if not acts:
        return None  # an offer with no way to take it up: someone telling of one
    if money and ("a text short code" in acts or "a keyword to send" in acts):
        offer += 2.0
        service = True
        offers.append("a paid text service")
    if offer < (_STORY_OFFER if story and not service else _OFFER):
        return None  # too little offered (in a story: only a plain offer counts)
    score = offer + len(acts)
    if len(clean) >= 20:
        letters, upper = _letters(clean)
        if letters and upper / letters > 0.5:
            score += 0.5
            offers.append("shouting in capitals")
    if score < policy.score_threshold:
        return None
    return Finding("spam", "spam.promo", 2 if score < policy.score_threshold * 2 else 3,
                   "spam: an offer (" + ", ".join(offers) + ") and a way to act on it ("
                   + ", ".join(acts) + ")")


def offered(flat: str, words: set[str], phrases: Sequence[str], clean: str, low: str,
            digits: int) -> tuple[float, bool, list[str], list[str]]:
    """What the text offers: (weight, whether a paid service shows (its charges, a
    premium-rate number, an opt-out line), what shows it, the spam phrases that are a way to
    act instead). `low` is `clean` lower-cased, `digits` how many digits it has."""
    service = False
    offers: list[str] = []
    acts: list[str] = []
    offer = 0.0
    for phrase in dict.fromkeys(phrases):
        if phrase.partition(" ")[0] in _ACT_VERBS:
            if not acts:
                acts.append(f'"{phrase}"')
        else:
            offer += 2.0
            if not offers:
                offers.append(f'"{phrase}"')
    strong = len(words & _STRONG)
    loose = words & _LOOSE
    if strong or loose:
        weight = strong + _LOOSE_WEIGHT * len(loose)
        if "free" in loose:
            weight += _FREE_WEIGHT - _LOOSE_WEIGHT
            if flat.count(" free ") >= 2:
                weight += _FREE_WEIGHT  # "FREE ... FREE ... FREE"
        offer += min(weight, _WORDS_CAP)
        offers.append(f"{strong + len(loose)} offer word(s)")
    if _opted_out(clean, low, digits):
        offer += 2.0
        service = True
        offers.append("an opt-out line")
    for mark in _SMALL_PRINT:
        if mark in flat:
            offer += 1.0
            offers.append("small print")
            break
    if digits:
        # The text's shape (see `_SHAPE`) gives substring tests that each pattern below needs
        # (tests check them on random text), so most texts skip those regex passes.
        shape = clean.encode("utf-8", "replace").translate(_SHAPE)
        pence = b"1p" in shape or b"1 p" in shape
        currency = "£" in clean or "$" in clean or "€" in clean
        if ((pence and _CHARGE_PENCE.search(low)) or ("cost" in low and _CHARGE_COST.search(low))
                or (currency and _CHARGE_PRICE.search(low))):
            offer += 2.0
            service = True
            offers.append("the charges of a paid service")
        if (b"1111111111" in shape or "900" in clean) and _PREMIUM.search(clean):
            offer += 2.0
            service = True
            offers.append("a premium-rate number")
        if currency and _has_prize_word(low) and _PRIZE_AMOUNT.search(low):
            offer += 1.0
            offers.append("a prize amount")
        if (currency or pence) and ("only " in low or "just " in low or "from " in low) \
                and _PITCH.search(low):
            offer += 1.0
            offers.append("a price pitched")
        if "+" in clean and ("16" in clean or "18" in clean) and _AGE_LIMIT.search(clean):
            offer += 0.5
            offers.append("an age limit")
    return offer, service, offers, acts


def _has_prize_word(low: str) -> bool:
    """One of `_PRIZE_WORDS` is in `low` (which `_PRIZE_AMOUNT` needs)."""
    for word in _PRIZE_WORDS:
        if word in low:
            return True
    return False


def _priced(clean: str, low: str) -> bool:
    """The text names an amount of money (`_MONEY`), for a text with digits."""
    if not ("£" in clean or "$" in clean or "€" in clean or "pound" in low or "gbp" in low):
        shape = clean.encode("utf-8", "replace").translate(_SHAPE)
        if b"1p" not in shape and b"1 p" not in shape:
            return False
    return _MONEY.search(low) is not None


def _opted_out(clean: str, low: str, digits: int) -> bool:
    """An opt-out line: "reply STOP", "send STOP to 62468", "STOP 2 end", "to unsubscribe
    reply ..."."""
    at = low.find("stop")
    while at >= 0:
        if _STOP_VERB.search(low, max(0, at - 11), at + 5):  # (the whole match, and a
            # character either side for its word boundaries)
            return True
        at = low.find("stop", at + 4)
    if "stop" in low and digits >= 4 and _STOP_CODE.search(low):
        return True
    if ("unsubscribe" in low or "optout" in low or "opt out" in low) and _UNSUBSCRIBE.search(low):
        return True
    return "STOP" in clean and _STOP_END.search(clean) is not None


def ways_to_act(tokens: Sequence[str], clean: str, low: str, digits: int, texting: bool,
                every: bool = True) -> list[str]:
    """The ways a text gives to act on an offer: a link, a phone number, a short code, a
    keyword to send, a code to redeem, an email address, an action word ("call", "reply").
    `texting`: the text has one of the texting verbs the short code and keyword patterns
    need; `every` False looks for those two only."""
    acts: list[str] = []
    if not every:
        if not texting:
            return acts
        if digits >= 4 and _SHORTCODE.search(low):
            acts.append("a text short code")
        if _KEYWORD.search(clean) or _DETAILS.search(low):
            acts.append("a keyword to send")
        return acts
    if "http://" in low or "https://" in low or "www." in low or (
            any(tld in low for tld in _TLDS) and _LINK.search(low)):
        acts.append("a link")
    elif "/" in clean and (_shortened(clean, low) or (_invite_hint(low)
                                                      and _INVITE_LOWER.search(low))):
        acts.append("a link")
    if digits >= 8:
        shape = clean.encode("utf-8", "replace").translate(_SHAPE)
        if (b"1111111111" in shape and _LONGNUM.search(clean)) or (
                (b"111111" in shape or b"111 111" in shape or b"1110111" in shape)
                and _PHONE.search(clean)):
            acts.append("a phone number")
    if texting and digits >= 4 and _SHORTCODE.search(low):
        acts.append("a text short code")  # (`_SHORTCODE` needs 4 digits in a row)
    if texting and (_KEYWORD.search(clean) or _DETAILS.search(low)):
        acts.append("a keyword to send")
    if "code" in low and _CODE.search(low):
        acts.append("a code")
    if "@" in clean and _EMAIL.search(low):
        acts.append("an email address")
    if not acts:
        prev = ""
        for tok in tokens:
            if tok in _ACT_WORDS and prev not in _NOT_TOLD:
                acts.append(f'"{tok}"')
                break
            prev = tok
    return acts


_LONG_TEXT: Final = 2000
# Digits, "," and "." as "1" (an amount), "p" as itself, white space as " ", the rest "0".
_SHAPE: Final = bytes(49 if (48 <= c <= 57 or c in (44, 46)) else 112 if c in (80, 112) else
               32 if (9 <= c <= 13 or 28 <= c <= 32) else 48 for c in range(256))
# `_SHORTENER`'s hosts with their slash: one of them is in any ASCII text it matches.
_SHORT_HOSTS: Final = (
    ("bit.ly/", "tinyurl.com/", "goo.gl/", "t.co/", "is.gd/", "cutt.ly/", "rb.gy/"))
_TLDS: Final = (".com", ".net", ".org", ".co.uk", ".io", ".biz", ".info", ".xyz", ".ly")
_ASCII_LETTERS: Final = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_UPPER: Final = bytes(range(65, 91))


def _letters(text: str) -> tuple[int, int]:
    """(letters, upper-case letters) in `text`; byte counting for ASCII."""
    if text.isascii() or len(text) > _LONG_TEXT:
        # (Long text: the ASCII letters stand for all; bounded work on huge messages.)
        b = text.encode("ascii", "ignore")
        return (len(b) - len(b.translate(None, _ASCII_LETTERS)),
                len(b) - len(b.translate(None, _ASCII_UPPER)))
    letters = [c for c in text if c.isalpha()]
    return len(letters), sum(c.isupper() for c in letters)


def _invite_hint(low: str) -> bool:
    """A word every invite link pattern contains (so most links skip the regex); `low` is
    the text lower-cased."""
    return ("discord" in low or "t.me" in low or "telegram." in low or "whatsapp." in low
            or "skype." in low or "wa.me" in low)


def _shortened(clean: str, low: str) -> bool:
    """`_SHORTENER.search(clean)`, trying the pattern only from the first place a host
    occurs (ASCII text: lower-casing keeps positions) instead of at every character."""
    if not clean.isascii():
        return _SHORTENER.search(clean) is not None
    first = min((at for at in map(low.find, _SHORT_HOSTS) if at >= 0), default=-1)
    # (on the lower-cased text, without IGNORECASE: the same matches, found faster)
    return first >= 0 and _SHORTENER_LOWER.search(low, max(0, first - 1)) is not None


_SHORTENER_LOWER: Final = re.compile(_SHORTENER.pattern)


_HINTS: Final = tuple(f" {w} " for w in SPAM_HINTS)


def _has_any(flat: str) -> bool:
    """One of the offer or action words occurs at all (the matcher tells the engine the
    same with its `SPAM_HINT` flag)."""
    return any(w in flat for w in _HINTS)


def fingerprint(norm: Normalised) -> int:
    """Identifies repeats of the same message (after normalising); 0 for trivial text."""
    flat = norm.flat
    if len(flat) < 16 and flat.count(" ") <= _FINGERPRINT_SKIP:
        return 0
    return hash(flat)


def history_findings(history: Sequence[tuple[float, int]], now: float, fp: int,
                     policy: SpamPolicy) -> list[Finding]:
    """Flood and repeat from a member's recent (time, fingerprint) history, oldest first."""
    out: list[Finding] = []
    if not history:
        return out
    recent = sum(1 for ts, _ in history if now - ts < policy.flood_seconds)
    if recent + 1 >= policy.flood_messages:
        out.append(Finding("spam", "spam.flood", 2,
                           f"spam: {recent + 1} messages within {policy.flood_seconds:g} s"))
    if fp:
        same = sum(1 for ts, f in history if f == fp and now - ts < policy.repeat_seconds)
        if same + 1 >= policy.repeat_count:
            out.append(Finding("spam", "spam.repeat", 2,
                               f"spam: the same message {same + 1} times within "
                               f"{policy.repeat_seconds:g} s"))
    return out


class SpamTracker:
    """Recent messages per (group, member), bounded in members and in messages per member."""

    def __init__(self, policy: SpamPolicy) -> None:
        self.policy = policy
        self._window = max(policy.flood_seconds, policy.repeat_seconds)
        self._members: OrderedDict[tuple[str, str], deque[tuple[float, int]]] = OrderedDict()

    def history(self, group_id: str, member_id: str, now: float) -> tuple[tuple[float, int], ...]:
        q = self._members.get((group_id, member_id))
        if not q:
            return ()
        return tuple(item for item in q if now - item[0] < self._window)

    def record(self, group_id: str, member_id: str, now: float, fp: int) -> None:
        key = (group_id, member_id)
        q = self._members.get(key)
        if q is None:
            q = deque(maxlen=self.policy.history_per_member)
            self._members[key] = q
            while len(self._members) > self.policy.max_members:
                self._members.popitem(last=False)
        else:
            self._members.move_to_end(key)
        while q and now - q[0][0] >= self._window:
            q.popleft()
        q.append((now, fp))

    def forget(self, group_id: str, member_id: str) -> None:
        self._members.pop((group_id, member_id), None)

    def __len__(self) -> int:
        return len(self._members)
