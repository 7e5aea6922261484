"""`groupbot run`, `groupbot console` and `groupbot demo`."""

from __future__ import annotations

import argparse
import os
from typing import Any

from groupbot.cli.health import ENV as HEARTBEAT_ENV
from groupbot.cli.health import heartbeat
from groupbot.config import Config, parse_port
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
    add_dashboard_args(run)
    run.set_defaults(func=run_cmd, serving=True)

    con = sub.add_parser("console", help="an interactive local group in this terminal")
    con.add_argument("--as", dest="as_name", default="you", help="your display name")
    con.add_argument("--as-moderator", action="store_true", help="start as a moderator")
    add_dashboard_args(con)
    con.set_defaults(func=console_cmd, serving=True)

    demo = sub.add_parser("demo", help="a simulated week in one group, in a few seconds")
    demo.add_argument("--keep-database", action="store_true",
                      help="use the configured database instead of a temporary one")
    demo.set_defaults(func=demo_cmd)


def add_dashboard_args(parser: Any) -> None:
    parser.add_argument("--dashboard-port", type=int, metavar="N",
                        help="also serve the moderators' dashboard on this port (or set "
                             "[dashboard] port)")
    parser.add_argument("--dashboard-host", metavar="HOST",
                        help="the dashboard's address (default 127.0.0.1: this machine only)")


def apply_dashboard_args(args: argparse.Namespace, config: Config) -> None:
    """`--dashboard-port` and `--dashboard-host` over the config file's [dashboard]."""
    port = getattr(args, "dashboard_port", None)
    if port is not None:
        config.dashboard.port = parse_port(port, "--dashboard-port")
    host = getattr(args, "dashboard_host", None)
    if host:
        config.dashboard.host = host


async def run_cmd(args: argparse.Namespace, config: Config) -> int:
    apply_dashboard_args(args, config)
    name = args.platform or config.platform
    entry = PLATFORMS.get(name)
    if entry is None:
        raise ConfigError(f"unknown platform {name!r}: use {', '.join(PLATFORM_NAMES)}")
    async with heartbeat(os.environ.get(HEARTBEAT_ENV)):  # for `groupbot health`
        return await entry.load()(config, args)


async def console_cmd(args: argparse.Namespace, config: Config) -> int:
    apply_dashboard_args(args, config)
    return await PLATFORMS["console"].load()(config, args)


async def demo_cmd(args: argparse.Namespace, config: Config) -> int:
    from groupbot.demo import run_demo

    config.dashboard.port = None  # a simulated week in fake time: no dashboard
    return await run_demo(config, keep_database=args.keep_database)
