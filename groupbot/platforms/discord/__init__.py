"""The Discord adapter: the only package that imports discord.py."""

from __future__ import annotations

from groupbot.platforms.discord.chat import DiscordChat, Pacer
from groupbot.platforms.discord.client import GroupbotClient
from groupbot.platforms.discord.runner import configure_endpoints, run_discord

__all__ = ["DiscordChat", "GroupbotClient", "Pacer", "configure_endpoints", "run_discord"]
