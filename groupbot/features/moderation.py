"""Live moderation: judge every message and edit, act on the verdict, keep cases and strikes.

Care comes before judgement: a message showing distress or crisis is never removed, timed out
or counted as a strike. Crisis (`support`): the member gets a private, warm reply with the
region's resources and a way to reach a moderator; moderators are told without the message
being quoted. Distress (`care`): one short private note pointing to /resources and to the
group, at most once every few days, and nothing else: no moderator alert, no case, nothing in
the channel. Distress in a message that would otherwise be removed is `escalate`: moderators
look, nothing is removed, and the member still gets the care note. Everything else climbs the
ladder (nudge, remove, timeout, escalate) with strikes that decay, and every action is a
numbered, append-only case.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from groupbot.core.commands import (
    SQL_INT_MAX,
    Access,
    CommandContext,
    CommandRegistry,
    OptionKind,
    OptionSpec,
    stored_id,
)
from groupbot.core.errors import ContentError, Unsupported, UsageError, every_error
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
from groupbot.features.case_log import NO_CASE, PAGE_SIZE, SINCE_HELP, case_line, parse_since
from groupbot.features.hold import HoldDesk
from groupbot.features.hold import what_happens as what_a_hold_does
from groupbot.features.outbox import Outbox
from groupbot.features.queue import Delivery, ModeratorQueue
from groupbot.features.resource_book import (
    NOT_A_THERAPIST,
    ResourceBook,
    ResourceLoader,
    default_resources,
    format_resource,
    resource_lines,
)
from groupbot.moderation.crisis import writer_is_young
from groupbot.moderation.findings import DANGER_LABEL
from groupbot.moderation.names import FoldedNames, fold_names
from groupbot.moderation.verdict import CARE_CATEGORIES, CATEGORIES, Action, Verdict
from groupbot.storage.cases import MAX_KEEP_TEXT_DAYS, Case, NewCase
from groupbot.storage.outbox import case_op
from groupbot.storage.queue import QueueItem

if TYPE_CHECKING:
    from groupbot.moderation.policy import CategoryPolicy, Policy

log = logging.getLogger(__name__)

CARE_COOLDOWN = timedelta(hours=4)  # the crisis reply: not repeated sooner, unless more severe
CARE_NOTE_EVERY = timedelta(days=3)  # the care note (distress): at most once per member and group
TALK_BUTTON = "gb:care:talk:"  # + the member's id: the care note's "talk to a moderator" button
AUTOMOD_MERGE = timedelta(seconds=30)  # one trigger's several actions arrive as several events
PURGE_EVERY = timedelta(hours=1)
PRIVATE_CHUNK = 1800  # characters per private message when returning a member's own text
# a dry run at start (see `ModerationFeature.start`): non-ASCII, a misspelling, a target
WARM_UP_TEXT = "Ｗarming up: you are a stupd idiot, I can't do this anymore — café?"
NOT_YOURS = ("Case {} isn't one about you, so you can't appeal it. Check the number in the "
             "message I sent you.")
# when storage fails (groupbot.features.outbox): what is said instead of a case number
STRIKES_UNREAD = ("the member's strikes could not be read (storage failing), so the ladder did "
                  "not escalate: the verdict alone was carried out")
UNNUMBERED_APPEAL = ("If you think this was a mistake, you can ask the moderators to look again "
                     "(my records are catching up, so I have no case number to give you yet).")
UNNUMBERED_ALERT = ("My storage is failing, so this case has no number yet: it is written, with "
                    "its queue item if it needs one, as soon as storage works again.")

GUIDELINES = {
    "harassment": "Speak to each other with care. Disagree with ideas, not with people.",
    "hate": "No slurs and no attacks on any group of people.",
    "threat": "No threats, even as a joke. Everyone here needs to feel safe.",
    "sexual": "Keep sexual content out of the group.",
    "profanity": "This channel asks everyone to keep the language gentle.",
    "pii": "Keep phone numbers, addresses and other private details out of the group.",
    "spam": "No promotions, invite links or repeated messages.",
}
DEFAULT_GUIDELINE = "Please keep this group a safe, kind space for everyone."


class Decider(Protocol):
    """The engine contract the feature relies on (`groupbot.moderation.engine`).

    Context keywords: group_id, channel_id, channel_name, author_id, author_is_moderator,
    mentions, member_names. With `stateful`, the engine applies and updates its bounded
    flood and repeat history, timed by `now` (seconds).
    """

    @property
    def policy(self) -> Policy | None:
        """The policy in force (None: a decider set in code, with no policy file)."""
        ...

    def decide(self, text: str, *, stateful: bool = False, now: float | None = None,
               **ctx: Any) -> Verdict: ...

    def swap(self, policy: Policy) -> Policy:
        """Put a checked policy in force; the one it replaces."""
        ...


class RecentNames:
    """The display names of members who posted lately, per group, bounded (most recent
    kept): the names an insult "by name" is read against. Each name is folded once, when
    it is first seen or changes; a group's set is rebuilt only when its members change, and
    each author's view of it (everyone but themselves) is a set difference, kept until then.
    (A busy workspace with more posters than the bound turns members over on most
    messages: then no name is folded again, only the sets are rebuilt.)"""

    def __init__(self, per_group: int = 1000, groups: int = 1000) -> None:
        self.per_group = per_group
        self.groups = groups
        # group -> member -> (display name, its folded form), oldest poster first
        self._names: OrderedDict[str, OrderedDict[str, tuple[str, FoldedNames]]] = OrderedDict()
        self._sets: dict[str, frozenset[str]] = {}  # group -> every folded name in it
        self._others: dict[str, dict[str, FoldedNames]] = {}  # group -> member -> the rest

    def seen(self, group_id: str, member_id: str, display_name: str) -> FoldedNames:
        """Note that `member_id` posted in `group_id`; the folded names of the others."""
        members = self._names.get(group_id)
        if members is None:
            members = self._names[group_id] = OrderedDict()
            while len(self._names) > self.groups:
                gone, _ = self._names.popitem(last=False)
                self._sets.pop(gone, None)
                self._others.pop(gone, None)
        else:
            self._names.move_to_end(group_id)
        entry = members.get(member_id)
        if entry is None or entry[0] != display_name:
            entry = members[member_id] = (display_name, fold_names([display_name]))
            members.move_to_end(member_id)
            while len(members) > self.per_group:
                members.popitem(last=False)
            self._sets.pop(group_id, None)
            self._others[group_id] = {}
        else:
            members.move_to_end(member_id)
        others = self._others.setdefault(group_id, {})
        found = others.get(member_id)
        if found is None:
            everyone = self._sets.get(group_id)
            if everyone is None:
                everyone = self._sets[group_id] = frozenset().union(
                    *(folded for _name, folded in members.values()))
            found = others[member_id] = FoldedNames(everyone - entry[1])
        return found


@dataclass(frozen=True, slots=True)
class Threshold:
    points: float
    action: Action  # nudge, timeout or escalate
    minutes: int = 0


@dataclass(frozen=True, slots=True)
class StrikePolicy:
    """How strikes weigh, decay and escalate. Read from the engine's policy when it has one."""

    half_life_days: float = 14.0
    thresholds: tuple[Threshold, ...] = (Threshold(3.0, Action.TIMEOUT, 60),
                                         Threshold(5.0, Action.ESCALATE))
    action_weights: tuple[tuple[Action, float], ...] = ((Action.REMOVE, 1.0),
                                                        (Action.TIMEOUT, 2.0))
    warn_weight: float = 1.0
    default_timeout: timedelta = timedelta(hours=1)

    def at(self, action: Action) -> Threshold | None:
        """The lowest threshold with this action, if any."""
        found = [t for t in self.thresholds if t.action is action]
        return min(found, key=lambda t: t.points) if found else None

    def reached(self, total: float, action: Action) -> Threshold | None:
        """The highest threshold with this action that `total` has reached.

        Compared at the one decimal moderators are shown, so two 2-point strikes minutes
        apart (3.9998 after decay, shown as 4.0) reach a threshold of 4 as they appear to.
        """
        shown = round(total, 1)
        found = [t for t in self.thresholds if t.action is action and shown >= t.points]
        return max(found, key=lambda t: t.points) if found else None


@dataclass(slots=True)
class _Outcome:
    """What actually happened on the platform, for the case and the moderators."""

    notes: list[str]
    removed: bool = False
    timed_out_until: datetime | None = None


class ModerationFeature(Feature):
    name = "moderation"

    def __init__(self, services: Services, engine: Decider | None = None,
                 resources: ResourceLoader | None = None,
                 strike_policy: StrikePolicy | None = None) -> None:
        super().__init__(services)
        self.cases = services.store.cases
        # who and what waits for a moderator; the one outlet for moderator alerts
        self.queue = ModeratorQueue(services, self.cases)
        # what moderation records: written at once, or kept and retried until it lands
        self.outbox = Outbox(services, self.queue, self.cases)
        self.queue.outbox = self.outbox  # keeps the alerts the database cannot keep
        self.holds = HoldDesk(services, self)  # messages held for review (`hold`)
        self.engine: Decider = engine if engine is not None else _default_engine(services)
        self.resources: ResourceLoader = (resources if resources is not None
                                          else default_resources(services))
        self.strikes = strike_policy or strike_policy_from(self.engine)
        self._strikes_from_policy = strike_policy is None  # (a reload refreshes them)
        # one member's messages are judged against their strikes one at a time
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary())
        self.last_purge: datetime | None = None  # the clock time of the last purge
        # (group, member, rule, message or content) -> (case number, when) of recent automod
        self._automod_recent: dict[tuple[str, str, str, str], tuple[int, datetime]] = {}
        self.names = RecentNames()

    # -- wiring --------------------------------------------------------------------------
    def register(self, registry: CommandRegistry) -> None:
        mod = Access.MODERATOR
        member = OptionSpec("member", OptionKind.MEMBER, "the member")
        registry.command("mod strikes", "A member's strikes, after decay", member,
                         access=mod, private=True)(self.cmd_strikes)
        # /mod warn and /mod pardon: groupbot.features.manual_actions
        registry.command("mod case", "Show a case; amend its reason; or close it",
                         OptionSpec("id", OptionKind.INTEGER, "the case number", min_value=1,
                                    missing=NO_CASE),
                         OptionSpec("action", OptionKind.CHOICE, "what to do", required=False,
                                    choices=("show", "reason", "close")),
                         OptionSpec("text", OptionKind.TEXT, "the new reason, or a closing note",
                                    required=False),
                         access=mod, private=True)(self.cmd_case)
        self.queue.register(registry)
        self.holds.register(registry)
        registry.command("mod cases", "Find cases, newest first, a page at a time",
                         OptionSpec("member", OptionKind.MEMBER, "only cases about this member",
                                    required=False),
                         OptionSpec("category", OptionKind.CHOICE, "only cases in this category",
                                    required=False, choices=CATEGORIES),
                         OptionSpec("since", OptionKind.STRING, SINCE_HELP, required=False),
                         OptionSpec("page", OptionKind.INTEGER,
                                    f"which page ({PAGE_SIZE} cases a page)", required=False,
                                    min_value=1),
                         access=mod, private=True)(self.cmd_cases)
        registry.command("mod policy show", "The moderation policy in force",
                         access=mod, private=True)(self.cmd_policy_show)
        registry.command("mod policy test", "A dry run: what would happen to this text, and why",
                         OptionSpec("text", OptionKind.TEXT, "the text to test"),
                         access=mod, private=True)(self.cmd_policy_test)
        registry.command("mod policy reload",
                         "Re-read the policy and resources files (kept as they are if either "
                         "has errors)", access=mod, private=True, slow=True
                         )(self.cmd_policy_reload)
        registry.command("mod policy keep-text",
                         "Keep message text in cases for N days (0: keep only a hash)",
                         OptionSpec("days", OptionKind.INTEGER, "days, 0 to turn off",
                                    min_value=0, max_value=MAX_KEEP_TEXT_DAYS),
                         access=mod, private=True)(self.cmd_keep_text)
        registry.command("appeal", "Ask the moderators to review a case about you",
                         OptionSpec("case", OptionKind.INTEGER, "the case number", min_value=1,
                                    missing=NOT_YOURS),
                         OptionSpec("text", OptionKind.TEXT, "what you'd like them to know"),
                         private=True)(self.cmd_appeal)
        registry.add_button("gb:care:reach:", self.btn_reach)
        registry.add_button("gb:care:ok:", self.btn_ok)
        registry.add_button(TALK_BUTTON, self.btn_talk)

    async def start(self) -> None:
        # The engine builds its reading tables (the spelling list, the lexicons) on the first
        # message that needs them: ~15 MB and half a second from source, which would land on
        # the first member to post (the event loop blocked meanwhile) and stay outside what
        # `settle_heap` freezes. Build them now, with a dry run that touches each reader.
        self.engine.decide(WARM_UP_TEXT)
        await self.outbox.start()  # first: it replays what an earlier run could not write
        try:
            await self.purge()
        except Exception:  # (the hourly purge tries again)
            log.exception("purging expired case texts at start failed")
        self.services.upkeep.every(PURGE_EVERY, "moderation: erase expired case texts",
                                   self.purge)
        await self.queue.start()

    async def stop(self) -> None:
        await self.outbox.stop()

    async def idle(self) -> None:
        await self.outbox.idle()

    async def purge(self) -> None:
        """Erase the case texts kept past their group's retention (an upkeep job)."""
        now = self.services.clock.now()
        erased = await self.cases.purge_expired(now)
        if erased:
            log.info("erased expired case texts", extra={"count": erased})
        self.last_purge = now

    # -- judging -------------------------------------------------------------------------
    def judge(self, text: str, *, stateful: bool = False, **ctx: Any) -> Verdict:
        """Run the engine; a failure inside it fails open to `escalate`, never to silence.

        `ctx`: group_id, channel_id, channel_name, author_id, author_is_moderator, mentions.
        With `stateful`, the engine's bounded flood/repeat history applies (live messages)."""
        try:
            if stateful:
                return self.engine.decide(text, stateful=True,
                                          now=self.services.clock.now().timestamp(), **ctx)
            return self.engine.decide(text, **ctx)
        except Exception as exc:
            log.exception("moderation engine failed", extra={"group": ctx.get("group_id")})
            return Verdict(Action.ESCALATE, rules=("engine.error",),
                           reason="the moderation engine failed on this message",
                           error=f"{type(exc).__name__}: {exc}"[:300])

    async def on_message(self, message: Message) -> bool:
        if message.author.is_bot:
            return False
        # edits are re-checked, but only new messages feed the flood and repeat history
        # Insults aimed at a member by name ("sam is an idiot") need the names of the
        # people in the conversation: those who have posted here lately, not the author.
        names = self.names.seen(message.group.id, message.author.id,
                                message.author.display_name)
        verdict = self.judge(message.text, stateful=not message.edited,
                             group_id=message.group.id, channel_id=message.channel.id,
                             channel_name=message.channel.name, author_id=message.author.id,
                             author_is_moderator=message.author.is_moderator,
                             mentions=tuple(message.mentions), member_names=names)
        if verdict.action is Action.ALLOW and verdict.error is None:
            return False
        verdict = _care_first(verdict)
        if message.edited and await self._already_handled(message, verdict):
            return True
        source = "edit" if message.edited else "message"
        async with self._lock(message.group.id, message.author.id):
            if verdict.action is Action.SUPPORT:
                await self._care(message.group, message.author, verdict, source,
                                 channel=message.channel, message_id=message.id,
                                 text=message.text)
            elif verdict.action is Action.CARE:
                await self._care_note(message.group, message.author)
            elif verdict.action is Action.HOLD:
                await self.holds.hold(message, verdict, source)
            else:
                await self._enforce(message, verdict, source)
        return True

    def member_lock(self, group_id: str, member_id: str) -> asyncio.Lock:
        """One member's strikes are read and written by one action at a time, the ladder's or
        a moderator's (`groupbot.features.manual_actions`)."""
        return self._lock(group_id, member_id)

    def _lock(self, group_id: str, member_id: str) -> asyncio.Lock:
        key = (group_id, member_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def _already_handled(self, message: Message, verdict: Verdict) -> bool:
        """An edit that changes nothing about the verdict is not a second offence. (Cases
        that could not be read count as none: the edit is handled.)"""
        earlier = await self.outbox.message_cases(message.group.id, message.id)
        return any(action == verdict.action.value and
                   set(verdict.categories) <= set(categories) and
                   verdict.severity <= severity for action, categories, severity in earlier)

    # -- the policy's view of a verdict -------------------------------------------------
    def _scope_categories(self, group_id: str, channel: Channel | None
                          ) -> Mapping[str, CategoryPolicy] | None:
        policy = self.engine.policy
        if policy is None:
            return None
        try:
            return policy.scope(group_id, channel.id if channel else None,
                                channel.name if channel else None).categories
        except Exception:
            log.exception("reading the policy scope failed", extra={"group": group_id})
            return None

    def strike_weight(self, verdict: Verdict, group_id: str, channel: Channel | None) -> float:
        """Strikes only follow punitive actions (remove, timeout, escalate); never support,
        care or a nudge, nor anything showing distress or crisis. The policy's per-category
        `strike` decides the weight when there is one."""
        if verdict.action not in (Action.REMOVE, Action.TIMEOUT, Action.ESCALATE):
            return 0.0
        if verdict.error is not None:
            return 0.0  # our failure, not the member's
        if not CARE_CATEGORIES.isdisjoint(verdict.categories):
            return 0.0  # care before judgement: distress or crisis never counts as a strike
        cats = self._scope_categories(group_id, channel)
        if cats is not None:
            weights = [float(cats[c].strike) for c in verdict.categories if c in cats]
            return max(weights, default=0.0)
        return dict(self.strikes.action_weights).get(verdict.action, 0.0)

    def guideline(self, verdict: Verdict, group_id: str, channel: Channel | None) -> str:
        """The guideline sentence for the verdict's main category, from the policy if set."""
        cats = self._scope_categories(group_id, channel)
        for category in verdict.categories:
            text = ""
            if cats is not None and category in cats:
                text = cats[category].guideline.strip()
            text = text or GUIDELINES.get(category, "")
            if text:
                return text if text.endswith((".", "!", "?")) else text + "."
        return DEFAULT_GUIDELINE

    # -- the ladder ------------------------------------------------------------------------
    async def _enforce(self, message: Message, verdict: Verdict, source: str) -> None:
        """The ladder. Before acting it reads only the member's strikes; when they cannot be
        read, it acts on the verdict alone (no escalation by strikes) and says so in the case
        and the alert. The message is removed first, before anything is written, so a
        database that cannot be written never leaves it up. The case goes to the outbox
        next: written at once while the database takes it, so the timeout's audit-log reason
        and the messages name it; while storage fails the outbox keeps it and returns at once
        (at the very start of a failure it waits at most its connection's short busy
        timeout), the member and the moderators are told without its number, and it is
        written as soon as storage works again."""
        group, member, channel = message.group, message.author, message.channel
        now = self.services.clock.now()
        action = verdict.action
        weight = self.strike_weight(verdict, group.id, channel)
        before = await self.outbox.strikes(group.id, member.id, now,
                                           self.strikes.half_life_days)
        total = (before or 0.0) + weight
        timeout_step = (self.strikes.reached(total, Action.TIMEOUT)
                        if weight > 0 and before is not None else None)
        review_step = (self.strikes.reached(total, Action.ESCALATE)
                       if weight > 0 and before is not None else None)
        needs_review = (action is Action.ESCALATE or review_step is not None
                        or verdict.error is not None)
        # distress (or crisis) with something moderators should see: they look, the message
        # stays up, no strike (strike_weight), and the member gets the care note
        cared = not CARE_CATEGORIES.isdisjoint(verdict.categories)
        notes: list[str] = []
        if timeout_step is not None and action is not Action.TIMEOUT:
            notes.append(f"strikes reached {total:.1f} (timeout at {timeout_step.points:g})")
        if review_step is not None:
            notes.append(f"strikes reached {total:.1f} (review at {review_step.points:g})")
        if before is None:
            notes.append(STRIKES_UNREAD)
        if verdict.error:
            notes.append(f"engine error: {verdict.error}")

        # the message goes first: removing it waits on nothing stored
        outcome = _Outcome(notes=[])
        guideline = self.guideline(verdict, group.id, channel)
        if action in (Action.REMOVE, Action.TIMEOUT):
            await self._delete(message, outcome)
        recorded = await self.outbox.record(group, [case_op(NewCase(
            member_id=member.id, action=action.value, source=source, channel_id=channel.id,
            message_id=message.id, categories=verdict.categories, rules=verdict.rules,
            reason=verdict.reason, severity=verdict.severity, needs_review=needs_review,
            error=verdict.error, text=message.text, strike_weight=weight, notes=notes,
            keep_text=not cared))], now)
        number = recorded.case
        until = None
        if action is Action.TIMEOUT or timeout_step is not None:
            minutes = verdict.details.get("timeout_minutes")
            if isinstance(minutes, int | float) and minutes > 0:
                length = timedelta(minutes=float(minutes))
            elif timeout_step is not None and timeout_step.minutes > 0:
                length = timedelta(minutes=timeout_step.minutes)
            else:
                length = self.strikes.default_timeout
            until = now + length
            why = verdict.reason or guideline
            await self._pause(group, member, until,
                              f"case {number}: {why}" if number is not None else why, outcome)

        if action is Action.NUDGE:
            await self._dm(group, member, Reply.private(
                f"A gentle reminder about this group's guidelines for your message in "
                f"#{channel.name}: {guideline} Your message is still up; you're welcome to edit "
                "it. Thank you for helping keep this a safe space."), outcome)
        elif action in (Action.REMOVE, Action.TIMEOUT):
            await self._tell_removed(message, number, guideline, outcome)
        if until is not None and outcome.timed_out_until is not None:
            await self._tell_paused(group, member, number, until, guideline, outcome)
        care_note = await self._care_note(group, member) if cared else None
        later: list[dict[str, Any]] = []  # what the case gets now that the platform acted
        if care_note is not None:
            later.append(_note(_CARE_NOTE_DONE[care_note]))
        later.extend(_note(note) for note in outcome.notes)
        fallback = bool(outcome.notes)
        if fallback and not needs_review:
            later.append(_note("the platform could not carry out the action", "review"))
        if needs_review or fallback:
            why = "engine error" if verdict.error else action.value
            later.append({"op": "item", "kind": "escalation", "member": member.id,
                          "reason": f"Case {{case}} ({why}) <@{member.id}>: "
                                    f"{_clip(verdict.reason or ', '.join(verdict.rules), 120)}"})
        item = None
        if later:
            for op in later:
                op["case"] = recorded.case_ref()
            item = (await self.outbox.record(group, later, now)).item
        if needs_review or fallback or action is not Action.NUDGE:
            link = None if outcome.removed else await self._link(group, channel, message.id)
            await self._alert_case(group, member, channel, number, verdict,
                                   total if before is not None else None, outcome,
                                   needs_review or fallback, link, care_note, item)
        log.info("moderation action", extra={
            "group": group.id, "case": number, "action": action.value,
            "rules": ",".join(verdict.rules), "fallback": fallback,
            "recorded": recorded.written})

    async def _delete(self, message: Message, outcome: _Outcome) -> None:
        """Remove the message (a note on `outcome` when the platform could not)."""
        group, channel = message.group, message.channel
        try:
            await self.services.chat.delete_message(group, channel, message.id)
            outcome.removed = True
        except Unsupported as exc:
            log.warning("cannot remove a message on this platform",
                        extra={"group": group.id, "error": str(exc)})
            outcome.notes.append(f"could not remove the message: {exc}")
        except Exception as exc:
            log.exception("removing a message failed", extra={"group": group.id})
            outcome.notes.append(f"removing the message failed: {type(exc).__name__}")

    async def _tell_removed(self, message: Message, number: int | None, guideline: str,
                            outcome: _Outcome) -> None:
        """Tell the author what became of their message (with their copy when removed)."""
        group, member, channel = message.group, message.author, message.channel
        if number is not None:
            appeal = (f"If you think this was a mistake, you can ask the moderators to look "
                      f"again with `/appeal {number} <what you'd like them to know>`.")
            case = f"case {number}"
        else:
            appeal = UNNUMBERED_APPEAL
            case = "a case for the moderators"
        if outcome.removed:
            replies = [Reply.private(
                f"I removed your message in #{channel.name} ({case}). This group's "
                f"guideline: {guideline} Here is a copy of what you wrote, so nothing of yours "
                f"is lost. {appeal}")]
            replies += [Reply.private(chunk) for chunk in _chunks(message.text)]
        else:
            replies = [Reply.private(
                f"Your message in #{channel.name} goes against this group's guidelines: "
                f"{guideline} I can't remove messages here, so I've asked a moderator to take a "
                f"look; please consider editing or deleting it yourself ({case}). "
                f"{appeal}")]
        for reply in replies:
            if not await self._dm(group, member, reply, outcome):
                break

    async def _pause(self, group: Group, member: Member, until: datetime, why: str,
                     outcome: _Outcome) -> None:
        """Time the member out (a note on `outcome` when the platform could not)."""
        try:
            await self.services.chat.timeout_member(group, member, until, why[:450])
            outcome.timed_out_until = until
        except Unsupported as exc:
            log.warning("cannot time out members on this platform",
                        extra={"group": group.id, "error": str(exc)})
            outcome.notes.append(f"could not time out the member: {exc}")
        except Exception as exc:
            log.exception("timing out a member failed", extra={"group": group.id})
            outcome.notes.append(f"timing out the member failed: {type(exc).__name__}")

    async def _tell_paused(self, group: Group, member: Member, number: int | None,
                           until: datetime, guideline: str, outcome: _Outcome) -> None:
        minutes = max(1, round((until - self.services.clock.now()).total_seconds() / 60))
        if number is not None:
            case = f" (case {number})"
            appeal = f"You can appeal with `/appeal {number} <text>`."
        else:
            case, appeal = "", UNNUMBERED_APPEAL
        await self._dm(group, member, Reply.private(
            f"You're paused from posting for about {minutes} minutes{case}. "
            f"{guideline} Take a breather; you're welcome back afterwards. {appeal}"), outcome)

    async def _dm(self, group: Group, member: Member, reply: Reply, outcome: _Outcome, *,
                  public_fallback: bool = True) -> bool:
        try:
            await self.services.chat.send_private(group, member, reply,
                                                  public_fallback=public_fallback)
            return True
        except Exception as exc:
            log.warning("private message failed", extra={"group": group.id,
                                                         "error": type(exc).__name__})
            outcome.notes.append(f"could not message the member privately: {exc}")
            return False

    # -- what other features ask of moderation (groupbot.features.contracts) -----------------
    async def alert(self, group: Group, reply: Reply, *, member_id: str | None = None,
                    item: int | None = None, crisis: bool = False,
                    reason: str | None = None) -> Delivery:
        """Through the queue, which keeps what the moderator log cannot take (in `item`, or
        a new item whose why is `reason`)."""
        return await self.queue.alert(group, reply, member_id=member_id, item=item,
                                      crisis=crisis, reason=reason)

    async def deliver_waiting(self, group: Group) -> tuple[int, int]:
        """Post the alerts that waited for the moderator log (after /mod setup modlog)."""
        return await self.queue.deliver_waiting(group)

    async def open_item(self, group: Group, kind: str, *, member_id: str | None = None,
                        asked_by: str | None = None, case_number: int | None = None,
                        reason: str = "", text: str | None = None) -> QueueItem:
        """Put something in the moderators' queue."""
        return await self.queue.open_item(group, kind, member_id=member_id, asked_by=asked_by,
                                          case_number=case_number, reason=reason, text=text)

    async def _link(self, group: Group, channel: Channel | None,
                    message_id: str | None) -> str | None:
        """Where moderators can see a message that is still up; None when the platform
        gives no link or asking failed (an alert goes out without it)."""
        if channel is None or not message_id:
            return None
        try:
            return await self.services.chat.message_link(group, channel, message_id)
        except Exception:
            log.warning("could not get a link to the message", extra={"group": group.id},
                        exc_info=True)
            return None

    async def _alert_case(self, group: Group, member: Member, channel: Channel,
                          number: int | None, verdict: Verdict, total: float | None,
                          outcome: _Outcome, review: bool, link: str | None = None,
                          care_note: str | None = None, item: int | None = None) -> None:
        """The moderators' alert for a case (`number` None: not written yet; `total` None:
        the member's strikes could not be read)."""
        done = []
        if outcome.removed:
            done.append("removed the message and sent the author a private copy")
        if outcome.timed_out_until is not None:
            done.append(f"paused them until {outcome.timed_out_until:%Y-%m-%d %H:%M} UTC")
        head = f"Case {number}" if number is not None else "A new case"
        lines = [
            f"{head}: {verdict.action.value} for <@{member.id}> in "
            f"#{channel.name} ({', '.join(verdict.categories) or 'no category'}; rules: "
            f"{', '.join(verdict.rules) or 'none'}).",
            f"Reason: {verdict.reason or 'none given'}",
            f"Effective strikes: {total:.1f}." if total is not None else
            "Effective strikes: unknown (my storage could not be read, so the ladder did not "
            "escalate).",
        ]
        if link:
            lines.insert(1, f"The message: {link}")
        if done:
            lines.append("I " + " and ".join(done) + ".")
        if care_note is not None:
            lines.append(
                f"<@{member.id}> also seems to be in distress, so care comes first: nothing was "
                "removed (the message is still up) and no strike was counted. "
                f"{_CARE_NOTE_DONE[care_note]}. If you reach out, please be gentle.")
        if verdict.error:
            lines.append(f"The moderation engine failed on this message ({verdict.error}); the "
                         "message is still up. Please look at it.")
        lines.extend(f"Note: {n}" for n in outcome.notes)
        if number is None:
            lines.append(UNNUMBERED_ALERT)
        elif review and item is not None:
            lines.append(f"This needs a moderator: see `/mod case {number}`. It is item "
                         f"{item} in the queue: take it with `/mod queue claim {item}`, close "
                         f"it with `/mod queue resolve {item} [note]`.")
        elif review:
            lines.append(f"This needs a moderator: see `/mod case {number}`; close it with "
                         f"`/mod case {number} close <note>`.")
        await self.alert(group, Reply.private("\n".join(lines), title="Moderation"),
                          member_id=member.id, item=item,
                          reason=f"{head} ({verdict.action.value}) <@{member.id}> "
                                 f"in #{channel.name}, an alert the moderator log could not take")

    # -- the platform's own automatic moderation ---------------------------------------------
    async def record_automod(self, group: Group, member_id: str, *, rule: str, action: str,
                             trigger: str, channel_id: str | None = None,
                             message_id: str | None = None, content: str | None = None) -> Case:
        """Count an action the platform took itself (Discord AutoMod) in the case log.

        No strike and no message to the member: the platform already acted, on its own rules.
        One rule firing on one message arrives once per action (block, alert, timeout); those
        become notes on one case instead of several cases."""
        await self.services.settings(group)
        async with self._lock(group.id, member_id):  # the events of one trigger race
            return await self._record_automod(group, member_id, rule, action, trigger,
                                              channel_id, message_id, content)

    async def _record_automod(self, group: Group, member_id: str, rule: str, action: str,
                              trigger: str, channel_id: str | None, message_id: str | None,
                              content: str | None) -> Case:
        now = self.services.clock.now()
        key = (group.id, member_id, rule, message_id or content or "")
        self._automod_recent = {k: v for k, v in self._automod_recent.items()
                                if now - v[1] <= AUTOMOD_MERGE}
        recent = self._automod_recent.get(key)
        if recent is not None:
            await self.cases.amend(group.id, recent[0], "note",
                                   f"the platform's automod also did: {action}", "bot", now)
            found = await self.cases.get(group.id, recent[0])
            if found is not None:
                return found
        categories = ("spam",) if trigger in ("spam", "mention_spam") else ()
        case = await self.cases.open_case(group.id, NewCase(
            member_id=member_id, action="automod", source="automod", channel_id=channel_id,
            message_id=message_id, categories=categories, rules=(f"automod.{trigger}",),
            reason=f"the platform's automod rule {rule} ({trigger}) did: {action}",
            severity=1, text=content or None), now)
        self._automod_recent[key] = (case.number, now)
        log.info("automod action recorded", extra={"group": group.id, "case": case.number,
                                                   "action": action, "trigger": trigger})
        return case

    # -- crisis care ---------------------------------------------------------------------
    async def care_for(self, group: Group, member: Member, text: str, source: str) -> None:
        """The crisis-care path for other features (a check-in note): same reply, same
        cooldown, same moderator alert. Never a strike, never a removal."""
        try:
            await self.services.settings(group)  # the group may be new to the store
        except Exception:  # (the outbox creates it with the records)
            log.warning("reading the group's settings failed", extra={"group": group.id})
        verdict = self.judge(text, group_id=group.id, author_id=member.id,
                             author_is_moderator=member.is_moderator)
        if verdict.action is not Action.SUPPORT:
            verdict = Verdict(Action.SUPPORT, categories=("crisis",), rules=(f"{source}",),
                              reason=f"care asked for by {source}",
                              severity=max(1, verdict.severity if "crisis" in verdict.categories
                                           else 1))
        async with self._lock(group.id, member.id):
            await self._care(group, member, verdict, source, text=text)

    async def _care(self, group: Group, member: Member, verdict: Verdict, source: str, *,
                    channel: Channel | None = None, message_id: str | None = None,
                    text: str | None = None) -> None:
        """The crisis path. Before acting it reads only when the member last got the crisis
        reply: when that cannot be read, the reply goes out (never skipped for storage).
        The case is recorded through the outbox first so the reply's buttons can name it;
        when it cannot be written at once, the reply and the moderators' alert go out at
        once anyway, without its number (the reply's button then asks for a moderator
        without a case), and it is written as soon as storage works again."""
        now = self.services.clock.now()
        last = await self.outbox.last_care(group.id, member.id)
        repeat = (last is not None and now - last[0] < CARE_COOLDOWN
                  and verdict.severity <= last[1])
        notes = []
        if repeat and last is not None:
            notes.append("support reply not repeated: sent "
                         f"{_ago(now - last[0])} ago at the same or higher severity")
        recorded = await self.outbox.record(group, [case_op(NewCase(
            member_id=member.id, action=Action.SUPPORT.value, source=source,
            channel_id=channel.id if channel else None, message_id=message_id,
            categories=verdict.categories or ("crisis",), rules=verdict.rules,
            reason=verdict.reason, severity=verdict.severity, text=text, keep_text=False,
            notes=notes))], now)
        number = recorded.case
        later: list[dict[str, Any]] = []
        sent = False
        if not repeat:
            reply = await self._care_reply(group, member, number,
                                           danger=DANGER_LABEL in verdict.reason,
                                           young=text is not None and writer_is_young(text))
            outcome = _Outcome(notes=[])
            sent = await self._dm(group, member, reply, outcome)
            later.extend(_note(note, case=recorded.case_ref()) for note in outcome.notes)
            if sent:
                later.append({"op": "care", "member": member.id,
                              "severity": verdict.severity})
        where = f"a message in #{channel.name}" if channel else f"from their {source}"
        link = await self._link(group, channel, message_id)
        if link:
            where += f": {link}"
        if not sent and not repeat:
            # nobody has reached them: that is a request for a moderator, and it waits in the
            # queue (crisis first, announced again) until one of them takes it; one at a time
            # (it joins a request already waiting for them)
            later.append({"op": "item", "kind": "crisis", "member": member.id, "join": True,
                          "case": recorded.case_ref(),
                          "reason": f"<@{member.id}> may be in crisis and I could not reach "
                                    "them privately (case {case})"})
        item = (await self.outbox.record(group, later, now)).item if later else None
        if sent:
            said = "I sent them support resources privately and offered a moderator's help."
        elif repeat:
            said = ("I sent them support resources recently, so I didn't repeat them. They may "
                    "still need someone.")
        elif item is not None:
            said = ("I could NOT reach them privately (the private message failed); please "
                    "reach out to them yourselves. It is item "
                    f"{item} in the queue: take it with `/mod queue claim {item}` so the others "
                    "know.")
        else:
            said = ("I could NOT reach them privately (the private message failed); please "
                    "reach out to them yourselves. It goes into `/mod queue` as a crisis "
                    "request as soon as my storage works again.")
        # What kind of signs (not their words): danger from someone asks for a different
        # kind of check-in than thoughts of suicide.
        signs = verdict.reason.partition(" (severity")[0].removeprefix("crisis: ")
        noticed = f" I noticed {signs}." if signs.startswith("signs of") else ""
        head = f"Case {number}: " if number is not None else ""
        case = f"case {number}" if number is not None else "its case number follows"
        await self.alert(group, Reply.private(
            f"{head}<@{member.id}> may be going through a very hard time "
            f"({where}).{noticed} {said} I haven't removed anything or said anything in public, "
            "and I'm not quoting their words here. If you can, check in with them gently and "
            "privately.", title="Support"), member_id=member.id, item=item, crisis=True,
            reason=f"<@{member.id}> may be going through a very hard time ({case}); the "
                   "moderator log could not take the alert")
        log.info("crisis care", extra={"group": group.id, "case": number,
                                       "sent": sent, "repeat": repeat,
                                       "recorded": recorded.written})

    async def _care_reply(self, group: Group, member: Member, case_number: int | None,
                          danger: bool = False, young: bool = False) -> Reply:
        """(Without a case number, its button asks for a moderator without naming a case.)"""
        try:
            region = (await self.services.settings(group)).region
        except Exception:  # the configured default: the reply never waits on storage
            log.warning("reading the group's region failed", extra={"group": group.id})
            region = self.services.config.region
        if danger:  # someone is hurting them: lines for that first, and care for their phone
            opening = ("It sounds like someone may be hurting you. I'm glad you said "
                       "something, and what they do is not your fault.")
            after = ["If someone else may read your messages, it can be safer to delete this "
                     "conversation once you have what you need, and your message in the group "
                     "too (a moderator can remove it for you)."]
        else:
            opening = ("It sounds like things might be really heavy right now, and I'm glad "
                       "you said something. You don't have to carry this alone.")
            after = []
        lines = [
            f"Hi {member.display_name}, I wanted to check in with you privately. {opening}",
            "",
            f"{NOT_A_THERAPIST} But there are people who can listen right now:",
            # someone hurting a young member: their lines first; a young member with
            # thoughts of suicide: the crisis lines first, lines for young people after
            *resource_lines(self.resources, region,
                            first=(["young"] if young and danger else []) + (
                                ["danger"] if danger else []),
                            also=["young"] if young and not danger else []),
            "",
            "If you are in danger right now, please call your local emergency number.",
            *after,
            "Your message is still up and I haven't said anything in the channel. If you'd "
            "like, I can ask one of the group's moderators to reach out to you privately.",
        ]
        if case_number is None:
            return Reply.private("\n".join(lines), title="You're not alone", buttons=(
                Button(f"{TALK_BUTTON}{member.id}", "Talk to a moderator privately",
                       ButtonStyle.PRIMARY),))
        return Reply.private("\n".join(lines), title="You're not alone", buttons=(
            Button(f"gb:care:reach:{case_number}", "Talk to a moderator privately",
                   ButtonStyle.PRIMARY),
            Button(f"gb:care:ok:{case_number}", "I'm okay, thanks"),
        ))

    # -- the care note (distress) ------------------------------------------------------------
    async def _care_note(self, group: Group, member: Member) -> str:
        """The care note for a member in distress: private, short, never quoting them, at most
        once every CARE_NOTE_EVERY per member and group. No case and no moderator alert of its
        own, and no public trace even when their DMs are closed (no platform fallback: then
        no note at all). Returns "sent", "recent" (one went out within the window: nothing
        sent) or "failed" (the private message failed; the window does not start). When
        the last note's time cannot be read, the note goes out (and is recorded through the
        outbox, which counts it while it waits)."""
        now = self.services.clock.now()
        last = await self.outbox.last_care_note(group.id, member.id)
        if last is not None and now - last < CARE_NOTE_EVERY:
            log.info("care note not repeated", extra={"group": group.id})
            return "recent"
        if not await self._dm(group, member, care_note_reply(member), _Outcome(notes=[]),
                              public_fallback=False):
            return "failed"
        await self.outbox.record(group, [{"op": "care_note", "member": member.id}], now)
        log.info("care note sent", extra={"group": group.id})
        return "sent"

    async def btn_talk(self, interaction: Interaction) -> Reply:
        """The care note's "talk to a moderator" button. There is no case behind a care note:
        the button carries the id of the member it was sent to."""
        if interaction.custom_id.removeprefix(TALK_BUTTON) != interaction.member.id:
            return Reply.private("That button belongs to someone else.")
        return await self._reach_moderators(
            interaction.group, interaction.member, None,
            "(they asked from a care note I sent them privately)")

    async def _case_for_button(self, interaction: Interaction) -> Case | Reply:
        number = stored_id(interaction.custom_id.rsplit(":", 1)[-1])
        if number is None:
            return Reply.private("That button is no longer in use.")
        case = await self.cases.get(interaction.group.id, number)
        if case is None or case.member_id != interaction.member.id:
            return Reply.private("That button belongs to someone else.")
        return case

    async def btn_reach(self, interaction: Interaction) -> Reply:
        """(When the case cannot be read, the request still goes out, without it.)"""
        try:
            found: Case | Reply | None = await self._case_for_button(interaction)
        except Exception:
            log.warning("reading the case behind a support button failed",
                        extra={"group": interaction.group.id}, exc_info=True)
            found = None
        if isinstance(found, Reply):
            return found
        if found is None:
            return await self._reach_moderators(
                interaction.group, interaction.member, None,
                "(they asked from the support reply I sent them)")
        await self.outbox.record(interaction.group, [_note(
            "the member asked to talk with a moderator", case=found.number,
            by=interaction.member.id)])
        return await self._reach_moderators(interaction.group, interaction.member, found.number)

    async def _reach_moderators(self, group: Group, member: Member, case_number: int | None,
                                context: str = "") -> Reply:
        """A member asked, with a button, for a moderator to message them privately: a
        crisis request in the queue, announced now and again until a moderator takes it."""
        danger = "If you are in danger right now, please call your local emergency number."
        found, _ok = await self.outbox.read("requests waiting", self.queue.repo.find_waiting(
            group.id, kind="crisis", asked_by=member.id))
        waiting = found or []
        if waiting or self.outbox.request_waiting(group.id, member.id):
            # asked already: it is in hand, or still waiting for the first one free
            if waiting and waiting[0].status == "claimed":
                return Reply.private("A moderator has already taken your request and will "
                                     f"message you privately soon. {danger}")
            return Reply.private("I've already let the moderators know, and your request is "
                                 "waiting for the first one who's free. I'll tell you when one "
                                 f"has picked it up. {danger}")
        head = f"Case {case_number}: " if case_number is not None else ""
        where = f"(case {case_number})" if case_number is not None else "(from a care note)"
        item = (await self.outbox.record(group, [{
            "op": "item", "kind": "crisis", "member": member.id, "asked_by": member.id,
            "case": case_number,
            "reason": f"<@{member.id}> asked to talk with a moderator privately {where}"}])).item
        context = f" {context}" if context else ""
        queued = (f"It is item {item} in the queue: take it with `/mod queue claim {item}` so "
                  "the others know (I'll let them know someone has it)." if item is not None
                  else "My storage is failing, so it goes into `/mod queue` as soon as it works "
                       "again; until then, please say here who is reaching out.")
        delivery = await self.alert(group, Reply.private(
            f"{head}<@{member.id}> would like to talk with a moderator privately{context}. "
            f"Please send them a direct message soon. {queued}", title="Support"),
            member_id=member.id, item=item, crisis=item is None)
        if not delivery.reached_anyone:
            return Reply.private(
                "I've passed your request to the moderators, but I couldn't reach any of them "
                "just now, sorry. It's waiting for the first one who checks in, and I'll tell "
                "you when one has picked it up. If you'd like to talk to someone sooner, "
                f"/resources lists people you can reach any time. {danger}")
        return Reply.private(
            "I've let the moderators know. One of them will message you privately as soon as "
            f"they can, and I'll tell you when one has picked it up. {danger}")

    async def btn_ok(self, interaction: Interaction) -> Reply:
        found = await self._case_for_button(interaction)
        if isinstance(found, Reply):
            return found
        await self.outbox.record(interaction.group, [_note(
            "the member said they are okay", case=found.number, by=interaction.member.id)])
        return Reply.private("Thanks for letting me know. If things get heavy, /resources has "
                             "these lines any time, and the moderators are here too.")

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
            f"Status: {'awaiting a moderator' if case.is_open else 'no action needed'}",
        ]
        if case.error:
            lines.append(f"Engine error: {case.error}")
        if case.text is not None and case.text_expires_at is not None:
            lines.append(f"Text (kept until {case.text_expires_at:%Y-%m-%d}): "
                         f"{_clip(case.text, 600)}")
        elif case.text_hash:
            lines.append(f"Text not kept; hash {case.text_hash[:16]}…")
        for a in case.amendments:
            who = "the bot" if a.by_member == "bot" else f"<@{a.by_member}>"
            lines.append(f"  {a.at:%Y-%m-%d %H:%M} {a.kind} by {who}: {_clip(a.body, 300)}")
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
            f"Case {number}: <@{ctx.invoker.id}> appealed: {_clip(text, 1000)}\n"
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
                     f"/resources, at most once every {_span(CARE_NOTE_EVERY)})")
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
        from groupbot.moderation.policy import default_policy_path

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


# -- the care tier ---------------------------------------------------------------------------
def _span(delta: timedelta) -> str:
    """'3 days', '12 hours': a window as people read it."""
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 24 and hours % 24 == 0 else f"{hours:g} hours"


# What became of the care note, for the case and the moderators' alert.
_CARE_NOTE_DONE = {
    "sent": "I sent them a short private care note pointing to /resources",
    "recent": f"They had a care note from me in the last {_span(CARE_NOTE_EVERY)}, so I didn't "
              "send another",
    "failed": "I could not send them a care note (the private message failed)",
}


def care_note_reply(member: Member) -> Reply:
    """The care note: short, warm and plain. It never quotes the member's message."""
    return Reply.private(
        f"Hi {member.display_name}, just a quiet note from me, only to you. It sounds like "
        "things might be heavy right now. It's okay to not be okay here, and you're welcome "
        "to keep sharing with the group.\n\n"
        f"{NOT_A_THERAPIST} If you'd like someone to talk to, /resources lists support lines "
        "you can reach any time, and one of the group's moderators can message you privately "
        "if you'd like.",
        title="Just checking in",
        buttons=(Button(f"{TALK_BUTTON}{member.id}", "Talk to a moderator privately",
                        ButtonStyle.PRIMARY),))


def _care_first(verdict: Verdict) -> Verdict:
    """Care before judgement, held here too: a verdict that shows distress or crisis is never
    carried out as a removal, a hold or a timeout. (The engine never gives one; should it,
    moderators are asked to look instead.)"""
    if (verdict.action in (Action.REMOVE, Action.HOLD, Action.TIMEOUT)
            and not CARE_CATEGORIES.isdisjoint(verdict.categories)):
        return verdict._replace(action=Action.ESCALATE)
    return verdict


# -- helpers ---------------------------------------------------------------------------------
def _note(body: str, kind: str = "note", case: Any = None, by: str = "bot") -> dict[str, Any]:
    """An outbox operation: an amendment on a case (by the bot unless `by`)."""
    return {"op": "note", "kind": kind, "body": body, "by": by, "case": case}


def _chunks(text: str, size: int = PRIVATE_CHUNK) -> list[str]:
    """Split a member's own text for private messages without losing a character."""
    if not text:
        return ["(your message was empty)"]
    return split_text(text, size)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes} minutes" if minutes < 120 else f"{minutes // 60} hours"


def _default_engine(services: Services) -> Decider:
    from groupbot.moderation.engine import ModerationEngine

    return ModerationEngine(services.config.policy_file)


def _read_policy(path: Path) -> Any:
    """Read, check and compile a policy file, off the event loop (raises PolicyErrors)."""
    from groupbot.moderation.engine import compile_policy
    from groupbot.moderation.policy import load_policy

    policy = load_policy(path)
    compile_policy(policy)
    return policy


def strike_policy_from(engine: Decider) -> StrikePolicy:
    """The policy's strike settings (half-life, thresholds) when the engine has a policy."""
    if engine.policy is None:
        return StrikePolicy()
    found = engine.policy.strikes
    steps = tuple(sorted((Threshold(float(t.points), t.action, t.minutes or 0)
                          for t in found.thresholds), key=lambda t: t.points))
    if found.half_life_days > 0:
        return StrikePolicy(half_life_days=float(found.half_life_days), thresholds=steps)
    return StrikePolicy(thresholds=steps)


__all__ = ["Decider", "ModerationFeature", "ResourceBook", "StrikePolicy", "Threshold",
           "format_resource", "resource_lines"]
