"""What a scheduled post is: the content made for it and recorded with its claim (so a retry,
or a process taking the claim over after a crash, posts exactly that), the idempotency key it
is posted under, and the job that carries it through the dispatcher."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from groupbot.core.types import Button, ButtonStyle, Channel, Group, Reply, Visibility
from groupbot.scheduling.when import Occurrence
from groupbot.storage.schedules import LedgerRow, ScheduleRow


@dataclass(frozen=True, slots=True)
class Prepared:
    """What to post, how to give back anything taken for it (a prompt) if it is never
    posted, and what it was made from (`ref`, e.g. "prompt:boundaries-003", for the ledger)."""

    reply: Reply
    undo: Callable[[], Awaitable[None]] | None = None
    ref: str | None = None


ContentSource = Callable[[ScheduleRow, Occurrence], Awaitable[Reply | Prepared]]


@dataclass(slots=True)
class Job:
    row: ScheduleRow
    occ: Occurrence
    deadline: datetime
    claimed: bool = False
    attempts: int = 0
    reply: Reply | None = None  # the content recorded with the claim
    undo: Callable[[], Awaitable[None]] | None = None  # only in the process that made it


@dataclass(slots=True)
class DispatchStats:
    posted: int = 0
    retried: int = 0
    missed: int = 0
    failed: int = 0
    uncertain: int = 0
    lost_races: int = 0
    recovered: int = 0  # found in the channel after a crash, and recorded instead of re-posted


def idempotency_key(schedule_id: int, occurrence: str) -> str:
    """At most 25 characters (Discord's nonce limit), derived only from the occurrence."""
    compact = occurrence.replace("-", "").replace("T", "").replace(":", "")
    key = f"gb{schedule_id}.{compact}"
    if len(key) <= 25:
        return key
    digest = hashlib.blake2b(f"{schedule_id}/{occurrence}".encode(), digest_size=8).hexdigest()
    return f"gb.{digest}"[:25]


def encode_reply(reply: Reply) -> str:
    """A post as stored with its claim: everything an adapter renders, nothing else."""
    return json.dumps({
        "text": reply.text, "visibility": reply.visibility.value, "title": reply.title,
        "citation": reply.citation, "thread_name": reply.thread_name,
        "buttons": [[b.custom_id, b.label, b.style.value] for b in reply.buttons],
    }, ensure_ascii=False, separators=(",", ":"))


def decode_reply(text: str | None) -> Reply | None:
    """The post stored with a claim (None when the claim has none: made before 0011)."""
    if not text:
        return None
    data = json.loads(text)
    return Reply(text=str(data["text"]), visibility=Visibility(data.get("visibility", "public")),
                 title=data.get("title"), citation=data.get("citation"),
                 thread_name=data.get("thread_name"),
                 buttons=tuple(Button(str(b[0]), str(b[1]), ButtonStyle(b[2]))
                               for b in data.get("buttons") or ()))


def occurrence_of(claim: LedgerRow) -> Occurrence:
    return Occurrence(claim.occurrence, datetime.fromisoformat(claim.occurrence), claim.due_at)


def group_of(row: ScheduleRow) -> Group:
    return Group(id=row.group_id, name=row.group_name, platform=row.platform)


def channel_of(row: ScheduleRow) -> Channel:
    return Channel(id=row.channel_id, name=row.channel_name, group_id=row.group_id)


def what(row: ScheduleRow) -> str:
    if row.kind == "checkin":
        return "check-in"
    return f"prompt ({row.theme})" if row.theme else "prompt"
