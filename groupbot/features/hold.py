"""Held for review: the policy action `hold`, and the moderators' restore and confirm.

Part of the moderation feature (`ModerationFeature.holds`). When the policy holds a message:

- it is removed at once where the platform can (the console, Discord). Where it cannot (a
  Slack bot may not delete a member's message) it stays up, and the moderators' alert says so;
- the author is told privately that a moderator will look, gets their own copy of the text
  (privately, and only when it was removed: never quoted in public) and how to appeal;
- a case is opened (its text kept only as the group's text retention allows, like any case)
  and a queue item of kind `hold`, with who, when and why (the rules and the reason: never the
  text) in the moderator log, and a pointer to the case. No strike yet.

The member's text is kept beside the item (`groupbot.storage.holds`) because no platform can
undelete: restoring means reposting it. It is erased as soon as a moderator decides, and when
the member runs /mydata delete. Meanwhile a moderator sees it in `/mod queue` (a private reply).

A moderator decides with `/mod queue restore <id>` (reposted in its channel with attribution,
"Restored by the moderators: a message from @member, held at 14:02: ..."; no strike; the
author is told) or `/mod queue confirm <id> [note]` (the removal stands: the strike the policy
gives counts now, the author is told). A confirmed strike that reaches a threshold is reported
to the moderator with the `/mod timeout` it would have run, and the moderator decides: the bot
does not pause anyone by itself, perhaps hours after the message, on a moderator's behalf.

A message showing distress or crisis is never held (care comes first: the engine escalates it
or answers with support instead, and the feature's guard does the same).
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from groupbot.core.commands import Access, CommandContext, CommandRegistry, OptionKind, OptionSpec
from groupbot.core.errors import GroupbotError, Unsupported, UsageError
from groupbot.core.text import split_text
from groupbot.core.types import Channel, Group, Member, Message, Reply
from groupbot.features.base import Services
from groupbot.features.queue import KIND_LABELS, NO_ITEM
from groupbot.moderation.verdict import Action, Verdict
from groupbot.storage.cases import NewCase
from groupbot.storage.holds import Hold
from groupbot.storage.outbox import OWN, case_op
from groupbot.storage.queue import QueueItem

if TYPE_CHECKING:
    from groupbot.features.moderation import ModerationFeature

log = logging.getLogger(__name__)

TITLE = "Held for review"
PRIVATE_CHUNK = 1800  # characters per private message when returning a member's own text
# Slack's broadcast tokens: a repost must not notify a whole channel (Discord's adapter already
# posts with no mentions allowed)
_BROADCAST = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")


def what_happens(confirmed_strike: float, can_remove: bool) -> str:
    """In plain words, what a hold does (for `/mod policy test`)."""
    if can_remove:
        now = "the message is removed at once and its author gets a private copy"
    else:
        now = ("the message stays up (this platform can't remove members' messages) and its "
               "author is told privately that a moderator will look")
    strike = (f"a strike of {confirmed_strike:g} only if a moderator confirms the removal"
              if confirmed_strike > 0 else "no strike")
    return (f"held for a moderator's review: {now}; a case and a queue item, where a moderator "
            f"restores it (reposted with a note) or confirms the removal; {strike}")


class HoldDesk:
    """Holding messages, and the two ways a moderator settles a hold."""

    def __init__(self, services: Services, moderation: ModerationFeature) -> None:
        self.services = services
        self.moderation = moderation
        self.repo = services.store.holds
        moderation.queue.held_texts = self.repo.texts  # shown to moderators in /mod queue
        # one decision per item at a time (two moderators pressing at once)
        self._locks: weakref.WeakValueDictionary[tuple[str, int], asyncio.Lock] = (
            weakref.WeakValueDictionary())

    def register(self, registry: CommandRegistry) -> None:
        mod = Access.MODERATOR
        item = OptionSpec("id", OptionKind.INTEGER, "the held message's item (see /mod queue)",
                          min_value=1, missing=NO_ITEM)
        registry.command("mod queue restore",
                         "Put a held message back: reposted in its channel, saying the "
                         "moderators restored it", item, access=mod, private=True
                         )(self.cmd_restore)
        registry.command("mod queue confirm",
                         "Confirm a held message's removal: its strike counts now, and the "
                         "author is told", item,
                         OptionSpec("note", OptionKind.TEXT, "why (moderators see it)",
                                    required=False),
                         access=mod, private=True)(self.cmd_confirm)

    # -- holding -----------------------------------------------------------------------------
    async def hold(self, message: Message, verdict: Verdict, source: str) -> None:
        """Hold a member's message for review (under the member's moderation lock).

        The platform acts first: the message is removed before anything is written. The
        case, its queue item and the held text are one outbox entry
        (`groupbot.features.outbox`): when the database cannot take it at once, the author
        and the moderators are told without the numbers, and the hold is written, and can be
        restored or confirmed, as soon as storage works again. The strikes shown to the
        moderators are read after acting; when they cannot be read, the alert says so."""
        group, member, channel = message.group, message.author, message.channel
        mod = self.moderation
        now = self.services.clock.now()
        # what a confirmed removal counts: the policy's strike for it, as for a removal
        weight = mod.strike_weight(verdict._replace(action=Action.REMOVE), group.id, channel)
        refused = await self._remove(message)
        removed = refused is None
        notes: list[str] = [refused] if refused is not None else []  # for the case, and mods
        why = _clip(verdict.reason or ", ".join(verdict.rules), 120)
        recorded = await mod.outbox.record(group, [
            case_op(NewCase(
                member_id=member.id, action=Action.HOLD.value, source=source,
                channel_id=channel.id, message_id=message.id, categories=verdict.categories,
                rules=verdict.rules, reason=verdict.reason, severity=verdict.severity,
                needs_review=True, text=message.text, notes=list(notes))),
            {"op": "item", "kind": "hold", "member": member.id, "case": OWN,
             "reason": f"Case {{case}} (hold) <@{member.id}> in #{channel.name}: {why}"},
            {"op": "hold", "case": OWN, "item": OWN, "member": member.id,
             "channel_id": channel.id, "channel_name": channel.name,
             "message_id": message.id, "removed": removed, "strike_weight": weight,
             "text": message.text}], now)
        case, item = recorded.case, recorded.item
        guideline = mod.guideline(verdict, group.id, channel)
        told: list[str] = []
        await self._tell_author(group, member, channel, case, guideline, removed,
                                message.text, told)
        if told:
            await mod.outbox.record(group, [
                {"op": "note", "case": recorded.case_ref(), "kind": "note", "body": note,
                 "by": "bot"} for note in told], now)
        notes += told
        link = None if removed else await self._link(group, channel, message.id)
        total = (await mod.outbox.member_state(group.id, member.id, now,
                                               mod.strikes.half_life_days)).strikes
        head = f"Case {case}" if case is not None else "A new case"
        lines = [
            f"{head}: hold for <@{member.id}> in #{channel.name} "
            f"({', '.join(verdict.categories) or 'no category'}; rules: "
            f"{', '.join(verdict.rules) or 'none'}).",
            f"Reason: {verdict.reason or 'none given'}",
        ]
        if link:
            lines.append(f"The message: {link}")
        if removed:
            lines.append("I removed the message and sent the author a private copy; it stays "
                         "off the channel until a moderator decides.")
        else:
            lines.append(f"I could not remove it ({refused}), so the message is still up: "
                         "remove it in the platform if it should go. I told the author "
                         "privately that a moderator will look.")
        confirm = (f"confirming the removal counts a strike of {weight:g}" if weight > 0
                   else "confirming the removal counts none (the policy gives none)")
        now_at = (f"Effective strikes now: {total:.1f}." if total is not None else
                  "Effective strikes now: unknown (my storage could not be read).")
        lines.append(f"No strike yet: {confirm}. {now_at}")
        lines.extend(f"Note: {n}" for n in notes if n != refused)
        if item is not None and case is not None:
            lines.append(f"It is item {item} in the queue: put it back with "
                         f"`/mod queue restore {item}`, or confirm the removal with "
                         f"`/mod queue confirm {item} [note]`. See `/mod case {case}`.")
        else:
            lines.append("My storage is failing, so this hold has no case or queue item yet: "
                         "both are written as soon as storage works again, and then it can be "
                         "restored or confirmed from `/mod queue`.")
        await mod.queue.alert(group, Reply.private("\n".join(lines), title=TITLE),
                              member_id=member.id, item=item)
        log.info("message held for review", extra={
            "group": group.id, "case": case, "item": item, "removed": removed,
            "rules": ",".join(verdict.rules), "recorded": recorded.written})

    async def _remove(self, message: Message) -> str | None:
        """Remove the message; None when done, else why not (for the case and the alert)."""
        group, channel = message.group, message.channel
        try:
            await self.services.chat.delete_message(group, channel, message.id)
            return None
        except Unsupported as exc:
            log.warning("cannot remove a held message on this platform",
                        extra={"group": group.id, "error": str(exc)})
            return f"could not remove the message: {exc}"
        except Exception as exc:
            log.exception("removing a held message failed", extra={"group": group.id})
            return f"removing the message failed: {type(exc).__name__}"

    async def _tell_author(self, group: Group, member: Member, channel: Channel,
                           case_number: int | None, guideline: str, removed: bool, text: str,
                           notes: list[str]) -> None:
        if case_number is not None:
            appeal = (f"If you'd like the moderators to know something while they look, use "
                      f"`/appeal {case_number} <what you'd like them to know>`.")
            case = f"case {case_number}"
        else:
            appeal = ("(My records are catching up, so I have no case number to give you "
                      "yet.)")
            case = "a case for the moderators"
        if removed:
            replies = [Reply.private(
                f"I've held your message in #{channel.name} for one of the group's moderators "
                f"to look at ({case}). It's off the channel for now: a moderator "
                "will either put it back or confirm that it stays removed, and I'll let you "
                f"know which. This group's guideline: {guideline} Here is your own copy of "
                f"what you wrote, so nothing of yours is lost. {appeal}", title=TITLE)]
            replies += [Reply.private(chunk) for chunk in _chunks(text)]
        else:
            replies = [Reply.private(
                f"One of the group's moderators will look at your message in #{channel.name} "
                f"({case}): it may go against this group's guideline: {guideline} "
                "I can't remove messages here, so it is still up; you may want to edit or "
                f"delete it yourself meanwhile. {appeal}", title=TITLE)]
        for reply in replies:
            if not await self._tell(group, member.id, reply, notes):
                break

    async def _tell(self, group: Group, member_id: str, reply: Reply,
                    notes: list[str] | None = None) -> bool:
        """Say something privately to a member; False (and a note) when it failed."""
        try:
            await self.services.chat.send_private(group, Member(member_id, member_id), reply)
            return True
        except Exception as exc:
            log.warning("private message about a held message failed",
                        extra={"group": group.id, "error": type(exc).__name__})
            if notes is not None:
                notes.append(f"could not message the member privately: {exc}")
            return False

    async def _link(self, group: Group, channel: Channel, message_id: str) -> str | None:
        try:
            return await self.services.chat.message_link(group, channel, message_id)
        except Exception:
            log.warning("could not get a link to a held message", extra={"group": group.id},
                        exc_info=True)
            return None

    # -- settling ----------------------------------------------------------------------------
    def _lock(self, group_id: str, number: int) -> asyncio.Lock:
        key = (group_id, number)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def _held(self, ctx: CommandContext) -> tuple[QueueItem, Hold] | Reply:
        """The waiting hold a command names, or the reply saying why there is none."""
        number = int(ctx.args["id"])
        queue = self.moderation.queue
        item = await queue.repo.get(ctx.group.id, number)
        if item is None:
            raise UsageError(NO_ITEM.format(number))
        if item.kind != "hold":
            label = KIND_LABELS.get(item.kind, item.kind)
            article = "an" if label[:1] in "aeiou" else "a"
            raise UsageError(f"Item {number} is {article} {label}, not a held message: close it "
                             f"with `/mod queue resolve {number} [note]`.")
        hold = await self.repo.get(ctx.group.id, number)
        if hold is not None and not hold.waiting:
            by = "me" if hold.resolved_by == "bot" else f"<@{hold.resolved_by}>"
            at = f" at {hold.resolved_at:%Y-%m-%d %H:%M} UTC" if hold.resolved_at else ""
            done = "restored" if hold.outcome == "restored" else "confirmed its removal"
            return Reply.private(f"Item {number} was already settled: {by} {done}{at}.")
        if not item.waiting:
            return queue._already_resolved(item)
        if hold is None:  # the bot stopped between opening the item and recording the hold
            await queue.repo.resolve(ctx.group.id, number, ctx.invoker.id,
                                     self.services.clock.now(), "no held message on record")
            return Reply.private(f"I have no record of the message held for item {number} (I "
                                 "was interrupted while holding it), so there is nothing to "
                                 f"restore or confirm. I've closed the item; see `/mod case "
                                 f"{item.case_number}`.")
        return item, hold

    async def cmd_restore(self, ctx: CommandContext) -> Reply:
        async with self._lock(ctx.group.id, int(ctx.args["id"])):
            found = await self._held(ctx)
            if isinstance(found, Reply):
                return found
            return await self._restore(ctx, *found)

    async def _restore(self, ctx: CommandContext, item: QueueItem, hold: Hold) -> Reply:
        group, now = ctx.group, self.services.clock.now()
        who = f"<@{hold.member_id}>"
        where = f"#{hold.channel_name}"
        posted_id: str | None = None
        if not hold.removed:
            done = f"The message was never removed (the platform can't), so it is still up in " \
                   f"{where}: nothing to repost."
            tell = (f"A moderator looked at your message in {where} (case {hold.case_number}) "
                    "and found it fine: it stays up, and no strike was counted.")
        elif hold.text is None:
            done = (f"{who} asked me to erase their data, so I no longer have the text to "
                    "repost; nothing was posted.")
            tell = (f"A moderator looked at your message in {where} that I held (case "
                    f"{hold.case_number}) and found it fine, so no strike was counted. You "
                    "asked me to erase your data, so I couldn't put it back myself: you're "
                    "welcome to post it again.")
        else:
            when = await self._when(group, hold.held_at)
            channel = Channel(hold.channel_id, hold.channel_name, group.id)
            try:
                posted = await self.services.chat.post(group, channel, Reply.public(
                    f"Restored by the moderators: a message from {who}, held at {when}:\n"
                    + _BROADCAST.sub(r"@\1", hold.text)))
            except Exception as exc:
                log.warning("could not repost a restored message",
                            extra={"group": group.id, "item": item.number,
                                   "error": type(exc).__name__})
                return Reply.private(
                    f"I couldn't repost the message in {where} ({_why(exc)}), so nothing "
                    f"changed: item {item.number} is still waiting. Try again, or confirm the "
                    f"removal with `/mod queue confirm {item.number} [note]`.")
            posted_id = posted.id
            done = f"I reposted {who}'s message in {where}, saying the moderators restored it."
            tell = (f"Good news: a moderator looked at your message in {where} that I held "
                    f"(case {hold.case_number}) and put it back. I've reposted it there, with "
                    "a note that the moderators restored it. No strike was counted.")
        await self.repo.settle(group.id, item.number, "restored", ctx.invoker.id, now,
                               posted_id)
        await self.moderation.queue.repo.resolve(group.id, item.number, ctx.invoker.id, now,
                                                 "restored")
        await self.moderation.cases.amend(
            group.id, hold.case_number, "close",
            f"restored by a moderator (item {item.number}): "
            + ("reposted with attribution" if posted_id else "nothing reposted")
            + "; no strike", ctx.invoker.id, now)
        told = await self._tell(group, hold.member_id, Reply.private(tell, title=TITLE))
        log.info("held message restored", extra={"group": group.id, "item": item.number,
                                                  "case": hold.case_number,
                                                  "by": ctx.invoker.id,
                                                  "reposted": posted_id is not None})
        return Reply.private("\n".join([
            f"Restored item {item.number}. {done}",
            f"Case {hold.case_number} is closed; no strike was counted.",
            f"I've told {who} privately." if told else
            f"I couldn't tell {who} privately (their direct messages may be closed).",
        ]))

    async def cmd_confirm(self, ctx: CommandContext) -> Reply:
        async with self._lock(ctx.group.id, int(ctx.args["id"])):
            found = await self._held(ctx)
            if isinstance(found, Reply):
                return found
            return await self._confirm(ctx, *found)

    async def _confirm(self, ctx: CommandContext, item: QueueItem, hold: Hold) -> Reply:
        group, now = ctx.group, self.services.clock.now()
        mod = self.moderation
        note = str(ctx.arg("note", "")).strip() or None
        who = f"<@{hold.member_id}>"
        where = f"#{hold.channel_name}"
        weight = hold.strike_weight
        strikes = mod.strikes
        # one member's strikes are read and written by one action at a time
        async with mod.member_lock(group.id, hold.member_id):
            if weight > 0:
                await mod.cases.add_strike(group.id, hold.member_id, hold.case_number, weight,
                                           now)
            total = await mod.cases.effective_strikes(group.id, hold.member_id, now,
                                                      strikes.half_life_days)
        await self.repo.settle(group.id, item.number, "confirmed", ctx.invoker.id, now)
        await mod.queue.repo.resolve(group.id, item.number, ctx.invoker.id, now,
                                     note or "removal confirmed")
        counted = f"a strike of {weight:g} counted" if weight > 0 else "no strike (the policy " \
                                                                        "gives none)"
        await mod.cases.amend(group.id, hold.case_number, "close",
                              f"removal confirmed by a moderator (item {item.number}); {counted}"
                              + (f": {note}" if note else ""), ctx.invoker.id, now)
        case = await mod.cases.get(group.id, hold.case_number)
        channel = Channel(hold.channel_id, hold.channel_name, group.id)
        guideline = mod.guideline(Verdict(Action.HOLD, case.categories if case else ()),
                                  group.id, channel)
        strike = (f"It counts as a strike of {weight:g} (strikes fade: they halve every "
                  f"{strikes.half_life_days:g} days)." if weight > 0 else
                  "No strike was counted.")
        stays = ("confirmed that it stays removed" if hold.removed else
                 "confirmed that it goes against the guidelines. I can't remove messages "
                 "here, so please delete it yourself if it's still up")
        told = await self._tell(group, hold.member_id, Reply.private(
            f"A moderator looked at your message in {where} that I held (case "
            f"{hold.case_number}) and {stays}. This group's guideline: {guideline} {strike} "
            f"If you think this was a mistake, you can still ask them to look again with "
            f"`/appeal {hold.case_number} <what you'd like them to know>`.", title=TITLE))
        lines = [f"Confirmed the removal for item {item.number}; case {hold.case_number} is "
                 "closed and the held text erased."]
        if not hold.removed:
            link = await self._link(group, channel, hold.message_id)
            lines.append("The message is still up (the platform can't remove it): please "
                         "remove it there" + (f": {link}" if link else "."))
        lines.append(f"{who}: {counted}; {total:.1f} effective strikes now.")
        step = strikes.reached(total, Action.TIMEOUT) if weight > 0 else None
        if step is not None:
            minutes = (step.minutes if step.minutes > 0 else
                       int(strikes.default_timeout.total_seconds() // 60))
            lines.append(f"That reaches the timeout threshold ({step.points:g}). I haven't "
                         "paused them: for a confirmed hold that is yours to decide, e.g. "
                         f"`/mod timeout {who} {_duration(minutes)}`.")
        review = strikes.reached(total, Action.ESCALATE) if weight > 0 else None
        if review is not None:
            lines.append(f"That reaches the review threshold ({review.points:g}): worth a look "
                         f"at `/mod cases {who}`.")
        lines.append(f"I've told {who} privately." if told else
                     f"I couldn't tell {who} privately (their direct messages may be closed).")
        log.info("held message's removal confirmed", extra={
            "group": group.id, "item": item.number, "case": hold.case_number,
            "by": ctx.invoker.id, "strike": weight})
        return Reply.private("\n".join(lines))

    async def _when(self, group: Group, at: datetime) -> str:
        """'14:02 UTC' in the group's time zone (with the date when not today)."""
        settings = await self.services.settings(group)
        try:
            zone = ZoneInfo(settings.timezone)
        except (ValueError, KeyError):
            zone = ZoneInfo("UTC")
        local = at.astimezone(zone)
        today = self.services.clock.now().astimezone(zone).date()
        stamp = f"{local:%H:%M} {local.tzname() or ''}".strip()
        return stamp if local.date() == today else f"{local:%Y-%m-%d} {stamp}"


def _duration(minutes: int) -> str:
    """Minutes as `/mod timeout` reads them, most simply: '1h', '1d', '90m'."""
    for size, unit in ((1440, "d"), (60, "h")):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def _chunks(text: str, size: int = PRIVATE_CHUNK) -> list[str]:
    """A member's own text for private messages, split without losing a character."""
    if not text:
        return ["(your message was empty)"]
    return split_text(text, size)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _why(exc: Exception) -> str:
    return str(exc) if isinstance(exc, GroupbotError) else \
        f"the platform returned an error ({type(exc).__name__})"


__all__ = ["TITLE", "HoldDesk", "what_happens"]
