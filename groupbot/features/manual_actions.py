"""Moderators acting through the bot: warn, pardon, timeout, untimeout and remove.

Why a module of its own: the moderation feature (`groupbot.features.moderation`) judges
members' messages and climbs the ladder by itself; this one carries out what a moderator
decides, and nothing happens here that a moderator did not ask for. Each action is a numbered
case naming the moderator who acted (`/mod case`, `/mod cases`, `groupbot cases export`), the
member is told privately what happened, why and how to appeal, and the moderator log hears of
it through the moderation queue, the one outlet for moderator alerts.

What a platform cannot do (Slack lets no bot delete a member's message or time anyone out)
is said plainly to the moderator, and the case is recorded all the same, as the ladder does.
A warning that would cross a strike threshold says so, and what that threshold does, before
anything is done; a pardon that leaves a running timeout unearned offers to lift it, and
never lifts it silently. Manual timeouts and removals add no strike: a moderator chose the
consequence; `/mod warn` is the way to give a strike by hand.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from groupbot.core.commands import Access, CommandContext, CommandRegistry, OptionKind, OptionSpec
from groupbot.core.errors import GroupbotError, Unsupported, UsageError
from groupbot.core.text import split_text
from groupbot.core.types import (
    Button,
    ButtonStyle,
    Channel,
    Group,
    Interaction,
    Member,
    Message,
    Reply,
)
from groupbot.features.base import Feature, Services
from groupbot.features.case_log import NO_CASE
from groupbot.features.contracts import ModerationDesk
from groupbot.moderation.verdict import Action
from groupbot.storage.cases import Case, CaseRepo, NewCase

log = logging.getLogger(__name__)

CONFIRM_WARN = "gb:manual:warn:"  # + a token for a warning waiting for its moderator's go-ahead
LIFT_TIMEOUT = "gb:manual:lift:"  # + the member's id: "Lift the timeout" after a pardon
CONFIRM_FOR = timedelta(minutes=15)  # how long a Confirm button stays good
MAX_PENDING = 1000
DEFAULT_MAX_TIMEOUT = timedelta(days=28)  # where the platform names no limit (Discord's)
PRIVATE_CHUNK = 1800
DURATION_HELP = "like 10m, 2h, 1d or 7d (minutes, hours, days, weeks)"
PLATFORM_NAMES = {"discord": "Discord", "slack": "Slack", "console": "The console"}

_UNITS = {"m": 1, "h": 60, "d": 1440, "w": 10080}
_DURATION_PART = re.compile(  # (longest spelling first: "10min" is not "10m" then "in")
    r"(\d{1,6})\s*(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)", re.I)
_DISCORD_LINK = re.compile(
    r"https?://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/channels/(\d+|@me)/(\d+)/(\d+)/?", re.I)
_SLACK_LINK = re.compile(
    r"https?://[\w.-]+\.slack\.com/archives/([A-Z0-9]+)/p(\d{10})(\d{6})/?(?:\?\S*)?", re.I)
_SLACK_TS = re.compile(r"p?(\d{10})\.?(\d{6})")
_THRESHOLD_NOTE = re.compile(r"\(timeout at (\d+(?:\.\d+)?)\)")


# -- reading what the moderator typed ----------------------------------------------------------
def parse_duration(text: str, limit: timedelta, platform: str) -> timedelta:
    """`10m`, `2h`, `1d`, `7d` (and `1h30m`): a positive span no longer than `limit`.
    Raises ValueError with a message fit to show."""
    raw = text.strip().lower()
    if raw.startswith("-"):
        raise ValueError(f"a timeout can't be negative ('{_clip(raw, 20)}'); give one "
                         f"{DURATION_HELP}")
    parts = list(_DURATION_PART.finditer(raw))
    if not parts or "".join(m.group(0) for m in parts).replace(" ", "") != raw.replace(" ", ""):
        raise ValueError(f"'{_clip(text.strip(), 20)}' is not a duration: give one "
                         f"{DURATION_HELP}")
    minutes = sum(int(m.group(1)) * _UNITS[m.group(2)[0].lower()] for m in parts)
    if minutes <= 0:
        raise ValueError(f"a timeout must be longer than zero: give one {DURATION_HELP}")
    span = timedelta(minutes=minutes)
    if span > limit:
        where = PLATFORM_NAMES.get(platform, platform.title())
        raise ValueError(f"{_human(span)} is longer than {where} allows: a timeout can last at "
                         f"most {_human(limit)}")
    return span


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Where a message is, as a moderator named it: a link's channel (None: the channel the
    command was typed in), the message's id, and the platform a link belongs to."""

    message_id: str
    channel_id: str | None = None
    guild_id: str | None = None
    platform: str | None = None


def parse_message_ref(text: str, platform: str) -> MessageRef:
    """A Discord message link, a Slack permalink (Slack may send it as `<url>` or
    `<url|label>`), or a bare id in the current channel (on Slack, a message's ts, with or
    without its permalink's `p` and dot). Raises ValueError."""
    raw = text.strip()
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1].split("|", 1)[0]
    link = _DISCORD_LINK.fullmatch(raw)
    if link:
        return MessageRef(link.group(3), link.group(2), link.group(1), "discord")
    link = _SLACK_LINK.fullmatch(raw)
    if link:
        return MessageRef(f"{link.group(2)}.{link.group(3)}", link.group(1).upper(), None,
                          "slack")
    if "://" in raw or "/" in raw or not raw or any(ch.isspace() for ch in raw):
        raise ValueError(f"'{_clip(raw, 60)}' is not a message link I know: give a Discord "
                         "message link, a Slack permalink (Copy link), or the message's id")
    ts = _SLACK_TS.fullmatch(raw) if platform == "slack" else None
    if ts:
        return MessageRef(f"{ts.group(1)}.{ts.group(2)}")
    return MessageRef(raw)


# -- plain words -------------------------------------------------------------------------------
def _human(span: timedelta) -> str:
    """'10 minutes', '1 hour', '36 hours', '1 day', '28 days'."""
    minutes = int(span.total_seconds() // 60)
    for size, unit in ((1440, "day"), (60, "hour")):
        if minutes >= size and minutes % size == 0:
            n = minutes // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _clip(text: str, n: int) -> str:
    text = "".join(ch for ch in text if ch.isprintable())
    return text if len(text) <= n else text[: n - 1] + "…"


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def _appeal(number: int) -> str:
    return (f"If you think this was a mistake, you can ask the moderators to look again with "
            f"`/appeal {number} <what you'd like them to know>`.")


def _cannot(platform: str, what: str) -> str:
    """'Slack does not let bots delete members' messages'."""
    return f"{PLATFORM_NAMES.get(platform, platform.title())} does not let bots {what}"


def _failure(exc: Exception) -> str:
    """What went wrong, fit to show a moderator (our errors say it; others are named)."""
    if isinstance(exc, GroupbotError):
        return str(exc).rstrip(".")
    return f"the platform returned an error ({type(exc).__name__})"


def _summary(head: str, member: Member, told: bool, what: str) -> str:
    """The moderator's answer: what was done, whether the member heard, where it is logged."""
    return "\n".join([
        head,
        f"I told <@{member.id}> privately {what}." if told else
        f"I could not tell <@{member.id}> privately; please reach them yourself.",
        "It is in the moderator log; `/mod case` shows the case."])


@dataclass(frozen=True, slots=True)
class _PendingWarn:
    group_id: str
    channel: Channel
    member: Member
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class _TimeoutCause:
    """Why the member's running timeout was set, as the case log tells it."""

    case: Case | None
    threshold: float | None = None  # the strike threshold that set it
    manual: bool = False  # a moderator's /mod timeout


class ManualActionsFeature(Feature):
    name = "manual_actions"
    requires = ("moderation",)  # its strike settings, member locks and queue

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._pending: dict[str, _PendingWarn] = {}

    @property
    def cases(self) -> CaseRepo:
        """The case log (one for this feature and the ladder)."""
        return self.services.store.cases

    @property
    def moderation(self) -> ModerationDesk:
        return self.services.need("moderation", ModerationDesk)

    # -- wiring --------------------------------------------------------------------------
    def register(self, registry: CommandRegistry) -> None:
        mod = Access.MODERATOR
        member = OptionSpec("member", OptionKind.MEMBER, "the member")
        registry.command("mod warn", "Warn a member privately and add a strike (asking first "
                         "when it would cross a strike threshold)", member,
                         OptionSpec("reason", OptionKind.TEXT, "why (the member sees this)"),
                         OptionSpec("confirm", OptionKind.CHOICE,
                                    "go ahead when the warning crosses a strike threshold",
                                    required=False, choices=("yes",), keyword_only=True),
                         access=mod, private=True)(self.cmd_warn)
        registry.command("mod pardon", "Stop a member's strikes counting (all, or one case's)",
                         member,
                         OptionSpec("case", OptionKind.INTEGER, "a case number", required=False,
                                    min_value=1, missing=NO_CASE),
                         access=mod, private=True)(self.cmd_pardon)
        registry.command("mod timeout",
                         "Pause a member from posting for a while (a case; they are told why)",
                         member,
                         OptionSpec("duration", OptionKind.STRING,
                                    "how long: 10m, 2h, 1d, 7d (at most 28 days)"),
                         OptionSpec("reason", OptionKind.TEXT, "why (the member sees this)",
                                    required=False),
                         access=mod, private=True)(self.cmd_timeout)
        registry.command("mod untimeout", "Lift a member's timeout (a case; they are told)",
                         member, access=mod, private=True)(self.cmd_untimeout)
        registry.command("mod remove",
                         "Remove a member's message (a case; its author gets a private copy)",
                         OptionSpec("message", OptionKind.STRING,
                                    "a message link, or the id of a message in this channel"),
                         OptionSpec("reason", OptionKind.TEXT, "why (the author sees this)",
                                    required=False),
                         access=mod, private=True)(self.cmd_remove)
        registry.add_button(CONFIRM_WARN, self.btn_confirm_warn)
        registry.add_button(LIFT_TIMEOUT, self.btn_lift)

    # -- shared steps --------------------------------------------------------------------
    def _now(self) -> datetime:
        return self.services.clock.now()

    async def _tell(self, group: Group, member: Member, reply: Reply, notes: list[str]) -> bool:
        """A private note to the member; a failure becomes a note for the case."""
        try:
            await self.services.chat.send_private(group, member, reply)
            return True
        except Exception as exc:
            log.warning("private message failed", extra={"group": group.id,
                                                         "error": type(exc).__name__})
            notes.append(f"could not message the member privately: {exc}")
            return False

    async def _note_all(self, group: Group, case: Case, notes: list[str]) -> None:
        for note in notes:
            await self.cases.amend(group.id, case.number, "note", note, "bot", self._now())

    async def _alert(self, group: Group, case: Case, lines: list[str], member_id: str) -> None:
        """In the moderator log, through the queue (which keeps what the log cannot take)."""
        await self.moderation.alert(
            group, Reply.private("\n".join(lines), title="Moderation"), member_id=member_id,
            reason=f"Case {case.number} ({case.action} by <@{case.created_by}>) "
                   f"<@{case.member_id}>, an alert the moderator log could not take")

    @staticmethod
    def _refuse_target(member: Member, invoker: Member, doing: str) -> None:
        if member.is_bot:
            raise UsageError(f"I won't {doing} a bot, and I can't {doing} myself.")
        if member.id == invoker.id:
            raise UsageError(f"You can't {doing} yourself.")
        if member.is_moderator:
            raise UsageError(f"<@{member.id}> is a moderator: I won't {doing} a moderator. "
                             "Please talk it over with the other moderators.")

    def _max_timeout(self) -> timedelta:
        return self.services.chat.capabilities.max_timeout or DEFAULT_MAX_TIMEOUT

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
            notes=[f"asked for {_human(span)}, until {_when(until)}"]), now)
        notes: list[str] = []
        done = False
        cannot: str | None = None
        failure = ""
        try:
            await chat.timeout_member(group, member, until,
                                      f"case {case.number}: {reason or 'a moderator decided'}")
            done = True
        except Unsupported:
            cannot = _cannot(chat.platform, "time members out")
            notes.append(f"{cannot}: recorded only; the moderator was asked to act there")
        except Exception as exc:
            log.warning("a moderator's timeout failed",
                        extra={"group": group.id, "case": case.number,
                               "error": type(exc).__name__})
            failure = _failure(exc)
            notes.append(f"timing out the member failed: {failure}")
        why = f"Why: {reason}" if reason else "The moderator gave no reason."
        told = False
        if done:
            told = await self._tell(group, member, Reply.private(
                f"A moderator of {group.name} has paused you from posting for {_human(span)}, "
                f"until {_when(until)} (case {case.number}). {why} Take a breather; you're "
                f"welcome back afterwards. {_appeal(case.number)}", title="Timeout"), notes)
        elif cannot:  # nothing stops them posting: what the moderator asked is still theirs
            told = await self._tell(group, member, Reply.private(
                f"A moderator of {group.name} has asked you to take a break from posting for "
                f"{_human(span)}, until {_when(until)} (case {case.number}). {why} "
                f"{_appeal(case.number)}", title="Please take a break"), notes)
        if done:
            notes.insert(0, f"timed out until {_when(until)}")
        await self._note_all(group, case, notes)
        did = "timed out" if done else "asked to time out"
        alert = [f"Case {case.number}: <@{ctx.invoker.id}> {did} <@{member.id}> for "
                 f"{_human(span)} (until {_when(until)}).",
                 f"Reason: {reason or 'none given'}"]
        alert += [f"Note: {n}" for n in notes if not n.startswith("timed out until")]
        await self._alert(group, case, alert, member.id)
        log.info("manual moderation action", extra={
            "group": group.id, "case": case.number, "action": "timeout",
            "moderator": ctx.invoker.id, "done": done})
        if done:
            head = (f"Case {case.number}: <@{member.id}> is timed out for {_human(span)}, "
                    f"until {_when(until)}.")
        elif cannot:
            head = (f"Case {case.number}: {cannot}: the case is recorded, please pause "
                    f"<@{member.id}> in {PLATFORM_NAMES.get(chat.platform, chat.platform)} "
                    "yourself if you need to (a workspace admin can remove them from the "
                    "channel for a while).")
        else:
            return Reply.private(f"Case {case.number}: I could not time out <@{member.id}>: "
                                 f"{failure}. The case is recorded; nothing was sent to them.")
        return Reply.private(_summary(head, member, told, "what happened, why and how to "
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
            cannot = _cannot(chat.platform, "time members out")
            notes.append(f"{cannot}, so there was no timeout of mine to lift: recorded only")
        except Exception as exc:
            log.warning("lifting a timeout failed", extra={"group": group.id,
                                                           "case": case.number,
                                                           "error": type(exc).__name__})
            failure = _failure(exc)
            notes.append(f"lifting the timeout failed: {failure}")
        if earlier is not None and (done or cannot):
            await self.cases.amend(group.id, earlier.number, "note",
                                   f"timeout lifted by a moderator (case {case.number})"
                                   + ("" if done else "; recorded only, as "
                                      f"{_cannot(chat.platform, 'time members out')}"),
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
        return Reply.private(_summary(head, member, told, "that they can post again"))

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
            cannot = _cannot(chat.platform, "delete members' messages")
            notes.append(f"{cannot}: recorded only; the moderator was asked to delete it there")
            link = await self._link(group, channel, message_id)
        except Exception as exc:
            log.warning("a moderator's removal failed",
                        extra={"group": group.id, "case": case.number,
                               "error": type(exc).__name__})
            failure = _failure(exc)
            notes.append(f"removing the message failed: {failure}")
        told = False
        why = f"Why: {reason}" if reason else "The moderator gave no reason."
        if author is not None and (removed or cannot):
            if removed:
                replies = [Reply.private(
                    f"A moderator of {group.name} removed your message in #{channel.name} "
                    f"(case {case.number}). {why} Here is a copy of what you wrote, so nothing "
                    f"of yours is lost. {_appeal(case.number)}", title="Message removed")]
                text = message.text if message is not None else ""
                replies += [Reply.private(chunk) for chunk in split_text(text, PRIVATE_CHUNK)
                            if text]
            else:
                replies = [Reply.private(
                    f"A moderator of {group.name} asked me to let you know that your message in "
                    f"#{channel.name} goes against this group's guidelines (case {case.number}). "
                    f"{why} I can't remove messages here; please edit or delete it yourself. "
                    f"{_appeal(case.number)}", title="About your message")]
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
        return Reply.private(_summary(head, author, told,
                                      "what happened, why and how to appeal" if removed else
                                      "why, and asked them to edit or delete it"))

    async def _link(self, group: Group, channel: Channel, message_id: str) -> str | None:
        try:
            return await self.services.chat.message_link(group, channel, message_id)
        except Exception:
            log.warning("could not get a link to the message", extra={"group": group.id},
                        exc_info=True)
            return None

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
                           f"for {_human(self._step_length(step.minutes))}")
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
        self._pending[token] = _PendingWarn(ctx.group.id, ctx.channel, member, reason, now)
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
                reason=f"Case {case.number} (warn) <@{member.id}>: {_clip(reason, 120)}")
        lines = [f"Case {case.number}: warned @{member.display_name}. Effective strikes now "
                 f"{total:.1f}."]
        if timed_out is not None:
            lines.append(f"That reached the timeout threshold: paused until {_when(timed_out)}.")
        if escalate:
            lines.append("That reached the review threshold: the case is in /mod queue.")
        lines.extend(f"Note: {n}" for n in notes if not n.startswith("strikes reached"))
        log.info("manual moderation action", extra={
            "group": group.id, "case": case.number, "action": "warn", "moderator": invoker.id,
            "timeout": timed_out is not None, "review": escalate})
        return Reply.private("\n".join(lines))

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
        text = (f"Pardoned {_count(count, 'strike')} worth {_count(points, 'point')} for "
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
                f"<@{member.id}> is still timed out until {_when(until)}: a moderator set that "
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
                f"<@{member.id}> is still timed out until {_when(until)}, and their remaining "
                f"strikes ({remaining:.1f}) {reach}, so the timeout stands. {run} lifts it if "
                "you decide otherwise.")
        buttons = ((Button(f"{LIFT_TIMEOUT}{member.id}", "Lift the timeout",
                           ButtonStyle.PRIMARY),)
                   if chat.capabilities.buttons else ())
        press = "press “Lift the timeout”, or " if buttons else ""
        return Reply.private(
            f"<@{member.id}> is still timed out until {_when(until)}, but their remaining "
            f"strikes ({remaining:.1f}) no longer reach {paused_by}. I haven't lifted it: to "
            f"lift it, {press}run {run}.", buttons=buttons)

    async def _latest_timeout_case(self, group: Group, member_id: str) -> Case | None:
        return (await self._timeout_cause(group, member_id)).case

    async def _timeout_cause(self, group: Group, member_id: str) -> _TimeoutCause:
        """The newest case that set a timeout for the member: a moderator's /mod timeout, a
        verdict's timeout, or a strike threshold (the note the ladder and /mod warn leave).
        None when a later case lifted it, or no case set one (the platform's own tools)."""
        for case in reversed(await self.cases.member_cases(group.id, member_id)):
            if case.action == "untimeout":
                return _TimeoutCause(None)
            if case.action == "timeout" and case.source == "manual":
                return _TimeoutCause(case, manual=True)
            for amendment in case.amendments:
                found = _THRESHOLD_NOTE.search(amendment.body) if amendment.kind == "note" \
                    else None
                if found and amendment.by_member == "bot":
                    return _TimeoutCause(case, threshold=float(found.group(1)))
            if case.action == "timeout":
                return _TimeoutCause(case)
        return _TimeoutCause(None)


def _count(n: float, noun: str) -> str:
    """"1 strike", "2 strikes", "1.5 points"."""
    return f"{n:g} {noun}" + ("" if n == 1 else "s")


__all__ = ["ManualActionsFeature", "MessageRef", "parse_duration", "parse_message_ref"]
