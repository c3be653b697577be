from django.db import models
from django.utils import timezone

from tafcase.accounts.models import LocalAuthority, User


class Document(models.Model):
    """One requested document. Only the person who asked may read it, and only while they
    may still see what it is about (the kind's `allowed` check, tafcase.documents.kinds)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    filename = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    # The address the request came from, for the export's audit row written by the worker.
    requested_from = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=120, default="Waiting to start")
    percent = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    content = models.BinaryField(null=True, editable=False)
    content_type = models.CharField(max_length=60, default="application/pdf")
    size = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return self.title
