"""The moderators' commands on strikes, cases and the policy, and members' /appeal.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groupbot.core.commands import SQL_INT_MAX, CommandContext
from groupbot.core.errors import ContentError, UsageError, every_error
from groupbot.core.types import Channel, Member, Reply
from groupbot.features.case_log import NO_CASE, PAGE_SIZE, case_line, parse_since
from groupbot.features.hold import what_happens as what_a_hold_does
from groupbot.features.moderation.judging import _care_first
from groupbot.features.moderation.plan import CARE_NOTE_EVERY
from groupbot.features.moderation.shared import ModerationParts, clip, span
from groupbot.features.moderation.strikes import strike_policy_from
from groupbot.features.resource_book import ResourceBook
from groupbot.moderation.verdict import CARE_CATEGORIES, Action, Verdict
from groupbot.storage.cases import Case

if TYPE_CHECKING:
    from groupbot.moderation.policy import Policy

log = logging.getLogger(__name__)


NOT_YOURS = ("Case {} isn't one about you, so you can't appeal it. Check the number in the "
             "message I sent you.")


class CommandsMixin(ModerationParts):
    """/mod strikes, /mod case(s), /mod policy ..., /appeal."""

    # -- commands: strikes -----------------------------------------------------------------
    async def cmd_strikes(self, ctx: CommandContext) -> Reply:
        member: Member = ctx.args["member"]
        now = self.services.clock.now()
        strikes = await self.cases.strikes(ctx.group.id, member.id)
        hl = self.strikes.half_life_days
        total = sum(s.effective(now, hl) for s in strikes)
        steps = ", ".join(f"{t.action.value} at {t.points:g}" for t in self.strikes.thresholds)
        lines = [f"@{member.display_name}: {total:.1f} effective strikes (they halve every "
                 f"{hl:g} days; {steps or 'no thresholds'})."]
        for s in strikes[-15:]:
            state = ("pardoned" if s.pardoned_at else f"counts {s.effective(now, hl):.2f}")
            case = f"case {s.case_number}" if s.case_number else "no case"
            lines.append(f"• {s.created_at:%Y-%m-%d}: {case}, weight {s.weight:g}, {state}")
        if not strikes:
            lines.append("No strikes.")
        return Reply.private("\n".join(lines))

    # -- commands: cases ---------------------------------------------------------------------
    async def cmd_case(self, ctx: CommandContext) -> Reply:
        number = int(ctx.args["id"])
        action = ctx.arg("action", "show")
        text = str(ctx.arg("text", "")).strip()
        now = self.services.clock.now()
        case = await self.cases.get(ctx.group.id, number, now)
        if case is None:
            raise UsageError(NO_CASE.format(number))
        if action == "show":
            return Reply.private(self.describe_case(case))
        if not text:
            raise UsageError(f"/mod case {number} {action} needs a text. Usage: "
                             f"{ctx.spec.usage()}")
        await self.cases.amend(ctx.group.id, number, action, text, ctx.invoker.id, now)
        if action == "close":  # its escalation and appeals leave the queue with it
            await self.queue.repo.resolve_for_case(ctx.group.id, number, ctx.invoker.id, now,
                                                   text)
        case = await self.cases.get(ctx.group.id, number, now)
        assert case is not None
        head = ("Reason amended." if action == "reason"
                else "Closed; it has left the queue.")
        return Reply.private(f"{head}\n{self.describe_case(case)}")

    def describe_case(self, case: Case) -> str:
        by = "the bot" if case.created_by == "bot" else f"<@{case.created_by}>"
        lines = [
            f"Case {case.number} · {case.action} · {case.created_at:%Y-%m-%d %H:%M} UTC by {by}",
            f"Member: <@{case.member_id}>" + (f" · channel <#{case.channel_id}>"
                                              if case.channel_id else ""),
            f"Categories: {', '.join(case.categories) or 'none'} · rules: "
            f"{', '.join(case.rules) or 'none'} · severity {case.severity}",
            f"Reason: {case.current_reason or 'none given'}",
            f"Status: {case_status(case)}",
        ]
        if case.error:
            lines.append(f"Engine error: {case.error}")
        if case.text is not None and case.text_expires_at is not None:
            lines.append(f"Text (kept until {case.text_expires_at:%Y-%m-%d}): "
                         f"{clip(case.text, 600)}")
        elif case.text_hash:
            lines.append(f"Text not kept; hash {case.text_hash[:16]}…")
        for a in case.amendments:
            who = "the bot" if a.by_member == "bot" else f"<@{a.by_member}>"
            lines.append(f"  {a.at:%Y-%m-%d %H:%M} {a.kind} by {who}: {clip(a.body, 300)}")
        return "\n".join(lines)

    async def cmd_cases(self, ctx: CommandContext) -> Reply:
        member: Member | None = ctx.arg("member")
        category: str | None = ctx.arg("category")
        page = int(ctx.arg("page", 1))
        now = self.services.clock.now()
        since = None
        if ctx.arg("since"):
            try:
                since = parse_since(str(ctx.args["since"]), now)
            except ValueError as exc:
                raise UsageError(f"<since>: {exc}. Usage: {ctx.spec.usage()}") from None
        cases, total = await self.cases.find(
            ctx.group.id, member_id=member.id if member else None, category=category,
            since=since, limit=PAGE_SIZE, now=now,
            offset=min((page - 1) * PAGE_SIZE, SQL_INT_MAX))  # far past the last page: none
        wanted = [f"about @{member.display_name}" if member else "",
                  f"in {category}" if category else "",
                  f"since {since:%Y-%m-%d %H:%M} UTC" if since else ""]
        which = " ".join(w for w in wanted if w)
        if not total:
            return Reply.private("No cases " + (which or "in this group") + ".")
        pages = -(-total // PAGE_SIZE)
        if not cases:
            only = "is only 1 page" if pages == 1 else f"are only {pages} pages"
            raise UsageError(f"There {only} of cases {which}".rstrip() + f" ({total} in all).")
        lines = [f"Cases {which or 'in this group'}, newest first (times in UTC):",
                 *(case_line(c) for c in cases), ""]
        more = (f" For the next page, add `page={page + 1}` to the same command."
                if page < pages else "")
        lines.append(f"Page {page} of {pages} ({total} case{'s' if total != 1 else ''}).{more} "
                     "See one case with `/mod case <id>`.")
        return Reply.private("\n".join(lines), title="Cases")

    async def cmd_appeal(self, ctx: CommandContext) -> Reply:
        number = int(ctx.args["case"])
        text = str(ctx.args["text"]).strip()
        case = await self.cases.get(ctx.group.id, number)
        if case is None or case.member_id != ctx.invoker.id:
            raise UsageError(NOT_YOURS.format(number))
        if not text:
            raise UsageError(f"Tell the moderators what you'd like them to know. Usage: "
                             f"{ctx.spec.usage()}")
        now = self.services.clock.now()
        await self.cases.amend(ctx.group.id, number, "appeal", text, ctx.invoker.id, now)
        item = (await self.queue.open_item(
            ctx.group, "appeal", member_id=ctx.invoker.id, asked_by=ctx.invoker.id,
            case_number=number, reason=f"Case {number} (appeal) <@{ctx.invoker.id}> appealed",
            text=text)).number
        await self.alert(ctx.group, Reply.private(
            f"Case {number}: <@{ctx.invoker.id}> appealed: {clip(text, 1000)}\n"
            f"See `/mod case {number}`. It is item {item} in the queue: take it with "
            f"`/mod queue claim {item}` (I'll let them know someone is looking), close it with "
            f"`/mod queue resolve {item} [note]`.", title="Appeal"),
            member_id=ctx.invoker.id, item=item)
        return Reply.private(f"Thank you. Your appeal on case {number} is with the moderators; "
                             "they'll look at it and get back to you.")

    # -- commands: policy ----------------------------------------------------------------------
    async def cmd_policy_show(self, ctx: CommandContext) -> Reply:
        keep = await self.cases.keep_text_days(ctx.group.id)
        policy = self.engine.policy
        body = policy.describe() if policy is not None else ""
        s = self.strikes
        steps = ", ".join(f"{t.action.value} at {t.points:g}" for t in s.thresholds)
        lines = [body.strip() or "The default safe-space policy is in force.", "",
                 f"Strikes halve every {s.half_life_days:g} days; {steps or 'no thresholds'}. "
                 "Messages showing distress or crisis never count.",
                 "Cases keep message text for " + (f"{keep} days." if keep else
                                                    "0 days (only a hash and the rules).")]
        return Reply.private("\n".join(lines), title="Moderation policy")

    async def cmd_policy_test(self, ctx: CommandContext) -> Reply:
        text = str(ctx.args["text"])
        verdict = _care_first(self.judge(text, group_id=ctx.group.id,
                                         channel_id=ctx.channel.id,
                                         channel_name=ctx.channel.name,
                                         author_id="policy-test", author_is_moderator=False))
        lines = [
            f"Action: {verdict.action.value}",
            f"What happens: {self._what_happens(verdict, ctx.group.id, ctx.channel)}",
            f"Categories: {', '.join(verdict.categories) or 'none'}",
            f"Rules: {', '.join(verdict.rules) or 'none'}",
            f"Reason: {verdict.reason or 'nothing matched'}",
            f"Severity: {verdict.severity}",
        ]
        if verdict.error:
            lines.append(f"Engine error: {verdict.error}")
        lines.append("(A dry run in #" + ctx.channel.name + ": nothing was recorded.)")
        return Reply.private("\n".join(lines), title="Policy test")

    def _what_happens(self, verdict: Verdict, group_id: str, channel: Channel) -> str:
        """In plain words, what the live bot would do with this verdict (for the dry run)."""
        action = verdict.action
        weight = self.strike_weight(verdict, group_id, channel)
        strike = f"a strike of {weight:g}" if weight > 0 else "no strike"
        care_note = (f"the member gets the care note (a short private note pointing to "
                     f"/resources, at most once every {span(CARE_NOTE_EVERY)})")
        if verdict.error is not None:
            return "moderators are asked to look; the message stays up; no strike"
        if action is Action.ALLOW:
            if "distress" in verdict.categories:
                return "nothing: this group or channel lets distress be, so no care note"
            return "nothing"
        if action is Action.NUDGE:
            return "a private reminder of the guideline; the message stays up; no strike"
        if action is Action.CARE:
            return (f"{care_note}; nothing else: no moderator alert, no case, nothing in the "
                    "channel, no strike")
        can = self.services.chat.capabilities  # what this platform lets the bot do itself
        if action in (Action.REMOVE, Action.TIMEOUT):
            removed = ("the message is removed and its author gets a private copy"
                       if can.delete_member_messages else
                       "the message stays up (this platform can't remove members' messages) "
                       "and its author is told privately")
            paused = ("" if action is Action.REMOVE else "; they are paused from posting"
                      if can.timeout_members else "; this platform can't pause members")
            look = ("" if can.delete_member_messages and (
                action is Action.REMOVE or can.timeout_members)
                else "; moderators are asked to look")
            return f"{removed}{paused}{look}; a case; {strike}"
        if action is Action.HOLD:  # the strike counts only if a moderator confirms
            return what_a_hold_does(
                self.strike_weight(verdict._replace(action=Action.REMOVE), group_id, channel),
                can.delete_member_messages)
        if action is Action.ESCALATE:
            if not CARE_CATEGORIES.isdisjoint(verdict.categories):
                return ("moderators are asked to look (a case in /mod queue); the message stays "
                        f"up and no strike is counted, as care comes first; {care_note}")
            return ("moderators are asked to look (a case in /mod queue); the message stays up; "
                    f"{strike}")
        return ("a private reply with support resources and an offer of a moderator; "
                "moderators are alerted without the message being quoted; nothing is removed; "
                "no strike")

    async def cmd_policy_reload(self, ctx: CommandContext) -> Reply:
        """Read and check both files first; put them in force together only when both check
        out, else keep the ones in force and list every problem."""
        from_file = self.engine.policy is not None  # (else a decider set in code)
        book = self.resources if isinstance(self.resources, ResourceBook) else None
        if not from_file and book is None:
            return Reply.private("The policy and resources here are set in code, not read from "
                                 "files, so there is nothing to reload.")
        from groupbot.moderation.policy_file import default_policy_path

        policy_path = self.services.config.policy_file or default_policy_path()
        errors: list[ContentError] = []
        policy: Policy | None = None
        if from_file:
            try:
                policy = await asyncio.to_thread(_read_policy, policy_path)
            except ContentError as exc:
                errors.extend(every_error(exc))
        table: Any = None
        if book is not None:
            try:
                table = await asyncio.to_thread(book.read)
            except ContentError as exc:
                errors.extend(every_error(exc))
        who = {"group": ctx.group.id, "moderator": ctx.invoker.id}
        if errors:
            log.warning("moderation policy reload refused: the files have errors",
                        extra={**who, "errors": len(errors)})
            n = len(errors)
            return Reply.private("\n".join([
                f"Nothing was reloaded: the new files have {n} problem{'s' if n != 1 else ''}, "
                "so the policy and resources in force stay as they are. Fix these and run "
                "`/mod policy reload` again:",
                *(f"• {e}" for e in errors)]), title="Policy reload")
        # Both check out: in force together, in one step (nothing awaited in between).
        lines = []
        if policy is not None:
            self.engine.swap(policy)
            if self._strikes_from_policy:
                self.strikes = strike_policy_from(self.engine)
            lines.append(f"Policy: {policy.name} ({policy_path}), "
                         f"{len(policy.rules)} custom rule(s).")
        if book is not None and table is not None:
            book.swap(table)
            lines.append(f"Support resources: {sum(len(v) for v in table.values())} lines for "
                         f"{len(table)} regions ({book.path or 'the shipped file'}).")
        log.info("moderation policy reloaded", extra={
            **who, "policy": str(policy_path) if policy is not None else None,
            "resources": str(book.path or "default") if book is not None else None})
        return Reply.private("\n".join([
            "Reloaded. Every message from now on is judged by these (the policy and "
            "resources are the bot's, so this holds in every group it serves):", *lines,
            "Strikes and cases so far keep what they recorded. `/mod policy show` shows the "
            "policy in force."]), title="Policy reload")

    async def cmd_keep_text(self, ctx: CommandContext) -> Reply:
        days = int(ctx.args["days"])
        await self.cases.set_keep_text_days(ctx.group.id, days)
        if days == 0:
            return Reply.private("Cases now keep only a hash of the message and the rules that "
                                 "fired. Any text kept so far has been erased.")
        return Reply.private(f"New cases will keep the message text for {days} days, then erase "
                             "it. Messages showing distress or crisis are never kept.")


def _read_policy(path: Path) -> Any:
    """Read, check and compile a policy file, off the event loop (raises PolicyErrors)."""
    from groupbot.moderation.engine import compile_policy
    from groupbot.moderation.policy_file import load_policy

    policy = load_policy(path)
    compile_policy(policy)
    return policy


def case_status(case: Case) -> str:
    """Where a case stands, in words: waiting, closed (by whom, when), or never waiting."""
    if case.is_open:
        return "awaiting a moderator"
    closes = [a for a in case.amendments if a.kind == "close"]
    if closes:
        return f"closed by <@{closes[-1].by_member}> on {closes[-1].at:%Y-%m-%d}"
    return "done: it did not need a moderator's review"
