"""Neutral replies and the command registry, rendered as Discord payloads.

Pure functions (no network), so the limits Discord enforces are tested directly: messages of
at most 2,000 characters, embeds with at most 4,096 in the description and 6,000 in total,
and command trees at most three levels deep. Long text is split, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from groupbot.core.commands import Access, CommandRegistry, CommandSpec, OptionKind, OptionSpec
from groupbot.core.text import split_text
from groupbot.core.types import Button, ButtonStyle, Reply

MAX_CONTENT = 2000
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_TITLE = 256
MAX_EMBED_FOOTER = 2048
MAX_DESCRIPTION = 100  # command and option descriptions
MAX_CHOICES = 25
MAX_BUTTONS_PER_ROW = 5
MANAGE_MESSAGES = 1 << 13

OPTION_TYPES = {
    OptionKind.STRING: 3, OptionKind.TEXT: 3, OptionKind.CHOICE: 3, OptionKind.INTEGER: 4,
    OptionKind.MEMBER: 6, OptionKind.CHANNEL: 7, OptionKind.ROLE: 8,
}
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
TEXT_CHANNEL_TYPES = [0, 5, 10, 11, 12]
BUTTON_STYLES = {ButtonStyle.PRIMARY: 1, ButtonStyle.SECONDARY: 2, ButtonStyle.DANGER: 4}


@dataclass(frozen=True, slots=True)
class Chunk:
    """One Discord message's worth of a reply."""

    content: str | None = None
    embed: dict[str, Any] | None = None
    buttons: tuple[Button, ...] = field(default_factory=tuple)


def render_reply(reply: Reply) -> list[Chunk]:
    """A reply as one or more messages within Discord's limits; buttons go on the last one."""
    chunks: list[Chunk]
    if reply.title or reply.citation:
        parts = split_text(reply.text or "\u200b", MAX_EMBED_DESCRIPTION)
        chunks = []
        for i, part in enumerate(parts):
            embed: dict[str, Any] = {"description": part}
            if i == 0 and reply.title:
                embed["title"] = _clip(reply.title, MAX_EMBED_TITLE)
            if i == len(parts) - 1 and reply.citation:
                embed["footer"] = {"text": _clip(reply.citation, MAX_EMBED_FOOTER)}
            chunks.append(Chunk(embed=embed))
        if reply.title and len(reply.title) > MAX_EMBED_TITLE:
            chunks.insert(0, Chunk(content=_clip(reply.title, MAX_CONTENT)))
    else:
        chunks = [Chunk(content=p) for p in split_text(reply.text or "\u200b", MAX_CONTENT)]
    if reply.buttons:
        last = chunks[-1]
        chunks[-1] = Chunk(last.content, last.embed, reply.buttons[: 5 * MAX_BUTTONS_PER_ROW])
    return chunks


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def components(buttons: tuple[Button, ...]) -> list[dict[str, Any]]:
    rows = []
    for start in range(0, len(buttons), MAX_BUTTONS_PER_ROW):
        rows.append({"type": 1, "components": [
            {"type": 2, "style": BUTTON_STYLES[b.style], "label": _clip(b.label, 80),
             "custom_id": b.custom_id[:100]} for b in buttons[start:start + MAX_BUTTONS_PER_ROW]]})
    return rows


# -- app commands --------------------------------------------------------------------------
def _option(opt: OptionSpec) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": opt.name, "type": OPTION_TYPES[opt.kind],
        "description": _clip(opt.description or opt.name, MAX_DESCRIPTION),
        "required": opt.required and not opt.keyword_only,
    }
    if opt.kind is OptionKind.CHOICE:
        out["choices"] = [{"name": c, "value": c} for c in opt.choices[:MAX_CHOICES]]
    if opt.kind is OptionKind.INTEGER:
        if opt.min_value is not None:
            out["min_value"] = opt.min_value
        if opt.max_value is not None:
            out["max_value"] = opt.max_value
    if opt.kind is OptionKind.CHANNEL:
        out["channel_types"] = TEXT_CHANNEL_TYPES
    if opt.kind in (OptionKind.STRING, OptionKind.TEXT):
        out["max_length"] = 4000 if opt.kind is OptionKind.TEXT else 200
    return out


def _options(spec: CommandSpec) -> list[dict[str, Any]]:
    rendered = [_option(o) for o in spec.options]
    # Discord wants required options first; keep declaration order otherwise
    return [o for o in rendered if o["required"]] + [o for o in rendered if not o["required"]]


def render_commands(registry: CommandRegistry) -> list[dict[str, Any]]:
    """The registry as a bulk-overwrite payload: one top-level command per first word."""
    tops: dict[str, list[CommandSpec]] = {}
    for spec in registry.commands():
        tops.setdefault(spec.path[0], []).append(spec)
    payload = []
    for name, specs in tops.items():
        cmd: dict[str, Any] = {"name": name, "type": 1, "contexts": [0],
                               "integration_types": [0]}
        if len(specs) == 1 and len(specs[0].path) == 1:
            cmd["description"] = _clip(specs[0].description, MAX_DESCRIPTION)
            cmd["options"] = _options(specs[0])
        else:
            cmd["description"] = _clip(_group_description(name, specs), MAX_DESCRIPTION)
            cmd["options"] = _subtree(specs, 1)
        if all(s.access is Access.MODERATOR for s in specs):
            # Discord's client hides it from non-moderators; our own check still runs
            cmd["default_member_permissions"] = str(MANAGE_MESSAGES)
        payload.append(cmd)
    return payload


def _group_description(name: str, specs: list[CommandSpec]) -> str:
    if name == "mod":
        return "Moderator tools"
    return f"/{name} commands"


def _subtree(specs: list[CommandSpec], depth: int) -> list[dict[str, Any]]:
    groups: dict[str, list[CommandSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.path[depth], []).append(spec)
    out = []
    for name, members in groups.items():
        if len(members) == 1 and len(members[0].path) == depth + 1:
            spec = members[0]
            out.append({"name": name, "type": SUB_COMMAND,
                        "description": _clip(spec.description, MAX_DESCRIPTION),
                        "options": _options(spec)})
        else:
            out.append({"name": name, "type": SUB_COMMAND_GROUP,
                        "description": _clip(f"{' '.join(members[0].path[:depth + 1])} commands",
                                             MAX_DESCRIPTION),
                        "options": _subtree(members, depth + 1)})
    return out


def parse_invocation(data: dict[str, Any]) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """An interaction's `data` as (command path, leaf options)."""
    path = [str(data.get("name", ""))]
    options: list[dict[str, Any]] = list(data.get("options") or [])
    while len(options) == 1 and options[0].get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
        path.append(str(options[0]["name"]))
        options = list(options[0].get("options") or [])
    return tuple(path), options
