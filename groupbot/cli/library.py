"""`groupbot excerpt QUERY [--json]`, `groupbot library ingest PATH...`, `groupbot library list`."""

from __future__ import annotations

import argparse
import json
from typing import Any

from groupbot.config import Config
from groupbot.features.excerpts import format_excerpt
from groupbot.library.service import ExcerptService
from groupbot.storage.database import Database


def register_cli(sub: Any) -> None:
    exc = sub.add_parser("excerpt", help="the best cited excerpt from the article library")
    exc.add_argument("query", nargs="+", help="words to search for")
    exc.add_argument("--json", action="store_true",
                     help='print {"article","section","text","score","results":[top five]}')
    exc.set_defaults(func=excerpt_cmd)

    lib = sub.add_parser("library", help="the article library: ingest, list")
    libsub = lib.add_subparsers(dest="library_command", metavar="ACTION", required=True)
    ing = libsub.add_parser("ingest", help="add or update articles (.txt, .md, .html, folders)")
    ing.add_argument("paths", nargs="+", metavar="PATH")
    ing.set_defaults(func=ingest_cmd)
    lst = libsub.add_parser("list", help="the articles in the library")
    lst.set_defaults(func=list_cmd)


async def excerpt_cmd(args: argparse.Namespace, config: Config) -> int:
    """Exit status 0 when a passage matched, 1 when none did (like grep)."""
    query = " ".join(args.query)
    async with Database(config.database) as db:
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


async def ingest_cmd(args: argparse.Namespace, config: Config) -> int:
    async with Database(config.database) as db:
        results = await ExcerptService(db).ingest(args.paths)
    failed = 0
    for r in results:
        if r.status == "error":
            failed += 1
            print(f"error      {r.error}")
        else:
            print(f"{r.status:<10} {r.path}: {r.title} ({r.passages} passages)")
    if failed:
        print(f"{failed} file(s) could not be read; nothing already stored was changed by them.")
    return 1 if failed else 0


async def list_cmd(args: argparse.Namespace, config: Config) -> int:
    async with Database(config.database) as db:
        articles = await ExcerptService(db).articles()
    if not articles:
        print("The library is empty. Add articles with: groupbot library ingest PATH...")
        return 0
    for a in articles:
        byline = ", ".join(x for x in (a.author, a.published) if x)
        print(f"{a.slug}\t{a.title}\t{byline}\t{a.passages} passages\t{a.source}")
    return 0
