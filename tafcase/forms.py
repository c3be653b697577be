"""GOV.UK Design System forms.

Every Django form renders GOV.UK markup through the templates in templates/django/forms/
(the renderer below looks there first). GovukForm adds the classes and ARIA links that
those templates cannot know by themselves.
"""

from django import forms
from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "django/forms/govuk.html"
    field_template_name = "django/forms/govuk_field.html"


WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.RadioSelect: "",
    forms.CheckboxSelectMultiple: "",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
}


class GovukFormMixin:
    """GOV.UK classes, error states and described-by links on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = next(
                (c for t, c in WIDGET_CLASSES.items() if isinstance(widget, t)), "govuk-input"
            )
            if css and name in self.errors:
                css += f" {css}--error"
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            described = []
            if field.help_text:
                described.append(f"id_{name}-hint")
            if name in self.errors:
                described.append(f"id_{name}-error")
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)


class GovukForm(GovukFormMixin, forms.Form):
    """Base for every plain form in tafcase."""


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    """Base for every model form in tafcase."""


class DateInput(forms.DateInput):
    """A native date picker; accepts typed dates as YYYY-MM-DD (what browsers send)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"class": "govuk-input--width-10", **(attrs or {})}, format="%Y-%m-%d"
        )
