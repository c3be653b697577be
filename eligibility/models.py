"""Rulebook versions, recorded evidence, nominations, screening, panels and allocation.

The rules themselves are pure functions in ``eligibility.rules``; these models hold the
versioned framework data they read, the evidence practitioners record, and every decision
with the framework version it used.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from eligibility.rules import Framework
from families.models import Family, Person
from tafcase.accounts.models import Agency, LocalAuthority, User


class FrameworkVersion(models.Model):
    """One version of a programme rulebook for an authority: ``Framework.to_dict()``.

    Editing never changes a row: it adds the next version and makes it active, so every
    stored decision still names (and can be re-run against) the rules it used.
    """

    class Code(models.TextChoices):
        TF2015 = "TF2015", "Expanded programme 2015-20"
        TF2012 = "TF2012", "Phase 1, 2012-15"
        SF2022 = "SF2022", "Supporting Families 2022-25"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    code = models.CharField(max_length=10, choices=Code.choices)
    version = models.PositiveIntegerField()
    data = models.JSONField()
    is_active = models.BooleanField(default=False)
    change_summary = models.CharField(max_length=300)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "code", "version"], name="framework_version_unique"
            ),
            models.UniqueConstraint(
                fields=["local_authority"],
                condition=Q(is_active=True),
                name="one_active_framework_per_authority",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()}, version {self.version}"

    @property
    def framework(self) -> Framework:
        return Framework.from_dict(self.data)


class RecordedEvidence(models.Model):
    """A practitioner's dated statement that a criterion is met (need) or its outcome
    achieved (outcome). Always shown as recorded evidence and open to audit sampling."""

    class Purpose(models.TextChoices):
        NEED = "need", "Shows a need"
        OUTCOME = "outcome", "Shows an outcome achieved"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="evidence")
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="Leave empty when the evidence is about the whole household.",
    )
    criterion = models.CharField(max_length=40)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.NEED)
    evidence_date = models.DateField("date of the evidence")
    source = models.CharField(max_length=200, help_text="Who holds the evidence.")
    text = models.TextField("what the evidence shows")
    nomination = models.ForeignKey(
        "Nomination", null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["evidence_date", "pk"]
        indexes = [models.Index(fields=["family", "criterion"])]


class Nomination(models.Model):
    """A family put forward for the programme, by referral or by the data-match."""

    class Route(models.TextChoices):
        REFERRAL = "referral", "Referral by a practitioner"
        DATA = "data_identification", "Data identification"

    class Stage(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting screening"
        ALREADY_ALLOCATED = "already_allocated", "Already allocated: passed to lead professional"
        MERGED = "merged", "Added to the family's open nomination"
        ELIGIBLE = "eligible", "Eligible: awaiting panel"
        NOT_ELIGIBLE = "not_eligible", "Not eligible: onward route recorded"
        ON_AGENDA = "on_agenda", "On a panel agenda"
        ACCEPTED = "accepted", "Accepted and allocated"
        DECLINED = "declined", "Declined by panel"
        REFERRED = "referred_elsewhere", "Referred elsewhere by panel"

    # Stages a coordinator still has to act on, in journey order, for the queue.
    OPEN_STAGES = (Stage.SUBMITTED, Stage.ELIGIBLE, Stage.ON_AGENDA)

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="nominations")
    route = models.CharField(max_length=20, choices=Route.choices)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SUBMITTED)
    referrer = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT)
    referrer_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT)
    reason = models.TextField("why the family needs the programme now")
    believed_criteria = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    consent_given_on = models.DateField(null=True, blank=True)
    consent_given_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the family was when this nomination arrived: closed or not eligible before
    # means a re-referral.
    family_status_before = models.CharField(max_length=20, blank=True)
    is_re_referral = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)
    stage_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["local_authority", "stage"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"NOM-{self.pk:06d}" if self.pk else "NOM-new"


class Screening(models.Model):
    """The coordinator's screening decision with the rulebook decision it was based on."""

    class Outcome(models.TextChoices):
        ELIGIBLE = "eligible", "Eligible"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"

    class OnwardRoute(models.TextChoices):
        CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Stays with children's social care"
        FAMILY_SUPPORT = "family_support", "Family support service"
        YOUTH_OFFENDING = "youth_offending", "Youth offending service"
        EARLY_HELP = "early_help", "Early help"
        UNIVERSAL = "universal", "Universal services"
        OTHER = "other", "Other (say which)"

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="screenings")
    framework = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT)
    as_of = models.DateField()
    decision = models.JSONField()
    rulebook_eligible = models.BooleanField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    override_reason = models.TextField(blank=True)
    onward_route = models.CharField(max_length=30, choices=OnwardRoute.choices, blank=True)
    onward_detail = models.CharField(max_length=200, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="eligible", rulebook_eligible=True)
                | Q(outcome="not_eligible", rulebook_eligible=False)
                | ~Q(override_reason=""),
                name="screening_override_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(outcome="eligible") | ~Q(onward_route=""),
                name="screening_not_eligible_needs_onward_route",
            ),
        ]

    @property
    def overridden(self) -> bool:
        return (self.outcome == self.Outcome.ELIGIBLE) != self.rulebook_eligible


class PanelMeeting(models.Model):
    """A checkpoint panel: the multi-agency meeting that prioritises and allocates."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    meets_on = models.DateField("date of the meeting")
    chair = models.ForeignKey(User, on_delete=models.PROTECT, related_name="panels_chaired")
    member_agencies = models.ManyToManyField(Agency, related_name="panels")
    agencies_present = models.ManyToManyField(Agency, blank=True, related_name="+")
    quorum = models.PositiveSmallIntegerField(
        default=3, help_text="How many member agencies must be present to decide."
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-meets_on", "-pk"]

    def __str__(self) -> str:
        return f"Panel on {self.meets_on:%-d %B %Y}"


class AgendaItem(models.Model):
    """One nomination on a panel's agenda, and what the panel decided about it."""

    class Likelihood(models.IntegerChoices):
        """The panel's rating of how likely the family is to turn around (rulebooks.md)."""

        LOW = 1, "Low"
        MEDIUM = 2, "Medium"
        HIGH = 3, "High"

    class Decision(models.TextChoices):
        ACCEPT = "accept", "Accept"
        DEFER = "defer", "Defer to a later panel"
        DECLINE = "decline", "Decline"
        REFER = "refer_elsewhere", "Refer elsewhere"

    panel = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="items")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField()
    local_criteria_met = models.PositiveSmallIntegerField()
    agencies_involved = models.PositiveSmallIntegerField()
    likelihood = models.PositiveSmallIntegerField(
        "likelihood of turnaround", choices=Likelihood.choices, null=True, blank=True
    )
    reorder_reason = models.TextField(blank=True)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    level = models.CharField(max_length=20, choices=Family.Tier.choices, blank=True)
    reasons = models.TextField(blank=True)
    referred_to = models.CharField(max_length=200, blank=True)
    lead_professional = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    over_capacity = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["panel", "position"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "nomination"], name="agenda_item_once"),
            models.CheckConstraint(
                condition=Q(likelihood__isnull=True) | Q(likelihood__gte=1, likelihood__lte=3),
                name="agenda_likelihood_1_to_3",
            ),
            models.CheckConstraint(
                condition=~Q(decision="accept")
                | (Q(lead_professional__isnull=False) & ~Q(level="")),
                name="accepted_item_has_lead_and_level",
            ),
        ]
