"""`groupbot dashboard`: the moderators' dashboard for operators.

- `groupbot dashboard [--port N] [--host H]` serves it alone, against the database, while the
  bot runs elsewhere (or not at all); see `groupbot.dashboard.standalone` for what that can do.
- `groupbot dashboard link --group G --moderator M` prints a one-time sign-in link (ten
  minutes) for someone the operator vouches for, pointing at `[dashboard] public_url`.
- `groupbot dashboard revoke --group G --moderator M` signs them out everywhere and makes a
  dashboard running alone refuse them (the bot, running, asks the platform instead).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from groupbot.config import Config, parse_port
from groupbot.core.errors import ConfigError, GroupbotError, StorageError
from groupbot.core.ports import SystemClock
from groupbot.dashboard.auth import LINK_LIFETIME, Moderators, SignIn
from groupbot.storage.backend import Db, is_postgres
from groupbot.storage.connect import open_database
from groupbot.storage.dashboard import DashboardRepo
from groupbot.storage.groups import GroupRepo

DEFAULT_PORT = 8080


def register_cli(sub: Any) -> None:
    dash = sub.add_parser(
        "dashboard", help="the moderators' dashboard: serve it alone, or print a sign-in link",
        description="Serve the moderators' dashboard against the database, without the bot "
                    "(to serve it with the bot: groupbot run ... --dashboard-port N). It "
                    "listens on 127.0.0.1 unless --host says otherwise.")
    dash.add_argument("--port", type=int, help=f"port (default [dashboard] port, else "
                                               f"{DEFAULT_PORT})")
    dash.add_argument("--host", help="address to listen on (default [dashboard] host, "
                                     "127.0.0.1)")
    dsub = dash.add_subparsers(dest="dashboard_command", metavar="ACTION")
    link = dsub.add_parser(
        "link", help="print a one-time sign-in link for a moderator",
        description="Print a sign-in link for one moderator of one group: it works once, "
                    "for ten minutes. It points at [dashboard] public_url (or "
                    "GROUPBOT_DASHBOARD_PUBLIC_URL), else at the configured port here.")
    link.add_argument("--group", required=True, help="the group's id as the bot stores it")
    link.add_argument("--moderator", required=True,
                      help="the moderator's member id on the platform (or a name the "
                           "dashboard already knows)")
    link.add_argument("--name", help="how the dashboard names them (default: as last seen)")
    revoke = dsub.add_parser(
        "revoke", help="sign a moderator out of the dashboard and refuse them from now on",
        description="End a moderator's dashboard sessions in a group and record that they "
                    "are no longer a moderator. A dashboard running with the bot asks the "
                    "platform on every page anyway; one running alone relies on this.")
    revoke.add_argument("--group", required=True, help="the group's id as the bot stores it")
    revoke.add_argument("--moderator", required=True, help="the member id (or a known name)")
    dash.set_defaults(func=dashboard_cmd, serving=True)  # (it serves, and logs like run)
    link.set_defaults(serving=False)
    revoke.set_defaults(serving=False)


async def dashboard_cmd(args: argparse.Namespace, config: Config) -> int:
    command = getattr(args, "dashboard_command", None)
    if command == "link":
        return await link_cmd(args, config)
    if command == "revoke":
        return await revoke_cmd(args, config)
    return await serve_cmd(args, config)


async def _existing(path: str) -> None:
    if (path != ":memory:" and not path.startswith("file:") and not is_postgres(path)
            and not await asyncio.to_thread(Path(path).is_file)):
        raise StorageError(f"there is no database at {path} (give --database or set "
                           "GROUPBOT_DATABASE)")


async def _check_group(db: Db, group_id: str) -> None:
    groups = GroupRepo(db)
    if await groups.settings(group_id) is None:
        known = await groups.all_ids()
        listed = ", ".join(known[:20]) + (f" and {len(known) - 20} more"
                                          if len(known) > 20 else "")
        raise GroupbotError(f"there is no group {group_id!r} in {db.path}"
                            + (f"; the groups are: {listed}" if known else
                               "; it has no groups yet"))


async def _member(repo: DashboardRepo, group_id: str, typed: str) -> tuple[str, str | None]:
    """A member id as typed, or the id of the one moderator the dashboard knows by that
    name; and the name it knows them by."""
    names = await repo.names(group_id)
    if typed in names:
        return typed, names[typed]
    matches = [i for i, n in names.items() if n.lower() == typed.lstrip("@").lower()]
    if len(matches) == 1:
        return matches[0], names[matches[0]]
    return typed, None


def base_url(config: Config) -> str:
    cfg = config.dashboard
    if cfg.public_url:
        return cfg.public_url
    if cfg.port:
        host = "127.0.0.1" if cfg.host in ("0.0.0.0", "::", "") else cfg.host
        return f"http://{host}:{cfg.port}"
    raise ConfigError("the dashboard's address is not configured: set [dashboard] public_url "
                      "(or GROUPBOT_DASHBOARD_PUBLIC_URL), e.g. https://mods.example.org, or "
                      "[dashboard] port")


async def link_cmd(args: argparse.Namespace, config: Config) -> int:
    from groupbot.features.dashboard import signin_url

    base = base_url(config)
    path = str(config.database)
    await _existing(path)
    async with open_database(path) as db:
        await _check_group(db, args.group)
        repo = DashboardRepo(db)
        clock = SystemClock()
        member_id, known = await _member(repo, args.group, args.moderator)
        name = args.name or known or member_id
        signin = SignIn(repo, clock, Moderators(repo, clock))
        token = await signin.issue_link(args.group, member_id, name, issued_by="operator")
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    print(f"A one-time sign-in link for {name} ({member_id}) in {args.group}, valid for "
          f"{minutes} minutes:", file=sys.stderr)
    print(signin_url(base, args.group, token))
    return 0


async def revoke_cmd(args: argparse.Namespace, config: Config) -> int:
    path = str(config.database)
    await _existing(path)
    async with open_database(path) as db:
        await _check_group(db, args.group)
        repo = DashboardRepo(db)
        clock = SystemClock()
        member_id, known = await _member(repo, args.group, args.moderator)
        ended = await SignIn(repo, clock, Moderators(repo, clock)).revoke(
            args.group, member_id, known or member_id)
    print(f"{known or member_id} ({member_id}) is signed out of the dashboard of "
          f"{args.group} ({ended} session{'s' if ended != 1 else ''} ended) and refused by a "
          "dashboard running alone from now on.", file=sys.stderr)
    return 0


async def serve_cmd(args: argparse.Namespace, config: Config) -> int:
    from groupbot.dashboard.app import serve
    from groupbot.dashboard.standalone import DetachedChat
    from groupbot.runtime import open_bot

    port = parse_port(args.port, "--port") if args.port is not None else (
        config.dashboard.port if config.dashboard.port is not None else DEFAULT_PORT)
    host = args.host or config.dashboard.host
    path = str(config.database)
    await _existing(path)
    config.dashboard.port = None  # (open_bot serves nothing itself here: serve below does)
    async with open_bot(config, DetachedChat(config.platform), start=False) as bot, \
            serve(bot, host=host, port=port, alone=True) as served:
        config.dashboard.port = served.port
        print(f"The moderators' dashboard is at {served.url} (without the bot: actions that "
              "need the platform wait for it). Sign in with a link from /mod dashboard or "
              "`groupbot dashboard link`. Ctrl-C stops it.", file=sys.stderr, flush=True)
        await asyncio.Event().wait()
    return 0
