"""What the parts of the moderation feature share: the attributes and calls each part may
use of the others (`ModerationParts`, as Red-DiscordBot's mod cog declares its mixins'),
what became of an action on the platform, and the wording kept in one place.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from groupbot.core.text import split_text
from groupbot.core.types import Channel, Group, Member, Reply
from groupbot.features.base import Services
from groupbot.features.hold import HoldDesk
from groupbot.features.moderation.engine import Decider
from groupbot.features.moderation.names import RecentNames
from groupbot.features.moderation.strikes import StrikePolicy
from groupbot.features.outbox import Outbox
from groupbot.features.queue import Delivery, ModeratorQueue
from groupbot.features.resource_book import ResourceLoader
from groupbot.moderation.verdict import Verdict
from groupbot.storage.cases import CaseRepo

PRIVATE_CHUNK = 1800  # characters per private message when returning a member's own text

# when storage fails (groupbot.features.outbox): what is said instead of a case number
STRIKES_UNREAD = ("the member's strikes could not be read (storage failing), so the ladder did "
                  "not escalate: the verdict alone was carried out")

UNNUMBERED_APPEAL = ("If you think this was a mistake, you can ask the moderators to look again "
                     "(my records are catching up, so I have no case number to give you yet).")

UNNUMBERED_ALERT = ("My storage is failing, so this case has no number yet: it is written, with "
                    "its queue item if it needs one, as soon as storage works again.")

GUIDELINES = {
    "harassment": "Speak to each other with care. Disagree with ideas, not with people.",
    "hate": "No slurs and no attacks on any group of people.",
    "threat": "No threats, even as a joke. Everyone here needs to feel safe.",
    "sexual": "Keep sexual content out of the group.",
    "profanity": "This channel asks everyone to keep the language gentle.",
    "pii": "Keep phone numbers, addresses and other private details out of the group.",
    "spam": "No promotions, invite links or repeated messages.",
}

DEFAULT_GUIDELINE = "Please keep this group a safe, kind space for everyone."


@dataclass(slots=True)
class Outcome:
    """What actually happened on the platform, for the case and the moderators."""

    notes: list[str]
    removed: bool = False
    timed_out_until: datetime | None = None


class ModerationParts:
    """What each part of the moderation feature may use of the whole: its state, set up by
    `ModerationFeature.__init__`, and the calls one part makes of another (each defined in
    its own part; these signatures only let every part be checked alone)."""

    services: Services
    cases: CaseRepo
    queue: ModeratorQueue
    outbox: Outbox
    holds: HoldDesk
    engine: Decider
    resources: ResourceLoader
    strikes: StrikePolicy
    _strikes_from_policy: bool
    names: RecentNames

    def judge(self, text: str, *, stateful: bool = False, **ctx: Any) -> Verdict:
        raise NotImplementedError  # judging

    def strike_weight(self, verdict: Verdict, group_id: str, channel: Channel | None) -> float:
        raise NotImplementedError  # judging

    def guideline(self, verdict: Verdict, group_id: str, channel: Channel | None) -> str:
        raise NotImplementedError  # judging

    def _lock(self, group_id: str, member_id: str) -> asyncio.Lock:
        raise NotImplementedError  # feature

    async def alert(self, group: Group, reply: Reply, *, member_id: str | None = None,
                    item: int | None = None, crisis: bool = False,
                    reason: str | None = None) -> Delivery:
        raise NotImplementedError  # feature

    async def _dm(self, group: Group, member: Member, reply: Reply, outcome: Outcome, *,
                  public_fallback: bool = True) -> bool:
        raise NotImplementedError  # ladder

    async def _link(self, group: Group, channel: Channel | None,
                    message_id: str | None) -> str | None:
        raise NotImplementedError  # ladder

    async def _care_note(self, group: Group, member: Member) -> str:
        raise NotImplementedError  # care

    async def _send_care_note(self, group: Group, member: Member,
                              last: datetime | None) -> str:
        raise NotImplementedError  # care

def case_note(body: str, kind: str = "note", case: Any = None, by: str = "bot") -> dict[str, Any]:
    """An outbox operation: an amendment on a case (by the bot unless `by`)."""
    return {"op": "note", "kind": kind, "body": body, "by": by, "case": case}

def chunks(text: str, size: int = PRIVATE_CHUNK) -> list[str]:
    """Split a member's own text for private messages without losing a character."""
    if not text:
        return ["(your message was empty)"]
    return split_text(text, size)

def clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"

def ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} minutes" if minutes < 120 else f"{minutes // 60} hours"

def span(delta: timedelta) -> str:
    """'3 days', '12 hours': a window as people read it."""
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 24 and hours % 24 == 0 else f"{hours:g} hours"
