"""What every feature gets (services) and may offer (commands, message hooks, background work)."""

from __future__ import annotations

from dataclasses import dataclass, field

from groupbot.config import Config
from groupbot.core.commands import CommandRegistry
from groupbot.core.ports import ChatPort, Clock
from groupbot.core.types import Group, Message
from groupbot.storage.groups import GroupSettings
from groupbot.storage.store import Store


@dataclass
class Services:
    """The ports and shared state a feature depends on. No platform types in here."""

    config: Config
    store: Store
    clock: Clock
    chat: ChatPort
    registry: CommandRegistry = field(default_factory=CommandRegistry)
    features: dict[str, Feature] = field(default_factory=dict)

    def feature(self, name: str) -> Feature | None:
        """Another feature by name (filled in by the Bot), looked up at run time so features
        never import each other at module load."""
        return self.features.get(name)

    async def settings(self, group: Group) -> GroupSettings:
        """The group's settings, creating the group on first sight with configured defaults."""
        existing = await self.store.groups.settings(group.id)
        if existing is not None:
            return existing
        return await self.store.groups.ensure(
            group, self.clock.now(), timezone=self.config.timezone, region=self.config.region
        )


class Feature:
    """A unit of behaviour. Subclasses register commands and may watch messages."""

    name = "feature"

    def __init__(self, services: Services) -> None:
        self.services = services

    def register(self, registry: CommandRegistry) -> None:
        """Declare this feature's commands and button handlers."""

    async def on_message(self, message: Message) -> bool:
        """See a member's message (new or edited). Return True to stop later hooks."""
        return False

    async def start(self) -> None:
        """Start background work (schedules). Must return promptly."""

    async def stop(self) -> None:
        """Stop background work; called before the database closes."""

    async def idle(self) -> None:
        """Return once background work has nothing to do until the clock moves (tests, demo)."""
