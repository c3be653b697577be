"""Navigation by role: one list, in one place.

Each item names the roles that see it; an empty tuple means every signed-in user.
Apps add their pages here as they arrive.
"""

from dataclasses import dataclass

from django.urls import reverse

from tafcase.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...] = ()


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "home"),
    NavItem("Families", "families:caseload"),
    NavItem("Search", "families:search"),
    NavItem("Casework", "outcomes:dashboard", (Role.KEY_WORKER, Role.COORDINATOR)),
    NavItem("Nominations", "eligibility:nominations"),
    NavItem(
        "Panels",
        "eligibility:panels",
        (Role.PANEL_CHAIR, Role.PANEL_MEMBER, Role.COORDINATOR, Role.AUDITOR),
    ),
    NavItem(
        "Claims",
        "claims:windows",
        (Role.COORDINATOR, Role.DATA_ANALYST, Role.AUDITOR, Role.MANAGER),
    ),
    NavItem(
        "Reports",
        "reporting:reports",
        (Role.COORDINATOR, Role.DATA_ANALYST, Role.AUDITOR, Role.MANAGER),
    ),
    NavItem("Partner data", "datamatch:imports", (Role.DATA_ANALYST, Role.COORDINATOR)),
    NavItem("Set up your council", "council", (Role.ADMINISTRATOR,)),
    NavItem("Rulebook", "eligibility:frameworks", (Role.ADMINISTRATOR,)),
    NavItem("Audit log", "audit-log", (Role.AUDITOR, Role.ADMINISTRATOR)),
    NavItem("API", "api-docs", (Role.DATA_ANALYST, Role.ADMINISTRATOR)),
    NavItem("Administration", "admin:index", (Role.ADMINISTRATOR,)),
)


def navigation_for(user, current_path: str) -> list[dict]:
    items = []
    for item in NAVIGATION:
        if item.roles and not user.has_role(*item.roles):
            continue
        href = reverse(item.url_name)
        current = current_path == href if href == "/" else current_path.startswith(href)
        items.append({"text": item.label, "href": href, "active": current})
    return items
