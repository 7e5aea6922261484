"""A case-log export is as private as the database (issue 15, part 6): `--output FILE` is
created 0600 (a stricter umask takes more away), written whole, and an existing file keeps its
mode with one warning; standard output redirected to a file that others may open is named in
one warning. Real files and real os.stat."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from groupbot.cli import main
from groupbot.core.types import Group
from groupbot.storage.cases import CaseRepo, NewCase
from groupbot.storage.database import Database
from groupbot.storage.store import Store

G = Group("console:g1", "Group one", "console")


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def _fill(path: Path) -> None:
    now = datetime.now(UTC)
    async with Database(path) as db:
        await Store(db).groups.ensure(G, now)
        repo = CaseRepo(db)
        await repo.set_keep_text_days(G.id, 30)
        for n in range(3):
            await repo.open_case(G.id, NewCase(
                member_id=f"u{n}", action="remove", source="message",
                rules=("harassment.insult",), categories=("harassment",), reason="insult",
                text=f"words {n}"), now)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "groupbot.db"
    asyncio.run(_fill(path))
    return path


@pytest.fixture
def umask() -> Iterator[object]:
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def _export(db_path: Path, *args: str) -> int:
    return main(["--database", str(db_path), "cases", "export", "--group", G.id, *args])


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o600), (0o000, 0o600),
                                                (0o077, 0o600), (0o277, 0o400)])
def test_output_file_is_created_private(db_path: Path, tmp_path: Path, umask: object,
                                        capsys: pytest.CaptureFixture[str], mask: int,
                                        expected: int) -> None:
    umask(mask)  # type: ignore[operator]
    out = tmp_path / "cases.jsonl"
    assert _export(db_path, "--output", str(out)) == 0
    umask(0o022)  # type: ignore[operator]
    captured = capsys.readouterr()
    assert captured.out == ""  # all of it went to the file
    assert f"3 cases of {G.id} written to {out}." in captured.err
    assert "has mode" not in captured.err
    assert _mode(out) == expected
    assert not (tmp_path / "cases.jsonl.partial").exists()
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["case"], r["text"]) for r in rows] == [(1, "words 0"), (2, "words 1"),
                                                       (3, "words 2")]


def test_output_file_in_csv_has_the_same_cases(db_path: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cases.csv"
    assert _export(db_path, "--format", "csv", "-o", str(out)) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("group,case,") and len(lines) == 4
    assert _mode(out) == 0o600


def test_an_existing_output_file_keeps_its_mode_with_one_warning(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cases.jsonl"
    out.write_text("last week's export\n")
    os.chmod(out, 0o644)
    assert _export(db_path, "--output", str(out)) == 0
    assert _mode(out) == 0o644  # left as its owner made it
    assert "last week" not in out.read_text() and len(out.read_text().splitlines()) == 3
    warnings = [line for line in capsys.readouterr().err.splitlines() if "has mode" in line]
    assert len(warnings) == 1 and f"{out} has mode 0644" in warnings[0]


def test_an_output_file_in_a_missing_folder_is_one_line(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nowhere" / "cases.jsonl"
    assert _export(db_path, "--output", str(out)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"groupbot: cannot write the export to {out}: ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.parent.exists()


@pytest.mark.parametrize(("mode", "warned"), [(0o644, True), (0o600, False)])
def test_stdout_redirected_to_a_file_others_may_open_is_named(
        db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, mode: int, warned: bool) -> None:
    """As `groupbot cases export ... > cases.jsonl` under the shell's umask 022."""
    target = tmp_path / "redirected.jsonl"
    target.touch()
    os.chmod(target, mode)
    with target.open("w", encoding="utf-8") as shell_made:
        monkeypatch.setattr(sys, "stdout", shell_made)
        assert _export(db_path) == 0
        monkeypatch.undo()
    assert len(target.read_text().splitlines()) == 3
    assert _mode(target) == mode  # never changed behind the owner's back
    warnings = [line for line in capsys.readouterr().err.splitlines() if "has mode" in line]
    if warned:
        assert len(warnings) == 1
        assert f"{target} has mode 0644" in warnings[0] and "--output FILE" in warnings[0]
    else:
        assert warnings == []


def test_stdout_to_a_pipe_gets_no_warning(db_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as pipe, os.fdopen(read_end) as reader:
        monkeypatch.setattr(sys, "stdout", pipe)
        assert _export(db_path) == 0
        monkeypatch.undo()
        pipe.close()
        assert len(reader.read().splitlines()) == 3
    assert "has mode" not in capsys.readouterr().err
