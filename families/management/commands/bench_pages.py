"""Benchmark the family pages at council scale.

Builds (or reuses) a separate database, `tafcase_bench`, seeded with N synthetic families,
then times the caseload page, a family page, search and the API family list server-side
(Django's test client: middleware, view, SQL and rendering, no network) for a key worker
and for a partner-agency user who sees families only through TAF shares. A floor is timed
in the same run: the same caseload list and API page filtered by a plain foreign key (the
lead professional's own families), the cheapest possible list of the same shape.
"""

import json
import statistics
import time
from itertools import cycle
from unittest.mock import patch

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from rest_framework.test import APIClient

from families import access, selectors
from families.models import Family, Person
from tafcase.accounts.models import User

BENCH_DATABASE = "tafcase_bench"


def _lead_only(user, *, mine_only: bool):
    """selectors.caseload with visibility replaced by the plain lead-professional filter."""
    return selectors.with_list_columns(Family.objects.filter(lead_professional=user)).order_by(
        "next_review_due", "-id"
    )


SEARCHES = ["Smith", "NB3", "Walker", "Begum", "Kowalski", "Olivia", "NB7 2", "Jordan Hall"]


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "requests": len(ordered),
    }


class Command(BaseCommand):
    help = "Time family pages at scale (median and p95, server-side) and write JSON."

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=20000)
        parser.add_argument("--requests", type=int, default=200, help="requests per page")
        parser.add_argument("--json", dest="json_path", help="write the results here")
        parser.add_argument("--fresh", action="store_true", help="rebuild the bench database")

    def handle(self, *args, families, requests, json_path, fresh, **options):
        setup_test_environment()  # lets the test client see templates and contexts
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
        results = self.run(requests)
        results["families"] = Family.objects.count()
        results["people"] = Person.objects.count()
        self.print_table(results)
        if json_path:
            with open(json_path, "w") as handle:
                json.dump(results, handle, indent=2)
            self.stdout.write(f"Wrote {json_path}")

    def run(self, n: int) -> dict:
        users = {
            "key_worker": User.objects.get(email="keyworker@northbridge.example"),
            "partner": User.objects.get(email="partner.police@northbridge.example"),
        }
        results: dict = {}
        for kind, user in users.items():
            client, api = Client(), APIClient()
            client.force_login(user)
            api.force_authenticate(user)
            visible = list(access.families_visible_to(user).values_list("pk", flat=True)[:50])
            family_urls = cycle(f"/families/{pk}/" for pk in visible)
            searches = cycle(SEARCHES)
            pages = {
                "caseload": lambda c=client: c.get("/families/?show=all"),
                "family_page": lambda c=client, u=family_urls: c.get(next(u)),
                "search": lambda c=client, s=searches: c.get("/families/search/", {"q": next(s)}),
                "api_family_list": lambda a=api: a.get("/api/families/"),
            }
            for page, fetch in pages.items():
                results.setdefault(page, {})[kind] = self.time(fetch, n)
            results[page][kind]["visible_families"] = access.families_visible_to(user).count()
        # The floor: the same requests for the lead professional, with the visibility
        # filter replaced by the plain foreign key (only the families they lead).
        lead = users["key_worker"]
        client, api = Client(), APIClient()
        client.force_login(lead)
        api.force_authenticate(lead)
        with patch.object(selectors, "caseload", _lead_only):
            results["floor"] = {
                "caseload": self.time(lambda: client.get("/families/?show=all"), n),
                "api_family_list": self.time(lambda: api.get("/api/families/"), n),
            }
        return results

    @staticmethod
    def time(fetch, n: int) -> dict:
        fetch()  # warm up connections and template caches
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = fetch()
        assert response.status_code == 200, response.status_code
        samples = []
        for _ in range(n):
            started = time.perf_counter()
            response = fetch()
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        return {**_percentiles(samples), "queries": len(queries)}

    def print_table(self, results: dict) -> None:
        self.stdout.write(f"\n{results['families']} families, {results['people']} people\n")
        self.stdout.write(f"{'page':<22}{'user':<12}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
        for page, by_user in results.items():
            if not isinstance(by_user, dict):
                continue
            for user, row in by_user.items():
                name, who = (f"floor: {user}", "lead") if page == "floor" else (page, user)
                self.stdout.write(
                    f"{name:<22}{who:<12}{row['median_ms']:>10}"
                    f"{row['p95_ms']:>10}{row['queries']:>9}"
                )
