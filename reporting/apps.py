from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        from reporting.cards import documents

        # A published card's PDF is made by the worker.
        documents.register()
