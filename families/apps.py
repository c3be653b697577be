from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "families"

    def ready(self) -> None:
        from families import home

        # The home page's panels, registered where tafcase can find them (tafcase.home).
        home.register()
