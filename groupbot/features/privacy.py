"""/mydata: members see everything the bot stores about them, and can erase it."""

from __future__ import annotations

import json

from groupbot.core.commands import CommandContext, CommandRegistry, OptionKind, OptionSpec
from groupbot.core.types import Button, ButtonStyle, Interaction, Reply
from groupbot.features.base import Feature


class PrivacyFeature(Feature):
    name = "privacy"

    def register(self, registry: CommandRegistry) -> None:
        registry.command("mydata export", "Everything I store about you, privately",
                         private=True)(self.export)
        registry.command(
            "mydata delete", "Erase what I store about you",
            OptionSpec("confirm", OptionKind.CHOICE, "yes to erase now (no: keep it all)",
                       required=False, choices=("yes", "no")),
            private=True,
        )(self.delete)
        registry.add_button("gb:mydata:delete:", self.delete_button)

    async def _collect(self, group_id: str, member_id: str) -> dict[str, object]:
        out: dict[str, object] = {}
        for name, repo in self.services.store.member_data.items():
            out[name] = await repo.export_member(group_id, member_id)
        return out

    async def export(self, ctx: CommandContext) -> Reply:
        data = await self._collect(ctx.group.id, ctx.invoker.id)
        body = json.dumps(data, indent=1, ensure_ascii=False, default=str)
        return Reply.private(f"Here is everything I store about you in this group:\n```json\n"
                             f"{body}\n```")

    async def delete(self, ctx: CommandContext) -> Reply:
        if ctx.arg("confirm") == "no":
            return Reply.private("Okay, I haven't erased anything. Your data stays as it was; "
                                 "/mydata export shows it.")
        if ctx.arg("confirm") != "yes":
            return Reply.private(
                "This erases your check-ins, reminders and anything else I keep about you in this "
                "group. Moderation cases keep only a hashed reference and the rule that fired, so "
                "moderators can still see that a case existed. Are you sure?",
                buttons=(Button(f"gb:mydata:delete:{ctx.invoker.id}", "Yes, erase my data",
                                ButtonStyle.DANGER),),
            )
        return await self._erase(ctx.group.id, ctx.invoker.id)

    async def delete_button(self, interaction: Interaction) -> Reply:
        target = interaction.custom_id.rsplit(":", 1)[-1]
        if target != interaction.member.id:
            return Reply.private("That button belongs to someone else.")
        return await self._erase(interaction.group.id, interaction.member.id)

    async def _erase(self, group_id: str, member_id: str) -> Reply:
        erased: list[str] = []
        for name, repo in self.services.store.member_data.items():
            count = await repo.delete_member(group_id, member_id)
            if count:
                erased.append(f"{name}: {count}")
        summary = ", ".join(erased) if erased else "there was nothing to erase"
        return Reply.private(
            f"Done. I erased what I kept about you ({summary}). Any moderation case about you "
            "keeps only its number, the rule that fired and a hash of the message (not the "
            "text), so the moderators' record stays complete.")
