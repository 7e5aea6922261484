"""The core and the features never import a platform library; the Dockerfile matches pyproject."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_LIBS = {"discord", "slack_bolt", "slack_sdk"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_no_platform_imports_outside_platforms() -> None:
    offenders = []
    for path in (ROOT / "groupbot").rglob("*.py"):
        if "platforms" in path.relative_to(ROOT / "groupbot").parts:
            continue
        bad = _imports(path) & PLATFORM_LIBS
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_the_guard_itself_would_catch_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("import discord.ext\nfrom slack_bolt.app import App\n")
    assert _imports(sample) & PLATFORM_LIBS == {"discord", "slack_bolt"}


def test_dockerfile_installs_the_project_and_runs_the_console_script() -> None:
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    python_floor = project["project"]["requires-python"].lstrip(">=")
    base = re.search(r"^FROM\s+python:(\d+\.\d+)[\w.-]*slim", docker, re.M)
    assert base, "the image should start from a slim Python base"
    assert tuple(map(int, base.group(1).split("."))) >= tuple(map(int, python_floor.split(".")))
    assert "pip install" in docker and re.search(r"pip install[^\n]*\s\.(\s|$)", docker)
    assert "groupbot" in project["project"]["scripts"]
    assert re.search(r'^ENTRYPOINT \["groupbot"\]', docker, re.M)
    assert re.search(r'^CMD \["run"\]', docker, re.M)
    user = re.findall(r"^USER\s+(\S+)", docker, re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"^VOLUME\s+.*?/data", docker, re.M)
    assert "GROUPBOT_DATABASE=/data/" in docker
    assert "GROUPBOT_PLATFORM" in docker
    # The native fast path of the moderation engine is built in the image.
    assert re.search(r"^COPY .*\bsetup\.py\b", docker, re.M)
    assert "gcc" in docker and "fastpath.NATIVE" in docker
    for content in ("prompts", "seeds"):
        assert re.search(rf"^COPY .*\b{content}\b", docker, re.M), content
    assert not re.search(r"(TOKEN|SECRET)\s*=", docker), "no secrets baked into the image"
