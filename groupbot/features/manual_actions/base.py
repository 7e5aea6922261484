"""The steps every manual action shares: the case log, the moderation desk, telling the
member, noting the case and alerting the moderators."""

from __future__ import annotations

from datetime import datetime, timedelta

from groupbot.core.errors import UsageError
from groupbot.core.types import (
    Channel,
    Group,
    Member,
    Reply,
)
from groupbot.features.base import Feature, Services
from groupbot.features.contracts import ModerationDesk
from groupbot.features.manual_actions.common import (
    DEFAULT_MAX_TIMEOUT,
    THRESHOLD_NOTE,
    PendingWarn,
    TimeoutCause,
    log,
)
from groupbot.storage.cases import Case, CaseRepo


class ManualBase(Feature):
    """What the command classes share (`feature.py` composes them)."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._pending: dict[str, PendingWarn] = {}

    @property
    def cases(self) -> CaseRepo:
        """The case log (one for this feature and the ladder)."""
        return self.services.store.cases

    @property
    def moderation(self) -> ModerationDesk:
        return self.services.need("moderation", ModerationDesk)

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

    async def _link(self, group: Group, channel: Channel, message_id: str) -> str | None:
        try:
            return await self.services.chat.message_link(group, channel, message_id)
        except Exception:
            log.warning("could not get a link to the message", extra={"group": group.id},
                        exc_info=True)
            return None

    async def _latest_timeout_case(self, group: Group, member_id: str) -> Case | None:
        return (await self._timeout_cause(group, member_id)).case

    async def _timeout_cause(self, group: Group, member_id: str) -> TimeoutCause:
        """The newest case that set a timeout for the member: a moderator's /mod timeout, a
        verdict's timeout, or a strike threshold (the note the ladder and /mod warn leave).
        None when a later case lifted it, or no case set one (the platform's own tools)."""
        for case in reversed(await self.cases.member_cases(group.id, member_id)):
            if case.action == "untimeout":
                return TimeoutCause(None)
            if case.action == "timeout" and case.source == "manual":
                return TimeoutCause(case, manual=True)
            for amendment in case.amendments:
                found = THRESHOLD_NOTE.search(amendment.body) if amendment.kind == "note" \
                    else None
                if found and amendment.by_member == "bot":
                    return TimeoutCause(case, threshold=float(found.group(1)))
            if case.action == "timeout":
                return TimeoutCause(case)
        return TimeoutCause(None)
