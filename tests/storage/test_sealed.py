"""Secrets sealed at rest with GROUPBOT_TOKEN_KEY."""

from __future__ import annotations

import pytest

from groupbot.core.errors import ConfigError
from groupbot.storage.sealed import Sealer, TokenKeyError, new_key


def test_sealed_text_opens_with_its_key_only() -> None:
    key, other = new_key(), new_key()
    sealed = Sealer(key).seal("xoxb-a-token")
    assert "xoxb" not in sealed and key not in sealed
    assert Sealer(key).open(sealed) == "xoxb-a-token"
    assert Sealer(f"{other},{key}").open(sealed) == "xoxb-a-token"  # rotation
    with pytest.raises(TokenKeyError, match="GROUPBOT_TOKEN_KEY cannot open"):
        Sealer(other).open(sealed)
    with pytest.raises(TokenKeyError, match="GROUPBOT_TOKEN_KEY cannot open"):
        Sealer(key).open("not sealed at all")
    assert key not in repr(Sealer(key))


def test_a_missing_or_malformed_key_names_the_variable() -> None:
    with pytest.raises(TokenKeyError, match="GROUPBOT_TOKEN_KEY is not set") as missing:
        Sealer.from_env({})
    assert isinstance(missing.value, ConfigError)
    with pytest.raises(TokenKeyError, match="GROUPBOT_TOKEN_KEY is not a Fernet key"):
        Sealer.from_env({"GROUPBOT_TOKEN_KEY": "hunter2"})
    with pytest.raises(TokenKeyError, match="key 2 of 2 in GROUPBOT_TOKEN_KEY"):
        Sealer(f"{new_key()},short")
