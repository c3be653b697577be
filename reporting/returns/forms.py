"""The returns' forms. Numbers are bounded fields, so a bad percentage, year or amount is a
form error and nothing is written; the services check the same bounds again."""

from django import forms
from django.core.validators import MinValueValidator

from reporting.returns import rules
from reporting.returns.models import UnitCost
from tafcase.forms import GovukForm

_NARROW = {"class": "govuk-input--width-3"}


class SampleDrawForm(GovukForm):
    year = forms.TypedChoiceField(label="Programme year", coerce=int, choices=())
    percent = forms.IntegerField(
        label="Sample size (%)", max_value=100, widget=forms.NumberInput(attrs=_NARROW)
    )

    def __init__(self, *args, years: list[tuple[int, str]], least: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = years
        percent = self.fields["percent"]
        # Validators are made when a field is, so the return's own minimum joins them here
        # (its message is the form's: "Sample size (%) must be 10 or more").
        percent.validators.append(MinValueValidator(least))
        percent.widget.attrs["min"] = least
        percent.initial = least
        percent.help_text = (
            f"At least {least}% of the families attached in the year, up to 100%. Rounded up: "
            "a sample is never below its percentage."
        )


class CostParametersForm(GovukForm):
    months_before = forms.IntegerField(
        label="Months before attachment",
        min_value=1,
        max_value=rules.MAX_MONTHS,
        help_text="Events in these months up to and including the attachment day.",
        widget=forms.NumberInput(attrs=_NARROW),
    )
    months_after = forms.IntegerField(
        label="Months after attachment",
        min_value=1,
        max_value=rules.MAX_MONTHS,
        help_text="Events in these months after the attachment day. Only families whose "
        "months after are over by the date of the partner data are counted.",
        widget=forms.NumberInput(attrs=_NARROW),
    )
    deadweight_percent = forms.IntegerField(
        label="Deadweight (%)",
        min_value=0,
        max_value=100,
        help_text="The share of the change that would have happened without the programme.",
        widget=forms.NumberInput(attrs=_NARROW),
    )
    attribution_percent = forms.IntegerField(
        label="Attribution (%)",
        min_value=0,
        max_value=100,
        help_text="The share of the rest owed to the programme rather than other services.",
        widget=forms.NumberInput(attrs=_NARROW),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


NO_MEASURE = ("", "Nothing tafcase counts (shown, not counted)")


class UnitCostForm(GovukForm):
    measure = forms.ChoiceField(
        label="Event it prices",
        required=False,
        choices=[NO_MEASURE, *((m.code, m.label) for m in rules.MEASURES)],
    )
    category = forms.CharField(label="Category", max_length=80)
    item = forms.CharField(label="Item", max_length=200)
    unit = forms.CharField(label="Unit", max_length=80, help_text="For example, per incident.")
    value = forms.DecimalField(
        label="Value (£)",
        min_value=0.01,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-10", "step": "0.01"}),
    )
    price_year = forms.CharField(
        label="Price year",
        max_length=9,
        help_text="The year the value is priced in, like 2023/24.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    kind = forms.ChoiceField(
        label="Kind of cost", choices=UnitCost.CostKind.choices, widget=forms.RadioSelect
    )
    bearing_agency = forms.CharField(label="Agency that bears the cost", max_length=120)
    cashable = forms.TypedChoiceField(
        label="Cashable",
        help_text="Cashable: a saving the agency could take out of its budget.",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    source = forms.CharField(
        label="Source",
        max_length=2000,
        help_text="Where the value comes from, so others can check it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean_price_year(self):
        try:
            return rules.parse_price_year(self.cleaned_data["price_year"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    @classmethod
    def initial_from(cls, cost: UnitCost, version: int) -> dict:
        return {
            "measure": cost.measure,
            "category": cost.category,
            "item": cost.item,
            "unit": cost.unit,
            "value": cost.value,
            "price_year": cost.price_year,
            "kind": cost.kind,
            "bearing_agency": cost.bearing_agency,
            "cashable": "yes" if cost.cashable else "no",
            "source": cost.source,
            "version": version,
        }


class VersionForm(GovukForm):
    """A button's hidden version: removing a row or starting the table."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
