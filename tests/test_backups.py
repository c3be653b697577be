"""`manage.py backup` and `manage.py restore`, against the real test PostgreSQL.

The data is committed (transactional_db) because pg_dump reads it from its own
connection, and the restore goes into a fresh database made for the test and dropped
after it, so nothing here touches the test database's contents.
"""

import io
import json
import tarfile
from datetime import date
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from eligibility.datamatch import loading
from eligibility.datamatch.models import PartnerImport, PartnerRecord
from families import services as family_services
from families.models import Family
from tafcase import backups
from tafcase.accounts.models import Agency, Role
from tafcase.audit.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

ASB = (
    "record_id,forename,surname,dob,sex,postcode,incident_date,incident_type,role\r\n"
    "A1,Jo,Hale,2011-12-01,M,NB1 2AB,2026-01-01,noise,victim\r\n"
    "A2,Sam,Hale,1985-03-04,F,NB1 2AB,2026-02-02,criminal_damage,perpetrator\r\n"
)


@pytest.fixture
def casework(authority, make_agency, make_user):
    """A family (whose creation writes audit rows) and a loaded partner file."""
    council = make_agency("Council Early Help")
    coordinator = make_user(Role.COORDINATOR, agency=council, email="coord@example.test")
    analyst = make_user(Role.DATA_ANALYST, agency=council, email="analyst@example.test")
    family = family_services.family_create(
        actor=coordinator, local_authority=authority, name="Hale family", postcode="NB1 2AB"
    )
    family_services.member_add(
        actor=coordinator,
        family=family,
        role="parent_carer",
        forename="Sam",
        surname="Hale",
        dob=date(1985, 3, 4),
    )
    loading.partner_file_import(
        actor=analyst,
        local_authority=authority,
        kind="asb",
        agency=make_agency("Police", Agency.Kind.POLICE, None),
        as_of=date(2026, 3, 31),
        stream=io.BytesIO(ASB.encode()),
        filename="asb.csv",
    )
    return family


def _url(name: str) -> str:
    """A DATABASE_URL for database `name` on the test database's server."""
    config = connection.settings_dict
    auth = quote(config["USER"] or "", safe="")
    if config["PASSWORD"]:
        auth += ":" + quote(config["PASSWORD"], safe="")
    host = quote(config["HOST"] or "", safe="")
    port = f":{config['PORT']}" if config["PORT"] else ""
    return f"postgresql://{auth}@{host}{port}/{name}"


@pytest.fixture
def fresh_database():
    """An empty database on the same server, dropped afterwards; yields its name."""
    name = f"{connection.settings_dict['NAME']}_restored"
    server = backups.Database.from_settings({**connection.settings_dict, "NAME": "postgres"})
    with server.connect(autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with server.connect(autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _rows(database_name: str, model) -> list[tuple]:
    database = backups.Database.from_settings({**connection.settings_dict, "NAME": database_name})
    query = sql.SQL("SELECT * FROM {} ORDER BY id").format(sql.Identifier(model._meta.db_table))
    with database.connect() as conn:
        return conn.execute(query).fetchall()


def test_a_backup_restored_into_a_fresh_database_has_the_same_families_audit_and_partner_data(
    casework, fresh_database, tmp_path
):
    archive = tmp_path / "tafcase.tar.gz"
    out = io.StringIO()
    call_command("backup", output=str(archive), stdout=out)
    assert f"to {archive}" in out.getvalue()
    assert archive.stat().st_mode & 0o077 == 0  # personal data: owner only

    out = io.StringIO()
    call_command("restore", str(archive), database_url=_url(fresh_database), stdout=out)

    assert f"Restored {fresh_database}" in out.getvalue()
    assert "1 families.Family" in out.getvalue()
    source = connection.settings_dict["NAME"]
    for model in (Family, AuditEvent, PartnerImport, PartnerRecord):
        restored = _rows(fresh_database, model)
        assert restored, model
        assert restored == _rows(source, model), model
    assert [row[0] for row in _rows(fresh_database, Family)] == [casework.pk]
    assert len(_rows(fresh_database, PartnerRecord)) == 2


def test_the_manifest_counts_what_the_dump_holds(casework, tmp_path):
    archive = tmp_path / "tafcase.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())

    with tarfile.open(archive) as tar:
        assert tar.getnames()[:2] == ["manifest.json", "database.dump"]
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["row_counts"]["families.Family"] == 1
    assert manifest["row_counts"]["datamatch.PartnerRecord"] == 2
    assert manifest["row_counts"]["audit.AuditEvent"] == AuditEvent.objects.count()
    assert manifest["migrations"]["families"].startswith("0")


def test_uploaded_files_are_backed_up_and_restored(casework, fresh_database, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media" / "imports").mkdir(parents=True)
    (tmp_path / "media" / "imports" / "asb.csv").write_bytes(ASB.encode())
    archive = tmp_path / "tafcase.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())

    settings.MEDIA_ROOT = str(tmp_path / "elsewhere")
    out = io.StringIO()
    call_command("restore", str(archive), database_url=_url(fresh_database), stdout=out)

    assert (tmp_path / "elsewhere" / "imports" / "asb.csv").read_bytes() == ASB.encode()
    assert "1 uploaded files" in out.getvalue()


def test_restore_refuses_a_database_that_holds_data_without_force(casework, tmp_path):
    archive = tmp_path / "tafcase.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())

    with pytest.raises(CommandError, match=r"already holds data.*--force"):
        call_command("restore", str(archive), stdout=io.StringIO())

    assert Family.objects.filter(pk=casework.pk).exists()


def test_restore_of_a_missing_archive_says_so(tmp_path):
    with pytest.raises(CommandError, match="no backup archive at"):
        call_command("restore", str(tmp_path / "missing.tar.gz"))


def test_restore_of_a_damaged_archive_says_so_and_changes_nothing(casework, tmp_path):
    archive = tmp_path / "tafcase.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    with pytest.raises(CommandError, match="damaged or not a backup archive"):
        call_command("restore", str(damaged), force=True)

    assert Family.objects.filter(pk=casework.pk).exists()


def test_restore_of_an_archive_that_is_not_a_backup_says_so(tmp_path):
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        tar.addfile(tarfile.TarInfo("notes.txt"), io.BytesIO(b""))

    with pytest.raises(CommandError, match="not a tafcase backup"):
        call_command("restore", str(other))
