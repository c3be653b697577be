from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from tafcase.accounts.models import Agency, LocalAuthority, Locality
from tafcase.references import reference_for

User = settings.AUTH_USER_MODEL


class Family(models.Model):
    """The unit of work: a household and the wider family around it."""

    class Status(models.TextChoices):
        IDENTIFIED = "identified", "Identified"
        NOMINATED = "nominated", "Nominated"
        SCREENING = "screening", "Screening"
        ELIGIBLE = "eligible", "Eligible"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        AWAITING_PANEL = "awaiting_panel", "Awaiting panel"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    class Tier(models.TextChoices):
        HIGH_COMPLEX = "high_complex", "High or complex needs"
        EXPERT_HELP = "expert_help", "Additional expert help"
        MONITORING = "monitoring", "Monitoring"

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="families"
    )
    name = models.CharField(
        max_length=120, help_text="How the family is known, for example “the Smith-Jones family”."
    )
    address_line_1 = models.CharField(max_length=120, blank=True)
    address_line_2 = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    locality = models.ForeignKey(
        Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="families"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IDENTIFIED)
    tier = models.CharField(max_length=20, choices=Tier.choices, blank=True)
    lead_professional = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="led_families"
    )
    key_workers = models.ManyToManyField(User, blank=True, related_name="key_worked_families")
    # Attachment date: the day the family started on the programme (panel allocation).
    programme_start = models.DateField(null=True, blank=True)
    programme_end = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    # Optimistic locking: every update must name the version it was made from.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "families"
        indexes = [
            models.Index(fields=["lead_professional", "status"]),
            models.Index(fields=["local_authority", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def reference(self) -> str:
        return reference_for(self.pk)


class FamilyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Family, on_delete=models.CASCADE)


class FamilyGroupObjectPermission(GroupObjectPermissionBase):
    """Agency access to a family (DESIGN.md §4): one row per agency group that may see it."""

    content_object = models.ForeignKey(Family, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["group", "permission", "content_object"])]


class StatusChange(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Family.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Family.Status.choices)
    reason = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]


class Person(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        OTHER = "X", "Other or not stated"

    class Ethnicity(models.TextChoices):
        # The ONS 2021 census top-level groups.
        ASIAN = "asian", "Asian or Asian British"
        BLACK = "black", "Black, Black British, Caribbean or African"
        MIXED = "mixed", "Mixed or multiple ethnic groups"
        WHITE = "white", "White"
        OTHER = "other", "Other ethnic group"
        NOT_STATED = "not_stated", "Not stated"

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="people"
    )
    forename = models.CharField(max_length=80)
    surname = models.CharField(max_length=80)
    dob = models.DateField("date of birth", null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(max_length=20, choices=Ethnicity.choices, blank=True)
    # Identifiers: stored normalised (no spaces, upper case); shown only to roles that
    # need them (families.access.can_see_identifiers).
    upn = models.CharField("Unique Pupil Number", max_length=13, blank=True)
    nino = models.CharField("National Insurance number", max_length=9, blank=True)
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    pnc_id = models.CharField("PNC id", max_length=20, blank=True)
    la_person_id = models.CharField("council person id", max_length=30, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    IDENTIFIER_FIELDS = ("upn", "nino", "nhs_number", "pnc_id", "la_person_id")

    class Meta:
        ordering = ["surname", "forename"]
        indexes = [models.Index(fields=["surname", "forename"]), models.Index(fields=["dob"])]

    def __str__(self) -> str:
        return f"{self.forename} {self.surname}"


class Membership(models.Model):
    class Role(models.TextChoices):
        PARENT_CARER = "parent_carer", "Parent or carer"
        CHILD = "child", "Child"
        OTHER_ADULT = "other_adult", "Other significant adult"
        WIDER_FAMILY = "wider_family", "Wider family or agent of change"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    lives_in_household = models.BooleanField(default=True)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    in_care = models.BooleanField(default=False)
    in_custody = models.BooleanField(default=False)
    no_contact_for_safety = models.BooleanField(
        default=False, help_text="Do not contact this person: contact would put someone at risk."
    )

    class Meta:
        ordering = ["role", "person__dob"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "person"],
                condition=Q(ended_on=None),
                name="membership_one_current_per_person",
            ),
            models.CheckConstraint(
                condition=Q(ended_on=None) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
        ]


class Consent(models.Model):
    class Scope(models.TextChoices):
        PARTICIPATION = "participation", "Taking part in the programme"
        SHARE_TAF = "share_taf", "Sharing with the Team Around the Family"
        SHARE_AGENCY = "share_agency", "Sharing with a named agency"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="consents")
    given_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents_given")
    given_on = models.DateField()
    scope = models.CharField(max_length=20, choices=Scope.choices)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="consents"
    )
    withdrawn_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="share_agency", agency__isnull=False)
                | (~Q(scope="share_agency") & Q(agency__isnull=True)),
                name="consent_agency_only_for_agency_scope",
            ),
        ]

    @property
    def in_force(self) -> bool:
        return self.withdrawn_on is None


class Involvement(models.Model):
    """An agency's place on the family's Team Around the Family."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="involvements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    role = models.CharField(max_length=120, help_text="What the agency does for this family.")
    statutory = models.BooleanField(default=False)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    paused = models.BooleanField(default=False)

    class Meta:
        ordering = ["ended_on", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "agency"],
                condition=Q(ended_on=None),
                name="involvement_one_current_per_agency",
            ),
        ]

    @property
    def current(self) -> bool:
        return self.ended_on is None


class CaseNote(models.Model):
    class ContactType(models.TextChoices):
        HOME_VISIT = "home_visit", "Home visit"
        OFFICE = "office", "Office or centre visit"
        SCHOOL = "school", "School visit"
        PHONE = "phone", "Phone call"
        VIDEO = "video", "Video call"
        MESSAGE = "message", "Text, email or letter"
        MEETING = "meeting", "Multi-agency meeting"
        NOTE = "note", "Case note (no contact)"

    class Confidentiality(models.TextChoices):
        NORMAL = "normal", "Normal: the Team Around the Family can see it"
        RESTRICTED = "restricted", "Restricted: only the lead professional and my agency"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    author_agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")
    contact_type = models.CharField(max_length=20, choices=ContactType.choices)
    contact_date = models.DateField()
    text = models.TextField()
    confidentiality = models.CharField(
        max_length=12, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    # Who the note is about, for subject-access requests.
    people = models.ManyToManyField(Person, blank=True, related_name="notes")
    child_seen_alone = models.BooleanField(
        default=False, help_text="At a contact: a child was seen on their own."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-contact_date", "-id"]
        indexes = [models.Index(fields=["family", "contact_date"])]
