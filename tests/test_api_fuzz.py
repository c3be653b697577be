"""A bounded property-based test of the whole API, from its own OpenAPI schema.

Schemathesis generates requests for every operation in ``/api/schema/`` — data that fits
the schema and data that does not — and sends them in-process to the WSGI application,
signed in as the programme coordinator of a small synthetic authority. Any 5xx fails the
test: bad input must be answered 400 or 404, never a server error.

``FUZZ_EXAMPLES`` sets the examples per operation (default 3, which keeps the test well
under two minutes); ``make fuzz`` runs it with 20, a fresh random seed and the coverage
cases, and prints ``N server errors over M operations`` (``FUZZ_STATUSES=1`` also lists
every answer by operation and status).
"""

import contextlib
import logging
import os
import sys
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import NO_FEEDBACK
from schemathesis.generation.modes import GenerationMode
from schemathesis.generation.overrides import Override

from eligibility import services as eligibility_services
from eligibility.models import Nomination
from outcomes import services as outcome_services
from tafcase.accounts.services import api_token_create
from tests.families.conftest import TODAY, World, make_family, world  # noqa: F401
from tests.outcomes.conftest import active  # noqa: F401

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# Schemathesis's coverage phase (boundary values: empty, longest, just too long, wrong
# type) on top, in `make fuzz`: some hundreds of requests more per run.
COVERAGE = os.environ.get("FUZZ_COVERAGE", "") != ""
# The bounded run in `make test` is repeatable; `make fuzz` explores afresh each time.
DERANDOMIZE = os.environ.get("FUZZ_RANDOM", "") == ""


@dataclass
class ServerErrors:
    """5xx answers, with where the exception behind each was raised."""

    by_operation: Counter = field(default_factory=Counter)
    causes: Counter = field(default_factory=Counter)
    # Every answer, by operation and status: shows how far generated requests got.
    statuses: Counter = field(default_factory=Counter)
    _last_cause: str = ""

    def record_exception(self, sender, request=None, **kwargs):
        error = traceback.TracebackException.from_exception(_current_exception())
        frames = [f for f in error.stack if "/site-packages/" not in f.filename] or error.stack
        where = frames[-1]
        self._last_cause = (
            f"{error.exc_type.__name__} at {os.path.relpath(where.filename)}:{where.lineno}"
        )

    def record_response(self, label: str, status: int) -> None:
        self.by_operation[label] += 1
        self.causes[(label, status, self._last_cause or "no exception")] += 1
        self._last_cause = ""

    @property
    def total(self) -> int:
        return sum(self.by_operation.values())


def _current_exception() -> BaseException:
    exc = sys.exc_info()[1]
    assert exc is not None
    return exc


@pytest.fixture
def fuzz_world(active: World):  # noqa: F811 - the imported fixture
    """The families world, active on the programme, with a record of each kind the API
    reaches by id, so that generated requests meet real objects as well as missing ones."""
    w = active
    nomination = eligibility_services.nomination_submit(
        actor=w.coordinator,
        local_authority=w.family.local_authority,
        route=Nomination.Route.REFERRAL,
        family_name="Fuzzed family",
        members=[{"forename": "Alex", "surname": "Fuzzed", "role": "parent_carer"}],
        reason="Synthetic nomination for the API fuzz test.",
        postcode="NB1 1AA",
        consent_given_on=TODAY,
        consent_given_by=0,
    )
    assessment = outcome_services.assessment_start(actor=w.coordinator, family=w.family)
    goal = outcome_services.goal_add(
        actor=w.coordinator,
        family=w.family,
        title="Get to school every day",
        criterion="education",
        target="Attendance above 90%",
    )
    action = outcome_services.action_add(
        actor=w.coordinator,
        goal=goal,
        description="Morning routine plan",
        due_on=TODAY + timedelta(days=14),
        owner_person=w.parent,
    )
    review = outcome_services.review_record(
        actor=w.coordinator, family=w.family, held_on=TODAY, decisions="Carry on"
    )
    spend = outcome_services.spend_record(
        actor=w.coordinator,
        family=w.family,
        spent_on=TODAY,
        purpose="Alarm clock",
        amount=Decimal("12.50"),
    )
    ids = {
        "families": w.family.pk,
        "people": w.parent.pk,
        "memberships": w.membership.pk,
        "consents": w.consent.pk,
        "involvements": w.involvement.pk,
        "notes": w.note.pk,
        "nominations": nomination.pk,
        "assessments": assessment.pk,
        "goals": goal.pk,
        "actions": action.pk,
        "reviews": review.pk,
        "budget-items": spend.pk,
    }
    return w, ids


# Ids a request body or query names, and the kind of record each should point at.
BODY_IDS = {"family": "families", "goal": "goals", "given_by": "people", "person": "people"}


def _aim_at_real_records(case, ids: dict[str, int]) -> None:
    """Point a generated request at records that exist: its path id at the record of its
    kind, and the ids in its query or body (`family`, `goal`…) at records of theirs."""
    kind = case.operation.path.split("/")[2]
    if case.path_parameters and "id" in case.path_parameters and kind in ids:
        case.path_parameters["id"] = ids[kind]
    for values in (case.query, case.body):
        if isinstance(values, dict):
            for name, target in BODY_IDS.items():
                if name in values:
                    values[name] = ids[target]


def test_api_never_answers_a_server_error(client, fuzz_world):
    w, ids = fuzz_world
    client.force_login(w.coordinator)
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(response.json())
    app = get_wsgi_application()
    _, secret = api_token_create(user=w.coordinator, name="Fuzz", days=1, ip=None)
    headers = {"Authorization": f"Token {secret}"}
    errors = ServerErrors()
    operations = [result.ok() for result in schema.get_all_operations()]
    # As Django's test client does: the WSGI handler would otherwise close the test's
    # database connection, and its transaction, after each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(errors.record_exception)
    # Thousands of 400s and 404s are the point; the summary below names the 5xx.
    request_log = logging.getLogger("django.request")
    request_log.disabled = True
    try:
        for operation in operations:
            _fuzz_operation(operation, app, headers, errors, ids)
    finally:
        request_log.disabled = False
        got_request_exception.disconnect(errors.record_exception)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    summary = f"{errors.total} server errors over {len(operations)} operations"
    # The report `make fuzz` shows (run with -s): the summary line, then each cause.
    report = [
        "",
        summary,
        f"  on {len(errors.by_operation)} of them, in {sum(errors.statuses.values())} requests",
    ]
    if os.environ.get("FUZZ_STATUSES"):
        report += [
            f"  {count:4d} × {status} {label}"
            for (label, status), count in sorted(errors.statuses.items())
        ]
    report += [
        f"  {count:4d} × {status} {label}: {cause}"
        for (label, status, cause), count in sorted(errors.causes.items())
    ]
    sys.stdout.write("\n".join(report) + "\n")
    assert errors.total == 0, (
        summary
        + "\n"
        + "\n".join(
            f"{status} {label}: {cause}" for (label, status, cause) in sorted(errors.causes)
        )
    )


def _fuzz_operation(operation, app, headers, errors: ServerErrors, ids) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    # Some operations have nothing that could be made invalid.
    with contextlib.suppress(Exception):
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    calls = Counter()

    def send(case):
        calls["n"] += 1
        # Every other request goes to records that exist, so validation of real
        # objects is exercised as well as the 404 for missing ones.
        if calls["n"] % 2 == 0:
            _aim_at_real_records(case, ids)
        response = case.call(app=app, headers=headers)
        errors.statuses[(label, response.status_code)] += 1
        if response.status_code >= 500:
            errors.record_response(label, response.status_code)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def check(case):
        send(case)

    check()
    if COVERAGE:
        for case in CoverageGenerator(
            operation=operation,
            generation_modes=list(GenerationMode),
            generation_config=operation.schema.config.generation_for(
                operation=operation, phase="coverage"
            ),
            auth_storage=None,
            override=Override(),
            feedback=NO_FEEDBACK,
        ):
            send(case)
