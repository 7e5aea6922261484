"""The dispatcher: an in-memory alarm clock over schedules whose truth lives in the database.

At start it loads every active schedule, settles what happened while it was down (posts an
occurrence still inside its grace window, records older ones as missed and tells the
moderators, reconciles claims left by a crash), then sleeps on the injected `Clock` until the
next occurrence. Each occurrence is claimed in the ledger right before it is posted (after the
rate limiter grants a slot), and recorded as posted after, so:
- two dispatchers racing on one occurrence: exactly one claim wins;
- the content (the prompt chosen, rendered) is recorded with the claim, in the same
  transaction, before anything is sent; every later attempt (a retry, or another process
  taking the claim over after a crash) posts exactly that content under the same
  idempotency key (Discord's nonce, sent with `enforce_nonce`; Slack's metadata);
- a crash anywhere between claiming and recording: once the claim's lease has run out (60 s
  after the last attempt began, by default), a restarted bot first looks for the post in
  the channel's recent history (`ChatPort.find_post`: Discord's marker button id, Slack's
  metadata) and records it if it is there; if it is not, it posts the recorded content with
  the same key; where the platform can neither search nor deduplicate, moderators are told
  and nothing is re-posted (recovery.py);
- a 429 or a brief outage: the claim and its content are kept and the post retried later,
  not dropped; an occurrence that cannot be posted is recorded (failed, missed) and
  moderators are told.
What a post is (its content as stored with the claim, its key, the job) is in jobs.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from groupbot.core.failpoints import (
    SCHEDULE_CLAIMED,
    SCHEDULE_POSTED,
    SCHEDULE_PREPARED,
    failpoint,
)
from groupbot.core.ports import ChatPort, Clock
from groupbot.core.types import Group, PostedMessage, Reply
from groupbot.scheduling.jobs import (
    ContentSource,
    DispatchStats,
    Job,
    Prepared,
    channel_of,
    encode_reply,
    group_of,
    idempotency_key,
    what,
)
from groupbot.scheduling.limiter import RateLimiter, temporary_delay
from groupbot.scheduling.recovery import DEFAULT_CLAIM_LEASE, Recovery
from groupbot.scheduling.when import Occurrence, Recurrence, describe, recurrence
from groupbot.storage.schedules import Claim, ScheduleRepo, ScheduleRow

log = logging.getLogger(__name__)

LEDGER_KEEP = timedelta(days=180)  # settled occurrences older than this are forgotten
PRUNE_EVERY = timedelta(days=1)
MAX_MISSED_RECORDED = 50  # per schedule after a long outage: the most recent ones, and a count


@dataclass(slots=True)
class _Armed:
    row: ScheduleRow
    rec: Recurrence
    version: int


@dataclass(order=True, slots=True)
class _Entry:
    due: datetime
    seq: int
    kind: str = field(compare=False)  # "occurrence" | "reconcile"
    schedule_id: int = field(compare=False)
    version: int = field(compare=False, default=0)
    occ: Occurrence | None = field(compare=False, default=None)


class Dispatcher(Recovery):
    def __init__(
        self,
        repo: ScheduleRepo,
        chat: ChatPort,
        clock: Clock,
        content: ContentSource,
        *,
        limiter: RateLimiter | None = None,
        alert: Callable[[Group, Reply], Awaitable[object]] | None = None,
        instance_id: str | None = None,
        claim_lease: timedelta = DEFAULT_CLAIM_LEASE,
        max_in_flight: int = 64,
    ) -> None:
        self.repo = repo
        self.chat = chat
        self.clock = clock
        self.content = content
        # how moderators are told (the moderation queue keeps what the log cannot take)
        self.alert = alert or chat.alert_moderators
        self.limiter = limiter or RateLimiter(chat.rate_limits, clock)
        self.instance_id = instance_id or uuid.uuid4().hex[:12]
        self.claim_lease = claim_lease
        self.stats = DispatchStats()
        self._armed: dict[int, _Armed] = {}
        self._versions: dict[int, int] = {}
        self._heap: list[_Entry] = []
        self._seq = itertools.count()
        self._ready: deque[Job] = deque()
        self._delayed: list[tuple[datetime, int, Job]] = []
        self._sem = asyncio.Semaphore(max_in_flight)
        self._in_flight = 0
        self._admit_sleeping = 0
        self._admit_lock = asyncio.Lock()
        self._pacer_blocked = False  # the pacer waits for a free post slot
        self._posts: set[asyncio.Task[None]] = set()
        self._wake_loop = asyncio.Event()
        self._wake_pacer = asyncio.Event()
        self._progress = asyncio.Event()
        self._loop_wait: datetime | bool | None = False  # False: busy; None: no deadline
        self._pacer_wait: datetime | bool | None = False
        self._pacer_slot: datetime | None = None
        self._tasks: list[asyncio.Task[None]] = []

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        await self.prune()
        await self.arm()
        self._tasks = [asyncio.create_task(self._loop(), name="schedules-loop"),
                       asyncio.create_task(self._pacer(), name="schedules-pacer")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._posts:
            # Let posts in flight finish and record themselves; a stuck one is reconciled at
            # the next start like a crash.
            done, pending = await asyncio.wait(set(self._posts), timeout=10)
            for task in pending:
                task.cancel()
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    log.warning("scheduled post ended with an error at shutdown")

    @property
    def armed_count(self) -> int:
        return len(self._armed)

    # -- arming --------------------------------------------------------------------------------
    async def arm(self) -> None:
        """Load every active schedule, settle the past, and set the alarm for each."""
        now = self.clock.now()
        active = await self.repo.active()
        rows = [r for r in active if self._owns(r.group_id)]
        foreign = {r.id for r in active if not self._owns(r.group_id)}  # another shard's
        last = await self.repo.last_due()
        exceptions = await self.repo.exceptions()
        missed: list[tuple[int, str, datetime, str, str]] = []
        alerts: dict[str, tuple[ScheduleRow, list[str]]] = {}
        for row in rows:
            rec = recurrence(row.when_text, row.timezone, row.anchor)
            version = self._versions.get(row.id, 0) + 1
            self._versions[row.id] = version
            self._armed[row.id] = _Armed(row, rec, version)
            start = max(row.armed_from, last.get(row.id, row.armed_from))
            grace = timedelta(seconds=row.grace_seconds)
            skip_dates = exceptions.get(row.id, set())
            recent: deque[Occurrence] = deque(maxlen=MAX_MISSED_RECORDED)
            count = 0
            upcoming: Occurrence | None = None
            for occ in rec.iter_after(start):
                if occ.due > now:
                    upcoming = occ
                    break
                if now - occ.due <= grace:
                    self._enqueue(Job(row, occ, occ.due + grace))
                elif occ.local_date in skip_dates:
                    missed.append((row.id, occ.key, occ.due, "skipped", "exception date"))
                else:
                    count += 1
                    recent.append(occ)
            if count:
                for occ in recent:
                    missed.append((row.id, occ.key, occ.due, "missed",
                                   "offline past its grace window"))
                self.stats.missed += count
                lines = alerts.setdefault(row.group_id, (row, []))[1]
                latest = describe(recent[-1], row.timezone)
                lines.append(f"• #{row.channel_name}: {count} scheduled {what(row)} post"
                             f"{'s' if count > 1 else ''} (schedule {row.id}), the latest due "
                             f"{latest}")
            if upcoming is not None:
                self._push(_Entry(upcoming.due, next(self._seq), "occurrence", row.id, version,
                                  upcoming))
        await self.repo.record_many(missed, now)
        for row, lines in alerts.values():
            await self._alert(row, "I was offline past the grace window, so these scheduled "
                                   "posts were not made. They are recorded as missed; nothing "
                                   "will be posted late:\n" + "\n".join(lines[:20]))
        await self._reconcile_at_start(foreign, now)
        self._wake_loop.set()

    async def refresh(self, schedule_id: int) -> Occurrence | None:
        """Re-read one schedule after a change (add, pause, resume, skip, remove) and re-arm it.
        Returns its next occurrence, or None when it is not active."""
        row = await self.repo.get(schedule_id)
        version = self._versions.get(schedule_id, 0) + 1
        self._versions[schedule_id] = version
        if row is None or row.paused or not self._owns(row.group_id):
            self._armed.pop(schedule_id, None)
            self._wake_loop.set()
            return None
        rec = recurrence(row.when_text, row.timezone, row.anchor)
        self._armed[schedule_id] = _Armed(row, rec, version)
        occ = rec.next_after(max(self.clock.now(), row.armed_from))
        if occ is not None:
            self._push(_Entry(occ.due, next(self._seq), "occurrence", schedule_id, version, occ))
        self._wake_loop.set()
        return occ

    def _serves(self, schedule_id: int) -> bool:
        return schedule_id in self._armed  # active, and of a group this process serves

    def _owns(self, group_id: str) -> bool:
        """Whether this process serves the group: a sharded platform (Discord split across
        processes) answers `owns_group`; each process runs its own groups' schedules only."""
        return self.chat.owns_group(group_id)

    def _push(self, entry: _Entry) -> None:
        heapq.heappush(self._heap, entry)

    # -- the alarm loop ------------------------------------------------------------------------
    async def prune(self) -> None:
        """Keep the occurrence ledger bounded (a bot runs for years): at start, then daily
        (an upkeep job of the schedules feature)."""
        try:
            removed = await self.repo.prune(self.clock.now() - LEDGER_KEEP)
        except Exception:
            log.exception("pruning the schedule ledger failed; it is retried tomorrow")
            return
        if removed:
            log.info("pruned the schedule ledger", extra={"rows": removed})

    async def _loop(self) -> None:
        while True:
            self._wake_loop.clear()
            now = self.clock.now()
            while self._heap and self._heap[0].due <= now:
                entry = heapq.heappop(self._heap)
                try:
                    await self._on_due(entry, now)
                except Exception:
                    log.exception("schedule occurrence failed", extra={
                        "schedule": entry.schedule_id})
            wake = self._heap[0].due if self._heap else None
            await self._wait("_loop_wait", wake, self._wake_loop)

    async def _on_due(self, entry: _Entry, now: datetime) -> None:
        if entry.kind == "reconcile":
            assert entry.occ is not None
            await self._reconcile_due(entry.schedule_id, entry.occ, now)
            return
        armed = self._armed.get(entry.schedule_id)
        if armed is None or armed.version != entry.version or entry.occ is None:
            return  # paused, removed or re-armed since this alarm was set
        occ = entry.occ
        upcoming = armed.rec.next_after(occ.due)
        if upcoming is not None:
            self._push(_Entry(upcoming.due, next(self._seq), "occurrence", armed.row.id,
                              armed.version, upcoming))
        grace = timedelta(seconds=armed.row.grace_seconds)
        if now - occ.due <= grace:
            self._enqueue(Job(armed.row, occ, occ.due + grace))
            return
        # The process was stalled (or suspended) past the grace window.
        if await self.repo.record(armed.row.id, occ.key, occ.due, "missed",
                                  "late past its grace window", now):
            self.stats.missed += 1
            await self._alert(armed.row, f"The scheduled {what(armed.row)} in "
                                         f"#{armed.row.channel_name} due "
                                         f"{describe(occ, armed.row.timezone)} was not posted: I "
                                         f"was held up past its grace window. It is recorded as "
                                         "missed.")

    # -- pacing --------------------------------------------------------------------------------
    def _enqueue(self, job: Job, not_before: datetime | None = None) -> None:
        if not_before is None or not_before <= self.clock.now():
            self._ready.append(job)
        else:
            heapq.heappush(self._delayed, (not_before, next(self._seq), job))
        self._wake_pacer.set()

    async def _pacer(self) -> None:
        while True:
            self._wake_pacer.clear()
            now = self.clock.now()
            while self._delayed and self._delayed[0][0] <= now:
                self._ready.append(heapq.heappop(self._delayed)[2])
            if not self._ready:
                wake = self._delayed[0][0] if self._delayed else None
                await self._wait("_pacer_wait", wake, self._wake_pacer)
                continue
            job = self._ready.popleft()
            channel_at = self.limiter.channel_ready_at(job.row.channel_id)
            if channel_at > now:
                heapq.heappush(self._delayed, (channel_at, next(self._seq), job))
                continue
            slot = self.limiter.reserve_global()
            if slot > now:
                self._pacer_slot = slot
                self._progress.set()
                try:
                    await self.clock.sleep_until(slot)
                finally:
                    self._pacer_slot = None
            self.limiter.note_channel(job.row.channel_id)
            if self._sem.locked():  # every post slot taken: wait for one to finish
                self._pacer_blocked = True
                self._progress.set()
                try:
                    await self._sem.acquire()
                finally:
                    self._pacer_blocked = False
            else:
                await self._sem.acquire()
            self._in_flight += 1
            task = asyncio.create_task(self._post(job))
            self._posts.add(task)
            task.add_done_callback(self._posts.discard)

    async def _wait(self, attr: str, wake: datetime | None, event: asyncio.Event) -> None:
        """Sleep on the clock until `wake`, or until `event` is set (new work)."""
        setattr(self, attr, wake)
        self._progress.set()
        waiters: set[asyncio.Future[Any]] = {asyncio.ensure_future(event.wait())}
        if wake is not None:
            waiters.add(asyncio.ensure_future(self.clock.sleep_until(wake)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
            setattr(self, attr, False)

    # -- posting -------------------------------------------------------------------------------
    async def _post(self, job: Job) -> None:
        row, occ = job.row, job.occ
        key = idempotency_key(row.id, occ.key)
        try:
            if not job.claimed:
                if not await self._claim(job, key):
                    return
                failpoint(SCHEDULE_CLAIMED)
            elif job.reply is None and not await self._content_for_old_claim(job):
                return
            assert job.reply is not None
            await self._admit()
            if not await self.repo.begin_attempt(row.id, occ.key, self.instance_id,
                                                 self.clock.now()):
                # taken over (this process was stalled past the lease), settled or removed
                log.warning("scheduled post no longer ours; not sent", extra={
                    "schedule": row.id, "occurrence": occ.key})
                return
            try:
                posted: PostedMessage = await self.chat.post(
                    group_of(row), channel_of(row), job.reply, idempotency_key=key)
            except Exception as exc:
                await self._post_failed(job, exc)
                return
            failpoint(SCHEDULE_POSTED)
            await self.repo.mark_posted(row.id, occ.key, posted.id, self.clock.now())
            self.stats.posted += 1
        finally:
            self._in_flight -= 1
            self._sem.release()
            self._progress.set()

    async def _claim(self, job: Job, key: str) -> bool:
        """Make the content and claim the occurrence with it, in one transaction."""
        row, occ = job.row, job.occ
        outcome = await self.repo.claimable(row.id, occ.key, occ.due)
        prepared: Prepared | None = None
        if outcome is Claim.CLAIMED:
            try:
                prepared = await self._prepare(row, occ)
            except Exception as exc:  # nothing to post: say so, never skip silently
                await self._content_failed(row, occ, exc)
                return False
            failpoint(SCHEDULE_PREPARED)
            outcome = await self.repo.claim(
                row.id, occ.key, occ.due, by=self.instance_id, idempotency_key=key,
                now=self.clock.now(), content=encode_reply(prepared.reply),
                content_ref=prepared.ref)
        elif outcome is Claim.EXCEPTION:  # recorded as skipped by the claim itself
            outcome = await self.repo.claim(row.id, occ.key, occ.due, by=self.instance_id,
                                            idempotency_key=key, now=self.clock.now())
        if outcome is not Claim.CLAIMED:
            if prepared is not None:
                await self._undo(prepared.undo)
            if outcome is Claim.TAKEN:
                self.stats.lost_races += 1
            log.info("occurrence not posted", extra={
                "schedule": row.id, "occurrence": occ.key, "reason": outcome.value})
            return False
        assert prepared is not None
        job.claimed, job.reply, job.undo = True, prepared.reply, prepared.undo
        return True

    async def _prepare(self, row: ScheduleRow, occ: Occurrence) -> Prepared:
        content = await self.content(row, occ)
        return content if isinstance(content, Prepared) else Prepared(content)

    async def _content_for_old_claim(self, job: Job) -> bool:
        """A claim taken over that has no content recorded (made before migration 0011):
        make it now and record it before sending."""
        row, occ = job.row, job.occ
        try:
            prepared = await self._prepare(row, occ)
        except Exception as exc:
            await self._post_failed(job, exc)
            return False
        if not await self.repo.set_content(row.id, occ.key, self.instance_id,
                                           encode_reply(prepared.reply), prepared.ref):
            await self._undo(prepared.undo)
            return False
        job.reply, job.undo = prepared.reply, prepared.undo
        return True

    async def _content_failed(self, row: ScheduleRow, occ: Occurrence, exc: Exception) -> None:
        log.warning("scheduled post has no content", extra={"schedule": row.id,
                                                            "error": repr(exc)})
        reason = str(exc) or type(exc).__name__
        if await self.repo.record(row.id, occ.key, occ.due, "failed",
                                  f"no content: {reason}", self.clock.now()):
            self.stats.failed += 1
            await self._alert(row, f"The scheduled {what(row)} in #{row.channel_name} due "
                                   f"{describe(occ, row.timezone)} could not be posted: "
                                   f"{reason[:300]} (schedule {row.id}).")

    async def _undo(self, undo: Callable[[], Awaitable[None]] | None) -> None:
        if undo is None:
            return
        try:
            await undo()
        except Exception:
            log.exception("could not give back an unposted post's content")

    async def _post_failed(self, job: Job, exc: Exception) -> None:
        row, occ = job.row, job.occ
        now = self.clock.now()
        temporary = temporary_delay(exc)
        if temporary is not None:
            seconds, whole_bot = temporary
            if whole_bot:
                self.limiter.penalize(seconds)
            else:
                self.limiter.hold_channel(row.channel_id, seconds)
            retry_at = now + timedelta(seconds=max(seconds, 0.001 * 2 ** min(job.attempts, 10)))
            if retry_at <= job.deadline:
                # The claim and its content stay: the retry sends the same post under the
                # same key (a 5xx may have created the message after all), and a crash while
                # waiting leaves a claim that a restart takes over.
                job.attempts += 1
                self.stats.retried += 1
                self._enqueue(job, retry_at)
                return
            if await self.repo.settle(row.id, occ.key, "missed", f"kept failing: {exc}", now,
                                      claimed_by=self.instance_id):
                self.stats.missed += 1
                await self._undo(job.undo)
                await self._alert(row, f"The scheduled {what(row)} in #{row.channel_name} due "
                                       f"{describe(occ, row.timezone)} could not be posted: the "
                                       "platform kept refusing it until its grace window ended. "
                                       "It is recorded as missed.")
            return
        log.warning("scheduled post failed", extra={"schedule": row.id, "error": repr(exc)})
        if await self.repo.settle(row.id, occ.key, "failed", str(exc) or type(exc).__name__,
                                  now, claimed_by=self.instance_id):
            self.stats.failed += 1
            await self._undo(job.undo)
            await self._alert(row, f"The scheduled {what(row)} in #{row.channel_name} due "
                                   f"{describe(occ, row.timezone)} could not be posted: "
                                   f"{str(exc)[:300] or type(exc).__name__}. Check that I can "
                                   f"still post there (schedule {row.id}).")

    # -- crash recovery (see recovery.py) -------------------------------------------------------
    def _reconcile_later(self, at: datetime, schedule_id: int, occ: Occurrence) -> None:
        self._push(_Entry(at, next(self._seq), "reconcile", schedule_id, occ=occ))
        self._wake_loop.set()

    async def _schedule_of(self, schedule_id: int) -> ScheduleRow | None:
        armed = self._armed.get(schedule_id)
        return armed.row if armed is not None else await self.repo.get(schedule_id)

    async def _alert(self, row: ScheduleRow, text: str) -> None:
        try:
            await self.alert(group_of(row), Reply.public(text, title="Schedules"))
        except Exception:
            log.exception("could not alert moderators", extra={"group": row.group_id})

    # -- for tests and tools -------------------------------------------------------------------
    async def _admit(self) -> None:
        """Wait until the limiter's window of real sends has room (see RateLimiter.admit),
        counted so `wait_idle` knows this post is only waiting for the clock. One post at a
        time waits on the clock; the others queue behind it, rather than all waking at each
        free slot for one of them to take it."""
        if not self._admit_lock.locked() and self.limiter.admit_at() <= self.clock.now():
            self.limiter.note_sent()
            return
        self._admit_sleeping += 1
        self._progress.set()
        try:
            async with self._admit_lock:
                while (free_at := self.limiter.admit_at()) > self.clock.now():
                    await self.clock.sleep_until(free_at)
                self.limiter.note_sent()
        finally:
            self._admit_sleeping -= 1

    def _idle(self) -> bool:
        now = self.clock.now()
        loop, pacer = self._loop_wait, self._pacer_wait
        if loop is False or (isinstance(loop, datetime) and loop <= now):
            return False
        if self._wake_loop.is_set() or (self._heap and self._heap[0].due <= now):
            return False
        if self._in_flight > self._admit_sleeping:  # posts not merely waiting for the clock
            return False
        if self._pacer_blocked:  # waiting for a post slot, and every post waits for the clock
            return True
        if self._pacer_slot is not None:  # holding a job until its rate-limit slot
            return self._pacer_slot > now
        if pacer is False or (isinstance(pacer, datetime) and pacer <= now):
            return False
        return (not self._ready and not self._wake_pacer.is_set()
                and (not self._delayed or self._delayed[0][0] > now))

    async def wait_idle(self) -> None:
        """Return once nothing more can happen until the clock moves (tests, the demo)."""
        while not self._idle():
            if not self._tasks:
                return
            if any(t.done() for t in self._tasks):
                for t in self._tasks:
                    if t.done() and not t.cancelled() and t.exception() is not None:
                        raise RuntimeError("the dispatcher stopped") from t.exception()
                return
            self._progress.clear()
            await self._progress.wait()

    def next_wake(self) -> datetime | None:
        """The earliest instant at which the dispatcher has something to do: for a virtual
        clock, where to move it once `wait_idle` returns. Something already due that waits
        behind something else (a retry due now, behind the pacer holding a job for its
        slot) is not a reason to stay: the earliest future instant is."""
        times = [self._heap[0].due] if self._heap else []
        if self._delayed:
            times.append(self._delayed[0][0])
        if self._pacer_slot is not None:
            times.append(self._pacer_slot)
        if self._admit_sleeping:  # posts waiting for room in the window of real sends
            times.append(self.limiter.admit_at())
        if not times:
            return None
        now = self.clock.now()
        future = [t for t in times if t > now]
        return min(future) if future else min(times)

    def pending_jobs(self) -> int:
        return len(self._ready) + len(self._delayed) + self._in_flight

