"""Which Slack workspace a call acts for, when groupbot is installed in many (OAuth).

A `SlackChat` method given a group acts for that group's workspace (`per_team`); the
adapter's listeners act for the workspace of the request (`acting_for`). The helpers they
call (users.info, conversations.info, their caches) read it from a context variable, so it
follows each listener and each scheduled post, and asyncio tasks they start, without being
passed down every call.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
_TEAM: ContextVar[str | None] = ContextVar("groupbot_slack_team", default=None)
# Slack's answers that mean a workspace's token is no longer good (uninstalled, re-installed)
STALE_TOKEN = ("invalid_auth", "token_revoked", "account_inactive", "not_authed")


class TeamTokens(Protocol):
    """Where each workspace's bot token is kept (`oauth.DatabaseInstallationStore`)."""

    async def bot_token(self, team_id: str) -> tuple[str, str | None] | None:
        """(bot token, bot id) for the workspace, or None when it is not installed."""
        ...


def team_of_group_id(group_id: str) -> str:
    return group_id.removeprefix("slack:")


def current_team() -> str | None:
    return _TEAM.get()


@contextmanager
def acting_for(team_id: str | None) -> Iterator[None]:
    """Calls made inside act for this workspace."""
    token = _TEAM.set(team_id or None)
    try:
        yield
    finally:
        _TEAM.reset(token)


def per_team(method: F) -> F:
    """The method (self, group, ...) acts for the workspace of its group."""

    @functools.wraps(method)
    async def wrapper(self: Any, group: Any, *args: Any, **kwargs: Any) -> Any:
        with acting_for(team_of_group_id(group.id)):
            return await method(self, group, *args, **kwargs)
    return cast(F, wrapper)
