from django import forms

from eligibility.datamatch.models import KIND_CHOICES
from eligibility.selectors import agencies_for
from tafcase.accounts.models import Agency
from tafcase.fields import EventDateField, PastDateField
from tafcase.forms import GovukForm


class UploadForm(GovukForm):
    file = forms.FileField(label="Partner file (CSV)")
    kind = forms.ChoiceField(label="Dataset", choices=[("", "Choose the dataset"), *KIND_CHOICES])
    agency = forms.ModelChoiceField(label="Sending agency", queryset=Agency.objects.none())
    as_of = PastDateField(label="Date the extract was taken", help_text="The as-of date.")
    valid_rows_only = forms.BooleanField(
        label="If some rows are wrong, load the valid rows and let me download the rest",
        required=False,
    )
    confirm_smaller = forms.BooleanField(
        label="Replace anyway: load this file even if it is empty or much smaller than "
        "the one it replaces",
        required=False,
    )

    def __init__(self, *args, local_authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies_for(local_authority)


class RunForm(GovukForm):
    as_of = EventDateField(
        label="Quarter's as-of date",
        help_text="The latest file of each dataset from each partner taken on or before "
        "this date is used.",
    )


class ReviewForm(GovukForm):
    choice = forms.ChoiceField(label="Who is this?", widget=forms.RadioSelect)
    other_person = forms.IntegerField(
        label="Person id (if someone else)",
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-10"}),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [
            *((str(p.pk), f"{p.forename} {p.surname}, person {p.pk}") for p in people),
            ("other", "Someone else we know (give their person id)"),
            ("none", "Not anyone we know"),
        ]

    def clean(self):
        data = super().clean()
        if data.get("choice") == "other" and not data.get("other_person"):
            self.add_error("other_person", "Enter the person id.")
        return data
