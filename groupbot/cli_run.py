"""`groupbot run`, `groupbot console` and `groupbot demo`."""

from __future__ import annotations

import argparse
from typing import Any

from groupbot.config import Config, parse_port
from groupbot.core.errors import ConfigError
from groupbot.platforms.console import ConsoleChat
from groupbot.platforms.console_session import ConsoleSession, read_lines
from groupbot.runtime import open_bot


def register_cli(sub: Any) -> None:
    run = sub.add_parser("run", help="serve a platform (console by default)")
    run.add_argument("--platform", choices=("console", "discord", "slack"),
                     help="which platform (default from config, else console)")
    run.add_argument("--shard-ids", help="Discord: comma-separated shard ids for this process")
    run.add_argument("--shard-count", type=int, help="Discord: total number of shards")
    run.add_argument("--sync-global", action="store_true",
                     help="Discord: also sync app commands globally")
    run.add_argument("--http", action="store_true", help="Slack: HTTP mode instead of Socket Mode")
    run.add_argument("--port", type=int, default=3000, help="Slack HTTP mode port")
    run.add_argument("--as-moderator", action="store_true",
                     help="console: start as a moderator")
    add_dashboard_args(run)
    run.set_defaults(func=run_cmd)

    con = sub.add_parser("console", help="an interactive local group in this terminal")
    con.add_argument("--as", dest="as_name", default="you", help="your display name")
    con.add_argument("--as-moderator", action="store_true", help="start as a moderator")
    add_dashboard_args(con)
    con.set_defaults(func=console_cmd)

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
    platform = args.platform or config.platform
    if platform == "console":
        args.as_name = "you"
        return await console_cmd(args, config)
    if platform == "discord":
        from groupbot.platforms.discord.runner import run_discord

        code: int = await run_discord(config, args)
        return code
    if platform == "slack":
        from groupbot.platforms.slack.runner import run_slack

        slack_code: int = await run_slack(config, args)
        return slack_code
    raise ConfigError(f"unknown platform {platform!r}: use console, discord or slack")


async def console_cmd(args: argparse.Namespace, config: Config) -> int:
    apply_dashboard_args(args, config)
    chat = ConsoleChat(out=print)
    member = chat.add_member(args.as_name, moderator=args.as_moderator)
    channel = chat.channel("general")
    assert channel is not None
    async with open_bot(config, chat) as bot:
        session = ConsoleSession(bot, chat, member, channel)
        print(session.banner())
        await read_lines(session)
    return 0


async def demo_cmd(args: argparse.Namespace, config: Config) -> int:
    import logging

    from groupbot.demo import run_demo

    if config.log_level == "INFO":  # keep the transcript readable; --log-level DEBUG still works
        logging.getLogger().setLevel(logging.WARNING)
    config.dashboard.port = None  # a simulated week in fake time: no dashboard
    return await run_demo(config, keep_database=args.keep_database)
