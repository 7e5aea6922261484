"""/excerpt and /article: short, cited passages from the article library.

Excerpts are quoted, never paraphrased, and always carry their citation and the article's
own short disclaimer: the bot shares reading, it does not give advice.
"""

from __future__ import annotations

import logging

from groupbot.core.commands import (
    CommandContext,
    CommandRegistry,
    OptionKind,
    OptionSpec,
    stored_id,
)
from groupbot.core.types import Button, Channel, Group, Interaction, Reply
from groupbot.features.base import Feature, Services
from groupbot.library.model import ArticleInfo, Excerpt, SearchOutcome
from groupbot.library.service import ExcerptService

log = logging.getLogger(__name__)

NEXT_PREFIX = "gb:excerpt:next:"
REFLECT_ID = "gb:excerpt:reflect"


def channel_key(group: Group, channel: Channel) -> str:
    return f"{group.id}/{channel.id}"


def _quote(words: list[str]) -> str:
    return ", ".join(f"“{w}”" for w in words)


class ExcerptsFeature(Feature):
    name = "excerpts"

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.library = ExcerptService(services.store.library, services.clock)

    def register(self, registry: CommandRegistry) -> None:
        registry.command(
            "excerpt", "A short, cited passage from the library (no words: one to reflect on)",
            OptionSpec("query", OptionKind.TEXT, "what you would like to read about",
                       required=False),
        )(self.excerpt)
        article = OptionSpec("article", OptionKind.TEXT, "its number in /article list, or title",
                             required=False)
        registry.command("article list", "The articles in the library",
                         private=True)(self.list_articles)
        registry.command("article sections", "An article's sections", article,
                         private=True)(self.sections)
        registry.command("article references", "An article's references and disclaimer",
                         article, private=True)(self.references)
        registry.add_button(NEXT_PREFIX, self.next_button)
        registry.add_button(REFLECT_ID, self.reflect_button)

    async def start(self) -> None:
        """Ingest the seed articles on first start, or again when a seed file changed."""
        await self.library.ensure_seeds(self.services.config.seeds_dir)

    # -- /excerpt ----------------------------------------------------------------------------
    async def excerpt(self, ctx: CommandContext) -> Reply:
        query = str(ctx.arg("query", "")).strip()
        if not query:
            return await self._reflect(ctx.group, ctx.channel)
        return await self._search(ctx.group, ctx.channel, query, None, 0)

    async def next_button(self, interaction: Interaction) -> Reply:
        qid_text, _, rank_text = interaction.custom_id[len(NEXT_PREFIX):].partition(":")
        qid = stored_id(qid_text)
        rank = 0 if rank_text == "0" else stored_id(rank_text)
        if qid is None or rank is None:
            return Reply.private("That button is no longer in use.")
        words = await self.library.saved_query(qid)
        if words is None:
            return Reply.private("That search has expired. Try /excerpt again with your words.")
        return await self._search(interaction.group, interaction.channel, words, qid, rank)

    async def reflect_button(self, interaction: Interaction) -> Reply:
        return await self._reflect(interaction.group, interaction.channel)

    async def _search(self, group: Group, channel: Channel, query: str, qid: int | None,
                      rank: int) -> Reply:
        outcome = await self.library.search(query, limit=2, offset=rank)
        best = outcome.best
        if best is None:
            if rank > 0 and outcome.reason is None:
                return Reply.private("That was the last passage matching those words.")
            return Reply.private(self._no_match(outcome))
        await self.library.remember(channel_key(group, channel), best)
        buttons: tuple[Button, ...] = ()
        if len(outcome.results) > 1:
            qid = qid if qid is not None else await self.library.save_query(query)
            if qid is not None:
                buttons = (Button(f"{NEXT_PREFIX}{qid}:{rank + 1}", "Next result"),)
        lead = ""
        if outcome.missing:
            lead = (f"Nothing in the library mentions {_quote(outcome.missing)}; "
                    "this passage came closest to the rest of your words.\n")
        elif rank > 0:
            lead = f"Result {rank + 1}:\n"
        return Reply.public(f"{lead}{best.marked}", title=best.section_path,
                            citation=best.citation(), buttons=buttons)

    @staticmethod
    def _no_match(outcome: SearchOutcome) -> str:
        if outcome.reason in ("empty", "only-common-words"):
            head = "Those words are too common to search for."
        else:
            head = f"I found no passage about {_quote(outcome.missing or outcome.query_words)}."
        if outcome.suggestions:
            words = ", ".join(outcome.suggestions)
            head += f" Words the library does use: {words}. Try /excerpt {outcome.suggestions[0]}"
        return head + " Or /excerpt on its own for a passage to reflect on."

    async def _reflect(self, group: Group, channel: Channel) -> Reply:
        key = channel_key(group, channel)
        excerpt = await self.library.reflect(key)
        if excerpt is None:
            return Reply.private("The library is empty right now. A moderator can add articles "
                                 "with `groupbot library ingest`.")
        await self.library.remember(key, excerpt)
        return Reply.public(f"A passage to reflect on:\n{excerpt.marked}",
                            title=excerpt.section_path, citation=excerpt.citation(),
                            buttons=(Button(REFLECT_ID, "Another passage"),))

    # -- /article ----------------------------------------------------------------------------
    async def list_articles(self, ctx: CommandContext) -> Reply:
        articles = await self.library.articles()
        if not articles:
            return Reply.private("The library is empty.")
        lines = ["Articles in the library:"]
        for i, a in enumerate(articles, 1):
            lines.append(f"{i}. **{a.title}**, {_byline(a)} ({a.passages} passages)")
        lines.append("See one with /article sections <number>, or search with /excerpt <words>.")
        return Reply.private("\n".join(lines))

    async def _article(self, ctx: CommandContext) -> ArticleInfo | Reply:
        name = ctx.arg("article")
        article = await self.library.find_article(name)
        if article is not None:
            return article
        if name:
            shown = name if len(name) <= 60 else name[:59] + "…"
            return Reply.private(f"I can't find an article called '{shown}'. "
                                 "/article list shows them.")
        return Reply.private("Which article? /article list shows them with their numbers.")

    async def sections(self, ctx: CommandContext) -> Reply:
        article = await self._article(ctx)
        if isinstance(article, Reply):
            return article
        lines = [f"**{article.title}**, {_byline(article)}", "Sections:"]
        for level, title, _parent in await self.library.sections(article):
            lines.append(("    - " if level > 2 else "- ") + title)
        lines.append("Read from one with /excerpt and a few words from its title.")
        return Reply.private("\n".join(lines))

    async def references(self, ctx: CommandContext) -> Reply:
        article = await self._article(ctx)
        if isinstance(article, Reply):
            return article
        refs = await self.library.references(article)
        lines = [f"**{article.title}**, {_byline(article)}"]
        if refs:
            lines.append("References:")
            lines.extend(f"{i}. {r}" for i, r in enumerate(refs, 1))
        else:
            lines.append("This article lists no references.")
        if article.photo_credit:
            lines.append(f"Photo in the original article: {article.photo_credit}.")
        disclaimer = await self.library.repo.disclaimer(article.id)
        if disclaimer:
            lines.append(f"Disclaimer from the publisher: {disclaimer}")
        return Reply.private("\n".join(lines))


def _byline(a: ArticleInfo) -> str:
    parts = [a.author or a.publisher or "author unknown"]
    if a.reviewer:
        parts.append(f"medically reviewed by {a.reviewer}")
    if a.publisher and a.publisher != parts[0]:
        parts.append(a.publisher)
    if a.published:
        parts.append(a.published)
    return ", ".join(parts)


def format_excerpt(excerpt: Excerpt) -> str:
    """Plain text with the citation, for places without embeds (logs, the CLI)."""
    return f"{excerpt.text}\n— {excerpt.citation()}"
