from django.db import models
from django.utils import timezone

from tafcase.accounts.models import LocalAuthority, User


class MeasureSetting(models.Model):
    """A measure's target and, where the board has edited it, its forecast: the figures
    for the periods after the latest, in order (None keeps the computed one)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=40)
    target = models.FloatField(null=True, blank=True)
    forecast = models.JSONField(default=list, blank=True)
    set_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "measure"], name="one_setting_per_measure"
            )
        ]


class CurveStory(models.Model):
    """What the board records under a measure for a period: the story behind the curve,
    the partners with a role, what works, and the action plan."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=40)
    period = models.CharField(max_length=8)  # a reporting.rules.Period key, e.g. 2026-Q3
    story = models.TextField("the story behind the curve")
    partners = models.TextField("partners with a role to play", blank=True)
    what_works = models.TextField("what works", blank=True)
    action_plan = models.TextField("action plan", blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-pk"]
        indexes = [models.Index(fields=["local_authority", "measure", "period"])]


class PublishedCard(models.Model):
    """A card as it was published: every figure, chart input and story, frozen, so last
    quarter's card reopens exactly as the board saw it, in HTML, PDF and CSV alike."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    card = models.CharField(max_length=20)
    period = models.CharField(max_length=8)
    filters = models.JSONField(default=dict)
    code_version = models.CharField(max_length=40)
    figures = models.JSONField()
    published_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-pk"]
