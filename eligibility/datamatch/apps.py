from django.apps import AppConfig


class DatamatchConfig(AppConfig):
    """Partner datasets and the quarterly data-match: part of eligibility, with its own
    label and migrations."""

    name = "eligibility.datamatch"
    label = "datamatch"
    verbose_name = "Partner data and data-match"

    def ready(self) -> None:
        from eligibility.datamatch import home
        from eligibility.datamatch.selectors import family_page_evidence
        from families.selectors import register_family_page_section

        register_family_page_section(family_page_evidence)
        # The home page's panels (tafcase.home).
        home.register()
