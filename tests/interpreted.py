"""A moderation module loaded afresh from its `.py` source, whatever runs in the package.

The engine's hot modules may run compiled (`groupbot/moderation/compiled.py`), and a
compiled module calls its neighbours directly: patching a function on it changes nothing.
A test that needs to swap a function loads an interpreted copy of the module instead, under
its own name, and patches that copy.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import groupbot.moderation as package


def interpreted(name: str) -> ModuleType:
    source = Path(package.__file__).parent / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"tests._interpreted_{name}", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up there)
    spec.loader.exec_module(module)
    return module
