"""`groupbot excerpt QUERY [--json]`, `groupbot library add PATH [--title ...]`,
`groupbot library ingest PATH...` and `groupbot library list`.

Each of them brings the seed library (`seeds_dir`) in first, as the bot's start does, so a new
database shows the same library before the bot has ever run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from groupbot.config import Config
from groupbot.core.errors import ContentError
from groupbot.features.excerpts import format_excerpt
from groupbot.library.meta import OPTION_KEYS, write_meta
from groupbot.library.parse import is_article_file
from groupbot.library.service import ExcerptService
from groupbot.storage.connect import open_database


def register_cli(sub: Any) -> None:
    exc = sub.add_parser("excerpt", help="the best cited excerpt from the article library")
    exc.add_argument("query", nargs="+", help="words to search for")
    exc.add_argument("--json", action="store_true",
                     help='print {"article","section","text","score","results":[top five]}')
    exc.set_defaults(func=excerpt_cmd)

    lib = sub.add_parser("library", help="the article library: add, ingest, list")
    libsub = lib.add_subparsers(dest="library_command", metavar="ACTION", required=True)
    add = libsub.add_parser(
        "add", help="add one article and say how to cite it",
        description="Adds (or updates) one article, a .txt, .md or .html file. The options "
                    "are written to NAME.meta.toml beside it (created if missing; its other "
                    "lines are kept), so every later ingest cites it the same way.")
    add.add_argument("path", metavar="PATH", help="the article file")
    add.add_argument("--title", help="its title (default: its first line or heading)")
    add.add_argument("--author", help="who wrote it")
    add.add_argument("--source", metavar="URL", help="where it is published")
    add.add_argument("--published", metavar="DATE", help="when, as YYYY-MM-DD")
    add.add_argument("--publisher", help="who published it")
    add.set_defaults(func=add_cmd)
    ing = libsub.add_parser("ingest", help="add or update articles (.txt, .md, .html, folders)")
    ing.add_argument("paths", nargs="+", metavar="PATH")
    ing.set_defaults(func=ingest_cmd)
    lst = libsub.add_parser("list", help="the articles in the library")
    lst.set_defaults(func=list_cmd)


async def excerpt_cmd(args: argparse.Namespace, config: Config) -> int:
    """Exit status 0 when a passage matched, 1 when none did (like grep)."""
    query = " ".join(args.query)
    async with open_database(config.database) as db:
        service = ExcerptService(db)
        await service.ensure_seeds(config.seeds_dir)
        outcome = await service.search(query, limit=5)
    best = outcome.best
    if args.json:
        doc: dict[str, Any] = {"article": None, "section": None, "text": None, "score": None}
        if best is not None:
            doc.update(best.as_json())
        doc["results"] = [e.as_json() for e in outcome.results]
        if outcome.missing:
            doc["missing"] = outcome.missing  # asked-for words no article contains
        if best is None:
            doc["suggestions"] = outcome.suggestions
        print(json.dumps(doc, ensure_ascii=False))
        return 0 if best is not None else 1
    if best is None:
        print("No passage matches those words.", end="")
        if outcome.suggestions:
            print(f" Words the library does use: {', '.join(outcome.suggestions)}.", end="")
        print()
        return 1
    if outcome.missing:
        print(f"(nothing mentions: {', '.join(outcome.missing)})")
    print(f"[{best.section_path}]")
    print(format_excerpt(best))
    return 0


async def add_cmd(args: argparse.Namespace, config: Config) -> int:
    path = Path(args.path)
    if not await asyncio.to_thread(path.is_file):
        raise ContentError(str(path), "no such file")
    if not is_article_file(path):
        raise ContentError(str(path), "not an article file: use .txt, .md or .html (and not "
                                      "a README or a .meta file)")
    values = {key: str(getattr(args, option)) for option, key in OPTION_KEYS.items()
              if getattr(args, option)}
    if values:
        written = await asyncio.to_thread(write_meta, path, values)
        print(f"wrote      {written}: {', '.join(values)}")
    return await ingest_cmd(argparse.Namespace(paths=[str(path)]), config, single=True)


async def ingest_cmd(args: argparse.Namespace, config: Config, *, single: bool = False) -> int:
    async with open_database(config.database) as db:
        service = ExcerptService(db)
        await service.ensure_seeds(config.seeds_dir)
        results = await service.ingest(args.paths)
        articles = {a.source: a for a in await service.articles()}
    failed = 0
    for r in results:
        if r.status == "error":
            failed += 1
            print(f"error      {r.error}")
            continue
        print(f"{r.status:<10} {r.path}: {r.title} ({r.passages} passages)")
        article = articles.get(r.path)
        if article is not None and not (article.author or article.publisher):
            print(f"           no author found: its excerpts are cited without one. Say who "
                  f"wrote it with: groupbot library add {r.path} --author NAME "
                  "[--source URL] [--published YYYY-MM-DD]")
    if failed:
        print(f"{failed} file(s) could not be read; nothing already stored was changed by them.")
    if single and not results:
        print("Nothing was added.")
        return 1
    return 1 if failed else 0


async def list_cmd(args: argparse.Namespace, config: Config) -> int:
    async with open_database(config.database) as db:
        service = ExcerptService(db)
        await service.ensure_seeds(config.seeds_dir)
        articles = await service.articles()
    if not articles:
        print("The library is empty. Add an article with: groupbot library add PATH --title T "
              "--author A --source URL --published YYYY-MM-DD")
        return 0
    for a in articles:
        byline = ", ".join(x for x in (a.author or a.publisher, a.published) if x)
        print(f"{a.slug}\t{a.title}\t{byline}\t{a.passages} passages\t{a.source_url or a.source}")
    return 0
