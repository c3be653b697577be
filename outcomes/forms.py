from django import forms

from eligibility.selectors import agencies_for
from families.models import Family, Person
from families.selectors import key_workers_of
from outcomes import casework, selectors
from outcomes.models import Closure, Goal
from tafcase.accounts.models import Agency, LocalAuthority, Locality, User
from tafcase.fields import EventDateField, PastDateField
from tafcase.forms import AutocompleteSelect, GovukForm, IdempotencyKeyField

SCORE_CHOICES = [("", "Not scored")] + [
    (str(level.score), f"{level.score} – {level.label}") for level in casework.APPENDIX_D.scale
]


class AssessmentForm(GovukForm):
    """Scores for every domain of every subject, plus the assessment's own fields. Field
    names are ``score-<subject>-<domain>``, ``why-…`` and ``more-…``. ``sections`` lists
    each subject with rows of (domain, previous score or None, bound fields)."""

    family_view = forms.CharField(
        label="The family's own view", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    strengths = forms.CharField(
        label="Strengths", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    contributors = forms.CharField(
        label="Who contributed (workers and family members)", required=False, max_length=500
    )
    no_formal_assessment = forms.BooleanField(
        label="No formal assessment: panel information used", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, subjects, occasion: int, previous=None, **kwargs):
        """``previous`` maps ``<subject>-<domain>`` to the score given before (see
        outcomes.selectors.previous_scores); each row carries it, or None."""
        super().__init__(*args, **kwargs)
        previous = previous or {}
        self.sections = []
        for subject, _person in subjects:
            rows = []
            for domain in casework.APPENDIX_D.for_profile(subject.profile):
                key = f"{subject.key}-{domain.code}"
                label = f"{domain.label} ({subject.name})"
                self.fields[f"score-{key}"] = forms.ChoiceField(
                    label=f"Score: {label}", choices=SCORE_CHOICES, required=False
                )
                self.fields[f"why-{key}"] = forms.CharField(
                    label=f"Reason: {label}", max_length=500, required=False
                )
                names = [f"score-{key}", f"why-{key}"]
                if occasion > 0:
                    self.fields[f"more-{key}"] = forms.BooleanField(
                        label=f"Higher because more need came to light: {label}", required=False
                    )
                    names.append(f"more-{key}")
                rows.append((domain, previous.get(key), [self[n] for n in names]))
            self.sections.append((subject, rows))
        self.keys = {
            f"{subject.key}-{domain.code}": (subject, person, domain)
            for subject, person in subjects
            for domain in casework.APPENDIX_D.for_profile(subject.profile)
        }

    def scores(self) -> list[dict]:
        out = []
        for key, (_subject, person, domain) in self.keys.items():
            value = self.cleaned_data.get(f"score-{key}")
            if value:
                out.append(
                    {
                        "person": person,
                        "domain": domain.code,
                        "score": int(value),
                        "rationale": self.cleaned_data.get(f"why-{key}", ""),
                        "more_need_found": self.cleaned_data.get(f"more-{key}", False),
                    }
                )
        return out


class AmendForm(GovukForm):
    reason = forms.CharField(
        label="Why does this assessment need amending?",
        max_length=500,
        help_text="For example, a score was entered against the wrong domain. This is kept "
        "with the assessment's history.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the assessment needs amending."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class GoalForm(GovukForm):
    idempotency_key = IdempotencyKeyField()
    title = forms.CharField(label="Goal, in the family's words", max_length=200)
    criterion = forms.ChoiceField(label="Which problem or need it addresses")
    target = forms.CharField(
        label="Measurable target",
        max_length=300,
        help_text="For example “attendance above 95% for the summer term”.",
    )
    members = forms.ModelMultipleChoiceField(
        label="Who it is for",
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, family: Family, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", "Choose"), *criteria]
        self.fields["members"].queryset = Person.objects.filter(
            memberships__family=family
        ).distinct()


class ActionForm(GovukForm):
    idempotency_key = IdempotencyKeyField()
    description = forms.CharField(label="What will be done", max_length=300)
    owner_person = forms.ModelChoiceField(
        label="Owner: a family member",
        queryset=Person.objects.none(),
        required=False,
        widget=AutocompleteSelect,
    )
    owner_agency = forms.ModelChoiceField(
        label="Or owner: an agency on the Team Around the Family",
        queryset=Agency.objects.none(),
        required=False,
    )
    due_on = EventDateField(label="Due by")

    def __init__(self, *args, family: Family, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_person"].queryset = Person.objects.filter(
            memberships__family=family
        ).distinct()
        self.fields["owner_agency"].queryset = Agency.objects.filter(
            involvements__family=family, involvements__ended_on__isnull=True
        ).distinct()


class StatusForm(GovukForm):
    status = forms.ChoiceField(label="Status", choices=Goal.Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(GovukForm):
    idempotency_key = IdempotencyKeyField()
    held_on = PastDateField(label="Date held")
    attendees = forms.ModelMultipleChoiceField(
        label="Agencies that attended",
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    family_attended = forms.BooleanField(label="The family attended", required=False, initial=True)
    decisions = forms.CharField(label="Decisions", widget=forms.Textarea(attrs={"rows": 4}))
    plan_progress = forms.CharField(
        label="Progress against the plan", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    rescore = forms.BooleanField(
        label="Re-score the assessment at this review", required=False, initial=True
    )

    def __init__(self, *args, family: Family, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = Agency.objects.filter(
            involvements__family=family
        ).distinct()


class TierForm(GovukForm):
    to_tier = forms.ChoiceField(label="New tier of need", choices=Family.Tier.choices)
    reason = forms.CharField(
        label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class SpendForm(GovukForm):
    idempotency_key = IdempotencyKeyField()
    spent_on = PastDateField(label="Date")
    purpose = forms.CharField(
        label="What it is for",
        max_length=300,
        error_messages={"required": "Enter what the money is for"},
    )
    amount = forms.DecimalField(
        label="Amount (£)",
        min_value=0.01,
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-10", "step": "0.01"}),
    )


class CloseForm(GovukForm):
    closed_on = PastDateField(label="Date closed")
    reason = forms.ChoiceField(
        label="Reason", choices=Closure.Reason.choices, widget=forms.RadioSelect
    )
    exit_plan = forms.CharField(
        label="Exit plan agreed with the family", widget=forms.Textarea(attrs={"rows": 5})
    )
    destination = forms.CharField(
        label="Service the family moves to (if stepped up or down)", max_length=200, required=False
    )
    open_goals_confirmed = forms.BooleanField(
        label="Close the case with these goals still open", required=False
    )

    def __init__(self, *args, open_goals: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not open_goals:
            del self.fields["open_goals_confirmed"]


class FollowUpForm(GovukForm):
    done_on = PastDateField(label="Date of the follow-up")
    outcome = forms.CharField(
        label="How the family is doing", widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseworkFilterForm(GovukForm):
    """The casework due list's filters, read from the query string. The choices of
    worker, agency and locality are the working authority's own, so an id from elsewhere
    is a form error, never a wider list."""

    kind = forms.ChoiceField(
        label="Type", choices=selectors.DueKind.choices, required=False, initial="reviews"
    )
    window = forms.ChoiceField(label="When", choices=selectors.DueWindow.choices, required=False)
    worker = forms.ModelChoiceField(
        label="Key worker", queryset=User.objects.none(), required=False, empty_label="Anyone"
    )
    agency = forms.ModelChoiceField(
        label="Team or agency",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Any",
    )
    locality = forms.ModelChoiceField(
        label="Ward or locality",
        queryset=Locality.objects.none(),
        required=False,
        empty_label="Any",
    )

    def __init__(self, *args, authority: LocalAuthority | None, **kwargs):
        super().__init__(*args, **kwargs)
        if authority is not None:
            self.fields["worker"].queryset = key_workers_of(authority)  # type: ignore[attr-defined]
            self.fields["agency"].queryset = agencies_for(authority)  # type: ignore[attr-defined]
            self.fields["locality"].queryset = authority.localities.order_by("name")  # type: ignore[attr-defined]

    def filters(self) -> selectors.CaseworkFilters:
        """The filters that were given and valid; a bad one is left out (and shown as a
        form error), so the page still lists something sensible."""
        data = self.cleaned_data if self.is_bound else {}
        return selectors.CaseworkFilters(
            kind=data.get("kind") or selectors.DueKind.REVIEWS,
            window=data.get("window") or selectors.DueWindow.DUE_SOON,
            worker=data.get("worker"),
            agency=data.get("agency"),
            locality=data.get("locality"),
        )
