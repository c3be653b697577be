"""Live home-page panels. Apps sit above tafcase, so each registers its own panels from
its AppConfig.ready (register_home_panel) and the home view asks every panel registered
for the user's roles for its figures. A panel's figures are counted from the app's
selectors, which start from what the user may open, so nobody is told of records they
could not see."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One line of a panel: '3' 'reviews overdue', linking to the list it counts."""

    label: str
    value: str
    url: str | None = None


@dataclass(frozen=True)
class LivePanel:
    heading: str
    figures: Callable[[Any], list[Figure]]
    link: tuple[str, str] | None = None  # (link text, URL name)


_panels: dict[str, list[LivePanel]] = {}


def register_home_panel(role: str, panel: LivePanel) -> None:
    """Show `panel` on the home page of everyone with `role`, after those registered
    before it (apps are ready in INSTALLED_APPS order)."""
    registered = _panels.setdefault(role, [])
    if all(p.heading != panel.heading for p in registered):
        registered.append(panel)


def live_panels(role: str) -> list[LivePanel]:
    return list(_panels.get(role, []))
