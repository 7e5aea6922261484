"""Where the architecture draws its lines: no import cycle anywhere in `groupbot/` (imports
inside functions count; imports only for type checking do not), and no module much longer
than a reader can hold (LIMIT lines). Each test prints the offenders."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "groupbot"
LIMIT = 600


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(root: Path) -> dict[str, Path]:
    return {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Line numbers of imports under `if TYPE_CHECKING:` (no runtime edge)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, ast.Import | ast.ImportFrom):
                        lines.add(sub.lineno)
    return lines


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports at run time."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _type_checking_only(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in skip:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([base] if base else []))
                targets = []
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    # `from pkg import module` imports the module; `from pkg import name`
                    # the package. A compiled extension (`_fastpath`) is no module here.
                    if full in modules or any((root.parent / full.replace(".", "/")).parent
                                              .glob(alias.name + ".*")):
                        targets.append(full)
                    else:
                        targets.append(base)
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _describe(component: list[str], graph: dict[str, set[str]]) -> str:
    inside = set(component)
    return "; ".join(f"{m} -> {', '.join(sorted(graph[m] & inside))}" for m in component)


def test_no_import_cycles() -> None:
    graph = import_graph(PACKAGE)
    found = [_describe(c, graph) for c in cycles(graph)]
    print("\n".join(found))
    assert found == []


def test_no_module_over_the_limit() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LIMIT:
            offenders.append(f"{path.relative_to(ROOT)}: {lines} lines")
    print("\n".join(offenders))
    assert offenders == []


def test_the_checks_catch_a_cycle_and_a_long_module(tmp_path: Path) -> None:
    pkg = tmp_path / "groupbot"
    (pkg / "a").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a" / "__init__.py").write_text("")
    (pkg / "a" / "one.py").write_text("def f():\n    from groupbot.a import two\n")
    (pkg / "a" / "two.py").write_text("from . import three\n")
    (pkg / "a" / "three.py").write_text("from groupbot.a.one import f\n")
    (pkg / "a" / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from groupbot.a import one\n")
    (pkg / "a" / "_native.c").write_text("")
    (pkg / "a" / "leaf.py").write_text("from groupbot.a import _native\n")
    graph = import_graph(pkg)
    assert cycles(graph) == [["groupbot.a.one", "groupbot.a.three", "groupbot.a.two"]]
    assert graph["groupbot.a.typed"] == set()  # (type checking only)
    assert graph["groupbot.a.leaf"] == set()  # (a compiled extension is no module here)
