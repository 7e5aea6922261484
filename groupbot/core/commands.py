"""Commands declared once, as data, and parsed from text the same way everywhere.

Each command of the public interface is a `CommandSpec`: its path (``("mod", "schedule",
"add")``), typed options, who may run it, and the handler. Adapters render the registry
natively (Discord app commands, one Slack ``/groupbot`` command, console lines); the text
parser here serves Slack and the console so both read commands identically.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from groupbot.core.errors import UsageError
from groupbot.core.types import Channel, Group, Interaction, Member, Reply

Replies = Reply | Sequence[Reply] | None

# SQLite keeps integers in 64 bits: a larger number is nobody's id (and binding one raises
# OverflowError), so the parser answers for it before any query runs.
SQL_INT_MIN, SQL_INT_MAX = -(2**63), 2**63 - 1


def stored_id(text: str) -> int | None:
    """A positive id written in digits (a button's custom id, say) that could be stored, or
    None: not digits, zero, or beyond what SQLite can hold (so no row has it)."""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= SQL_INT_MAX else None


class OptionKind(enum.Enum):
    STRING = "string"  # one word, or a quoted phrase
    TEXT = "text"  # everything to the end of the line (only as the last positional option)
    INTEGER = "integer"
    CHANNEL = "channel"
    MEMBER = "member"
    ROLE = "role"
    CHOICE = "choice"


class Access(enum.Enum):
    """Who may run a command. Checked in our code, fail-closed, on every platform."""

    MEMBER = "member"
    MODERATOR = "moderator"


@dataclass(frozen=True, slots=True)
class OptionSpec:
    name: str
    kind: OptionKind
    description: str
    required: bool = True
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    keyword_only: bool = False  # given as name=value only (e.g. tz=Europe/Berlin)
    # For an INTEGER naming a stored thing (a case, a queue item, a schedule): the reply for
    # a number beyond what the database can hold, "{}" standing for it, worded as the
    # feature's own "there is no such ..." (so it is simply not found).
    missing: str = ""

    def placeholder(self) -> str:
        if self.keyword_only:
            return f"[{self.name}=...]"
        inner = "|".join(self.choices) if self.kind is OptionKind.CHOICE else self.name
        return f"<{inner}>" if self.required else f"[{inner}]"


@dataclass(slots=True)
class CommandContext:
    """One invocation of a command, after parsing and the permission check."""

    spec: CommandSpec
    group: Group
    channel: Channel
    invoker: Member
    args: dict[str, Any]
    platform: str

    def arg(self, name: str, default: Any = None) -> Any:
        value = self.args.get(name)
        return default if value is None else value


Handler = Callable[[CommandContext], Awaitable[Replies]]
ButtonHandler = Callable[[Interaction], Awaitable[Replies]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    path: tuple[str, ...]
    description: str
    handler: Handler
    options: tuple[OptionSpec, ...] = ()
    access: Access = Access.MEMBER
    private: bool = False  # replies default to private (ephemeral) visibility
    slow: bool = False  # may take a while: adapters defer and follow up
    # Typed text naming only the group (``/checkin 3``) runs this subcommand. Discord cannot
    # have a command that is also a group, so it shows the subcommand (``/checkin now``).
    default: bool = False

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def usage(self) -> str:
        parts = ["/" + self.name, *(o.placeholder() for o in self.options)]
        return " ".join(parts)


class Resolver(Protocol):
    """Turns a channel or member mention typed as text into a neutral object."""

    async def resolve_channel(self, group: Group, token: str) -> Channel | None: ...

    async def resolve_member(self, group: Group, token: str) -> Member | None: ...


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
_KEYWORD = re.compile(r"^([a-z][a-z_]*)=(.*)$", re.S)


@dataclass(slots=True)
class ParsedCommand:
    spec: CommandSpec
    raw: dict[str, str]


@dataclass
class CommandRegistry:
    """All commands and button handlers, collected from the features."""

    _commands: dict[tuple[str, ...], CommandSpec] = field(default_factory=dict)
    _buttons: dict[str, ButtonHandler] = field(default_factory=dict)

    # -- declaring -----------------------------------------------------------------------
    def add(self, spec: CommandSpec) -> None:
        if not spec.path or any(not re.fullmatch(r"[a-z][a-z0-9-]*", p) for p in spec.path):
            raise ValueError(f"bad command path {spec.path!r}")
        if spec.path in self._commands:
            raise ValueError(f"command /{spec.name} declared twice")
        if len(spec.path) > 3:
            raise ValueError(f"/{spec.name}: Discord allows at most two levels of subcommands")
        for prefix_len in range(1, len(spec.path)):
            if spec.path[:prefix_len] in self._commands:
                raise ValueError(f"/{spec.name} nests under the leaf command /{spec.name}")
        if any(k[: len(spec.path)] == spec.path for k in self._commands):
            raise ValueError(f"/{spec.name} would shadow its own subcommands")
        if spec.default:
            if len(spec.path) < 2:
                raise ValueError(f"/{spec.name}: only a subcommand can be a group's default")
            if self.default_for(spec.path[:-1]) is not None:
                raise ValueError(f"/{' '.join(spec.path[:-1])} has two default subcommands")
        seen_optional = False
        names: set[str] = set()
        for i, opt in enumerate(spec.options):
            if opt.name in names:
                raise ValueError(f"/{spec.name}: option {opt.name} declared twice")
            names.add(opt.name)
            if opt.keyword_only:
                continue
            if opt.kind is OptionKind.TEXT and any(
                not o.keyword_only for o in spec.options[i + 1 :]
            ):
                raise ValueError(f"/{spec.name}: a TEXT option must be the last positional one")
            if opt.required and seen_optional:
                raise ValueError(f"/{spec.name}: required option {opt.name} after an optional one")
            seen_optional = seen_optional or not opt.required
        self._commands[spec.path] = spec

    def command(
        self,
        path: str,
        description: str,
        *options: OptionSpec,
        access: Access = Access.MEMBER,
        private: bool = False,
        slow: bool = False,
        default: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Decorator form: ``@registry.command("mod warn", "Warn a member", opt, ...)``."""

        def deco(handler: Handler) -> Handler:
            self.add(
                CommandSpec(
                    tuple(path.split()), description, handler, tuple(options), access, private,
                    slow, default,
                )
            )
            return handler

        return deco

    def add_button(self, prefix: str, handler: ButtonHandler) -> None:
        """Route clicks whose custom id starts with ``prefix`` (e.g. ``gb:checkin:``)."""
        if prefix in self._buttons:
            raise ValueError(f"button prefix {prefix} declared twice")
        self._buttons[prefix] = handler

    # -- reading -------------------------------------------------------------------------
    def commands(self) -> list[CommandSpec]:
        return sorted(self._commands.values(), key=lambda s: s.path)

    def get(self, path: Iterable[str]) -> CommandSpec | None:
        return self._commands.get(tuple(path))

    def children(self, prefix: tuple[str, ...]) -> list[CommandSpec]:
        n = len(prefix)
        return [s for s in self.commands() if s.path[:n] == prefix and len(s.path) > n]

    def default_for(self, prefix: tuple[str, ...]) -> CommandSpec | None:
        """The subcommand that runs when only the group ``prefix`` is typed."""
        return next((s for s in self.children(prefix)
                     if s.default and len(s.path) == len(prefix) + 1), None)

    def button_handler(self, custom_id: str) -> ButtonHandler | None:
        best = ""
        for prefix in self._buttons:
            if custom_id.startswith(prefix) and len(prefix) > len(best):
                best = prefix
        return self._buttons.get(best) if best else None

    # -- parsing text --------------------------------------------------------------------
    def parse(self, text: str) -> ParsedCommand:
        """Split ``/mod warn @bob "too harsh"`` into its spec and raw option strings.

        Raises `UsageError` with a short usage message naming the command.
        """
        body = text.strip()
        if body.startswith("/"):
            body = body[1:]
        if body.startswith("groupbot ") or body == "groupbot":
            body = body[len("groupbot") :].strip()
        tokens = [(m.start(), m.end(), m.group(1) if m.group(1) is not None else m.group(2))
                  for m in _TOKEN.finditer(body)]
        if not tokens:
            raise UsageError("Type /help to see the commands.")
        words = [t[2].lower() for t in tokens]
        spec: CommandSpec | None = None
        used = 0
        for n in range(min(3, len(words)), 0, -1):
            spec = self._commands.get(tuple(words[:n]))
            if spec:
                used = n
                break
        if spec is None:
            prefix: tuple[str, ...] = ()
            for n in range(min(3, len(words)), 0, -1):
                if self.children(tuple(words[:n])):
                    prefix = tuple(words[:n])
                    break
            default = self.default_for(prefix) if prefix else None
            if default is not None:
                return ParsedCommand(default, self._bind(default, body, tokens[len(prefix):]))
            if prefix:
                subs = ", ".join(s.usage() for s in self.children(prefix))
                raise UsageError(f"/{' '.join(prefix)} needs a subcommand: {subs}")
            raise UsageError(f"Unknown command /{_clip(words[0])}. Type /help to see the commands.")
        return ParsedCommand(spec, self._bind(spec, body, tokens[used:]))

    def _bind(
        self, spec: CommandSpec, body: str, tokens: list[tuple[int, int, str]]
    ) -> dict[str, str]:
        raw: dict[str, str] = {}
        by_name = {o.name: o for o in spec.options}
        positional = [o for o in spec.options if not o.keyword_only]
        pos_i = 0
        i = 0
        while i < len(tokens):
            tok = tokens[i][2]
            kw = _KEYWORD.match(tok)
            if kw and kw.group(1) in by_name and kw.group(1) not in raw:
                raw[kw.group(1)] = kw.group(2)
                i += 1
                continue
            if pos_i >= len(positional):
                raise UsageError(f"Too many values for /{spec.name}. Usage: {spec.usage()}")
            opt = positional[pos_i]
            if opt.kind is OptionKind.TEXT:
                rest = tokens[i:]
                # keyword options may still trail a TEXT option: peel them off the end
                while rest:
                    m = _KEYWORD.match(rest[-1][2])
                    if m and m.group(1) in by_name and by_name[m.group(1)].keyword_only:
                        raw.setdefault(m.group(1), m.group(2))
                        rest = rest[:-1]
                    else:
                        break
                if rest:
                    raw[opt.name] = body[rest[0][0] : rest[-1][1]]
                pos_i += 1
                break
            raw[opt.name] = tok
            pos_i += 1
            i += 1
        for opt in spec.options:
            if opt.required and opt.name not in raw:
                raise UsageError(f"/{spec.name} needs <{opt.name}>. Usage: {spec.usage()}")
        return raw

    async def convert(
        self, spec: CommandSpec, raw: dict[str, Any], group: Group, resolver: Resolver | None
    ) -> dict[str, Any]:
        """Check and convert raw option values (strings, or already-typed native values)."""
        out: dict[str, Any] = {}
        for opt in spec.options:
            value = raw.get(opt.name)
            if value is None or value == "":
                if opt.required:
                    raise UsageError(f"/{spec.name} needs <{opt.name}>. Usage: {spec.usage()}")
                out[opt.name] = None
                continue
            out[opt.name] = await _convert_one(spec, opt, value, group, resolver)
        unknown = set(raw) - {o.name for o in spec.options}
        if unknown:
            raise UsageError(
                f"/{spec.name} has no option {sorted(unknown)[0]}. Usage: {spec.usage()}"
            )
        return out


async def _convert_one(
    spec: CommandSpec, opt: OptionSpec, value: Any, group: Group, resolver: Resolver | None
) -> Any:
    usage = f"Usage: {spec.usage()}"
    if opt.kind is OptionKind.INTEGER:
        if opt.min_value is not None and opt.max_value is not None:
            wanted = f"a whole number from {opt.min_value} to {opt.max_value} ({opt.description})"
        else:
            wanted = "a whole number"
        if isinstance(value, bool):
            raise UsageError(f"<{opt.name}> must be {wanted}. {usage}")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise UsageError(f"<{opt.name}> must be {wanted}, not '{_clip(str(value))}'. "
                             f"{usage}") from None
        if opt.min_value is not None and opt.max_value is not None and \
                not opt.min_value <= number <= opt.max_value:
            raise UsageError(f"<{opt.name}> must be {wanted}. {usage}")
        if opt.min_value is not None and number < opt.min_value:
            raise UsageError(f"<{opt.name}> must be at least {opt.min_value}. {usage}")
        if opt.max_value is not None and number > opt.max_value:
            raise UsageError(f"<{opt.name}> must be at most {opt.max_value}. {usage}")
        if not SQL_INT_MIN <= number <= SQL_INT_MAX:
            if opt.missing:
                raise UsageError(opt.missing.format(_clip(str(number))))
            raise UsageError(f"<{opt.name}> is too large a number. {usage}")
        return number
    if opt.kind is OptionKind.CHOICE:
        text = str(value).lower()
        if text not in opt.choices:
            raise UsageError(f"<{opt.name}> must be one of {', '.join(opt.choices)}. {usage}")
        return text
    if opt.kind is OptionKind.CHANNEL:
        if isinstance(value, Channel):
            return value
        channel = await resolver.resolve_channel(group, str(value)) if resolver else None
        if channel is None:
            raise UsageError(f"I can't find the channel '{_clip(str(value))}'. {usage}")
        return channel
    if opt.kind is OptionKind.MEMBER:
        if isinstance(value, Member):
            return value
        member = await resolver.resolve_member(group, str(value)) if resolver else None
        if member is None:
            raise UsageError(f"I can't find the member '{_clip(str(value))}'. {usage}")
        return member
    text = str(value)
    if len(text) > 4000:
        raise UsageError(f"<{opt.name}> is too long (at most 4000 characters).")
    return text


def _clip(text: str, n: int = 40) -> str:
    text = "".join(ch for ch in text if ch.isprintable())
    return text if len(text) <= n else text[: n - 1] + "…"


def as_list(replies: Replies) -> list[Reply]:
    if replies is None:
        return []
    if isinstance(replies, Reply):
        return [replies]
    return list(replies)
