"""Crash recovery for scheduled posts, mixed into the `Dispatcher`.

A claim whose owner stopped renewing it (killed, power cut) is settled once its lease has run
out (the lease is renewed at each attempt): the post is looked for in the channel's recent
history (`ChatPort.find_post`) and recorded if it is there; if it is not, or the platform
still deduplicates the key (Discord's nonce, for a few minutes after the last attempt), the
content recorded with the claim is sent again under the same key; where the platform can
neither search nor deduplicate, the moderators are told and nothing is re-posted. Never a
second post, never a silent skip.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from groupbot.core.errors import Unsupported
from groupbot.core.ports import ChatPort, Clock
from groupbot.core.types import PostedMessage, Reply
from groupbot.scheduling.jobs import (
    DispatchStats,
    Job,
    channel_of,
    decode_reply,
    group_of,
    occurrence_of,
    what,
)
from groupbot.scheduling.limiter import temporary_delay
from groupbot.scheduling.when import Occurrence, describe
from groupbot.storage.schedules import LedgerRow, ScheduleRepo, ScheduleRow

log = logging.getLogger(__name__)

DEFAULT_CLAIM_LEASE = timedelta(seconds=60)
SEARCH_RETRY = timedelta(seconds=30)  # a history search that failed for now is tried again


class _RetryLater(Exception):
    """The channel's history could not be searched for now (a 429, a 5xx)."""


class _NotSearched(Exception):
    """The channel's history cannot be searched (no permission, an error)."""


class Recovery:
    repo: ScheduleRepo
    chat: ChatPort
    clock: Clock
    instance_id: str
    claim_lease: timedelta
    stats: DispatchStats

    # -- provided by the Dispatcher --------------------------------------------------------------
    def _reconcile_later(self, at: datetime, schedule_id: int, occ: Occurrence) -> None:
        raise NotImplementedError

    def _enqueue(self, job: Job, not_before: datetime | None = None) -> None:
        raise NotImplementedError

    async def _schedule_of(self, schedule_id: int) -> ScheduleRow | None:
        raise NotImplementedError

    async def _alert(self, row: ScheduleRow, text: str) -> None:
        raise NotImplementedError

    # -- when ------------------------------------------------------------------------------------
    async def _reconcile_at_start(self, foreign: set[int], now: datetime) -> None:
        """Every claim left by another process (this shard's): settled now if its lease has
        run out, else when it does."""
        for claim in await self.repo.claims():
            if claim.claimed_by == self.instance_id or claim.schedule_id in foreign:
                continue
            ready_at = (claim.claimed_at or now) + self.claim_lease
            if ready_at <= now:
                try:
                    await self._reconcile(claim)
                except Exception:  # one bad claim must not stop the bot from starting
                    log.exception("could not reconcile an interrupted post; retried soon",
                                  extra={"schedule": claim.schedule_id})
                    self._reconcile_later(now + SEARCH_RETRY, claim.schedule_id,
                                          occurrence_of(claim))
            else:
                self._reconcile_later(ready_at, claim.schedule_id, occurrence_of(claim))

    async def _reconcile_due(self, schedule_id: int, occ: Occurrence, now: datetime) -> None:
        """A claim's lease was due to run out now: settle it unless it was settled meanwhile,
        or its owner is alive and renewed it (then wait for the new lease)."""
        ledger = await self.repo.entry(schedule_id, occ.key)
        if ledger is None or ledger.state != "claimed" or ledger.claimed_by == self.instance_id:
            return
        renewed = (ledger.claimed_at or now) + self.claim_lease
        if renewed > now:
            self._reconcile_later(renewed, schedule_id, occ)
            return
        await self._reconcile(ledger)

    async def sweep_claims(self) -> int:
        """While running: claims another process left behind on the same database (a peer
        killed mid-post) once their lease has run out, for the schedules this process serves.
        Each is settled as at a start; `takeover` lets one survivor re-post, never two.
        Run every lease by the schedules feature; how many claims were settled."""
        now = self.clock.now()
        settled = 0
        for claim in await self.repo.claims():
            if claim.claimed_by == self.instance_id or not self._serves(claim.schedule_id):
                continue
            if (claim.claimed_at or now) + self.claim_lease > now:
                continue
            try:
                await self._reconcile(claim)
                settled += 1
            except Exception:
                log.exception("could not reconcile a peer's interrupted post; retried soon",
                              extra={"schedule": claim.schedule_id})
        return settled

    def _serves(self, schedule_id: int) -> bool:
        raise NotImplementedError

    # -- how -------------------------------------------------------------------------------------
    async def _reconcile(self, claim: LedgerRow) -> None:
        """A claim whose owner stopped renewing it (a crash): find the post in the channel,
        or post the recorded content under the same key, or say so."""
        row = await self._schedule_of(claim.schedule_id)
        now = self.clock.now()
        if row is None:
            return  # the schedule was removed; its ledger went with it
        occ = occurrence_of(claim)
        grace = timedelta(seconds=row.grace_seconds)
        within = now - occ.due <= grace
        reply = decode_reply(claim.content)
        searched = False
        if self.chat.capabilities.find_posts and claim.idempotency_key:
            try:
                found = await self._search(row, claim.idempotency_key, reply, within)
                searched = True
            except _RetryLater:
                self._reconcile_later(now + SEARCH_RETRY, row.id, occ)
                return
            except _NotSearched:
                found = None
            if found is not None:
                if await self.repo.mark_posted(row.id, occ.key, found.id, now):
                    self.stats.recovered += 1
                    log.info("interrupted post found in the channel and recorded", extra={
                        "schedule": row.id, "occurrence": occ.key, "message_id": found.id})
                return
        if within and (searched or self._deduplicated(claim, now)):
            # not in the channel (searched), or the platform still deduplicates the key: send
            # the recorded content again under the same key
            if await self.repo.takeover(row.id, occ.key, claim.claimed_by, self.instance_id,
                                        now):
                log.info("interrupted post taken over; sending the recorded content under "
                         "the same key", extra={"schedule": row.id, "occurrence": occ.key,
                                                "searched": searched})
                self._enqueue(Job(row, occ, occ.due + grace, claimed=True, reply=reply))
            return
        if searched:  # certainly not posted, and now too late to post
            if await self.repo.settle(row.id, occ.key, "missed",
                                      "interrupted before it was sent; back after the grace "
                                      "window", now, claimed_by=claim.claimed_by):
                self.stats.missed += 1
                await self._alert(row, f"I was interrupted before posting the scheduled "
                                       f"{what(row)} in #{row.channel_name} due "
                                       f"{describe(occ, row.timezone)}, and was back only after "
                                       "its grace window, so it was not posted. It is recorded "
                                       "as missed.")
            return
        if await self.repo.settle(row.id, occ.key, "uncertain",
                                  "interrupted after claiming; not re-posted", now,
                                  claimed_by=claim.claimed_by):
            self.stats.uncertain += 1
            await self._alert(row, f"I was interrupted while posting the scheduled {what(row)} "
                                   f"in #{row.channel_name} due {describe(occ, row.timezone)}, "
                                   "and this platform cannot tell me whether it went out. I "
                                   "have not re-posted it, to avoid a duplicate: please check "
                                   "the channel and post it by hand if it is missing.")

    def _deduplicated(self, claim: LedgerRow, now: datetime) -> bool:
        """Whether the platform would answer a repeat under the claim's key with the post its
        last attempt may have made (Discord: only inside its nonce window)."""
        caps = self.chat.capabilities
        if not caps.idempotent_posts:
            return False
        window = caps.idempotency_window
        return window is None or (claim.claimed_at is not None
                                  and now - claim.claimed_at <= window)

    async def _search(self, row: ScheduleRow, key: str, reply: Reply | None,
                      within: bool) -> PostedMessage | None:
        """The post in the channel's recent history, or None when it is not there. Raises
        `_RetryLater` when the search failed for now and the post is still due, and
        `_NotSearched` when the channel cannot be searched."""
        try:
            return await self.chat.find_post(group_of(row), channel_of(row), key, reply=reply)
        except Unsupported as exc:  # e.g. no permission to read this channel's history
            log.warning("cannot search the channel for an interrupted post",
                        extra={"schedule": row.id, "reason": str(exc)})
            raise _NotSearched from exc
        except Exception as exc:
            if temporary_delay(exc) is not None and within:
                log.warning("searching the channel failed for now; trying again",
                            extra={"schedule": row.id, "error": repr(exc)})
                raise _RetryLater from exc
            log.warning("searching the channel failed", extra={"schedule": row.id,
                                                               "error": repr(exc)})
            raise _NotSearched from exc
