from django import forms

from families.models import CaseNote, Consent, Family, Membership, Person
from families.selectors import key_workers_of, lead_professional_label
from tafcase.accounts.models import Agency, Locality, User
from tafcase.fields import DateOfBirthField, IdentityField, PastDateField, PostcodeField
from tafcase.forms import AutocompleteSelect, GovukForm, IdempotencyKeyField


class LeadProfessionalField(forms.ModelChoiceField):
    """A key worker from key_workers_of, shown with their agency and caseload."""

    widget = AutocompleteSelect

    def label_from_instance(self, obj):
        return lead_professional_label(obj, obj.active_families)


class FamilyForm(GovukForm):
    name = forms.CharField(
        label="Family name",
        max_length=120,
        help_text="How the family is known, for example “the Smith family”.",
    )
    address_line_1 = forms.CharField(label="Address line 1", max_length=120, required=False)
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)", max_length=120, required=False
    )
    town = forms.CharField(label="Town or city", max_length=80, required=False)
    postcode = PostcodeField()
    locality = forms.ModelChoiceField(
        label="Ward or locality", required=False, queryset=Locality.objects.none()
    )
    tier = forms.ChoiceField(
        label="Tier of need",
        required=False,
        choices=[("", "Not decided yet"), *Family.Tier.choices],
    )
    lead_professional = LeadProfessionalField(
        label="Lead professional", required=False, queryset=User.objects.none()
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, local_authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = Locality.objects.filter(local_authority=local_authority)
        self.fields["lead_professional"].queryset = key_workers_of(local_authority)


class PersonForm(GovukForm):
    forename = forms.CharField(label="First name", max_length=80)
    surname = forms.CharField(label="Last name", max_length=80)
    dob = DateOfBirthField(label="Date of birth", required=False)
    sex = forms.ChoiceField(
        label="Sex", required=False, choices=[("", "Not known"), *Person.Sex.choices]
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity", required=False, choices=[("", "Not recorded"), *Person.Ethnicity.choices]
    )
    upn = IdentityField("upn", label="Unique Pupil Number (UPN)")
    nino = IdentityField("nino", label="National Insurance number")
    nhs_number = IdentityField("nhs_number", label="NHS number")
    pnc_id = IdentityField("pnc_id", label="Police National Computer id")
    la_person_id = IdentityField("la_person_id", label="Council person id")

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    IDENTIFIERS = Person.IDENTIFIER_FIELDS

    def __init__(self, *args, show_identifiers: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_identifiers:
            for name in self.IDENTIFIERS:
                del self.fields[name]


class MembershipForm(GovukForm):
    role = forms.ChoiceField(
        label="Role in the family", choices=Membership.Role.choices, widget=forms.RadioSelect
    )
    lives_in_household = forms.BooleanField(
        label="Lives in the household", required=False, initial=True
    )
    in_care = forms.BooleanField(label="In care", required=False)
    in_custody = forms.BooleanField(label="In custody", required=False)
    no_contact_for_safety = forms.BooleanField(
        label="No contact, for safety",
        required=False,
        help_text="Tick if contacting this person would put someone at risk.",
    )


class MemberEditForm(MembershipForm):
    ended_on = PastDateField(label="Left the family on (optional)", required=False)


class ConsentForm(GovukForm):
    given_by = forms.ModelChoiceField(
        label="Who gave consent", queryset=Person.objects.none(), widget=AutocompleteSelect
    )
    given_on = PastDateField(label="Date consent was given")
    scope = forms.ChoiceField(
        label="What they agreed to", choices=Consent.Scope.choices, widget=forms.RadioSelect
    )
    agency = forms.ModelChoiceField(
        label="Agency (for sharing with a named agency)",
        required=False,
        queryset=Agency.objects.order_by("name"),
    )

    def __init__(self, *args, family: Family, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_by"].queryset = Person.objects.filter(
            memberships__family=family, memberships__ended_on=None
        ).distinct()

    def clean(self):
        data = super().clean()
        if data.get("scope") == Consent.Scope.SHARE_AGENCY and not data.get("agency"):
            self.add_error("agency", "Choose the agency the family agreed to share with.")
        return data


class DateForm(GovukForm):
    on = PastDateField(label="Date")


class InvolvementForm(GovukForm):
    agency = forms.ModelChoiceField(label="Agency", queryset=Agency.objects.order_by("name"))
    role = forms.CharField(label="What the agency does for this family", max_length=120)
    statutory = forms.BooleanField(label="Statutory involvement", required=False)
    started_on = PastDateField(label="Start date")


class NoteForm(GovukForm):
    idempotency_key = IdempotencyKeyField()
    contact_type = forms.ChoiceField(label="Type of contact", choices=CaseNote.ContactType.choices)
    contact_date = PastDateField(label="Date of contact")
    people = forms.ModelMultipleChoiceField(
        label="Who was seen, or who this note is about (optional)",
        required=False,
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    child_seen_alone = forms.BooleanField(label="A child was seen alone", required=False)
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 6}))
    confidentiality = forms.ChoiceField(
        label="Who can see this note",
        choices=CaseNote.Confidentiality.choices,
        initial=CaseNote.Confidentiality.NORMAL,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, family: Family, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = Person.objects.filter(
            memberships__family=family
        ).distinct()


class TransitionForm(GovukForm):
    to_status = forms.ChoiceField(label="New status", choices=Family.Status.choices)
    reason = forms.CharField(
        label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class SearchForm(GovukForm):
    q = forms.CharField(
        label="Name, date of birth, postcode or family reference", max_length=100, required=False
    )


class CaseloadFilterForm(GovukForm):
    """The caseload's filters, from the query string. Workers and wards are the working
    authority's own, so an id from elsewhere is a form error, never a wider list."""

    show = forms.ChoiceField(
        label="Families",
        choices=[("mine", "Only my families"), ("all", "All families I can see")],
        required=False,
    )
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any"), *Family.Status.choices], required=False
    )
    worker = forms.ModelChoiceField(
        label="Lead professional", queryset=User.objects.none(), required=False, empty_label="Any"
    )
    locality = forms.ModelChoiceField(
        label="Ward or locality",
        queryset=Locality.objects.none(),
        required=False,
        empty_label="Any",
    )

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        if authority is not None:
            self.fields["worker"].queryset = key_workers_of(authority)
            self.fields["locality"].queryset = authority.localities.order_by("name")
