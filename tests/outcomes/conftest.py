"""The families `world` (lead key worker, police TAF partner, school outsider,
coordinator, auditor), with the family active on the programme."""

from datetime import timedelta

import pytest

from families import services as family_services
from families.models import Family
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
