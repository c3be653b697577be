from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        from families.selectors import register_family_page_section
        from reporting import home
        from reporting.cards import documents
        from reporting.feedback.selectors import family_page_feedback

        # A published card's PDF is made by the worker.
        documents.register()
        # The family page links to family feedback without families importing reporting.
        register_family_page_section(family_page_feedback)
        # The home page's panels (tafcase.home).
        home.register()
