import pytest
from django.db import connection

from tafcase import unmigrated


@pytest.mark.parametrize(
    "command", ["migrate", "makemigrations", "check", "showmigrations", "sqlmigrate", "test"]
)
def test_commands_that_make_or_inspect_tables_need_none(command):
    assert not unmigrated.needs_tables(["manage.py", command])


@pytest.mark.parametrize("command", ["import_partner_data", "setup_council", "createsuperuser"])
def test_commands_that_read_records_need_tables(command):
    assert unmigrated.needs_tables(["manage.py", command])


def test_no_command_or_an_option_alone_needs_no_tables():
    assert not unmigrated.needs_tables(["manage.py"])
    assert not unmigrated.needs_tables(["manage.py", "--version"])


@pytest.mark.django_db
def test_a_migrated_database_has_tables():
    assert unmigrated.has_tables(connection)


@pytest.mark.django_db
def test_a_database_without_the_migrations_table_has_none(monkeypatch):
    monkeypatch.setattr(connection.introspection, "table_names", lambda *a, **k: ["other"])
    assert not unmigrated.has_tables(connection)


def test_configured_unmigrated_database_stops_with_the_migrate_hint(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://configured/tafcase")
    monkeypatch.setattr(unmigrated, "has_tables", lambda _connection: False)
    with pytest.raises(SystemExit) as stopped:
        unmigrated.ensure_tables(["manage.py", "import_partner_data", "file.csv"])
    assert stopped.value.code == 1
    assert (
        "The database has no tables yet: run `python manage.py migrate`" in capsys.readouterr().err
    )


def test_embedded_unmigrated_database_is_migrated_on_the_spot(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(unmigrated, "has_tables", lambda _connection: False)
    ran = []
    monkeypatch.setattr(
        "django.core.management.call_command", lambda name, **options: ran.append(name)
    )
    unmigrated.ensure_tables(["manage.py", "import_partner_data", "file.csv"])
    assert ran == ["migrate"]


def test_migrate_itself_is_never_stopped(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://configured/tafcase")
    monkeypatch.setattr(unmigrated, "has_tables", lambda _connection: False)
    unmigrated.ensure_tables(["manage.py", "migrate"])
