from django import forms

from eligibility import selectors
from eligibility.models import AgendaItem, Nomination, PanelMeeting, RecordedEvidence, Screening
from eligibility.rules.framework import PARAMETER_LABELS
from families.models import Family, Membership, Person
from tafcase.accounts.models import Agency, LocalAuthority, User
from tafcase.fields import DateOfBirthField, EventDateField, PastDateField, PostcodeField
from tafcase.forms import AutocompleteSelect, GovukForm, IdempotencyKeyField

MEMBER_SLOTS = 6
WHOLE_HOUSEHOLD = ""


class NominationForm(GovukForm):
    idempotency_key = IdempotencyKeyField()
    family_name = forms.CharField(
        label="Family name", max_length=120, help_text="For example “the Smith family”."
    )
    address_line_1 = forms.CharField(label="Address line 1", max_length=120, required=False)
    town = forms.CharField(label="Town or city", max_length=80, required=False)
    postcode = PostcodeField()
    reason = forms.CharField(
        label="Why does the family need the programme now?",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent_given_on = PastDateField(
        label="Date the family agreed to this nomination",
        required=False,
        help_text="A family cannot be nominated without their consent.",
    )
    consent_given_by = forms.TypedChoiceField(
        label="Who agreed",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "Choose the family member")]
        + [(i, f"Member {i + 1}") for i in range(MEMBER_SLOTS)],
    )

    def clean(self):
        data = super().clean()
        if data.get("consent_given_on") is None:
            self.add_error("consent_given_on", "Enter the date the family agreed.")
        if data.get("consent_given_by") is None:
            self.add_error("consent_given_by", "Choose who agreed.")
        return data


class MemberForm(GovukForm):
    forename = forms.CharField(label="First name", max_length=80, required=False)
    surname = forms.CharField(label="Last name", max_length=80, required=False)
    dob = DateOfBirthField(label="Date of birth", required=False)
    sex = forms.ChoiceField(
        label="Sex", choices=[("", "Not known"), *Person.Sex.choices], required=False
    )
    role = forms.ChoiceField(
        label="Relationship to the family",
        choices=[("", "Choose"), *Membership.Role.choices],
        required=False,
    )

    def clean(self):
        data = super().clean()
        if any(data.get(f) for f in ("forename", "surname", "dob", "role")):
            for field in ("forename", "surname", "role"):
                if not data.get(field):
                    self.add_error(field, "Enter this for every member you add.")
        return data

    @property
    def described(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("forename"))


class CriterionForm(GovukForm):
    code = forms.ChoiceField(label="Criterion", required=False)
    member = forms.TypedChoiceField(
        label="Who it is about",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[(WHOLE_HOUSEHOLD, "The whole household")]
        + [(i, f"Member {i + 1}") for i in range(MEMBER_SLOTS)],
    )
    evidence_date = PastDateField(label="Date of the evidence", required=False)
    text = forms.CharField(
        label="What you know", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", "Choose a criterion"), *criteria]

    def clean(self):
        data = super().clean()
        if data.get("code"):
            if not data.get("evidence_date"):
                self.add_error("evidence_date", "Enter the date of the evidence.")
            if not data.get("text"):
                self.add_error("text", "Say what the evidence is.")
        return data


def member_forms(data, count: int = MEMBER_SLOTS) -> list[MemberForm]:
    return [MemberForm(data, prefix=f"member-{i}") for i in range(count)]


def criterion_forms(data, criteria, count: int = 4) -> list[CriterionForm]:
    return [CriterionForm(data, prefix=f"criterion-{i}", criteria=criteria) for i in range(count)]


class EvidenceForm(GovukForm):
    criterion = forms.ChoiceField(label="Criterion")
    person = forms.ModelChoiceField(
        label="Who it is about",
        queryset=Person.objects.none(),
        required=False,
        empty_label="The whole household",
        widget=AutocompleteSelect,
    )
    purpose = forms.ChoiceField(
        label="What it shows",
        choices=RecordedEvidence.Purpose.choices,
        widget=forms.RadioSelect,
        initial=RecordedEvidence.Purpose.NEED,
    )
    evidence_date = PastDateField(label="Date of the evidence")
    source = forms.CharField(
        label="Source", max_length=200, help_text="Who holds it, for example “School, Year 9 lead”."
    )
    text = forms.CharField(
        label="What the evidence shows", widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, family: Family, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", "Choose a criterion"), *criteria]
        self.fields["person"].queryset = Person.objects.filter(memberships__family=family)


class ScreeningForm(GovukForm):
    outcome = forms.ChoiceField(
        label="Your decision", choices=Screening.Outcome.choices, widget=forms.RadioSelect
    )
    override_reason = forms.CharField(
        label="Reason (needed if you disagree with the rulebook)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    onward_route = forms.ChoiceField(
        label="Onward route if not eligible",
        required=False,
        choices=[("", "Choose where support will come from"), *Screening.OnwardRoute.choices],
    )
    onward_detail = forms.CharField(
        label="Which service (if other)", required=False, max_length=200
    )


class AuthorityForm(GovukForm):
    local_authority = forms.ModelChoiceField(
        label="Council",
        queryset=LocalAuthority.objects.order_by("name"),
        empty_label="Choose the council",
        error_messages={"required": "Choose the council the family lives in."},
    )


class PanelForm(GovukForm):
    meets_on = EventDateField(label="Date of the meeting")
    chair = forms.ModelChoiceField(
        label="Chair", queryset=User.objects.none(), widget=AutocompleteSelect
    )
    member_agencies = forms.ModelMultipleChoiceField(
        label="Member agencies", queryset=Agency.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    quorum = forms.IntegerField(
        label="Quorum",
        min_value=1,
        initial=3,
        help_text="How many member agencies must be present to make decisions.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )

    def __init__(self, *args, local_authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = selectors.panel_chairs_of(local_authority)
        self.fields["member_agencies"].queryset = selectors.agencies_for(local_authority)


class AttendanceForm(GovukForm):
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies present",
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, panel: PanelMeeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = panel.member_agencies.order_by("name")


class AgendaAddForm(GovukForm):
    """The eligible nominations the chair or coordinator puts on this panel's agenda."""

    nominations = forms.ModelMultipleChoiceField(
        label="Nominations to add to the agenda",
        queryset=Nomination.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one nomination to add.",
            "invalid_choice": "Choose nominations that are waiting for a panel.",
            "invalid_pk_value": "Choose nominations that are waiting for a panel.",
        },
    )

    def __init__(self, *args, waiting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominations"].queryset = waiting

    def chosen_ids(self) -> set[str]:
        """What is ticked, to re-tick the boxes after an error."""
        return {str(v) for v in (self["nominations"].value() or [])}


class RateForm(GovukForm):
    likelihood = forms.TypedChoiceField(
        label="Likelihood of turnaround",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "Not rated"), *AgendaItem.Likelihood.choices],
        error_messages={"invalid_choice": "Choose low, medium or high, or not rated."},
    )


class MoveForm(GovukForm):
    to_position = forms.IntegerField(label="Move to position", min_value=1)
    reason = forms.CharField(label="Reason for moving", max_length=500)


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Panel decision", choices=AgendaItem.Decision.choices, widget=forms.RadioSelect
    )
    level = forms.ChoiceField(
        label="Level of support (if accepted)",
        required=False,
        choices=[("", "Choose a level"), *Family.Tier.choices],
    )
    lead_professional = forms.ChoiceField(
        label="Lead professional (if accepted)", required=False, widget=AutocompleteSelect
    )
    referred_to = forms.CharField(
        label="Referred to (if referred elsewhere)", required=False, max_length=200
    )
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea(attrs={"rows": 3}))
    allow_over_capacity = forms.BooleanField(
        label="Allocate even though this takes the lead professional over capacity",
        required=False,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(c.user.pk): c for c in candidates}
        self.fields["lead_professional"].choices = [("", "Choose a key worker")] + [
            (str(c.user.pk), c.label) for c in candidates
        ]

    def clean_lead_professional(self):
        value = self.cleaned_data["lead_professional"]
        return self.candidates[value].user if value else None


class ParametersForm(GovukForm):
    """The framework's parameters, one field each, typed from their current values."""

    def __init__(self, *args, parameters: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for name, value in parameters.items():
            label = PARAMETER_LABELS.get(name) or name.replace("_", " ").capitalize()
            if value is None:
                field = forms.IntegerField(label=label, required=False, min_value=0)
            elif isinstance(value, bool):
                field = forms.BooleanField(label=label, required=False, initial=value)
            elif isinstance(value, int):
                field = forms.IntegerField(label=label, initial=value, min_value=0)
            elif isinstance(value, float):
                field = forms.FloatField(label=label, initial=value, min_value=0)
            elif isinstance(value, list):
                field = forms.CharField(
                    label=label,
                    initial=", ".join(map(str, value)),
                    help_text="Separate values with commas.",
                )
                field.list_of = int if value and isinstance(value[0], int) else str
            else:
                field = forms.CharField(label=label, initial=value)
            self.fields[name] = field

    def changes(self) -> dict:
        out = {}
        for name, value in self.cleaned_data.items():
            kind = getattr(self.fields[name], "list_of", None)
            if kind:
                try:
                    value = [kind(v.strip()) for v in value.split(",") if v.strip()]
                except ValueError:
                    self.add_error(name, "Enter whole numbers separated by commas.")
                    continue
            out[name] = value
        return out


class LocalCriterionForm(GovukForm):
    code = forms.SlugField(
        label="Code",
        max_length=40,
        help_text="Lower case letters, numbers and underscores, for example young_carer.",
    )
    label = forms.CharField(label="Description", max_length=200)


class FrameworkSwitchForm(GovukForm):
    code = forms.ChoiceField(label="Programme framework", widget=forms.RadioSelect)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = choices
