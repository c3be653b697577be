from django import template

from reporting.rules import Unit, shown

register = template.Library()


@register.filter
def count_shown(value, suppress: bool) -> str:
    """A count as a reader sees it: "<5" for 1 to 4 outside the programme team."""
    return shown(value, Unit.COUNT, suppress=bool(suppress))
