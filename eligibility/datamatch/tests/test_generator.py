from datetime import date

from eligibility.datamatch.contract import KINDS
from eligibility.datamatch.generator import generate_quarter
from eligibility.datamatch.validate import validate_csv

AS_OF = date(2026, 3, 31)


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = generate_quarter(300, tmp_path / "a", seed=7, as_of=AS_OF)
    b = generate_quarter(300, tmp_path / "b", seed=7, as_of=AS_OF)
    for kind in KINDS:
        assert a.files[kind].read_bytes() == b.files[kind].read_bytes(), kind
    assert a.truth == b.truth


def test_different_seed_gives_different_files(tmp_path):
    a = generate_quarter(300, tmp_path / "a", seed=7, as_of=AS_OF)
    b = generate_quarter(300, tmp_path / "b", seed=8, as_of=AS_OF)
    assert a.files["persons"].read_bytes() != b.files["persons"].read_bytes()


def test_every_kind_is_written_and_passes_the_contract(tmp_path):
    q = generate_quarter(500, tmp_path, seed=1, as_of=AS_OF)
    assert set(q.files) == set(KINDS)
    for kind, path in q.files.items():
        r = validate_csv(path.read_bytes(), kind, AS_OF)
        assert r.ok, (kind, r.errors[:3])
        assert len(r.rows) > 0, kind
        assert all((kind, row["record_id"]) in q.truth for row in r.rows)


def test_population_has_households_twins_and_people_unknown_to_the_la(tmp_path):
    q = generate_quarter(3000, tmp_path, seed=3, as_of=AS_OF)
    assert len(q.people) == 3000
    relationships = {p.relationship for p in q.people}
    assert relationships == {"parent_carer", "child", "other_adult"}
    twins = {(p.household_id, p.dob, p.surname) for p in q.people if p.relationship == "child"}
    children = [p for p in q.people if p.relationship == "child"]
    assert len(twins) < len(children)  # some children share dob, surname and household
    unknown = sum(1 for pid, la in q.la_person_of.items() if la is None)
    assert 0.02 < unknown / len(q.people) < 0.15
    ages = [(AS_OF - p.dob).days // 365 for p in q.people]
    assert min(ages) == 0 and 60 < max(ages) < 130


def test_scale_is_about_eight_partner_rows_per_person(tmp_path):
    q = generate_quarter(2000, tmp_path, seed=1, as_of=AS_OF)
    partner_rows = sum(1 for kind, _ in q.truth if kind != "persons")
    assert 6 * 2000 < partner_rows < 10 * 2000


def test_partner_rows_carry_realistic_noise(tmp_path):
    q = generate_quarter(3000, tmp_path, seed=5, as_of=AS_OF)
    people = {p.person_id: p for p in q.people}
    rows = validate_csv(q.files["benefits"].read_bytes(), "benefits", AS_OF).rows
    nick = swapped = transposed = missing_dob = 0
    for row in rows:
        p = people[q.truth[("benefits", row["record_id"])]]
        f, s = row["forename"].upper(), row["surname"].upper()
        nick += f != p.forename and f in (
            "BILL",
            "KATE",
            "BOB",
            "DAVE",
            "MIKE",
            "SUE",
            "LIZ",
            "JIM",
            "TOM",
            "BECKY",
            "VICKY",
            "CHRIS",
            "DAN",
        )
        swapped += f == p.surname and s == p.forename
        transposed += (
            row["dob"] is not None
            and row["dob"] != p.dob
            and (row["dob"].day, row["dob"].month) == (p.dob.month, p.dob.day)
        )
        missing_dob += row["dob"] is None
    assert nick and swapped and transposed and missing_dob
