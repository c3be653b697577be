"""A synthetic quarter of partner data for the demo authority, loaded and matched.

The generator invents its own residents (the council's person list plus partner
extracts with realistic errors); the run links them, finds households and lists the
newly eligible ones, so the data-match pages have something real to show. The partners'
files also hold the demo families' own records (demo_families): the needs that brought
each attached family onto the programme and how it has got on since, so its results can
be tracked and claimed.
"""

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from eligibility import services as eligibility_services
from eligibility.datamatch import services
from eligibility.datamatch.contract import columns_for
from eligibility.datamatch.demo_families import HEALTH_SOURCE, FamilyData, family_data
from eligibility.datamatch.generator import generate_quarter
from eligibility.datamatch.loading import partner_file_import
from eligibility.datamatch.models import PartnerImport
from eligibility.models import RecordedEvidence
from tafcase import csv_safe
from tafcase.accounts.models import Agency

DEMO_PEOPLE = 1500
K = Agency.Kind
SENDER = {
    "school_attendance": K.EDUCATION,
    "school_exclusions": K.EDUCATION,
    "asb": K.POLICE,
    "offending": K.POLICE,
    "domestic_abuse": K.POLICE,
    "benefits": K.DWP,
    "employment": K.DWP,
    "childrens_social_care": K.CHILDRENS_SOCIAL_CARE,
    "health": K.HEALTH,
    "housing": K.HOUSING,
}


def quarter_end(today: date) -> date:
    """The last quarter end (31 Mar, 30 Jun, 30 Sep, 31 Dec) on or before today."""
    ends = [date(today.year, 3, 31), date(today.year, 6, 30), date(today.year, 9, 30)]
    ends.append(date(today.year, 12, 31))
    return max([d for d in ends if d <= today] or [date(today.year - 1, 12, 31)])


def previous_quarter_end(today: date) -> date:
    """The quarter end before the last one (the previous claim window's cut-off)."""
    return quarter_end(quarter_end(today) - timedelta(days=1))


def _append(path: Path, kind: str, rows: list[dict]) -> None:
    """Add rows to a generated partner file, in its columns (dates as YYYY-MM-DD)."""
    header = [c.name for c in columns_for(kind)]
    with path.open("a", encoding="utf-8", newline="") as f:
        writer = csv_safe.writer(f, lineterminator="\r\n")
        for row in rows:
            writer.writerow(
                [
                    "" if (v := row.get(h)) is None else v.isoformat() if isinstance(v, date) else v
                    for h in header
                ]
            )


def _statements(context: dict, data: FamilyData) -> None:
    """Practitioners' recorded evidence of health progress, as a key worker enters it."""
    fallback = context["users"]["coordinator"]
    for family, person, day, text in data.statements:
        eligibility_services.evidence_record(
            actor=family.lead_professional or fallback,
            family=family,
            person=person,
            criterion="health",
            purpose=RecordedEvidence.Purpose.OUTCOME,
            evidence_date=day,
            source=HEALTH_SOURCE,
            text=text,
        )


def seed(rng: random.Random, context: dict) -> None:
    authority = context["authority"]
    if PartnerImport.objects.filter(local_authority=authority).exists():
        return
    analyst = context["users"]["analyst"]
    by_kind = {a.kind: a for a in reversed(context["agencies"])}
    today = timezone.localdate()
    as_of = quarter_end(today)
    with tempfile.TemporaryDirectory() as tmp:
        quarter = generate_quarter(DEMO_PEOPLE, Path(tmp), seed=rng.randrange(10**6), as_of=as_of)
        families = family_data(
            rng, authority, as_of=as_of, previous_cutoff=previous_quarter_end(today), today=today
        )
        for kind, rows in families.rows.items():
            _append(quarter.files[kind], kind, rows)
        for kind, path in quarter.files.items():
            with open(path, "rb") as stream:
                partner_file_import(
                    actor=analyst,
                    local_authority=authority,
                    kind=kind,
                    agency=by_kind.get(SENDER.get(kind), by_kind[K.LA_EARLY_HELP]),
                    as_of=as_of,
                    stream=stream,
                    filename=path.name,
                    # A synthetic quarter into an empty authority: a kind the generator
                    # left empty is meant, not a truncated export.
                    confirm_smaller=True,
                )
    run = services.run_start(actor=analyst, local_authority=authority, as_of=as_of, queue=False)
    run = services.run_execute(run_id=run.pk)
    _statements(context, families)
    # For the claims demo (outcomes.claims.demo): each family's course, e.g. a lapse.
    context["demo_courses"] = families.courses
    context["stdout"].write(
        f"Data-match: {run.counts['partner_records']} partner records, "
        f"{run.counts['linked']} linked, {run.counts['review']} to review, "
        f"{run.counts['newly_eligible']} newly eligible households."
    )
