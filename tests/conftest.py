"""Shared fixtures: store URLs on SQLite and on a throw-away PostgreSQL cluster, and a SecretBox.

PostgreSQL: binaries are looked up in $VENTANILLA_PG_BIN, then PATH (`initdb` and `pg_ctl`, symlinks
resolved), then /usr/lib/postgresql/*/bin (newest first). One cluster is started per test session in
a temporary folder (trust auth, loopback on a free port, unix socket in the same folder, fsync off)
and stopped at the end; each test gets its own database. Running as root, initdb and pg_ctl run as
the `postgres` user (else `nobody`) through runuser/su, and that user owns the folder.
$VENTANILLA_TEST_POSTGRES_URL (an admin URL of a running server) replaces the throw-away cluster;
VENTANILLA_SKIP_POSTGRES=1 skips the PostgreSQL tests.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.store.crypto import SecretBox
from ventanilla.store.db import make_engine, make_session_factory, upgrade

PG_TOOLS = ("initdb", "pg_ctl", "postgres")


def find_postgres_bin() -> Path | None:
    """A folder holding initdb, pg_ctl and postgres, or None."""
    candidates: list[Path] = []
    if os.environ.get("VENTANILLA_PG_BIN"):
        candidates.append(Path(os.environ["VENTANILLA_PG_BIN"]))
    for tool in ("initdb", "pg_ctl"):
        found = shutil.which(tool)
        if found:
            candidates.append(Path(found).resolve().parent)
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    versions.sort(key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.name.split(".")])
    candidates.extend(Path(p) for p in reversed(versions))
    for folder in candidates:
        if all(os.access(folder / tool, os.X_OK) for tool in PG_TOOLS):
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    """A throw-away PostgreSQL cluster in a temporary folder, or an existing server (`admin_url`)."""

    host: str
    port: int
    user: str
    password: str | None = None
    bindir: Path | None = None
    root: Path | None = None
    run_as: str | None = None

    def url(self, database: str) -> str:
        auth = self.user if self.password is None else f"{self.user}:{self.password}"
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        )

    @classmethod
    def start(cls, bindir: Path) -> PostgresCluster:
        run_as = _unprivileged_user() if os.geteuid() == 0 else None
        root = Path(tempfile.mkdtemp(prefix="ventanilla-pg-"))
        if run_as is not None:
            entry = pwd.getpwnam(run_as)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        cluster = cls("127.0.0.1", 0, "postgres", bindir=bindir, root=root, run_as=run_as)
        try:
            cluster._run(
                "initdb",
                "-D",
                str(root / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            )
            for _attempt in range(3):
                cluster.port = _free_port()
                options = (
                    f"-p {cluster.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
                )
                try:
                    cluster._run(
                        "pg_ctl",
                        "-D",
                        str(root / "data"),
                        "-l",
                        str(root / "server.log"),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        options,
                        "start",
                    )
                    return cluster
                except RuntimeError:
                    time.sleep(0.2)  # most likely the port was taken meanwhile: try another
            raise RuntimeError(f"PostgreSQL did not start; log:\n{cluster.log_tail()}")
        except BaseException:
            cluster.stop()
            raise

    def stop(self) -> None:
        if self.root is None:
            return
        if (self.root / "data" / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):  # already gone
                self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def log_tail(self) -> str:
        log = self.root / "server.log" if self.root else None
        return log.read_text(errors="replace")[-3000:] if log and log.exists() else "(no log)"

    def _run(self, tool: str, *args: str) -> None:
        assert self.bindir is not None and self.root is not None
        command = [str(self.bindir / tool), *args]
        if self.run_as is not None:
            if shutil.which("runuser"):
                command = ["runuser", "-u", self.run_as, "--", *command]
            else:
                command = ["su", "-s", "/bin/sh", self.run_as, "-c", shlex.join(command)]
        done = subprocess.run(
            command,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "LC_ALL": "C"},
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{tool} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
            )


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One PostgreSQL server for the whole test session (skipped when unavailable)."""
    if os.environ.get("VENTANILLA_SKIP_POSTGRES") == "1":
        pytest.skip("PostgreSQL tests disabled by VENTANILLA_SKIP_POSTGRES=1")
    given = os.environ.get("VENTANILLA_TEST_POSTGRES_URL")
    if given:
        url = make_url(given)
        yield PostgresCluster(
            url.host or "127.0.0.1", url.port or 5432, url.username or "postgres", url.password
        )
        return
    bindir = find_postgres_bin()
    if bindir is None:
        pytest.skip(
            "PostgreSQL binaries (initdb, pg_ctl, postgres) not found in $VENTANILLA_PG_BIN, PATH "
            "or /usr/lib/postgresql/*/bin; install PostgreSQL to run these tests"
        )
    cluster = PostgresCluster.start(bindir)
    try:
        yield cluster
    finally:
        cluster.stop()


_database_numbers = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database, dropped after the test."""
    name = f"ventanilla_test_{os.getpid()}_{next(_database_numbers)}"
    with postgres_cluster.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_cluster.url(name)
    finally:
        with postgres_cluster.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a SQLite file (not yet created) in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'store' / 'ventanilla.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each back-end in turn: SQLite, then PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def session_factory(store_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on `store_url`, migrated to the newest revision."""
    upgrade(store_url)
    engine = make_engine(store_url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def secret_box() -> SecretBox:
    """A SecretBox with a fresh random key."""
    return SecretBox(Fernet.generate_key())
