"""Write a synthetic quarter of partner files (with known truth) for a made-up authority."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand

from eligibility.datamatch.generator import generate_quarter


class Command(BaseCommand):
    help = "Generate persons.csv and one CSV per partner kind, plus truth.csv."

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path)
        parser.add_argument("--people", type=int, default=25000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 3, 31))

    def handle(self, *args, out, people, seed, as_of, **options):
        quarter = generate_quarter(people, out, seed=seed, as_of=as_of)
        rows = sum(1 for kind, _ in quarter.truth if kind != "persons")
        self.stdout.write(f"Wrote {len(quarter.files)} files ({rows} partner rows) to {out}")
