"""The engine's hot modules compiled by mypyc (`groupbot/moderation/compiled.py`): they must
run where CI requires them, give exactly the verdicts the Python sources give, and never
run in place of a source edited after they were built.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from groupbot.moderation import compiled as C

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("GROUPBOT_REQUIRE_NATIVE") == "1"


def test_compiled_modules_run_where_ci_requires_it() -> None:
    running = C.running_compiled()
    if REQUIRED:
        assert C.PLAN == {name: "compiled" for name in C.MODULES}, C.PLAN
        assert running == C.MODULES
    else:
        assert set(running) <= set(C.MODULES)
        if not running:
            pytest.skip(f"moderation modules not compiled here: {C.PLAN}")


def _fake_package(root: Path) -> Path:
    """A `groupbot` folder with the recorded sources and compiled-looking twins."""
    moderation, core = root / "moderation", root / "core"
    moderation.mkdir(parents=True)
    core.mkdir()
    for name in (*C.MODULES, "lexicon", "compiled"):
        (moderation / f"{name}.py").write_text(f"X = {name!r}\n", encoding="utf-8")
    (core / "errors.py").write_text("E = 1\n", encoding="utf-8")
    return moderation


def test_the_install_status_line_says_how_the_engine_runs() -> None:
    from groupbot.moderation import fastpath

    line = C.status()
    assert line.endswith(f"; C fast path: {fastpath.WHY}")
    if C.running_compiled() == C.MODULES:
        assert line.startswith(f"moderation engine: compiled ({len(C.MODULES)} modules);")
    else:
        assert line.startswith("moderation engine: runs from its Python sources")
        assert "another module" not in line


def test_the_plan_follows_the_record_of_compiled_sources(tmp_path: Path) -> None:
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    folder = _fake_package(tmp_path)
    assert set(C.plan(folder, pure=False).values()) == {"source: not compiled"}

    for name in C.MODULES:
        (folder / f"{name}{suffix}").write_bytes(b"\x7fELF")
    assert set(C.plan(folder, pure=False).values()) == {
        "source: no record of the compiled sources"}

    record = C.recorded_sources(tmp_path)
    assert {"moderation/engine.py", "moderation/lexicon.py", "core/errors.py"} <= set(record)
    assert "moderation/compiled.py" not in record  # (the guard itself: not read by them)
    (folder / C.RECORD).write_text(json.dumps(record), encoding="utf-8")
    assert set(C.plan(folder, pure=False).values()) == {"compiled"}
    assert set(C.plan(folder, pure=True).values()) == {f"source: {C.PURE_ENV}=1"}

    (folder / "abuse.py").write_text("X = 'edited'\n", encoding="utf-8")
    # (one compiled group calls its members directly: all of them or none)
    assert set(C.plan(folder, pure=False).values()) == {
        "source: edited since it was compiled: moderation/abuse.py"}
    (folder / "engine.py").unlink()  # (where a module's source is missing, still none)
    plan = C.plan(folder, pure=False)
    assert plan["engine"] == plan["spam"] != "compiled"
    (folder / "engine.py").write_text("X = 'engine'\n", encoding="utf-8")

    (folder / "abuse.py").write_text("X = 'abuse'\n", encoding="utf-8")
    assert set(C.plan(folder, pure=False).values()) == {"compiled"}
    # A module the compiled code imports but is not compiled itself: compiled code checks
    # the types of what it imports.
    (folder / "lexicon.py").write_text("X = ('one', 'more')\n", encoding="utf-8")
    assert C.plan(folder, pure=False)["engine"].endswith("moderation/lexicon.py")
    (folder / "lexicon.py").write_text("X = 'lexicon'\n", encoding="utf-8")

    (folder / "matcher.py").unlink()  # an installed layout without sources: trust the build
    assert set(C.plan(folder, pure=False).values()) == {"compiled"}

    (folder / C.RECORD).write_text("{not json", encoding="utf-8")  # a damaged record
    assert set(C.plan(folder, pure=False).values()) == {
        "source: no record of the compiled sources"}


def test_only_modules_with_a_compiled_twin_are_steered_to_their_source(tmp_path: Path) -> None:
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    folder = _fake_package(tmp_path)
    (folder / f"engine{suffix}").write_bytes(b"\x7fELF")
    (folder / "pii.py").unlink()  # (bytecode only: nothing to steer to)
    steered = C.steered(folder, C.plan(folder, pure=True))
    assert steered == {"groupbot.moderation.engine": folder / "engine.py"}


def test_a_build_keeps_its_compiled_modules_only_when_all_of_them_built(
        tmp_path: Path) -> None:
    out, inplace = tmp_path / "build", tmp_path / "src"
    files = ["engine.so", "spam.so", "_compiled__mypyc.so"]
    record = {"moderation/engine.py": "abc"}
    C.settle_build([out, inplace], files, True, record)
    assert json.loads((out / C.RECORD).read_text(encoding="utf-8")) == record
    assert (inplace / C.RECORD).exists()
    for folder in (out, inplace):  # an earlier build's output, then a failed build
        for name in files:
            (folder / name).write_bytes(b"old")
    C.settle_build([out, inplace], files, False, record)
    assert [list(folder.iterdir()) for folder in (out, inplace)] == [[], []]


def test_a_module_planned_from_source_imports_its_py_file(tmp_path: Path) -> None:
    source = tmp_path / "stale_example.py"
    source.write_text("WHERE = 'source'\n", encoding="utf-8")
    finder = C._FromSource({"groupbot_test_stale_example": source})
    sys.meta_path.insert(0, finder)
    try:
        import groupbot_test_stale_example as mod  # type: ignore[import-not-found]

        assert mod.WHERE == "source"
        assert mod.__file__ == str(source)
        assert finder.find_spec("groupbot.moderation.lexicon", None) is None
    finally:
        sys.meta_path.remove(finder)
        sys.modules.pop("groupbot_test_stale_example", None)


_PURE_CHECK = """
import json, sys
from groupbot.moderation import compiled
from groupbot.moderation.engine import ModerationEngine
from tests.moderation_golden import CONTEXTS, load, record
engine = ModerationEngine()
bad = [(label, r["text"][:60]) for r in load() for label, kw in CONTEXTS
       if record(engine.decide(r["text"], **kw)) != r[label]]
odd = [engine.decide(x).action.value for x in (None, b"bytes", 42)]
print(json.dumps({"running": compiled.running_compiled(), "plan": compiled.PLAN,
                  "rows": len(load()), "mismatches": bad[:5], "count": len(bad),
                  "odd": odd}))
"""


def test_the_python_sources_give_the_golden_verdicts_too() -> None:
    """The fallback where nothing compiled (no compiler) is the same engine: the golden
    file, which the compiled modules are held to in moderation/test_equivalence.py, judged
    again with every module loaded from source."""
    env = {**os.environ, C.PURE_ENV: "1"}
    out = subprocess.run([sys.executable, "-c", _PURE_CHECK], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["running"] == []
    assert all(how.startswith("source") for how in result["plan"].values())
    assert result["rows"] >= 4000
    assert result["count"] == 0, result["mismatches"]
    assert result["odd"] == ["escalate"] * 3  # wrong types fail open, as when compiled


_STALE_CHECK = """
import json, sys
from groupbot.moderation import compiled
from groupbot.moderation.engine import ModerationEngine
verdict = ModerationEngine().decide("you are an idiot")
print(json.dumps({"running": compiled.running_compiled(), "plan": compiled.PLAN,
                  "file": compiled.__file__, "categories": verdict.categories,
                  "shared": [m for m in sys.modules if m.endswith("__mypyc")]}))
"""


def test_an_edited_source_runs_instead_of_its_stale_compiled_module(tmp_path: Path) -> None:
    """A copy of the installed package, compiled modules and all, with one source edited
    after the build: the whole group runs from source, and the edit is what runs."""
    import shutil

    if not C.running_compiled():
        pytest.skip("nothing compiled here to go stale")
    installed = Path(C.__file__).parent.parent  # (the package running, wherever installed)
    shutil.copytree(installed, tmp_path / "groupbot",
                    ignore=shutil.ignore_patterns("__pycache__"))
    spam = tmp_path / "groupbot" / "moderation" / "spam.py"
    spam.write_text(spam.read_text(encoding="utf-8") + "\nEDITED_AFTER_BUILD = True\n",
                    encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    env.pop(C.PURE_ENV, None)
    out = subprocess.run([sys.executable, "-c", _STALE_CHECK], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["file"].startswith(str(tmp_path))  # (the copy, not the installed package)
    assert result["running"] == []
    assert result["shared"] == []  # the compiled group was never loaded
    assert result["plan"]["spam"] == ("source: edited since it was compiled: "
                                      "moderation/spam.py")
    assert result["categories"] == ["harassment"]
    assert "moderation/spam.py" in out.stderr and "runs from source" in out.stderr
