"""Configuration errors exit 2 on every platform, and never echo a token (issue 15, part 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from groupbot.cli import EXIT_CONFIG, _say, main
from groupbot.config import Secret, load_config, redact
from groupbot.core.errors import ConfigError

# Shaped like the real thing; none of them is one.
SLACK_BOT = "xoxb-2210987654-7712345678901-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_APP = "xapp-1-A0123ABCDEF-7712345678901-0123456789abcdef0123456789abcdef"
DISCORD = "MTA4NzY1NDMyMTA5ODc2NTQzMg.GaBcDe.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab"
SIGNING = "8f14e45fceea167a5a36dedd4bea2543"
TOKENS = [SLACK_BOT, SLACK_APP, DISCORD, SIGNING]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "groupbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _fragments(token: str) -> list[str]:
    """Pieces of a token an error must not show either (its head and its tail)."""
    return [token[:12], token[-12:]]


@pytest.mark.parametrize("token", TOKENS, ids=["slack-bot", "slack-app", "discord", "hex"])
@pytest.mark.parametrize(("template", "key"), [
    ('[bot]\nplatform = "{t}"\n', "bot.platform"),
    ('[bot]\nlog_level = "{t}"\n', "bot.log_level"),
    ('[group]\ntimezone = "{t}"\n', "group.timezone"),
    ('[group]\ntimezone = "Europe/{t}"\n', "group.timezone"),
    ('[group]\nregion = "{t}"\n', "group.region"),
    ('[moderation]\nreannounce_minutes = "{t}"\n', "moderation.reannounce_minutes"),
    ('[bot]\n"{t}" = 1\n', "unknown key"),
    ('["{t}"]\nplatform = "slack"\n', "unknown section"),
    ('[slack]\nsigning_secret = "{t}"\n', "slack.signing_secret"),
    ('[discord]\napi_key = "{t}"\n', "discord.api_key"),
])
def test_a_token_in_the_config_file_is_never_echoed(tmp_path: Path, token: str,
                                                      template: str, key: str) -> None:
    path = _write(tmp_path, template.format(t=token))
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    message = str(info.value)
    assert key in message and str(path) in message
    for piece in _fragments(token):
        assert piece not in message, message


@pytest.mark.parametrize("var", ["GROUPBOT_PLATFORM", "GROUPBOT_LOG_LEVEL", "GROUPBOT_TIMEZONE",
                                 "GROUPBOT_REGION"])
def test_a_token_in_an_environment_override_is_never_echoed(var: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(None, env={var: SLACK_BOT})
    assert var in str(info.value) and "looks like a token" in str(info.value)
    assert SLACK_BOT[:12] not in str(info.value)


def test_ordinary_mistakes_are_still_quoted(tmp_path: Path) -> None:
    """Redaction takes tokens away, not the value a person needs to see to fix a typo."""
    with pytest.raises(ConfigError, match="not 'irc'"):
        load_config(_write(tmp_path, '[bot]\nplatform = "irc"\n'), env={})
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        load_config(None, env={"GROUPBOT_TIMEZONE": "Mars/Olympus"})


def test_redact_masks_token_shapes_only() -> None:
    text = f"a {SLACK_BOT} b {SLACK_APP} c {DISCORD} d {SIGNING} e"
    assert redact(text) == "a [redacted] b [redacted] c [redacted] d [redacted] e"
    plain = "/data/groupbot.db, https://discord.com/api/v10, Europe/Berlin, 9f3a"
    assert redact(plain) == plain


def test_the_cli_masks_configured_and_token_shaped_secrets_in_any_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    config = load_config(None, env={"DISCORD_TOKEN": "short.but.configured-secret"})
    _say(f"something mentioned short.but.configured-secret and {SLACK_BOT}", config)
    err = capsys.readouterr().err
    assert "configured-secret" not in err and SLACK_BOT[:12] not in err
    assert err.startswith("groupbot: something mentioned ****")
    assert Secret("x").__repr__() == "Secret('****')"


def test_a_config_mistake_exits_2_and_echoes_no_token(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    path = _write(tmp_path, f'[bot]\nplatform = "{DISCORD}"\n')
    assert main(["--config", str(path), "db", "migrate"]) == EXIT_CONFIG == 2
    err = capsys.readouterr().err
    assert "bot.platform" in err and "Traceback" not in err
    assert DISCORD[:12] not in err and DISCORD[-12:] not in err


def test_a_10000_deep_config_file_is_a_clear_error(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "[bot]\ndatabase = " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert main(["--config", str(path), "db", "migrate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and "nested too deeply" in err
    assert "RecursionError" not in err and "Traceback" not in err


@pytest.mark.parametrize(("platform", "variable"), [
    ("discord", "DISCORD_TOKEN"), ("slack", "SLACK_BOT_TOKEN"),
])
def test_a_missing_token_exits_2_on_every_platform(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str],
                                                   platform: str, variable: str) -> None:
    for var in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(var, raising=False)
    code = main(["--database", str(tmp_path / "g.db"), "run", "--platform", platform])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"{variable} is not set" in err and "Traceback" not in err
