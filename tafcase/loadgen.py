"""The load generator behind `manage.py loadtest`: simulated users over real HTTP.

Each simulated user is a thread with its own `requests` session (already signed in: the
command hands it a session cookie) and its own seeded random generator. It repeats its
role's round of pages, pausing a random think time between requests, until the run's
deadline. Every request is timed and recorded under a page name; `Stats` turns the
samples into counts, medians, 95th percentiles and error counts. `MemorySampler` reads
the resident memory of the server processes while the users run.

Nothing here imports Django: the command builds the database, the stack and the signed-in
sessions, and this module only needs a base URL and cookies.
"""

from __future__ import annotations

import math
import random
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import psutil
import requests

# --- statistics -------------------------------------------------------------------------


def percentile(values: Iterable[float], pct: float) -> float:
    """The nearest-rank percentile: the smallest sample that at least `pct` per cent of
    the samples are less than or equal to (so p95 of 20 samples is the 19th smallest)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no samples")
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def is_error(status: int | str) -> bool:
    """A request failed if it got no response (status is the exception's name) or a
    status outside 2xx/3xx."""
    return not isinstance(status, int) or not 200 <= status < 400


class Stats:
    """Thread-safe request samples, per page name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: dict[str, list[float]] = {}
        self._statuses: dict[str, Counter] = {}
        self._failures: dict[str, Counter] = {}

    def record(self, page: str, ms: float, status: int | str, *, failure: str = "") -> None:
        """One request. `failure` marks a request as failed whatever its status (a form
        that was refused, a redirect to the sign-in page) and says how."""
        failure = failure or (str(status) if is_error(status) else "")
        with self._lock:
            self._times.setdefault(page, []).append(ms)
            self._statuses.setdefault(page, Counter())[str(status)] += 1
            if failure:
                self._failures.setdefault(page, Counter())[failure] += 1

    def summary(self, elapsed_s: float) -> dict:
        with self._lock:
            pages = {}
            for page in sorted(self._times):
                times = self._times[page]
                failures = self._failures.get(page, Counter())
                pages[page] = {
                    "count": len(times),
                    "median_ms": round(statistics.median(times), 1),
                    "p95_ms": round(percentile(times, 95), 1),
                    "errors": sum(failures.values()),
                    "statuses": dict(sorted(self._statuses[page].items())),
                    "failures": dict(sorted(failures.items())),
                }
        total = sum(row["count"] for row in pages.values())
        errors = Counter()
        for row in pages.values():
            errors.update(row["failures"])
        return {
            "requests": total,
            "elapsed_s": round(elapsed_s, 1),
            "throughput_rps": round(total / elapsed_s, 2) if elapsed_s else 0.0,
            "errors": sum(errors.values()),
            "errors_by_status": dict(sorted(errors.items())),
            "pages": pages,
        }


# --- memory -----------------------------------------------------------------------------


def tree_rss(pid: int) -> int:
    """Resident memory in bytes of a process and all its descendants (gunicorn's master
    and workers, Celery's main process and pool); 0 if the process has gone."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


class MemorySampler:
    """Samples `tree_rss` of named processes now, every `every` seconds, and at stop()."""

    def __init__(self, pids: dict[str, int], every: float = 30.0):
        self.pids, self.every = pids, every
        self.samples: list[dict] = []
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> dict:
        rss = {name: round(tree_rss(pid) / 2**20, 1) for name, pid in self.pids.items()}
        row = {
            "t_s": round(time.monotonic() - self._started, 1),
            "rss_mb": rss,
            "total_mb": round(sum(rss.values()), 1),
        }
        self.samples.append(row)
        return row

    def start(self) -> None:
        self._started = time.monotonic()
        self.sample()
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def stop(self) -> list[dict]:
        self._stop.set()
        self._thread.join()
        if time.monotonic() - self._started - self.samples[-1]["t_s"] > 1:
            self.sample()
        return self.samples


def memory_growth(samples: list[dict]) -> dict:
    """Growth of the total over the run, and since the first periodic sample: the
    processes load code and fill caches in the first minutes, which is not a leak, so a
    soak is judged by the second figure."""
    first, last = samples[0]["total_mb"], samples[-1]["total_mb"]
    warm = samples[1]["total_mb"] if len(samples) > 2 else first
    return {"over_run_mb": round(last - first, 1), "after_warm_up_mb": round(last - warm, 1)}


# --- simulated users --------------------------------------------------------------------


class _TimeUp(Exception):
    """The run's deadline passed: the user stops where it is."""


SIGN_IN_PATH = "/account/sign-in/"
SEARCHES = ["Smith", "NB3", "Walker", "Begum", "Kowalski", "Olivia", "NB7 2", "Jordan Hall"]
_FAMILY_LINK = re.compile(r'href="/families/(\d+)/"')
_NOMINATION_LINK = re.compile(r'href="/nominations/(\d+)/"')
_RUN_LINK = re.compile(r'href="/data/runs/(\d+)/"')
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class SimUser:
    """One simulated user: a role (a key of SCENARIOS), who it signs in as, and the
    cookies of a session already signed in."""

    role: str
    email: str
    cookies: dict[str, str]


@dataclass
class Shared:
    """What the users of one run share: the analyst's one data-match run."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    run_claimed: bool = False
    datamatch: dict = field(default_factory=dict)


class Browser:
    """A signed-in user's session that times and records every request, and thinks
    between them."""

    def __init__(self, base_url: str, user: SimUser, stats: Stats, *, rng, deadline, think):
        self.base_url = base_url.rstrip("/")
        self.stats, self.rng, self.deadline, self.think_range = stats, rng, deadline, think
        self.session = requests.Session()
        for name, value in user.cookies.items():
            self.session.cookies.set(name, value)

    def think(self) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _TimeUp
        time.sleep(min(remaining, self.rng.uniform(*self.think_range)))

    def request(self, page: str, method: str, path: str, *, expect=None, **kwargs):
        """Time one request (redirects are not followed: each one is a request of its
        own). A redirect to the sign-in page is a failure: the session was lost."""
        if time.monotonic() >= self.deadline:
            raise _TimeUp
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, self.base_url + path, allow_redirects=False, timeout=60, **kwargs
            )
        except requests.RequestException as exc:
            self.stats.record(page, (time.perf_counter() - started) * 1000, type(exc).__name__)
            return None
        ms = (time.perf_counter() - started) * 1000
        status = response.status_code
        failure = ""
        if response.headers.get("Location", "").startswith(SIGN_IN_PATH):
            failure = f"{status} to sign-in"
        elif expect and status not in expect:
            failure = f"{status} (expected {'/'.join(map(str, expect))})"
        self.stats.record(page, ms, status, failure=failure)
        return response

    def get(self, page: str, path: str, **kwargs):
        response = self.request(page, "GET", path, **kwargs)
        self.think()
        return response

    def post_form(self, page: str, path: str, data: dict, *, form_response, expect=(302,)):
        """Submit the form in `form_response` (a page already fetched) with `data`."""
        token = _CSRF.search(form_response.text) if form_response is not None else None
        if token is None:
            return None
        response = self.request(
            page,
            "POST",
            path,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            headers={"Referer": self.base_url + path},
            expect=expect,
        )
        self.think()
        return response


def _ids(pattern: re.Pattern, response) -> list[int]:
    if response is None or response.status_code != 200:
        return []
    return sorted({int(found) for found in pattern.findall(response.text)})


def key_worker_round(browser: Browser, shared: Shared) -> None:
    """Caseload, one family they work with, its plan or assessments, sometimes a note."""
    rng = browser.rng
    families = _ids(_FAMILY_LINK, browser.get("caseload", "/families/"))
    if not families:
        families = _ids(_FAMILY_LINK, browser.get("caseload", "/families/?show=all"))
    if not families:
        return
    family = rng.choice(families)
    browser.get("family", f"/families/{family}/")
    if rng.random() < 0.5:
        browser.get("plan", f"/families/{family}/plan/")
    else:
        browser.get("assessments", f"/families/{family}/assessments/")
    if rng.random() < 0.4:
        path = f"/families/{family}/notes/new/"
        form = browser.get("note_form", path)
        note = {
            "contact_type": rng.choice(["phone", "home_visit", "message", "office"]),
            "contact_date": date.today().isoformat(),  # noqa: DTZ011 - the server's date too
            "text": "Spoke with the family about school attendance and the next review.",
            "confidentiality": "normal",
        }
        browser.post_form("note_save", path, note, form_response=form)


def partner_round(browser: Browser, shared: Shared) -> None:
    """The families shared with their agency, one of them, sometimes its plan or a search."""
    rng = browser.rng
    families = _ids(_FAMILY_LINK, browser.get("shared_families", "/families/"))
    if families:
        family = rng.choice(families)
        browser.get("family", f"/families/{family}/")
        if rng.random() < 0.3:
            browser.get("plan", f"/families/{family}/plan/")
    if rng.random() < 0.3:
        browser.get("search", "/families/search/", params={"q": rng.choice(SEARCHES)})


def coordinator_round(browser: Browser, shared: Shared) -> None:
    """Nominations, one screening page, the casework dashboard, a search."""
    rng = browser.rng
    nominations = _ids(_NOMINATION_LINK, browser.get("nominations", "/nominations/"))
    if nominations:
        browser.get("screening", f"/nominations/{rng.choice(nominations)}/screen/")
    browser.get("casework", "/casework/")
    browser.get("search", "/families/search/", params={"q": rng.choice(SEARCHES)})


def analyst_round(browser: Browser, shared: Shared) -> None:
    """Data-match pages; the first analyst to get here starts the run's one data-match
    and watches its progress until it finishes (or the run's time is up)."""
    browser.get("datamatch_imports", "/data/")
    runs = browser.get("datamatch_runs", "/data/runs/")
    with shared.lock:
        start, shared.run_claimed = not shared.run_claimed, True
    if start:
        _start_and_watch_run(browser, shared, runs)
    browser.get("datamatch_review", "/data/review/")
    run_ids = _ids(_RUN_LINK, runs)
    if run_ids:
        browser.get("datamatch_run", f"/data/runs/{browser.rng.choice(run_ids)}/")


def _start_and_watch_run(browser: Browser, shared: Shared, form) -> None:
    started = time.monotonic()
    as_of = {"as_of": date.today().isoformat()}  # noqa: DTZ011 - the form's own default
    response = browser.post_form("datamatch_start", "/data/runs/", as_of, form_response=form)
    found = (
        re.match(r"/data/runs/(\d+)/", response.headers.get("Location", "")) if response else None
    )
    if found is None:
        shared.datamatch = {"status": "not started"}
        return
    run_id = int(found.group(1))
    shared.datamatch = {"run": run_id, "status": "queued"}
    while True:
        progress = browser.get("datamatch_progress", f"/data/runs/{run_id}/progress.json")
        if progress is not None and progress.status_code == 200:
            state = progress.json()
            shared.datamatch = {
                "run": run_id,
                "status": state["status"],
                "stage": state["stage"],
                "percent": state["percent"],
                "watched_s": round(time.monotonic() - started, 1),
            }
            if state["status"] in ("succeeded", "failed"):
                return


SCENARIOS: dict[str, Callable[[Browser, Shared], None]] = {
    "key_worker": key_worker_round,
    "partner": partner_round,
    "coordinator": coordinator_round,
    "analyst": analyst_round,
}


def role_mix(users: int) -> dict[str, int]:
    """How many simulated users of each role: one analyst (running the data-match), and
    the rest about half key workers, three in ten partner practitioners, two in ten
    coordinators (the shape of a programme's staff, most of them front line)."""
    if users < 1:
        raise ValueError("at least one user")
    analysts = 1
    rest = users - analysts
    key_workers = round(rest * 0.5)
    partners = round(rest * 0.3)
    return {
        "key_worker": key_workers,
        "partner": partners,
        "coordinator": rest - key_workers - partners,
        "analyst": analysts,
    }


def run_load(
    base_url: str,
    users: list[SimUser],
    *,
    duration: float,
    seed: int = 2026,
    think: tuple[float, float] = (1.0, 3.0),
) -> dict:
    """Run every user until `duration` seconds have passed; the statistics as a dict."""
    stats, shared = Stats(), Shared()
    deadline = time.monotonic() + duration

    def simulate(index: int, user: SimUser) -> None:
        rng = random.Random(f"{seed}:{index}")
        browser = Browser(base_url, user, stats, rng=rng, deadline=deadline, think=think)
        scenario = SCENARIOS[user.role]
        try:
            # Users arrive over the first think time, not all in the same instant.
            time.sleep(rng.uniform(0, think[1]))
            while True:
                scenario(browser, shared)
                browser.think()
        except _TimeUp:
            pass
        finally:
            browser.session.close()

    threads = [
        threading.Thread(target=simulate, args=(i, user), name=f"user-{i}", daemon=True)
        for i, user in enumerate(users)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = stats.summary(time.monotonic() - started)
    result["datamatch_run"] = shared.datamatch
    return result
