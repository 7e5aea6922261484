"""/mod prompt: discussion prompts on demand, browsing the library, and curricula.

The library is loaded when the feature is built, so a broken prompt file stops start-up with
a message naming the file, line and field. A facilitator who edits the files while the bot
runs applies them with `/mod prompt reload`, which swaps the library in only when every file
checks out (and otherwise lists the problems and keeps the one in use). Other features (the
scheduler) take prompts through the `Prompts` contract (`groupbot.features.contracts`).
"""

from __future__ import annotations

import asyncio
import difflib
import logging

from groupbot.core.commands import Access, CommandContext, CommandRegistry, OptionKind, OptionSpec
from groupbot.core.errors import UsageError
from groupbot.core.types import Reply
from groupbot.features.base import Feature, Services
from groupbot.prompts_library.loader import load_library
from groupbot.prompts_library.model import PromptLibrary
from groupbot.prompts_library.render import pick_reply, prompt_line, prompt_reply
from groupbot.prompts_library.rotation import PromptPick, PromptRotation

log = logging.getLogger(__name__)

STOP_WORDS = ("off", "stop", "none")
LIST_LIMIT = 20
RELOAD_PROBLEMS = 10  # problems shown in chat; the command line lists them all


class PromptsFeature(Feature):
    name = "prompts"

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.library: PromptLibrary = load_library(services.config.prompts_dir)
        self.repo = services.store.prompts
        self.rotation = PromptRotation(self.library, self.repo, clock=services.clock)
        log.info("prompt library loaded", extra={"prompts": len(self.library),
                                                 "curricula": len(self.library.curricula)})

    def register(self, registry: CommandRegistry) -> None:
        mod = Access.MODERATOR
        theme = OptionSpec("theme", OptionKind.TEXT, "a theme, e.g. boundaries",
                           required=False)
        registry.command("mod prompt post", "Post a discussion prompt here now, with a thread",
                         theme, access=mod, private=True)(self.post)
        registry.command("mod prompt list", "The prompt themes, or the prompts of one theme",
                         theme, access=mod, private=True)(self.list)
        registry.command("mod prompt preview", "See a prompt as it would be posted",
                         OptionSpec("id", OptionKind.STRING, "a prompt id, e.g. boundaries-003"),
                         access=mod, private=True)(self.preview)
        registry.command("mod prompt reload",
                         "Re-read the prompt files after editing them (checked first)",
                         access=mod, private=True)(self.reload)
        registry.command(
            "mod prompt curriculum", "Follow a curriculum in this channel (or 'off')",
            OptionSpec("name", OptionKind.STRING, "a curriculum id, or off", required=False),
            OptionSpec("week", OptionKind.INTEGER, "the week to start from", required=False,
                       min_value=1, max_value=104),
            OptionSpec("channel", OptionKind.CHANNEL, "another channel", required=False,
                       keyword_only=True),
            access=mod, private=True,
        )(self.curriculum)

    # -- what the scheduler asks (the `Prompts` contract) --------------------------------------
    async def next_pick(self, group_id: str, channel_id: str,
                        theme: str | None = None) -> PromptPick:
        return await self.rotation.next_pick(group_id, channel_id, theme)

    async def release(self, pick: PromptPick, group_id: str, channel_id: str) -> None:
        await self.rotation.release(pick, group_id, channel_id)

    def resolve_theme(self, theme: str) -> str:
        return self.rotation.resolve_theme(theme)

    def theme_title(self, slug: str) -> str:
        return self.library.theme_title(slug)

    # -- commands ------------------------------------------------------------------------
    async def reload(self, ctx: CommandContext) -> Reply:
        from groupbot.prompts_library.loader import check_library

        folder = self.services.config.prompts_dir
        library, problems = await asyncio.to_thread(check_library, folder)
        if library is None:
            shown = [f"• {p}" for p in problems[:RELOAD_PROBLEMS]]
            if len(problems) > RELOAD_PROBLEMS:
                shown.append(f"… and {len(problems) - RELOAD_PROBLEMS} more "
                             "(`groupbot prompts check` lists them all)")
            return Reply.private(
                f"The prompt files have {len(problems)} problem(s), so the library in use "
                f"({len(self.library)} prompts) stays as it is:\n" + "\n".join(shown))
        before = len(self.library)
        self.library = library
        self.rotation.library = library
        log.info("prompt library reloaded", extra={"prompts": len(library),
                                                   "curricula": len(library.curricula)})
        return Reply.private(
            f"Reloaded: {len(library)} prompts in {len(library.themes())} themes and "
            f"{len(library.curricula)} curricula (before: {before} prompts). Channels keep "
            "their place in the rotation.")

    async def post(self, ctx: CommandContext) -> Reply:
        theme = ctx.arg("theme")
        pick = await self.rotation.next_pick(ctx.group.id, ctx.channel.id, theme)
        reply = pick_reply(pick, theme_title=self.library.theme_title(pick.prompt.theme))
        try:
            await self.services.chat.post(ctx.group, ctx.channel, reply)
        except BaseException:
            await self.rotation.release(pick, ctx.group.id, ctx.channel.id)
            raise
        if pick.curriculum is not None and pick.step is not None:
            where = (f"step {pick.step.index + 1} of {len(pick.curriculum)} of "
                     f"{pick.curriculum.title} (week {pick.step.week.number})")
        else:
            pool = self.library.theme_title(pick.pool) if pick.pool and pick.pool != "*" \
                else "all themes"
            claim = pick.claim
            assert claim is not None  # a pool pick always carries its claim
            where = (f"{claim.used} of {claim.pool_size} prompts ({pool}) used in this "
                     "channel's current round")
        thread = " with a discussion thread" if self.services.chat.capabilities.threads else ""
        return Reply.private(f"Posted `{pick.prompt.id}` here{thread}: {where}.")

    async def list(self, ctx: CommandContext) -> Reply:
        theme = ctx.arg("theme")
        if theme:
            slug = self.rotation.resolve_theme(theme)
            prompts = self.library.by_theme(slug)
            used, _ = await self.rotation.progress(ctx.group.id, ctx.channel.id, slug)
            lines = [f"{self.library.theme_title(slug)}: {len(prompts)} prompts "
                     f"({used} used in this channel's current round)"]
            lines += [prompt_line(p) for p in prompts[:LIST_LIMIT]]
            if len(prompts) > LIST_LIMIT:  # keep within one chat message
                lines.append(f"… and {len(prompts) - LIST_LIMIT} more in "
                             f"{self.library.location(prompts[LIST_LIMIT].id) or 'the library'}.")
            lines.append("See one in full with /mod prompt preview <id>.")
            return Reply.private("\n".join(lines), title="Prompts")
        lines = [f"{len(self.library)} prompts in {len(self.library.themes())} themes:"]
        for slug in self.library.themes():
            lines.append(f"• `{slug}` {self.library.theme_title(slug)} "
                         f"({len(self.library.by_theme(slug))})")
        lines.append("")
        if self.library.curricula:
            lines.append("Curricula (start one with /mod prompt curriculum <id>):")
            for cur in self.library.curricula.values():
                lines.append(f"• `{cur.id}` {cur.title}: {len(cur.weeks)} weeks, "
                             f"{len(cur)} prompts")
        status = await self.rotation.curriculum_status(ctx.group.id, ctx.channel.id)
        if status is not None:
            lines.append(f"This channel follows {status.describe()}.")
        lines.append("List a theme's prompts with /mod prompt list <theme>.")
        return Reply.private("\n".join(lines), title="Prompt library")

    async def preview(self, ctx: CommandContext) -> Reply:
        pid = str(ctx.args["id"]).strip().strip("`").lower()
        prompt = self.library.get(pid)
        if prompt is None:
            close = difflib.get_close_matches(pid, self.library.ids(), n=1, cutoff=0.6)
            hint = f" Did you mean `{close[0]}`?" if close else ""
            raise UsageError(f"There is no prompt with the id '{pid[:40]}'.{hint} "
                             "/mod prompt list <theme> shows the ids.")
        shown = prompt_reply(prompt, theme_title=self.library.theme_title(prompt.theme))
        where = self.library.location(prompt.id)
        footer = f"\n\n(Preview only, not posted. Thread: “{shown.thread_name}”." + (
            f" Defined in {where}." if where else "") + ")"
        return Reply.private(shown.text + footer, title=shown.title)

    async def curriculum(self, ctx: CommandContext) -> Reply:
        channel = ctx.arg("channel") or ctx.channel
        name = ctx.arg("name")
        here = "this channel" if channel.id == ctx.channel.id else f"#{channel.name}"
        if not name:
            status = await self.rotation.curriculum_status(ctx.group.id, channel.id)
            now = (f"{here.capitalize()} follows {status.describe()}." if status
                   else f"{here.capitalize()} uses random rotation (no curriculum).")
            ids = ", ".join(f"`{c}`" for c in self.library.curricula) or "none yet"
            return Reply.private(f"{now}\nCurricula: {ids}. Start one with "
                                 "/mod prompt curriculum <id> [week]; stop with "
                                 "/mod prompt curriculum off.")
        if name.strip().lower() in STOP_WORDS:
            stopped = await self.rotation.stop_curriculum(ctx.group.id, channel.id)
            if not stopped:
                return Reply.private(f"{here.capitalize()} was not following a curriculum.")
            return Reply.private(f"{here.capitalize()} is back to random rotation.")
        week = ctx.arg("week") or 1
        cur = await self.rotation.set_curriculum(ctx.group.id, channel.id, name, week=week)
        return Reply.private(
            f"{here.capitalize()} now follows {cur.title} from week {week} of "
            f"{len(cur.weeks)}. Scheduled prompts (and /mod prompt post with no theme) take "
            "its prompts in order; when it ends, random rotation resumes.")
