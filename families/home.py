"""The home-page panels of families (tafcase.home): a key worker's own families and the
families shared with a partner's agency."""

from django.urls import reverse

from families import selectors
from families.access import families_visible_to
from families.models import Family
from tafcase.accounts.models import Role
from tafcase.home import Figure, LivePanel, register_home_panel


def my_families_figures(user) -> list[Figure]:
    mine = selectors.caseload(user, mine_only=True)
    url = f"{reverse('families:caseload')}?show=mine"
    return [
        Figure("Families you lead or key-work", str(mine.count()), url),
        Figure(
            "Of them active on the programme",
            str(mine.filter(status=Family.Status.ACTIVE).count()),
            url,
        ),
    ]


def shared_families_figures(user) -> list[Figure]:
    return [
        Figure(
            "Families shared with your agency",
            str(families_visible_to(user).count()),
            f"{reverse('families:caseload')}?show=all",
        )
    ]


def register() -> None:
    register_home_panel(
        Role.KEY_WORKER,
        LivePanel("My families", my_families_figures, ("Open my families", "families:caseload")),
    )
    register_home_panel(
        Role.PARTNER_PRACTITIONER,
        LivePanel("Families shared with your agency", shared_families_figures),
    )
