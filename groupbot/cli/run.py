"""`groupbot run`, `groupbot console` and `groupbot demo`."""

from __future__ import annotations

import argparse
import os
from typing import Any

from groupbot.cli.health import ENV as HEARTBEAT_ENV
from groupbot.cli.health import heartbeat
from groupbot.config import Config
from groupbot.core.errors import ConfigError
from groupbot.platforms import PLATFORM_NAMES, PLATFORMS


def register_cli(sub: Any) -> None:
    run = sub.add_parser("run", help="serve a platform (console by default)")
    run.add_argument("--platform", choices=PLATFORM_NAMES,
                     help="which platform (default from config, else console): "
                          + "; ".join(f"{p.name}, {p.summary}" for p in PLATFORMS.values()))
    for entry in PLATFORMS.values():
        for option in entry.options:
            run.add_argument(*option.flags, help=f"{entry.name}: {option.help}",
                             **dict(option.kwargs))
    run.set_defaults(func=run_cmd, serving=True)

    con = sub.add_parser("console", help="an interactive local group in this terminal")
    con.add_argument("--as", dest="as_name", default="you", help="your display name")
    con.add_argument("--as-moderator", action="store_true", help="start as a moderator")
    con.set_defaults(func=console_cmd, serving=True)

    demo = sub.add_parser("demo", help="a simulated week in one group, in a few seconds")
    demo.add_argument("--keep-database", action="store_true",
                      help="use the configured database instead of a temporary one")
    demo.set_defaults(func=demo_cmd)


async def run_cmd(args: argparse.Namespace, config: Config) -> int:
    name = args.platform or config.platform
    entry = PLATFORMS.get(name)
    if entry is None:
        raise ConfigError(f"unknown platform {name!r}: use {', '.join(PLATFORM_NAMES)}")
    async with heartbeat(os.environ.get(HEARTBEAT_ENV)):  # for `groupbot health`
        return await entry.load()(config, args)


async def console_cmd(args: argparse.Namespace, config: Config) -> int:
    return await PLATFORMS["console"].load()(config, args)


async def demo_cmd(args: argparse.Namespace, config: Config) -> int:
    from groupbot.demo import run_demo

    return await run_demo(config, keep_database=args.keep_database)
