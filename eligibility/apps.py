from django.apps import AppConfig


class EligibilityConfig(AppConfig):
    name = "eligibility"

    def ready(self) -> None:
        from eligibility import home

        home.register()
