"""Input nested 10,000 deep is a clear error naming the file (or one bad line), never a
RecursionError (issue 15, part 7): `groupbot moderate --jsonl`, the policy, resources and
prompt files, and the library's metadata and front matter."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from groupbot.cli import main
from groupbot.core.errors import NESTED_TOO_DEEPLY, ContentError
from groupbot.library.parse import parse_file
from groupbot.moderation.policy_file import PolicyErrors, load_policy
from groupbot.moderation.resources import load_resource_table
from groupbot.prompts_library import loader as prompts_loader

DEPTH = 10_000
DEEP_JSON = "[" * DEPTH + "]" * DEPTH
# three shapes of 10,000-deep YAML: flow lists, flow mappings, block lists
DEEP_YAML = {
    "flow-lists": "rules: " + "[" * DEPTH + "]" * DEPTH + "\n",
    "flow-maps": "rules: " + "{a: " * DEPTH + "1" + "}" * DEPTH + "\n",
    "block-lists": "rules:\n  " + "- " * DEPTH + "x\n",
}


# -- groupbot moderate --jsonl ---------------------------------------------------------------------
def test_a_deeply_nested_json_line_is_one_bad_line_and_the_run_goes_on(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [json.dumps({"text": "you are an idiot"}), DEEP_JSON,
             '{"text": "hello", "extra": ' + DEEP_JSON + "}",
             json.dumps({"text": "shut up you stupid moron"}), "not json at all"]
    data = ("\n".join(lines) + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert main(["moderate", "--jsonl"]) == 0
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert len(rows) == 5  # one verdict per line, as always
    assert rows[0]["action"] == "remove"
    for bad in (1, 2):
        assert rows[bad]["rules"] == ["input.invalid"]
        assert rows[bad]["reason"] == (f"line {bad + 1}: not a JSON object (nested too deeply "
                                       "to read); not judged")
    assert rows[3]["action"] == "remove"  # judged after the bad lines
    assert rows[4]["rules"] == ["input.invalid"]
    err = captured.err.splitlines()
    assert err == ["groupbot moderate: line 2: not a JSON object (nested too deeply to read); "
                   "not judged",
                   "groupbot moderate: line 3: not a JSON object (nested too deeply to read); "
                   "not judged",
                   "groupbot moderate: line 5: not a JSON object (Expecting value); "
                   "not judged"]
    assert "RecursionError" not in captured.err


# -- the policy -----------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", sorted(DEEP_YAML))
def test_a_10000_deep_policy_names_the_file(tmp_path: Path, shape: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(DEEP_YAML[shape], encoding="utf-8")
    with pytest.raises(PolicyErrors) as info:
        load_policy(path)
    assert str(info.value) == f"{path}: not valid YAML: {NESTED_TOO_DEEPLY}"


def test_groupbot_moderate_with_a_10000_deep_policy(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(DEEP_YAML["flow-lists"], encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO("hi\n"))
    assert main(["moderate", "--policy", str(path)]) == 1
    err = capsys.readouterr().err
    assert err == f"groupbot: {path}: not valid YAML: {NESTED_TOO_DEEPLY}\n"


# -- the resources file ---------------------------------------------------------------------------
@pytest.mark.parametrize("shape", sorted(DEEP_YAML))
def test_a_10000_deep_resources_file_names_the_file(tmp_path: Path, shape: str) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text(DEEP_YAML[shape].replace("rules:", "regions:"), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_resource_table(path)
    assert str(info.value) == f"{path}: not valid YAML: {NESTED_TOO_DEEPLY}"


def test_the_bot_will_not_start_on_a_10000_deep_resources_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text(DEEP_YAML["block-lists"].replace("rules:", "regions:"), encoding="utf-8")
    conf = tmp_path / "groupbot.toml"
    conf.write_text(f'[bot]\nresources_file = "{path}"\ndatabase = "{tmp_path / "g.db"}"\n',
                    encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--config", str(conf), "console"]) == 1
    err = capsys.readouterr().err
    assert f"{path}: not valid YAML: {NESTED_TOO_DEEPLY}" in err and "Traceback" not in err


# -- prompt files ---------------------------------------------------------------------------------
@pytest.mark.parametrize("loader", ["libyaml", "python"])
@pytest.mark.parametrize("shape", sorted(DEEP_YAML))
def test_a_10000_deep_prompt_file_names_the_file(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str],
                                                 loader: str, shape: str) -> None:
    """With libyaml (its own depth limit) and with the pure-Python reader (recursion)."""
    if loader == "python":
        monkeypatch.setattr(prompts_loader, "_LOADER", yaml.SafeLoader)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("PyYAML was built without libyaml")
    path = tmp_path / "deep.yaml"
    path.write_text(DEEP_YAML[shape].replace("rules:", "prompts:"), encoding="utf-8")
    assert main(["prompts", "check", str(tmp_path)]) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    # (libyaml says on which line it stopped)
    assert re.search(rf"{re.escape(str(path))}(:\d+)?: not valid YAML: "
                     rf"{re.escape(NESTED_TOO_DEEPLY)}\n", text), text
    assert "RecursionError" not in text and "Traceback" not in text
    assert "tip:" not in text  # the quoting tip is for other mistakes


# -- the library ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "text"), [
    ("a.meta.toml", "title = " + "[" * DEPTH + "]" * DEPTH + "\n"),
    ("a.meta.yaml", DEEP_YAML["flow-maps"].replace("rules:", "title:")),
])
def test_a_10000_deep_article_metadata_file_is_named(tmp_path: Path, name: str,
                                                     text: str) -> None:
    (tmp_path / "a.md").write_text("# A\n\nA paragraph of the article. It is short.\n", "utf-8")
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        parse_file(tmp_path / "a.md")
    assert str(info.value).startswith(f"{tmp_path / name}: not valid ")
    assert NESTED_TOO_DEEPLY in str(info.value)


def test_a_10000_deep_front_matter_is_named(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\ntitle: " + "[" * DEPTH + "]" * DEPTH + "\n---\n# A\n\nText here.\n",
                    encoding="utf-8")
    with pytest.raises(ContentError) as info:
        parse_file(path)
    assert str(info.value) == (f"{path}: the front matter is not valid YAML: "
                               f"{NESTED_TOO_DEEPLY}")
