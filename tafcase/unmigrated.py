"""A clear word, instead of a raw database error, for a command run before `migrate`.

manage.py calls ensure_tables() before handing over to Django, so no command has to check
for itself. The embedded default database (no DATABASE_URL) is the developer's own and is
migrated on the spot; a configured database is someone's deployment, so we only say what
to run.
"""

from __future__ import annotations

import os
import sys

# Commands that work without the project's tables (they make them, inspect migrations,
# work on files or other databases, or never touch the database).
NEEDS_NO_TABLES = frozenset(
    {
        # Django's own
        "check",
        "compilemessages",
        "createcachetable",
        "dbshell",
        "diffsettings",
        "findstatic",
        "collectstatic",
        "inspectdb",
        "makemessages",
        "makemigrations",
        "migrate",
        "optimizemigration",
        "sendtestemail",
        "shell",
        "showmigrations",
        "sqlflush",
        "sqlmigrate",
        "sqlsequencereset",
        "squashmigrations",
        "startapp",
        "startproject",
        "test",
        "testserver",
        "help",
        "version",
        "spectacular",
        # tafcase's own: a backup of an empty database and a restore into one are fine;
        # the benchmarks seed databases of their own; the load test drives a server.
        "backup",
        "restore",
        "loadtest",
        "bench_pages",
        "bench_screening",
        "bench_claims",
        "bench_reports",
    }
)

MIGRATE_HINT = "The database has no tables yet: run `python manage.py migrate`"


def needs_tables(argv: list[str]) -> bool:
    """Does the command named on this command line need the project's tables?"""
    if len(argv) < 2 or argv[1].startswith("-"):
        return False
    return argv[1] not in NEEDS_NO_TABLES


def has_tables(connection) -> bool:
    """True once `migrate` has run at least once on this database."""
    return "django_migrations" in connection.introspection.table_names()


def uses_embedded_database() -> bool:
    return not os.environ.get("DATABASE_URL")


def ensure_tables(argv: list[str]) -> None:
    """Before a command that needs tables: migrate the embedded database if it has none,
    or stop with a clear message for a configured one."""
    if not needs_tables(argv):
        return
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    migrated = has_tables(connection)
    # The command opens its own connection; ours would sit idle (runserver's reloader
    # would keep it for as long as it runs).
    connection.close()
    if migrated:
        return
    if uses_embedded_database():
        sys.stderr.write("The database has no tables yet: setting them up (migrate)…\n")
        call_command("migrate", interactive=False, verbosity=0)
        return
    sys.stderr.write(MIGRATE_HINT + "\n")
    raise SystemExit(1)
