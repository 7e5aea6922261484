"""Care before judgement: the crisis reply (`support`), the care note (distress), and the
buttons by which a member asks a moderator to reach out. Never a strike, never a removal.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from groupbot.core.commands import stored_id
from groupbot.core.types import Button, ButtonStyle, Channel, Group, Interaction, Member, Reply
from groupbot.features.moderation.plan import CARE_NOTE_EVERY, care_note_due
from groupbot.features.moderation.shared import ModerationParts, Outcome, ago, case_note, span
from groupbot.features.resource_book import NOT_A_THERAPIST, resource_lines
from groupbot.moderation.crisis import writer_is_young
from groupbot.moderation.findings import DANGER_LABEL
from groupbot.moderation.verdict import Action, Verdict
from groupbot.storage.cases import Case, NewCase
from groupbot.storage.outbox import case_op

log = logging.getLogger(__name__)


CARE_COOLDOWN = timedelta(hours=4)  # the crisis reply: not repeated sooner, unless more severe


TALK_BUTTON = "gb:care:talk:"  # + the member's id: the care note's "talk to a moderator" button


# What became of the care note, for the case and the moderators' alert.
CARE_NOTE_DONE = {
    "sent": "I sent them a short private care note pointing to /resources",
    "recent": f"They had a care note from me in the last {span(CARE_NOTE_EVERY)}, so I didn't "
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


class CareMixin(ModerationParts):
    """The crisis path, the care note, and the members' buttons."""

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
                         f"{ago(now - last[0])} ago at the same or higher severity")
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
                                           young=text is not None and writer_is_young(text),
                                           message=channel is not None)
            outcome = Outcome(notes=[])
            sent = await self._dm(group, member, reply, outcome)
            later.extend(case_note(note, case=recorded.case_ref()) for note in outcome.notes)
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
                          danger: bool = False, young: bool = False,
                          message: bool = True) -> Reply:
        """(Without a case number, its button asks for a moderator without naming a case;
        `message`: a message in the group led to it, not a private check-in.)"""
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
            ("Your message is still up and I haven't said anything in the channel. "
             if message else "I haven't said anything about this in the group. ")
            + "If you'd like, I can ask one of the group's moderators to reach out to you "
            "privately.",
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
        sent = await self._send_care_note(group, member, last)
        if sent == "sent":
            await self.outbox.record(group, [{"op": "care_note", "member": member.id}], now)
        return sent

    async def _send_care_note(self, group: Group, member: Member,
                              last: datetime | None) -> str:
        """The care note's delivery, when the last one's time is already read (`last`); the
        caller records a "sent" note (the ladder in the same write as its case's notes)."""
        if not care_note_due(last, self.services.clock.now()):
            log.info("care note not repeated", extra={"group": group.id})
            return "recent"
        if not await self._dm(group, member, care_note_reply(member), Outcome(notes=[]),
                              public_fallback=False):
            return "failed"
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
        await self.outbox.record(interaction.group, [case_note(
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
        await self.outbox.record(interaction.group, [case_note(
            "the member said they are okay", case=found.number, by=interaction.member.id)])
        return Reply.private("Thanks for letting me know. If things get heavy, /resources has "
                             "these lines any time, and the moderators are here too.")
