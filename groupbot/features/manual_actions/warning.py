"""`/mod warn`: a strike by hand, asking first when it would cross a strike threshold."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from groupbot.core.commands import CommandContext
from groupbot.core.errors import Unsupported, UsageError
from groupbot.core.types import (
    Button,
    ButtonStyle,
    Channel,
    Group,
    Interaction,
    Member,
    Reply,
)
from groupbot.features.manual_actions.base import ManualBase
from groupbot.features.manual_actions.common import (
    CONFIRM_FOR,
    CONFIRM_WARN,
    MAX_PENDING,
    PendingWarn,
    clip,
    human,
    log,
    text_when,
)
from groupbot.moderation.verdict import Action
from groupbot.storage.cases import NewCase


class WarnCommands(ManualBase):

    # -- /mod warn -----------------------------------------------------------------------
    async def cmd_warn(self, ctx: CommandContext) -> Reply:
        member: Member = ctx.args["member"]
        reason = str(ctx.args["reason"]).strip()
        if not reason:
            raise UsageError(f"Give a reason. Usage: {ctx.spec.usage()}")
        if member.is_bot:
            raise UsageError("Bots can't be warned.")
        async with self.moderation.member_lock(ctx.group.id, member.id):
            if ctx.arg("confirm") != "yes":
                ahead = await self._crossing(ctx.group, member)
                if ahead is not None:
                    return self._ask_first(ctx, member, reason, ahead)
            return await self._warn(ctx.group, ctx.channel, ctx.invoker, member, reason)

    async def _crossing(self, group: Group, member: Member) -> str | None:
        """What the warning's strike would set off, in words; None when nothing."""
        strikes = self.moderation.strikes
        before = await self.cases.effective_strikes(group.id, member.id, self._now(),
                                                    strikes.half_life_days)
        total = before + strikes.warn_weight
        effects = []
        step = strikes.reached(total, Action.TIMEOUT)
        if step is not None:
            effects.append(f"the timeout threshold at {step.points:g}: it will time them out "
                           f"for {human(self._step_length(step.minutes))}")
        review = strikes.reached(total, Action.ESCALATE)
        if review is not None:
            effects.append(f"the review threshold at {review.points:g}: the case will wait in "
                           "`/mod queue` for a moderator to review")
        if not effects:
            return None
        return (f"This warning would bring @{member.display_name} to {total:.1f} effective "
                f"strikes, reaching " + "; and ".join(effects) + ".")

    def _step_length(self, minutes: int) -> timedelta:
        return (timedelta(minutes=minutes) if minutes > 0
                else self.moderation.strikes.default_timeout)

    def _ask_first(self, ctx: CommandContext, member: Member, reason: str,
                   ahead: str) -> Reply:
        now = self._now()
        self._pending = {k: p for k, p in self._pending.items() if now - p.at < CONFIRM_FOR}
        while len(self._pending) >= MAX_PENDING:
            self._pending.pop(next(iter(self._pending)))
        token = secrets.token_urlsafe(9)
        self._pending[token] = PendingWarn(ctx.group.id, ctx.channel, member, reason, now)
        buttons = ((Button(CONFIRM_WARN + token, "Confirm", ButtonStyle.DANGER),)
                   if self.services.chat.capabilities.buttons else ())
        press = " (or press Confirm)" if buttons else ""
        return Reply.private(
            f"{ahead} Nothing has been done yet. Run the same command again with `confirm=yes` "
            f"at the end{press} to go ahead.", title="Warn: confirm first", buttons=buttons)

    async def btn_confirm_warn(self, interaction: Interaction) -> Reply:
        if not interaction.member.is_moderator:
            return Reply.private("That button is for moderators.")
        token = interaction.custom_id.removeprefix(CONFIRM_WARN)
        pending = self._pending.pop(token, None)
        if (pending is None or pending.group_id != interaction.group.id
                or self._now() - pending.at >= CONFIRM_FOR):
            return Reply.private("That confirmation has expired or was already used: nothing "
                                 "was done. Run `/mod warn` again.")
        async with self.moderation.member_lock(pending.group_id, pending.member.id):
            return await self._warn(interaction.group, pending.channel, interaction.member,
                                    pending.member, pending.reason)

    async def _warn(self, group: Group, channel: Channel, invoker: Member, member: Member,
                    reason: str) -> Reply:
        """The warning itself, under the member's lock: a case, a strike, the private note,
        and whatever threshold the strike reaches."""
        chat, strikes = self.services.chat, self.moderation.strikes
        now = self._now()
        weight = strikes.warn_weight
        before = await self.cases.effective_strikes(group.id, member.id, now,
                                                    strikes.half_life_days)
        total = before + weight
        step = strikes.reached(total, Action.TIMEOUT)
        escalate = strikes.reached(total, Action.ESCALATE) is not None
        case = await self.cases.open_case(group.id, NewCase(
            member_id=member.id, action="warn", source="manual", created_by=invoker.id,
            channel_id=channel.id, reason=reason, severity=1, needs_review=escalate,
            strike_weight=weight), now)
        notes: list[str] = []
        await self._tell(group, member, Reply.private(
            f"A moderator of {group.name} asked me to pass this on (case {case.number}): "
            f"{reason}\nIf you think this was a mistake, you can reply with "
            f"`/appeal {case.number} <what you'd like them to know>`."), notes)
        timed_out: datetime | None = None
        if step is not None:
            # the same words the ladder leaves, so a pardon can tell what set the timeout
            notes.append(f"strikes reached {total:.1f} (timeout at {step.points:g})")
            until = now + self._step_length(step.minutes)
            try:
                await chat.timeout_member(group, member, until,
                                          f"case {case.number}: {reason}"[:450])
                timed_out = until
            except Unsupported as exc:
                notes.append(f"could not time out the member: {exc}")
            except Exception as exc:
                log.warning("a warning's timeout failed",
                            extra={"group": group.id, "case": case.number,
                                   "error": type(exc).__name__})
                notes.append(f"timing out the member failed: {type(exc).__name__}")
            if timed_out is not None:
                minutes = max(1, round((until - now).total_seconds() / 60))
                await self._tell(group, member, Reply.private(
                    f"You're paused from posting for about {minutes} minutes (case "
                    f"{case.number}). A moderator's note: {reason} Take a breather; you're "
                    f"welcome back afterwards. You can appeal with `/appeal {case.number} "
                    "<text>`."), notes)
        await self._note_all(group, case, notes)
        if escalate:
            await self.moderation.open_item(
                group, "escalation", member_id=member.id, case_number=case.number,
                reason=f"Case {case.number} (warn) <@{member.id}>: {clip(reason, 120)}")
        lines = [f"Case {case.number}: warned @{member.display_name}. Effective strikes now "
                 f"{total:.1f}."]
        if timed_out is not None:
            lines.append("That reached the timeout threshold: paused until "
                         f"{text_when(timed_out)}.")
        if escalate:
            lines.append("That reached the review threshold: the case is in /mod queue.")
        lines.extend(f"Note: {n}" for n in notes if not n.startswith("strikes reached"))
        log.info("manual moderation action", extra={
            "group": group.id, "case": case.number, "action": "warn", "moderator": invoker.id,
            "timeout": timed_out is not None, "review": escalate})
        return Reply.private("\n".join(lines))
