"""Which moderation modules run compiled, and a guard that never lets a compiled module
older than its source run in that source's place.

`setup.py` compiles the engine's hot modules with mypyc when it can (the same Python files,
type-checked and turned into C: about a quarter less time per message) and records the
SHA-256 of each source it compiled in `_compiled_sources.json`. Python would import a
compiled module ahead of its `.py` file even after someone edited the source, so at import
the package checks the record: when a source changed since the build (or when
GROUPBOT_PURE_PYTHON=1), every module of the group is loaded from its source instead, and a
warning names the edited ones. (All of them: compiled modules call each other directly.)
Without a compiler nothing is compiled and the sources run, more slowly.

Only the standard library is imported here: `setup.py` reads `MODULES` from this file.
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
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

PACKAGE = "groupbot.moderation"
# The modules on the per-message path. Their policy logic stays Python: editing one and
# running it works at once (from source, with a warning) until the next install compiles it.
MODULES = ("detectors", "engine", "matcher", "normalise", "pii", "spam")
# mypyc's shared library for the group (`<group>__mypyc`), beside the modules.
GROUP = PACKAGE + "._compiled"
RECORD = "_compiled_sources.json"
PURE_ENV = "GROUPBOT_PURE_PYTHON"

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _extension(folder: Path, name: str) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = folder / (name + suffix)
        if candidate.exists():
            return candidate
    return None


def plan(folder: Path, pure: bool) -> dict[str, str]:
    """For each module, how it will load: "compiled", or "source: <why>"."""
    record: dict[str, str] = {}
    try:
        loaded = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            record = {str(k): str(v) for k, v in loaded.items()}
    except (OSError, ValueError):
        pass
    out: dict[str, str] = {}
    for name in MODULES:
        source = folder / f"{name}.py"
        if _extension(folder, name) is None:
            out[name] = "source: not compiled"
        elif pure:
            out[name] = f"source: {PURE_ENV}=1"
        elif name not in record:
            out[name] = "source: no record of the compiled source"
        elif not source.exists():
            out[name] = "compiled"  # an installed package without sources: nothing to compare
        elif source_hash(source) != record[name]:
            out[name] = "source: edited since it was compiled"
        else:
            out[name] = "compiled"
    if any(how != "compiled" for how in out.values()):
        # One compiled group calls its members directly, whatever is imported: the modules
        # run compiled all together or not at all.
        out = {name: how if how != "compiled" else "source: another module runs from source"
               for name, how in out.items()}
    return out


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


def install(folder: Path = HERE) -> dict[str, str]:
    """Decide once per process how each module loads (see `plan`), before any of them is
    imported; stale compiled modules are named in a warning."""
    if PLAN:
        return PLAN
    PLAN.update(plan(folder, os.environ.get(PURE_ENV) == "1"))
    sources = {f"{PACKAGE}.{name}": folder / f"{name}.py" for name, how in PLAN.items()
               if how != "compiled"}
    if sources:
        sys.meta_path.insert(0, _FromSource(sources))
    stale = sorted(n for n, how in PLAN.items() if how == "source: edited since it was compiled")
    if stale:
        log.warning("moderation modules edited since they were compiled run from source "
                    "(slower) until the next install: %s", ", ".join(stale))
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
