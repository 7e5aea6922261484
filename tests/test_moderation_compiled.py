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

ROOT = Path(__file__).resolve().parent.parent
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


def test_the_plan_follows_the_record_of_compiled_sources(tmp_path: Path) -> None:
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    for name in C.MODULES:
        (tmp_path / f"{name}.py").write_text(f"X = {name!r}\n", encoding="utf-8")
    assert set(C.plan(tmp_path, pure=False).values()) == {"source: not compiled"}

    for name in C.MODULES:
        (tmp_path / f"{name}{suffix}").write_bytes(b"\x7fELF")
    assert set(C.plan(tmp_path, pure=False).values()) == {
        "source: no record of the compiled source"}

    record = {name: C.source_hash(tmp_path / f"{name}.py") for name in C.MODULES}
    (tmp_path / C.RECORD).write_text(json.dumps(record), encoding="utf-8")
    assert set(C.plan(tmp_path, pure=False).values()) == {"compiled"}
    assert set(C.plan(tmp_path, pure=True).values()) == {f"source: {C.PURE_ENV}=1"}

    (tmp_path / "detectors.py").write_text("X = 'edited'\n", encoding="utf-8")
    plan = C.plan(tmp_path, pure=False)
    assert plan["detectors"] == "source: edited since it was compiled"
    # (one compiled group calls its members directly: all of them or none)
    assert plan["engine"] == "source: another module runs from source"
    assert not any(how == "compiled" for how in plan.values())

    (tmp_path / C.RECORD).write_text("{not json", encoding="utf-8")  # a damaged record
    assert set(C.plan(tmp_path, pure=False).values()) == {
        "source: no record of the compiled source"}


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
print(json.dumps({"running": compiled.running_compiled(), "plan": compiled.PLAN,
                  "rows": len(load()), "mismatches": bad[:5], "count": len(bad)}))
"""


def test_the_python_sources_give_the_golden_verdicts_too() -> None:
    """The fallback where nothing compiled (no compiler) is the same engine: the golden
    file, which the compiled modules are held to in test_moderation_equivalence, judged
    again with every module loaded from source."""
    env = {**os.environ, C.PURE_ENV: "1"}
    out = subprocess.run([sys.executable, "-c", _PURE_CHECK], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["running"] == []
    assert all(how.startswith("source") for how in result["plan"].values())
    assert result["rows"] >= 4000
    assert result["count"] == 0, result["mismatches"]


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
    shutil.copytree(ROOT / "groupbot", tmp_path / "groupbot",
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
    assert result["plan"]["spam"] == "source: edited since it was compiled"
    assert result["categories"] == ["harassment"]
    assert "spam" in out.stderr and "run from source" in out.stderr
