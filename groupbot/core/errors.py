"""Errors the core raises on purpose, each carrying a message fit to show a person."""

from __future__ import annotations

from collections.abc import Sequence

# The process's exit codes (README: "Exit codes"). 1 is an error its message explains (a
# content file with mistakes, the database damaged, locked or unwritable); 2 configuration or
# usage (the config file, an environment variable, a missing or refused token, the command
# line); 75 (EX_TEMPFAIL) Discord could not be reached at start, after retrying: worth
# starting again later; 130 interrupted (Ctrl-C).
EXIT_OK, EXIT_ERROR, EXIT_CONFIG, EXIT_UNREACHABLE, EXIT_INTERRUPTED = 0, 1, 2, 75, 130

# What a YAML, TOML or JSON reader says of lists or mappings nested hundreds of levels deep
# (the Python readers recurse, and would raise RecursionError): no content file needs that.
NESTED_TOO_DEEPLY = ("lists or mappings are nested too deeply to read (hundreds of levels); "
                     "no groupbot file needs more than a few")


class GroupbotError(Exception):
    """Base class: the message is safe and useful to show to whoever caused it."""


class ConfigError(GroupbotError):
    """The configuration is invalid; the message names the key or file."""


class ContentError(GroupbotError):
    """A content file (prompts, policy, resources, articles) is invalid.

    The message names the file, the line when known, and the field.
    """

    def __init__(self, path: str, message: str, line: int | None = None, field: str | None = None):
        self.path = path
        self.line = line
        self.field = field
        where = path if line is None else f"{path}:{line}"
        what = f" field '{field}':" if field else ""
        super().__init__(f"{where}:{what} {message}")


class ContentErrors(ContentError):
    """Several problems in one content file, found in one reading. `errors` lists every one,
    in the order found; as a ContentError it is the first (`path`, `line`, `field`), and its
    message has one line per problem, each naming the file, the line and the field."""

    def __init__(self, errors: Sequence[ContentError]) -> None:
        flat = [e for err in errors for e in every_error(err)]
        if not flat:
            raise ValueError("ContentErrors needs at least one error")
        GroupbotError.__init__(self, "\n".join(str(e) for e in flat))
        first = flat[0]
        self.path, self.line, self.field = first.path, first.line, first.field
        self.errors: list[ContentError] = flat


def every_error(exc: ContentError) -> list[ContentError]:
    """Each problem an error stands for: its list when it carries one, else itself."""
    found = getattr(exc, "errors", None)
    if isinstance(found, list) and found and all(isinstance(e, ContentError) for e in found):
        return list(found)
    return [exc]


class StorageError(GroupbotError):
    """The database cannot be opened, migrated or written; the message says why."""


class UsageError(GroupbotError):
    """A command was malformed; the message is a short usage line naming the command."""


class PermissionDenied(GroupbotError):
    """The invoker may not run this command; the message says why."""


class Unsupported(GroupbotError):
    """The platform cannot do what was asked. Adapters raise it loudly instead of pretending."""

    def __init__(self, platform: str, capability: str):
        self.platform = platform
        self.capability = capability
        super().__init__(f"the {platform} platform cannot {capability}")


class Undeliverable(GroupbotError):
    """A private message could not reach the member, and the caller ruled out a public
    fallback (`send_private(..., public_fallback=False)`): nothing was said anywhere."""

    def __init__(self, platform: str, why: str):
        self.platform = platform
        self.why = why
        super().__init__(f"I could not reach that member privately on {platform}: {why}")


class ModlogUnavailable(GroupbotError):
    """The moderator log cannot take an alert: none is set, the channel is gone, or the bot
    may not post there. The caller keeps the alert and reaches moderators another way."""


class MissingFeature(ConfigError):
    """A feature asked for another that this bot was not built with (or that does not offer
    what was asked of it). Raised when the bot is assembled, naming both features."""
