"""Back up the database and uploaded files into one archive, and restore from one.

An archive is a gzipped tar holding, in this order:

- ``manifest.json``: when it was made, the server's PostgreSQL version, the Django
  migrations applied (the latest of each app) and row counts of key tables, all read in
  the same snapshot as the dump, so they describe exactly what the dump holds;
- ``database.dump``: ``pg_dump --format=custom`` of the whole database (uncompressed
  inside, so the archive is compressed once);
- ``media/``: the files under ``MEDIA_ROOT`` when that is set. tafcase keeps partner
  files' rows and their rejected rows in the database, so today there are none.

pg_dump and pg_restore get the connection through ``PG*`` environment variables, so a
password never appears on a command line (where ``ps`` would show it). They must be of
the server's major version or newer: the embedded server's own programs and any on PATH
are candidates, and the oldest that is new enough is used.

The archive holds everyone's personal data: it is written readable by its owner only.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
from django.apps import apps
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from psycopg import sql
from psycopg.conninfo import make_conninfo

from tafcase import embedded

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"

# Counted into the manifest, checked after a restore, and the tables whose rows make a
# database one that `restore` will not overwrite without --force.
KEY_MODELS = (
    "accounts.User",
    "families.Family",
    "families.Person",
    "audit.AuditEvent",
    "datamatch.PartnerImport",
    "datamatch.PartnerRecord",
)

# A restore over a database the running app is using would wait for its locks forever;
# this makes it fail with a message instead.
LOCK_TIMEOUT = "10s"


class BackupError(Exception):
    """Something an operator can put right; the message says what."""


@dataclass(frozen=True)
class Database:
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    sslmode: str = ""

    @classmethod
    def from_settings(cls, settings_dict: Mapping[str, Any]) -> Database:
        options = settings_dict.get("OPTIONS") or {}
        return cls(
            name=settings_dict["NAME"],
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            host=settings_dict.get("HOST") or "",
            port=str(settings_dict.get("PORT") or ""),
            sslmode=options.get("sslmode", ""),
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls.from_settings(dj_database_url.parse(url))

    def environ(self) -> dict[str, str]:
        """The environment for pg_dump/pg_restore: ours, plus this connection."""
        env = dict(os.environ)
        for variable, value in (
            ("PGDATABASE", self.name),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
            ("PGHOST", self.host),
            ("PGPORT", self.port),
            ("PGSSLMODE", self.sslmode),
        ):
            if value:
                env[variable] = value
            else:
                env.pop(variable, None)
        return env

    def connect(self, **kwargs: Any) -> psycopg.Connection:
        params = {
            "dbname": self.name,
            "user": self.user,
            "password": self.password,
            "host": self.host,
            "port": self.port,
            "sslmode": self.sslmode,
        }
        try:
            conninfo = make_conninfo("", **{k: v for k, v in params.items() if v})
            return psycopg.connect(conninfo, **kwargs)
        except psycopg.OperationalError as error:
            raise BackupError(f"Cannot connect to the database {self.name}: {error}") from error


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    media_files: int
    size: int
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict[str, Any]
    row_counts: dict[str, int]
    media_files: int
    unapplied_migrations: int
    unknown_migrations: int
    seconds: float


# --- PostgreSQL programs ----------------------------------------------------------------


def _major_version(program: str) -> int | None:
    try:
        answer = subprocess.run(
            [program, "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"\)\s+(\d+)", answer)
    return int(match.group(1)) if match else None


def pg_program(name: str, server_major: int) -> str:
    """The oldest `name` (pg_dump, pg_restore) of `server_major` or newer."""
    candidates = []
    # RuntimeError: the pgserver wheel is not installed (a deployment with its own server).
    with contextlib.suppress(RuntimeError):
        candidates.append(embedded.pg_bin(name))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    versions = {program: _major_version(program) for program in candidates}
    fit = [(v, p) for p, v in versions.items() if v is not None and v >= server_major]
    if not fit:
        found = ", ".join(f"{p} ({v or 'unknown version'})" for p, v in versions.items())
        raise BackupError(
            f"The database runs PostgreSQL {server_major}, and {name} must be that version "
            f"or newer; found {found or 'none'}. Install the PostgreSQL {server_major} "
            "client programs."
        )
    return min(fit)[1]


def _run(args: list[str], database: Database) -> None:
    env = database.environ()
    env["PGOPTIONS"] = f"-c lock_timeout={LOCK_TIMEOUT}"
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        # The last lines say what went wrong; earlier ones repeat it for each object.
        detail = "\n".join(result.stderr.strip().splitlines()[-5:])
        hint = ""
        if "lock timeout" in result.stderr:
            hint = "\nStop the web server and Celery workers that use this database first."
        raise BackupError(f"{Path(args[0]).name} failed:\n{detail}{hint}")


# --- What a database holds ---------------------------------------------------------------


def _key_tables() -> dict[str, str]:
    return {label: apps.get_model(label)._meta.db_table for label in KEY_MODELS}


def row_counts(connection: psycopg.Connection) -> dict[str, int]:
    """Rows in each key table (0 for a table that does not exist yet)."""
    counts = {}
    for label, table in _key_tables().items():
        exists = connection.execute("SELECT to_regclass(%s)", [table]).fetchone()
        if exists is None or exists[0] is None:
            counts[label] = 0
            continue
        count = connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()
        counts[label] = count[0] if count else 0
    return counts


def _applied_migrations(connection: psycopg.Connection) -> set[tuple[str, str]]:
    exists = connection.execute("SELECT to_regclass('django_migrations')").fetchone()
    if exists is None or exists[0] is None:
        return set()
    return {
        (app, name) for app, name in connection.execute("SELECT app, name FROM django_migrations")
    }


def _latest_by_app(applied: set[tuple[str, str]]) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in sorted(applied):
        latest[app] = name  # migration names are numbered, so the last sorted is the latest
    return latest


# --- Backup ------------------------------------------------------------------------------


def _media_files(media_root: Path | None) -> list[tuple[Path, str]]:
    """Each file under `media_root`, with its path relative to it."""
    if media_root is None or not media_root.is_dir():
        return []
    return sorted(
        (path, str(path.relative_to(media_root)))
        for path in media_root.rglob("*")
        if path.is_file()
    )


def backup(*, database: Database, destination: Path, media_root: Path | None) -> BackupResult:
    """Write an archive of `database` and the files under `media_root` to `destination`.

    The archive appears at `destination` only when complete: it is written beside it
    under another name and renamed."""
    started = time.monotonic()
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (
        database.connect() as connection,
        tempfile.TemporaryDirectory(dir=destination.parent) as work,
    ):
        # One snapshot for the manifest and the dump, held open while pg_dump runs.
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snapshot_row = connection.execute("SELECT pg_export_snapshot()").fetchone()
        assert snapshot_row is not None
        server_major = connection.info.server_version // 10000
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(timespec="seconds"),
            "database": database.name,
            "postgresql": server_major,
            "migrations": _latest_by_app(_applied_migrations(connection)),
            "row_counts": row_counts(connection),
        }
        dump = Path(work) / DUMP
        _run(
            [
                pg_program("pg_dump", server_major),
                "--format=custom",
                "--compress=0",
                f"--snapshot={snapshot_row[0]}",
                f"--file={dump}",
                database.name,
            ],
            database,
        )
        connection.rollback()

        media = _media_files(media_root)
        manifest["media_files"] = len(media)
        partial = Path(work) / (destination.name + ".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            os.fdopen(descriptor, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar,
        ):
            encoded = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(encoded), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(encoded))
            tar.add(dump, arcname=DUMP)
            for path, name in media:
                tar.add(path, arcname=f"{MEDIA}/{name}")
        partial.replace(destination)
    return BackupResult(
        path=destination,
        manifest=manifest,
        media_files=len(media),
        size=destination.stat().st_size,
        seconds=time.monotonic() - started,
    )


# --- Restore -----------------------------------------------------------------------------


def _unpack(archive: Path, into: Path) -> dict[str, Any]:
    """Unpack `archive` into `into` and return its manifest, or raise BackupError."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            names = tar.getnames()
            if MANIFEST not in names or DUMP not in names:
                raise BackupError(
                    f"{archive} is not a tafcase backup: it has no {MANIFEST} or {DUMP}."
                )
            # The "data" filter refuses absolute paths, links out of `into` and devices.
            tar.extractall(into, filter="data")
        manifest = json.loads((into / MANIFEST).read_text())
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as error:
        raise BackupError(f"{archive} is damaged or not a backup archive ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} was written by a version of tafcase this one cannot read.")
    return manifest


def _holds_data(counts: Mapping[str, int]) -> bool:
    return any(counts.values())


def _restore_media(unpacked: Path, media_root: Path | None) -> int:
    files = _media_files(unpacked / MEDIA)
    if not files:
        return 0
    if media_root is None:
        raise BackupError("The archive holds uploaded files but MEDIA_ROOT is not set.")
    shutil.copytree(unpacked / MEDIA, media_root, dirs_exist_ok=True)
    return len(files)


def restore(
    *, archive: Path, database: Database, media_root: Path | None, force: bool
) -> RestoreResult:
    """Replace what `database` holds with the archive's dump, and copy its files into
    `media_root`. Refuses a database holding data unless `force`. The dump is restored in
    one transaction: if it fails, the database is left as it was."""
    started = time.monotonic()
    if not archive.is_file():
        raise BackupError(f"There is no backup archive at {archive}.")
    # Refuse before unpacking, which takes as long as the archive is big.
    with database.connect(autocommit=True) as connection:
        server_major = connection.info.server_version // 10000
        if not force and _holds_data(row_counts(connection)):
            raise BackupError(
                f"The database {database.name} already holds data. Restoring replaces "
                "all of it; run again with --force if that is what you want."
            )
    with tempfile.TemporaryDirectory() as work:
        unpacked = Path(work)
        manifest = _unpack(archive, unpacked)
        _run(
            [
                pg_program("pg_restore", max(server_major, manifest.get("postgresql", 0))),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                f"--dbname={database.name}",
                str(unpacked / DUMP),
            ],
            database,
        )
        media_files = _restore_media(unpacked, media_root)
    with database.connect(autocommit=True) as connection:
        counts = row_counts(connection)
        applied = _applied_migrations(connection)
    expected = manifest.get("row_counts", {})
    # Only the tables both versions count: an older archive may count fewer.
    differ = {label: n for label, n in counts.items() if expected.get(label, n) != n}
    if differ:
        raise BackupError(
            f"The restored database does not match the archive's manifest: {differ} "
            f"restored, {expected} expected."
        )
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return RestoreResult(
        manifest=manifest,
        row_counts=counts,
        media_files=media_files,
        unapplied_migrations=len(on_disk - applied),
        unknown_migrations=len(applied - on_disk),
        seconds=time.monotonic() - started,
    )
