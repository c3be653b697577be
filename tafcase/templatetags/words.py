"""Template filters that show codes as words."""

from django import template

register = template.Library()


@register.filter
def named(code, names: dict):
    """``{{ code|named:criteria_names }}``: a code's name from a {code: name} dict the
    view gave, or the code itself when the dict has none. Lists give a comma-joined list."""
    if isinstance(code, list | tuple):
        return ", ".join(str(names.get(c, c)) for c in code)
    return names.get(code, code)
