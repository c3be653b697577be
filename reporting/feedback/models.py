"""Feedback and the case-quality sample (reporting.md §2). Only reporting.feedback.services
writes these rows. Answers to the questionnaires are never changed once given: there is no
service that edits them."""

from django.db import models
from django.db.models import Q

from families.models import Family
from outcomes.models import Closure, Review
from tafcase.accounts.models import LocalAuthority, User


def _scale(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 5}), name=f"%(class)s_{name}_1_to_5"
    )


class Occasion(models.TextChoices):
    REVIEW = "review", "At a review"
    CLOSURE = "closure", "At closure"


class FeedbackHandover(models.Model):
    """A one-time link to the family questionnaire, made by the family's worker and handed
    over on a tablet in the family's home. Only a digest of the link's secret is kept;
    the link works once, until `expires_at`."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    occasion = models.CharField(max_length=10, choices=Occasion.choices)
    # The recorded review or closure the feedback is about, when there is one yet.
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closure = models.ForeignKey(
        Closure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("started_at")),
                name="feedback_handover_expires_after_start",
            ),
            models.CheckConstraint(
                condition=Q(review__isnull=True) | Q(occasion=Occasion.REVIEW),
                name="feedback_handover_review_only_at_review",
            ),
            models.CheckConstraint(
                condition=Q(closure__isnull=True) | Q(occasion=Occasion.CLOSURE),
                name="feedback_handover_closure_only_at_closure",
            ),
        ]


class FamilyFeedback(models.Model):
    """A family's answers to the questionnaire (questions.FAMILY_QUESTIONS), each scale 1
    (worst) to 5 (best). Never edited."""

    class AnsweredBy(models.TextChoices):
        ADULT = "adult", "An adult"
        YOUNG_PERSON = "young_person", "A child or young person"

    handover = models.OneToOneField(
        FeedbackHandover, on_delete=models.PROTECT, related_name="response"
    )
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    occasion = models.CharField(max_length=10, choices=Occasion.choices)
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closure = models.ForeignKey(
        Closure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_on = models.DateField()
    answered_at = models.DateTimeField()
    # Blank when the person answering chose not to say.
    answered_by = models.CharField(max_length=12, choices=AnsweredBy.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField()
    plan_useful = models.PositiveSmallIntegerField()
    things_changed = models.PositiveSmallIntegerField()
    key_worker_helpful = models.PositiveSmallIntegerField()
    biggest_difference = models.TextField(blank=True)

    class Meta:
        ordering = ["-answered_on", "-pk"]
        indexes = [models.Index(fields=["answered_on"], name="family_feedback_answered_on")]
        constraints = [
            _scale("satisfaction"),
            _scale("plan_useful"),
            _scale("things_changed"),
            _scale("key_worker_helpful"),
        ]


class KeyPlayerFeedback(models.Model):
    """A key worker's or panel member's answers about one quarter of one authority's
    programme (questions.KEY_PLAYER_QUESTIONS): one per person per quarter. Never edited."""

    class AnsweredAs(models.TextChoices):
        KEY_WORKER = "key_worker", "Key worker"
        PANEL_MEMBER = "panel_member", "Panel member"

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    answered_as = models.CharField(max_length=12, choices=AnsweredAs.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    answered_at = models.DateTimeField()
    process_helps = models.PositiveSmallIntegerField()
    agencies_work_together = models.PositiveSmallIntegerField()
    panel_decisions = models.PositiveSmallIntegerField()
    support = models.PositiveSmallIntegerField()
    improvement = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_start", "-pk"]
        indexes = [
            models.Index(
                fields=["local_authority", "period_start"], name="key_player_feedback_period"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "local_authority", "period_start"],
                name="key_player_feedback_once_a_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="key_player_feedback_period_in_order",
            ),
            _scale("process_helps"),
            _scale("agencies_work_together"),
            _scale("panel_decisions"),
            _scale("support"),
        ]


class QualitySample(models.Model):
    """A reproducible random `percent` of the cases an authority closed in a period, drawn
    for a quality review: the same seed over the same closures draws the same cases
    (rules.draw_sample). Periods of one authority's samples never overlap, so no case is
    counted twice."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    percent = models.PositiveSmallIntegerField()
    seed = models.BigIntegerField()
    # How many cases were closed in the period when the sample was drawn.
    closed_cases = models.PositiveIntegerField()
    drawn_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField()

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="quality_sample_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=100),
                name="quality_sample_percent_1_to_100",
            ),
            models.UniqueConstraint(
                fields=["local_authority", "period_start", "period_end"],
                name="quality_sample_once_a_period",
            ),
        ]


class Rating(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


# What the report cards count as "Good or better".
GOOD_OR_BETTER = (Rating.OUTSTANDING, Rating.GOOD)


class QualitySampleCase(models.Model):
    """One closed case in a quality sample, and its review: engagement with the family,
    multi-agency support (and its gaps), and creativity in outcome-focused solutions,
    each rated with notes. Reviewed once; the review is not changed afterwards."""

    sample = models.ForeignKey(QualitySample, on_delete=models.CASCADE, related_name="cases")
    closure = models.ForeignKey(Closure, on_delete=models.PROTECT, related_name="+")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    engagement = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    engagement_notes = models.TextField(blank=True)
    multi_agency = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    multi_agency_notes = models.TextField(blank=True)
    multi_agency_gaps = models.TextField(blank=True)
    creativity = models.CharField(max_length=20, choices=Rating.choices, blank=True)
    creativity_notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sample", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "closure"], name="quality_sample_case_once"),
            # A review rates all three aspects; an unreviewed case rates none.
            models.CheckConstraint(
                condition=(
                    Q(reviewed_at__isnull=True, engagement="", multi_agency="", creativity="")
                    | (
                        Q(reviewed_at__isnull=False, reviewed_by__isnull=False)
                        & ~Q(engagement="")
                        & ~Q(multi_agency="")
                        & ~Q(creativity="")
                    )
                ),
                name="quality_sample_case_review_complete",
            ),
        ]

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None
