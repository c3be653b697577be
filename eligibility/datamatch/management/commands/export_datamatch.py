"""Export a run's results: every imported record with its link, every household with
its members, criteria met (with evidence) and whether it is newly eligible."""

import json

from django.core.management.base import BaseCommand, CommandError

from eligibility.datamatch import exports
from eligibility.datamatch.models import DatamatchRun


class Command(BaseCommand):
    help = "Write a data-match run's links and households as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--run", default="latest", help="run id, or 'latest' (current)")
        parser.add_argument("--json", dest="json_path", required=True)

    def handle(self, *args, run, json_path, **options):
        runs = DatamatchRun.objects.filter(status=DatamatchRun.Status.SUCCEEDED)
        chosen = (
            runs.filter(is_current=True).order_by("-finished_at").first()
            if run == "latest"
            else runs.filter(pk=int(run)).first()
        )
        if chosen is None:
            raise CommandError(f"No finished run {run!r}.")
        data = exports.run_export(chosen)
        with open(json_path, "w") as handle:
            json.dump(data, handle, indent=1)
        self.stdout.write(
            f"Wrote {len(data['records'])} records and {len(data['households'])} households "
            f"to {json_path}"
        )
