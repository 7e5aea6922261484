"""`/mod pardon`: strikes that stop counting, and an offer to lift a timeout they no
longer earn."""

from __future__ import annotations

from groupbot.core.commands import CommandContext
from groupbot.core.errors import Unsupported, UsageError
from groupbot.core.types import (
    Button,
    ButtonStyle,
    Group,
    Member,
    Reply,
)
from groupbot.features.manual_actions.base import ManualBase
from groupbot.features.manual_actions.common import (
    LIFT_TIMEOUT,
    log,
    text_count,
    text_when,
)
from groupbot.moderation.verdict import Action


class PardonCommands(ManualBase):

    # -- /mod pardon ---------------------------------------------------------------------
    async def cmd_pardon(self, ctx: CommandContext) -> Reply:
        member: Member = ctx.args["member"]
        number = ctx.arg("case")
        if number is not None:
            case = await self.cases.get(ctx.group.id, int(number))
            if case is None or case.member_id != member.id:
                raise UsageError(f"Case {number} isn't about @{member.display_name}.")
        points = sum(s.weight for s in await self.cases.strikes(ctx.group.id, member.id)
                     if s.pardoned_at is None and (number is None or s.case_number == number))
        count, cases = await self.cases.pardon(ctx.group.id, member.id, number,
                                               ctx.invoker.id, self._now())
        if not count:
            return Reply.private(f"@{member.display_name} has no active strikes"
                                 + (f" on case {number}." if number else "."))
        left = await self.cases.effective_strikes(ctx.group.id, member.id, self._now(),
                                                  self.moderation.strikes.half_life_days)
        which = (f"case {cases[0]}" if len(cases) == 1 else
                 f"cases {', '.join(str(n) for n in cases)}" if cases else "no case")
        text = (f"Pardoned {text_count(count, 'strike')} worth {text_count(points, 'point')} for "
                f"@{member.display_name} ({which}); their effective strikes are now "
                f"{left:.1f}. {'The case records' if len(cases) == 1 else 'Each case records'} "
                "the pardon.")
        offer = await self._lift_offer(ctx.group, member)
        if offer is None:
            return Reply.private(text)
        return Reply.private(f"{text}\n{offer.text}", buttons=offer.buttons)

    async def _lift_offer(self, group: Group, member: Member) -> Reply | None:
        """After a pardon: is a running timeout still earned? If not, offer to lift it (a
        button where the platform has them, and the command); never lift it here."""
        chat, strikes = self.services.chat, self.moderation.strikes
        try:
            until = await chat.timed_out_until(group, member)
        except Unsupported:
            return None  # no timeouts on this platform: nothing is running
        except Exception:
            log.warning("could not ask whether a member is timed out",
                        extra={"group": group.id}, exc_info=True)
            return Reply.private("(I could not check whether they are timed out; "
                                 f"`/mod untimeout @{member.display_name}` lifts a timeout.)")
        if until is None:
            return None
        now = self._now()
        remaining = await self.cases.effective_strikes(group.id, member.id, now,
                                                       strikes.half_life_days)
        cause = await self._timeout_cause(group, member.id)
        still = strikes.reached(remaining, Action.TIMEOUT)
        run = f"`/mod untimeout @{member.display_name}`"
        if cause.manual and cause.case is not None:
            return Reply.private(
                f"<@{member.id}> is still timed out until {text_when(until)}: a moderator set that "
                f"timeout by hand (case {cause.case.number}), not the strikes, so the pardon "
                f"leaves it as it is. {run} lifts it.")
        # what the remaining strikes still earn, in words (None: the timeout is unearned)
        reach = f"still reach the timeout threshold at {still.points:g}" if still else None
        if cause.threshold is not None:
            if still is not None and still.points < cause.threshold:
                reach = None  # a lower threshold is reached, not the one that paused them
            paused_by = f"the timeout threshold at {cause.threshold:g} that paused them"
        elif cause.case is not None:  # a verdict's own timeout: earned while its strike counts
            own = [s for s in await self.cases.strikes(group.id, member.id)
                   if s.case_number == cause.case.number]
            if reach is None and any(s.pardoned_at is None for s in own):
                reach = f"include the strike of case {cause.case.number}, which paused them"
            paused_by = f"the timeout of case {cause.case.number}"
        else:
            paused_by = "any timeout threshold"
        if reach is not None:
            return Reply.private(
                f"<@{member.id}> is still timed out until {text_when(until)}, and their remaining "
                f"strikes ({remaining:.1f}) {reach}, so the timeout stands. {run} lifts it if "
                "you decide otherwise.")
        buttons = ((Button(f"{LIFT_TIMEOUT}{member.id}", "Lift the timeout",
                           ButtonStyle.PRIMARY),)
                   if chat.capabilities.buttons else ())
        press = "press “Lift the timeout”, or " if buttons else ""
        return Reply.private(
            f"<@{member.id}> is still timed out until {text_when(until)}, but their remaining "
            f"strikes ({remaining:.1f}) no longer reach {paused_by}. I haven't lifted it: to "
            f"lift it, {press}run {run}.", buttons=buttons)
