"""The seams between features: declared requirements, typed contracts, no probing.

A feature names the features it calls in `requires` and reaches them through a Protocol of
`groupbot.features.contracts`; the Bot checks the requirements when it is assembled and
starts each feature after what it requires. Feature modules never import each other, and
nothing in the core probes a feature or a port with `getattr`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from groupbot.app import Bot
from groupbot.config import Config
from groupbot.core.errors import MissingFeature
from groupbot.core.ports import FakeClock
from groupbot.features.base import Feature, Services, start_order
from groupbot.features.contracts import Care, Prompts
from groupbot.platforms.console import ConsoleChat
from groupbot.storage.database import Database
from groupbot.storage.store import Store
from tests.conftest import Harness

ROOT = Path(__file__).resolve().parents[2]
GROUPBOT = ROOT / "groupbot"


def feature(name: str, *requires: str, started: list[str] | None = None) -> Feature:
    """A feature that records when it starts."""

    class Recording(Feature):
        async def start(self) -> None:
            if started is not None:
                started.append(self.name)

    Recording.name = name
    Recording.requires = requires
    return Recording.__new__(Recording)


def test_each_feature_starts_after_what_it_requires() -> None:
    a, b, c = feature("a", "c"), feature("b"), feature("c", "b")
    assert [f.name for f in start_order([a, b, c])] == ["b", "c", "a"]
    assert [f.name for f in start_order([b, c, a])] == ["b", "c", "a"]


def test_a_missing_requirement_names_both_features() -> None:
    with pytest.raises(MissingFeature, match="'schedules' feature requires the 'prompts'"):
        start_order([feature("moderation"), feature("schedules", "prompts")])


def test_features_requiring_each_other_in_a_circle_are_refused() -> None:
    with pytest.raises(MissingFeature, match="circle: a -> b -> a"):
        start_order([feature("a", "b"), feature("b", "a")])


async def test_the_bot_starts_in_that_order_and_stops_in_reverse(tmp_path: Path) -> None:
    started: list[str] = []
    async with Database(tmp_path / "order.db") as db:
        services = Services(Config(database=str(tmp_path / "order.db")), Store(db),
                            FakeClock(), ConsoleChat())
        features = [feature("hooks-first", "store-keeper", started=started),
                    feature("store-keeper", started=started)]
        for f in features:
            Feature.__init__(f, services)
        bot = Bot(services, features)
        await bot.start()
        await bot.stop()
    assert started == ["store-keeper", "hooks-first"]
    assert [f.name for f in bot.features] == ["hooks-first", "store-keeper"]  # hooks as listed


async def test_a_missing_feature_is_an_error_not_none(harness: Harness) -> None:
    services = harness.bot.services
    with pytest.raises(MissingFeature, match="no 'nonesuch' feature"):
        services.feature("nonesuch")
    with pytest.raises(MissingFeature, match="'help' feature does not offer Care"):
        services.need("help", Care)
    prompts = services.need("prompts", Prompts)
    assert prompts.resolve_theme("Self care") == "self-care"


def test_every_requirement_of_the_shipped_features_is_met(harness: Harness) -> None:
    features = harness.bot.features
    names = {f.name for f in features}
    assert all(set(f.requires) <= names for f in features)
    order = [f.name for f in harness.bot.start_order]
    for f in features:
        assert all(order.index(r) < order.index(f.name) for r in f.requires), f.name


# -- the architecture ------------------------------------------------------------------------
def _feature_modules() -> dict[str, list[ast.Module]]:
    """The bot's features: each module under groupbot/features that defines a Feature, or,
    for a feature made a package (groupbot/features/moderation/), every module of it."""
    features = GROUPBOT / "features"
    trees = {path: ast.parse(path.read_text(encoding="utf-8"))
             for path in sorted(features.rglob("*.py"))}
    found: dict[str, list[ast.Module]] = {}
    for path, tree in trees.items():
        if any(isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id == "Feature" for b in node.bases)
               for node in ast.walk(tree)):
            rel = path.relative_to(features).parts
            name = "groupbot.features." + (rel[0] if len(rel) > 1 else path.stem)
            found[name] = []
    for path, tree in trees.items():
        rel = path.relative_to(features).parts
        name = "groupbot.features." + (rel[0] if len(rel) > 1 else path.stem)
        if name in found:
            found[name].append(tree)
    return found


def test_feature_modules_never_import_each_other() -> None:
    modules = _feature_modules()
    assert {"groupbot.features.moderation", "groupbot.features.schedules"} <= set(modules)
    assert len(modules["groupbot.features.moderation"]) >= 8  # the package, every module
    offenders = []
    for name, trees in modules.items():
        for node in (n for tree in trees for n in ast.walk(tree)):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported = node.module
                for other in modules:
                    if other != name and (imported == other or imported.startswith(other + ".")
                                          ) and not name.startswith(other + "."):
                        offenders.append(f"{name} imports {imported}")
    print("\n".join(offenders))
    assert offenders == []


# getattr on something that is neither a feature nor a port, each with why
GETATTR_ALLOWED = {
    "groupbot/features/resource_book.py": "a resource row: the engine's dataclass or a dict",
    "groupbot/core/errors.py": "an exception's list of errors",
    "groupbot/scheduling/limiter.py": "platform libraries' rate-limit exceptions",
}


def test_no_getattr_probes_features_or_ports() -> None:
    offenders = []
    places = [*(GROUPBOT / "features").rglob("*.py"), *(GROUPBOT / "core").rglob("*.py"),
              *(GROUPBOT / "scheduling").rglob("*.py"), GROUPBOT / "app.py",
              GROUPBOT / "runtime.py"]
    for path in places:
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "hasattr") and rel not in GETATTR_ALLOWED):
                offenders.append(f"{rel}:{node.lineno}")
    print("\n".join(offenders))
    assert offenders == []
