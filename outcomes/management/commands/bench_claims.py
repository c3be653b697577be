"""Benchmark Payment by Results at council scale.

Builds (or reuses) a separate database, `tafcase_bench_claims`, seeded with N synthetic
families (seed_demo), attaches every family to the programme, opens a claim window and
times, in this process:

- a claim run over every attached family (claim_run_start without Celery, then
  claim_run_execute, as the worker would);
- results_refresh for the authority;
- the claim schedule PDF of a window holding `--claims` claims (the run's claims beyond
  that number are deleted first, in the bench database only).

Each step reports seconds, and the schedule seconds per page too; memory is the process's
peak resident set after the step (getrusage: a high-water mark, so a step that raises it
shows by how much) and, with --tracemalloc, the peak of Python allocations during the
step (slower: it traces every allocation).
"""

import json
import re
import resource
import subprocess
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.test import RequestFactory
from django.test.utils import setup_test_environment
from django.utils import timezone
from weasyprint import HTML

from families.models import Family
from outcomes.claims import exports, services
from outcomes.claims.models import Claim, ClaimRun, ClaimWindow, ResultTracking
from tafcase.accounts.models import LocalAuthority, User

BENCH_DATABASE = "tafcase_bench_claims"
COORDINATOR = "coordinator@northbridge.example"
PAGES = re.compile(r"^Pages:\s+(\d+)", re.MULTILINE)


def _pages(pdf: bytes) -> int:
    """The PDF's page count, by poppler's pdfinfo (WeasyPrint compresses its objects)."""
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    found = PAGES.search(info.stdout.decode())
    return int(found.group(1)) if found else 0


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class Command(BaseCommand):
    help = "Time a claim run, results refresh and the claim schedule PDF at scale; write JSON."

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=10000)
        parser.add_argument("--claims", type=int, default=2000, help="claims on the schedule")
        parser.add_argument("--json", dest="json_path", help="write the results here")
        parser.add_argument("--fresh", action="store_true", help="rebuild the bench database")
        parser.add_argument(
            "--tracemalloc", action="store_true", help="also trace Python allocations (slower)"
        )

    def handle(self, *args, families, claims, json_path, fresh, tracemalloc, **options):
        setup_test_environment()  # lets RequestFactory's host through ALLOWED_HOSTS
        connection.settings_dict["TEST"]["NAME"] = BENCH_DATABASE
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=not fresh)
        if Family.objects.count() != families:
            if Family.objects.exists():
                connection.creation.destroy_test_db(BENCH_DATABASE, verbosity=0)
                connection.settings_dict["NAME"] = BENCH_DATABASE
                connection.creation.create_test_db(verbosity=0, autoclobber=True)
            self.stdout.write(f"Seeding {families} families into {BENCH_DATABASE}…")
            started = time.perf_counter()
            call_command("seed_demo", families=families, stdout=self.stdout)
            self.stdout.write(f"Seeded in {time.perf_counter() - started:.1f} s.")
        self.trace = tracemalloc
        results = self.run(claims)
        self.print_table(results)
        if json_path:
            with open(json_path, "w") as handle:
                json.dump(results, handle, indent=2)
            self.stdout.write(f"Wrote {json_path}")

    def measure(self, step: Callable[[], Any]) -> tuple[Any, dict]:
        if self.trace:
            tracemalloc.start()
        started = time.perf_counter()
        value = step()
        seconds = time.perf_counter() - started
        figures = {"seconds": round(seconds, 2), "peak_rss_mb": _peak_rss_mb()}
        if self.trace:
            figures["python_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
        return value, figures

    def run(self, n_claims: int) -> dict:
        coordinator = User.objects.get(email=COORDINATOR)
        authority = LocalAuthority.objects.annotate(n=Count("families")).order_by("-n").first()
        assert authority is not None
        today = timezone.localdate()
        self.reset(authority, today)
        attached = Family.objects.filter(local_authority=authority, programme_start__lte=today)
        results: dict = {
            "families": Family.objects.count(),
            "attached": attached.count(),
            "baseline_rss_mb": _peak_rss_mb(),
        }
        window = services.claim_window_open(
            actor=coordinator,
            authority=authority,
            name="Bench window",
            cutoff_date=today,
            deadline=today + timedelta(days=30),
        )

        def claim_run() -> ClaimRun:
            started = services.claim_run_start(actor=coordinator, window=window, queue=False)
            finished = services.claim_run_execute(run_id=started.pk)
            assert finished is not None
            return finished

        run, results["claim_run"] = self.measure(claim_run)
        results["claim_run"]["claims_proposed"] = run.claims_proposed
        refreshed, results["results_refresh"] = self.measure(
            lambda: services.results_refresh(authority=authority, as_of=today)
        )
        results["results_refresh"]["families"] = refreshed.families

        keep = Claim.objects.filter(window=window).order_by("pk").values("pk")[:n_claims]
        Claim.objects.filter(window=window).exclude(pk__in=keep).delete()
        request = RequestFactory().get(f"/claims/{window.pk}/schedule.pdf")
        request.user = coordinator
        # A worker renders many PDFs: load fonts once before timing, as a warm worker has.
        HTML(string="<p>warm up</p>").write_pdf()
        pdf, results["schedule_pdf"] = self.measure(lambda: exports.schedule_pdf(request, window))
        pages = _pages(pdf)
        results["schedule_pdf"].update(
            {
                "claims": Claim.objects.filter(window=window).count(),
                "pages": pages,
                "seconds_per_page": round(results["schedule_pdf"]["seconds"] / max(pages, 1), 3),
                "bytes": len(pdf),
            }
        )
        return results

    @staticmethod
    def reset(authority: LocalAuthority, today) -> None:
        """Every family attached (seed_demo attaches only some), and no claims yet, so each
        run times the same work."""
        Claim.objects.filter(adjustment_of__isnull=False).delete()
        Claim.objects.all().delete()
        ClaimRun.objects.all().delete()
        ClaimWindow.objects.all().delete()
        ResultTracking.objects.all().delete()
        unattached = Family.objects.filter(local_authority=authority).exclude(
            programme_start__lte=today
        )
        for days in range(30, 730, 30):
            # Spread attachment dates over two years, a slice of families to each.
            ids = list(unattached.values_list("pk", flat=True)[:500])
            if not ids:
                break
            Family.objects.filter(pk__in=ids).update(programme_start=today - timedelta(days=days))
        Family.objects.filter(local_authority=authority).exclude(programme_start__lte=today).update(
            programme_start=today - timedelta(days=365)
        )

    def print_table(self, results: dict) -> None:
        self.stdout.write(
            f"\n{results['families']} families, {results['attached']} attached; "
            f"resident memory before the steps {results['baseline_rss_mb']} MB\n"
        )
        header = f"{'step':<18}{'seconds':>9}{'s/page':>9}{'peak RSS MB':>13}"
        if self.trace:
            header += f"{'python MB':>11}"
        self.stdout.write(header + "  detail")
        details = {
            "claim_run": lambda r: f"{r['claims_proposed']} claims proposed",
            "results_refresh": lambda r: f"{r['families']} families",
            "schedule_pdf": lambda r: f"{r['claims']} claims, {r['pages']} pages",
        }
        for step, detail in details.items():
            row = results[step]
            line = (
                f"{step:<18}{row['seconds']:>9}{row.get('seconds_per_page', ''):>9}"
                f"{row['peak_rss_mb']:>13}"
            )
            if self.trace:
                line += f"{row['python_peak_mb']:>11}"
            self.stdout.write(f"{line}  {detail(row)}")
