"""The moderation outbox's entries, and writing one: all of it or nothing, and only once.

An entry is what one moderation step has to record, as plain data (so it can wait in memory
and in the spill file, `groupbot.features.outbox`): its stable id, its group, the time of the
action, and its operations, applied in order in one transaction with a row in
`mod_outbox_done`. An entry whose row exists is not written again; its numbers are returned.

Operations (`op`), each a dict:

- `case`: open a case from `new` (the fields of `NewCase`), with its strike and notes.
- `note`: an amendment (`kind`, `body`, `by`) on the case `case`.
- `care` / `care_note`: the crisis reply's log (`member`, `severity`) / the care note's.
- `item`: a queue item (`kind`, `member`, `asked_by`, `case`, `reason`, `text`); with `join`,
  the crisis request already waiting for `member` is used instead of a new one. The first
  `{case}` in the reason becomes the case's number (known only once the case is written).
- `hold`: a held message (`item`, `case` and the fields of `HoldRepo.record`).
- `alert`: an alert kept for the moderator log (`title`, `body`, `error`, `member`) in the
  item `item`, or a new item (a crisis request joining one waiting when `crisis`, else an
  alert) whose why is `reason`.

`case` and `item` name a case or item: "own" (the one this entry opened), a number, `{"entry":
id}` (the one an earlier entry opened) or None.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from groupbot.core.ports import utc
from groupbot.storage.backend import Conn, Db
from groupbot.storage.cases import CaseRepo, NewCase
from groupbot.storage.holds import HoldRepo
from groupbot.storage.queue import QueueRepo

OWN = "own"
ALERT_FIRST_RETRY = timedelta(minutes=1)  # as the queue's first retry of a kept alert


@dataclass(slots=True)
class Entry:
    """One moderation step's records, waiting to be written."""

    id: str
    group_id: str
    group_name: str
    platform: str
    at: datetime
    ops: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "group": [self.group_id, self.group_name,
                                                    self.platform],
                           "at": utc(self.at).isoformat(), "ops": self.ops},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> Entry:
        """Raises ValueError (or KeyError, TypeError) for a line that is not an entry."""
        raw = json.loads(line)
        group = raw["group"]
        ops = raw["ops"]
        if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
            raise ValueError("an entry's ops must be a list of objects")
        return cls(str(raw["id"]), str(group[0]), str(group[1]), str(group[2]),
                   datetime.fromisoformat(raw["at"]), ops)


def case_op(new: NewCase) -> dict[str, Any]:
    return {"op": "case", "new": {k: list(v) if isinstance(v, tuple) else v
                                  for k, v in asdict(new).items()}}


def new_case(op: dict[str, Any]) -> NewCase:
    return NewCase(**op["new"])


@dataclass(frozen=True, slots=True)
class Written:
    """The numbers an entry's case and queue item got (None: it opened none)."""

    case: int | None = None
    item: int | None = None


class OutboxRepo:
    """Writes entries (through the connection it is given: the outbox's own)."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self.cases = CaseRepo(db)
        self.queue = QueueRepo(db)
        self.holds = HoldRepo(db)

    async def write(self, entry: Entry) -> tuple[Written, bool]:
        """Write the entry unless it was written before; its numbers, and whether it was
        written now (False: found done, nothing written)."""
        async with self.db.transaction() as conn:
            done = await self._done(conn, entry.id)
            if done is not None:
                return done, False
            written = await self._apply(conn, entry)
            await conn.execute(
                "INSERT INTO mod_outbox_done (entry_id, group_id, case_number, item_number, "
                "done_at) VALUES (?, ?, ?, ?, ?)",
                (entry.id, entry.group_id, written.case, written.item,
                 utc(entry.at).isoformat()))
        return written, True

    async def done(self, entry_id: str) -> Written | None:
        row = await self.db.fetchone(
            "SELECT case_number, item_number FROM mod_outbox_done WHERE entry_id = ?",
            (entry_id,))
        return Written(row[0], row[1]) if row else None

    async def prune(self, before: datetime) -> int:
        """Forget the entries written before `before` (none of them can come back)."""
        async with self.db.transaction() as conn, conn.execute(
            "DELETE FROM mod_outbox_done WHERE done_at < ?", (utc(before).isoformat(),)
        ) as cur:
            return cur.rowcount

    async def _done(self, conn: Conn, entry_id: str) -> Written | None:
        async with conn.execute(
            "SELECT case_number, item_number FROM mod_outbox_done WHERE entry_id = ?",
            (entry_id,),
        ) as cur:
            row = await cur.fetchone()
        return Written(row[0], row[1]) if row else None

    async def _ref(self, conn: Conn, ref: Any, own: int | None,
                   which: str) -> int | None:
        if ref == OWN:
            return own
        if isinstance(ref, int):
            return ref
        if isinstance(ref, dict) and "entry" in ref:
            earlier = await self._done(conn, str(ref["entry"]))
            return None if earlier is None else getattr(earlier, which)
        return None

    async def _apply(self, conn: Conn, entry: Entry) -> Written:
        gid, at = entry.group_id, entry.at
        case: int | None = None
        item: int | None = None
        for op in entry.ops:
            kind = op["op"]
            if kind == "case":
                case = await self.cases.insert_case(conn, gid, new_case(op), at)
            elif kind == "note":
                number = await self._ref(conn, op.get("case", OWN), case, "case")
                if number is not None:
                    await self.cases.insert_amendment(conn, gid, number, op.get("kind", "note"),
                                                      op["body"], op.get("by", "bot"), at)
            elif kind == "care":
                await self.cases.record_care(gid, op["member"], int(op["severity"]), at, conn)
            elif kind == "care_note":
                await self.cases.record_care_note(gid, op["member"], at, conn)
            elif kind == "item":
                number = await self._ref(conn, op.get("case", OWN), case, "case")
                found = None
                if op.get("join") and op.get("member"):
                    found = await self.queue.waiting_crisis_in(conn, gid, op["member"])
                item = found if found is not None else await self.queue.insert_item(
                    conn, gid, op["kind"], at, member_id=op.get("member"),
                    asked_by=op.get("asked_by"), case_number=number,
                    reason=str(op.get("reason", "")).replace(  # (the first: ours)
                        "{case}", str(number) if number is not None else "?", 1),
                    text=op.get("text"))
            elif kind == "hold":
                number = await self._ref(conn, op.get("case", OWN), case, "case")
                held = await self._ref(conn, op.get("item", OWN), item, "item")
                if number is not None and held is not None:
                    await self.holds.insert(
                        conn, gid, held, case_number=number, member_id=op["member"],
                        channel_id=op["channel_id"], channel_name=op["channel_name"],
                        message_id=op["message_id"], held_at=at, removed=bool(op["removed"]),
                        strike_weight=float(op["strike_weight"]), text=op["text"])
            elif kind == "alert":
                item = await self._alert(conn, entry, op, item)
            else:
                raise ValueError(f"unknown outbox operation {kind!r}")
        return Written(case, item)

    async def _alert(self, conn: Conn, entry: Entry, op: dict[str, Any],
                     own: int | None) -> int:
        gid, at = entry.group_id, entry.at
        item = await self._ref(conn, op.get("item"), own, "item")
        member = op.get("member")
        if item is None and op.get("crisis") and member:
            item = await self.queue.waiting_crisis_in(conn, gid, member)
        if item is None:
            item = await self.queue.insert_item(
                conn, gid, "crisis" if op.get("crisis") else "alert", at, member_id=member,
                reason=str(op.get("reason") or ""))
        await self.queue.keep_alert(gid, item_number=item, member_id=member,
                                    title=op.get("title"), body=op["body"],
                                    error=str(op.get("error") or ""), now=at,
                                    next_attempt=at + ALERT_FIRST_RETRY, conn=conn)
        return item


__all__ = ["OWN", "Entry", "OutboxRepo", "Written", "case_op", "new_case"]
