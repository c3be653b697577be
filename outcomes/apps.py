from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"

    def ready(self) -> None:
        from families.selectors import register_family_page_section
        from outcomes import home
        from outcomes.claims import documents
        from outcomes.claims.selectors import family_page_results

        # The family page shows its results without families importing outcomes.
        register_family_page_section(family_page_results)
        # The claim schedule and evidence packs are made by the worker.
        documents.register()
        # The home page's panels (tafcase.home).
        home.register()
