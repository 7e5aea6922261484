"""The container, tested without a Docker engine: the entrypoint's /data check run as the
image's user (uid 10001), the health check, and the files an image build reads."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from groupbot.cli import main
from groupbot.cli.health import check, heartbeat

ROOT = Path(__file__).resolve().parent.parent
UID = 10001  # the image's user
IS_ROOT = os.geteuid() == 0


@pytest.fixture
def box() -> Iterator[Path]:
    """A folder under /tmp that the image's user can reach, with the entrypoint and a fake
    `groupbot` (it prints its arguments) in it."""
    where = Path(tempfile.mkdtemp(prefix="groupbot-docker-", dir="/tmp"))
    where.chmod(0o755)
    (where / "bin").mkdir(mode=0o755)
    fake = where / "bin" / "groupbot"
    fake.write_text('#!/bin/sh\necho "groupbot ran with: $*"\n')
    fake.chmod(0o755)
    shutil.copy(ROOT / "docker" / "entrypoint.sh", where / "entrypoint.sh")
    (where / "entrypoint.sh").chmod(0o755)
    try:
        yield where
    finally:
        shutil.rmtree(where, ignore_errors=True)


def _entrypoint(box: Path, database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the entrypoint as uid 10001 (when this process may switch user), else as us."""
    env = {"PATH": f"{box / 'bin'}:/usr/bin:/bin", "GROUPBOT_DATABASE": str(database)}
    argv = ["sh", str(box / "entrypoint.sh"), *args]
    if IS_ROOT:
        argv = ["setpriv", f"--reuid={UID}", f"--regid={UID}", "--clear-groups", *argv]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=30)


def _data(box: Path, owned: bool) -> Path:
    data = box / "data"
    data.mkdir(mode=0o755)
    if owned and IS_ROOT:
        os.chown(data, UID, UID)
    elif not owned and not IS_ROOT:
        data.chmod(0o555)  # (as a plain user: a folder we may not write)
    return data


def test_a_folder_the_user_may_not_write_stops_the_start_with_a_clear_message(
        box: Path) -> None:
    data = _data(box, owned=False)
    done = _entrypoint(box, data / "groupbot.db", "run")
    assert done.returncode == 2
    assert "groupbot ran" not in done.stdout  # the bot was not started
    said = done.stderr
    assert f"cannot write the database {data / 'groupbot.db'}" in said
    uid = UID if IS_ROOT else os.geteuid()
    assert f"this container runs as uid {uid}" in said
    assert f"sudo chown -R {uid}:{uid if IS_ROOT else os.getegid()} /path/on/the/host" in said
    assert "docker run -v groupbot-data:" in said
    assert list(data.iterdir()) == []  # its probe left nothing behind


def test_a_writable_folder_starts_groupbot_with_the_arguments(box: Path) -> None:
    data = _data(box, owned=True)
    done = _entrypoint(box, data / "groupbot.db", "run", "--platform", "slack", "--http")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "groupbot ran with: run --platform slack --http"
    assert list(data.iterdir()) == []


def test_a_database_file_the_user_may_not_write_is_named(box: Path) -> None:
    if not IS_ROOT:
        pytest.skip("needs to create a file owned by another user")
    data = _data(box, owned=True)
    db = data / "groupbot.db"
    db.write_text("")
    db.chmod(0o644)  # root's file in the user's folder
    done = _entrypoint(box, db, "run")
    assert done.returncode == 2 and f"cannot write the database {db}" in done.stderr


def test_commands_that_need_no_database_skip_the_check(box: Path) -> None:
    data = _data(box, owned=False)
    for args in (["--version"], ["health"], ["commands"]):
        done = _entrypoint(box, data / "groupbot.db", *args)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("groupbot ran with:")


def test_a_postgresql_database_needs_no_folder(box: Path) -> None:
    done = _entrypoint(box, Path("/nowhere"), "run")
    assert done.returncode == 2  # a file database in a folder that cannot be made
    env_url = "postgresql://groupbot:pw@postgres:5432/groupbot"
    done = subprocess.run(["sh", str(box / "entrypoint.sh"), "run"], capture_output=True,
                          text=True, timeout=30, cwd=box,
                          env={"PATH": f"{box / 'bin'}:/usr/bin:/bin",
                               "GROUPBOT_DATABASE": env_url})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "groupbot ran with: run"
    assert not (box / "postgresql:").exists()  # no folder made from the URL


def test_a_missing_folder_that_cannot_be_made_says_how_to_mount_one(box: Path) -> None:
    locked = _data(box, owned=False)
    done = _entrypoint(box, locked / "sub" / "groupbot.db", "run")
    assert done.returncode == 2
    assert "does not exist and cannot be created" in done.stderr
    assert "docker run -v groupbot-data:" in done.stderr


# -- the health check ------------------------------------------------------------------------
def test_the_health_check_reads_the_heartbeats_age(tmp_path: Path) -> None:
    beat = tmp_path / "beat"
    assert check(beat, 120, 1000.0)[0] is False
    beat.touch()
    os.utime(beat, (1000.0, 1000.0))
    assert check(beat, 120, 1100.0) == (True, "ok: the bot's event loop beat 100 s ago")
    healthy, said = check(beat, 120, 1121.0)
    assert not healthy and "121 s old" in said


async def test_the_heartbeat_is_there_while_the_bot_runs_and_gone_after(
        tmp_path: Path) -> None:
    beat = tmp_path / "beat"
    async with heartbeat(str(beat)):
        import asyncio

        for _ in range(100):  # the first beat is written by the loop's next turns
            if beat.exists():
                break
            await asyncio.sleep(0.01)
        assert beat.exists()
    assert not beat.exists()  # a stopped bot is never reported alive


def test_groupbot_health_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROUPBOT_CONFIG", raising=False)
    beat = tmp_path / "beat"
    beat.touch()
    assert main(["health", "--file", str(beat)]) == 0
    assert capsys.readouterr().out.startswith("ok:")
    os.utime(beat, (1.0, 1.0))
    assert main(["health", "--file", str(beat)]) == 1
    assert capsys.readouterr().out.startswith("unhealthy:")
    monkeypatch.delenv("GROUPBOT_HEARTBEAT", raising=False)
    assert main(["health"]) == 1


# -- what an image build reads ----------------------------------------------------------------
def test_the_dockerfile_exposes_slack_checks_health_and_uses_the_entrypoint() -> None:
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^EXPOSE 3000$", docker, re.M)
    assert re.search(r'^\s+CMD \["groupbot", "health"\]', docker, re.M)
    assert re.search(r"^HEALTHCHECK ", docker, re.M)
    assert "GROUPBOT_HEARTBEAT=" in docker
    assert re.search(r"^COPY docker/entrypoint\.sh /usr/local/bin/groupbot-entrypoint$",
                     docker, re.M)
    assert "useradd --create-home --uid 10001 groupbot" in docker


def test_the_dockerignore_keeps_local_builds_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for pattern in (".git", ".venv", "build", "**/*.so", "**/__pycache__", "**/*.db",
                    "groupbot/moderation/_compiled_sources.json"):
        assert pattern in ignored, pattern
    for needed in ("groupbot", "prompts", "seeds", "docker", "setup.py", "pyproject.toml"):
        assert needed not in ignored


def test_the_compose_file_has_discord_and_slack_http_examples() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    discord, slack = compose["services"]["discord"], compose["services"]["slack"]
    assert "GROUPBOT_PLATFORM=discord" in discord["environment"]
    assert "DISCORD_TOKEN" in discord["environment"]  # passed through, never written here
    assert slack["command"][:3] == ["run", "--platform", "slack"] and "--http" in slack["command"]
    assert slack["ports"] == ["3000:3000"]
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"} <= set(slack["environment"])
    for service in (discord, slack):
        assert all(not re.match(r"(\w*TOKEN|\w*SECRET)=", e) for e in service["environment"])
        assert any(v.endswith(":/data") for v in service["volumes"])
    assert set(compose["volumes"]) == {"discord-data", "slack-data"}
