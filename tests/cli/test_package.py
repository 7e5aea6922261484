"""The command line is one package, and the platforms one table (issue 16)."""

from __future__ import annotations

import argparse
import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from groupbot import cli
from groupbot.config import load_config
from groupbot.core.errors import ConfigError
from groupbot.platforms import PLATFORM_NAMES, PLATFORMS

ROOT = Path(__file__).resolve().parents[2]


def test_every_platform_in_the_table_loads_a_runner() -> None:
    assert set(PLATFORM_NAMES) == {"console", "discord", "slack"}
    for entry in PLATFORMS.values():
        runner = entry.load()
        assert inspect.iscoroutinefunction(runner), entry.name
        assert list(inspect.signature(runner).parameters)[:2] == ["config", "args"]


def test_the_config_and_the_run_command_take_their_platforms_from_the_table() -> None:
    for name in PLATFORM_NAMES:
        assert load_config(env={"GROUPBOT_PLATFORM": name}).platform == name
    with pytest.raises(ConfigError, match="console, discord, slack"):
        load_config(env={"GROUPBOT_PLATFORM": "matrix"})
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    run = sub.choices["run"]
    platform = next(a for a in run._actions if "--platform" in a.option_strings)
    assert tuple(platform.choices or ()) == PLATFORM_NAMES
    flags = {f for a in run._actions for f in a.option_strings}
    for entry in PLATFORMS.values():
        for option in entry.options:
            assert set(option.flags) <= flags


def test_no_other_module_lists_the_platforms() -> None:
    """A tuple or list holding the three names is the table's job alone."""
    offenders = []
    for path in (ROOT / "groupbot").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                names = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                if {"console", "discord", "slack"} <= names:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_no_cli_modules_left_at_the_top_level() -> None:
    assert sorted(p.name for p in (ROOT / "groupbot").glob("cli*.py")) == []
    assert (ROOT / "groupbot" / "cli" / "__init__.py").is_file()


def test_python_dash_m_and_the_console_script_both_run(tmp_path: Path) -> None:
    for argv in ([sys.executable, "-m", "groupbot", "--version"],
                 [str(Path(sys.executable).with_name("groupbot")), "--version"]):
        done = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("groupbot ")
