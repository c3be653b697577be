from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tafcase.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from tafcase.audit import home

        home.register()
