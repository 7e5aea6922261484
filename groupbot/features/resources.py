"""/resources: support and crisis lines for the group's region, always one command away."""

from __future__ import annotations

from groupbot.core.commands import CommandContext, CommandRegistry
from groupbot.core.types import Reply
from groupbot.features.base import Feature, Services
from groupbot.features.resource_book import (
    NOT_A_THERAPIST,
    ResourceLoader,
    default_resources,
    resource_lines,
)


class ResourcesFeature(Feature):
    name = "resources"

    def __init__(self, services: Services, resources: ResourceLoader | None = None) -> None:
        super().__init__(services)
        self.loader = resources if resources is not None else default_resources(services)

    def register(self, registry: CommandRegistry) -> None:
        registry.command("resources", "Support and crisis resources for this group's region",
                         private=True)(self.resources)

    async def resources(self, ctx: CommandContext) -> Reply:
        settings = await self.services.settings(ctx.group)
        lines = [
            f"Support lines for {settings.region}:",
            *resource_lines(self.loader, settings.region, with_source=True),
            "",
            f"{NOT_A_THERAPIST} If you are in danger right now, please call your local "
            "emergency number. You can also message a moderator of this group privately.",
        ]
        return Reply.private("\n".join(lines), title="Support and crisis resources")
