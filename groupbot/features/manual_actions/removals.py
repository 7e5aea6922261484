"""`/mod remove`: a member's message removed by a moderator, its author given a private copy."""

from __future__ import annotations

from groupbot.core.commands import CommandContext
from groupbot.core.errors import Unsupported, UsageError
from groupbot.core.text import split_text
from groupbot.core.types import (
    Channel,
    Member,
    Message,
    Reply,
)
from groupbot.features.manual_actions.base import ManualBase
from groupbot.features.manual_actions.common import (
    PLATFORM_NAMES,
    PRIVATE_CHUNK,
    appeal,
    failure_text,
    log,
    parse_message_ref,
    platform_cannot,
    summary,
)
from groupbot.storage.cases import NewCase


class RemoveCommands(ManualBase):

    # -- /mod remove ---------------------------------------------------------------------
    async def cmd_remove(self, ctx: CommandContext) -> Reply:
        group, chat = ctx.group, self.services.chat
        try:
            ref = parse_message_ref(str(ctx.args["message"]), chat.platform)
        except ValueError as exc:
            raise UsageError(f"<message>: {exc}. Usage: {ctx.spec.usage()}") from None
        if ref.platform is not None and ref.platform != chat.platform:
            here = PLATFORM_NAMES.get(chat.platform, chat.platform)
            raise UsageError(f"That is a link to a {PLATFORM_NAMES[ref.platform]} message, and "
                             f"this group is on {here}.")
        if ref.guild_id is not None and ref.guild_id != group.id:
            raise UsageError("That link is to a message in another server.")
        channel = (Channel(ref.channel_id, ref.channel_id, group.id)
                   if ref.channel_id else ctx.channel)
        author: Member | None = None
        try:
            message = await chat.fetch_message(group, channel, ref.message_id)
        except Unsupported:
            message = None
            known = False
        else:
            known = True
            if message is None:
                where = "" if ref.channel_id else f" in #{ctx.channel.name}"
                raise UsageError(f"I can't find that message{where}: it may have been deleted "
                                 "already, or the link or id is wrong. Nothing was recorded.")
            author = message.author
            channel = message.channel
            if author.is_bot:
                raise UsageError("That message is mine (or another bot's): I won't remove it "
                                 "as a moderation case.")
            if author.id == ctx.invoker.id:
                raise UsageError("That message is yours: delete it yourself, no case needed.")
            if author.is_moderator:
                raise UsageError(f"That message is by <@{author.id}>, a moderator: I won't "
                                 "remove a moderator's message. Please talk it over with the "
                                 "other moderators.")
        reason = str(ctx.arg("reason", "")).strip()
        return await self._remove(ctx, channel, ref.message_id, message, author, known, reason)

    async def _remove(self, ctx: CommandContext, channel: Channel, message_id: str,
                      message: Message | None, author: Member | None, known: bool,
                      reason: str) -> Reply:
        group, chat = ctx.group, self.services.chat
        now = self._now()
        member_id = author.id if author is not None else "unknown"
        case = await self.cases.open_case(group.id, NewCase(
            member_id=member_id, action="remove", source="manual", created_by=ctx.invoker.id,
            channel_id=channel.id, message_id=message_id, reason=reason, severity=1,
            text=message.text if message is not None else None), now)
        notes: list[str] = []
        if not known:
            notes.append(f"{PLATFORM_NAMES.get(chat.platform, chat.platform)} could not say "
                         "who wrote the message")
        removed = False
        cannot: str | None = None
        link: str | None = None
        failure = ""
        try:
            await chat.delete_message(group, channel, message_id)
            removed = True
        except Unsupported:
            cannot = platform_cannot(chat.platform, "delete members' messages")
            notes.append(f"{cannot}: recorded only; the moderator was asked to delete it there")
            link = await self._link(group, channel, message_id)
        except Exception as exc:
            log.warning("a moderator's removal failed",
                        extra={"group": group.id, "case": case.number,
                               "error": type(exc).__name__})
            failure = failure_text(exc)
            notes.append(f"removing the message failed: {failure}")
        told = False
        why = f"Why: {reason}" if reason else "The moderator gave no reason."
        if author is not None and (removed or cannot):
            if removed:
                replies = [Reply.private(
                    f"A moderator of {group.name} removed your message in #{channel.name} "
                    f"(case {case.number}). {why} Here is a copy of what you wrote, so nothing "
                    f"of yours is lost. {appeal(case.number)}", title="Message removed")]
                text = message.text if message is not None else ""
                replies += [Reply.private(chunk) for chunk in split_text(text, PRIVATE_CHUNK)
                            if text]
            else:
                replies = [Reply.private(
                    f"A moderator of {group.name} asked me to let you know that your message in "
                    f"#{channel.name} goes against this group's guidelines (case {case.number}). "
                    f"{why} I can't remove messages here; please edit or delete it yourself. "
                    f"{appeal(case.number)}", title="About your message")]
            for reply in replies:
                told = await self._tell(group, author, reply, notes)
                if not told:
                    break
        if removed:
            notes.insert(0, "the message was removed")
        await self._note_all(group, case, notes)
        who = f"<@{author.id}>" if author is not None else "an author I could not tell"
        alert = [f"Case {case.number}: <@{ctx.invoker.id}> removed a message by {who} in "
                 f"#{channel.name}." if removed else
                 f"Case {case.number}: <@{ctx.invoker.id}> asked to remove a message by {who} "
                 f"in #{channel.name}.", f"Reason: {reason or 'none given'}"]
        if link:
            alert.insert(1, f"The message: {link}")
        alert += [f"Note: {n}" for n in notes if n != "the message was removed"]
        await self._alert(group, case, alert, member_id)
        log.info("manual moderation action", extra={
            "group": group.id, "case": case.number, "action": "remove",
            "moderator": ctx.invoker.id, "done": removed})
        if removed:
            head = f"Case {case.number}: removed the message by {who} in #{channel.name}."
        elif cannot:
            where = PLATFORM_NAMES.get(chat.platform, chat.platform)
            head = (f"Case {case.number}: {cannot}: the case is recorded, please delete the "
                    f"message in {where} yourself" + (f": {link}" if link else "."))
        else:
            return Reply.private(f"Case {case.number}: I could not remove the message: "
                                 f"{failure}. The case is recorded; nothing was sent to its "
                                 "author.")
        if author is None:
            return Reply.private(f"{head}\nI could not tell who wrote it, so nobody was told. "
                                 "It is in the moderator log.")
        return Reply.private(summary(head, author, told,
                                      "what happened, why and how to appeal" if removed else
                                      "why, and asked them to edit or delete it"))
