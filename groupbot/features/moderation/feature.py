"""The moderation feature, composed of its parts: each message is judged (`judging`), then
cared for (`care`), held (`groupbot.features.hold`) or carried up the ladder (`ladder`);
the moderators' commands are in `commands`. Here: the wiring, the message hook, the
per-member locks, and what other features ask of moderation.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from datetime import datetime, timedelta

from groupbot.core.commands import Access, CommandRegistry, OptionKind, OptionSpec
from groupbot.core.types import Group, Message, Reply
from groupbot.features.base import Feature, Services
from groupbot.features.case_log import NO_CASE, PAGE_SIZE, SINCE_HELP
from groupbot.features.hold import HoldDesk
from groupbot.features.moderation.care import TALK_BUTTON, CareMixin
from groupbot.features.moderation.commands import NOT_YOURS, CommandsMixin
from groupbot.features.moderation.engine import Decider, default_engine
from groupbot.features.moderation.judging import JudgingMixin, _care_first
from groupbot.features.moderation.ladder import LadderMixin
from groupbot.features.moderation.names import RecentNames
from groupbot.features.moderation.strikes import StrikePolicy, strike_policy_from
from groupbot.features.outbox import Outbox
from groupbot.features.queue import Delivery, ModeratorQueue
from groupbot.features.resource_book import ResourceLoader, default_resources
from groupbot.moderation.verdict import CATEGORIES, Action, Verdict
from groupbot.storage.cases import MAX_KEEP_TEXT_DAYS, Case, NewCase
from groupbot.storage.queue import QueueItem

log = logging.getLogger(__name__)


AUTOMOD_MERGE = timedelta(seconds=30)  # one trigger's several actions arrive as several events

PURGE_EVERY = timedelta(hours=1)

# a dry run at start (see `ModerationFeature.start`): non-ASCII, a misspelling, a target
WARM_UP_TEXT = "Ｗarming up: you are a stupd idiot, I can't do this anymore — café?"


class ModerationFeature(LadderMixin, CareMixin, CommandsMixin, JudgingMixin, Feature):
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
        self.engine: Decider = engine if engine is not None else default_engine(services)
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
