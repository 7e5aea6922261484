"""Configuration: a TOML file (``--config`` or GROUPBOT_CONFIG) plus environment overrides.

Validated at start with messages that name the key. Tokens come only from the environment:
a token in the file is refused, and tokens are held in `Secret`, which never prints itself.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from groupbot.core.errors import ConfigError
from groupbot.platforms import PLATFORM_NAMES
from groupbot.storage.backend import is_postgres

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
MIN_BODY_BYTES = 64 * 1024  # Slack's requests are a few KB; an edited long message far less
MAX_BODY_BYTES = 64 * 1024 * 1024  # than either bound


# What a token looks like, wherever it turns up: Slack's bot, user and app tokens (xoxb-,
# xoxp-, xapp-, ...), Discord's (the bot's id in base64, a timestamp and an HMAC, joined by
# dots) and a long hex string (Slack's signing secret). Never echoed in an error message.
_TOKEN_SHAPE = re.compile(
    r"xox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+"
    r"|[A-Za-z0-9_-]{18,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}|\b[0-9a-fA-F]{32,}\b")
# A key whose name says it holds a secret: refused in the file, its value never shown.
_SECRET_WORDS = ("token", "secret", "password", "passwd", "credential", "api_key", "apikey")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """`text` with anything shaped like a token replaced by [redacted]."""
    return _TOKEN_SHAPE.sub(REDACTED, text)


def _shown(value: Any) -> str:
    """A mistaken value as an error message quotes it, unless it looks like a token: then
    the message says so without a character of it (a token pasted into the wrong key)."""
    text = repr(value)
    if _TOKEN_SHAPE.search(text):
        return "a value that looks like a token (not shown)"
    return text if len(text) <= 80 else text[:79] + "…"


class Secret:
    """A token. Its repr and str are masked so it cannot leak into logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('****')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(slots=True)
class DiscordConfig:
    api_base: str | None = None
    gateway: str | None = None
    moderator_role: str | None = None


@dataclass(slots=True)
class SlackConfig:
    api_base: str | None = None
    moderators: tuple[str, ...] = ()
    moderator_usergroup: str | None = None
    # HTTP mode: a request body larger than this is refused (413) before it is read
    max_body_bytes: int = 1024 * 1024
    # many workspaces (Bolt's OAuth flow; SLACK_CLIENT_SECRET and GROUPBOT_TOKEN_KEY in the
    # environment): the app's Client ID, the bot scopes asked for (default: the manifest's),
    # and the Redirect URL when Slack has several (https://host/slack/oauth_redirect)
    client_id: str | None = None
    scopes: tuple[str, ...] = ()
    redirect_uri: str | None = None


@dataclass(slots=True)
class ModerationConfig:
    # an unclaimed crisis request (a member asking to talk) is announced to the moderators
    # again after this many minutes, until one of them takes it
    reannounce_minutes: int = 30


@dataclass(slots=True)
class DashboardConfig:
    """The moderators' dashboard (`groupbot.dashboard`). Served with the bot when `port` is set
    (or `--dashboard-port`), or alone with `groupbot dashboard`."""

    port: int | None = None  # None: not served with the bot
    host: str = "127.0.0.1"  # only this machine, unless a reverse proxy elsewhere needs it
    public_url: str | None = None  # what sign-in links point at (https behind a TLS proxy)
    idle_minutes: int = 30  # a session ends after this long without a request
    session_hours: int = 12  # and at the latest this long after signing in
    # peers whose X-Forwarded-Proto is believed (the reverse proxy in front)
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")


@dataclass(slots=True)
class SchedulesConfig:
    # A claim on a scheduled post whose owner stopped renewing it (a crash) is taken over by
    # a restarted bot this many seconds after the owner's last attempt began. 1 to 600. Where
    # the channel's history cannot be searched, a Discord takeover re-sends only inside the
    # nonce window (2 minutes after that attempt), so the default leaves room for a restart.
    claim_lease_seconds: int = 60


@dataclass(slots=True)
class Config:
    platform: str = "console"
    database: str = "groupbot.db"
    log_level: str = "INFO"
    log_level_asked: bool = False  # set in the file, the environment or on the command line
    log_format: str = "text"
    prompts_dir: Path = field(default_factory=lambda: default_content_path("prompts"))
    seeds_dir: Path = field(default_factory=lambda: default_content_path("seeds"))
    policy_file: Path | None = None
    resources_file: Path | None = None
    timezone: str = "UTC"
    region: str = "US"
    moderator_role: str | None = "moderator"
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    slack: SlackConfig = field(default_factory=SlackConfig)
    moderation: ModerationConfig = field(default_factory=ModerationConfig)
    dashboard: DashboardConfig = field(default_factory=DashboardConfig)
    schedules: SchedulesConfig = field(default_factory=SchedulesConfig)
    secrets: dict[str, Secret] = field(default_factory=dict)
    source: str = "defaults"

    def secret(self, name: str) -> Secret | None:
        return self.secrets.get(name)


PACKAGE_CONTENT = Path(__file__).resolve().parent / "content"


def default_content_path(name: str) -> Path:
    """Content groupbot ships (`prompts`, `seeds`): inside the installed package, where
    setup.py maps the project's top-level folders (`groupbot/content/NAME`); else at the top
    of a checkout (an editable install). The same from whatever folder groupbot runs in."""
    packaged = PACKAGE_CONTENT / name
    if packaged.is_dir():
        return packaged
    return PROJECT_ROOT / name


# key -> (section attribute, field, parser)
_SCHEMA: dict[str, dict[str, str]] = {
    "bot": {
        "platform": "choice:platform",
        "database": "database",
        "log_level": "choice:log_level",
        "log_format": "choice:log_format",
        "prompts_dir": "path",
        "seeds_dir": "path",
        "policy_file": "path",
        "resources_file": "path",
    },
    "group": {"timezone": "timezone", "region": "region", "moderator_role": "str"},
    "discord": {"api_base": "url", "gateway": "url", "moderator_role": "str"},
    "slack": {"api_base": "url", "moderators": "list", "moderator_usergroup": "str",
              "max_body_bytes": "body_bytes", "client_id": "str", "scopes": "list",
              "redirect_uri": "http_url"},
    "moderation": {"reannounce_minutes": "minutes"},
    "dashboard": {"port": "port", "host": "host", "public_url": "http_url",
                  "idle_minutes": "minutes", "session_hours": "hours",
                  "trusted_proxies": "list"},
    "schedules": {"claim_lease_seconds": "lease"},
}
_CHOICES = {"platform": PLATFORM_NAMES, "log_level": LOG_LEVELS, "log_format": LOG_FORMATS}
_SECRET_ENV = ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET",
               "SLACK_CLIENT_SECRET", "GROUPBOT_TOKEN_KEY")
_ENV_OVERRIDES = {
    "GROUPBOT_DATABASE": ("bot", "database"),
    "GROUPBOT_LOG_LEVEL": ("bot", "log_level"),
    "GROUPBOT_PLATFORM": ("bot", "platform"),
    "GROUPBOT_DISCORD_API_BASE": ("discord", "api_base"),
    "GROUPBOT_DISCORD_GATEWAY": ("discord", "gateway"),
    "GROUPBOT_SLACK_API_BASE": ("slack", "api_base"),
    "GROUPBOT_TIMEZONE": ("group", "timezone"),
    "GROUPBOT_REGION": ("group", "region"),
    "GROUPBOT_DASHBOARD_PORT": ("dashboard", "port"),
    "GROUPBOT_DASHBOARD_PUBLIC_URL": ("dashboard", "public_url"),
}


def load_config(path: str | os.PathLike[str] | None = None,
                env: Mapping[str, str] | None = None) -> Config:
    """Read the file (if any), apply environment overrides, validate, and return a Config."""
    env = os.environ if env is None else env
    path = path or env.get("GROUPBOT_CONFIG") or None
    data: dict[str, Any] = {}
    cfg = Config()
    if path:
        p = Path(path)
        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            raise ConfigError(f"config file {p} does not exist") from None
        except OSError as exc:
            raise ConfigError(f"cannot read config file {p}: {exc.strerror}") from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ConfigError(f"{p}: the config file is not UTF-8 text") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: not valid TOML: {redact(str(exc))}") from None
        except RecursionError:  # tomllib reads nested arrays and tables by recursion
            raise ConfigError(f"{p}: not valid TOML: arrays or tables nested too deeply "
                              "(hundreds of levels) to read") from None
        cfg.source = str(p)
        base = p.resolve().parent
    else:
        base = Path.cwd()
    where = cfg.source
    for section, body in data.items():
        if section not in _SCHEMA:
            raise ConfigError(f"{where}: unknown section [{redact(section)}]"
                              f"{_suggest(section, _SCHEMA)}")
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: '{redact(section)}' must be a table, like "
                              f"[{redact(section)}]")
        for key, value in body.items():
            dotted = redact(f"{section}.{key}")
            if any(w in key.lower() for w in _SECRET_WORDS):
                raise ConfigError(
                    f"{where}: '{dotted}' looks like a secret. Tokens come only from the "
                    f"environment ({', '.join(_SECRET_ENV)}), never from the config file."
                )
            if key not in _SCHEMA[section]:
                raise ConfigError(
                    f"{where}: unknown key '{dotted}'{_suggest(key, _SCHEMA[section], section)}")
            _apply(cfg, section, key, value, f"{where}: '{dotted}'", base)
    for var, (section, key) in _ENV_OVERRIDES.items():
        if env.get(var):
            _apply(cfg, section, key, env[var], f"environment variable {var}", Path.cwd())
    cfg.secrets = {name: Secret(env[name]) for name in _SECRET_ENV if env.get(name)}
    bot = data.get("bot")
    cfg.log_level_asked = bool(env.get("GROUPBOT_LOG_LEVEL")) or (
        isinstance(bot, dict) and "log_level" in bot)
    return cfg


def _suggest(word: str, options: Mapping[str, Any], section: str | None = None) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    if not close:
        return ""
    if section:
        return f" (did you mean '{section}.{close[0]}'?)"
    return f" (did you mean [{close[0]}]?)"


def _apply(cfg: Config, section: str, key: str, value: Any, where: str, base: Path) -> None:
    kind = _SCHEMA[section][key]
    parsed: Any
    if kind.startswith("choice:"):
        choices = _CHOICES[kind.split(":", 1)[1]]
        text = str(value).strip()
        text = text.upper() if key == "log_level" else text.lower()
        if text not in choices:
            raise ConfigError(f"{where} must be one of {', '.join(choices)}, not {_shown(value)}")
        parsed = text
    elif kind == "path":
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where} must be a path (a non-empty string)")
        p = Path(value).expanduser()
        parsed = p if p.is_absolute() else base / p
    elif kind == "database":  # a path, SQLite's :memory: or file: URI, or a postgresql:// URL
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where} must be a path (a non-empty string)")
        if value == ":memory:" or value.startswith("file:") or is_postgres(value):
            parsed = value
        else:
            p = Path(value).expanduser()
            parsed = str(p if p.is_absolute() else base / p)
    elif kind == "timezone":
        parsed = validate_timezone(value, where)
    elif kind == "region":
        if not isinstance(value, str) or not (2 <= len(value) <= 3) or not value.isalpha():
            raise ConfigError(f"{where} must be a country code like US, GB or DE, not "
                              f"{_shown(value)}")
        parsed = value.upper()
    elif kind == "url":
        if not isinstance(value, str) or not value.startswith(("http://", "https://", "ws://",
                                                              "wss://")):
            raise ConfigError(f"{where} must be an http(s):// or ws(s):// URL")
        parsed = value.rstrip("/")
    elif kind == "minutes":
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1440:
            raise ConfigError(f"{where} must be a whole number of minutes from 1 to 1440 "
                              f"(a day), not {_shown(value)}")
        parsed = value
    elif kind == "port":
        parsed = parse_port(value, where)
    elif kind == "host":
        if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
            raise ConfigError(f"{where} must be a host name or address, like 127.0.0.1")
        parsed = value.strip()
    elif kind == "http_url":
        if not isinstance(value, str) or not value.startswith(("http://", "https://")) \
                or len(value) < 10 or any(c.isspace() for c in value):
            raise ConfigError(f"{where} must be an http:// or https:// URL, like "
                              "https://mods.example.org")
        parsed = value.rstrip("/")
    elif kind == "hours":
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 168:
            raise ConfigError(f"{where} must be a whole number of hours from 1 to 168 "
                              f"(a week), not {value!r}")
        parsed = value
    elif kind == "lease":
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 600:
            raise ConfigError(f"{where} must be a whole number of seconds from 1 to 600, "
                              f"not {value!r}")
        parsed = value
    elif kind == "body_bytes":
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or \
                not MIN_BODY_BYTES <= value <= MAX_BODY_BYTES:
            raise ConfigError(f"{where} must be a whole number of bytes from {MIN_BODY_BYTES:,} "
                              f"to {MAX_BODY_BYTES:,} (the default, 1048576, is 1 MiB), "
                              f"not {value!r}")
        parsed = value
    elif kind == "list":
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of strings")
        parsed = tuple(value)
    else:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, not {type(value).__name__}")
        parsed = value
    target: Any = cfg
    if section in ("discord", "slack", "moderation", "dashboard", "schedules"):
        target = getattr(cfg, section)
    name = {"prompts_dir": "prompts_dir"}.get(key, key)
    setattr(target, name, parsed)


def parse_port(value: Any, where: str = "port") -> int:
    """A TCP port, 0 (any free port) to 65535."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ConfigError(f"{where} must be a port number from 0 to 65535, not {value!r}")
    return int(value)


def validate_timezone(value: Any, where: str = "time zone") -> str:
    if not isinstance(value, str) or not value or ("/" not in value and value != "UTC"):
        raise ConfigError(f"{where} must be an IANA time zone like Europe/Berlin, not "
                          f"{_shown(value)}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown time zone {_shown(value)} "
                          "(use an IANA name like America/New_York)") from None
    return value
