"""The ladder: nudge, remove, timeout, escalate, with strikes, for a message that is not a
matter for care; the platform acts first, then the case is recorded, then everyone is told.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from groupbot.core.errors import Unsupported
from groupbot.core.types import Channel, Group, Member, Message, Reply
from groupbot.features.moderation.care import CARE_NOTE_DONE
from groupbot.features.moderation.plan import plan_ladder
from groupbot.features.moderation.shared import (
    UNNUMBERED_ALERT,
    UNNUMBERED_APPEAL,
    ModerationParts,
    Outcome,
    case_note,
    chunks,
    clip,
)
from groupbot.moderation.verdict import Action, Verdict
from groupbot.storage.cases import NewCase
from groupbot.storage.outbox import case_op

log = logging.getLogger(__name__)


class LadderMixin(ModerationParts):
    """Carrying out a verdict on a member's message, and telling them and the moderators."""

    # -- the ladder ------------------------------------------------------------------------
    async def _enforce(self, message: Message, verdict: Verdict, source: str) -> None:
        """The ladder: read the member's state once, plan (`plan.plan_ladder`, no I/O), act
        on the platform, record. The message is removed first, before anything is written,
        so a database that cannot be written never leaves it up. Then two writes at most,
        both through the outbox (written at once while the database takes them, kept and
        retried while it fails, so nothing here waits on storage): the case with its strike,
        before the timeout so that the timeout's audit-log reason and the member's messages
        can name it; and, once the platform has acted, what the case learned from it (notes,
        the care note sent, a review item) in one entry. When the strikes cannot be read,
        the verdict alone is carried out (no threshold climbed) and the case says so."""
        group, member, channel = message.group, message.author, message.channel
        now = self.services.clock.now()
        action = verdict.action
        weight = self.strike_weight(verdict, group.id, channel)
        state = await self.outbox.member_state(group.id, member.id, now,
                                               self.strikes.half_life_days)
        plan = plan_ladder(verdict, weight, state.strikes, self.strikes)

        # the message goes first: removing it waits on nothing stored
        outcome = Outcome(notes=[])
        guideline = self.guideline(verdict, group.id, channel)
        if action in (Action.REMOVE, Action.TIMEOUT):
            await self._delete(message, outcome)
        recorded = await self.outbox.record(group, [case_op(NewCase(
            member_id=member.id, action=plan.label.value, source=source,
            channel_id=channel.id, message_id=message.id, categories=verdict.categories,
            rules=verdict.rules, reason=verdict.reason, severity=verdict.severity,
            needs_review=plan.needs_review, error=verdict.error, text=message.text,
            strike_weight=weight, notes=plan.notes, keep_text=not plan.cared))], now)
        number = recorded.case
        until = None
        if plan.timeout is not None:
            until = now + plan.timeout
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
        care_note = (await self._send_care_note(group, member, state.last_care_note)
                     if plan.cared else None)
        later: list[dict[str, Any]] = []  # what the case gets now that the platform acted
        if care_note == "sent":
            later.append({"op": "care_note", "member": member.id})
        if care_note is not None:
            later.append(case_note(CARE_NOTE_DONE[care_note]))
        later.extend(case_note(note) for note in outcome.notes)
        fallback = bool(outcome.notes)
        needs_review = plan.needs_review
        if fallback and not needs_review:
            later.append(case_note("the platform could not carry out the action", "review"))
        if needs_review or fallback:
            why = "engine error" if verdict.error else action.value
            later.append({"op": "item", "kind": "escalation", "member": member.id,
                          "reason": f"Case {{case}} ({why}) <@{member.id}>: "
                                    f"{clip(verdict.reason or ', '.join(verdict.rules), 120)}"})
        item = None
        if later:
            for op in later:
                if op["op"] != "care_note":
                    op["case"] = recorded.case_ref()
            item = (await self.outbox.record(group, later, now)).item
        if needs_review or fallback or action is not Action.NUDGE:
            link = None if outcome.removed else await self._link(group, channel, message.id)
            await self._alert_case(group, member, channel, number, verdict,
                                   plan.total if state.strikes is not None else None, outcome,
                                   needs_review or fallback, link, care_note, item)
        log.info("moderation action", extra={
            "group": group.id, "case": number, "action": action.value,
            "rules": ",".join(verdict.rules), "fallback": fallback,
            "recorded": recorded.written})

    async def _delete(self, message: Message, outcome: Outcome) -> None:
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
                            outcome: Outcome) -> None:
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
            replies += [Reply.private(chunk) for chunk in chunks(message.text)]
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
                     outcome: Outcome) -> None:
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
                           until: datetime, guideline: str, outcome: Outcome) -> None:
        minutes = max(1, round((until - self.services.clock.now()).total_seconds() / 60))
        if number is not None:
            case = f" (case {number})"
            appeal = f"You can appeal with `/appeal {number} <text>`."
        else:
            case, appeal = "", UNNUMBERED_APPEAL
        await self._dm(group, member, Reply.private(
            f"You're paused from posting for about {minutes} minutes{case}. "
            f"{guideline} Take a breather; you're welcome back afterwards. {appeal}"), outcome)

    async def _dm(self, group: Group, member: Member, reply: Reply, outcome: Outcome, *,
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
                          outcome: Outcome, review: bool, link: str | None = None,
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
                f"{CARE_NOTE_DONE[care_note]}. If you reach out, please be gentle.")
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
