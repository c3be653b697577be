"""Benchmark screening at council scale under each built-in framework.

Builds (or reuses) a separate database, `tafcase_bench_screening`, seeded with N synthetic
households (the demo seed), adds recorded evidence to every household, then for each
framework times what a screening run does per household: load members, recorded evidence
and TAF agencies from Postgres in batches (selectors.households_for), attach partner
records, and evaluate the rulebook (rules.evaluate). Partner records are synthetic and
attached in memory — a school-age child's three terms of attendance, exclusions, ASB,
offending, benefits, health, social care and housing events — so every rule does real
work.
"""

import json
import random
import time
from dataclasses import replace
from datetime import date, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from eligibility import rules, selectors
from eligibility.models import RecordedEvidence
from families.models import Family
from tafcase.accounts.models import User

BENCH_DATABASE = "tafcase_bench_screening"
BATCH = 1000
TERMS = [("2025/26", "autumn"), ("2024/25", "summer"), ("2024/25", "spring")]


def partner_records(rng: random.Random, household: rules.Household, as_of: date):
    """A plausible spread of partner records for the household's members."""
    records = []
    for m in household.members:
        pid = m.person_id
        if m.is_school_age(as_of):
            for year, term in TERMS:
                possible = rng.randint(110, 130)
                records.append(
                    rules.attendance_record(
                        f"att-{pid}-{year}-{term}",
                        pid,
                        year,
                        term,
                        possible=possible,
                        # Most children miss a few sessions; about one in five many.
                        authorised=rng.randint(0, 6),
                        unauthorised=rng.randint(0, 4) + (rng.random() < 0.2) * rng.randint(6, 20),
                        agency="School",
                    )
                )
            if rng.random() < 0.1:
                records.append(
                    _event(rng, "school_exclusions", pid, as_of, exclusion_type="suspension")
                )
        if rng.random() < 0.15:
            records.append(_event(rng, "asb", pid, as_of, role="perpetrator"))
        if rng.random() < 0.08:
            records.append(_event(rng, "offending", pid, as_of, proven="Y"))
        if m.is_adult(as_of) and rng.random() < 0.4:
            records.append(
                _period(
                    rng,
                    "benefits",
                    pid,
                    as_of,
                    benefit=rng.choice(["UC_SEARCHING", "ESA", "UC_WORKING"]),
                )
            )
        if rng.random() < 0.2:
            records.append(
                _event(
                    rng,
                    "health",
                    pid,
                    as_of,
                    need=rng.choice(["mental_health", "substance_misuse", "physical_health"]),
                )
            )
        if m.is_child(as_of) and rng.random() < 0.1:
            records.append(
                _period(rng, "childrens_social_care", pid, as_of, status=rng.choice(["CIN", "CP"]))
            )
        if rng.random() < 0.05:
            records.append(_event(rng, "domestic_abuse", pid, as_of, role="victim"))
    return tuple(records)


def _event(rng, kind, pid, as_of, **attributes):
    day = as_of - timedelta(days=rng.randint(1, 500))
    return rules.Record(
        rules.Kind(kind),
        f"{kind}-{pid}-{rng.random():.6f}",
        pid,
        day,
        agency=kind,
        attributes=attributes,
    )


def _period(rng, kind, pid, as_of, **attributes):
    start = as_of - timedelta(days=rng.randint(30, 700))
    end = None if rng.random() < 0.6 else start + timedelta(days=rng.randint(10, 300))
    return rules.Record(
        rules.Kind(kind),
        f"{kind}-{pid}-{rng.random():.6f}",
        pid,
        start,
        end_date=end,
        agency=kind,
        attributes=attributes,
    )


class Command(BaseCommand):
    help = "Time screening N households under each framework and write JSON."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=10000)
        parser.add_argument("--json", dest="json_path", help="write the results here")
        parser.add_argument("--fresh", action="store_true", help="rebuild the bench database")

    def handle(self, *args, households, json_path, fresh, **options):
        connection.settings_dict["TEST"]["NAME"] = BENCH_DATABASE
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=not fresh)
        if Family.objects.count() != households:
            if Family.objects.exists():
                connection.creation.destroy_test_db(BENCH_DATABASE, verbosity=0)
                connection.settings_dict["NAME"] = BENCH_DATABASE
                connection.creation.create_test_db(verbosity=0, autoclobber=True)
            self.stdout.write(f"Seeding {households} households into {BENCH_DATABASE}…")
            call_command("seed_demo", families=households, stdout=self.stdout)
            self._add_evidence()
        as_of = timezone.localdate()
        ids = list(Family.objects.order_by("pk").values_list("pk", flat=True))
        results = {"households": len(ids), "batch": BATCH, "frameworks": {}}
        for code, framework in rules.BUILT_IN.items():
            rng = random.Random(7)
            eligible = records = 0
            load = evaluate = 0.0
            started = time.perf_counter()
            for start in range(0, len(ids), BATCH):
                t0 = time.perf_counter()
                batch = list(Family.objects.filter(pk__in=ids[start : start + BATCH]))
                loaded = selectors.households_for(batch, as_of)
                t1 = time.perf_counter()
                for household in loaded.values():
                    household = replace(household, records=partner_records(rng, household, as_of))
                    records += len(household.records)
                    eligible += rules.evaluate(household, as_of, framework).eligible
                evaluate += time.perf_counter() - t1
                load += t1 - t0
            seconds = time.perf_counter() - started
            results["frameworks"][code] = {
                "seconds": round(seconds, 3),
                "households_per_second": round(len(ids) / seconds, 1),
                "load_seconds": round(load, 3),
                "evaluate_seconds": round(evaluate, 3),
                "partner_records": records,
                "eligible": eligible,
            }
        self._print(results)
        if json_path:
            with open(json_path, "w") as handle:
                json.dump(results, handle, indent=2)
            self.stdout.write(f"Wrote {json_path}")

    def _add_evidence(self):
        rng = random.Random(11)
        actor = User.objects.order_by("pk").first()
        codes = ["crime_asb", "education", "health", "worklessness", "parent_mental_health"]
        RecordedEvidence.objects.bulk_create(
            (
                RecordedEvidence(
                    family_id=family_id,
                    criterion=rng.choice(codes),
                    evidence_date=timezone.localdate() - timedelta(days=rng.randint(1, 300)),
                    source="Bench",
                    text="Synthetic evidence",
                    recorded_by=actor,
                )
                for family_id in Family.objects.values_list("pk", flat=True)
            ),
            batch_size=5000,
        )

    def _print(self, results):
        self.stdout.write(f"\nScreening {results['households']} households (batches of {BATCH}):")
        self.stdout.write(
            f"{'framework':<10}{'seconds':>10}{'per second':>12}"
            f"{'load s':>9}{'rules s':>9}{'eligible':>10}"
        )
        for code, r in results["frameworks"].items():
            self.stdout.write(
                f"{code:<10}{r['seconds']:>10.2f}{r['households_per_second']:>12.0f}"
                f"{r['load_seconds']:>9.2f}{r['evaluate_seconds']:>9.2f}{r['eligible']:>10}"
            )
