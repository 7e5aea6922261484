"""Output into a pipe that closes early (`groupbot commands | head -5`): no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(("argv", "code"), [
    (["commands"], 141), (["library", "list"], 141),
    (["--help"], 0),  # argparse itself ignores a closed pipe
])
def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path, argv: list[str],
                                                code: int) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line is written
    env = {k: v for k, v in os.environ.items() if k != "GROUPBOT_CONFIG"}
    env["GROUPBOT_DATABASE"] = str(tmp_path / "p.db")
    try:
        done = subprocess.run([sys.executable, "-m", "groupbot", *argv], stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120, env=env)
    finally:
        os.close(write)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == code


def test_head_takes_the_first_lines(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GROUPBOT_CONFIG"}
    env["GROUPBOT_DATABASE"] = str(tmp_path / "p.db")
    done = subprocess.run(f"'{sys.executable}' -m groupbot commands | head -5", shell=True,
                          capture_output=True, text=True, timeout=120, env=env)
    assert len(done.stdout.splitlines()) == 5
    assert "Traceback" not in done.stderr
