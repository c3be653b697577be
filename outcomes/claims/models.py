"""Results tracking and claims. Imported by outcomes.models, which Django reads.

Only outcomes.claims.services writes these rows. A claim's snapshot is frozen when the
claim run proposes it: later data never changes it; corrections after submission are
adjustment claims in a later window.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from eligibility.models import FrameworkVersion
from families.models import Family
from tafcase.accounts.models import LocalAuthority, User


class ResultTracking(models.Model):
    """One result of one attached family, as last evaluated (claims.md §1)."""

    class Status(models.TextChoices):
        NOT_MET = "not_met", "Not met"
        IN_PROGRESS = "in_progress", "In progress"
        MET = "met", "Met: claimable"
        CLAIMED = "claimed", "Claimed"
        LAPSED = "lapsed", "Lapsed"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="results")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    framework_code = models.CharField(max_length=10)
    framework_version = models.PositiveIntegerField()
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=120)
    status = models.CharField(max_length=20, choices=Status.choices)
    could_first_be_met = models.DateField(null=True, blank=True)
    met_since = models.DateField(null=True, blank=True)
    explanation = models.TextField()
    # ResultStatus.to_dict(): the outcomes and evidence behind the status.
    detail = models.JSONField(default=dict)
    # For a lapsed result: the outcome that stopped holding and the records that broke it.
    lapsed_because = models.JSONField(default=dict, blank=True)
    evaluated_on = models.DateField()
    evaluated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "framework_code", "code"], name="one_tracking_row_per_result"
            )
        ]
        indexes = [
            # The dashboard's pipeline counts statuses, and results in progress by month,
            # from this index alone.
            models.Index(
                fields=["local_authority", "status"],
                include=["could_first_be_met"],
                name="result_status_idx",
            )
        ]


class ClaimWindow(models.Model):
    """A claim period of one authority and framework, with its cut-off date D."""

    class Stage(models.TextChoices):
        OPEN = "open", "Open"
        SAMPLED = "sampled", "Audit sample drawn"
        DECLARED = "declared", "Declared by the senior responsible officer"
        SUBMITTED = "submitted", "Submitted"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    framework = models.ForeignKey(FrameworkVersion, null=True, on_delete=models.PROTECT)
    framework_code = models.CharField(max_length=10)
    name = models.CharField(max_length=80)
    cutoff_date = models.DateField("cut-off date")
    deadline = models.DateField()
    earliest_closure = models.DateField(null=True, blank=True)
    sample_percent = models.PositiveSmallIntegerField(default=10)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.OPEN)
    sample_seed = models.BigIntegerField(null=True, blank=True)
    sampled_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    sampled_at = models.DateTimeField(null=True, blank=True)
    declared_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-cutoff_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "framework_code"],
                condition=~Q(stage="submitted"),
                name="one_open_claim_window_per_framework",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("cutoff_date")), name="claim_deadline_after_cutoff"
            ),
            models.CheckConstraint(
                condition=Q(sample_percent__gte=1, sample_percent__lte=100),
                name="claim_sample_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResultsTarget(models.Model):
    """The number of results (results payments, not attachment fees) the authority aims to
    claim over its programme, which the pipeline is read against. Set by its programme team."""

    local_authority = models.OneToOneField(
        LocalAuthority, on_delete=models.CASCADE, related_name="results_target"
    )
    target = models.PositiveIntegerField()
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)


class ClaimRun(models.Model):
    """One evaluation of every attached family as at the window's cut-off (Celery)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    window = models.ForeignKey(ClaimWindow, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField(default=0)
    families_total = models.PositiveIntegerField(default=0)
    families_done = models.PositiveIntegerField(default=0)
    claims_proposed = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written with every batch; a run whose heartbeat is older than
    # CLAIM_RUN_HEARTBEAT_TIMEOUT_MINUTES has lost its worker (services.claim_runs_recover).
    heartbeat_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(status__in=["queued", "running"]),
                name="one_claim_run_at_a_time",
            )
        ]


# Claims that still count: a rejected, failed or nationally rejected claim frees its slot.
LIVE = ~Q(status__in=["rejected", "audit_failed", "spot_check_rejected"]) & Q(
    adjustment_of__isnull=True
)


class Claim(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        VALIDATED = "validated", "Validated"
        REJECTED = "rejected", "Rejected"
        AUDIT_PASSED = "audit_passed", "Passed audit"
        AUDIT_FAILED = "audit_failed", "Failed audit"
        SUBMITTED = "submitted", "Claimed"
        PAID = "paid", "Paid"
        SPOT_CHECK_REJECTED = "spot_check_rejected", "Rejected at national spot check"

    window = models.ForeignKey(ClaimWindow, on_delete=models.PROTECT, related_name="claims")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="claims")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    framework_code = models.CharField(max_length=10)
    framework_version = models.PositiveIntegerField()
    result_code = models.CharField(max_length=40)
    result_label = models.CharField(max_length=120)
    # attachment_fee, results, or a result claimable beside them (rules.claims.payment_slot).
    slot = models.CharField(max_length=40)
    amount = models.IntegerField("amount (£)")
    attachment_date = models.DateField()
    closure_date = models.DateField(null=True, blank=True)
    sustained_from = models.DateField(null=True, blank=True)
    sustained_to = models.DateField(null=True, blank=True)
    flags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    # Frozen at proposal: framework, parameters, needs at attachment with their evidence,
    # each outcome with its evidence, the explanation and the amount.
    snapshot = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    sampled = models.BooleanField(default=False)
    validated_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    validated_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=500, blank=True)
    audited_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    audited_at = models.DateTimeField(null=True, blank=True)
    audit_note = models.TextField(blank=True)
    paid_on = models.DateField(null=True, blank=True)
    adjustment_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["window", "family", "result_code"]
        indexes = [
            models.Index(fields=["local_authority", "status"]),
            models.Index(fields=["window", "status"]),
        ]
        constraints = [
            # One attachment fee per family; one results payment per family and framework
            # (TF2012's progress to work has its own slot).
            models.UniqueConstraint(
                fields=["family", "framework_code", "slot"],
                condition=LIVE,
                name="one_live_claim_per_family_slot",
            ),
            # Outcomes dated on or before attachment never count.
            models.CheckConstraint(
                condition=Q(sustained_from__isnull=True)
                | Q(sustained_from__gte=F("attachment_date")),
                name="claim_sustained_after_attachment",
            ),
            models.CheckConstraint(
                condition=Q(adjustment_of__isnull=False) | Q(amount__gte=0),
                name="claim_negative_only_as_adjustment",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="claim_rejection_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"CLM-{self.pk:06d}" if self.pk else "CLM-new"

    @property
    def reference(self) -> str:
        return str(self)
