"""/mod setup: the group's moderator log, moderator role, time zone and region."""

from __future__ import annotations

import asyncio

from groupbot.config import validate_timezone
from groupbot.core.commands import Access, CommandContext, CommandRegistry, OptionKind, OptionSpec
from groupbot.core.errors import ConfigError, UsageError
from groupbot.core.types import Reply
from groupbot.features.base import Feature
from groupbot.features.contracts import ModeratorAlerts


class SetupFeature(Feature):
    name = "setup"
    requires = ("moderation",)  # alerts that waited for the moderator log

    def register(self, registry: CommandRegistry) -> None:
        mod = Access.MODERATOR
        registry.command("mod setup modlog", "Where moderator alerts and cases are posted",
                         OptionSpec("channel", OptionKind.CHANNEL, "the moderator log channel"),
                         access=mod, private=True)(self.modlog)
        registry.command("mod setup role", "The role that counts as moderator",
                         OptionSpec("role", OptionKind.STRING, "role name"),
                         access=mod, private=True)(self.role)
        registry.command("mod setup timezone", "The group's time zone for schedules",
                         OptionSpec("timezone", OptionKind.STRING,
                                    "an IANA name, e.g. Europe/Berlin"),
                         access=mod, private=True)(self.timezone)
        registry.command("mod setup region", "The region whose support resources are shown",
                         OptionSpec("region", OptionKind.STRING, "a country code, e.g. US or GB"),
                         access=mod, private=True)(self.region)
        registry.command("mod setup show", "The group's current set-up",
                         access=mod, private=True)(self.show)

    async def _set(self, ctx: CommandContext, key: str, value: str) -> None:
        await self.services.store.groups.set(ctx.group.id, key, value, ctx.invoker.id,
                                             self.services.clock.now())

    async def modlog(self, ctx: CommandContext) -> Reply:
        channel = ctx.args["channel"]
        await self._set(ctx, "modlog_channel", channel.id)
        said = f"Moderator alerts will go to #{channel.name}."
        # alerts the moderator log could not take until now are posted there, oldest first
        alerts = self.services.need("moderation", ModeratorAlerts)
        posted, left = await alerts.deliver_waiting(ctx.group)
        if posted:
            said += (f" I posted there the {posted} alert{'s' if posted != 1 else ''} that "
                     "waited for it.")
        if left:
            said += (f" {left} more could not be posted yet (can I post in #{channel.name}? On "
                     "Slack, invite me there first); I'll keep trying, and they are in "
                     "`/mod queue`.")
        return Reply.private(said)

    async def role(self, ctx: CommandContext) -> Reply:
        role = str(ctx.args["role"]).lstrip("@")
        await self._set(ctx, "moderator_role", role)
        return Reply.private(f"Members with the role '{role}' now count as moderators.")

    async def timezone(self, ctx: CommandContext) -> Reply:
        try:
            tz = validate_timezone(ctx.args["timezone"], "<timezone>")
        except ConfigError as exc:
            raise UsageError(f"{exc}. Usage: {ctx.spec.usage()}") from None
        await self._set(ctx, "timezone", tz)
        return Reply.private(f"The group's time zone is now {tz}.")

    async def region(self, ctx: CommandContext) -> Reply:
        region = str(ctx.args["region"]).upper()
        if not (2 <= len(region) <= 3 and region.isalpha()):
            raise UsageError(f"<region> must be a country code like US, GB or DE. "
                             f"Usage: {ctx.spec.usage()}")
        known = await asyncio.to_thread(self._regions)
        if known is not None and region not in known and region != "UK":
            where = (str(self.services.config.resources_file)
                     if self.services.config.resources_file else "groupbot/data/resources.yaml")
            listed = ", ".join(r for r in known if r != "INTL")
            raise UsageError(
                f"I have no support lines for the region {region}. The regions I know: "
                f"{listed}, and INTL (the international lines, which every region also shows). "
                f"To add {region}, add a `{region}:` section under `regions:` in the resources "
                f"file ({where}; `[bot] resources_file` in the config names your own copy), "
                "each line with a name, how to reach it and the page that publishes it "
                "(source), then run /mod policy reload.")
        await self._set(ctx, "region", region)
        return Reply.private(f"The group's region is now {region}; /resources shows its support "
                             "lines.")

    def _regions(self) -> list[str] | None:
        """The regions of the resources file in force (None when it cannot be read: the
        bot's start and /mod policy reload report that)."""
        from groupbot.moderation.resources import load_resource_table

        try:
            return sorted(load_resource_table(self.services.config.resources_file))
        except Exception:
            return None

    async def show(self, ctx: CommandContext) -> Reply:
        s = await self.services.settings(ctx.group)
        modlog = f"<#{s.modlog_channel}>" if s.modlog_channel else "not set"
        return Reply.private(
            f"Time zone: {s.timezone}\nRegion: {s.region}\nModerator log: {modlog}\n"
            "Moderator role: "
            f"{s.moderator_role or self.services.config.moderator_role or 'not set'}"
        )
