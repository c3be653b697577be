"""A bounded load test over real HTTP: throughput, p95 per page, errors and memory.

By default builds (or reuses) a separate database, `tafcase_load`, seeded with N synthetic
families by seed_demo, and starts its own stack on a free loopback port the way `make
run` does (gunicorn with the same workers and threads, and a Celery worker) against it.
With `--url` it targets a server already running instead; the demo users must then exist
in the database this command is configured with (the one that server uses).

Simulated users (tafcase.loadgen) — key workers, partner practitioners, coordinators and
one analyst who starts a data-match run — browse with a think time for `--duration`
seconds. The resident memory of the web server and worker is sampled at the start, every
`--sample-every` seconds and at the end, so a `--soak` run shows whether it grows.
"""

import json
import os
import signal
import socket
import subprocess
import time
from importlib import import_module
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from families.models import Family
from tafcase import embedded, loadgen, run
from tafcase.accounts.models import User
from tafcase.demo import DOMAIN

LOAD_DATABASE = "tafcase_load"
# The stack's Celery broker and cache use their own Redis database, so that its worker
# never takes a task queued by another stack on the same Redis (nor theirs ours): a task
# carries only ids, which mean different rows in a different database.
LOAD_REDIS_DB = 7
SOAK_SECONDS = 600

# Who each role signs in as; simulated users of a role take these accounts in turn (each
# with a session of its own). All serve one authority, so none has to choose one first.
ACCOUNTS = {
    "key_worker": ["keyworker", "keyworker2", "keyworker3", "yos.keyworker"],
    "partner": [
        "partner.police",
        "partner.school",
        "partner.health",
        "partner.dwp",
        "partner.housing",
        "partner.vcs",
    ],
    "coordinator": ["coordinator"],
    "analyst": ["analyst"],
}


def _signed_in_cookie(user: User) -> dict[str, str]:
    """Cookies of a new session signed in as `user`, created server-side.

    The load test signs its users in here rather than by posting the sign-in form, so it
    does not depend on how signing in works: whatever a signed-in session must hold (for
    instance that a second factor was verified) is set in this one place.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # As if the user had entered their authenticator code (the demo gives every account
    # that needs one an app), so the programme team reaches its pages.
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return {settings.SESSION_COOKIE_NAME: store.session_key or ""}


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=path))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Command(BaseCommand):
    help = "Load-test the web app with simulated users; prints throughput, p95 and memory."

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=20000)
        parser.add_argument("--users", type=int, default=50, help="concurrent simulated users")
        parser.add_argument("--duration", type=int, help="seconds (default 120)")
        parser.add_argument(
            "--soak", action="store_true", help=f"run {SOAK_SECONDS} s to watch memory"
        )
        parser.add_argument("--url", help="target this running server instead of our own")
        parser.add_argument("--fresh", action="store_true", help="rebuild the load database")
        parser.add_argument("--seed", type=int, default=2026, help="random seed for the users")
        parser.add_argument("--think-min", type=float, default=1.0, help="seconds")
        parser.add_argument("--think-max", type=float, default=3.0, help="seconds")
        parser.add_argument("--sample-every", type=float, default=30.0, help="memory, seconds")
        parser.add_argument("--json", dest="json_path", help="write the results here")

    def handle(self, *args, **options):
        # A plain `kill` stops the stack too, not only Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
        duration = options["duration"] or (SOAK_SECONDS if options["soak"] else 120)
        processes: list[subprocess.Popen] = []
        cookies: list[str] = []
        try:
            if options["url"]:
                base_url, pids = options["url"].rstrip("/"), {}
            else:
                self.prepare_database(options["families"], fresh=options["fresh"])
                base_url, pids = self.start_stack(processes)
            mix = loadgen.role_mix(options["users"])
            users = self.sign_in(mix, cookies)
            self.stdout.write(
                f"{len(users)} users ({', '.join(f'{n} {role}' for role, n in mix.items())}) "
                f"for {duration} s against {base_url}"
            )
            sampler = loadgen.MemorySampler(pids, every=options["sample_every"])
            if pids:
                sampler.start()
            try:
                result = loadgen.run_load(
                    base_url,
                    users,
                    duration=duration,
                    seed=options["seed"],
                    think=(options["think_min"], options["think_max"]),
                )
            finally:
                memory = sampler.stop() if pids else []
        except KeyboardInterrupt:
            raise CommandError("Interrupted: no report.") from None
        finally:
            run.stop_processes(processes)
            self.sign_out(cookies)
        result.update(
            url=base_url,
            users=mix,
            duration_s=duration,
            families=Family.objects.count(),
            memory=memory,
            memory_growth=loadgen.memory_growth(memory) if memory else None,
        )
        self.print_report(result)
        if options["json_path"]:
            Path(options["json_path"]).write_text(json.dumps(result, indent=2))
            self.stdout.write(f"Wrote {options['json_path']}")

    def prepare_database(self, families: int, *, fresh: bool) -> None:
        """Point this process at `tafcase_load`, migrated and seeded with `families`."""
        connection.settings_dict["TEST"]["NAME"] = LOAD_DATABASE
        create = connection.creation.create_test_db
        create(verbosity=0, autoclobber=True, keepdb=not fresh, serialize=False)
        if Family.objects.count() == families:
            return
        if Family.objects.exists():
            # A different size was asked for: start again rather than add to it.
            connection.creation.destroy_test_db(LOAD_DATABASE, verbosity=0)
            create(verbosity=0, autoclobber=True, serialize=False)
        self.stdout.write(f"Seeding {families} families into {LOAD_DATABASE}…")
        started = time.perf_counter()
        call_command("seed_demo", families=families, stdout=self.stdout)
        self.stdout.write(f"Seeded in {time.perf_counter() - started:.1f} s.")

    def start_stack(self, processes: list[subprocess.Popen]) -> tuple[str, dict[str, int]]:
        """Start gunicorn and a Celery worker on the load database, as `make run` does;
        each process goes into `processes` as soon as it exists, for the caller to stop."""
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": _with_path(embedded.database_url(), f"/{LOAD_DATABASE}"),
            "REDIS_URL": _with_path(embedded.redis_url(), f"/{LOAD_REDIS_DB}"),
        }
        commands = {
            "web": run.web_command(port, access_log=False),
            "worker": run.worker_command("--hostname", "loadtest@%h"),
        }
        logs = embedded.VAR / "log"
        logs.mkdir(parents=True, exist_ok=True)
        for name, command in commands.items():
            with open(logs / f"loadtest-{name}.log", "w") as log:
                processes.append(
                    subprocess.Popen(
                        command,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        cwd=settings.BASE_DIR,
                    )
                )
        base_url = f"http://127.0.0.1:{port}"
        self.wait_until_ready(base_url, processes)
        pids = {name: p.pid for name, p in zip(commands, processes, strict=True)}
        return base_url, pids

    def wait_until_ready(self, base_url: str, processes: list[subprocess.Popen]) -> None:
        """Until the health page says the database, Redis and the worker answer."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in processes):
                raise CommandError("The web server or worker exited: see var/log/loadtest-*.log.")
            try:
                health = requests.get(f"{base_url}/health/?worker=1", timeout=15)
                if health.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise CommandError("The stack was not ready in 120 s: see var/log/loadtest-*.log.")

    def sign_in(self, mix: dict[str, int], session_keys: list[str]) -> list[loadgen.SimUser]:
        """A signed-in session for each simulated user; its key goes into `session_keys`."""
        users = []
        for role, count in mix.items():
            for i in range(count):
                email = f"{ACCOUNTS[role][i % len(ACCOUNTS[role])]}@{DOMAIN}"
                user = User.objects.filter(email=email).first()
                if user is None:
                    raise CommandError(
                        f"No user {email} in this database: the load test signs in as the "
                        "demo users (seed_demo), in the database the server uses."
                    )
                cookies = _signed_in_cookie(user)
                session_keys.extend(cookies.values())
                users.append(loadgen.SimUser(role=role, email=email, cookies=cookies))
        return users

    def sign_out(self, session_keys: list[str]) -> None:
        engine = import_module(settings.SESSION_ENGINE)
        for key in session_keys:
            engine.SessionStore(session_key=key).delete()

    def print_report(self, result: dict) -> None:
        write = self.stdout.write
        users = ", ".join(f"{n} {role}" for role, n in result["users"].items())
        write(f"\n{result['families']} families; {users}; {result['duration_s']} s")
        write(
            f"{result['requests']} requests in {result['elapsed_s']} s: "
            f"{result['throughput_rps']} req/s, {result['errors']} errors"
        )
        write(f"\n{'page':<22}{'count':>7}{'median ms':>11}{'p95 ms':>9}{'errors':>8}")
        for page, row in result["pages"].items():
            write(
                f"{page:<22}{row['count']:>7}{row['median_ms']:>11}{row['p95_ms']:>9}"
                f"{row['errors']:>8}"
            )
        if result["errors_by_status"]:
            write(
                "\nerrors: " + ", ".join(f"{k}: {v}" for k, v in result["errors_by_status"].items())
            )
        if run_state := result.get("datamatch_run"):
            write(f"\ndata-match: {json.dumps(run_state)}")
        if memory := result["memory"]:
            names = list(memory[0]["rss_mb"])
            write(f"\n{'RSS MB at s':<12}" + "".join(f"{n:>9}" for n in names) + f"{'total':>9}")
            for row in memory:
                write(
                    f"{row['t_s']:<12}"
                    + "".join(f"{row['rss_mb'][n]:>9}" for n in names)
                    + f"{row['total_mb']:>9}"
                )
            growth = result["memory_growth"]
            line = f"memory growth: {growth['over_run_mb']:+.1f} MB over the run"
            if len(memory) > 2:
                line += f", {growth['after_warm_up_mb']:+.1f} MB since the first periodic sample"
            write(line)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
