"""The quarterly data-match run, review decisions, and nominations from its households.

A run loads the partner files in force, brings the authority's person spine up to date,
links every record to a person (eligibility.datamatch.linkage), groups people into
households, evaluates the rulebook for each and stores all of it against the run. Only
when everything is stored does the run become the authority's current one, so a failure
leaves the previous results in place; re-running the same data gives the same results.
"""

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from eligibility import rules
from eligibility import selectors as eligibility_selectors
from eligibility.datamatch import linkage, selectors
from eligibility.datamatch.models import (
    ON_PROGRAMME,
    CandidatePerson,
    DatamatchRun,
    HouseholdResult,
    LinkDecision,
    PartnerRecord,
    RecordLink,
    ReviewItem,
)
from families.models import Membership, Person
from tafcase import identity
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record

log = logging.getLogger(__name__)
A = AuditEvent.Action
M = RecordLink.Method
IDENTITY_COLUMNS = [
    "forename",
    "surname",
    "dob",
    "sex",
    "address_line_1",
    "postcode",
    "upn",
    "nino",
    "nhs_number",
    "pnc_id",
    "la_person_id",
]
Progress = Callable[[str, int, dict], None]


@transaction.atomic
def run_start(*, actor, local_authority, as_of: date, queue: bool = True) -> DatamatchRun:
    """Queue a run for the quarter; the worker picks it up after this commits (or, with
    `queue` False, the caller runs it with run_execute)."""
    run = DatamatchRun.objects.create(
        local_authority=local_authority, as_of=as_of, started_by=actor, stage="Queued"
    )
    audit_record(actor=actor, action=A.CREATED, obj=run, summary=f"Queued {run}")
    if queue:
        _send_to_worker(run.pk)
    return run


def _send_to_worker(run_id: int) -> None:
    from eligibility.datamatch.tasks import datamatch_run

    transaction.on_commit(lambda: datamatch_run.delay(run_id))


class RunSuperseded(Exception):
    """The run is no longer this worker's: it was found stale and re-queued (another
    worker may be doing it now) or marked failed. The worker stops without writing more."""


def _owned(run: DatamatchRun):
    """The run's row, while it is still running under the attempt this worker claimed."""
    return DatamatchRun.objects.filter(
        pk=run.pk, status=DatamatchRun.Status.RUNNING, attempts=run.attempts
    )


def _progress(run: DatamatchRun, stage: str, percent: int, on_progress: Progress | None, **counts):
    """Record the stage reached and renew the heartbeat; the seconds the previous stage
    took go in counts. Raises RunSuperseded when the run is no longer this worker's."""
    now = time.perf_counter()
    timings = dict(run.counts.get("stage_seconds", {}))
    if run.stage and run._stage_started is not None:
        timings[run.stage] = round(now - run._stage_started, 1)
    run._stage_started = now
    run.stage, run.percent = stage, percent
    run.counts = {**run.counts, **counts, "stage_seconds": timings}
    if not _owned(run).update(
        stage=stage, percent=percent, counts=run.counts, heartbeat_at=timezone.now()
    ):
        raise RunSuperseded
    if on_progress:
        on_progress(stage, percent, run.counts)


def _run_rows_delete(run: DatamatchRun) -> None:
    for model in (RecordLink, ReviewItem, HouseholdResult):
        model.objects.filter(run=run).delete()


def run_execute(*, run_id: int, on_progress: Progress | None = None) -> DatamatchRun | None:
    """Do a queued run. Safe to call twice: only the call that claims it does the work."""
    claimed = DatamatchRun.objects.filter(pk=run_id, status=DatamatchRun.Status.QUEUED).update(
        status=DatamatchRun.Status.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        stage="Starting",
        percent=0,
        counts={},
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    run = DatamatchRun.objects.select_related("local_authority").get(pk=run_id)
    started = time.perf_counter()
    try:
        if run.attempts > 1:
            # Re-queued after its worker died: start clean, without that attempt's rows.
            with transaction.atomic():
                _run_rows_delete(run)
        _pipeline(run, on_progress)
        _progress(run, "Finished", 100, None)  # records how long saving took
        with transaction.atomic():
            # Locked, so the sweeper cannot re-queue the run while it becomes current.
            if not _owned(run).select_for_update().exists():
                raise RunSuperseded
            DatamatchRun.objects.filter(
                local_authority=run.local_authority, is_current=True
            ).update(is_current=False)
            run.counts["seconds"] = round(time.perf_counter() - started, 1)
            _owned(run).update(
                status=DatamatchRun.Status.SUCCEEDED,
                is_current=True,
                finished_at=timezone.now(),
                stage="Finished",
                percent=100,
                counts=run.counts,
                heartbeat_at=timezone.now(),
            )
    except RunSuperseded:
        log.warning("Data-match run %s attempt %s was superseded; stopped", run.pk, run.attempts)
        return None
    except Exception as error:
        # Keep personal data out of the log and the page: the stage and the error's type.
        log.exception("Data-match run %s failed at %s", run.pk, run.stage)
        with transaction.atomic():
            if _owned(run).select_for_update().exists():
                _run_rows_delete(run)
                _owned(run).update(
                    status=DatamatchRun.Status.FAILED,
                    finished_at=timezone.now(),
                    error=f"Failed while {run.stage.lower()}: {type(error).__name__}. The "
                    "previous results are still in use.",
                )
        raise
    run.refresh_from_db()
    if on_progress:
        on_progress(run.stage, 100, run.counts)
    return run


@dataclass
class SweepResult:
    requeued: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    resent: list[int] = field(default_factory=list)


def stale_runs_recover(*, now: datetime | None = None) -> SweepResult:
    """Recover runs whose worker has gone (beat calls this every minute).

    A run still running whose heartbeat is older than DATAMATCH_HEARTBEAT_TIMEOUT_MINUTES
    is queued again, with its partial rows to be cleared by the next attempt, until it has
    been tried DATAMATCH_MAX_ATTEMPTS times; then it is marked failed with the reason shown
    on its page. A queued run no worker picked up within the timeout is sent again.
    Either way the authority's current results stay in use. Each change is a conditional
    UPDATE, so a worker that wakes up, or a second sweeper, cannot race it: the worker's
    next write finds the run no longer its own and stops (RunSuperseded).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.DATAMATCH_HEARTBEAT_TIMEOUT_MINUTES)
    result = SweepResult()
    stale = DatamatchRun.objects.filter(
        status=DatamatchRun.Status.RUNNING, heartbeat_at__lt=cutoff
    ).order_by("pk")
    for run in stale:
        if run.attempts < settings.DATAMATCH_MAX_ATTEMPTS:
            if _stale_run_requeue(run=run, cutoff=cutoff, now=now):
                result.requeued.append(run.pk)
        elif _stale_run_fail(run=run, cutoff=cutoff, now=now):
            result.failed.append(run.pk)
    waiting = DatamatchRun.objects.filter(
        status=DatamatchRun.Status.QUEUED, heartbeat_at__lt=cutoff
    )
    for run in waiting.order_by("pk"):
        with transaction.atomic():
            # Renewing the heartbeat means one more message per timeout, not per sweep.
            if waiting.filter(pk=run.pk).update(heartbeat_at=now):
                _send_to_worker(run.pk)
                result.resent.append(run.pk)
    return result


def _stale(run: DatamatchRun, cutoff: datetime):
    return _owned(run).filter(heartbeat_at__lt=cutoff)


@transaction.atomic
def _stale_run_requeue(*, run: DatamatchRun, cutoff: datetime, now: datetime) -> bool:
    requeued = _stale(run, cutoff).update(
        status=DatamatchRun.Status.QUEUED,
        stage="Queued again: the worker stopped responding",
        percent=0,
        heartbeat_at=now,
    )
    if requeued:
        audit_record(
            actor=None,
            action=A.UPDATED,
            obj=run,
            summary=f"Queued {run} again: no word from its worker while {run.stage.lower()} "
            f"(attempt {run.attempts} of {settings.DATAMATCH_MAX_ATTEMPTS})",
        )
        _send_to_worker(run.pk)
    return bool(requeued)


@transaction.atomic
def _stale_run_fail(*, run: DatamatchRun, cutoff: datetime, now: datetime) -> bool:
    error = (
        f"The worker stopped responding while {run.stage.lower()}, on each of "
        f"{run.attempts} attempts, so the run was stopped. The previous results are still "
        "in use. Start a new run; if it stops again, ask for the background worker to be "
        "checked."
    )
    failed = _stale(run, cutoff).update(
        status=DatamatchRun.Status.FAILED, finished_at=now, heartbeat_at=now, error=error
    )
    if failed:
        _run_rows_delete(run)
        audit_record(
            actor=None,
            action=A.TRANSITIONED,
            obj=run,
            summary=f"{run} failed: no word from its worker after {run.attempts} attempts",
        )
    return bool(failed)


def _pipeline(run: DatamatchRun, on_progress: Progress | None) -> None:
    authority = run.local_authority
    _progress(run, "Loading partner records", 5, on_progress)
    imports = list(selectors.imports_in_force(authority, run.as_of).select_related("agency"))
    records, skipped_records = _records_frame([i.pk for i in imports], run.as_of)
    spine = records[records["kind"] == "persons"]
    partner = records[records["kind"] != "persons"]
    _progress(run, "Updating the person spine", 15, on_progress, records=len(records))
    spine_people = _spine_update(authority, spine)
    people, skipped_people = _people_frame(authority, spine, run.as_of)
    if skipped_records or skipped_people:
        # Counts only: the rows themselves are personal data.
        log.warning(
            "Data-match run %s skipped %s partner records and %s people that cannot be "
            "matched (a date of birth before %s or after the as-of date, or an id too long)",
            run.pk,
            skipped_records,
            skipped_people,
            identity.EARLIEST_DATE.year,
        )
    decisions = _decisions_frame(authority, partner)

    _progress(run, "Linking records to people", 25, on_progress, people=len(people))
    t0 = time.perf_counter()
    result = linkage.link_records(
        people, partner[["record_key", *IDENTITY_COLUMNS]], decisions=decisions
    )
    link_seconds = round(time.perf_counter() - t0, 1)
    linked = result.links[result.links["band"] == "link"]
    review = result.links[result.links["band"] == "review"]

    _progress(run, "Finding new people", 70, on_progress, link_seconds=link_seconds)
    in_review = set(review["record_key"])
    clusters = {k: c for k, c in result.unlinked_clusters.items() if k not in in_review}
    candidates = _candidate_people(authority, partner, clusters)
    manual_by = _deciders(
        authority, partner, set(linked.loc[linked["method"] == "manual", "record_key"])
    )
    rows = _link_rows(run, linked, clusters, candidates, spine, spine_people, manual_by)
    _copy_links(rows)
    _reviews_save(run, review)

    _progress(run, "Grouping households and applying the rulebook", 80, on_progress)
    households = _households_save(run, spine)
    by_method: defaultdict[str, int] = defaultdict(int)
    for row in rows:
        by_method[row[3]] += 1
    run.report = {
        "imports": [i.pk for i in imports],
        "sources": [
            {
                "kind": i.kind,
                "agency": i.agency.name,
                "as_of": i.as_of.isoformat(),
                "rows": i.loaded_rows,
                "days_old": (run.as_of - i.as_of).days,
            }
            for i in imports
        ],
        "links_by_method": dict(by_method),
        # Rows left out because they cannot be matched: see _usable_record.
        "skipped": {"partner_records": skipped_records, "people": skipped_people},
    }
    if not _owned(run).update(report=run.report, heartbeat_at=timezone.now()):
        raise RunSuperseded
    _progress(
        run,
        "Saving results",
        95,
        on_progress,
        partner_records=len(partner),
        linked=len(linked),
        review=int(review["record_key"].nunique()),
        new_people=len(set(candidates.values())),
        households=households["households"],
        eligible=households["eligible"],
        newly_eligible=households["newly_eligible"],
    )


# --- loading --------------------------------------------------------------------------


def _usable_dob(dob: date | None, as_of: date) -> bool:
    """A date of birth the run can use: none, or one from 1900 up to the as-of date.
    Anything else (year 49, year 9999: typed in before dates were checked, or loaded from
    an old file) is outside what the linkage's date arithmetic can hold, so the row is
    reported and left out rather than failing the run for every later quarter."""
    return identity.is_plausible_date_of_birth(dob, today=as_of)


def _usable_record(row: tuple, fields: list[str], as_of: date) -> bool:
    values = dict(zip(fields, row, strict=True))
    if not _usable_dob(values["dob"], as_of):
        return False
    # A spine row becomes a Person keyed by its council id (or record id): it must fit.
    key = values["la_person_id"] or values["record_id"]
    return values["kind"] != "persons" or len(key) <= identity.LA_PERSON_ID_MAX_LENGTH


def _records_frame(import_ids: list[int], as_of: date) -> tuple[pd.DataFrame, int]:
    """The partner records in force, and how many were left out as unusable."""
    fields = ["pk", "kind", "agency_id", "record_id", *IDENTITY_COLUMNS, "attributes"]
    rows = list(PartnerRecord.objects.filter(partner_import_id__in=import_ids).values_list(*fields))
    usable = [row for row in rows if _usable_record(row, fields, as_of)]
    frame = pd.DataFrame.from_records(usable, columns=fields)
    frame["record_key"] = frame["pk"].astype(str)
    for column in IDENTITY_COLUMNS:
        if column != "dob":
            frame[column] = frame[column].replace("", None)
    frame["dob"] = pd.to_datetime(frame["dob"])
    return frame, len(rows) - len(usable)


def _spine_update(authority, spine: pd.DataFrame) -> dict[str, int]:
    """Make sure every person on the council's own person list exists as a Person (with
    no family: a candidate until someone works with them). la_person_id → person pk."""
    ids = {(r.la_person_id or r.record_id): r for r in spine.itertuples()}
    existing = dict(
        Person.objects.filter(local_authority=authority, la_person_id__in=list(ids)).values_list(
            "la_person_id", "pk"
        )
    )
    missing = [
        Person(
            local_authority=authority,
            forename=r.forename or "",
            surname=r.surname or "",
            dob=r.dob.date() if not pd.isna(r.dob) else None,
            sex=r.sex or "",
            la_person_id=la_id,
            upn=_fitting("upn", r.upn),
            nino=_fitting("nino", r.nino),
            nhs_number=_fitting("nhs_number", r.nhs_number),
        )
        for la_id, r in ids.items()
        if la_id not in existing
    ]
    for person in Person.objects.bulk_create(missing, batch_size=5000):
        existing[person.la_person_id] = person.pk
    return existing


def _fitting(name: str, value: str | None) -> str:
    """A partner's identifier for a Person column: kept when it fits, else left blank (a
    partner's value that breaks the format may be longer than any real one)."""
    return value if value and len(value) <= identity.IDENTIFIER_LENGTHS[name] else ""


def _people_frame(authority, spine: pd.DataFrame, as_of: date) -> tuple[pd.DataFrame, int]:
    """Everyone the authority knows, with an address: the spine's, else their family's;
    and how many people were left out for an unusable date of birth."""
    fields = ["pk", "forename", "surname", "dob", "sex", "upn", "nino", "nhs_number"]
    fields += ["pnc_id", "la_person_id"]
    # Candidate people nobody works with yet are re-found from their records each run.
    known = Person.objects.filter(local_authority=authority).exclude(
        pk__in=CandidatePerson.objects.filter(
            local_authority=authority, person__memberships__isnull=True
        ).values("person_id")
    )
    rows = list(known.values_list(*fields))
    dob_at = fields.index("dob")
    usable = [row for row in rows if _usable_dob(row[dob_at], as_of)]
    people = pd.DataFrame.from_records(usable, columns=fields)
    addresses = {
        (r.la_person_id or r.record_id): (r.address_line_1, r.postcode) for r in spine.itertuples()
    }
    family_address = {
        person_id: (line_1, postcode)
        for person_id, line_1, postcode in Membership.objects.filter(
            family__local_authority=authority, ended_on__isnull=True
        ).values_list("person_id", "family__address_line_1", "family__postcode")
    }
    line_1, postcode = [], []
    for pk, la_id in zip(people["pk"], people["la_person_id"], strict=True):
        address = addresses.get(la_id) or family_address.get(pk) or (None, None)
        line_1.append(address[0] or None)
        postcode.append(address[1] or None)
    people["address_line_1"], people["postcode"] = line_1, postcode
    people["person_id"] = people["pk"].astype(str)
    for column in ("forename", "surname", "sex", "upn", "nino", "nhs_number", "pnc_id"):
        people[column] = people[column].replace("", None)
    people["la_person_id"] = people["la_person_id"].replace("", None)
    people["dob"] = pd.to_datetime(people["dob"])
    return people[["person_id", *IDENTITY_COLUMNS]], len(rows) - len(usable)


def _decisions_frame(authority, partner: pd.DataFrame) -> pd.DataFrame:
    """Remembered review decisions, as record keys of this run's records."""
    keys = {
        (k, a, r): key
        for k, a, r, key in zip(
            partner["kind"],
            partner["agency_id"],
            partner["record_id"],
            partner["record_key"],
            strict=True,
        )
    }
    rows = []
    for kind, agency_id, record_id, person_id in LinkDecision.objects.filter(
        local_authority=authority
    ).values_list("kind", "agency_id", "record_id", "person_id"):
        key = keys.get((kind, agency_id, record_id))
        if key:
            rows.append((key, str(person_id) if person_id else None))
    return pd.DataFrame(rows, columns=["record_key", "person_id"])


def _deciders(authority, partner: pd.DataFrame, keys: set[str]) -> dict[str, int]:
    """Who made each manual decision used in this run, by record key."""
    wanted = partner[partner["record_key"].isin(keys)]
    by_record = {
        (k, a, r): key
        for k, a, r, key in zip(
            wanted["kind"],
            wanted["agency_id"],
            wanted["record_id"],
            wanted["record_key"],
            strict=True,
        )
    }
    out = {}
    for kind, agency_id, record_id, user_id in LinkDecision.objects.filter(
        local_authority=authority, record_id__in=list(wanted["record_id"])
    ).values_list("kind", "agency_id", "record_id", "decided_by_id"):
        key = by_record.get((kind, agency_id, record_id))
        if key:
            out[key] = user_id
    return out


# --- linking --------------------------------------------------------------------------


def _candidate_people(authority, partner: pd.DataFrame, clusters: dict[str, str]) -> dict:
    """A Person for each cluster of unlinked records, reused across runs: the cluster is
    named by its first record as the partner sent it (kind, agency, record id)."""
    if not clusters:
        return {}
    rows = partner.set_index("record_key")
    members: dict[str, list[str]] = defaultdict(list)
    for key, cluster in clusters.items():
        members[cluster].append(key)
    stable = {}
    for cluster, keys in members.items():
        first = rows.loc[min(keys, key=int)]
        stable[cluster] = f"{first['kind']}:{first['agency_id']}:{first['record_id']}"
    known = dict(
        CandidatePerson.objects.filter(
            local_authority=authority, key__in=list(stable.values())
        ).values_list("key", "person_id")
    )
    new = [(key, rows.loc[min(members[c], key=int)]) for c, key in sorted(stable.items())]
    new = [(key, first) for key, first in new if key not in known]
    people = Person.objects.bulk_create(
        (
            Person(
                local_authority=authority,
                forename=first["forename"] or "",
                surname=first["surname"] or "",
                dob=first["dob"].date() if not pd.isna(first["dob"]) else None,
                sex=first["sex"] or "",
            )
            for _, first in new
        ),
        batch_size=5000,
    )
    CandidatePerson.objects.bulk_create(
        (
            CandidatePerson(local_authority=authority, key=key, person=person)
            for (key, _), person in zip(new, people, strict=True)
        ),
        batch_size=5000,
    )
    known.update({key: person.pk for (key, _), person in zip(new, people, strict=True)})
    return {record_key: known[stable[cluster]] for record_key, cluster in clusters.items()}


def _link_rows(run, linked, clusters, candidates, spine, spine_people, manual_by) -> list[tuple]:
    rows = []
    for r in linked.itertuples():
        method, _, detail = r.method.partition(":")
        weight = None if pd.isna(r.match_weight) else float(r.match_weight)
        probability = None if pd.isna(r.match_probability) else float(r.match_probability)
        rows.append(
            (
                run.pk,
                int(r.record_key),
                int(r.person_id),
                method,
                detail,
                weight,
                probability,
                manual_by.get(r.record_key),
            )
        )
    for record_key in clusters:
        rows.append(
            (run.pk, int(record_key), candidates[record_key], M.NEW_PERSON, "", None, None, None)
        )
    for r in spine.itertuples():
        person_id = spine_people[r.la_person_id or r.record_id]
        rows.append(
            (run.pk, int(r.record_key), person_id, M.IDENTIFIER, "la_person_id", None, None, None)
        )
    return rows


def _copy_links(rows: list[tuple]) -> None:
    columns = "run_id, record_id, person_id, method, detail, match_weight, match_probability"
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY datamatch_recordlink ({columns}, decided_by_id) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    # Bulk-loaded rows leave the planner's statistics behind: a first quarter's run read
    # its links back with a nested-loop plan that took minutes. Counting them afresh
    # (a sample, well under a second) gives it the row counts it plans from.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE datamatch_recordlink, datamatch_partnerrecord")


def _reviews_save(run, review: pd.DataFrame) -> None:
    items = []
    for record_key, group in review.groupby("record_key", sort=True):
        candidates = [
            {
                "person_id": int(r.person_id),
                "match_weight": None
                if pd.isna(r.match_weight)
                else round(float(r.match_weight), 2),
                "match_probability": None
                if pd.isna(r.match_probability)
                else round(float(r.match_probability), 4),
                "explanation": r.explanation,
            }
            for r in group.itertuples()
        ]
        items.append(ReviewItem(run=run, record_id=int(record_key), candidates=candidates))
    ReviewItem.objects.bulk_create(items, batch_size=2000)


# --- households -----------------------------------------------------------------------


def _households_save(run: DatamatchRun, spine: pd.DataFrame) -> dict[str, int]:
    """Group the people this run found into households and evaluate the rulebook."""
    authority = run.local_authority
    person_ids = list(run.links.values_list("person_id", flat=True).distinct())
    people = {p.pk: p for p in Person.objects.filter(pk__in=person_ids)}
    families = {}
    roles = {}
    for m in Membership.objects.filter(
        person_id__in=person_ids, ended_on__isnull=True, lives_in_household=True
    ).select_related("family"):
        families[m.person_id] = m.family
        roles[m.person_id] = m.role
    spine_households = {}
    spine_roles = {}
    for r in spine.itertuples():
        attributes = r.attributes or {}
        spine_households[r.la_person_id or r.record_id] = attributes.get("household_id")
        spine_roles[r.la_person_id or r.record_id] = attributes.get("relationship")
    addresses = {}
    for person_id, postcode, line_1 in (
        run.links.exclude(record__postcode="")
        .order_by("record__event_date")
        .values_list("person_id", "record__postcode", "record__address_line_1")
    ):
        addresses[person_id] = f"{postcode}|{' '.join(line_1.lower().split())}"

    groups: dict[str, list[int]] = defaultdict(list)
    for pk, person in people.items():
        if pk in families:
            key = f"family:{families[pk].pk}"
        elif spine_households.get(person.la_person_id):
            key = f"spine:{spine_households[person.la_person_id]}"
        elif pk in addresses:
            key = f"address:{addresses[pk]}"
        else:
            key = f"person:{pk}"
        groups[key].append(pk)

    records = selectors.partner_records_for_run(run, person_ids)
    family_ids = {f.pk for f in families.values()}
    evidence = eligibility_selectors.recorded_evidence_by_family(family_ids, run.as_of)
    framework = eligibility_selectors.framework_in_force(authority)
    previous = set(
        HouseholdResult.objects.filter(
            run__local_authority=authority, run__is_current=True, eligible=True
        ).values_list("key", flat=True)
    )
    results, eligible, newly = [], 0, 0
    for key, members in sorted(groups.items()):
        family = next((families[pk] for pk in members if pk in families), None)
        household = rules.Household(
            members=tuple(
                rules.Member(
                    person_id=str(pk),
                    dob=people[pk].dob,
                    relationship=_relationship(
                        roles.get(pk),
                        spine_roles.get(people[pk].la_person_id),
                        people[pk],
                        run.as_of,
                    ),
                    name=people[pk].forename,
                )
                for pk in sorted(members)
            ),
            records=tuple(r for pk in members for r in records.get(pk, ())),
            recorded_evidence=tuple(evidence.get(family.pk, ())) if family else (),
            household_id=key,
        )
        decision = rules.evaluate(household, run.as_of, framework)
        is_new = (
            decision.eligible
            and key not in previous
            and (family is None or family.status not in ON_PROGRAMME)
        )
        eligible += decision.eligible
        newly += is_new
        results.append(
            HouseholdResult(
                run=run,
                key=key[:160],
                person_ids=sorted(members),
                family=family,
                eligible=decision.eligible,
                newly_eligible=is_new,
                criteria_met=[c.code for c in decision.criteria if c.met],
                decision=decision.to_dict(),
            )
        )
    HouseholdResult.objects.bulk_create(results, batch_size=2000)
    return {"households": len(results), "eligible": eligible, "newly_eligible": newly}


def _relationship(role, spine_role, person, as_of) -> rules.Relationship:
    for value in (role, spine_role):
        if value in rules.Relationship.__members__.values():
            return rules.Relationship(value)
    if identity.is_child(person.dob, as_of, listed_as_child=False):
        return rules.Relationship.CHILD
    return rules.Relationship.PARENT_CARER


# --- review ---------------------------------------------------------------------------


@transaction.atomic
def review_decide(*, actor, item: ReviewItem, person: Person | None) -> ReviewItem:
    """Link the record to `person`, or to no one we know (None). The decision is kept for
    later runs and applied to the current run's links now."""
    record = item.record
    LinkDecision.objects.update_or_create(
        local_authority=record.local_authority,
        kind=record.kind,
        agency=record.agency,
        record_id=record.record_id,
        defaults={"person": person, "decided_by": actor, "decided_at": timezone.now()},
    )
    item.status = ReviewItem.Status.LINKED if person else ReviewItem.Status.REJECTED
    item.person = person
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.save()
    RecordLink.objects.filter(run=item.run, record=record).delete()
    if person:
        RecordLink.objects.create(
            run=item.run, record=record, person=person, method=M.MANUAL, decided_by=actor
        )
    audit_record(
        actor=actor,
        action=A.UPDATED,
        obj=item,
        person_ids=[person.pk] if person else [],
        summary=f"Review: {record.kind} record {'linked' if person else 'rejected'}",
    )
    return item


# --- nominations ----------------------------------------------------------------------


@transaction.atomic
def nomination_from_household(*, actor, household: HouseholdResult):
    """Put a newly eligible household forward (route: data identification). Its people
    join a family: the one they belong to, or a new one named after the first adult."""
    from eligibility import services as eligibility_services
    from eligibility.models import Nomination
    from families import services as family_services

    people = list(Person.objects.filter(pk__in=household.person_ids).order_by("dob", "pk"))
    family = household.family
    as_of = household.run.as_of
    if family is None:
        adult = next(
            (
                p
                for p in people
                if p.dob and not identity.is_child(p.dob, as_of, listed_as_child=False)
            ),
            people[0],
        )
        family = family_services.family_create(
            actor=actor,
            local_authority=household.run.local_authority,
            name=f"{adult.surname} family",
        )
        for person in people:
            child = identity.is_child(person.dob, as_of, listed_as_child=False)
            family_services.member_add(
                actor=actor,
                family=family,
                role=Membership.Role.CHILD if child else Membership.Role.PARENT_CARER,
                person=person,
            )
        household.family = family
        household.save(update_fields=["family"])
    nomination = eligibility_services.nomination_submit(
        actor=actor,
        local_authority=household.run.local_authority,
        route=Nomination.Route.DATA,
        family_name=family.name,
        members=[],
        reason=f"Identified by the {household.run}: meets " + ", ".join(household.criteria_met),
        family=family,
    )
    HouseholdResult.objects.filter(pk=household.pk).update(newly_eligible=False)
    return nomination
