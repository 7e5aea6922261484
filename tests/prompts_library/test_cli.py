"""`groupbot prompts check [DIR]`: a summary and exit 0, or every problem and exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from groupbot.cli import main
from groupbot.config import Config


def test_check_the_shipped_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompts", "check", str(Config().prompts_dir)]) == 0
    out = capsys.readouterr().out
    assert "prompts in 9 themes" in out
    assert "boundaries" in out and "11 prompts" in out
    assert "codependency-to-interdependence" in out and "8 weeks" in out
    assert out.rstrip().endswith("OK")


def test_check_defaults_to_the_configured_folder(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "x.yaml").write_text(
        "theme: small-wins\nprompts:\n  - id: w-001\n    text: A win?\n"
        '    follow_ups: ["Yes?"]\n',
        encoding="utf-8")
    cfg = tmp_path / "groupbot.toml"
    cfg.write_text('[bot]\nprompts_dir = "lib"\n', encoding="utf-8")
    monkeypatch.delenv("GROUPBOT_CONFIG", raising=False)
    assert main(["--config", str(cfg), "prompts", "check"]) == 0
    out = capsys.readouterr().out
    assert f"{lib}: 1 prompts in 1 themes" in out and "0 curricula" in out


def test_check_prints_every_problem_and_fails(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text(
        'theme: boundaries\nprompts:\n  - id: b-001\n    follow_ups: ["Why?"]\n',
        encoding="utf-8")
    (tmp_path / "b.yaml").write_text(
        "theme: boundaries\nprompts:\n  - id: b-002\n    text: Note: a colon\n"
        "    follow_ups: [x]\n",
        encoding="utf-8")
    assert main(["prompts", "check", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    err = captured.err
    assert f"{tmp_path / 'a.yaml'}:3: field 'prompts[0].text': is missing" in err
    assert f"{tmp_path / 'b.yaml'}:4: not valid YAML" in err
    assert 'tip: put text containing ? : , [ ] { } or # in double quotes' in err
    assert "2 problems found; nothing was loaded." in err
    assert "OK" not in captured.out
