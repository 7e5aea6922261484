"""/help: the command list, rendered from the registry so it can never drift from it."""

from __future__ import annotations

from groupbot.core.commands import Access, CommandContext, CommandRegistry, OptionKind, OptionSpec
from groupbot.core.types import Reply
from groupbot.features.base import Feature

NOT_A_THERAPIST = ("I'm a bot run by this group's volunteers, not a therapist or a crisis "
                   "service. If you are in danger, use /resources or call your local emergency "
                   "number.")


class HelpFeature(Feature):
    name = "help"

    def register(self, registry: CommandRegistry) -> None:
        self.registry = registry
        registry.command(
            "help", "What I can do here",
            OptionSpec("command", OptionKind.TEXT, "a command to explain", required=False),
            private=True,
        )(self.help)

    async def help(self, ctx: CommandContext) -> Reply:
        wanted = (ctx.arg("command") or "").strip().lstrip("/").lower()
        specs = [s for s in self.registry.commands()
                 if s.access is Access.MEMBER or ctx.invoker.is_moderator]
        if wanted:
            specs = [s for s in specs if s.name.startswith(wanted)]
            if not specs:
                return Reply.private(
                    f"There is no command /{wanted[:40]}. Type /help for the list.")
        lines = [f"`{s.usage()}` {s.description}" for s in specs]
        head = "Commands you can use:" if not wanted else f"/{wanted}:"
        return Reply.private("\n".join([head, *lines, "", NOT_A_THERAPIST]))
