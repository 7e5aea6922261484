"""The bot: features wired to a chat port, a store and a clock.

Adapters call `handle_*` with neutral types and render the replies they get back. The bot
never imports a platform library.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from groupbot.core.commands import Access, CommandContext, CommandSpec, Resolver, as_list
from groupbot.core.errors import GroupbotError, PermissionDenied, UsageError
from groupbot.core.types import Channel, Group, Interaction, Member, Message, Reply, Visibility
from groupbot.features.base import Feature, Services, start_order

log = logging.getLogger(__name__)

OOPS = ("Sorry, something went wrong on my side while doing that. It has been logged for the "
        "moderators; please try again in a little while.")


class Bot:
    def __init__(self, services: Services, features: Sequence[Feature]) -> None:
        self.services = services
        self.registry = services.registry
        self.features = list(features)
        # checked before anything registers: a missing requirement fails here, naming both
        self.start_order = start_order(self.features)
        for feature in self.features:
            services.features[feature.name] = feature
            feature.register(self.registry)
        self._started = False

    @property
    def platform(self) -> str:
        return self.services.chat.platform

    async def start(self) -> None:
        """Each feature after those it requires (message hooks keep the listed order)."""
        for feature in self.start_order:
            await feature.start()
        await self.services.upkeep.start()  # the periodic jobs the features registered
        self._started = True

    async def stop(self) -> None:
        await self.services.upkeep.stop()
        for feature in reversed(self.start_order):
            try:
                await feature.stop()
            except Exception:
                log.exception("feature failed to stop", extra={"feature": feature.name})
        self._started = False

    async def idle(self) -> None:
        """Wait until every feature's background work has settled (fake-clock runs), running
        the upkeep jobs the clock has reached (`Upkeep.run_due`)."""
        while True:
            for feature in self.features:
                await feature.idle()
            if not await self.services.upkeep.run_due():
                return

    def feature(self, name: str) -> Feature:
        """A feature by name (MissingFeature when there is none)."""
        return self.services.feature(name)

    # -- commands ------------------------------------------------------------------------
    async def handle_text_command(
        self, group: Group, channel: Channel, member: Member, text: str,
        resolver: Resolver | None = None,
    ) -> list[Reply]:
        """A command typed as text (Slack's /groupbot, the console)."""
        try:
            parsed = self.registry.parse(text)
        except UsageError as exc:
            return [Reply.private(str(exc))]
        return await self.handle_command(group, channel, member, parsed.spec, parsed.raw, resolver)

    async def handle_command(
        self, group: Group, channel: Channel, member: Member, spec: CommandSpec,
        raw_args: dict[str, Any], resolver: Resolver | None = None,
    ) -> list[Reply]:
        """A parsed command: check who may run it (fail-closed), convert options, run it."""
        try:
            self._check_access(spec, member)
            await self.services.settings(group)
            args = await self.registry.convert(spec, raw_args, group, resolver)
            ctx = CommandContext(spec, group, channel, member, args, self.platform)
            replies = as_list(await spec.handler(ctx))
        except (UsageError, PermissionDenied) as exc:
            return [Reply.private(str(exc))]
        except GroupbotError as exc:
            return [Reply.private(str(exc))]
        except Exception:
            log.exception("command failed", extra={"command": spec.name, "group": group.id})
            return [Reply.private(OOPS)]
        if spec.private:
            replies = [Reply.private(r.text, title=r.title, citation=r.citation,
                                     buttons=r.buttons) if r.visibility is Visibility.PUBLIC
                       else r for r in replies]
        log.info("command", extra={"command": spec.name, "group": group.id,
                                   "member": member.id})
        return replies

    def _check_access(self, spec: CommandSpec, member: Member) -> None:
        if spec.access is Access.MEMBER:
            return
        if spec.access is Access.MODERATOR and member.is_moderator:
            return
        name = spec.name
        if spec.default:  # typed as its group (/mod queue): name the group when all of it is
            siblings = self.registry.children(spec.path[:-1])
            if all(s.access is spec.access for s in siblings):
                name = " ".join(spec.path[:-1])
        raise PermissionDenied(
            f"/{name} is for moderators. If you think you should have it, ask a moderator "
            "to give you the moderator role."
        )

    # -- buttons -------------------------------------------------------------------------
    async def handle_interaction(self, interaction: Interaction) -> list[Reply]:
        handler = self.registry.button_handler(interaction.custom_id)
        if handler is None:
            return [Reply.private("That button is no longer in use.")]
        try:
            await self.services.settings(interaction.group)
            return as_list(await handler(interaction))
        except GroupbotError as exc:
            return [Reply.private(str(exc))]
        except Exception:
            log.exception("button failed", extra={"custom_id": interaction.custom_id})
            return [Reply.private(OOPS)]

    # -- messages ------------------------------------------------------------------------
    async def handle_message(self, message: Message) -> None:
        """A member's message or edit: each feature's hook sees it in order."""
        if message.author.is_bot:
            return
        try:
            await self.services.settings(message.group)
        except Exception:  # storage failing: moderation still judges and acts on it
            log.warning("reading the group's settings failed", extra={"group": message.group.id},
                        exc_info=True)
        for feature in self.features:
            try:
                if await feature.on_message(message):
                    break
            except Exception:
                log.exception("message hook failed", extra={"feature": feature.name,
                                                            "group": message.group.id})
