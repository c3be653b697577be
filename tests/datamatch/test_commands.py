"""The commands councils script against a secure file drop."""

import json

import pytest
from django.core.management import CommandError, call_command

from eligibility.datamatch.models import DatamatchRun, PartnerImport
from tests.datamatch.conftest import AS_OF, ASB_HEADER, csv_bytes

pytestmark = pytest.mark.django_db
CODE = "E99000099"


def test_import_command_rejects_bad_file_with_row_numbered_errors(tmp_path, team, capsys):
    bad = tmp_path / "asb.csv"
    bad.write_bytes(csv_bytes(ASB_HEADER, "A1,Jo,Hale,2011-13-01,M,,2026-01-01,noise,victim"))
    with pytest.raises(CommandError, match="1 of 1 files rejected"):
        call_command(
            "import_partner_data",
            str(bad),
            kind="asb",
            agency="Police",
            as_of=AS_OF,
            authority=CODE,
        )
    err = capsys.readouterr().err
    assert "rejected, nothing loaded" in err and "2,dob," in err
    assert not PartnerImport.objects.exists()


def test_generate_import_run_and_export(tmp_path, team, capsys):
    call_command(
        "generate_partner_data",
        str(tmp_path),
        people=150,
        seed=3,
        as_of=AS_OF,
    )
    for path in sorted(tmp_path.glob("*.csv")):
        if path.name == "truth.csv":
            continue
        agency = "Council Early Help" if path.stem == "persons" else "Police"
        call_command(
            "import_partner_data",
            str(path),
            kind=path.stem,
            agency=agency,
            as_of=AS_OF,
            authority=CODE,
            # A small synthetic population leaves some kinds header-only, on purpose.
            confirm_smaller=True,
        )
    again = tmp_path / "persons.csv"
    call_command(
        "import_partner_data",
        str(again),
        kind="persons",
        agency="Council Early Help",
        as_of=AS_OF,
        authority=CODE,
    )
    assert "nothing changed" in capsys.readouterr().out
    call_command("run_datamatch", as_of=AS_OF, authority=CODE, wait=True)
    out = capsys.readouterr().out
    assert "100%" in out and "households" in out
    run = DatamatchRun.objects.get()
    assert run.status == "succeeded"
    target = tmp_path / "export.json"
    call_command("export_datamatch", run="latest", json_path=str(target))
    data = json.loads(target.read_text())
    assert len(data["records"]) == run.counts["records"]
    record = next(r for r in data["records"] if r["kind"] != "persons" and r["person_id"])
    assert set(record) >= {"kind", "record_id", "person_id", "la_person_id", "method", "weight"}
    household = data["households"][0]
    assert set(household) >= {"members", "criteria_met", "newly_eligible"}
    assert any(h["criteria_met"] for h in data["households"])


def test_run_without_wait_is_queued(team):
    call_command("run_datamatch", as_of=AS_OF, authority=CODE)
    assert DatamatchRun.objects.get().status == "queued"
