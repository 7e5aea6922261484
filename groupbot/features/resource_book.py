"""The support resources in force, and how they read as bullet lines.

Shared by the moderation feature's crisis reply and /resources (one book: a reload reaches
both), so it lives here rather than in either feature: features never import each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from groupbot.features.base import Services

log = logging.getLogger(__name__)

NOT_A_THERAPIST = "I'm a bot, not a therapist or a crisis service."

ResourceLoader = Callable[[str], Sequence[Any]]


def resource_lines(loader: ResourceLoader, region: str, with_source: bool = False,
                   first: Sequence[str] | None = None, also: Sequence[str] = ()) -> list[str]:
    """The region's support lines as bullet lines; a loading failure never fails a reply.
    With `first` (topics, most fitting first), lines of those topics lead, then the crisis
    lines, then those of the topics in `also`; other special topics (danger, young) are left
    out. Without `first`, every line, in file order (/resources)."""
    try:
        items = list(loader(region))
    except Exception:
        log.exception("loading crisis resources failed", extra={"region": region})
        items = []
    if first is not None:
        rank = {topic: n for n, topic in enumerate(first)}
        rank["crisis"] = len(first)
        for topic in also:
            rank.setdefault(topic, len(first) + 1)
        items = [r for r in items if _topic(r) in rank]
        items.sort(key=lambda r: rank[_topic(r)])  # (stable: file order within a topic)
    lines = [line for line in (format_resource(r, with_source) for r in items) if line]
    if not lines:
        lines = ["• Your local emergency number, or a local crisis line "
                 "(findahelpline.com lists them by country)."]
    return lines


def _field(item: Any, key: str) -> str:
    """A field of the engine's `Resource` or of a plain dict ("" when missing)."""
    value = item.get(key) if isinstance(item, dict) else getattr(item, key, None)
    return str(value).strip() if value else ""


def _topic(item: Any) -> str:
    return _field(item, "topic") or "crisis"


def format_resource(item: Any, with_source: bool = False) -> str:
    """One resource as a bullet line. Accepts the engine's `Resource` or a plain dict."""
    name = _field(item, "name")
    if not name:
        return ""
    how = _field(item, "reach") or " · ".join(
        x for x in (_field(item, "phone"), _field(item, "url")) if x)
    line = f"• {name}" + (f": {how}" if how else "")
    source = _field(item, "source")
    if with_source and source:
        line += f" (source: {source})"
    return line


class ResourceBook:
    """The support resources in force: the whole resources file (the config's, else the
    shipped one), read and checked when the bot is built, looked up by region, and replaced
    whole by `/mod policy reload` only when the new file checks out. One book serves both
    the crisis replies and /resources."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._table = self.read()

    def read(self) -> dict[str, list[Any]]:
        """Read and check the file again (raises ContentErrors listing every problem);
        nothing changes until `swap`."""
        from groupbot.moderation.resources import load_resource_table

        return dict(load_resource_table(self.path))

    def swap(self, table: dict[str, list[Any]]) -> None:
        self._table = table

    def __call__(self, region: str) -> Sequence[Any]:
        from groupbot.moderation.resources import resources_for

        return resources_for(self._table, region)


def default_resources(services: Services) -> ResourceBook:
    """The resources file (config, else the shipped one), checked now."""
    return ResourceBook(services.config.resources_file)


__all__ = ["NOT_A_THERAPIST", "ResourceBook", "ResourceLoader", "default_resources",
           "format_resource", "resource_lines"]
