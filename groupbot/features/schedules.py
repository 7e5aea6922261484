"""/mod schedule: recurring prompts and check-ins per channel, exactly once each.

Moderators say when in plain words (`weekly mon 09:00`) or cron, in the group's time zone or a
`tz=` override. Everything is validated before anything is stored, so a bad command changes
nothing. Posting is the dispatcher's job (`groupbot.scheduling.dispatcher`).
"""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from typing import Any

from groupbot.core.commands import Access, CommandContext, CommandRegistry, OptionKind, OptionSpec
from groupbot.core.errors import UsageError
from groupbot.core.types import Channel, Group, Reply
from groupbot.features.base import Feature, Services
from groupbot.features.contracts import ModeratorAlerts, Prompts, ScheduledCheckins
from groupbot.prompts_library.render import pick_reply
from groupbot.scheduling.dispatcher import PRUNE_EVERY, Dispatcher
from groupbot.scheduling.jobs import Prepared, channel_of, group_of, what
from groupbot.scheduling.limiter import RateLimiter
from groupbot.scheduling.when import (
    Occurrence,
    Recurrence,
    WhenError,
    describe,
    recurrence,
    split_when_and_theme,
    zone,
)
from groupbot.storage.schedules import ScheduleRow

MAX_PER_GROUP = 50
MIN_INTERVAL = timedelta(hours=1)  # more often than this would flood a support channel
DEFAULT_GRACE_MINUTES = 60
CHECKIN_WORDS = ("checkin", "check-in", "checkins", "check-ins")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NO_SCHEDULE = "There is no schedule {} in this group. See /mod schedule list."


class SchedulesFeature(Feature):
    name = "schedules"
    requires = ("moderation", "prompts", "checkins")

    def __init__(self, services: Services, *, grace_minutes: int = DEFAULT_GRACE_MINUTES,
                 limiter: RateLimiter | None = None) -> None:
        super().__init__(services)
        self.repo = services.store.schedules
        self.grace_minutes = grace_minutes
        self.dispatcher = Dispatcher(
            self.repo, services.chat, services.clock, self._content,
            limiter=limiter or RateLimiter(services.chat.rate_limits, services.clock),
            alert=self._alert,
            claim_lease=timedelta(seconds=services.config.schedules.claim_lease_seconds))

    async def _alert(self, group: Group, reply: Reply) -> None:
        """Through the moderation queue: it keeps what the moderator log cannot take and
        reaches moderators by direct message."""
        await self.services.need("moderation", ModeratorAlerts).alert(group, reply)

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        await self.dispatcher.start()  # (it prunes the ledger first)
        self.services.upkeep.every(PRUNE_EVERY, "schedules: prune the occurrence ledger",
                                   self.dispatcher.prune)
        # other processes on the same database (shards, a second host): their interrupted
        # posts are settled by a survivor once the lease runs out, not only at a restart
        self.services.upkeep.every(max(self.dispatcher.claim_lease, timedelta(seconds=1)),
                                   "schedules: settle claims a stopped peer left",
                                   self.dispatcher.sweep_claims)

    async def stop(self) -> None:
        await self.dispatcher.stop()

    async def idle(self) -> None:
        await self.dispatcher.wait_idle()

    def register(self, registry: CommandRegistry) -> None:
        mod = Access.MODERATOR
        ident = OptionSpec("id", OptionKind.INTEGER, "the schedule's number (see list)",
                           min_value=1, missing=NO_SCHEDULE)
        registry.command(
            "mod schedule add", "Post prompts (or check-ins) in a channel on a schedule",
            OptionSpec("channel", OptionKind.CHANNEL, "where to post"),
            OptionSpec("when", OptionKind.TEXT,
                       "e.g. weekly mon 09:00, daily 19:30, every 2 weeks fri 18:00, or cron; "
                       "then an optional theme, or 'checkin'"),
            OptionSpec("tz", OptionKind.STRING, "time zone, e.g. Europe/Berlin", required=False,
                       keyword_only=True),
            OptionSpec("grace", OptionKind.INTEGER,
                       "minutes a late post may still go out after downtime", required=False,
                       keyword_only=True, min_value=1, max_value=1440),
            access=mod, private=True,
        )(self.add)
        registry.command("mod schedule list", "The group's schedules and their next posts",
                         access=mod, private=True)(self.list)
        registry.command("mod schedule next", "The next scheduled posts in this group",
                         access=mod, private=True)(self.next)
        registry.command("mod schedule pause", "Pause a schedule", ident, access=mod,
                         private=True)(self.pause)
        registry.command("mod schedule resume", "Resume a paused schedule from now on", ident,
                         access=mod, private=True)(self.resume)
        registry.command("mod schedule skip", "Skip a schedule's next post", ident, access=mod,
                         private=True)(self.skip)
        registry.command("mod schedule remove", "Delete a schedule", ident, access=mod,
                         private=True)(self.remove)
        registry.command(
            "mod schedule except", "No post on a date (a holiday), or undo that",
            ident,
            OptionSpec("date", OptionKind.STRING, "YYYY-MM-DD, in the schedule's time zone"),
            OptionSpec("action", OptionKind.CHOICE, "add (default) or remove", required=False,
                       choices=("add", "remove")),
            access=mod, private=True,
        )(self.except_date)

    # -- what gets posted ------------------------------------------------------------------
    async def _content(self, row: ScheduleRow, occ: Occurrence) -> Reply | Prepared:
        if row.kind == "checkin":
            checkins = self.services.need("checkins", ScheduledCheckins)
            reply = await checkins.scheduled_reply(group_of(row), channel_of(row), row.id,
                                                   occ.key, when=row.when_text)
            return Prepared(reply, ref="checkin")
        prompts = self.services.need("prompts", Prompts)
        pick = await prompts.next_pick(row.group_id, row.channel_id, row.theme)

        async def undo() -> None:
            await prompts.release(pick, row.group_id, row.channel_id)

        return Prepared(pick_reply(pick, theme_title=prompts.theme_title(pick.prompt.theme)),
                        undo, ref=f"prompt:{pick.prompt.id}")

    # -- commands ----------------------------------------------------------------------------
    async def add(self, ctx: CommandContext) -> Reply:
        channel: Channel = ctx.args["channel"]
        when, theme = split_when_and_theme(ctx.args["when"])
        settings = await self.services.settings(ctx.group)
        tz_name = str(ctx.arg("tz") or settings.timezone).strip()
        zone(tz_name)  # raises WhenError for an unknown zone
        kind = "prompt"
        if theme is not None and theme.lower() in CHECKIN_WORDS:
            kind, theme = "checkin", None
        if theme is not None:
            theme = self._check_theme(theme)
        await self._check_channel(ctx.group, channel)
        if await self.repo.count_for_group(ctx.group.id) >= MAX_PER_GROUP:
            raise UsageError(f"This group already has {MAX_PER_GROUP} schedules; remove one "
                             "first (/mod schedule list).")
        now = self.services.clock.now()
        rec = Recurrence(when, tz_name).bind(now)
        upcoming = _take(rec, now, 6)
        if not upcoming:
            raise WhenError("That schedule never happens in the coming years.")
        for a, b in itertools.pairwise(upcoming):
            if b.due - a.due < MIN_INTERVAL:
                raise WhenError("That would post more than once an hour, which would flood the "
                                "channel. Pick times at least an hour apart.")
        grace = int(ctx.arg("grace") or self.grace_minutes)
        sid = await self.repo.add(
            group_id=ctx.group.id, channel_id=channel.id, channel_name=channel.name, kind=kind,
            theme=theme, when_text=when.text, timezone=tz_name,
            anchor=rec.anchor.isoformat() if rec.anchor else None, created_by=ctx.invoker.id,
            now=now, grace_seconds=grace * 60)
        await self.dispatcher.refresh(sid)
        label = "check-ins" if kind == "checkin" else (f"prompts on {theme}" if theme
                                                        else "prompts")
        times = "\n".join(f"• {describe(o, tz_name)}" for o in upcoming[:3])
        return Reply.private(f"Schedule {sid}: {label} in #{channel.name}, {when.text} "
                             f"({tz_name}). The next three:\n{times}")

    def _check_theme(self, theme: str) -> str:
        slug = "-".join(theme.lower().split())
        if len(slug) > 60 or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
            raise UsageError(f"'{slug[:40]}' is not a theme name (letters, digits and dashes). "
                             "See /mod prompt list for the themes.")
        # raises UsageError naming the known themes
        return self.services.need("prompts", Prompts).resolve_theme(theme)

    async def _check_channel(self, group: Group, channel: Channel) -> None:
        # (None: the platform cannot tell beforehand; then the first post will say)
        if await self.services.chat.can_post(group, channel) is False:
            raise UsageError(f"I can't post in #{channel.name}. Give me permission to send "
                             "messages there (and to create threads), or pick another channel.")

    async def _row(self, ctx: CommandContext) -> ScheduleRow:
        sid = int(ctx.args["id"])
        row = await self.repo.get(sid, ctx.group.id)
        if row is None:
            raise UsageError(NO_SCHEDULE.format(sid))
        return row

    async def _upcoming(self, row: ScheduleRow, n: int) -> list[Occurrence]:
        """The next `n` posts that will really happen (not on exception dates, not skipped)."""
        rec = recurrence(row.when_text, row.timezone, row.anchor)
        now = self.services.clock.now()
        candidates = _take(rec, max(now, row.armed_from), n * 4 + 8)
        excepted = (await self.repo.exceptions([row.id])).get(row.id, set())
        handled = await self.repo.handled(row.id, [o.key for o in candidates])
        return [o for o in candidates
                if o.local_date not in excepted and o.key not in handled][:n]

    def _describe_row(self, row: ScheduleRow) -> str:
        return (f"{row.id} · #{row.channel_name} · {what(row)} · {row.when_text} "
                f"({row.timezone})")

    async def list(self, ctx: CommandContext) -> Reply:
        rows = await self.repo.for_group(ctx.group.id)
        if not rows:
            return Reply.private("No schedules yet. Add one with /mod schedule add #channel "
                                 "weekly mon 09:00 [theme].")
        excepted = await self.repo.exceptions([r.id for r in rows])
        lines = ["Schedules:"]
        for row in rows:
            line = self._describe_row(row)
            if row.paused:
                line += " · paused"
            else:
                nxt = await self._upcoming(row, 1)
                line += f" · next: {describe(nxt[0], row.timezone)}" if nxt else " · no next post"
            dates = sorted(excepted.get(row.id, set()))
            if dates:
                line += f" · no post on {', '.join(dates[:6])}" + (" …" if len(dates) > 6 else "")
            lines.append(line)
        return Reply.private("\n".join(lines))

    async def next(self, ctx: CommandContext) -> Reply:
        rows = [r for r in await self.repo.for_group(ctx.group.id) if not r.paused]
        items: list[tuple[Occurrence, ScheduleRow]] = []
        for row in rows:
            items.extend((o, row) for o in await self._upcoming(row, 3))
        if not items:
            return Reply.private("Nothing is scheduled. See /mod schedule list.")
        items.sort(key=lambda item: item[0].due)
        lines = [f"• {describe(o, r.timezone)}: {what(r)} in #{r.channel_name} (schedule {r.id})"
                 for o, r in items[:10]]
        return Reply.private("Next scheduled posts:\n" + "\n".join(lines))

    async def pause(self, ctx: CommandContext) -> Reply:
        row = await self._row(ctx)
        if not await self.repo.set_paused(row.id, True, self.services.clock.now()):
            return Reply.private(f"Schedule {row.id} is already paused.")
        await self.dispatcher.refresh(row.id)
        return Reply.private(f"Paused schedule {row.id} ({what(row)} in #{row.channel_name}). "
                             f"/mod schedule resume {row.id} starts it again.")

    async def resume(self, ctx: CommandContext) -> Reply:
        row = await self._row(ctx)
        if not await self.repo.set_paused(row.id, False, self.services.clock.now()):
            return Reply.private(f"Schedule {row.id} is not paused.")
        await self.dispatcher.refresh(row.id)
        fresh = await self.repo.get(row.id)
        nxt = await self._upcoming(fresh, 1) if fresh else []
        when = f" The next post is {describe(nxt[0], row.timezone)}." if nxt else ""
        return Reply.private(f"Resumed schedule {row.id}; posts missed while it was paused are "
                             f"not made up.{when}")

    async def skip(self, ctx: CommandContext) -> Reply:
        row = await self._row(ctx)
        if row.paused:
            raise UsageError(f"Schedule {row.id} is paused; resume it first.")
        upcoming = await self._upcoming(row, 2)
        if not upcoming:
            return Reply.private(f"Schedule {row.id} has no upcoming post to skip.")
        occ = upcoming[0]
        now = self.services.clock.now()
        if not await self.repo.record(row.id, occ.key, occ.due, "skipped",
                                      f"skipped by {ctx.invoker.id}", now):
            return Reply.private("That post is already being made; nothing was skipped.")
        after = f" The next is {describe(upcoming[1], row.timezone)}." if len(upcoming) > 1 \
            else ""
        return Reply.private(f"Skipped the post due {describe(occ, row.timezone)}.{after}")

    async def remove(self, ctx: CommandContext) -> Reply:
        row = await self._row(ctx)
        await self.repo.remove(row.id)
        await self.dispatcher.refresh(row.id)
        return Reply.private(f"Removed schedule {self._describe_row(row)}.")

    async def except_date(self, ctx: CommandContext) -> Reply:
        row = await self._row(ctx)
        text = str(ctx.args["date"]).strip()
        try:
            if not _DATE.match(text):
                raise ValueError
            day = date.fromisoformat(text)
        except ValueError:
            raise UsageError(f"'{text[:20]}' is not a date. Use YYYY-MM-DD, like 2026-12-25. "
                             f"Usage: {ctx.spec.usage()}") from None
        if ctx.arg("action") == "remove":
            if await self.repo.remove_exception(row.id, day.isoformat()):
                return Reply.private(f"Schedule {row.id} will post on {day.isoformat()} again.")
            return Reply.private(f"{day.isoformat()} was not an exception date of schedule "
                                 f"{row.id}.")
        if not await self.repo.add_exception(row.id, day.isoformat(), ctx.invoker.id):
            return Reply.private(f"{day.isoformat()} is already an exception date of schedule "
                                 f"{row.id}.")
        today = self.services.clock.now().astimezone(zone(row.timezone)).date()
        note = " (That date has already passed.)" if day < today else ""
        return Reply.private(f"Schedule {row.id} will not post on {day.isoformat()} "
                             f"({row.timezone}).{note}")


def _take(rec: Recurrence, after: Any, n: int) -> list[Occurrence]:
    out: list[Occurrence] = []
    for occ in rec.iter_after(after):
        out.append(occ)
        if len(out) >= n:
            break
    return out
