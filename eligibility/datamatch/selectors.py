"""Reads for partner data and data-match runs."""

from collections import defaultdict

from django.db.models import Count, QuerySet

from eligibility import rules
from eligibility.datamatch.models import (
    DatamatchRun,
    PartnerImport,
    PartnerRecord,
    RecordLink,
    ReviewItem,
)
from tafcase.accounts.models import LocalAuthority


def current_run(authority: LocalAuthority) -> DatamatchRun | None:
    return DatamatchRun.objects.filter(local_authority=authority, is_current=True).first()


def imports_in_force(authority: LocalAuthority, as_of) -> QuerySet[PartnerImport]:
    """Each partner's latest file of each kind taken on or before `as_of`: a new
    quarter's extract replaces the last one from the same agency."""
    return (
        PartnerImport.objects.filter(local_authority=authority, as_of__lte=as_of)
        .order_by("kind", "agency_id", "-as_of", "-uploaded_at", "-pk")
        .distinct("kind", "agency_id")
    )


def as_rule_record(record: PartnerRecord, agency: str) -> rules.Record:
    return rules.Record(
        kind=rules.Kind(record.kind),
        record_id=record.record_id,
        person_id=str(record.person_id),
        date=record.event_date,
        end_date=record.end_date,
        agency=agency,
        attributes=record.attributes,
    )


def _rule_records(links: QuerySet[RecordLink]) -> dict[int, list[rules.Record]]:
    out: dict[int, list[rules.Record]] = defaultdict(list)
    for link in links.select_related("record", "record__agency"):
        record = link.record
        record.person_id = link.person_id
        out[link.person_id].append(as_rule_record(record, record.agency.name))
    return out


def partner_records_for_run(run: DatamatchRun, person_ids) -> dict[int, list[rules.Record]]:
    """The rulebook's view of the partner records a run linked to these people, by
    person. Undated records are left out: no rule can place them in time."""
    return _rule_records(
        run.links.filter(person_id__in=person_ids, record__event_date__isnull=False).exclude(
            record__kind="persons"
        )
    )


def partner_records_for_people(person_ids) -> dict[int, list[rules.Record]]:
    """The same, from the authority's current run (what screening reads)."""
    return _rule_records(
        RecordLink.objects.filter(
            run__is_current=True, person_id__in=person_ids, record__event_date__isnull=False
        ).exclude(record__kind="persons")
    )


def evidence_for_family(person_ids: list[int]) -> QuerySet[RecordLink]:
    """Partner records behind a family's people, newest first, for the family page."""
    return (
        RecordLink.objects.filter(run__is_current=True, person_id__in=person_ids)
        .exclude(record__kind="persons")
        .select_related("record", "record__agency", "person", "record__partner_import")
        .order_by("-record__event_date", "record__kind")
    )


def review_queue(authority: LocalAuthority) -> QuerySet[ReviewItem]:
    return ReviewItem.objects.filter(
        run__local_authority=authority, run__is_current=True, status=ReviewItem.Status.OPEN
    ).select_related("record", "record__agency")


def link_rates(run: DatamatchRun) -> list[dict]:
    """Records by kind and how they were linked, for the run page."""
    rows = (
        run.links.values("record__kind", "method").annotate(n=Count("pk")).order_by("record__kind")
    )
    table: dict[str, dict] = {}
    for row in rows:
        table.setdefault(row["record__kind"], {})[row["method"]] = row["n"]
    return [{"kind": kind, **methods} for kind, methods in table.items()]
