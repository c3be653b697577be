from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tafcase.accounts"
    label = "accounts"
    verbose_name = "Agencies, users and roles"
