from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "tafcase.idempotency"
    label = "idempotency"
    verbose_name = "Idempotency keys"
