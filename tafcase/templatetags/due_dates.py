"""How a due date reads everywhere: "Overdue since 3 September 2025" for a date before
today, "Due 12 December 2026" otherwise. One wording, so the caseload, the family page and
the casework due list say the same of the same date."""

from datetime import date

from django import template
from django.utils import timezone

register = template.Library()


def due_text(due_on: date | None, as_of: date) -> str:
    if due_on is None:
        return "Not scheduled"
    if due_on < as_of:
        return f"Overdue since {due_on:%-d %B %Y}"
    return f"Due {due_on:%-d %B %Y}"


@register.filter
def due(due_on: date | None) -> str:
    return due_text(due_on, timezone.localdate())


@register.filter
def is_overdue(due_on: date | None) -> bool:
    return due_on is not None and due_on < timezone.localdate()
