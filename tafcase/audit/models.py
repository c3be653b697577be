from datetime import date
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from tafcase.references import reference_for


class AuditEvent(models.Model):
    """One read or change of personal data, or one security event. Never updated or deleted.

    `family_id`, `family_ids` and `person_ids` let auditors and subject-access exports find
    every event about a family or a person without knowing which kind of record was touched.
    `family_id` is the one family a record belongs to; `family_ids` are the families a list,
    a search or an export showed (one row per page returned, not per family).
    """

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        DELETED = "deleted", "Deleted"
        TRANSITIONED = "transitioned", "Status changed"
        EXPORTED = "exported", "Exported"
        LOGIN = "login", "Signed in"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        LOCKED_OUT = "locked_out", "Sign-in blocked after failures"
        SECOND_FACTOR = "second_factor", "Entered a two-factor code"
        TWO_FACTOR_SET_UP = "two_factor_set_up", "Set up two-factor sign-in"
        TWO_FACTOR_RESET = "two_factor_reset", "Two-factor sign-in reset"
        RECOVERY_CODES = "recovery_codes", "Made new recovery codes"
        PASSWORD_RESET = "password_reset", "Asked for a password reset link"
        TOKEN_CREATED = "token_created", "Made an API token"
        TOKEN_REVOKED = "token_revoked", "Revoked an API token"
        TOKEN_USED = "token_used", "Used an API token"
        INVITATION_SENT = "invitation_sent", "Sent an invitation to set a password"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_agency = models.ForeignKey(
        "accounts.Agency", null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    family_id = models.BigIntegerField(null=True, db_index=True)
    family_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    person_ids = models.JSONField(default=list, blank=True)
    summary = models.CharField(max_length=255, blank=True)
    # {"field": [before, after]} for changes.
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "at"]),
            GinIndex(fields=["person_ids"], name="audit_person_ids_gin"),
            GinIndex(fields=["family_ids"], name="audit_family_ids_gin"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.object_type}"

    @property
    def family_reference(self) -> str:
        return reference_for(self.family_id) if self.family_id is not None else ""

    @property
    def changes_in_words(self) -> list[tuple[str, str, str]]:
        """Each change as (what, before, after) in words: a field by its name in the
        interface, a choice by its label, a date as "1 December 2026", yes or no; other
        keys with their underscores as spaces."""
        try:
            meta = apps.get_model(self.object_type)._meta
            fields = {f.name: f for f in meta.get_fields() if hasattr(f, "verbose_name")}
        except (LookupError, ValueError):
            fields = {}
        rows = []
        for key, change in (self.changes or {}).items():
            field = fields.get(key)
            what = field.verbose_name if field is not None else key.replace("_", " ")
            before, after = (
                change if isinstance(change, list) and len(change) == 2 else (None, change)
            )
            rows.append((capfirst(what), _in_words(field, before), _in_words(field, after)))
        return rows

    @property
    def object_label(self) -> str:
        """What the event is about, in words: "Data-match review item 71" for a record
        (object_type is its model's label), or the list's name ("Caseload")."""
        try:
            model = apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return capfirst(self.object_type)
        meta = model._meta
        name = f"{_APP_WORDS.get(meta.app_label, '')} {meta.verbose_name}".strip()
        number = self.object_id
        if meta.label_lower == "families.family" and number.isdigit():
            number = reference_for(int(number))  # as the family pages show it
        return f"{capfirst(name)} {number}".strip()


# Apps whose models' names need the app's to read well ("Review item" alone says little).
_APP_WORDS = {"datamatch": "data-match"}


def _in_words(field, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, list):
        return ", ".join(_in_words(field, item) for item in value)
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return f"{date.fromisoformat(value[:10]):%-d %B %Y}"
        except ValueError:
            return value
    return str(value)
