from django.apps import AppConfig


class DatamatchConfig(AppConfig):
    """Partner datasets and the quarterly data-match: part of eligibility, with its own
    label and migrations."""

    name = "eligibility.datamatch"
    label = "datamatch"
    verbose_name = "Partner data and data-match"
