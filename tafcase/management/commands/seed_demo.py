import importlib
import random

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from tafcase import demo
from tafcase.accounts.models import LocalAuthority

# Apps seed in dependency order (DESIGN.md §8); each may have a `demo` module with seed().
APP_ORDER = [
    "tafcase",
    "families",
    "eligibility",
    "eligibility.datamatch",
    "outcomes",
    "reporting",
]


class Command(BaseCommand):
    help = "Create a synthetic local authority with agencies, users and families (demo only)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument(
            "--families",
            type=int,
            default=3000,
            help="how many families to create (when the families app can)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if demo data is already loaded"
        )
        parser.add_argument(
            "--print-logins", action="store_true", help="only print the demo logins"
        )

    def handle(self, *args, **options):
        if options["print_logins"]:
            return self.print_logins()
        if options["if_empty"] and LocalAuthority.objects.exists():
            self.stdout.write("Demo data already loaded.")
            return
        rng = random.Random(options["seed"])
        context = {"families": options["families"], "stdout": self.stdout}
        installed = {config.name for config in apps.get_app_configs()}
        with transaction.atomic():
            for app in APP_ORDER:
                if app not in installed:
                    continue
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError as missing:
                    if missing.name != f"{app}.demo":
                        raise
                    continue
                module.seed(rng, context)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins()

    def print_logins(self):
        self.stdout.write(f"\nDemo logins (password for every one: {demo.DEMO_PASSWORD})\n")
        for role, email, agency in demo.logins():
            self.stdout.write(f"  {role:<22} {email:<36} {agency}")
        self.stdout.write(
            "\nAdministrators, coordinators, analysts, managers and auditors also enter a "
            "two-factor code.\n"
            f"  Add this key to an authenticator app: {demo.demo_totp_secret()}\n"
            "  or get the current code with: .venv/bin/python manage.py demo_code\n"
        )
