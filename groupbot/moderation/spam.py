"""Spam: promotion and scam wording, invite links, mass mentions; floods and repeats.

Wording is scored: one weak signal (the word "free", a link, a price) never makes spam; a
promotional message stacks several. Floods and repeats need history: `SpamTracker` keeps a
bounded, in-memory window per member, and the engine reads a snapshot of it (so `decide`
stays pure) while the caller records each message after judging it.
"""

from __future__ import annotations

import re
from collections import OrderedDict, deque
from collections.abc import Sequence

from groupbot.moderation.detectors import Finding
from groupbot.moderation.lexicon import SPAM_HINTS
from groupbot.moderation.matcher import Hit
from groupbot.moderation.normalise import Normalised
from groupbot.moderation.policy import SpamPolicy

_INVITE = re.compile(
    r"(?:discord(?:app)?\.(?:gg|com/invite|io|me|li)|t\.me|telegram\.(?:me|dog)|"
    r"chat\.whatsapp\.com|join\.skype\.com|wa\.me)/\S+", re.I)
_LINK = re.compile(r"https?://|www\.|\b[a-z0-9-]{2,}\.(?:com|net|org|co\.uk|io|biz|info|xyz|ly)\b",
                   re.I)
_SHORTENER = re.compile(r"\b(?:bit\.ly|tinyurl\.com|goo\.gl|t\.co|is\.gd|cutt\.ly|rb\.gy)/", re.I)
_MONEY = re.compile(r"[£$€]\s?\d|\b\d[\d,.]*\s?(?:pounds|dollars|usd|gbp|eur|p/min|ppm|p/msg|p)\b"
                    r"|\b1[68]\+|\bpo ?box ?\d", re.I)
_SHORTCODE = re.compile(r"(?<![\d+-])\d{5}(?![\d-])")
_LONGNUM = re.compile(r"(?<!\d)(?:0[789]\d{8,10}|0800\d{6,7}|\d{11,})(?!\d)")
_WEAK = frozenset(
    "free win won winner winners prize prizes claim cash urgent offer offers txt reply awarded "
    "guaranteed bonus discount promo voucher vouchers reward rewards selected exclusive "
    "subscribe subscription tone tones ringtone mobile entry draw unlimited bonus "
    "congratulations congrats sale deal deals cheap credit loan loans nitro giveaway "
    "investment invest profit call mobile stop service customer collect valid expires code "
    "landline delivery apply chat pobox box txting msg msgs per min reply text tones "
    "latest camera video club member membership operator ringtones poly polyphonic "
    "nokia motorola sony".split())
_FINGERPRINT_SKIP = 3  # very short messages ("ok", "yes") are not counted as repeats


def detect(norm: Normalised, hits: Sequence[Hit], policy: SpamPolicy,
           mentions: int, wording: bool = True, hint: bool | None = None) -> list[Finding]:
    """`wording` False says no hit is tagged "spam", and `hint` whether one of the
    `lexicon.SPAM_HINTS` words occurs (None: look here); the engine knows both from the
    matcher."""
    if hint is None:
        hint = _has_any(norm.flat)
    out: list[Finding] = []
    clean = norm.clean
    score = 0.0
    phrases = [h.phrase for h in hits if h.tag == "spam"] if wording and hits else []
    if not phrases and "/" not in clean and "http" not in clean and "www." not in clean \
            and policy.score_threshold > 0 and not hint:
        # (Most chat.) No wording, no link: the score stays 0 below, so only mentions count.
        if mentions >= policy.mass_mentions:
            out.append(Finding("spam", "spam.mentions", 2, f"spam: mentions {mentions} people"))
        if norm.everyone:
            out.append(Finding("spam", "spam.everyone", 1, "spam: mentions everyone"))
        return out
    if phrases:
        score += 2.0 * len(set(phrases))
    weak = 0
    tokens = None
    if phrases or hint:
        tokens = norm.flat.split()
        weak = len({t for t in tokens if t in _WEAK})
        score += min(weak, 5) * 0.8
    signals: list[str] = []
    if phrases:
        signals.append(f'"{phrases[0]}"')
    if weak:
        signals.append(f"{weak} promotional word(s)")
    low = clean.lower()
    if "/" in clean and not policy.allow_invites and _invite_hint(low):
        m = _INVITE.search(clean)
        if m:
            out.append(Finding("spam", "spam.invite", 2, "spam: an invite link to another server "
                                                          "or chat"))
    if score > 0 or "http" in clean or "www." in clean:
        if "http://" in low or "https://" in low or "www." in low or (
                any(tld in low for tld in _TLDS) and _LINK.search(clean)):
            score += 1.0
            signals.append("a link")
        if "/" in clean and _shortened(clean, low):
            score += 1.5
            signals.append("a shortened link")
        if _has_digit(clean):
            # The text's shape (see `_SHAPE`) gives substring tests that each pattern below
            # needs (for ASCII digits), so most texts skip those regex passes.
            shape = clean.encode("utf-8", "replace").translate(_SHAPE)
            if ((b"1p" in shape or b"1 p" in shape or "+" in clean or "box" in low
                 or "£" in clean or "$" in clean or "€" in clean
                 or any(u in low for u in _UNITS))
                    and _MONEY.search(clean)):
                score += 1.5
                signals.append("a price or prize amount")
            if b"11111" in shape and _SHORTCODE.search(clean):
                score += 1.0
                signals.append("a text short code")
            if b"1111111111" in shape and _LONGNUM.search(clean):
                score += 1.0
                signals.append("a premium or long number")
        if score > 0 and len(clean) >= 20:
            letters, upper = _letters(clean)
            if letters and upper / letters > 0.5:
                score += 1.0
                signals.append("shouting in capitals")
    if score >= policy.score_threshold:
        out.append(Finding("spam", "spam.promo", 2 if score < policy.score_threshold * 2 else 3,
                           "spam: promotional wording (" + ", ".join(signals) + ")"))
    if mentions >= policy.mass_mentions:
        out.append(Finding("spam", "spam.mentions", 2, f"spam: mentions {mentions} people"))
    if norm.everyone:
        out.append(Finding("spam", "spam.everyone", 1, "spam: mentions everyone"))
    return out


_LONG_TEXT = 2000
# `_SHORTENER`'s hosts with their slash: one of them is in any ASCII text it matches.
_SHORT_HOSTS = ("bit.ly/", "tinyurl.com/", "goo.gl/", "t.co/", "is.gd/", "cutt.ly/", "rb.gy/")
_TLDS = (".com", ".net", ".org", ".co.uk", ".io", ".biz", ".info", ".xyz", ".ly")
_UNITS = ("pound", "dollar", "usd", "gbp", "eur", "ppm")
# Digits, "," and "." as "1" (an amount), "p" as itself, white space as " ", the rest "0".
_SHAPE = bytes(49 if (48 <= c <= 57 or c in (44, 46)) else 112 if c in (80, 112) else
               32 if (9 <= c <= 13 or 28 <= c <= 32) else 48 for c in range(256))
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_UPPER = bytes(range(65, 91))


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


_SHORTENER_LOWER = re.compile(_SHORTENER.pattern)


_HINTS = tuple(f" {w} " for w in SPAM_HINTS)


def _has_any(flat: str) -> bool:
    """One of the strongest promotional words occurs at all (the matcher tells the engine
    the same with its `SPAM_HINT` flag)."""
    return any(w in flat for w in _HINTS)


_DIGIT = re.compile(r"\d")


def _has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


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
