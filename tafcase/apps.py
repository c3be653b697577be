from django.apps import AppConfig


class TafcaseConfig(AppConfig):
    name = "tafcase"
    verbose_name = "tafcase"
