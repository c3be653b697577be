"""GOV.UK Design System forms.

Every Django form renders GOV.UK markup through the templates in templates/django/forms/
(the renderer below looks there first). GovukForm adds the classes and ARIA links that
those templates cannot know by themselves.
"""

import re
from datetime import date
from uuid import uuid4

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


def _widget_class(widget) -> str:
    if isinstance(widget, GovukDateInput):
        return "govuk-date-input"
    return next((c for t, c in WIDGET_CLASSES.items() if isinstance(widget, t)), "govuk-input")


def _in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: "Reason" -> "a reason", "Date of birth" ->
    "date of birth", "NHS number" -> "NHS number"."""
    label = label.removesuffix(" (optional)").rstrip(":?")
    if len(label) > 1 and not label[1].isupper():
        label = label[0].lower() + label[1:]
    if " " not in label and label.isalpha() and label.islower() and not label.endswith("s"):
        label = f"{'an' if label[0] in 'aeiou' else 'a'} {label}"
    return label


# Django's stock messages, replaced with GOV.UK wording named after the field unless a
# form gives its own (error_messages={...} on the field always wins).
_STOCK = {
    "required": str(forms.Field.default_error_messages["required"]),
    "invalid_choice": (
        str(forms.ChoiceField.default_error_messages["invalid_choice"]),
        str(forms.ModelChoiceField.default_error_messages["invalid_choice"]),
    ),
    "invalid_number": (
        str(forms.IntegerField.default_error_messages["invalid"]),
        str(forms.DecimalField.default_error_messages["invalid"]),
    ),
}
_CHOOSING = ("select", "radioselect", "checkboxselectmultiple", "checkbox", "nullbooleanselect")


class GovukBoundField(BoundField):
    """Every field rendered through the GOV.UK renderer: the Design System's class on the
    control (and its error variant), the hint and error linked by aria-describedby, GOV.UK
    error messages and no "---------" placeholder. Here rather than in a form's __init__
    so fields a form adds after its own set-up get the same."""

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        self._govuk_messages()

    def _govuk_messages(self) -> None:
        field, messages = self.field, self.field.error_messages
        what = _in_sentence(str(self.label))
        choosing = self.widget_type in _CHOOSING
        if messages.get("required") == _STOCK["required"]:
            messages["required"] = f"{'Select' if choosing else 'Enter'} {what}"
        if messages.get("invalid_choice") in _STOCK["invalid_choice"]:
            messages["invalid_choice"] = f"Select {what} from the list"  # noqa: S608 (words)
        if messages.get("invalid") in _STOCK["invalid_number"]:
            kind = "a whole number" if isinstance(field, forms.IntegerField) else "a number"
            messages["invalid"] = f"{self._name} must be {kind}"
        name = self._name.replace("%", "%%")  # these messages are formatted with their limits
        messages.setdefault("max_length", f"{name} must be %(limit_value)d characters or fewer")
        messages.setdefault("min_length", f"{name} must be %(limit_value)d characters or more")
        messages.setdefault("min_value", f"{name} must be %(limit_value)s or more")
        messages.setdefault("max_value", f"{name} must be %(limit_value)s or less")
        if getattr(field, "empty_label", None) == "---------":
            field.empty_label = f"Select {what}" if field.required else "None"
        elif isinstance(field, forms.ChoiceField) and any(
            label == "---------" for _value, label in getattr(field, "_choices", ())
        ):
            field.choices = [
                (v, f"Select {what}" if label == "---------" else label)
                for v, label in field.choices
            ]

    @property
    def _name(self) -> str:
        return str(self.label).removesuffix(" (optional)")

    @property
    def aria_describedby(self):
        if self.field.widget.attrs.get("aria-describedby") or not self.auto_id:
            return None
        ids = [f"{self.auto_id}-hint"] if self.help_text else []
        if self.errors:
            ids.append(f"{self.auto_id}-error")
        return " ".join(ids)

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        css = _widget_class(widget)
        if css:
            if self.errors and not css.endswith("__input"):
                css = f"{css} {css}--error"
            # These attrs replace the widget's own, so keep its classes (widths) too.
            own = f"{widget.attrs.get('class', '')} {attrs.get('class', '')}".split()
            attrs["class"] = " ".join(dict.fromkeys([*css.split(), *own]))
        return attrs


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "django/forms/govuk.html"
    field_template_name = "django/forms/govuk_field.html"
    bound_field_class = GovukBoundField


WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.RadioSelect: "",
    forms.CheckboxSelectMultiple: "",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
    forms.HiddenInput: "",
}


class GovukFormMixin:
    """Marks a form as rendered by the GOV.UK renderer (GovukBoundField does the work)."""

    default_renderer = GovukFormRenderer


class GovukForm(GovukFormMixin, forms.Form):
    """Base for every plain form in tafcase."""


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    """Base for every model form in tafcase."""


class AutocompleteSelect(forms.Select):
    """A select of many people: static/autocomplete.js turns it into a type-ahead
    (accessible-autocomplete) where JavaScript runs; otherwise it is a plain select."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-autocomplete": "", **(attrs or {})}, choices)


class GovukDateInput(forms.Widget):
    """The GOV.UK date input: day, month and year boxes in a fieldset.

    The boxes post as ``<name>-day``, ``<name>-month`` and ``<name>-year``; the day box
    takes the field's own id so the error summary's link lands on it. A single value
    under the field's own name ("25 11 2026", "2026-11-25") is taken too, so links and
    scripts that send one date keep working.
    """

    template_name = "django/forms/widgets/govuk_date.html"
    use_fieldset = True
    PARTS = ("day", "month", "year")

    def format_value(self, value):
        if isinstance(value, date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        if isinstance(value, (list, tuple)) and len(value) == 3:
            return dict(zip(self.PARTS, (v or "" for v in value), strict=True))
        if isinstance(value, str) and value:
            parsed = _split_date(value)
            if parsed:
                return dict(zip(self.PARTS, parsed, strict=True))
        return {"day": "", "month": "", "year": ""}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"]["id"] = widget_id
        error = "--error" in context["widget"]["attrs"].get("class", "")
        context["widget"]["parts"] = [
            {
                "name": f"{name}-{part}",
                "id": widget_id if part == "day" else f"{widget_id}-{part}",
                "label": part.capitalize(),
                "value": context["widget"]["value"][part],
                "width": 4 if part == "year" else 2,
                "error": error,
            }
            for part in self.PARTS
        ]
        return context

    def value_from_datadict(self, data, files, name):
        parts = [data.get(f"{name}-{part}") for part in self.PARTS]
        if any(p is not None for p in parts):
            return tuple((p or "").strip() for p in parts)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}-{p}" in data for p in self.PARTS)


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}


def _split_date(text: str) -> tuple[str, str, str] | None:
    """Day, month and year from one typed date: "25 11 2026", "25/11/2026", "25 Nov 2026"
    or the ISO "2026-11-25". None when it is not three parts."""
    bits = re.findall(r"[0-9]+|[A-Za-z]+", text)
    if len(bits) != 3:
        return None
    if len(bits[0]) == 4 and bits[0].isdigit():
        bits = [bits[2], bits[1], bits[0]]
    return bits[0], _month_number(bits[1]), bits[2]


def _month_number(text: str) -> str:
    """ "11", or a month's name ("Nov", "november") as its number."""
    month = _MONTHS.get(text[:3].lower()) if text.isalpha() else None
    return str(month) if month else text


class GovukDateField(forms.DateField):
    """A date typed into the GOV.UK date input, with the Design System's error messages
    named after the field: "Date of the meeting must include a month"."""

    widget = GovukDateInput

    @property
    def _name(self) -> str:
        return str(self.label or "Date")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            parts = _split_date(value)
            if parts is None:
                raise forms.ValidationError(f"{self._name} must be a real date", code="invalid")
        else:
            day, month, year = value
            parts = (day, _month_number(month), year)
        if not any(parts):
            return None
        missing = [p for p, v in zip(GovukDateInput.PARTS, parts, strict=True) if not v]
        if missing:
            raise forms.ValidationError(
                f"{self._name} must include a {' and '.join(missing)}", code="incomplete"
            )
        day, month, year = parts
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise forms.ValidationError(f"{self._name} must be a real date", code="invalid")
        if len(year) != 4:
            raise forms.ValidationError("Year must include 4 numbers", code="invalid")
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(
                f"{self._name} must be a real date", code="invalid"
            ) from None


def _new_key() -> str:
    return uuid4().hex


class IdempotencyKeyField(forms.CharField):
    """A hidden field holding a fresh key each time a create form is shown, so a form sent
    twice (a double click, the back button) makes one record: the create service claims
    the key (tafcase.idempotency). A form redisplayed with errors keeps its key, as the
    failed attempt released it. Optional, so a form from an older page still works."""

    def __init__(self, **kwargs):
        super().__init__(
            widget=forms.HiddenInput,
            required=False,
            max_length=100,
            initial=_new_key,
            **kwargs,
        )

    def clean(self, value):
        return super().clean(value) or None
