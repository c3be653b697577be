"""The feedback pages' forms. Scales are GOV.UK radios; every answer that is not one of
the choices is a form error, never a server error."""

from django import forms

from reporting.feedback.models import FamilyFeedback, KeyPlayerFeedback, Rating
from reporting.feedback.questions import (
    FAMILY_FREE_TEXT,
    FAMILY_FREE_TEXT_HINT,
    FAMILY_QUESTIONS,
    KEY_PLAYER_FREE_TEXT,
    KEY_PLAYER_QUESTIONS,
)
from reporting.feedback.rules import DEFAULT_SAMPLE_PERCENT
from reporting.rules import Period
from tafcase.fields import PastDateField
from tafcase.forms import GovukForm

TEXT_LIMIT = 2000


def _scale_field(question) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=question.text,
        choices=question.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an answer", "invalid_choice": "Choose an answer"},
    )


def _text_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_LIMIT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class HandoverStartForm(GovukForm):
    occasion = forms.ChoiceField(
        label="What is the feedback about?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the feedback is about",
            "invalid_choice": "Choose what the feedback is about",
        },
    )

    def __init__(self, *args, occasions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occasion"].choices = occasions


class _FamilyFeedbackBase(GovukForm):
    answered_by = forms.ChoiceField(
        label="Who is answering? (optional)",
        required=False,
        choices=FamilyFeedback.AnsweredBy.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose who is answering, or leave it blank"},
    )

    def answers(self) -> dict[str, int]:
        return {q.field: self.cleaned_data[q.field] for q in FAMILY_QUESTIONS}


# The questions the family answers on the hand-over page (questions.py), the scales first.
FamilyFeedbackForm = type(
    "FamilyFeedbackForm",
    (_FamilyFeedbackBase,),
    {
        **{q.field: _scale_field(q) for q in FAMILY_QUESTIONS},
        "biggest_difference": _text_field(FAMILY_FREE_TEXT, FAMILY_FREE_TEXT_HINT),
        "field_order": [q.field for q in FAMILY_QUESTIONS] + ["biggest_difference"],
    },
)


class _KeyPlayerFeedbackBase(GovukForm):
    """The programme and quarter the feedback is about, and what the person answers as;
    the programme and role are asked only of people with more than one."""

    authority = forms.ChoiceField(
        label="Which programme is your feedback about?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a programme", "invalid_choice": "Choose a programme"},
    )
    period = forms.ChoiceField(
        label="Which quarter is your feedback about?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a quarter", "invalid_choice": "Choose a quarter"},
    )
    answered_as = forms.ChoiceField(
        label="Are you answering as a key worker or as a panel member?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose one", "invalid_choice": "Choose one"},
    )

    def __init__(self, *args, authorities, periods: list[Period], roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.authorities = {str(a.pk): a for a in authorities}
        self.periods = {p.key: p for p in periods}
        self.roles = roles
        self.fields["authority"].choices = [(str(a.pk), a.name) for a in authorities]
        self.fields["period"].choices = [
            (p.key, f"{p.label} ({p.start:%-d %B %Y} to {p.end:%-d %B %Y})") for p in periods
        ]
        self.fields["answered_as"].choices = [
            (r, KeyPlayerFeedback.AnsweredAs(r).label) for r in roles
        ]
        if len(authorities) < 2:
            del self.fields["authority"]
        if len(roles) < 2:
            del self.fields["answered_as"]

    def chosen_authority(self):
        if "authority" in self.fields:
            return self.authorities[self.cleaned_data["authority"]]
        return next(iter(self.authorities.values()))

    def chosen_period(self) -> Period:
        return self.periods[self.cleaned_data["period"]]

    def chosen_role(self) -> str:
        return self.cleaned_data.get("answered_as") or self.roles[0]

    def answers(self) -> dict[str, int]:
        return {q.field: self.cleaned_data[q.field] for q in KEY_PLAYER_QUESTIONS}


KeyPlayerFeedbackForm = type(
    "KeyPlayerFeedbackForm",
    (_KeyPlayerFeedbackBase,),
    {
        **{q.field: _scale_field(q) for q in KEY_PLAYER_QUESTIONS},
        "improvement": _text_field(KEY_PLAYER_FREE_TEXT, "Optional."),
    },
)


class QualitySampleForm(GovukForm):
    period_start = PastDateField(label="Start of the period")
    period_end = PastDateField(
        label="End of the period",
        help_text="Cases closed from the start to the end of the period, both days included.",
    )
    percent = forms.IntegerField(
        label="Sample (%)",
        min_value=1,
        max_value=100,
        initial=DEFAULT_SAMPLE_PERCENT,
        help_text="The share of the period's closed cases to review. At least one case is "
        "always drawn.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the percentage of cases to sample",
            "invalid": "Enter the percentage as a whole number, like 10",
            # Django formats these with %-style parameters, so a percent sign is doubled.
            "min_value": "The sample must be at least 1%%",
            "max_value": "The sample cannot be more than 100%%",
        },
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be on or after its start.")
        return data


def _rating_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating", "invalid_choice": "Choose a rating"},
    )


class QualityReviewForm(GovukForm):
    engagement = _rating_field("Engagement with the family")
    engagement_notes = _text_field("Notes on engagement")
    multi_agency = _rating_field("Multi-agency support")
    multi_agency_notes = _text_field("Notes on multi-agency support")
    multi_agency_gaps = _text_field(
        "Gaps in multi-agency support", "Services the family needed that were not involved."
    )
    creativity = _rating_field("Creativity in finding outcome-focused solutions")
    creativity_notes = _text_field("Notes on creativity")
