"""Builds the moderation engine's optional native code.

Everything else is in pyproject.toml. Two parts, both optional: where no C compiler (or no
mypyc) is available the install still succeeds and the same Python code runs, more slowly.
- `_fastpath.c`: the hand-written normaliser and lexicon table for plain short messages.
- The engine's hot modules (`groupbot/moderation/compiled.py` lists them) compiled by mypyc:
  the same Python sources, so policy logic stays readable and editable. The SHA-256 of each
  compiled source is recorded so that a module edited after the build runs from source.
  All or nothing: if one module fails to build, none of them is installed compiled.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
PKG = HERE / "groupbot" / "moderation"
_info = runpy.run_path(str(PKG / "compiled.py"))
MODULES: tuple[str, ...] = _info["MODULES"]
GROUP: str = _info["GROUP"]
RECORD: str = _info["RECORD"]
source_hash = _info["source_hash"]


def _mypyc_extensions() -> tuple[list[Extension], dict[str, str]]:
    if os.environ.get("GROUPBOT_NO_MYPYC") == "1":
        return [], {}
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("groupbot: mypyc not available; the moderation engine runs as plain Python",
              file=sys.stderr)
        return [], {}
    paths = [f"groupbot/moderation/{name}.py" for name in MODULES]
    hashes = {name: source_hash(PKG / f"{name}.py") for name in MODULES}  # what mypyc reads
    try:
        exts: list[Extension] = mypycify(paths, opt_level="3", group_name=GROUP)
    except BaseException as exc:  # mypyc exits on a type error: fall back, loudly
        print(f"groupbot: mypyc could not compile the moderation engine ({exc!r}); "
              "it runs as plain Python", file=sys.stderr)
        return [], {}
    for ext in exts:
        ext.optional = True
    return exts, hashes


MYPYC_EXTS, HASHES = _mypyc_extensions()


class BuildExt(build_ext):
    """Builds as usual, then keeps the mypyc modules only if every one of them built, and
    records the hashes of the sources they were compiled from beside them."""

    def run(self) -> None:
        super().run()
        if not MYPYC_EXTS:
            return
        names = {ext.name for ext in MYPYC_EXTS}
        built = [Path(self.build_lib) / self.get_ext_filename(n) for n in names]
        targets = [Path(self.build_lib) / "groupbot" / "moderation"]
        if self.inplace or getattr(self, "editable_mode", False):
            targets.append(PKG)
        ok = all(p.exists() for p in built)
        for folder in targets:
            record = folder / RECORD
            if ok:
                folder.mkdir(parents=True, exist_ok=True)
                record.write_text(json.dumps(HASHES, indent=1, sort_keys=True) + "\n",
                                  encoding="utf-8")
                continue
            record.unlink(missing_ok=True)
            for n in names:  # a half-built group must not shadow its sources
                (folder / Path(self.get_ext_filename(n)).name).unlink(missing_ok=True)
        if not ok:
            print("groupbot: some compiled moderation modules failed to build; "
                  "the engine runs as plain Python", file=sys.stderr)


ext_modules: list[Any] = [
    Extension("groupbot.moderation._fastpath", ["groupbot/moderation/_fastpath.c"],
              optional=True),
    *MYPYC_EXTS,
]

setup(ext_modules=ext_modules, cmdclass={"build_ext": BuildExt})
