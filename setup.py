"""Builds the moderation engine's optional native code.

Everything else is in pyproject.toml. Two parts, both optional: where no C compiler (or no
mypyc) is available the install still succeeds and the same Python code runs, more slowly.
- `_fastpath.c`: the hand-written normaliser and lexicon table for plain short messages.
- The engine's hot modules (`groupbot/moderation/compiled.py` lists them) compiled by mypyc:
  the same Python sources, so policy logic stays readable and editable. The SHA-256 of every
  source they were built against is recorded, so that after an edit they run from source.
  All or nothing: if one module fails to build, none of them is installed compiled.
With GROUPBOT_REQUIRE_NATIVE=1 (CI) a failure of either part fails the install instead.

It also maps the content kept at the project's top level (`prompts/`, with its curricula, and
`seeds/`) into the package as `groupbot/content/prompts` and `groupbot/content/seeds`, so an
installed groupbot finds them from any folder (`groupbot.config.default_content_path`); the
policy and the resources are package data already (`groupbot/data`).
"""

from __future__ import annotations

import os
import runpy
import shutil
import sys
import warnings
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
PKG = HERE / "groupbot" / "moderation"
_info = runpy.run_path(str(PKG / "compiled.py"))
MODULES: tuple[str, ...] = _info["MODULES"]
GROUP: str = _info["GROUP"]
recorded_sources = _info["recorded_sources"]
settle_build = _info["settle_build"]
REQUIRED = os.environ.get("GROUPBOT_REQUIRE_NATIVE") == "1"
# Only a build needs the C code generated (metadata and sdist steps run this file too).
BUILDING = not {"build", "build_ext", "bdist_wheel", "editable_wheel", "install", "develop",
                "bdist"}.isdisjoint(sys.argv[1:])


def _fall_back(why: str) -> None:
    """A warning (pip shows those even with -q), or a failure where native code is required."""
    message = f"groupbot: {why}; the moderation engine will run as plain Python (slower)"
    if REQUIRED:
        raise SystemExit(message + " [GROUPBOT_REQUIRE_NATIVE=1]")
    warnings.warn(message, stacklevel=2)


def _mypyc_extensions() -> tuple[list[Extension], dict[str, str]]:
    if not BUILDING:
        return [], {}
    if os.environ.get("GROUPBOT_NO_MYPYC") == "1":
        return [], {}
    try:
        from mypyc.build import mypycify
    except ImportError:
        _fall_back("mypyc is not available")
        return [], {}
    paths = [f"groupbot/moderation/{name}.py" for name in MODULES]
    record = recorded_sources(HERE / "groupbot")  # what mypyc reads, as it reads it
    try:
        exts: list[Extension] = mypycify(paths, opt_level="3", group_name=GROUP)
    except BaseException as exc:  # mypyc exits on a type error
        _fall_back(f"mypyc could not compile ({exc!r}; its error is printed above)")
        return [], {}
    for ext in exts:
        ext.optional = True
    return exts, record


MYPYC_EXTS, RECORD = _mypyc_extensions()
MYPYC_NAMES = {ext.name for ext in MYPYC_EXTS}


class BuildExt(build_ext):
    """Builds as usual, then keeps the mypyc modules only if every one of them built in this
    run, and records the sources they were built from beside them. Without mypyc it removes
    any compiled modules an earlier build left in the build folder."""

    failed: set[str]

    def run(self) -> None:
        self.failed = set()
        super().run()
        # (the compiled modules' file names, whether or not built this time)
        files = [Path(self.get_ext_filename(f"{PKG.name}.{n}")).name
                 for n in (*MODULES, GROUP.rpartition(".")[2] + "__mypyc")]
        folders = [Path(self.build_lib) / "groupbot" / "moderation"]
        if self.inplace or getattr(self, "editable_mode", False):
            folders.append(PKG)
        built = [Path(self.build_lib) / self.get_ext_filename(n) for n in MYPYC_NAMES]
        ok = bool(MYPYC_EXTS) and not self.failed and all(p.exists() for p in built)
        settle_build(folders, files, ok, RECORD)
        if MYPYC_EXTS and not ok:
            _fall_back("some compiled moderation modules failed to build: "
                       + ", ".join(sorted(self.failed)))
        if REQUIRED and "groupbot.moderation._fastpath" in self.failed:
            raise SystemExit("groupbot: the native fast path failed to build "
                             "[GROUPBOT_REQUIRE_NATIVE=1]")

    def build_extension(self, ext: Any) -> None:
        try:
            super().build_extension(ext)
        except BaseException:
            self.failed.add(ext.name)
            raise


# top-level folder -> where it goes inside the package (the README's layout keeps them on top)
CONTENT = {"prompts": "groupbot/content/prompts", "seeds": "groupbot/content/seeds"}


def content_files() -> dict[str, Path]:
    """Each content file's place in the package -> its source (no hidden files or caches)."""
    found: dict[str, Path] = {}
    for folder, target in CONTENT.items():
        for path in sorted((HERE / folder).rglob("*")):
            parts = path.relative_to(HERE / folder).parts
            if path.is_file() and not any(p.startswith((".", "__")) for p in parts):
                found[str(Path(target, *parts))] = path
    return found


class BuildPy(build_py):
    """Builds the package as usual, plus the content folders copied into it (fresh each
    time, so a file deleted from `prompts/` does not linger in an old build)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads them where they are
            return
        for target in CONTENT.values():
            shutil.rmtree(Path(self.build_lib) / target, ignore_errors=True)
        for target, source in content_files().items():
            self.mkpath(str(Path(self.build_lib, target).parent))
            self.copy_file(str(source), str(Path(self.build_lib) / target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs: list[str] = super().get_outputs(include_bytecode)
        if not self.editable_mode:
            outputs += [str(Path(self.build_lib) / t) for t in content_files()]
        return outputs


ext_modules: list[Any] = [
    Extension("groupbot.moderation._fastpath", ["groupbot/moderation/_fastpath.c"],
              optional=True),
    *MYPYC_EXTS,
]

setup(ext_modules=ext_modules, cmdclass={"build_ext": BuildExt, "build_py": BuildPy})
