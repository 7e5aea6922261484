"""The console at a terminal: quiet unless asked, and its prompt drawn again after a post."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from groupbot.config import load_config
from groupbot.platforms.console_session import Terminal


def test_a_post_while_waiting_is_printed_above_the_prompt_which_is_drawn_again() -> None:
    screen = io.StringIO()
    terminal = Terminal(screen, interactive=True, typed=lambda: "I am typ")
    terminal.show("[private → alex] hello")
    terminal.prompt()
    terminal.show("[#general] groupbot: a scheduled post")
    assert screen.getvalue() == ("[private → alex] hello\n> "
                                 "\r\x1b[K[#general] groupbot: a scheduled post\n> I am typ")
    terminal.answered()
    terminal.show("after the line")
    assert screen.getvalue().endswith("I am typafter the line\n")


def test_piped_input_gets_no_prompt() -> None:
    screen = io.StringIO()
    terminal = Terminal(screen, interactive=False)
    terminal.prompt()
    terminal.show("a post")
    assert screen.getvalue() == "a post\n"


def test_a_log_level_counts_as_asked_only_when_set(tmp_path: Path) -> None:
    assert load_config(env={}).log_level_asked is False
    assert load_config(env={"GROUPBOT_LOG_LEVEL": "info"}).log_level_asked is True
    conf = tmp_path / "c.toml"
    conf.write_text('[bot]\nlog_level = "DEBUG"\n')
    assert load_config(conf, env={}).log_level_asked is True
    conf.write_text('[bot]\nplatform = "console"\n')
    assert load_config(conf, env={}).log_level_asked is False


def _console(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GROUPBOT_CONFIG", "GROUPBOT_LOG_LEVEL")}
    env["GROUPBOT_DATABASE"] = str(tmp_path / "c.db")
    return subprocess.run([sys.executable, "-m", "groupbot", *extra, "console", "--as", "alex"],
                          input="hello\n/help\n/quit\n", capture_output=True, text=True,
                          timeout=60, env=env)


def test_the_console_logs_to_a_file_unless_asked(tmp_path: Path) -> None:
    done = _console(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "info" not in done.stderr and "migration" not in done.stdout + done.stderr
    assert "[#general] alex: hello" in done.stdout
    log = tmp_path / "c.log"
    assert f"The log goes to {log}" in done.stdout
    text = log.read_text(encoding="utf-8")
    assert "applying migration" in text and "command=help" in text
    assert "hello" not in text  # members' words are never logged above DEBUG
    assert (log.stat().st_mode & 0o777) == 0o600


def test_the_console_logs_to_the_terminal_when_asked(tmp_path: Path) -> None:
    done = _console(tmp_path, "--log-level", "INFO")
    assert done.returncode == 0, done.stderr
    assert "applying migration" in done.stderr
    assert not (tmp_path / "c.log").exists()
    assert "The log goes to" not in done.stdout


def test_make_console_starts_as_a_moderator() -> None:
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipe = makefile.split("\nconsole:", 1)[1].split("\n\n", 1)[0]
    assert "groupbot console --as-moderator" in recipe
