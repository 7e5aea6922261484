"""The moderation outbox: what moderation records waits here when the database cannot take it.

Why: moderation must not fail open. Before this, a full disk or a locked database made the
first write (the case) raise, and everything after it never happened: the insult stayed up,
the moderators were never told. Now the platform acts first, on nothing but what it could
read, and what must be recorded (a case with its strike and notes, the care logs, a queue
item, a held message, an alert the moderator log could not take) is an outbox entry
(`groupbot.storage.outbox`) with a stable id:

- While the database works, an entry is written at once (its own connection, with a short
  busy timeout, so a locked database never stalls the reads on the main one), and the
  feature gets its numbers (case 12, item 3) as before.
- When it cannot be written, it waits here, in order, in memory (at most `MAX_PENDING`
  entries; past that, new records are not kept, and the moderator log says so), retried
  with a growing pause (`RETRY`), and written in order once the database takes writes again.
  Meanwhile new entries queue behind it without trying, so nothing waits on the database.
- Each entry waiting is also appended to an append-only JSONL spill file next to the
  database (`<database>.outbox.jsonl`, mode 0600), while appending works. On a clean stop
  the outbox tries to write what waits (for `STOP_FLUSH` seconds) and appends the rest to
  the spill file. At the next start the spill file is replayed first; an entry already
  written (its id is in `mod_outbox_done`) is not written twice, and the file is deleted
  once everything in it is written. (The file holds what the database would: a case's
  message text, until it is hashed, and a held message's text.)
- The moderators are told in the moderator log when storage is failing (once per group,
  when the first retry fails too), and again when it recovers, with how many records were
  written late; both go through the queue's alert path, which keeps what it cannot deliver
  (and when the database cannot keep it either, it is an entry here).

What moderation reads before acting (`member_state`, a message's earlier cases) is the
database plus the entries waiting here, bounded by `READ_WAIT`; a failed read means acting
and caring all the same (see the ladder).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import uuid
from collections import deque
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from groupbot.core.text import numbers
from groupbot.core.types import Group, Reply
from groupbot.features.base import Services
from groupbot.storage.cases import CaseRepo, MemberState
from groupbot.storage.database import Database
from groupbot.storage.failures import storage_failure, why_storage_failed
from groupbot.storage.outbox import OWN, Entry, OutboxRepo, Written
from groupbot.storage.store import Store

if TYPE_CHECKING:
    from groupbot.features.queue import ModeratorQueue

log = logging.getLogger(__name__)

T = TypeVar("T")

READ_WAIT = 1.0  # seconds a read before acting may take; then the caller's safe default
WRITER_BUSY_MS = 1000  # the outbox connection's busy timeout (the main one keeps its own)
RETRY = (timedelta(seconds=1), timedelta(seconds=2), timedelta(seconds=5),
         timedelta(seconds=10), timedelta(seconds=30), timedelta(minutes=1))  # then each minute
NOTICE_AFTER = 2  # failed attempts in a row (the first write and its first retry) before
#                   the moderators are told: a moment's contention is not worth a notice
MAX_PENDING = 10_000  # entries kept in memory; past this, new records are not kept
STOP_FLUSH = 5.0  # seconds a clean stop spends writing what waits, before spilling it
KEEP_DONE = timedelta(days=30)  # how long written entries' ids are remembered
PRUNE_EVERY = timedelta(days=1)  # how often older ones are forgotten
GIVE_UP_AFTER = 3  # attempts at an entry that fails for another reason than storage
SPILL_SUFFIX = ".outbox.jsonl"


@dataclass(frozen=True, slots=True)
class Recorded:
    """What became of an entry when it was handed in: its id, and its numbers if it was
    written at once (None while it waits)."""

    entry_id: str
    case: int | None = None
    item: int | None = None
    written: bool = False

    def case_ref(self) -> int | dict[str, str]:
        """How a later entry names this entry's case."""
        return self.case if self.case is not None else {"entry": self.entry_id}


@dataclass(slots=True)
class _Waiting:
    entry: Entry
    spilled: bool = False  # appended to the spill file
    tries: int = 0  # failed attempts for another reason than storage


@dataclass(slots=True)
class _Episode:
    """One stretch of failing storage, per group: who was told, what was written late."""

    groups: dict[str, Group] = field(default_factory=dict)  # every group with a record
    told: set[str] = field(default_factory=set)
    late: dict[str, list[Written]] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)  # past MAX_PENDING: not kept
    refused_told: set[str] = field(default_factory=set)
    dropped: dict[str, int] = field(default_factory=dict)  # gave up: not storage's fault
    replayed: set[str] = field(default_factory=set)  # groups with records from the spill file
    since: datetime | None = None
    why: str = ""


class Outbox:
    """Moderation's records, written at once or kept and retried until they land."""

    def __init__(self, services: Services, queue: ModeratorQueue, cases: CaseRepo) -> None:
        self.services = services
        self.queue = queue
        self.cases = cases  # the main connection's, for reads
        self.main = services.store
        self.store: Store = self.main  # the store entries are written through
        self.spill_path: Path | None = self.main.file_beside(SPILL_SUFFIX)
        self._own: Store | None = None
        self._waiting: deque[_Waiting] = deque()
        self._lock = asyncio.Lock()  # one write at a time, so entries land in order
        self._failures = 0  # failed attempts in a row
        self._next_attempt: datetime | None = None
        self._episode = _Episode()
        self._spill_ok = True  # appending to the spill file has worked since it was emptied
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._busy = True

    @property
    def repo(self) -> OutboxRepo:
        return self.store.outbox

    @property
    def db(self) -> Database:
        """The connection entries are written through (its own, while it could be opened)."""
        return self.store.db

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        """Open the outbox's own connection, load the spill file of an earlier run, and start
        the writer (which replays it first)."""
        try:
            own = await self.main.open_writer(WRITER_BUSY_MS)
        except Exception:
            log.warning("the moderation outbox could not open its own database "
                        "connection; it shares the main one", exc_info=True)
        else:
            if own is not None:
                self._own = self.store = own
        self._load_spill()
        with contextlib.suppress(Exception):
            await self.prune()
        self.services.upkeep.every(PRUNE_EVERY, "moderation outbox: forget written ids",
                                   self.prune)
        self._task = asyncio.create_task(self._run(), name="moderation-outbox")

    async def prune(self) -> None:
        """Forget the ids of entries written more than `KEEP_DONE` ago (at start, then
        daily), unless entries wait: one replayed from a spill file is checked against
        them."""
        if not self._waiting:
            await self.repo.prune(self.services.clock.now() - KEEP_DONE)

    async def stop(self) -> None:
        """Stop the writer; try to write what waits for `STOP_FLUSH` seconds; append the
        rest to the spill file."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._waiting:
            try:
                await asyncio.wait_for(self._write_waiting(), STOP_FLUSH)
            except (TimeoutError, Exception):
                log.warning("the moderation outbox could not write everything before "
                            "stopping", exc_info=True)
        if self._waiting:
            self._spill_rest()
        own, self._own = self._own, None
        self.store = self.main
        if own is not None:
            await own.close()

    async def idle(self) -> None:
        """Return once the writer has nothing to do until the clock moves (tests, the demo)."""
        clock = self.services.clock
        while True:
            task = self._task
            if task is None or task.done():
                return
            until = self._next_attempt if self._waiting else None
            if (not self._busy and not self._wake.is_set()
                    and (until is None or until > clock.now())):
                return
            self._progress.clear()
            progress = asyncio.ensure_future(self._progress.wait())
            try:
                await asyncio.wait({progress, task}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                progress.cancel()

    @property
    def waiting(self) -> int:
        """How many entries wait to be written."""
        return len(self._waiting)

    # -- handing in --------------------------------------------------------------------------
    async def record(self, group: Group, ops: list[dict[str, Any]],
                     now: datetime | None = None) -> Recorded:
        """Write these operations as one entry now if the database takes it; else keep it,
        in order, to be written later. Never raises. While entries wait, a new one queues
        behind them at once, without trying."""
        entry = Entry(uuid.uuid4().hex, group.id, group.name, group.platform,
                      now or self.services.clock.now(), ops)
        if not self._waiting:
            async with self._lock:
                if not self._waiting:
                    try:
                        written, _fresh = await self._write(entry)
                    except Exception as exc:
                        self._failed(exc)
                        self._keep(entry)
                        return Recorded(entry.id)
                    return Recorded(entry.id, written.case, written.item, True)
        self._keep(entry)
        return Recorded(entry.id)

    async def keep_alert(self, group: Group, reply: Reply, *, member_id: str | None,
                         item: int | None, crisis: bool, reason: str, why: str) -> int | None:
        """An alert the moderator log could not take, and the database could not keep
        either: it waits here. Its queue item's number, if written at once."""
        op: dict[str, Any] = {"op": "alert", "item": item, "member": member_id,
                              "crisis": crisis, "reason": reason, "title": reply.title,
                              "body": reply.text, "error": why}
        return (await self.record(group, [op])).item

    async def _write(self, entry: Entry) -> tuple[Written, bool]:
        """Its numbers, and whether it was written now (False: it had been already)."""
        group = Group(entry.group_id, entry.group_name, entry.platform)
        await self.services.settings(group)  # the group's row (cached once it exists)
        return await self.repo.write(entry)

    def _failed(self, exc: BaseException) -> None:
        """A write failed: the next try is after a growing pause."""
        self._failures += 1
        now = self.services.clock.now()
        pause = RETRY[min(self._failures, len(RETRY)) - 1]
        self._next_attempt = now + pause
        episode = self._episode
        if episode.since is None:
            episode.since = now
        episode.why = why_storage_failed(exc)
        log.warning("moderation records cannot be written; they wait in the outbox",
                    extra={"waiting": len(self._waiting) + 1, "attempts": self._failures,
                           "error": episode.why, "retry_in": pause.total_seconds()})
        self._wake.set()

    def _keep(self, entry: Entry) -> None:
        self._episode.groups.setdefault(entry.group_id, Group(entry.group_id, entry.group_name,
                                                              entry.platform))
        if len(self._waiting) >= MAX_PENDING:
            refused = self._episode.refused
            refused[entry.group_id] = refused.get(entry.group_id, 0) + 1
            log.error("the moderation outbox is full: a record was not kept",
                      extra={"group": entry.group_id, "waiting": len(self._waiting)})
            self._wake.set()
            return
        waiting = _Waiting(entry)
        self._waiting.append(waiting)
        if self._spill_ok:
            self._spill([waiting], sync=False)
        self._wake.set()

    # -- the writer ------------------------------------------------------------------------
    async def _run(self) -> None:
        clock = self.services.clock
        while True:
            self._busy = True
            self._wake.clear()
            try:
                due = self._next_attempt is None or self._next_attempt <= clock.now()
                if self._waiting and due:
                    await self._write_waiting()
                await self._tell()
            except Exception:
                log.exception("the moderation outbox's writer failed; trying again shortly")
                self._next_attempt = clock.now() + RETRY[0]
            self._busy = False
            self._progress.set()
            await self._sleep(self._next_attempt if self._waiting else None)

    async def _sleep(self, until: datetime | None) -> None:
        waker = asyncio.ensure_future(self._wake.wait())
        waits: set[asyncio.Future[Any]] = {waker}
        if until is not None:
            waits.add(asyncio.ensure_future(self.services.clock.sleep_until(until)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()

    async def _write_waiting(self) -> None:
        """Write the waiting entries in order; stop at the first that storage refuses."""
        async with self._lock:
            while self._waiting:
                head = self._waiting[0]
                try:
                    written, fresh = await self._write(head.entry)
                except Exception as exc:
                    if storage_failure(exc):
                        self._failed(exc)
                        return
                    head.tries += 1
                    if head.tries < GIVE_UP_AFTER:
                        self._failed(exc)
                        return
                    log.error("a moderation record could not be written and was set aside",
                              extra={"group": head.entry.group_id, "entry": head.entry.id,
                                     "error": type(exc).__name__}, exc_info=exc)
                    self._waiting.popleft()
                    dropped = self._episode.dropped
                    dropped[head.entry.group_id] = dropped.get(head.entry.group_id, 0) + 1
                    continue
                self._waiting.popleft()
                if fresh:  # (one replayed from the spill file may have been written before)
                    self._episode.late.setdefault(head.entry.group_id, []).append(written)
            self._failures = 0
            self._next_attempt = None
            self._spill_done()

    # -- telling the moderators ----------------------------------------------------------------
    async def _tell(self) -> None:
        """The notices due: storage failing (once per group), the outbox full (once per
        group), storage working again (to each group told it was failing)."""
        episode = self._episode
        if self._failures >= NOTICE_AFTER:
            for group_id in {w.entry.group_id: None for w in self._waiting}:
                if group_id not in episode.told:
                    episode.told.add(group_id)
                    await self._notice(episode.groups[group_id], self._failing_text(episode))
        for group_id, count in episode.refused.items():
            if group_id not in episode.refused_told:
                episode.refused_told.add(group_id)
                await self._notice(episode.groups[group_id], self._full_text(count))
        if self._waiting or self._failures:
            return
        self._episode = _Episode()
        restarted = {g for g in episode.replayed if episode.late.get(g)} - episode.told
        for group_id in sorted(episode.told | set(episode.refused) | restarted):
            await self._notice(episode.groups[group_id], self._recovered_text(
                episode, episode.late.get(group_id, []), episode.refused.get(group_id, 0),
                episode.dropped.get(group_id, 0), restart=group_id in restarted))
        told = episode.told | restarted
        untold = sum(len(w) for g, w in episode.late.items() if g not in told)
        if untold:
            log.info("moderation records written after a short wait",
                     extra={"count": untold})

    def _failing_text(self, episode: _Episode) -> str:
        return (
            f"My storage is failing: I can't write to my database right now ({episode.why}). "
            "Moderation goes on: I still remove, hold and pause, answer members in crisis "
            "privately and alert you here. What I'd record (cases, strikes, queue items) "
            f"waits in memory, up to {MAX_PENDING:,} records, and is written in order as soon "
            "as the database takes it again; I'll tell you here when it does. Until then new "
            "cases have no number yet, and the ladder counts only the strikes I can read.")

    @staticmethod
    def _full_text(count: int) -> str:
        return (
            f"My storage is still failing, and {MAX_PENDING:,} records are waiting, the most I "
            f"keep: from now on new cases and strikes are not kept at all ({count} so far), "
            "though I still act on every message. I'll say how many when storage works again.")

    def _recovered_text(self, episode: _Episode, late: list[Written], refused: int,
                        dropped: int, restart: bool = False) -> str:
        now = self.services.clock.now()
        since = episode.since or now
        minutes = max(1, math.ceil((now - since).total_seconds() / 60))
        span = f"{minutes} minute{'s' if minutes != 1 else ''}"
        cases = [w.case for w in late if w.case is not None]
        items = [w.item for w in late if w.item is not None]
        n = len(late)
        what = (f": case{'s' if len(cases) != 1 else ''} {numbers(cases)}" if cases else "") \
            + (f"; queue item{'s' if len(items) != 1 else ''} {numbers(items)}"
               if items else "") + "."
        if restart:
            lines = [f"After a restart: {n} record{'s' if n != 1 else ''} my last run could not "
                     f"write (its storage was failing) {'were' if n != 1 else 'was'} written "
                     f"now{what}"]
        else:
            lines = [f"My storage works again (it failed for about {span}). {n} record"
                     f"{'s were' if n != 1 else ' was'} written late{what}"]
        if refused:
            were = "s were" if refused != 1 else " was"
            lines.append(f"{refused} record{were} not kept (more than {MAX_PENDING:,} were "
                         "waiting) and lost; the actions themselves happened.")
        if dropped:
            lines.append(f"{dropped} record{'s' if dropped != 1 else ''} could not be written "
                         "at all (see the bot's log).")
        if not refused and not dropped:
            lines.append("Nothing was lost. `/mod cases` lists them.")
        return " ".join(lines)

    async def _notice(self, group: Group, text: str) -> None:
        """Through the queue's alert path, which keeps what the moderator log cannot take."""
        try:
            await self.queue.alert(group, Reply.private(text, title="Storage"))
        except Exception:
            log.exception("could not tell the moderators about storage",
                          extra={"group": group.id})

    # -- the spill file --------------------------------------------------------------------
    def _spill(self, waiting: Sequence[_Waiting], *, sync: bool) -> bool:
        """Append entries to the spill file (0600); False when it could not."""
        path = self.spill_path
        if path is None or not waiting:
            return not waiting
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                if os.fstat(fd).st_mode & 0o077:
                    os.fchmod(fd, 0o600)
                data = "".join(w.entry.to_json() + "\n" for w in waiting).encode("utf-8")
                written = 0
                while written < len(data):
                    written += os.write(fd, data[written:])
                if sync:
                    os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            self._spill_ok = False  # later entries must not land in the file before these
            log.warning("could not append to the moderation outbox's spill file",
                        extra={"path": str(path), "error": str(exc)})
            return False
        for w in waiting:
            w.spilled = True
        return True

    def _spill_rest(self) -> None:
        """At a stop: what could not be written goes to the spill file, for the next start."""
        rest = [w for w in self._waiting if not w.spilled]
        if not rest or self._spill(rest, sync=True):
            log.warning("moderation records wait in the spill file for the next start",
                        extra={"count": len(self._waiting), "path": str(self.spill_path)})
            return
        log.error("moderation records could not be written or spilled and are lost",
                  extra={"count": len(rest)})

    def _spill_done(self) -> None:
        """Everything is written: the spill file has nothing left to replay."""
        self._spill_ok = True
        if self.spill_path is None:
            return
        try:
            self.spill_path.unlink(missing_ok=True)
        except OSError:
            log.warning("could not delete the moderation outbox's spill file",
                        extra={"path": str(self.spill_path)}, exc_info=True)

    def _load_spill(self) -> None:
        """The entries an earlier run spilled, in order, ahead of everything new."""
        path = self.spill_path
        if path is None or not path.exists():
            return
        seen: set[str] = set()
        bad = 0
        try:
            with path.open(encoding="utf-8", errors="replace") as f:
                for line in f:
                    if not line.strip():
                        continue
                    try:
                        entry = Entry.from_json(line)
                    except (ValueError, KeyError, TypeError, IndexError):
                        bad += 1  # a line cut short by a crash or a full disk
                        continue
                    if entry.id not in seen:
                        seen.add(entry.id)
                        self._waiting.append(_Waiting(entry, spilled=True))
                        self._episode.groups.setdefault(entry.group_id, Group(
                            entry.group_id, entry.group_name, entry.platform))
                        self._episode.replayed.add(entry.group_id)
        except OSError:
            log.exception("could not read the moderation outbox's spill file",
                          extra={"path": str(path)})
            return
        log.warning("replaying moderation records an earlier run could not write",
                    extra={"count": len(self._waiting), "unreadable_lines": bad,
                           "path": str(path)})

    # -- reads before acting ----------------------------------------------------------------
    async def read(self, what: str, call: Awaitable[T]) -> tuple[T | None, bool]:
        """A read moderation needs before acting, bounded by READ_WAIT; (None, False) when
        it failed or took too long (the caller's safe default then applies)."""
        try:
            return await asyncio.wait_for(call, READ_WAIT), True
        except Exception as exc:
            log.warning("a moderation read failed; acting on the safe default",
                        extra={"read": what, "error": why_storage_failed(exc)})
            return None, False

    def _ops(self, group_id: str, kind: str) -> list[tuple[Entry, dict[str, Any]]]:
        return [(w.entry, op) for w in self._waiting if w.entry.group_id == group_id
                for op in w.entry.ops if op["op"] == kind]

    async def member_state(self, group_id: str, member_id: str, now: datetime,
                           half_life_days: float) -> MemberState:
        """Everything moderation reads about a member before acting, in one bounded read
        (waiting records count). Strikes are None when the database could not be read."""
        found, ok = await self.read("the member's state", self.cases.member_state(
            group_id, member_id, now, half_life_days))
        if not ok or found is None:
            return MemberState(None, self._waiting_care(group_id, member_id, None),
                               self._waiting_care_note(group_id, member_id, None))
        return MemberState(
            found.strikes + self._waiting_strikes(group_id, member_id, now, half_life_days)
            if found.strikes is not None else None,
            self._waiting_care(group_id, member_id, found.last_care),
            self._waiting_care_note(group_id, member_id, found.last_care_note))

    def _waiting_strikes(self, group_id: str, member_id: str, now: datetime,
                         half_life_days: float) -> float:
        total = 0.0
        for entry, op in self._ops(group_id, "case"):
            new = op["new"]
            if new["member_id"] == member_id and new["strike_weight"] > 0:
                age = max(0.0, (now - entry.at).total_seconds() / 86400.0)
                decay = math.pow(0.5, age / half_life_days) if half_life_days > 0 else 1.0
                total += float(new["strike_weight"]) * decay
        return total

    async def last_care(self, group_id: str, member_id: str) -> tuple[datetime, int] | None:
        """When the member last got the crisis reply, and at what severity (waiting records
        count); None when never, or when it could not be read."""
        found, _ok = await self.read("last crisis reply",
                                     self.cases.last_care(group_id, member_id))
        return self._waiting_care(group_id, member_id, found)

    def _waiting_care(self, group_id: str, member_id: str,
                      found: tuple[datetime, int] | None) -> tuple[datetime, int] | None:
        for entry, op in self._ops(group_id, "care"):
            if op["member"] == member_id and (found is None or entry.at >= found[0]):
                found = (entry.at, int(op["severity"]))
        return found

    async def last_care_note(self, group_id: str, member_id: str) -> datetime | None:
        """When the member last got the care note (waiting records count); None when never,
        or when it could not be read."""
        found, _ok = await self.read("last care note",
                                     self.cases.last_care_note(group_id, member_id))
        return self._waiting_care_note(group_id, member_id, found)

    def _waiting_care_note(self, group_id: str, member_id: str,
                           found: datetime | None) -> datetime | None:
        for entry, op in self._ops(group_id, "care_note"):
            if op["member"] == member_id and (found is None or entry.at > found):
                found = entry.at
        return found

    def request_waiting(self, group_id: str, member_id: str) -> bool:
        """Whether a request the member made to talk with a moderator waits here."""
        return any(op.get("asked_by") == member_id and op.get("kind") == "crisis"
                   for _entry, op in self._ops(group_id, "item"))

    async def message_cases(self, group_id: str,
                            message_id: str) -> list[tuple[str, tuple[str, ...], int]]:
        """(action, categories, severity) of the cases about a message, waiting ones too;
        none known when they could not be read."""
        found, _ok = await self.read("cases of a message",
                                     self.cases.find_by_message(group_id, message_id))
        out = [(c.action, c.categories, c.severity) for c in found or []]
        for _entry, op in self._ops(group_id, "case"):
            new = op["new"]
            if new["message_id"] == message_id:
                out.append((new["action"], tuple(new["categories"]), int(new["severity"])))
        return out


__all__ = ["MAX_PENDING", "OWN", "Outbox", "Recorded"]
