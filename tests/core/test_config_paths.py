"""Relative paths in a config file are resolved from the file, every one of them (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from groupbot.config import load_config


def test_every_relative_path_in_the_file_is_resolved_from_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "deploy"
    folder.mkdir()
    conf = folder / "groupbot.toml"
    conf.write_text('[bot]\ndatabase = "data/g.db"\nprompts_dir = "p"\nseeds_dir = "s"\n'
                    'policy_file = "policy.yaml"\nresources_file = "../shared/res.yaml"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    cfg = load_config(conf, env={})
    base = folder.resolve()
    assert cfg.database == str(base / "data" / "g.db")
    assert cfg.prompts_dir == base / "p"
    assert cfg.seeds_dir == base / "s"
    assert cfg.policy_file == base / "policy.yaml"
    assert cfg.resources_file == base / ".." / "shared" / "res.yaml"


@pytest.mark.parametrize("value", [":memory:", "file:g.db?mode=memory&cache=shared"])
def test_sqlite_special_names_are_kept_as_they_are(tmp_path: Path, value: str) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text(f'[bot]\ndatabase = "{value}"\n')
    assert load_config(conf, env={}).database == value


def test_the_environment_and_absolute_paths_are_not_moved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text(f'[bot]\ndatabase = "{tmp_path / "abs.db"}"\n')
    monkeypatch.chdir(tmp_path.parent)
    assert load_config(conf, env={}).database == str(tmp_path / "abs.db")
    # an environment variable is the working directory's, as a shell user expects
    assert load_config(conf, env={"GROUPBOT_DATABASE": "rel.db"}).database == str(
        Path.cwd() / "rel.db")


def test_the_readme_says_so() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "Relative paths in the file" in readme
    assert "resolved from the file's own folder" in readme
