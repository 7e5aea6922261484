"""Structured logging. Level from config; secrets masked; message text never at INFO.

Log calls pass facts as ``extra`` fields. Members' message text may only be logged at DEBUG
under the ``text`` key, and this formatter drops it at any level above DEBUG (privacy).

Libraries log too, and some log what strangers send: slack_bolt logs every request that fails
its signature check *with its whole body* at INFO. So the libraries' loggers are kept at
WARNING or above (`quiet_dependencies`), and whatever a library does log above DEBUG passes
`DependencyFilter`, which withholds anything that looks like a request body and cuts long
messages short.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
PRIVATE_KEYS = {"text", "content", "note"}


class RedactingFilter(logging.Filter):
    """Masks secret values wherever they appear in a record, and drops private text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            msg = record.getMessage()
            for s in self.secrets:
                msg = msg.replace(s, "****")
            record.msg, record.args = msg, None
        if record.levelno > logging.DEBUG:
            for key in PRIVATE_KEYS & set(record.__dict__):
                setattr(record, key, "[private]")
        return True


# Loggers of libraries that see requests: never below WARNING (see `quiet_dependencies`).
DEPENDENCIES = ("slack_bolt", "slack_sdk", "aiohttp")
# Where a library's message starts quoting a request: slack_bolt's "body: ...", "request body:",
# "Request body:", a payload, or a form field or dict key holding a member's text.
_BODY_MARK = re.compile(r"""\b(?:request\s+)?(?:body|payload)\s*[:=(]|['"]?\btext['"]?\s*[:=]""",
                        re.IGNORECASE)
# The logger groupbot hands slack_bolt as its app's logger: a library writes to it.
BOLT_LOGGERS = ("groupbot.slack.bolt",)
MAX_DEPENDENCY_MESSAGE = 500  # characters of a library's message kept above DEBUG
WITHHELD = "[request content withheld]"


def withhold_request_content(message: str) -> str:
    """`message` up to where it starts quoting a request, and no longer than
    `MAX_DEPENDENCY_MESSAGE` characters."""
    found = _BODY_MARK.search(message)
    if found:
        message = message[:found.start()] + WITHHELD
    if len(message) > MAX_DEPENDENCY_MESSAGE:
        cut = len(message) - MAX_DEPENDENCY_MESSAGE
        message = f"{message[:MAX_DEPENDENCY_MESSAGE]}... [{cut:,} characters withheld]"
    return message


class DependencyFilter(logging.Filter):
    """Above DEBUG, a library's record keeps no request body and no member's text.

    groupbot's own records (loggers named ``groupbot...``) pass untouched: they carry facts in
    fields, and `RedactingFilter` drops private ones. The bolt app's logger, named by groupbot
    but written by slack_bolt, is a library's (`is_ours`)."""

    def __init__(self, library_loggers: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.library_loggers = library_loggers

    def is_ours(self, name: str) -> bool:
        if any(name == lib or name.startswith(lib + ".") for lib in self.library_loggers):
            return False
        return name == "groupbot" or name.startswith("groupbot.")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG or self.is_ours(record.name) or \
                getattr(record, "_groupbot_withheld", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string: keep what it meant to say
            message = str(record.msg)
        record.msg, record.args = withhold_request_content(message), None
        record._groupbot_withheld = True
        return True


def quiet_dependencies(level: int | str = logging.INFO) -> None:
    """Libraries' loggers at WARNING, or at `level` when that is higher."""
    floor = max(logging.WARNING, logging.getLevelName(level) if isinstance(level, str)
                else level)
    for name in DEPENDENCIES:
        logging.getLogger(name).setLevel(floor)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items()
            if k not in _STANDARD and not k.startswith("_groupbot")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update({k: _jsonable(v) for k, v in _fields(record).items()})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        extras = " ".join(f"{k}={_jsonable(v)}" for k, v in _fields(record).items())
        line = f"{ts} {record.levelname.lower():7} {record.name}: {record.getMessage()}"
        if extras:
            line += f" [{extras}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def setup_logging(level: str = "INFO", fmt: str = "text", secrets: Iterable[str] = (),
                  stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(DependencyFilter(BOLT_LOGGERS))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_groupbot", False):
            root.removeHandler(old)
    handler._groupbot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("aiosqlite", "asyncio", "discord.gateway", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    quiet_dependencies(root.level)
    return handler
