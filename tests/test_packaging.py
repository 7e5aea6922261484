"""`pip install .` anywhere: the wheel carries the prompts, curricula, seeds, policy and
resources, and an installed groupbot runs its demo from any folder (issue 17).

Offline: the wheel is built from a copy of the checkout without build isolation (this venv's
setuptools), and installed with --no-deps into a fresh venv outside the checkout that borrows
this venv's dependencies through a .pth file. Without mypyc, to keep it quick: the native code
has its own tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tracked_files() -> list[str]:
    done = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return [f for f in done.stdout.splitlines() if (ROOT / f).is_file()]


def _can_build() -> str | None:
    try:
        import setuptools
        import wheel  # noqa: F401
    except ImportError as exc:
        return f"cannot build a wheel offline here: {exc}"
    if int(setuptools.__version__.split(".")[0]) < 77:
        return "setuptools>=77 (the dev extra) is needed to build offline"
    if shutil.which("git") is None:
        return "git is needed to copy the checkout"
    return None


@pytest.fixture(scope="module")
def wheel_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    why = _can_build()
    if why:
        pytest.skip(why)
    tmp = tmp_path_factory.mktemp("pkg")
    src = tmp / "src"
    for name in _tracked_files():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, src / name)
    env = {**os.environ, "GROUPBOT_NO_MYPYC": "1", "PIP_NO_INDEX": "1"}
    env.pop("GROUPBOT_REQUIRE_NATIVE", None)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "-v", "--no-deps",
                           "--no-build-isolation", "--no-index", "-w", str(tmp / "wheels")],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # setuptools' deprecation of the `project.license` table (and any other) is gone (pip
    # shows the backend's warnings with -v only)
    assert "adding 'groupbot/content/prompts/boundaries.yaml'" in done.stdout + done.stderr
    assert "SetuptoolsDeprecationWarning" not in done.stdout + done.stderr
    wheels = list((tmp / "wheels").glob("groupbot-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_the_wheel_carries_every_content_file(wheel_file: Path) -> None:
    names = set(zipfile.ZipFile(wheel_file).namelist())
    expected = {f"groupbot/content/{p.relative_to(ROOT)}" for folder in ("prompts", "seeds")
                for p in (ROOT / folder).rglob("*") if p.is_file()}
    assert any("/curricula/" in n for n in expected)
    assert expected <= names, sorted(expected - names)
    for data in ("groupbot/data/policy.yaml", "groupbot/data/resources.yaml",
                 "groupbot/py.typed"):
        assert data in names
    # both backends' migrations, with the same numbers
    for backend in ("", "postgres/"):
        sql = {n for n in names if n.startswith(f"groupbot/storage/migrations/{backend}")
               and n.count("/") == 3 + bool(backend) and n.endswith(".sql")}
        assert len(sql) == len(list((ROOT / "groupbot/storage/migrations").glob("*.sql"))), sql
    assert not any(n.endswith((".db", ".log", ".pyc")) for n in names)


def test_the_license_is_an_spdx_expression() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"  # not the deprecated {text = ...} table


def test_an_installed_groupbot_runs_the_demo_from_any_folder(wheel_file: Path,
                                                             tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GROUPBOT_", "PYTHON", "VIRTUAL_ENV"))}
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                           str(wheel_file)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    # the dependencies (discord.py, aiosqlite ...) come from this venv, not the network
    site = subprocess.run([str(python), "-c", "import sysconfig; "
                           "print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(python), "-c", "import groupbot, groupbot.config as c; "
                            "print(groupbot.__file__); print(c.default_content_path('prompts'))"],
                           cwd=elsewhere, capture_output=True, text=True, env=env, timeout=60)
    module, prompts = where.stdout.split()
    assert module.startswith(str(venv)) and prompts.startswith(str(venv)), where.stdout
    assert str(ROOT) not in where.stdout  # nothing is read from the checkout

    demo = subprocess.run([str(venv / "bin" / "groupbot"), "demo"], cwd=elsewhere,
                          capture_output=True, text=True, env=env, timeout=300)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "── Boundaries ──" in demo.stdout  # the prompts
    assert "— “Codependency Vs. Interdependence”" in demo.stdout  # the seeds
    assert "Samaritans" in demo.stdout  # the resources
    assert "=== end of the demo week ===" in demo.stdout
    assert "no seed library folder" not in demo.stderr
    assert list(elsewhere.iterdir()) == []  # the demo leaves nothing behind
