"""Partner datasets, data-match runs and their results.

Imported rows are kept as sent (normalised). Everything a run works out — links,
review items, households — belongs to that run, and the authority's *current* run
changes only when a run succeeds, so a failed or running job never disturbs the results
people are using.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from eligibility.datamatch.contract import KINDS
from eligibility.rules.evidence import kind_name
from families.models import Family, Person
from tafcase.accounts.models import Agency, LocalAuthority, User

KIND_CHOICES = [(k, kind_name(k)) for k in KINDS]

# Families whose household is already being worked with: not "newly" eligible.
ON_PROGRAMME = (
    Family.Status.NOMINATED,
    Family.Status.SCREENING,
    Family.Status.ELIGIBLE,
    Family.Status.AWAITING_PANEL,
    Family.Status.ACTIVE,
)
# Families the programme already knows: nominated, on the programme or worked with and
# closed. An eligible household of one of these is not a newly identified family.
KNOWN_TO_PROGRAMME = (*ON_PROGRAMME, Family.Status.CLOSED)


class PartnerImport(models.Model):
    """One partner file, loaded whole or (if the analyst chose) its valid rows only."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField("date the extract was taken")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(help_text="data rows in the file")
    loaded_rows = models.PositiveIntegerField()
    rejected_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, help_text="[line, column, reason] of each error")
    warnings = models.JSONField(default=list)
    rejected_csv = models.TextField(blank=True, help_text="rejected rows as sent, with reasons")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    load_seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "kind", "agency", "sha256"], name="import_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.agency} as of {self.as_of:%-d %B %Y}"

    @property
    def partial(self) -> bool:
        return self.rejected_rows > 0


class PartnerRecord(models.Model):
    """One row of a partner file: the identity block normalised, the kind's date(s), and
    its other columns in `attributes`."""

    partner_import = models.ForeignKey(
        PartnerImport, on_delete=models.CASCADE, related_name="records"
    )
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    line = models.PositiveIntegerField()
    record_id = models.CharField(max_length=64)
    forename = models.CharField(max_length=80)
    surname = models.CharField(max_length=80)
    dob = models.DateField(null=True)
    sex = models.CharField(max_length=1, blank=True)
    address_line_1 = models.CharField(max_length=120, blank=True)
    address_line_2 = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=20, blank=True)
    nino = models.CharField(max_length=20, blank=True)
    nhs_number = models.CharField(max_length=20, blank=True)
    pnc_id = models.CharField(max_length=30, blank=True)
    la_person_id = models.CharField(max_length=40, blank=True)
    event_date = models.DateField(null=True, help_text="the kind's own date (see rules)")
    end_date = models.DateField(null=True)
    attributes = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["partner_import", "record_id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} record {self.record_id}"


class DatamatchRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    as_of = models.DateField("quarter's as-of date")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=60, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    counts = models.JSONField(default=dict)
    report = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    is_current = models.BooleanField(default=False)
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    # Last sign of life: set when the run is queued, when a worker claims it and at every
    # stage. A queued or running run that has not changed for longer than
    # DATAMATCH_HEARTBEAT_TIMEOUT_MINUTES has lost its worker (services.stale_runs_recover).
    heartbeat_at = models.DateTimeField(default=timezone.now)
    # How many times a worker has claimed the run; a worker's writes only count while the
    # run is still running under the attempt it claimed.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Not a column: time.perf_counter() when the stage now running began, set while a
    # run executes so each stage's seconds can be recorded in `counts`.
    _stage_started: float | None = None

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority"],
                condition=Q(is_current=True),
                name="one_current_run_per_authority",
            )
        ]

    def __str__(self) -> str:
        return f"Data-match as of {self.as_of:%-d %B %Y}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class RecordLink(models.Model):
    """A run's answer for one record: the person it belongs to and how that was decided."""

    class Method(models.TextChoices):
        IDENTIFIER = "identifier", "Identifier"
        PROBABILISTIC = "probabilistic", "Probabilistic"
        MANUAL = "manual", "Manual"
        NEW_PERSON = "new_person", "New candidate person"

    run = models.ForeignKey(DatamatchRun, on_delete=models.CASCADE, related_name="links")
    record = models.ForeignKey(PartnerRecord, on_delete=models.CASCADE, related_name="links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=20, choices=Method.choices)
    detail = models.CharField(max_length=40, blank=True, help_text="e.g. which identifier")
    match_weight = models.FloatField(null=True)
    match_probability = models.FloatField(null=True)
    decided_by = models.ForeignKey(
        User, null=True, on_delete=models.PROTECT, related_name="+", help_text="manual only"
    )

    class Meta:
        indexes = [models.Index(fields=["run", "person"])]
        constraints = [
            models.UniqueConstraint(fields=["run", "record"], name="one_link_per_record_per_run")
        ]


class ReviewItem(models.Model):
    """A record the linker was unsure about, with its candidate people."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for review"
        LINKED = "linked", "Linked by a reviewer"
        REJECTED = "rejected", "Not anyone we know"

    run = models.ForeignKey(DatamatchRun, on_delete=models.CASCADE, related_name="reviews")
    record = models.ForeignKey(PartnerRecord, on_delete=models.CASCADE, related_name="+")
    candidates = models.JSONField(
        help_text="[{person_id, match_weight, match_probability, explanation}] best first"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["pk"]

    @property
    def shown_person_ids(self) -> list[int]:
        """The people the item puts in front of a reviewer: its candidates and the person
        chosen, if any (for the audit row of a page that lists it)."""
        chosen = [self.person_id] if self.person_id else []
        return [c["person_id"] for c in self.candidates] + chosen


class LinkDecision(models.Model):
    """A reviewer's decision about one partner record, remembered for later runs: the
    same record (kind, sending agency, record id) is linked the same way next quarter."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    record_id = models.CharField(max_length=64)
    person = models.ForeignKey(
        Person, null=True, on_delete=models.CASCADE, related_name="+", help_text="empty: reject"
    )
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "kind", "agency", "record_id"], name="decide_once"
            )
        ]


class CandidatePerson(models.Model):
    """A person found in partner data whom the authority did not know: a Person with no
    family, made once per stable key so re-runs reuse them."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    key = models.CharField(max_length=120)
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "key"], name="candidate_key_once")
        ]


class HouseholdResult(models.Model):
    """A household as a run found it, and what the rulebook said about it."""

    run = models.ForeignKey(DatamatchRun, on_delete=models.CASCADE, related_name="households")
    key = models.CharField(max_length=160, help_text="spine household id, family or address")
    person_ids = ArrayField(models.IntegerField())
    family = models.ForeignKey(Family, null=True, on_delete=models.SET_NULL, related_name="+")
    eligible = models.BooleanField()
    newly_eligible = models.BooleanField()
    criteria_met = ArrayField(models.CharField(max_length=40), default=list)
    decision = models.JSONField()

    class Meta:
        ordering = ["key"]
        indexes = [models.Index(fields=["run", "newly_eligible"])]
