"""What every manual action shares: durations and message links parsed, the wording of
replies and moderator notes, and the records of a warning waiting for its go-ahead and of
what caused a timeout."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from groupbot.core.errors import GroupbotError
from groupbot.core.types import (
    Channel,
    Member,
)
from groupbot.storage.cases import Case

log = logging.getLogger(__name__)


CONFIRM_WARN = "gb:manual:warn:"  # + a token for a warning waiting for its moderator's go-ahead
LIFT_TIMEOUT = "gb:manual:lift:"  # + the member's id: "Lift the timeout" after a pardon
CONFIRM_FOR = timedelta(minutes=15)  # how long a Confirm button stays good
MAX_PENDING = 1000
DEFAULT_MAX_TIMEOUT = timedelta(days=28)  # where the platform names no limit (Discord's)
PRIVATE_CHUNK = 1800
DURATION_HELP = "like 10m, 2h, 1d or 7d (minutes, hours, days, weeks)"
PLATFORM_NAMES = {"discord": "Discord", "slack": "Slack", "console": "The console"}

UNITS = {"m": 1, "h": 60, "d": 1440, "w": 10080}
DURATION_PART = re.compile(  # (longest spelling first: "10min" is not "10m" then "in")
    r"(\d{1,6})\s*(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)", re.I)
DISCORD_LINK = re.compile(
    r"https?://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/channels/(\d+|@me)/(\d+)/(\d+)/?", re.I)
SLACK_LINK = re.compile(
    r"https?://[\w.-]+\.slack\.com/archives/([A-Z0-9]+)/p(\d{10})(\d{6})/?(?:\?\S*)?", re.I)
SLACK_TS = re.compile(r"p?(\d{10})\.?(\d{6})")
THRESHOLD_NOTE = re.compile(r"\(timeout at (\d+(?:\.\d+)?)\)")


# -- reading what the moderator typed ----------------------------------------------------------
def parse_duration(text: str, limit: timedelta, platform: str) -> timedelta:
    """`10m`, `2h`, `1d`, `7d` (and `1h30m`): a positive span no longer than `limit`.
    Raises ValueError with a message fit to show."""
    raw = text.strip().lower()
    if raw.startswith("-"):
        raise ValueError(f"a timeout can't be negative ('{clip(raw, 20)}'); give one "
                         f"{DURATION_HELP}")
    parts = list(DURATION_PART.finditer(raw))
    if not parts or "".join(m.group(0) for m in parts).replace(" ", "") != raw.replace(" ", ""):
        raise ValueError(f"'{clip(text.strip(), 20)}' is not a duration: give one "
                         f"{DURATION_HELP}")
    minutes = sum(int(m.group(1)) * UNITS[m.group(2)[0].lower()] for m in parts)
    if minutes <= 0:
        raise ValueError(f"a timeout must be longer than zero: give one {DURATION_HELP}")
    span = timedelta(minutes=minutes)
    if span > limit:
        where = PLATFORM_NAMES.get(platform, platform.title())
        raise ValueError(f"{human(span)} is longer than {where} allows: a timeout can last at "
                         f"most {human(limit)}")
    return span


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Where a message is, as a moderator named it: a link's channel (None: the channel the
    command was typed in), the message's id, and the platform a link belongs to."""

    message_id: str
    channel_id: str | None = None
    guild_id: str | None = None
    platform: str | None = None


def parse_message_ref(text: str, platform: str) -> MessageRef:
    """A Discord message link, a Slack permalink (Slack may send it as `<url>` or
    `<url|label>`), or a bare id in the current channel (on Slack, a message's ts, with or
    without its permalink's `p` and dot). Raises ValueError."""
    raw = text.strip()
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1].split("|", 1)[0]
    link = DISCORD_LINK.fullmatch(raw)
    if link:
        return MessageRef(link.group(3), link.group(2), link.group(1), "discord")
    link = SLACK_LINK.fullmatch(raw)
    if link:
        return MessageRef(f"{link.group(2)}.{link.group(3)}", link.group(1).upper(), None,
                          "slack")
    if "://" in raw or "/" in raw or not raw or any(ch.isspace() for ch in raw):
        raise ValueError(f"'{clip(raw, 60)}' is not a message link I know: give a Discord "
                         "message link, a Slack permalink (Copy link), or the message's id")
    ts = SLACK_TS.fullmatch(raw) if platform == "slack" else None
    if ts:
        return MessageRef(f"{ts.group(1)}.{ts.group(2)}")
    return MessageRef(raw)


# -- plain words -------------------------------------------------------------------------------
def human(span: timedelta) -> str:
    """'10 minutes', '1 hour', '36 hours', '1 day', '28 days'."""
    minutes = int(span.total_seconds() // 60)
    for size, unit in ((1440, "day"), (60, "hour")):
        if minutes >= size and minutes % size == 0:
            n = minutes // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def clip(text: str, n: int) -> str:
    text = "".join(ch for ch in text if ch.isprintable())
    return text if len(text) <= n else text[: n - 1] + "…"


def text_when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def appeal(number: int) -> str:
    return (f"If you think this was a mistake, you can ask the moderators to look again with "
            f"`/appeal {number} <what you'd like them to know>`.")


def platform_cannot(platform: str, what: str) -> str:
    """'Slack does not let bots delete members' messages'."""
    return f"{PLATFORM_NAMES.get(platform, platform.title())} does not let bots {what}"


def failure_text(exc: Exception) -> str:
    """What went wrong, fit to show a moderator (our errors say it; others are named)."""
    if isinstance(exc, GroupbotError):
        return str(exc).rstrip(".")
    return f"the platform returned an error ({type(exc).__name__})"


def summary(head: str, member: Member, told: bool, what: str) -> str:
    """The moderator's answer: what was done, whether the member heard, where it is logged."""
    return "\n".join([
        head,
        f"I told <@{member.id}> privately {what}." if told else
        f"I could not tell <@{member.id}> privately; please reach them yourself.",
        "It is in the moderator log; `/mod case` shows the case."])




@dataclass(frozen=True, slots=True)
class PendingWarn:
    group_id: str
    channel: Channel
    member: Member
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class TimeoutCause:
    """Why the member's running timeout was set, as the case log tells it."""

    case: Case | None
    threshold: float | None = None  # the strike threshold that set it
    manual: bool = False  # a moderator's /mod timeout


def text_count(n: float, noun: str) -> str:
    """"1 strike", "2 strikes", "1.5 points"."""
    return f"{n:g} {noun}" + ("" if n == 1 else "s")
