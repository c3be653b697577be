"""Benchmark the report cards at council scale.

Builds (or reuses) a separate database, `tafcase_bench_reports`, seeded with N synthetic
families (seed_demo), and measures, server-side through Django's test client as a signed-in
coordinator:

- `cards.pathway` and `cards.key_worker`: each card page requested `--repeat` times for the
  latest whole quarter (twelve quarters of history each): p50 and p95 milliseconds, and
  the queries one request makes (`queries`), which must not grow with the data;
- `dashboard`: the programme dashboard page, the same way;
- `pdf.seconds`: a published pathway card's PDF, made as the worker makes it;
- `pack.seconds`: a report pack of twelve published cards (both cards for each of the
  last six quarters) as one PDF, made as the worker makes it;
- `fpd.seconds` and `csc.seconds`: the Family Progress Data (10%) and Cost Saving
  Calculator (25%) returns for the latest programme year with attachments: drawing the
  sample, working the figures out and writing the CSV.

Prints the figures and, with --json, writes them.
"""

import json
import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from families.models import Family
from reporting.cards import exports, services
from reporting.cards.forms import CardFilterForm
from reporting.cards.measures import Card, Slice
from reporting.returns import exports as returns_exports
from reporting.returns import rules as returns_rules
from reporting.returns import selectors as returns_selectors
from reporting.returns import services as returns_services
from reporting.returns.models import ReturnKind, ReturnSample
from tafcase.accounts.models import LocalAuthority, User

BENCH_DATABASE = "tafcase_bench_reports"
COORDINATOR = "coordinator@northbridge.example"


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[index] * 1000, 1)


class Command(BaseCommand):
    help = "Time the report cards and their PDF at scale; write JSON."

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=20000)
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--json", dest="json_path")
        parser.add_argument("--fresh", action="store_true", help="rebuild the bench database")

    def handle(self, *args, families, repeat, json_path, fresh, **options):
        setup_test_environment()  # lets the test client's host through ALLOWED_HOSTS
        connection.settings_dict["TEST"]["NAME"] = BENCH_DATABASE
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=not fresh)
        if fresh or not Family.objects.exists():
            if Family.objects.exists():  # --fresh
                connection.creation.destroy_test_db(BENCH_DATABASE, verbosity=0)
                connection.settings_dict["NAME"] = BENCH_DATABASE
                connection.creation.create_test_db(verbosity=0, autoclobber=True)
            self.stdout.write(f"Seeding {families} families into {BENCH_DATABASE}…")
            started = time.perf_counter()
            call_command("seed_demo", families=families, stdout=self.stdout)
            self.stdout.write(f"Seeded in {time.perf_counter() - started:.1f} s.")
        results = self.run(repeat)
        self.stdout.write(json.dumps(results, indent=2))
        if json_path:
            with open(json_path, "w") as handle:
                json.dump(results, handle, indent=2)
            self.stdout.write(f"Wrote {json_path}")

    def run(self, repeat: int) -> dict:
        coordinator = User.objects.get(email=COORDINATOR)
        authority = LocalAuthority.objects.get(pk=coordinator.authorities.get().pk)
        client = Client()
        client.force_login(coordinator)
        # Signed in with the demo authenticator, as the coordinator would be.
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = (
            TOTPDevice.objects.filter(user=coordinator).get().persistent_id
        )
        session.save()
        client.get(reverse("home"))  # the first request of a session does more
        results: dict = {
            "families": Family.objects.filter(local_authority=authority).count(),
            "attached": Family.objects.filter(
                local_authority=authority, programme_start__isnull=False
            ).count(),
            "cards": {},
        }
        for card in Card:
            url = reverse("reporting:card", args=[card.value])
            results["cards"][card.value.replace("-", "_")] = _page(client, url, repeat)
        results["dashboard"] = _page(client, reverse("reporting:dashboard"), repeat)
        results.update(_pdfs(coordinator, authority))
        results.update(_returns(coordinator, authority))
        return results


def _page(client: Client, url: str, repeat: int) -> dict:
    client.get(url)  # warm
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {
        "p50_ms": _ms(timings, 0.5),
        "p95_ms": _ms(timings, 0.95),
        "mean_ms": round(statistics.mean(timings) * 1000, 1),
        "queries": len(queries),
    }


def _pdfs(actor: User, authority: LocalAuthority) -> dict:
    """One card's PDF, then a pack of twelve, published in a transaction rolled back
    afterwards so the bench database keeps none of them."""
    with transaction.atomic():
        period = CardFilterForm.default_period()
        published = []
        for _ in range(6):
            for card in Card:
                published.append(
                    services.card_publish(
                        actor=actor, authority=authority, card=card, period=period, slice_=Slice()
                    )
                )
            period = period.previous()
        figures = {}
        for key, cards in (("pdf", published[:1]), ("pack", published)):
            started = time.perf_counter()
            pdf = exports.cards_pdf(cards, suppress=False, actor=actor, ip=None)
            figures[key] = {
                "seconds": round(time.perf_counter() - started, 2),
                "cards": len(cards),
                "bytes": len(pdf),
            }
        transaction.set_rollback(True)
    return figures


def _returns(actor: User, authority: LocalAuthority) -> dict:
    """Each return from scratch, in a transaction rolled back afterwards so the bench
    database keeps no sample and the next run draws again."""
    years = returns_selectors.attached_by_year(authority.pk)
    today = timezone.localdate()
    year = max(y for y, n in years.items() if n and y <= returns_rules.programme_year_of(today))
    figures: dict = {}
    returns = (("fpd", ReturnKind.FAMILY_PROGRESS, 10), ("csc", ReturnKind.COST_SAVINGS, 25))
    for key, kind, percent in returns:
        with transaction.atomic():
            # A sample the demo drew goes for the run (and comes back with the rollback).
            ReturnSample.objects.filter(local_authority=authority, kind=kind, year=year).delete()
            started = time.perf_counter()
            sample = returns_services.return_sample_draw(
                actor=actor, authority=authority, kind=kind, year=year, percent=percent, seed=1
            )
            if kind == ReturnKind.FAMILY_PROGRESS:
                progress = returns_selectors.family_progress(sample, today)
                data = returns_exports.family_progress_csv(progress, actor=actor, ip=None)
            else:
                version = returns_selectors.latest_unit_cost_version(authority.pk)
                calc = returns_selectors.cost_calculation(sample, version)
                data = returns_exports.cost_savings_csv(
                    calc, exact=True, actor=actor, ip=None, today=today
                )
            figures[key] = {
                "seconds": round(time.perf_counter() - started, 2),
                "year": year,
                "families": len(sample.family_ids),
                "bytes": len(data),
            }
            transaction.set_rollback(True)
    return figures
