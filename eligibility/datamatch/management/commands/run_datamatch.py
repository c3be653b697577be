"""Run the quarter's data-match: queued on the worker, or here with a progress bar."""

import sys
from datetime import date

from django.core.management.base import BaseCommand

from eligibility.datamatch import services
from eligibility.datamatch.management.commands.import_partner_data import (
    analyst_of,
    authority_named,
)


class Command(BaseCommand):
    help = "Run the data-match for a quarter (--wait: in the foreground, with progress)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, type=date.fromisoformat)
        parser.add_argument("--wait", action="store_true")
        parser.add_argument("--authority")
        parser.add_argument("--user")

    def handle(self, *args, as_of, wait, authority, user, **options):
        authority = authority_named(authority)
        actor = analyst_of(authority, user)
        if not wait:
            run = services.run_start(actor=actor, local_authority=authority, as_of=as_of)
            self.stdout.write(f"Queued run {run.pk} on the worker.")
            return
        run = services.run_start(actor=actor, local_authority=authority, as_of=as_of, queue=False)
        run = services.run_execute(run_id=run.pk, on_progress=self.bar)
        self.stdout.write("")
        counts = run.counts
        self.stdout.write(
            f"Run {run.pk}: {counts.get('partner_records', 0)} partner records, "
            f"{counts.get('linked', 0)} linked, {counts.get('review', 0)} to review, "
            f"{counts.get('new_people', 0)} new people, {counts.get('households', 0)} households, "
            f"{counts.get('newly_eligible', 0)} newly eligible; {counts.get('seconds')} s."
        )

    def bar(self, stage: str, percent: int, counts: dict) -> None:
        filled = percent * 30 // 100
        sys.stdout.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {percent:3d}% {stage:<50}")
        sys.stdout.flush()
