"""A real PostgreSQL server for the tests, started from the machine's binaries (initdb, pg_ctl)
in a temporary folder, as an unprivileged user (the `postgres` account when the tests run as
root), listening on 127.0.0.1 only. Stopped when the session ends.

Tests that need it skip, saying why, when no server can be started; `.ci/run` sets
GROUPBOT_REQUIRE_POSTGRES once it has installed PostgreSQL, and then they fail instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class PgServer:
    folder: Path
    port: int
    bindir: Path
    user: str | None  # who runs it (None: this user)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://groupbot:groupbot-test@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database on the server; its URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        self.psql(f'CREATE DATABASE "{name}" OWNER groupbot')
        return self.url(name)

    def psql(self, sql: str) -> str:
        return self._run([str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port),
                          "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                          "-Atc", sql])

    def _run(self, cmd: list[str]) -> str:
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False,
                              cwd=str(self.folder))
        if done.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
        return done.stdout

    def stop(self) -> None:
        try:
            self._run([str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
                       "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def find_bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> PgServer:
    """Start a server, or raise RuntimeError saying why it cannot be."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL binaries (initdb) on this machine: install "
                           "Debian's postgresql package (.ci/run does)")
    user = None
    if os.geteuid() == 0:  # the server refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root, and there is no `postgres` user to run the "
                               "server as") from None
        user = "postgres"
    folder = Path(tempfile.mkdtemp(prefix="groupbot-pg-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    os.chmod(folder, 0o700)
    server = PgServer(folder, _free_port(), bindir, user)
    try:
        server._run([str(bindir / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
                     "--auth=trust", "--locale=C", "--encoding=UTF8", "-N"])
        opts = (f"-c listen_addresses=127.0.0.1 -c port={server.port} "
                f"-c unix_socket_directories={folder} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        server._run([str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-o", opts, "-l",
                     str(folder / "server.log"), "-w", "-t", "60", "start"])
        server.psql("CREATE ROLE groupbot LOGIN PASSWORD 'groupbot-test'")
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"cannot start a PostgreSQL server: {exc}") from None
    return server


def unavailable(why: str) -> None:
    """Skip (or fail, when CI installed PostgreSQL) a test that needs the server."""
    if os.environ.get("GROUPBOT_REQUIRE_POSTGRES"):
        pytest.fail(why + " (GROUPBOT_REQUIRE_POSTGRES is set)", pytrace=False)
    pytest.skip(why)
