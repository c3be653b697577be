"""The report cards' forms: the filter (period and slices, from the query string), a
measure's target and forecast, and the story behind a curve."""

from django import forms
from django.utils import timezone

from reporting.cards import selectors
from reporting.cards.measures import Slice
from reporting.rules import Period, periods_ending
from tafcase.forms import GovukForm


def recent_periods(count: int = selectors.HISTORY) -> list[Period]:
    return periods_ending(Period.containing(timezone.localdate()), count)[::-1]


class CardFilterForm(forms.Form):
    """GET parameters; anything not on the lists is a form error, never a server error."""

    period = forms.ChoiceField(label="Quarter", required=False)
    locality = forms.TypedChoiceField(label="Ward or locality", required=False, coerce=int)
    tier = forms.ChoiceField(label="Tier of need", required=False)
    age_group = forms.ChoiceField(label="Age of youngest child", required=False)
    agency_kind = forms.ChoiceField(label="Nominated by", required=False)
    background = forms.ChoiceField(label="Key worker's background", required=False)
    dedicated = forms.ChoiceField(label="Dedicated key worker", required=False)

    # The key worker's own slices belong to the key-worker card.
    KEY_WORKER_ONLY = ("background", "dedicated")

    def __init__(self, data, *, authority_id: int, key_worker_card: bool = False):
        # Unbound, the form shows the quarter the card opens on.
        super().__init__(data, initial={"period": self.default_period().key})
        everyone = [("", "All")]
        choices = selectors.slice_choices(authority_id)
        now = recent_periods(1)[0]
        self.fields["period"].choices = [  # type: ignore[attr-defined]
            (p.key, f"{p.label} (so far)" if p == now else p.label) for p in recent_periods()
        ]
        for name in ("locality", "tier", "age_group", "agency_kind", *self.KEY_WORKER_ONLY):
            self.fields[name].choices = everyone + choices[name]  # type: ignore[attr-defined]
        if not key_worker_card:
            for name in self.KEY_WORKER_ONLY:
                del self.fields[name]

    @staticmethod
    def default_period() -> Period:
        """The latest quarter that has ended: a card reports a whole quarter."""
        return recent_periods(2)[1]

    def period_and_slice(self) -> tuple[Period, Slice]:
        data = self.cleaned_data if self.is_valid() else {}
        key = data.get("period") or self.default_period().key
        return Period.from_key(key), Slice(
            locality_id=data.get("locality") or None,
            tier=data.get("tier", ""),
            age_group=data.get("age_group", ""),
            agency_kind=data.get("agency_kind", ""),
            background=data.get("background", ""),
            dedicated=data.get("dedicated", ""),
        )


class SettingForm(GovukForm):
    target = forms.FloatField(
        label="Target",
        required=False,
        min_value=0,
        max_value=1_000_000,
        help_text="Leave blank for no target. Percentages as a number, for example 60.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "step": "any"}),
    )

    def __init__(self, *args, forecast_labels: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for i, label in enumerate(forecast_labels):
            self.fields[f"forecast_{i}"] = forms.FloatField(
                label=f"Forecast for {label}",
                required=False,
                min_value=0,
                max_value=1_000_000,
                help_text="Leave blank to use the forecast from the trend." if i == 0 else "",
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-5", "step": "any"}),
            )

    def forecast(self) -> list[float | None]:
        values = [v for k, v in sorted(self.cleaned_data.items()) if k.startswith("forecast_")]
        while values and values[-1] is None:
            values.pop()
        return values


class StoryForm(GovukForm):
    period = forms.ChoiceField(label="Quarter it is about")
    story = forms.CharField(
        label="The story behind the curve",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why the curve looks as it does: what is driving it.",
    )
    partners = forms.CharField(
        label="Partners with a role to play",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    what_works = forms.CharField(
        label="What works",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    action_plan = forms.CharField(
        label="Action plan",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, periods: list[Period], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.key, p.label) for p in periods]  # type: ignore[attr-defined]
