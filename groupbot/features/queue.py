"""The moderators' queue: people waiting for a moderator, and alerts that are never lost.

Part of the moderation feature (`ModerationFeature.queue`); other features reach it through
that attribute. Every request for a moderator is an item in the database: a member asking to
talk (a crisis request, always listed first), an appeal, an escalation, and any alert the
moderator log could not take. `/mod queue` lists what is waiting; `/mod queue claim <id>`
records who took an item (and tells the member who asked, privately); `/mod queue resolve
<id> [note]` closes it. A held message (`groupbot.features.hold`) is settled instead with
`/mod queue restore <id>` or `/mod queue confirm <id> [note]`.

`alert()` is the one way moderator alerts leave the bot. When the moderator log cannot take
one (none set, the channel deleted, a platform error), the alert is kept in the database and
retried with a growing pause, it becomes (or joins) a queue item, and the moderators the
platform can name get it by direct message. `/mod setup modlog` posts whatever waited.

A crisis request nobody has taken is announced again every `[moderation] reannounce_minutes`
(30 by default), a limited number of times; it stays in the queue until it is resolved. Both
that and the retries of kept alerts are one upkeep job (`groupbot.scheduling.upkeep`) that
looks every `TICK`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from groupbot.core.commands import Access, CommandContext, CommandRegistry, OptionKind, OptionSpec
from groupbot.core.errors import GroupbotError, UsageError
from groupbot.core.types import Group, Member, Reply
from groupbot.features.base import Services
from groupbot.features.contracts import Delivery
from groupbot.storage.cases import CaseRepo
from groupbot.storage.queue import PendingAlert, QueueItem

if TYPE_CHECKING:
    from groupbot.features.outbox import Outbox

log = logging.getLogger(__name__)

REANNOUNCE_LIMIT = 12  # re-announcements of one crisis request (6 hours at the default)
ALERT_RETRY = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15),
               timedelta(hours=1))  # then hourly, until delivered
START_GRACE = timedelta(minutes=1)  # let the platform connect before the first retry
TICK = timedelta(minutes=1)  # how often the upkeep job looks for what is due
MAX_MODERATOR_DMS = 25
LIST_LIMIT = 25

NO_ITEM = "There is no item {} in this group's queue. `/mod queue` lists what is waiting."
KIND_LABELS = {"crisis": "crisis request", "appeal": "appeal", "escalation": "escalation",
               "alert": "alert", "hold": "held message"}


def retry_after(attempts: int) -> timedelta:
    """The pause before the next try of an alert that failed `attempts` times."""
    return ALERT_RETRY[min(max(attempts, 1), len(ALERT_RETRY)) - 1]


def _why(exc: Exception) -> str:
    """Why the moderator log failed, in words fit for a moderator (no platform internals)."""
    if isinstance(exc, GroupbotError):
        return str(exc)
    return f"the platform returned an error ({type(exc).__name__})"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _span(delta: timedelta) -> str:
    """'1 minute', '35 minutes', '3 hours', '2 days'."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"


def _ago(delta: timedelta) -> str:
    return "just now" if delta < timedelta(minutes=1) else f"{_span(delta)} ago"


def _closing(item: QueueItem) -> str:
    """The command(s) that close an item."""
    if item.kind == "hold":
        return (f"`/mod queue restore {item.number}` or "
                f"`/mod queue confirm {item.number} [note]`")
    return f"`/mod queue resolve {item.number} [note]`"


def _summary(reply: Reply) -> str:
    """An alert's first line, as the `why` of the queue item it opens."""
    first = (reply.text.strip().splitlines() or [""])[0]
    head = f"{reply.title}: " if reply.title else ""
    return _clip(head + first, 240)


class ModeratorQueue:
    """The queue's commands, the one outlet for moderator alerts, and the upkeep job that
    re-announces crisis requests and retries kept alerts."""

    def __init__(self, services: Services, cases: CaseRepo,
                 reannounce_after: timedelta | None = None) -> None:
        self.services = services
        self.cases = cases
        self.repo = services.store.queue
        minutes = services.config.moderation.reannounce_minutes
        self.reannounce_after = reannounce_after or timedelta(minutes=minutes)
        self._started_at: datetime | None = None
        # one delivery of kept alerts at a time (the timer and /mod setup modlog), so none
        # is posted twice
        self._delivering = asyncio.Lock()
        # the texts of held messages by item number, for the list (set by the hold desk)
        self.held_texts: Callable[[str, Sequence[int]], Awaitable[dict[int, str]]] | None = None
        # where an alert waits when the database cannot keep it either (set by moderation)
        self.outbox: Outbox | None = None

    # -- wiring --------------------------------------------------------------------------
    def register(self, registry: CommandRegistry) -> None:
        mod = Access.MODERATOR
        item = OptionSpec("id", OptionKind.INTEGER, "the item's number (see /mod queue)",
                          min_value=1, missing=NO_ITEM)
        registry.command("mod queue list",
                         "What awaits a moderator, crisis requests first (typing just /mod "
                         "queue works too)",
                         access=mod, private=True, default=True)(self.cmd_list)
        registry.command("mod queue claim",
                         "Take a queue item so the others know; a member who asked is told",
                         item, access=mod, private=True)(self.cmd_claim)
        registry.command("mod queue resolve", "Close a queue item, with an optional note",
                         item,
                         OptionSpec("note", OptionKind.TEXT, "what was done (moderators see it)",
                                    required=False),
                         access=mod, private=True)(self.cmd_resolve)

    async def start(self) -> None:
        self._started_at = self.services.clock.now()
        self.services.upkeep.every(TICK, "moderation queue: re-announce and retry", self.tick)

    def _owns(self, group_id: str) -> bool:
        """Whether this process serves the group (Discord shards split guilds)."""
        return self.services.chat.owns_group(group_id)

    # -- alerts ----------------------------------------------------------------------------
    async def alert(self, group: Group, reply: Reply, *, member_id: str | None = None,
                    item: int | None = None, crisis: bool = False, reason: str | None = None,
                    keep: bool = True, dm: bool = True) -> Delivery:
        """Tell the moderators, in the moderator log. When the log cannot take it: keep it
        (`keep`) in the queue item `item`, or else in a new one (a crisis request if `crisis`,
        joining one already waiting for that member; otherwise an alert), whose why is
        `reason` (by default the alert's first line), to retry it; and send it to the
        moderators by direct message (`dm`). Never raises."""
        try:
            await self.services.chat.alert_moderators(group, reply)
            return Delivery(True, item=item)
        except Exception as exc:
            why = _why(exc)
            log.warning("the moderator log could not take an alert",
                        extra={"group": group.id, "error": why})
        now = self.services.clock.now()
        if keep:
            try:
                if item is None and crisis and member_id is not None:
                    waiting = await self.repo.find_waiting(group.id, kind="crisis",
                                                           member_id=member_id)
                    item = waiting[0].number if waiting else None
                if item is None:
                    opened = await self.repo.open_item(
                        group.id, "crisis" if crisis else "alert", now, member_id=member_id,
                        reason=reason or _summary(reply))
                    item = opened.number
                await self.repo.keep_alert(group.id, item_number=item, member_id=member_id,
                                           title=reply.title, body=reply.text, error=why,
                                           now=now, next_attempt=now + retry_after(1))
            except Exception:
                log.exception("could not keep an undelivered moderator alert",
                              extra={"group": group.id})
                if self.outbox is not None:  # it waits there until the database takes it
                    item = await self.outbox.keep_alert(
                        group, reply, member_id=member_id, item=item, crisis=crisis,
                        reason=reason or _summary(reply), why=why)
        reached = await self._dm_moderators(group, reply, why, item) if dm else 0
        if reached == 0 and dm:
            log.error("no moderator could be reached: the alert waits in the queue",
                      extra={"group": group.id, "item": item})
        return Delivery(False, reached, item, why)

    async def _dm_moderators(self, group: Group, reply: Reply, why: str,
                             item: int | None) -> int:
        """The alert by direct message to each moderator the platform can name."""
        chat = self.services.chat
        try:
            moderators = await chat.moderators(group)
        except Exception:
            log.warning("could not find the group's moderators", extra={"group": group.id},
                        exc_info=True)
            return 0
        where = (f" It is item {item} in `/mod queue`." if item is not None else "")
        note = Reply.private(
            f"{reply.text}\n\n(You're getting this directly because I couldn't post it in the "
            f"moderator log: {why}.{where} Set a log with `/mod setup modlog #channel` and I'll "
            "post there what waited.)", title=reply.title, buttons=reply.buttons)
        reached = 0
        for moderator in [m for m in moderators if not m.is_bot][:MAX_MODERATOR_DMS]:
            try:
                await chat.send_private(group, moderator, note, public_fallback=False)
                reached += 1
            except Exception as exc:
                log.warning("could not alert a moderator by direct message",
                            extra={"group": group.id, "member": moderator.id,
                                   "error": type(exc).__name__})
        return reached

    async def deliver_waiting(self, group: Group) -> tuple[int, int]:
        """Post the alerts that waited for this group's moderator log, oldest first.
        Returns (posted, still waiting)."""
        async with self._delivering:
            pending = await self.repo.pending_alerts(group.id)
            posted = await self._deliver(group, pending, self.services.clock.now())
        return posted, len(pending) - posted

    async def _deliver(self, group: Group, pending: list[PendingAlert], now: datetime) -> int:
        """Try the alerts in order; at the first failure the rest wait for the next try.
        (Under `_delivering`, with `pending` read under it.)"""
        posted = 0
        for n, alert in enumerate(pending):
            waited = (f"(This waited since {alert.created_at:%Y-%m-%d %H:%M} UTC: the moderator "
                      "log could not take it then.)\n")
            try:
                await self.services.chat.alert_moderators(
                    group, Reply.private(waited + alert.body, title=alert.title))
            except Exception as exc:
                why = _why(exc)
                log.warning("a kept moderator alert still cannot be delivered",
                            extra={"group": group.id, "attempts": alert.attempts + 1,
                                   "error": why})
                await self.repo.alert_failed(alert.id, why,
                                             now + retry_after(alert.attempts + 1))
                rest = pending[n + 1:]
                if rest:
                    await self.repo.postpone_alerts([a.id for a in rest],
                                                    now + retry_after(alert.attempts + 1))
                return posted
            await self.repo.alert_delivered(alert.id)
            posted += 1
            await self._settle_alert_item(group, alert.item_number, now)
        return posted

    async def _settle_alert_item(self, group: Group, number: int | None,
                                 now: datetime) -> None:
        """An alert item whose alerts are all in the log now has done its work. Crisis
        requests, appeals and escalations wait for a moderator."""
        if number is None:
            return
        item = await self.repo.get(group.id, number)
        if (item is None or item.kind != "alert" or not item.waiting
                or await self.repo.alerts_for_item(group.id, number)):
            return
        await self.repo.resolve(group.id, number, "bot", now, "posted in the moderator log")

    # -- the upkeep job ---------------------------------------------------------------------
    async def tick(self) -> None:
        """Re-announce the crisis requests and retry the kept alerts that are due."""
        now = self.services.clock.now()
        started = self._started_at or now
        for item in await self.repo.open_crisis():
            if not self._owns(item.group_id) or item.reannounced >= REANNOUNCE_LIMIT:
                continue
            if (item.announced_at or item.created_at) + self.reannounce_after <= now:
                await self._reannounce(item, now)
        if now < started + START_GRACE:
            return  # let the platform connect first
        due: dict[str, PendingAlert] = {}
        for alert in await self.repo.pending_alerts():
            if self._owns(alert.group_id) and alert.next_attempt_at <= now:
                due.setdefault(alert.group_id, alert)
        for group_id, first in due.items():
            group = Group(group_id, first.group_name, first.platform)
            async with self._delivering:
                await self._deliver(group, await self.repo.pending_alerts(group_id), now)

    async def _reannounce(self, item: QueueItem, now: datetime) -> None:
        found = await self.repo.group_of(item.group_id)
        if found is None:
            return
        group = Group(item.group_id, found[0], found[1])
        since = item.created_at
        last = item.reannounced + 1 >= REANNOUNCE_LIMIT
        who = f"<@{item.member_id}>" if item.member_id else "them"
        lines = [
            f"Still waiting after {_span(now - since)}: item {item.number}, {item.reason}. "
            "Nobody has taken it yet.",
            f"If you can, please reach out to {who} privately, and take it with "
            f"`/mod queue claim {item.number}` so the others know.",
        ]
        if last:
            lines.append("I won't announce it again; it stays in /mod queue until someone "
                         "takes it.")
        # already kept in the queue: if the log still can't take it, only the direct messages
        delivery = await self.alert(group, Reply.private("\n".join(lines), title="Support"),
                                    member_id=item.member_id, item=item.number, keep=False)
        await self.repo.mark_reannounced(item.group_id, item.number, now)
        log.info("crisis request announced again", extra={
            "group": item.group_id, "item": item.number, "times": item.reannounced + 1,
            "posted": delivery.posted, "reached": delivery.reached})

    # -- opening items ---------------------------------------------------------------------
    async def open_item(self, group: Group, kind: str, *, member_id: str | None = None,
                        asked_by: str | None = None, case_number: int | None = None,
                        reason: str = "", text: str | None = None) -> QueueItem:
        item = await self.repo.open_item(group.id, kind, self.services.clock.now(),
                                         member_id=member_id, asked_by=asked_by,
                                         case_number=case_number, reason=reason, text=text)
        log.info("queue item opened", extra={"group": group.id, "item": item.number,
                                             "kind": kind, "case": case_number})
        return item

    # -- commands ------------------------------------------------------------------------
    def describe(self, item: QueueItem, now: datetime) -> str:
        label = KIND_LABELS.get(item.kind, item.kind)
        when = (f"{item.created_at:%H:%M} UTC, {_ago(now - item.created_at)}"
                if now - item.created_at < timedelta(hours=20)
                else f"{item.created_at:%Y-%m-%d %H:%M} UTC")
        if item.status == "claimed" and item.claimed_by:
            taken = item.claimed_at or now
            status = f"taken by <@{item.claimed_by}> {_ago(now - taken)}"
        elif item.status == "resolved":
            status = "resolved"
        else:
            status = "nobody has taken it yet"
        words = f': "{_clip(item.text, 160)}"' if item.text else ""
        return f"• Item {item.number} ({label}) {item.reason}{words} · {when} · {status}"

    async def cmd_list(self, ctx: CommandContext) -> Reply:
        items, total = await self.repo.waiting(ctx.group.id, LIST_LIMIT)
        if not items:
            return Reply.private("The queue is empty: nothing is waiting for a moderator.")
        held = [i.number for i in items if i.kind == "hold"]
        if held and self.held_texts is not None:  # (this reply is private to the moderator)
            texts = await self.held_texts(ctx.group.id, held)
            items = [dataclasses.replace(i, text=texts.get(i.number)) if i.kind == "hold"
                     else i for i in items]
        now = self.services.clock.now()
        lines = ["Waiting for a moderator (crisis requests first, then oldest first):"]
        lines += [self.describe(item, now) for item in items]
        if total > len(items):
            lines.append(f"…and {total - len(items)} more.")
        lines.append("Take one with `/mod queue claim <id>`; close it with "
                     "`/mod queue resolve <id> [note]`.")
        if held:
            lines.append("A held message: put it back with `/mod queue restore <id>`, or "
                         "confirm its removal with `/mod queue confirm <id> [note]`.")
        return Reply.private("\n".join(lines), title="Moderator queue")

    async def _get(self, ctx: CommandContext) -> QueueItem:
        number = int(ctx.args["id"])
        item = await self.repo.get(ctx.group.id, number)
        if item is None:
            raise UsageError(NO_ITEM.format(number))
        return item

    @staticmethod
    def _already_resolved(item: QueueItem) -> Reply:
        by = "me" if item.resolved_by == "bot" else f"<@{item.resolved_by}>"
        at = f" at {item.resolved_at:%Y-%m-%d %H:%M} UTC" if item.resolved_at else ""
        return Reply.private(f"Item {item.number} was already resolved by {by}{at}.")

    async def cmd_claim(self, ctx: CommandContext) -> Reply:
        item = await self._get(ctx)
        if not item.waiting:
            return self._already_resolved(item)
        if item.status == "claimed" and item.claimed_by == ctx.invoker.id:
            return Reply.private(f"Item {item.number} is already yours. When you're done: "
                                 f"{_closing(item)}.")
        now = self.services.clock.now()
        found = await self.repo.claim(ctx.group.id, item.number, ctx.invoker.id, now)
        assert found is not None
        before, item = found
        lines = [f"Item {item.number} is yours: {item.reason}."]
        if before.status == "claimed" and before.claimed_by:
            lines.append(f"(<@{before.claimed_by}> had taken it "
                         f"{_ago(now - (before.claimed_at or now))}; it's yours now.)")
        if item.asked_by and before.status == "open":
            told = await self._tell_asker(ctx, item)
            lines.append(f"I've let <@{item.asked_by}> know privately that a moderator has it."
                         if told else
                         f"I couldn't let <@{item.asked_by}> know privately that a moderator "
                         "has it (their direct messages may be closed), so please reach them "
                         "yourself.")
        if item.kind == "crisis":
            who = f"<@{item.member_id}>" if item.member_id else "them"
            lines.append(f"Please send {who} a direct message soon, and be gentle.")
            await self.alert(ctx.group, Reply.private(
                f"<@{ctx.invoker.id}> has taken item {item.number} ({item.reason}).",
                title="Support"), keep=False, dm=False)
        lines.append(f"When you're done: {_closing(item)}.")
        log.info("queue item claimed", extra={"group": ctx.group.id, "item": item.number,
                                              "kind": item.kind, "by": ctx.invoker.id})
        return Reply.private("\n".join(lines))

    async def _tell_asker(self, ctx: CommandContext, item: QueueItem) -> bool:
        """Tell the member who asked, privately and kindly, that a moderator has it. Never
        in public: when their direct messages are closed, the moderator is told instead."""
        assert item.asked_by is not None
        if item.kind == "crisis":
            text = (f"Hi, just letting you know: {ctx.invoker.display_name}, one of the group's "
                    "moderators, has seen that you'd like to talk and will message you "
                    "privately soon. You don't have to carry this alone. If you are in danger "
                    "right now, please call your local emergency number, or see /resources.")
        else:
            case = f" on case {item.case_number}" if item.case_number else ""
            text = (f"Hi, just letting you know: a moderator is now looking at your "
                    f"appeal{case}. Thank you for your patience.")
        try:
            await self.services.chat.send_private(
                ctx.group, Member(item.asked_by, item.asked_by), Reply.private(
                    text, title="A moderator has it"), public_fallback=False)
            return True
        except Exception as exc:
            log.warning("could not tell a member that a moderator took their request",
                        extra={"group": ctx.group.id, "item": item.number,
                               "error": type(exc).__name__})
            return False

    async def cmd_resolve(self, ctx: CommandContext) -> Reply:
        item = await self._get(ctx)
        if not item.waiting:
            return self._already_resolved(item)
        if item.kind == "hold":  # its text is kept until one of these decides it
            raise UsageError(f"Item {item.number} is a held message: put it back with "
                             f"`/mod queue restore {item.number}`, or confirm its removal with "
                             f"`/mod queue confirm {item.number} [note]`.")
        note = str(ctx.arg("note", "")).strip() or None
        now = self.services.clock.now()
        found = await self.repo.resolve(ctx.group.id, item.number, ctx.invoker.id, now, note)
        assert found is not None
        _before, item = found
        closed = ""
        if item.case_number is not None and item.kind in ("escalation", "appeal"):
            others = [i for i in await self.repo.find_waiting(
                ctx.group.id, case_number=item.case_number) if i.kind != "crisis"]
            if not others:
                await self.cases.amend(ctx.group.id, item.case_number, "close",
                                       note or f"resolved from the queue (item {item.number})",
                                       ctx.invoker.id, now)
                closed = f" Case {item.case_number} is closed too."
        log.info("queue item resolved", extra={"group": ctx.group.id, "item": item.number,
                                               "kind": item.kind, "by": ctx.invoker.id})
        noted = " with your note" if note else ""
        return Reply.private(f"Resolved item {item.number}{noted}; it has left the queue."
                             f"{closed}")


__all__ = ["Delivery", "ModeratorQueue", "retry_after"]
