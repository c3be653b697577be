"""Idempotency keys: a create sent twice (a double click, a client retrying after a
timeout, two tabs) makes one record.

A create service that takes a key calls ``idempotency_claim`` first, inside its own
transaction, and ``idempotency_record`` once it has made its record:

- the claim is ``INSERT … ON CONFLICT (user, key) DO NOTHING``; a second request with the
  same key sent while the first is still running waits on the unique index until the
  first commits, then finds the key taken and gets the first request's record back;
- if the first request fails (a validation error, a crash), its transaction rolls back
  and takes the claim with it, so the same key can be sent again;
- keys belong to the user who sent them and last ``IDEMPOTENCY_KEY_HOURS``; an expired
  key is free again, and ``idempotency_keys_purge`` (a beat task) deletes expired ones.
"""

import hashlib
import json
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from tafcase.errors import Conflict
from tafcase.idempotency.models import IdempotencyKey

M = TypeVar("M", bound=models.Model)

KEY_MAX_LENGTH = 100


def _lifetime() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def idempotency_claim(*, user, key: str | None, model: type[M]) -> M | None:
    """Claim `key` for `user` inside the caller's transaction. None when this request is
    the first with the key (or has none): the caller makes its record and then calls
    idempotency_record. Otherwise the record the first request made, once that request
    has committed; Conflict when the key was used for a different kind of record."""
    if not key:
        return None
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Claim an idempotency key inside the create's transaction.")
    now = timezone.now()
    IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=now - _lifetime()).delete()
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, key, created_at, object_type, object_id) "  # noqa: S608 - the table name is ours
            "VALUES (%s, %s, %s, %s, '') ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [user.pk, key, now, model._meta.label_lower],
        )
        if cursor.fetchone() is not None:
            return None
    # Read committed: this statement sees the first request's committed claim.
    earlier = IdempotencyKey.objects.filter(user=user, key=key).first()
    if earlier is None or earlier.object_type != model._meta.label_lower or not earlier.object_id:
        raise Conflict(
            "This request was sent before as a different request, so it was not repeated. "
            "Reload the page and try again."
        )
    found = model._default_manager.filter(pk=earlier.object_id).first()
    if found is None:
        raise Conflict("What this request made earlier has since been removed.")
    return found


def idempotency_record(*, user, key: str | None, obj: models.Model) -> None:
    """Note the record that the request claiming `key` made (same transaction)."""
    if key:
        IdempotencyKey.objects.filter(user=user, key=key).update(object_id=str(obj.pk))


def derived_key(*, scope: str, data: Any) -> str:
    """A key for a request sent without one: a hash of what it asks for, so two identical
    requests to the same endpoint by the same user within the key lifetime make one
    record. `data` must be JSON-like; its keys are sorted so their order does not count."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return f"{scope}:" + hashlib.sha256(body.encode()).hexdigest()


def idempotency_keys_purge() -> int:
    """Delete expired keys; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - _lifetime()).delete()
    return deleted
