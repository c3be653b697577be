"""The claims pages' forms. Dates are plain date fields: a bad or impossible date is a
form error, never a server error."""

from django import forms

from outcomes.claims.models import Claim
from tafcase.fields import EventDateField, PastDateField
from tafcase.forms import GovukForm, IdempotencyKeyField


class WindowOpenForm(GovukForm):
    name = forms.CharField(label="Name", max_length=80, help_text="For example, Quarter 3 2026")
    cutoff_date = EventDateField(
        label="Cut-off date",
        help_text="Families are assessed as at this date: outcomes after it wait for the "
        "next window.",
    )
    deadline = EventDateField(label="Deadline for submission")
    sample_percent = forms.IntegerField(
        label="Audit sample (%)",
        min_value=1,
        max_value=100,
        initial=10,
        help_text="The share of validated claims internal audit checks, besides every "
        "flagged claim. At least one claim is always sampled.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    earliest_closure = EventDateField(
        label="Earliest closure date (optional)",
        required=False,
        help_text="Cases closed before this date are not claimed. Leave blank for the "
        "framework's default (24 months before the cut-off under the 2022 framework).",
    )

    def clean(self):
        data = super().clean()
        cutoff, deadline = data.get("cutoff_date"), data.get("deadline")
        if cutoff and deadline and deadline < cutoff:
            self.add_error("deadline", "The deadline must be on or after the cut-off date.")
        return data


class RejectForm(GovukForm):
    reason = forms.CharField(
        label="Why is the claim rejected?", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class AuditForm(GovukForm):
    decision = forms.ChoiceField(
        label="Audit decision",
        choices=[("pass", "Passes audit"), ("fail", "Fails audit")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        help_text="Say what you checked. A failure needs a reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PaymentForm(GovukForm):
    paid_on = PastDateField(label="Date paid")


class SpotCheckForm(GovukForm):
    reason = forms.CharField(
        label="Why the national spot check rejected it",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AdjustForm(GovukForm):
    amount = forms.IntegerField(
        label="Adjustment (£)",
        min_value=-100_000,
        max_value=100_000,
        help_text="Usually negative: the amount to take back.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
    )
    reason = forms.CharField(
        label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    window = forms.TypedChoiceField(label="Window to record it in", coerce=int)
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args, windows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].choices = [(w.pk, w.name) for w in windows]  # type: ignore[attr-defined]


class TargetForm(GovukForm):
    target = forms.IntegerField(
        label="Target number of results",
        min_value=1,
        max_value=1_000_000,
        help_text="The results payments (not attachment fees) the authority aims to claim "
        "over the programme, as agreed with the funder.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5"}),
    )


class ClaimFilterForm(forms.Form):
    """The claims table's filters, from the query string; anything unknown shows all."""

    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Claim.Status.choices]
    )
    only = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "All claims"), ("flagged", "Flagged claims"), ("sampled", "Sampled claims")],
    )
