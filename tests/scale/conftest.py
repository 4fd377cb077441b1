"""A throwaway PostgreSQL cluster and Redis server for the scale tests, both on 127.0.0.1 with
free ports and temporary folders, started once per session and stopped at its end.

The rest of the suite keeps SQLite (tests/conftest.py removes DATABASE_URL and REDIS_URL from
the environment): these settings are given only to the apps and worker processes made here."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from accessible_learning import create_app
from accessible_learning.extensions import db
from accessible_learning.services import demo

PG_ROOT = Path("/usr/lib/postgresql")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin() -> Path | None:
    versions = sorted((p for p in PG_ROOT.glob("*/bin/initdb")), key=lambda p: int(
        p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return versions[-1].parent if versions else None


def _as_user() -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["runuser", "-u", user, "--"]
    pytest.fail("running as root and there is no postgres or nobody user for PostgreSQL")


def _wait_for_port(port: int, process: subprocess.Popen | None, what: str, log: Path,
                   timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} stopped at start:\n{log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port}:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def postgres_server():
    """The URL of a PostgreSQL cluster of our own (Debian's binaries, not the system cluster)."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is not installed (apt-get install postgresql; make test does)")
    runas = _as_user()
    base = Path(tempfile.mkdtemp(prefix="al-pg-"))
    data, sockets, log = base / "data", base / "sockets", base / "postgres.log"
    sockets.mkdir()
    log.touch()
    if runas:
        uid, gid = pwd.getpwnam(runas[2]).pw_uid, pwd.getpwnam(runas[2]).pw_gid
        for path in (base, sockets, log):
            os.chown(path, uid, gid)
    port = free_port()
    subprocess.run([*runas, str(bin_dir / "initdb"), "-D", str(data), "-U", "al",
                    "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    subprocess.run([*runas, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w",
                    "-o", f"-h 127.0.0.1 -p {port} -k {sockets} -c fsync=off "
                          "-c synchronous_commit=off -c full_page_writes=off",
                    "start"], check=True, stdout=subprocess.DEVNULL)
    try:
        _wait_for_port(port, None, "PostgreSQL", log)
        yield f"postgresql+psycopg://al@127.0.0.1:{port}"
    finally:
        subprocess.run([*runas, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                        "stop"], check=False, stdout=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url():
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server; make test does)")
    base = Path(tempfile.mkdtemp(prefix="al-redis-"))
    log = base / "redis.log"
    port = free_port()
    with open(log, "w") as out:
        process = subprocess.Popen(
            [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
             "--appendonly", "no", "--dir", str(base)],
            stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process, "redis-server", log)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(base, ignore_errors=True)


def create_database(server: str, name: str, template: str | None = None) -> str:
    """A new database on the server (copied from ``template``); its SQLAlchemy URL."""
    conninfo = server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        extra = f" TEMPLATE {template}" if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{extra}')
    return f"{server}/{name}"


def app_config(database_url: str, redis: str, media_root: Path) -> dict:
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis,
            "MEDIA_ROOT": str(media_root)}


def worker_env(database_url: str, redis: str, media_root: Path) -> dict:
    """What a worker process on another machine would be given."""
    return {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis,
            "INSTANCE_PATH": os.environ["INSTANCE_PATH"], "MEDIA_ROOT": str(media_root),
            "RECOGNITION_JOBS": "1", "VOICE_CHECK_AT_STARTUP": "0"}


TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="session")
def pg_template(postgres_server, redis_url, tmp_path_factory):
    """``flask db upgrade`` on an empty PostgreSQL database, then the demo seed: once, as the
    template every test's database is copied from."""
    base = tmp_path_factory.mktemp("scale")
    media_root = base / "media"
    url = create_database(postgres_server, "al_template")
    started = time.monotonic()
    migrate = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "accessible_learning", "db",
         "upgrade"], env=worker_env(url, redis_url, media_root), capture_output=True, text=True)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    TIMINGS["migrate_s"] = time.monotonic() - started
    app = create_app(app_config(url, redis_url, media_root))
    started = time.monotonic()
    with app.app_context():
        demo.seed(log=lambda *_: None)
        db.session.remove()
        db.engine.dispose()
    TIMINGS["seed_s"] = time.monotonic() - started
    return {"server": postgres_server, "redis": redis_url, "media": media_root,
            "name": "al_template"}


_COUNTER = iter(range(1, 10_000))


@pytest.fixture
def pg_app(pg_template):
    """An app on a fresh copy of the seeded PostgreSQL database, queueing jobs in Redis."""
    name = f"al_test_{next(_COUNTER)}"
    url = create_database(pg_template["server"], name, template=pg_template["name"])
    app = create_app(app_config(url, pg_template["redis"], pg_template["media"]))
    app.config["WORKER_ENV"] = worker_env(url, pg_template["redis"], pg_template["media"])
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
