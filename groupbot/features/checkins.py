"""Check-ins: how members are doing, 1 to 5, with an optional private note.

Answers are private. A member sees only their own (`/checkin history`); moderators see only
aggregates of at least five members (`/mod checkin summary`). A 1, or a note in crisis
language, starts the care path: the moderation feature's `care_for`, or, should that fail, the
/resources reply in private plus a moderator alert. The bot is not a therapist; it points to
people who can help.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from groupbot.core.commands import (
    Access,
    CommandContext,
    CommandRegistry,
    OptionKind,
    OptionSpec,
    as_list,
    stored_id,
)
from groupbot.core.types import (
    Button,
    ButtonStyle,
    Channel,
    Group,
    Interaction,
    Member,
    Reply,
    Visibility,
)
from groupbot.features.base import Feature, Services
from groupbot.features.contracts import Care, ModeratorAlerts
from groupbot.storage.checkins import K_ANONYMITY, Aggregate

log = logging.getLogger(__name__)

BUTTON_PREFIX = "gb:checkin:mood:"
MOODS = {1: "really hard", 2: "hard", 3: "okay", 4: "good", 5: "great"}
REMIND_AFTER = timedelta(hours=24)
REMIND_WINDOW = timedelta(days=3)  # reminders older than this are not sent late
REMIND_TICK = timedelta(minutes=5)  # how often the upkeep job looks for reminders due
ATTACH_WINDOW = timedelta(days=7)  # a typed /checkin counts toward this week's post
NOTE_MAX = 1000
SUMMARY_WINDOW = timedelta(days=30)

# Plain phrases that mean someone may not be safe. Deliberately small: the moderation feature,
# when present, makes the real judgement in care_for.
_CRISIS = re.compile(
    r"\b(kill(ing)? myself|suicid\w*|end(ing)? (it all|my life|it)|want(ed)? to die|"
    r"(don'?t|do not) want to (be alive|live|be here)|no reason to live|self[- ]?harm\w*|"
    r"hurt(ing)? myself|cut(ting)? myself|better off (dead|without me)|overdose)\b",
    re.IGNORECASE,
)
_KIND_FALLBACK = (
    "Thank you for telling me. I'm a bot, not a crisis service, but you don't have to carry "
    "this alone. If you might act on thoughts of harming yourself, please call your local "
    "emergency number now, or a crisis line in your country. A moderator of this group has "
    "been told so someone can check in with you."
)
CHECKIN_TEXT = (
    "{question} Choose a number from 1 (really hard) to 5 (great).\n"
    "Your answer is private: only you can see it (/checkin history). Moderators only ever see "
    "totals once at least five people have answered. To add a private note, type "
    "/checkin <number> <note>.\n"
    "If you choose 1, or write that you're not safe, I'll send you support resources and let "
    "a moderator know so someone can reach out."
)


def post_wording(when: str | None) -> tuple[str, str]:
    """A check-in post's title and question, as often as its schedule's <when> posts it
    (`None`: posted by hand)."""
    first = (when or "").lower().split()[:1]
    if first in (["daily"], ["weekdays"]):
        return "Daily check-in", "How are you doing today?"
    if first == ["weekly"]:
        return "Weekly check-in", "How are you doing this week?"
    return "Check-in", "How are you doing?"


def has_crisis_language(text: str | None) -> bool:
    return bool(text) and _CRISIS.search(text or "") is not None


def clean_note(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = "".join(ch for ch in str(text) if ch.isprintable() or ch == "\n").strip()
    if not cleaned:
        return None
    if len(cleaned) > NOTE_MAX:
        cleaned = cleaned[: NOTE_MAX - 1] + "…"
    return cleaned


def mood_buttons(checkin_id: int) -> tuple[Button, ...]:
    """Persistent ids: clicks are routed after restarts (0 = a check-in not tied to a post)."""
    return tuple(Button(f"{BUTTON_PREFIX}{checkin_id}:{n}", f"{n} · {label}",
                        ButtonStyle.PRIMARY if n == 3 else ButtonStyle.SECONDARY)
                 for n, label in MOODS.items())


class CheckinsFeature(Feature):
    name = "checkins"
    requires = ("moderation",)  # the care path, and the moderators' alerts

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.repo = services.store.checkins

    def register(self, registry: CommandRegistry) -> None:
        self.registry = registry
        registry.command(
            "checkin now", "Check in: how you're doing, 1 to 5, with an optional private note "
                           "(typing just /checkin works too)",
            OptionSpec("mood", OptionKind.INTEGER, "1 (really hard) to 5 (great)",
                       required=False, min_value=1, max_value=5),
            OptionSpec("note", OptionKind.TEXT, "a private note only you can see",
                       required=False),
            private=True, default=True,
        )(self.checkin)
        registry.command("checkin history", "Your own check-ins (only you see them)",
                         private=True)(self.history)
        registry.command("checkin remind", "A private reminder when you haven't checked in",
                         OptionSpec("state", OptionKind.CHOICE, "on or off",
                                    choices=("on", "off")),
                         private=True)(self.remind)
        mod = Access.MODERATOR
        registry.command("mod checkin post", "Post a check-in now",
                         OptionSpec("channel", OptionKind.CHANNEL, "where (default: here)",
                                    required=False),
                         access=mod, private=True)(self.post_now)
        registry.command("mod checkin summary", "Totals of recent check-ins (never one "
                                                "member's answers)",
                         access=mod, private=True)(self.summary)
        registry.add_button(BUTTON_PREFIX, self.mood_button)

    # -- lifecycle: reminders ----------------------------------------------------------------
    async def start(self) -> None:
        self.services.upkeep.every(REMIND_TICK, "checkins: reminders",
                                   self.send_due_reminders)

    async def send_due_reminders(self) -> datetime | None:
        """Remind members who asked for it and have not answered a post 24 h old. Returns
        when the next reminder is due (or None). Only for the groups this process serves
        (Discord shards on several hosts share one database)."""
        now = self.services.clock.now()
        next_at: datetime | None = None
        for post in await self.repo.posts_to_remind(now - REMIND_WINDOW):
            due = post.created_at + REMIND_AFTER
            if not self.services.chat.owns_group(post.group_id):
                continue  # another process's shard serves this group: it reminds them
            if due > now:
                next_at = due if next_at is None else min(next_at, due)
                continue
            if not await self.repo.mark_reminded(post.id):
                continue
            answered = await self.repo.answered(post.id)
            group = await self.repo.group(post.group_id)
            if group is None:
                continue
            for member_id in await self.repo.reminder_members(post.group_id):
                if member_id in answered:
                    continue
                try:
                    await self.services.chat.send_private(
                        group, Member(member_id, member_id),
                        Reply.private("A gentle reminder: the group's check-in is open. Answer "
                                      "with the buttons below, or type /checkin 1-5 with an "
                                      "optional note. No pressure. (/checkin remind off stops "
                                      "these.)", buttons=self._buttons(post.id)))
                except Exception:
                    log.exception("could not send a check-in reminder")
        return next_at

    # -- posting -----------------------------------------------------------------------------
    def _buttons(self, checkin_id: int) -> tuple[Button, ...]:
        return mood_buttons(checkin_id) if self.services.chat.capabilities.buttons else ()

    def _post_reply(self, checkin_id: int, when: str | None = None) -> Reply:
        title, question = post_wording(when)
        text = CHECKIN_TEXT.format(question=question)
        if not self.services.chat.capabilities.buttons:
            text += "\nAnswer privately with /checkin 1, 2, 3, 4 or 5."
        return Reply.public(text, title=title, buttons=self._buttons(checkin_id))

    async def scheduled_reply(self, group: Group, channel: Channel, schedule_id: int,
                              occurrence: str, when: str | None = None) -> Reply:
        """The post for a scheduled check-in (the same check-in row on every retry), worded
        for how often its schedule (`when`, e.g. "daily 19:30") posts it."""
        await self.services.settings(group)
        cid = await self.repo.create_post(group.id, channel.id, self.services.clock.now(),
                                          schedule_id=schedule_id, occurrence=occurrence)
        return self._post_reply(cid, when)

    async def post_now(self, ctx: CommandContext) -> Reply:
        channel: Channel = ctx.arg("channel") or ctx.channel
        cid = await self.repo.create_post(ctx.group.id, channel.id, self.services.clock.now())
        await self.services.chat.post(ctx.group, channel, self._post_reply(cid))
        return Reply.private(f"Posted a check-in in #{channel.name}.")

    # -- answering ---------------------------------------------------------------------------
    async def history(self, ctx: CommandContext) -> Reply | list[Reply]:
        return await self._history(ctx.group, ctx.invoker)

    async def remind(self, ctx: CommandContext) -> Reply | list[Reply]:
        return await self._remind(ctx.group, ctx.invoker, str(ctx.args["state"]))

    async def checkin(self, ctx: CommandContext) -> Reply | list[Reply]:
        mood: int | None = ctx.arg("mood")
        rest = ctx.arg("note")
        if mood is None:
            return Reply.private("How are you doing? Choose a number from 1 (really hard) to 5 "
                                 "(great). Only you can see your answer.",
                                 buttons=mood_buttons(0))
        latest = await self.repo.latest_post(ctx.group.id)
        now = self.services.clock.now()
        cid = latest.id if latest is not None and now - latest.created_at <= ATTACH_WINDOW \
            else None
        return await self._record(ctx.group, ctx.channel, ctx.invoker, mood,
                                  clean_note(rest), cid)

    async def mood_button(self, interaction: Interaction) -> Reply | list[Reply]:
        parts = interaction.custom_id[len(BUTTON_PREFIX):].split(":")
        # the check-in post's id (0: none), then the mood
        cid = (0 if parts[0] == "0" else stored_id(parts[0])) if len(parts) == 2 else None
        if cid is None or parts[1] not in ("1", "2", "3", "4", "5"):
            return Reply.private("That button is no longer in use.")
        mood = int(parts[1])
        checkin_id: int | None = None
        if cid:
            post = await self.repo.post(cid)
            if post is None or post.group_id != interaction.group.id:
                return Reply.private("That check-in is no longer open. You can still use "
                                     "/checkin 1-5.")
            checkin_id = cid
        return await self._record(interaction.group, interaction.channel, interaction.member,
                                  mood, None, checkin_id)

    async def _record(self, group: Group, channel: Channel, member: Member, mood: int,
                      note: str | None, checkin_id: int | None) -> Reply | list[Reply]:
        now = self.services.clock.now()
        first = await self.repo.answer(group.id, member.id, mood, note, now, checkin_id)
        verb = "noted" if first else "updated your answer to"
        text = f"Thank you. I {verb} {mood} ({MOODS[mood]}) for you; only you can see it."
        if note:
            text += " Your note is saved privately."
        elif mood <= 3:
            text += " If you'd like, add a private note with /checkin <number> <note>."
        replies = [Reply.private(text)]
        if mood == 1 or has_crisis_language(note):
            replies.extend(await self._care(group, channel, member, note, mood))
        return replies

    async def _care(self, group: Group, channel: Channel, member: Member, note: str | None,
                    mood: int) -> list[Reply]:
        """The care path. Returns extra private replies for the member (may be none)."""
        text = note or f"check-in mood {mood} of 5"
        try:
            await self.services.need("moderation", Care).care_for(group, member, text,
                                                                  source="checkin")
            return []
        except Exception:
            log.exception("the moderation care path failed; using the fallback")
        replies: list[Reply] = []
        spec = self.registry.get(("resources",))
        if spec is not None:
            try:
                ctx = CommandContext(spec, group, channel, member, {}, self.services.chat.platform)
                for r in as_list(await spec.handler(ctx)):
                    replies.append(r if r.visibility is Visibility.PRIVATE else
                                   Reply.private(r.text, title=r.title, citation=r.citation))
            except Exception:
                log.exception("the /resources reply failed")
        if not replies:
            replies.append(Reply.private(_KIND_FALLBACK, title="You're not alone"))
        alert = Reply.public(
            f"<@{member.id}> may be having a hard time (from a private check-in). They "
            "were sent support resources privately. Please consider reaching out to them "
            "gently; their answer and any note stay private.", title="Check-in care")
        try:  # through the moderation queue: it keeps undelivered alerts
            await self.services.need("moderation", ModeratorAlerts).alert(
                group, alert, member_id=member.id, crisis=True,
                reason=f"<@{member.id}> may be having a hard time (from a private check-in)")
        except Exception:
            log.exception("could not alert moderators about a check-in")
        return replies

    # -- private views -----------------------------------------------------------------------
    async def _history(self, group: Group, member: Member) -> Reply:
        answers = await self.repo.history(group.id, member.id)
        if not answers:
            return Reply.private("You haven't checked in yet. /checkin 1-5 whenever you like.")
        lines = ["Your recent check-ins (only you can see these):"]
        for a in answers:
            line = f"• {a.answered_at:%a %d %b %Y}: {a.mood} ({MOODS[a.mood]})"
            if a.note:
                short = a.note if len(a.note) <= 120 else a.note[:119] + "…"
                line += f" — {short}"
            lines.append(line)
        return Reply.private("\n".join(lines))

    async def _remind(self, group: Group, member: Member, choice: str) -> Reply:
        if choice not in ("on", "off"):
            state = "on" if await self.repo.reminder_on(group.id, member.id) else "off"
            return Reply.private(f"Your check-in reminder is {state}. Use /checkin remind on "
                                 "or /checkin remind off.")
        await self.repo.set_reminder(group.id, member.id, choice == "on",
                                     self.services.clock.now())
        if choice == "on":
            return Reply.private("Okay: if you haven't answered a check-in after a day, I'll "
                                 "send you a private reminder. /checkin remind off stops it.")
        return Reply.private("Okay, no more check-in reminders.")

    async def summary(self, ctx: CommandContext) -> Reply:
        now = self.services.clock.now()
        lines: list[str] = []
        latest = await self.repo.latest_post(ctx.group.id)
        if latest is not None:
            agg = await self.repo.aggregate(ctx.group.id, checkin_id=latest.id)
            lines.append(f"Latest check-in ({latest.created_at:%a %d %b %Y}): "
                         f"{_describe(agg)}")
        recent = await self.repo.aggregate(ctx.group.id, since=now - SUMMARY_WINDOW)
        lines.append(f"Last 30 days (each member's latest answer): {_describe(recent)}")
        lines.append("Answers and notes stay private; I never show one member's answer.")
        return Reply.private("\n".join(lines), title="Check-in summary")


def _describe(agg: Aggregate) -> str:
    people = f"{agg.members} member{'s' if agg.members != 1 else ''}"
    if not agg.shown:
        need = K_ANONYMITY - agg.members
        return (f"{people} answered. I show totals only once at least {K_ANONYMITY} have "
                f"answered, so no one's answer can be singled out ({need} more needed).")
    return (f"{people} answered · average {agg.average} of 5 · finding it hard (1-2): "
            f"{agg.low} · okay (3): {agg.middle} · good (4-5): {agg.high}\n"
            f"    {spread_chart(agg)}")


def spread_chart(agg: Aggregate, width: int = 10) -> str:
    """How the answers spread, as a line of bars (only ever for a summary of at least K
    members): ``hard ██░░░░░░░░ 1 · okay ███░░░░░░░ 2 · good █████░░░░░ 3``."""
    if not agg.shown or not agg.members:
        return ""
    parts = []
    for label, n in (("hard", agg.low or 0), ("okay", agg.middle or 0),
                     ("good", agg.high or 0)):
        filled = round(width * n / agg.members)
        parts.append(f"{label} {'█' * filled}{'░' * (width - filled)} {n}")
    return " · ".join(parts)
