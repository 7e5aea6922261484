"""`/mod timeout` and `/mod untimeout` (and the pardon's "Lift the timeout" button)."""

from __future__ import annotations

from groupbot.core.commands import CommandContext
from groupbot.core.errors import Unsupported, UsageError
from groupbot.core.types import (
    Channel,
    Group,
    Interaction,
    Member,
    Reply,
)
from groupbot.features.manual_actions.base import ManualBase
from groupbot.features.manual_actions.common import (
    LIFT_TIMEOUT,
    PLATFORM_NAMES,
    appeal,
    failure_text,
    human,
    log,
    parse_duration,
    platform_cannot,
    summary,
    text_when,
)
from groupbot.storage.cases import NewCase


class TimeoutCommands(ManualBase):

    # -- /mod timeout --------------------------------------------------------------------
    async def cmd_timeout(self, ctx: CommandContext) -> Reply:
        member: Member = ctx.args["member"]
        try:
            span = parse_duration(str(ctx.args["duration"]), self._max_timeout(), ctx.platform)
        except ValueError as exc:
            raise UsageError(f"<duration>: {exc}. Usage: {ctx.spec.usage()}") from None
        self._refuse_target(member, ctx.invoker, "time out")
        reason = str(ctx.arg("reason", "")).strip()
        group, chat = ctx.group, self.services.chat
        now = self._now()
        until = now + span
        case = await self.cases.open_case(group.id, NewCase(
            member_id=member.id, action="timeout", source="manual",
            created_by=ctx.invoker.id, channel_id=ctx.channel.id, reason=reason, severity=1,
            notes=[f"asked for {human(span)}, until {text_when(until)}"]), now)
        notes: list[str] = []
        done = False
        cannot: str | None = None
        failure = ""
        try:
            await chat.timeout_member(group, member, until,
                                      f"case {case.number}: {reason or 'a moderator decided'}")
            done = True
        except Unsupported:
            cannot = platform_cannot(chat.platform, "time members out")
            notes.append(f"{cannot}: recorded only; the moderator was asked to act there")
        except Exception as exc:
            log.warning("a moderator's timeout failed",
                        extra={"group": group.id, "case": case.number,
                               "error": type(exc).__name__})
            failure = failure_text(exc)
            notes.append(f"timing out the member failed: {failure}")
        why = f"Why: {reason}" if reason else "The moderator gave no reason."
        told = False
        if done:
            told = await self._tell(group, member, Reply.private(
                f"A moderator of {group.name} has paused you from posting for {human(span)}, "
                f"until {text_when(until)} (case {case.number}). {why} Take a breather; you're "
                f"welcome back afterwards. {appeal(case.number)}", title="Timeout"), notes)
        elif cannot:  # nothing stops them posting: what the moderator asked is still theirs
            told = await self._tell(group, member, Reply.private(
                f"A moderator of {group.name} has asked you to take a break from posting for "
                f"{human(span)}, until {text_when(until)} (case {case.number}). {why} "
                f"{appeal(case.number)}", title="Please take a break"), notes)
        if done:
            notes.insert(0, f"timed out until {text_when(until)}")
        await self._note_all(group, case, notes)
        did = "timed out" if done else "asked to time out"
        alert = [f"Case {case.number}: <@{ctx.invoker.id}> {did} <@{member.id}> for "
                 f"{human(span)} (until {text_when(until)}).",
                 f"Reason: {reason or 'none given'}"]
        alert += [f"Note: {n}" for n in notes if not n.startswith("timed out until")]
        await self._alert(group, case, alert, member.id)
        log.info("manual moderation action", extra={
            "group": group.id, "case": case.number, "action": "timeout",
            "moderator": ctx.invoker.id, "done": done})
        if done:
            head = (f"Case {case.number}: <@{member.id}> is timed out for {human(span)}, "
                    f"until {text_when(until)}.")
        elif cannot:
            head = (f"Case {case.number}: {cannot}: the case is recorded, please pause "
                    f"<@{member.id}> in {PLATFORM_NAMES.get(chat.platform, chat.platform)} "
                    "yourself if you need to (a workspace admin can remove them from the "
                    "channel for a while).")
        else:
            return Reply.private(f"Case {case.number}: I could not time out <@{member.id}>: "
                                 f"{failure}. The case is recorded; nothing was sent to them.")
        return Reply.private(summary(head, member, told, "what happened, why and how to "
                                                          "appeal"))

    # -- /mod untimeout ------------------------------------------------------------------
    async def cmd_untimeout(self, ctx: CommandContext) -> Reply:
        member: Member = ctx.args["member"]
        if member.is_bot:
            raise UsageError("Bots are never timed out, so there is nothing to lift.")
        return await self._untimeout(ctx.group, ctx.channel, ctx.invoker, member)

    async def btn_lift(self, interaction: Interaction) -> Reply:
        """"Lift the timeout", offered after a pardon: moderators only."""
        if not interaction.member.is_moderator:
            return Reply.private("That button is for moderators.")
        member_id = interaction.custom_id.removeprefix(LIFT_TIMEOUT)
        if not member_id:
            return Reply.private("That button is no longer in use.")
        return await self._untimeout(interaction.group, interaction.channel, interaction.member,
                                     Member(member_id, member_id))

    async def _untimeout(self, group: Group, channel: Channel, invoker: Member,
                         member: Member) -> Reply:
        chat = self.services.chat
        now = self._now()
        try:
            until = await chat.timed_out_until(group, member)
            known = True
        except Unsupported:
            until, known = None, False
        if known and until is None:
            return Reply.private(f"<@{member.id}> isn't timed out, so there is nothing to lift. "
                                 "Nothing was recorded.")
        earlier = await self._latest_timeout_case(group, member.id)
        reason = (f"lifted the timeout of case {earlier.number}" if earlier is not None
                  else "lifted a timeout")
        case = await self.cases.open_case(group.id, NewCase(
            member_id=member.id, action="untimeout", source="manual", created_by=invoker.id,
            channel_id=channel.id, reason=reason), now)
        notes: list[str] = []
        done = False
        cannot: str | None = None
        failure = ""
        try:
            await chat.remove_timeout(group, member, f"case {case.number}: a moderator lifted it")
            done = True
        except Unsupported:
            cannot = platform_cannot(chat.platform, "time members out")
            notes.append(f"{cannot}, so there was no timeout of mine to lift: recorded only")
        except Exception as exc:
            log.warning("lifting a timeout failed", extra={"group": group.id,
                                                           "case": case.number,
                                                           "error": type(exc).__name__})
            failure = failure_text(exc)
            notes.append(f"lifting the timeout failed: {failure}")
        if earlier is not None and (done or cannot):
            await self.cases.amend(group.id, earlier.number, "note",
                                   f"timeout lifted by a moderator (case {case.number})"
                                   + ("" if done else "; recorded only, as "
                                      f"{platform_cannot(chat.platform, 'time members out')}"),
                                   invoker.id, now)
        told = False
        if done or cannot:
            told = await self._tell(group, member, Reply.private(
                f"A moderator of {group.name} has lifted your timeout (case {case.number}): "
                "you're welcome to post again.", title="Welcome back"), notes)
        await self._note_all(group, case, notes)
        did = "lifted" if done or cannot else "asked to lift"
        await self._alert(group, case, [
            f"Case {case.number}: <@{invoker.id}> {did} <@{member.id}>'s timeout"
            + (f" (case {earlier.number})." if earlier is not None else "."),
            *(f"Note: {n}" for n in notes)], member.id)
        log.info("manual moderation action", extra={
            "group": group.id, "case": case.number, "action": "untimeout",
            "moderator": invoker.id, "done": done})
        where = PLATFORM_NAMES.get(chat.platform, chat.platform)
        if done:
            head = f"Case {case.number}: lifted <@{member.id}>'s timeout."
        elif cannot:
            head = (f"Case {case.number}: {cannot}, so there is no timeout of mine to lift: "
                    f"the case is recorded. If you restricted <@{member.id}> in {where} "
                    f"yourself, please lift that in {where}.")
        else:
            return Reply.private(f"Case {case.number}: I could not lift <@{member.id}>'s "
                                 f"timeout: {failure}. The case is recorded.")
        return Reply.private(summary(head, member, told, "that they can post again"))
