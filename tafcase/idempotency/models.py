from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """One create request, claimed by the service that makes the record: a second request
    with the same key from the same user gets the first one's record instead of a new one.

    Written only by tafcase.idempotency.services, inside the create service's transaction,
    so a create that fails leaves no key behind and can be sent again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The record the first request made ("app_label.model" and its primary key).
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key} -> {self.object_type} {self.object_id}"
