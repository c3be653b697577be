"""Benchmark Payment by Results at council scale.

Builds (or reuses) a separate database, `tafcase_bench_claims`, seeded with N synthetic
families (seed_demo), attaches every family to the programme, opens a claim window and
measures:

- `run`: a claim run over every attached family (claim_run_start without Celery, then
  claim_run_execute, as the worker does): seconds, families, claims and the queries each
  batch of families costs (the same for every batch, whatever the data);
- `tracking`: results_refresh of the authority, first with nothing tracked and then again
  with every family tracked (`seconds_again`, the nightly case);
- `schedule_pdf`: the claim schedule of a window holding `--claims` claims (the run's
  claims beyond that number are deleted first, in the bench database only), made as the
  worker makes it (tafcase.documents) in a fresh Python process, so `peak_mb` is what a
  worker needs; `reference_seconds_per_page` is plain WeasyPrint rendering the same rows as
  a bare table in that process, the floor the schedule is compared with;
- `evidence_pack`: a spot check's evidence packs (`--packs` claims) the same way.
"""

import argparse
import itertools
import json
import re
import resource
import subprocess
import sys
import time
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from weasyprint import HTML

from families.models import Family
from outcomes.claims import documents, selectors, services
from outcomes.claims.models import Claim, ClaimRun, ClaimWindow, ResultTracking
from tafcase.accounts.models import LocalAuthority, User
from tafcase.documents import services as document_services
from tafcase.documents.models import Document

BENCH_DATABASE = "tafcase_bench_claims"
COORDINATOR = "coordinator@northbridge.example"
PAGES = re.compile(r"^Pages:\s+(\d+)", re.MULTILINE)


def _pages(pdf: bytes) -> int:
    """The PDF's page count, by poppler's pdfinfo (WeasyPrint compresses its objects)."""
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    found = PAGES.search(info.stdout.decode())
    return int(found.group(1)) if found else 0


def _peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM is reset when a process starts a new
    program; ru_maxrss is not (a child forked from a large parent reports the parent's
    peak), so it is only the fallback."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    # ru_maxrss is in kilobytes on Linux.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# The schedule's column widths: the reference lays the same cells out on the same page.
_WIDTHS = (9, 9, 8, 8, 21, 18, 7, 10, 10)


def _reference_html(window: ClaimWindow) -> str:
    """The schedule's rows as a bare table: the same cells on the same page size, font and
    column widths, with none of the schedule's own work (no repeated header, rows free to
    split, no running header or page numbers, no styling inside cells, no totals or
    sign-off). What WeasyPrint costs for the rows alone."""
    cols = "".join(f'<col style="width: {w}%">' for w in _WIDTHS)
    rows = []
    for r in selectors.claim_rows(selectors.window_claims(window)):
        result = r.result_label
        if r.sustained_from:
            result += f" Sustained {r.sustained_from:%d/%m/%Y} to {r.sustained_to:%d/%m/%Y}"
        cells = (
            r.reference,
            r.family_reference,
            f"{r.attachment_date:%d/%m/%Y}",
            f"{r.closure_date:%d/%m/%Y}" if r.closure_date else "Open",
            r.needs_words or "None recorded",
            result,
            f"£{r.amount:,}",
            r.status_label,
            f"Sampled: {r.audit_result}" if r.sampled else "Not sampled",
        )
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (
        "<style>@page { size: A4 landscape; margin: 14mm 12mm 16mm; } body { font-size: "
        "8.5pt; font-family: 'DejaVu Sans', sans-serif; } table { table-layout: fixed; "
        "width: 100%; } td { padding: 1.2mm 1.5mm; border-bottom: 1px solid #d8d8d8; }"
        f"</style><table><colgroup>{cols}</colgroup>{''.join(rows)}</table>"
    )


class Command(BaseCommand):
    help = "Time a claim run, results refresh, the claim schedule and evidence packs; write JSON."

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=10000)
        parser.add_argument("--claims", type=int, default=2000, help="claims on the schedule")
        parser.add_argument("--packs", type=int, default=20, help="claims in the evidence pack")
        parser.add_argument("--json", dest="json_path", help="write the results here")
        parser.add_argument("--fresh", action="store_true", help="rebuild the bench database")
        # Used by the command itself: make one prepared document in this (fresh) process.
        parser.add_argument("--build-document", type=int, help=argparse.SUPPRESS)

    def handle(self, *args, families, claims, packs, json_path, fresh, build_document, **options):
        connection.settings_dict["TEST"]["NAME"] = BENCH_DATABASE
        if build_document:
            return self.build_in_this_process(build_document)
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
        results = self.run(claims, packs)
        self.print_table(results)
        if json_path:
            with open(json_path, "w") as handle:
                json.dump(results, handle, indent=2)
            self.stdout.write(f"Wrote {json_path}")

    def run(self, n_claims: int, n_packs: int) -> dict:
        coordinator = User.objects.get(email=COORDINATOR)
        authority = LocalAuthority.objects.annotate(n=Count("families")).order_by("-n").first()
        assert authority is not None
        today = timezone.localdate()
        self.reset(authority, today)
        window = services.claim_window_open(
            actor=coordinator,
            authority=authority,
            name="Bench window",
            cutoff_date=today,
            deadline=today + timedelta(days=30),
        )
        results: dict = {"families": Family.objects.count()}
        batches: list[int] = []
        with CaptureQueriesContext(connection) as queries:
            started_at = time.perf_counter()
            started = services.claim_run_start(actor=coordinator, window=window, queue=False)
            run = services.claim_run_execute(
                run_id=started.pk, on_progress=lambda _run: batches.append(len(queries))
            )
            seconds = time.perf_counter() - started_at
        assert run is not None and run.status == ClaimRun.Status.SUCCEEDED
        per_batch = [b - a for a, b in itertools.pairwise(batches)]
        results["run"] = {
            "seconds": round(seconds, 2),
            "families": run.families_done,
            "claims": run.claims_proposed,
            "batches": len(batches),
            # Every batch but the first (which loads the framework once) and the last
            # (smaller); the same for each when the queries do not grow with the data.
            "queries_per_batch": max(per_batch[:-1] or per_batch or [0]),
            "queries_per_batch_min": min(per_batch[:-1] or per_batch or [0]),
        }
        started_at = time.perf_counter()
        refreshed = services.results_refresh(authority=authority, as_of=today)
        results["tracking"] = {
            "seconds": round(time.perf_counter() - started_at, 2),
            "families": refreshed.families,
        }
        # The nightly case: every family already tracked, statuses mostly unchanged.
        started_at = time.perf_counter()
        services.results_refresh(authority=authority, as_of=today)
        results["tracking"]["seconds_again"] = round(time.perf_counter() - started_at, 2)
        keep = Claim.objects.filter(window=window).order_by("pk").values("pk")[:n_claims]
        Claim.objects.filter(window=window).exclude(pk__in=keep).delete()
        schedule = documents.schedule_request(actor=coordinator, window=window, ip=None)
        results["schedule_pdf"] = self.build_in_a_fresh_process(schedule)
        results["schedule_pdf"]["claims"] = Claim.objects.filter(window=window).count()
        picked = list(Claim.objects.filter(window=window).order_by("pk")[:n_packs])
        pack = documents.evidence_pack_request(actor=coordinator, claims=picked, ip=None)
        figures = self.build_in_a_fresh_process(pack)
        results["evidence_pack"] = {
            "claims": len(picked),
            "seconds": figures["seconds"],
            "seconds_per_claim": round(figures["seconds"] / max(len(picked), 1), 3),
            "pages": figures["pages"],
            "peak_mb": figures["peak_mb"],
        }
        results["schedule_pdf"]["within_target"] = (
            results["schedule_pdf"]["seconds_per_page"]
            <= 1.5 * results["schedule_pdf"]["reference_seconds_per_page"]
            and results["schedule_pdf"]["peak_mb"] < 1024
        )
        return results

    def build_in_a_fresh_process(self, document: Document) -> dict:
        command = [sys.executable, "manage.py", "bench_claims", f"--build-document={document.pk}"]
        done = subprocess.run(
            command, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    def build_in_this_process(self, document_id: int) -> None:
        """A worker's view: a fresh process, fonts loaded once (as a warm worker has), the
        document built by tafcase.documents; then, for a schedule, the same rows as a bare
        table. Prints one line of JSON for the parent."""
        connection.settings_dict["NAME"] = BENCH_DATABASE
        HTML(string="<p>warm up</p>").write_pdf()
        started = time.perf_counter()
        built = document_services.document_build(document_id=document_id)
        seconds = time.perf_counter() - started
        assert built is not None and built.status == Document.Status.READY, built
        content = bytes(Document.objects.values_list("content", flat=True).get(pk=document_id))
        pages = _pages(content)
        figures = {
            "seconds": round(seconds, 2),
            "pages": pages,
            "seconds_per_page": round(seconds / max(pages, 1), 3),
            "peak_mb": _peak_rss_mb(),
            "bytes": len(content),
        }
        if built.kind == documents.SCHEDULE:
            window = ClaimWindow.objects.get(pk=built.params["window_id"])
            started = time.perf_counter()
            plain = HTML(string=_reference_html(window)).write_pdf()
            seconds = time.perf_counter() - started
            plain_pages = _pages(plain)
            figures["reference_pages"] = plain_pages
            figures["reference_seconds_per_page"] = round(seconds / max(plain_pages, 1), 3)
        self.stdout.write(json.dumps(figures))

    @staticmethod
    def reset(authority: LocalAuthority, today) -> None:
        """Every family attached (seed_demo attaches only some), and no claims yet, so each
        run times the same work."""
        Document.objects.all().delete()
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

    def print_table(self, r: dict) -> None:
        run, tracking, pdf, pack = r["run"], r["tracking"], r["schedule_pdf"], r["evidence_pack"]
        lines = [
            f"{r['families']} families",
            f"run.seconds                          {run['seconds']:>8}  "
            f"({run['families']} families, {run['claims']} claims)",
            f"run.queries_per_batch                {run['queries_per_batch']:>8}  "
            f"(min {run['queries_per_batch_min']} over {run['batches']} batches)",
            f"tracking.seconds                     {tracking['seconds']:>8}  "
            f"(again, all tracked: {tracking['seconds_again']} s)",
            f"schedule_pdf.pages                   {pdf['pages']:>8}  ({pdf['claims']} claims)",
            f"schedule_pdf.seconds_per_page        {pdf['seconds_per_page']:>8}",
            f"schedule_pdf.reference_seconds_per_page {pdf['reference_seconds_per_page']:>5}",
            f"schedule_pdf.peak_mb                 {pdf['peak_mb']:>8}",
            f"evidence_pack.seconds_per_claim      {pack['seconds_per_claim']:>8}  "
            f"({pack['claims']} claims, {pack['pages']} pages)",
        ]
        self.stdout.write("\n".join(lines))
