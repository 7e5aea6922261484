"""The README's "Deployment beyond one machine" and the compose file it shows agree."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from groupbot.platforms.slack.oauth import INSTALL_PATH, REDIRECT_PATH
from groupbot.storage.sealed import KEY_ENV

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "deploy" / "docker-compose.yml"


def _section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Deployment beyond one machine")
    return readme[start:readme.index("\n## ", start + 1)]


def _env(service: dict[str, object]) -> dict[str, str | None]:
    pairs = [str(e).split("=", 1) for e in service.get("environment") or []]  # type: ignore[attr-defined]
    return {p[0]: (p[1] if len(p) > 1 else None) for p in pairs}


def test_the_compose_file_parses_and_has_what_the_readme_names() -> None:
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    section = _section()
    services = compose["services"]
    assert "(deploy/docker-compose.yml)" in section
    named = set(re.findall(r"`([a-z0-9-]+)`", section))
    assert {"postgres", "shard-0", "shard-1", "slack", "postgres-data"} <= named
    assert set(services) == {"postgres", "shard-0", "shard-1", "slack"}
    assert set(compose["volumes"]) == {"postgres-data", "shard-0-state", "shard-1-state",
                                       "slack-state"}
    for name in ("shard-0", "shard-1", "slack"):  # each bot keeps its spill file on a volume
        env = services[name]["environment"]
        assert any(e.startswith("GROUPBOT_STATE_DIR=/data") for e in env), name
        assert f"{name}-state:/data" in services[name]["volumes"], name
    assert any(v.startswith("postgres-data:") for v in services["postgres"]["volumes"])
    assert f"docker compose -f {COMPOSE.relative_to(ROOT)} up" in section


def test_two_bot_processes_share_postgresql_and_split_the_shards() -> None:
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    shards: list[int] = []
    for name in ("shard-0", "shard-1"):
        bot = services[name]
        env = _env(bot)
        assert (env["GROUPBOT_DATABASE"] or "").startswith("postgresql://")
        assert "@postgres:5432/" in (env["GROUPBOT_DATABASE"] or "")
        assert "postgres" in bot["depends_on"]
        command = bot["command"]
        assert command[:3] == ["run", "--platform", "discord"]
        assert command[command.index("--shard-count") + 1] == "2"
        shards.append(int(command[command.index("--shard-ids") + 1]))
    assert sorted(shards) == [0, 1]  # every shard of the count, each on one process
    assert "--shard-ids 0 --shard-count 2" in _section()
    assert "--shard-ids 1 --shard-count 2" in _section()


def test_the_slack_service_and_the_readme_give_the_oauth_setup() -> None:
    slack = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]["slack"]
    env = _env(slack)
    assert {"SLACK_SIGNING_SECRET", "SLACK_CLIENT_SECRET", KEY_ENV} <= set(env)
    assert "--http" in slack["command"] and "SLACK_BOT_TOKEN" not in env
    section = _section()
    assert f"https://your-host{REDIRECT_PATH}" in section
    assert f"https://your-host{INSTALL_PATH}" in section
    assert 'client_id = "' in section and KEY_ENV in section and "SLACK_CLIENT_SECRET" in section
    assert "What to back up" in section and "install the app again" in section


def test_no_secret_is_written_in_the_compose_file() -> None:
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    for service in services.values():
        for name, value in _env(service).items():
            if re.search(r"TOKEN|SECRET|PASSWORD|KEY", name):
                assert value is None, f"{name} is given a value in the compose file"
            elif value and "://" in value:
                assert "${POSTGRES_PASSWORD}" in value  # the password from the environment
