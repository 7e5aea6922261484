"""Which moderation modules run compiled, and a guard that never lets compiled code older
than its sources run in their place.

`setup.py` compiles the engine's hot modules with mypyc when it can (the same Python files,
type-checked and turned into C: benchmarks/bench_moderation_speed.py prints what it is
worth against the same code interpreted) and records the SHA-256 of every source the
compiled code was built against in `_compiled_sources.json`: the compiled modules themselves
and every module of the package they may import (policy, verdict types: compiled code checks
the types of what it imports). The word lists are data files (groupbot/data/words/), read at
load: editing one never touches the compiled code. Python would import a compiled
module ahead of its `.py` file even after someone edited a source, so at import the package
checks the record: when any recorded source changed since the build (or when
GROUPBOT_PURE_PYTHON=1), every module of the group is loaded from its source instead, and a
warning names the edited files. (All of them: compiled modules call each other directly.)
Without a compiler nothing is compiled and the sources run, more slowly.

Only the standard library is imported here: `setup.py` runs this file for `MODULES`,
`recorded_sources` and `settle_build`.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType

PACKAGE = "groupbot.moderation"
# The modules on the per-message path. Their policy logic stays Python: editing one and
# running it works at once (from source, with a warning) until the next install compiles it.
MODULES = ("abuse", "abuse_words", "addresses", "care", "context", "crisis", "disguise",
           "engine", "findings", "marks", "matcher", "normalise", "organisations", "pii",
           "reading", "sentence", "sentence_patterns", "spam", "spelling", "structure",
           "symbols", "vocabulary")
# mypyc's shared library for the group (`<group>__mypyc`), beside the modules.
GROUP = PACKAGE + "._compiled"
RECORD = "_compiled_sources.json"
PURE_ENV = "GROUPBOT_PURE_PYTHON"
# Folders (relative to the `groupbot` package) whose sources the record covers: this
# package, and the core the engine imports its error types from.
RECORDED_FOLDERS = ("moderation", "core")

log = logging.getLogger(__name__)
# (`absolute`, not `resolve`: in a tree of links to the sources, the compiled modules are
# beside the links, not beside what they point to)
HERE = Path(__file__).absolute().parent


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded_sources(package_root: Path) -> dict[str, str]:
    """`{"moderation/engine.py": sha256, ...}` for every source the record covers (not
    this guard and the package's `__init__`, which the compiled code does not read)."""
    out: dict[str, str] = {}
    for folder in RECORDED_FOLDERS:
        for path in sorted((package_root / folder).glob("*.py")):
            if folder == "moderation" and path.name in _NOT_RECORDED:
                continue
            out[f"{folder}/{path.name}"] = source_hash(path)
    return out


_NOT_RECORDED = frozenset(("compiled.py", "__init__.py"))


def _extension(folder: Path, name: str) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = folder / (name + suffix)
        if candidate.exists():
            return candidate
    return None


def _read_record(folder: Path) -> dict[str, str] | None:
    try:
        loaded = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(loaded, dict):
        return None
    return {str(k): str(v) for k, v in loaded.items()}


def plan(folder: Path, pure: bool) -> dict[str, str]:
    """For each module, how it will load: "compiled", or "source: <why>". The record is
    read and the sources hashed only where a compiled module could run."""
    built = {name for name in MODULES if _extension(folder, name) is not None}
    record = _read_record(folder) if built and not pure else None
    edited = _edited(folder.parent, record) if record is not None else []
    out: dict[str, str] = {}
    for name in MODULES:
        if name not in built:
            out[name] = "source: not compiled"
        elif pure:
            out[name] = f"source: {PURE_ENV}=1"
        elif record is None or f"moderation/{name}.py" not in record:
            out[name] = "source: no record of the compiled sources"
        elif edited:
            out[name] = "source: edited since it was compiled: " + ", ".join(sorted(edited))
        else:
            out[name] = "compiled"
    if any(how != "compiled" for how in out.values()):
        # One compiled group calls its members directly, whatever is imported: the modules
        # run compiled all together or not at all.
        out = {name: how if how != "compiled" else "source: another module runs from source"
               for name, how in out.items()}
    return out


def _edited(root: Path, record: dict[str, str]) -> list[str]:
    """The recorded sources whose bytes changed since the build (an installed layout
    without sources has nothing to compare: the build is trusted)."""
    return [rel for rel, digest in record.items()
            if (root / rel).exists() and source_hash(root / rel) != digest]


class _FromSource(importlib.abc.MetaPathFinder):
    """Loads the named modules from their `.py` files, ahead of any compiled module."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        source = self.sources.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)


PLAN: dict[str, str] = {}


def steered(folder: Path, how: dict[str, str]) -> dict[str, Path]:
    """The modules to load from their `.py` files: those planned from source that have a
    compiled twin Python would otherwise pick. The rest load as usual (also where only
    bytecode is installed)."""
    return {f"{PACKAGE}.{name}": folder / f"{name}.py" for name, way in how.items()
            if way != "compiled" and _extension(folder, name) is not None
            and (folder / f"{name}.py").exists()}


def install(folder: Path = HERE) -> dict[str, str]:
    """Decide once per process how each module loads (see `plan`), before any of them is
    imported; stale compiled modules are named in a warning."""
    if PLAN:
        return PLAN
    PLAN.update(plan(folder, os.environ.get(PURE_ENV) == "1"))
    sources = steered(folder, PLAN)
    if sources:
        sys.meta_path.insert(0, _FromSource(sources))
    stale = {how for how in PLAN.values() if how.startswith("source: edited")}
    if stale:
        log.warning("the compiled moderation engine is older than its sources, so it runs "
                    "from source (slower) until the next install (%s)",
                    stale.pop().removeprefix("source: "))
    return PLAN


def running_compiled() -> tuple[str, ...]:
    """The moderation modules actually running compiled in this process."""
    out = []
    for name in MODULES:
        module = sys.modules.get(f"{PACKAGE}.{name}")
        if module is None:
            module = importlib.import_module(f"{PACKAGE}.{name}")
        if not str(getattr(module, "__file__", "")).endswith(".py"):
            out.append(name)
    return tuple(out)


def status() -> str:
    """One line for people installing: whether the engine runs compiled, and if not, why."""
    from groupbot.moderation import fastpath  # (only here: setup.py imports this file)

    running = running_compiled()
    c_code = f"; C fast path: {fastpath.WHY}"
    if running == MODULES:
        return f"moderation engine: compiled ({len(running)} modules){c_code}"
    reasons = sorted({how.removeprefix("source: ") for how in PLAN.values()
                      if how != "source: another module runs from source"})
    return ("moderation engine: runs from its Python sources, slower ("
            + "; ".join(reasons) + ")" + c_code)


def settle_build(folders: Iterable[Path], filenames: Iterable[str], ok: bool,
                 record: dict[str, str]) -> None:
    """After a build: where every compiled module built (`ok`), write the record of the
    sources they were built from beside them; otherwise remove them and any record, so
    that neither a half-built group nor an earlier build's output is installed as current.
    `filenames` are the compiled modules' file names (with their platform suffix)."""
    names = list(filenames)
    for folder in folders:
        target = folder / RECORD
        if ok:
            folder.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n",
                              encoding="utf-8")
            continue
        target.unlink(missing_ok=True)
        for name in names:
            (folder / name).unlink(missing_ok=True)
