"""/help: the command list, rendered from the registry so it can never drift from it."""

from __future__ import annotations

from groupbot.core.commands import (
    Access,
    CommandContext,
    CommandRegistry,
    CommandSpec,
    OptionKind,
    OptionSpec,
)
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
        wanted = tuple((ctx.arg("command") or "").strip().lstrip("/").lower().split()[:3])
        if wanted[:1] == ("groupbot",):  # Slack's /groupbot help groupbot mod
            wanted = wanted[1:]
        allowed = [s for s in self.registry.commands()
                   if s.access is Access.MEMBER or ctx.invoker.is_moderator]
        if not wanted:
            return self._list("Commands you can use:", allowed)
        name = "/" + " ".join(wanted)
        matching = [s for s in self.registry.commands() if s.path[:len(wanted)] == wanted]
        if not matching:
            known: tuple[str, ...] = ()
            for n in range(len(wanted) - 1, -1, -1):  # the longest part that is known
                if self.registry.next_words(wanted[:n]):
                    known = wanted[:n]
                    break
            return Reply.private(self.registry.unknown(known, wanted[len(known)])
                                 .replace("Type /help to see the commands.",
                                          "Type /help for the list."))
        shown = [s for s in matching if s in allowed]
        if not shown:
            what = f"{name} is" if len(matching) == 1 else f"The {name} commands are"
            return Reply.private(f"{what} for the group's moderators. Type /help for the "
                                 "commands you can use.")
        return self._list(f"{name}:", shown)

    @staticmethod
    def _list(head: str, specs: list[CommandSpec]) -> Reply:
        lines = [f"`{s.usage()}` {s.description}" for s in specs]
        return Reply.private("\n".join([head, *lines, "", NOT_A_THERAPIST]))
