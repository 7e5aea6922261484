"""`groupbot excerpt` and `groupbot library` through groupbot.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from groupbot.cli import main


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GROUPBOT_CONFIG", "GROUPBOT_DATABASE"):
        monkeypatch.delenv(var, raising=False)


def test_excerpt_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "c.db")
    assert main(["--database", db, "excerpt", "what", "therapy", "helps", "codependency",
                 "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"article", "section", "text", "score", "results"} <= set(doc)
    assert doc["article"] == "Codependency Vs. Interdependence"
    assert doc["section"] == "What Type Of Therapy Treats Codependency?"
    assert 1 <= len(doc["results"]) <= 5
    assert doc["results"][0] == {k: doc[k] for k in ("article", "section", "text", "score")}
    assert all(set(r) == {"article", "section", "text", "score"} for r in doc["results"])
    assert "**" not in doc["text"] and len(doc["text"]) <= 600


def test_excerpt_text_and_no_match(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "c.db")
    assert main(["--database", db, "excerpt", "low self esteem"]) == 0
    out = capsys.readouterr().out
    assert ("[How Does A Relationship Become Codependent? › Challenges Related to Self-esteem]"
            in out)
    assert "— “Codependency Vs. Interdependence”" in out
    assert main(["--database", db, "excerpt", "NEAR(", "quantum*", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["article"] is None and doc["results"] == [] and doc["suggestions"]


def test_library_ingest_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "c.db")
    good = tmp_path / "good.md"
    good.write_text("# Tea Notes\n\nA fine paragraph about tea. It is short.\n", "utf-8")
    bad = tmp_path / "bad.html"
    bad.write_bytes(b"\x89PNG\x00\x00")
    assert main(["--database", db, "library", "ingest", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"added      {good}: Tea Notes (1 passages)" in out
    assert "bad.html" in out and "error" in out
    assert main(["--database", db, "library", "ingest", str(good)]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert main(["--database", db, "library", "list"]) == 0
    listing = capsys.readouterr().out
    assert "good\tTea Notes" in listing
