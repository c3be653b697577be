"""Print the two-factor code the demo accounts' authenticator app would show now."""

from django.core.management.base import BaseCommand

from tafcase import demo


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo accounts (demo data only)."

    def handle(self, *args, **options):
        self.stdout.write(demo.demo_totp_code())
