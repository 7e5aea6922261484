"""Secrets kept at rest sealed with a key from the environment (Fernet: AES-128-CBC with an
HMAC-SHA256, from `cryptography`).

Slack installations (one bot token per workspace) are stored sealed, so a copy of the
database, or of a backup, gives nobody a token. The key is `GROUPBOT_TOKEN_KEY`, a urlsafe
base64 Fernet key. Several keys separated by commas
rotate: the first seals, every one opens. Losing the key means installing the app again in
every workspace; it is never written to the database or a log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from groupbot.core.errors import ConfigError

KEY_ENV = "GROUPBOT_TOKEN_KEY"
MAKE_ONE = ("make one with: python -c \"from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())\"")


class TokenKeyError(ConfigError):
    """The key is missing, malformed, or not the one the stored secrets were sealed with;
    the message names the variable."""


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


class Sealer:
    """Seal and open short secrets with the key(s) in `GROUPBOT_TOKEN_KEY`."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise TokenKeyError(f"{KEY_ENV} is empty: {MAKE_ONE}")
        fernets: list[Fernet] = []
        for n, part in enumerate(parts, start=1):
            try:
                fernets.append(Fernet(part.encode("ascii")))
            except (ValueError, UnicodeEncodeError):
                which = f"key {n} of {len(parts)} in " if len(parts) > 1 else ""
                raise TokenKeyError(
                    f"{which}{KEY_ENV} is not a Fernet key (32 bytes in urlsafe base64, 44 "
                    f"characters): {MAKE_ONE}") from None
        self._fernet = MultiFernet(fernets)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Sealer:
        value = (os.environ if env is None else env).get(KEY_ENV, "")
        if not value.strip():
            raise TokenKeyError(
                f"{KEY_ENV} is not set: Slack installations (each workspace's bot token) are "
                f"stored encrypted with it; {MAKE_ONE}, keep it safe, and set it in the "
                "environment of every groupbot process")
        return cls(value)

    def __repr__(self) -> str:
        return "Sealer('****')"

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def open(self, sealed: str, what: str = "a stored secret") -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise TokenKeyError(
                f"{KEY_ENV} cannot open {what}: it is not the key it was sealed with. Set the "
                "key this database was used with (keep the old one after a comma while "
                "rotating), or install the Slack app again in each workspace") from None
