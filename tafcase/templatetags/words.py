"""Template filters that show codes as words."""

from datetime import date, datetime

from django import template

register = template.Library()


@register.filter
def named(code, names: dict):
    """``{{ code|named:criteria_names }}``: a code's name from a {code: name} dict the
    view gave, or the code itself when the dict has none. Lists give a comma-joined list."""
    if isinstance(code, list | tuple):
        return ", ".join(str(names.get(c, c)) for c in code)
    return names.get(code, code)


@register.filter
def iso(text: str | None) -> date | datetime | None:
    """``{{ "2026-12-01"|iso|date:"j F Y" }}``: an ISO date or date-time kept as text (an
    export's data) read back, so a page shows it as a date in words. Empty stays empty."""
    if not text:
        return None
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
