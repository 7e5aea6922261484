"""Configuration errors name the key; tokens only ever come from the environment."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from groupbot.cli import main
from groupbot.config import Secret, load_config
from groupbot.core.errors import ConfigError
from groupbot.logging_setup import setup_logging


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "groupbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    cfg = load_config(None, env={})
    assert cfg.platform == "console"
    assert cfg.database == "groupbot.db"
    assert cfg.prompts_dir.name == "prompts"


def test_file_and_environment_overrides(tmp_path: Path) -> None:
    path = _write(tmp_path, '[bot]\nplatform = "discord"\ndatabase = "x.db"\n'
                            '[group]\ntimezone = "Europe/Berlin"\nregion = "de"\n'
                            '[slack]\nmoderators = ["U1", "U2"]\n')
    cfg = load_config(path, env={"GROUPBOT_DATABASE": "/data/g.db", "DISCORD_TOKEN": "abc.def"})
    assert cfg.platform == "discord"
    assert cfg.database == "/data/g.db"
    assert cfg.timezone == "Europe/Berlin" and cfg.region == "DE"
    assert cfg.slack.moderators == ("U1", "U2")
    token = cfg.secret("DISCORD_TOKEN")
    assert token is not None and token.reveal() == "abc.def"
    assert "abc.def" not in repr(cfg)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('[bot]\nplatfrom = "slack"\n',
         "unknown key 'bot.platfrom' (did you mean 'bot.platform'?)"),
        ('[bots]\nplatform = "slack"\n', "unknown section [bots] (did you mean [bot]?)"),
        ('[bot]\nplatform = "irc"\n', "'bot.platform' must be one of console, discord, slack"),
        ('[bot]\nlog_level = "LOUD"\n', "'bot.log_level' must be one of DEBUG"),
        ('[group]\ntimezone = "Mars/Olympus"\n', "unknown time zone 'Mars/Olympus'"),
        ('[group]\nregion = 12\n', "'group.region' must be a country code"),
        ('[discord]\ntoken = "abc"\n', "Tokens come only from the environment"),
        ('[slack]\nsigning_secret = "abc"\n', "looks like a secret"),
        ('[bot\nplatform = 1\n', "not valid TOML"),
        ('[discord]\napi_base = "discord.com"\n', "'discord.api_base' must be an http"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text), env={})
    assert fragment in str(info.value)
    assert str(tmp_path) in str(info.value)


def test_bad_environment_override_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="GROUPBOT_LOG_LEVEL must be one of"):
        load_config(None, env={"GROUPBOT_LOG_LEVEL": "chatty"})


def test_missing_config_file_is_reported() -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config("/nonexistent/groupbot.toml", env={})


def test_cli_reports_a_broken_config_without_a_traceback(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    path = _write(tmp_path, '[bot]\nplatform = "irc"\n')
    assert main(["--config", str(path), "db", "migrate"]) == 2  # configuration: the README's 2
    err = capsys.readouterr().err
    assert "bot.platform" in err and "Traceback" not in err
    assert not (tmp_path / "groupbot.db").exists()


def test_secrets_are_masked_and_message_text_is_not_logged_at_info() -> None:
    stream = io.StringIO()
    handler = setup_logging("INFO", "json", secrets=["xoxb-very-secret-token"], stream=stream)
    try:
        log = logging.getLogger("groupbot.test")
        log.info("connecting with xoxb-very-secret-token", extra={"text": "my private words"})
        log.debug("debug line", extra={"text": "shown only at debug"})
        assert str(Secret("xoxb-very-secret-token")) == "Secret('****')"
    finally:
        logging.getLogger().removeHandler(handler)
    out = stream.getvalue()
    assert "xoxb-very-secret-token" not in out
    assert "****" in out
    assert "my private words" not in out and "[private]" in out
    assert "shown only at debug" not in out


def test_the_claim_lease_is_checked_at_start(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text("[schedules]\nclaim_lease_seconds = 5\n")
    assert load_config(good, env={}).schedules.claim_lease_seconds == 5
    assert load_config(None, env={}).schedules.claim_lease_seconds == 60
    for bad in ("0", "-1", '"soon"', "601", "true", "1.5"):
        path = tmp_path / "bad.toml"
        path.write_text(f"[schedules]\nclaim_lease_seconds = {bad}\n")
        with pytest.raises(ConfigError, match="schedules.claim_lease_seconds"):
            load_config(path, env={})


def test_the_reannounce_key_is_checked_at_start(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text("[moderation]\nreannounce_minutes = 45\n")
    assert load_config(good, env={}).moderation.reannounce_minutes == 45
    assert load_config(None, env={}).moderation.reannounce_minutes == 30
    for bad in ("0", "-5", '"soon"', "2000", "true"):
        path = tmp_path / "bad.toml"
        path.write_text(f"[moderation]\nreannounce_minutes = {bad}\n")
        with pytest.raises(ConfigError, match="moderation.reannounce_minutes"):
            load_config(path, env={})
    typo = tmp_path / "typo.toml"
    typo.write_text("[moderation]\nreannounce_minute = 5\n")
    with pytest.raises(ConfigError, match="did you mean 'moderation.reannounce_minutes'"):
        load_config(typo, env={})


def test_slack_many_workspaces_settings_and_their_secrets(tmp_path: Path) -> None:
    path = tmp_path / "groupbot.toml"
    path.write_text('[slack]\nclient_id = "1111.2222"\nscopes = ["chat:write", "commands"]\n'
                    'redirect_uri = "https://bot.example.org/slack/oauth_redirect"\n')
    cfg = load_config(path, env={"SLACK_CLIENT_SECRET": "cs-1", "GROUPBOT_TOKEN_KEY": "k-1"})
    assert cfg.slack.client_id == "1111.2222"
    assert cfg.slack.scopes == ("chat:write", "commands")
    assert cfg.slack.redirect_uri == "https://bot.example.org/slack/oauth_redirect"
    client_secret, key = cfg.secret("SLACK_CLIENT_SECRET"), cfg.secret("GROUPBOT_TOKEN_KEY")
    assert client_secret is not None and client_secret.reveal() == "cs-1"
    assert key is not None and key.reveal() == "k-1" and "k-1" not in repr(key)
    path.write_text('[slack]\nclient_secret = "cs-1"\n')
    with pytest.raises(ConfigError, match="looks like a secret"):
        load_config(path, env={})
