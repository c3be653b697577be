"""The families `world` (lead key worker, police TAF partner, school outsider,
coordinator, auditor), with the family active on the programme; and the claims tests'
team, windows and claims at each stage, shared by the service, page and API tests."""

from datetime import timedelta

import pytest

from families import services as family_services
from families.models import Family
from outcomes.claims import services
from outcomes.claims.models import Claim
from tafcase.accounts.models import Role
from tests.families.conftest import TODAY, World, make_family, world  # noqa: F401


@pytest.fixture
def active(world: World) -> World:  # noqa: F811 - the imported fixture
    family = world.family
    for status in ("screening", "eligible", "awaiting_panel", "active"):
        family_services.family_transition(actor=world.coordinator, family=family, to_status=status)
    Family.objects.filter(pk=family.pk).update(
        programme_start=TODAY - timedelta(days=60), tier=Family.Tier.HIGH_COMPLEX
    )
    world.family.refresh_from_db()
    return world


@pytest.fixture
def team(active: World, make_user, make_family):  # noqa: F811
    """The world, with two more attached families and a second coordinator and manager."""
    w = active
    for n in range(2):
        f = make_family(w.coordinator, name=f"Attached {n}")
        Family.objects.filter(pk=f.pk).update(
            programme_start=TODAY - timedelta(days=90 + n), status=Family.Status.ACTIVE
        )
    early_help = w.agencies["early_help"]
    w.second = make_user(Role.COORDINATOR, agency=early_help, email="second@example.test")
    w.manager = make_user(Role.MANAGER, agency=early_help, email="manager@example.test")
    return w


@pytest.fixture
def people(team, make_user):
    """The team, with a data analyst and a key worker of another family."""
    early_help = team.agencies["early_help"]
    team.analyst = make_user(Role.DATA_ANALYST, agency=early_help, email="analyst@example.test")
    team.other_worker = make_user(Role.KEY_WORKER, agency=early_help, email="kw2@example.test")
    return team


def open_window(w, **kw):
    return services.claim_window_open(
        actor=w.coordinator,
        authority=w.family.local_authority,
        name=kw.pop("name", "Quarter 3"),
        cutoff_date=kw.pop("cutoff_date", TODAY),
        deadline=kw.pop("deadline", TODAY + timedelta(days=30)),
        **kw,
    )


def run(w, window):
    started = services.claim_run_start(actor=w.coordinator, window=window, queue=False)
    return services.claim_run_execute(run_id=started.pk)


def validate_all(w, window):
    for claim in Claim.objects.filter(window=window, status="proposed"):
        services.claim_validate(actor=w.coordinator, claim=claim)


@pytest.fixture
def proposed(people):
    """An open window with its claims proposed."""
    window = open_window(people)
    run(people, window)
    return people, window, Claim.objects.filter(window=window).order_by("pk").first()


@pytest.fixture
def submitted(people):
    """A submitted window: every claim validated, sampled claims passed, declared."""
    window = open_window(people)
    run(people, window)
    validate_all(people, window)
    for pk in services.window_sample_draw(actor=people.coordinator, window=window, seed=1):
        services.claim_audit_decide(
            actor=people.auditor, claim=Claim.objects.get(pk=pk), passed=True, note="Fine"
        )
    services.window_declare(actor=people.manager, window=window)
    services.window_submit(actor=people.coordinator, window=window)
    return people, window, Claim.objects.filter(window=window).order_by("pk").first()
