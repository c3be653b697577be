"""Key-worker casework: assessments scored by domain, family plans, reviews, tier changes,
personalised budgets and case closure with follow-ups.

Rules (distance travelled, review schedule, approval, follow-up dates) are pure
functions in ``outcomes.casework``; these models hold what people record. Records several
people edit at once carry a ``version`` for optimistic locking.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from families.models import Family, Person
from tafcase.accounts.models import Agency, User


class Assessment(models.Model):
    """A whole-family assessment at one occasion: Baseline (0), Review 1 (1), …"""

    class Status(models.TextChoices):
        OPEN = "open", "Open: observations still being added"
        COMPLETED = "completed", "Completed"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="assessments")
    occasion = models.PositiveSmallIntegerField()
    domain_set = models.CharField(max_length=40, default="appendix-d")
    domain_set_version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    started_on = models.DateField(default=timezone.localdate)
    completed_on = models.DateField(null=True, blank=True)
    no_formal_assessment = models.BooleanField(
        "No formal assessment: panel information used", default=False
    )
    family_view = models.TextField("the family's own view", blank=True)
    strengths = models.TextField("strengths", blank=True)
    contributors = models.TextField(
        "who contributed", blank=True, help_text="Workers and family members who took part."
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    # The mean of its domain scores, kept when it is completed (services.assessment_save)
    # so that distance travelled across thousands of families is read without its scores.
    mean_score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    # On a review, the family's completed baseline's mean, kept beside it (by the same
    # service) so that a review is set against its baseline without a join.
    baseline_mean = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["family", "occasion"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "occasion"], name="one_assessment_per_occasion"
            )
        ]

    def __str__(self) -> str:
        return "Baseline" if self.occasion == 0 else f"Review {self.occasion}"


class AssessmentAmendment(models.Model):
    """A completed assessment reopened to correct it: who, when, why, and what it said
    before (``previous``: the scores and notes as they were, so the history keeps them)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="amendments")
    reason = models.CharField("reason for the amendment", max_length=500)
    amended_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField(default=timezone.now)
    previous = models.JSONField(default=dict)

    class Meta:
        ordering = ["assessment", "-amended_at", "-pk"]


class DomainScore(models.Model):
    """One domain scored 1 (none) to 5 (critical or complex) for the family (no person) or
    one member, with the reason."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE)
    domain = models.CharField(max_length=60)
    score = models.PositiveSmallIntegerField()
    rationale = models.CharField(max_length=500, blank=True)
    more_need_found = models.BooleanField(
        default=False, help_text="Higher than before because more need came to light."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "person", "domain"],
                name="score_once",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="score_1_to_5"),
        ]


class Goal(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField("goal, in the family's words", max_length=200)
    criterion = models.CharField(
        "problem or need it addresses", max_length=40, help_text="A criterion code."
    )
    members = models.ManyToManyField(Person, blank=True, related_name="+")
    target = models.CharField("measurable target", max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["family", "pk"]


class Action(models.Model):
    """A step towards a goal, owned by a family member or an agency on the TAF."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=Goal.Status.choices, default=Goal.Status.NOT_STARTED
    )
    completed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_person__isnull=False) | Q(owner_agency__isnull=False),
                name="action_has_an_owner",
            )
        ]

    @property
    def owner(self) -> str:
        return str(self.owner_agency or self.owner_person)


class Review(models.Model):
    """A review / Team Around the Family meeting."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    attendees = models.ManyToManyField(Agency, blank=True, related_name="+")
    family_attended = models.BooleanField(default=True)
    decisions = models.TextField()
    plan_progress = models.TextField(blank=True)
    assessment = models.OneToOneField(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="review"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family", "-held_on", "-pk"]


class TierChange(models.Model):
    """Re-banding: the family's tier of need changed, and why."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.CharField(max_length=20, choices=Family.Tier.choices, blank=True)
    to_tier = models.CharField(max_length=20, choices=Family.Tier.choices)
    reason = models.CharField(max_length=500)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family", "-changed_at"]


class BudgetItem(models.Model):
    """Personalised budget spend. Above the approval threshold it needs a coordinator's
    approval before it counts as agreed."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="budget_items")
    spent_on = models.DateField()
    purpose = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    needs_approval = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family", "spent_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="spend_positive")]

    @property
    def awaiting_approval(self) -> bool:
        return self.needs_approval and self.approved_by_id is None


class Closure(models.Model):
    class Reason(models.TextChoices):
        OUTCOMES_MET = "outcomes_met", "Outcomes met"
        TIMESCALE = "timescale", "End of the agreed timescale"
        DISENGAGED = "disengaged", "Family disengaged"
        MOVED_AWAY = "moved_away", "Moved away"
        STEPPED_UP = "stepped_up", "Stepped up to statutory services"
        STEPPED_DOWN = "stepped_down", "Stepped down to universal or targeted services"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="closures")
    closed_on = models.DateField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    exit_plan = models.TextField()
    destination = models.CharField("service the family moves to", max_length=200, blank=True)
    # The plan as it stood at closure: how many goals, and how many achieved.
    goals = models.PositiveSmallIntegerField(default=0)
    goals_achieved = models.PositiveSmallIntegerField(default=0)
    closed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    signed_off_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["family", "-closed_on", "-pk"]


class FollowUp(models.Model):
    """A check after closure (+3, +6, +12 months by default): is the change holding?"""

    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="follow_ups")
    months_after = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    done_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]


# Payment by Results lives in outcomes.claims; Django finds its models through here.
from outcomes.claims.models import (  # noqa: E402, F401
    Claim,
    ClaimRun,
    ClaimWindow,
    ResultsTarget,
    ResultTracking,
)
