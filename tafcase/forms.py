"""GOV.UK Design System forms.

Every Django form renders GOV.UK markup through the templates in templates/django/forms/
(the renderer below looks there first). GovukForm adds the classes and ARIA links that
those templates cannot know by themselves.
"""

from uuid import uuid4

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
    """GOV.UK classes, error states and described-by links on every widget.

    Error states are added after validation (full_clean), never in __init__: touching
    `errors` there would validate the form before subclasses finish setting it up.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = self._widget_class(field.widget)
            if css:
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}-hint"

    @staticmethod
    def _widget_class(widget) -> str:
        return next((c for t, c in WIDGET_CLASSES.items() if isinstance(widget, t)), "govuk-input")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            field = self.fields.get(name)
            if field is None:
                continue
            css = self._widget_class(field.widget)
            if css and not css.endswith("__input"):
                field.widget.attrs["class"] += f" {css}--error"
            described = field.widget.attrs.get("aria-describedby", "")
            field.widget.attrs["aria-describedby"] = f"{described} id_{name}-error".strip()


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
