"""The families API: same access rules as the pages (families.access), writes via services."""

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from families import access, selectors, services
from families.models import CaseNote, Consent, Family, Involvement, Membership, Person
from tafcase.accounts.models import Agency
from tafcase.api_params import (
    IDEMPOTENCY_KEY_PARAMETER,
    idempotency_key,
    query_choice,
    query_flag,
    query_id,
)
from tafcase.audit.api import AuditedListMixin
from tafcase.audit.services import audit_viewed
from tafcase.fields import (
    DateOfBirthSerializerField,
    IdentitySerializerField,
    PastDateSerializerField,
    PostcodeSerializerField,
)


def _writable_family(request, family_id) -> Family:
    return access.family_for_user(request.user, family_id, write=True)


# --- families -------------------------------------------------------------------------


class FamilyOutput(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    last_contact = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Family
        fields = [
            "id",
            "reference",
            "name",
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "locality",
            "status",
            "tier",
            "lead_professional",
            "programme_start",
            "programme_end",
            "next_review_due",
            "last_contact",
            "version",
        ]


class FamilyInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    address_line_1 = serializers.CharField(max_length=120, required=False, allow_blank=True)
    address_line_2 = serializers.CharField(max_length=120, required=False, allow_blank=True)
    town = serializers.CharField(max_length=80, required=False, allow_blank=True)
    postcode = PostcodeSerializerField()
    tier = serializers.ChoiceField(choices=Family.Tier.choices, required=False, allow_blank=True)
    lead_professional = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A key worker of the family's authority.",
    )

    def lead_for(self, authority):
        """The lead professional named in the request, resolved within `authority`."""
        if "lead_professional" not in self.validated_data:
            return {}
        lead_id = self.validated_data["lead_professional"]
        if lead_id is None:
            return {"lead_professional": None}
        lead = selectors.key_workers_of(authority).filter(pk=access.record_id(lead_id)).first()
        if lead is None:
            raise serializers.ValidationError(
                {"lead_professional": "Choose a key worker of this authority."}
            )
        return {"lead_professional": lead}


class FamilyUpdate(FamilyInput):
    name = serializers.CharField(max_length=120, required=False)
    tier = None  # tier changes go through panel decisions and re-banding
    version = serializers.IntegerField(
        help_text="The version you are changing; a stale version is refused with 409."
    )


class TransitionInput(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Family.Status.choices)
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Name, date of birth, postcode or reference"),
            OpenApiParameter("status", str),
            OpenApiParameter("tier", str),
            OpenApiParameter("mine", bool, description="Only families I lead or key-work"),
        ]
    )
)
class FamilyViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Family.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = FamilyOutput
    audit_what = "families (API)"

    def audited_ids(self, rows):
        return [f.pk for f in rows], ()

    def audited_terms(self, request) -> str:
        return request.query_params.get("q", "")

    def get_queryset(self):
        request = self.request
        if text := request.query_params.get("q"):
            families = selectors.family_search(request.user, text)
        else:
            families = selectors.caseload(request.user, mine_only=query_flag(request, "mine"))
        if status := query_choice(request, "status", Family.Status.values):
            families = families.filter(status=status)
        if tier := query_choice(request, "tier", Family.Tier.values):
            families = families.filter(tier=tier)
        return families

    def retrieve(self, request, pk=None):
        family = access.family_for_user(request.user, pk, write=False)
        audit_viewed(request, family, family_id=family.pk)
        return Response(FamilyOutput(selectors.with_last_contact(family)).data)

    @extend_schema(request=FamilyInput, responses={201: FamilyOutput})
    def create(self, request):
        authority = access.authority_for_new_family(request.user)
        data = FamilyInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {**data.validated_data, **data.lead_for(authority)}
        family = services.family_open(actor=request.user, local_authority=authority, **fields)
        return Response(FamilyOutput(family).data, status=201)

    @extend_schema(request=FamilyUpdate, responses={200: FamilyOutput, 409: dict})
    def partial_update(self, request, pk=None):
        family = _writable_family(request, pk)
        data = FamilyUpdate(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {**data.validated_data, **data.lead_for(family.local_authority)}
        version = fields.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": "Send the version you are changing."})
        family = services.family_update(
            actor=request.user, family=family, expected_version=version, **fields
        )
        return Response(FamilyOutput(family).data)

    @extend_schema(request=TransitionInput, responses={200: FamilyOutput})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        family = _writable_family(request, pk)
        if not access.can_change_status(request.user, family):
            raise PermissionDenied
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        family = services.family_transition_by_hand(
            actor=request.user, family=family, **data.validated_data
        )
        return Response(FamilyOutput(family).data)


# --- people -----------------------------------------------------------------------------


class PersonOutput(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "forename",
            "surname",
            "dob",
            "sex",
            "ethnicity",
            *Person.IDENTIFIER_FIELDS,
            "version",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context["show_identifiers"]:
            for name in Person.IDENTIFIER_FIELDS:
                data.pop(name)
        return data


class PersonInput(serializers.Serializer):
    forename = serializers.CharField(max_length=80)
    surname = serializers.CharField(max_length=80)
    dob = DateOfBirthSerializerField(required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=Person.Sex.choices, required=False, allow_blank=True)
    ethnicity = serializers.ChoiceField(
        choices=Person.Ethnicity.choices, required=False, allow_blank=True
    )
    upn = IdentitySerializerField("upn")
    nino = IdentitySerializerField("nino")
    nhs_number = IdentitySerializerField("nhs_number")
    pnc_id = IdentitySerializerField("pnc_id")
    la_person_id = IdentitySerializerField("la_person_id")


class PersonUpdate(PersonInput):
    forename = serializers.CharField(max_length=80, required=False)
    surname = serializers.CharField(max_length=80, required=False)
    version = serializers.IntegerField()


def _person_data(request, data: dict) -> dict:
    """Identifiers can be written only by roles that may see them."""
    if not access.can_see_identifiers(request.user):
        data = {k: v for k, v in data.items() if k not in Person.IDENTIFIER_FIELDS}
    return data


class PersonViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Person.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = PersonOutput
    audit_what = "people (API)"

    def audited_ids(self, rows):
        return (), [p.pk for p in rows]

    def get_queryset(self):
        return access.people_visible_to(self.request.user).order_by("surname", "forename", "id")

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "show_identifiers": access.can_see_identifiers(self.request.user),
        }

    def retrieve(self, request, pk=None):
        person = access.person_for_user(request.user, pk, write=False)
        audit_viewed(request, person, person_ids=[person.pk])
        return Response(self.get_serializer(person).data)

    @extend_schema(request=PersonUpdate, responses={200: PersonOutput, 409: dict})
    def partial_update(self, request, pk=None):
        person = access.person_for_user(request.user, pk, write=True)
        family = access.changeable_family_of(request.user, person)
        data = PersonUpdate(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = _person_data(request, dict(data.validated_data))
        version = fields.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": "Send the version you are changing."})
        person = services.person_update(
            actor=request.user,
            person=person,
            expected_version=version,
            family_id=family.pk,
            **fields,
        )
        return Response(self.get_serializer(person).data)


# --- records that belong to a family ----------------------------------------------------


class FamilyScopedViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Records that belong to a family, for every app: lists filtered in SQL to the
    families the user can see (`?family=ID` narrows to one); one record by id through its
    app's access helper, audited with the family and the people it names. A list page is
    audited once with the families and people of its records; `person_ids` must then read
    only columns or relations the list's queryset prefetches."""

    queryset = None  # each subclass names its model with Model.objects.none()
    family_path = "family"
    related: tuple[str, ...] = ()
    # The access helper for one record, e.g. staticmethod(outcomes.access.goal_for_user).
    record_for_user: Any = None

    def get_queryset(self):
        records = (
            self.queryset.model.objects.filter(
                **{f"{self.family_path}__in": access.families_visible_to(self.request.user)}
            )
            .select_related(*self.related)
            .order_by("-id")
        )
        if (family := query_id(self.request, "family")) is not None:
            records = records.filter(**{f"{self.family_path}_id": family})
        return records

    @property
    def audit_what(self) -> str:
        return f"{self.queryset.model._meta.verbose_name_plural} (API)"

    def retrieve(self, request, pk=None):
        record = self.record_for_user(request.user, pk, write=False)
        audit_viewed(
            request, record, family_id=self.family_id(record), person_ids=self.person_ids(record)
        )
        return Response(self.get_serializer(record).data)

    def family_id(self, record) -> int:
        """The record's family id, read through the select_related path to it."""
        *through, last = self.family_path.split("__")
        for name in through:
            record = getattr(record, name)
        return getattr(record, f"{last}_id")

    def audited_ids(self, rows):
        return (
            [self.family_id(r) for r in rows],
            [p for r in rows for p in self.person_ids(r)],
        )

    def person_ids(self, record) -> list[int]:
        return []


class MembershipOutput(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.__str__", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "family",
            "person",
            "person_name",
            "role",
            "lives_in_household",
            "started_on",
            "ended_on",
            "in_care",
            "in_custody",
            "no_contact_for_safety",
        ]


class MembershipInput(serializers.Serializer):
    family = serializers.IntegerField()
    person = PersonInput()
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    lives_in_household = serializers.BooleanField(default=True)
    in_care = serializers.BooleanField(default=False)
    in_custody = serializers.BooleanField(default=False)
    no_contact_for_safety = serializers.BooleanField(default=False)


class MembershipViewSet(FamilyScopedViewSet):
    queryset = Membership.objects.none()
    record_for_user = staticmethod(access.membership_for_user)
    related = ("person",)
    serializer_class = MembershipOutput

    def person_ids(self, record) -> list[int]:
        return [record.person_id]

    @extend_schema(request=MembershipInput, responses={201: MembershipOutput})
    def create(self, request):
        data = MembershipInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        family = _writable_family(request, fields.pop("family"))
        person = _person_data(request, fields.pop("person"))
        membership = services.member_add(actor=request.user, family=family, **fields, **person)
        return Response(MembershipOutput(membership).data, status=201)


class ConsentOutput(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["id", "family", "given_by", "given_on", "scope", "agency", "withdrawn_on"]


class ConsentInput(serializers.Serializer):
    family = serializers.IntegerField()
    given_by = serializers.IntegerField(help_text="A member of the family.")
    given_on = PastDateSerializerField()
    scope = serializers.ChoiceField(choices=Consent.Scope.choices)
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True
    )


class DateInput(serializers.Serializer):
    on = PastDateSerializerField()


class ConsentViewSet(FamilyScopedViewSet):
    queryset = Consent.objects.none()
    record_for_user = staticmethod(access.consent_for_user)
    serializer_class = ConsentOutput

    def person_ids(self, record) -> list[int]:
        return [record.given_by_id]

    @extend_schema(request=ConsentInput, responses={201: ConsentOutput})
    def create(self, request):
        data = ConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        family = _writable_family(request, fields.pop("family"))
        fields["given_by"] = access.member_of_family(family, fields["given_by"])
        consent = services.consent_record(actor=request.user, family=family, **fields)
        return Response(ConsentOutput(consent).data, status=201)

    @extend_schema(request=DateInput, responses={200: ConsentOutput})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        consent = access.consent_for_user(request.user, pk, write=True)
        data = DateInput(data=request.data)
        data.is_valid(raise_exception=True)
        consent = services.consent_withdraw(
            actor=request.user, consent=consent, withdrawn_on=data.validated_data["on"]
        )
        return Response(ConsentOutput(consent).data)


class InvolvementOutput(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Involvement
        fields = [
            "id",
            "family",
            "agency",
            "agency_name",
            "role",
            "statutory",
            "started_on",
            "ended_on",
            "paused",
        ]


class InvolvementInput(serializers.Serializer):
    family = serializers.IntegerField()
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    role = serializers.CharField(max_length=120)
    statutory = serializers.BooleanField(default=False)
    started_on = PastDateSerializerField()


class PauseInput(serializers.Serializer):
    paused = serializers.BooleanField()


class InvolvementViewSet(FamilyScopedViewSet):
    queryset = Involvement.objects.none()
    record_for_user = staticmethod(access.involvement_for_user)
    related = ("agency",)
    serializer_class = InvolvementOutput

    @extend_schema(request=InvolvementInput, responses={201: InvolvementOutput})
    def create(self, request):
        data = InvolvementInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        family = _writable_family(request, fields.pop("family"))
        involvement = services.involvement_add(actor=request.user, family=family, **fields)
        return Response(InvolvementOutput(involvement).data, status=201)

    @extend_schema(request=DateInput, responses={200: InvolvementOutput})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        involvement = access.involvement_for_user(request.user, pk, write=True)
        data = DateInput(data=request.data)
        data.is_valid(raise_exception=True)
        involvement = services.involvement_end(
            actor=request.user, involvement=involvement, ended_on=data.validated_data["on"]
        )
        return Response(InvolvementOutput(involvement).data)

    @extend_schema(request=PauseInput, responses={200: InvolvementOutput})
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        involvement = access.involvement_for_user(request.user, pk, write=True)
        data = PauseInput(data=request.data)
        data.is_valid(raise_exception=True)
        involvement = services.involvement_set_paused(
            actor=request.user, involvement=involvement, paused=data.validated_data["paused"]
        )
        return Response(InvolvementOutput(involvement).data)


class NoteOutput(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.full_name", read_only=True)
    author_agency_name = serializers.CharField(
        source="author_agency.name", read_only=True, allow_null=True
    )

    class Meta:
        model = CaseNote
        fields = [
            "id",
            "family",
            "author_name",
            "author_agency_name",
            "contact_type",
            "contact_date",
            "text",
            "confidentiality",
            "people",
            "child_seen_alone",
            "created_at",
        ]


class NoteInput(serializers.Serializer):
    family = serializers.IntegerField()
    contact_type = serializers.ChoiceField(choices=CaseNote.ContactType.choices)
    contact_date = PastDateSerializerField()
    text = serializers.CharField()
    confidentiality = serializers.ChoiceField(
        choices=CaseNote.Confidentiality.choices, default=CaseNote.Confidentiality.NORMAL
    )
    people = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Members of the family."
    )
    child_seen_alone = serializers.BooleanField(required=False, default=False)


class NoteViewSet(FamilyScopedViewSet):
    queryset = CaseNote.objects.none()
    related = ("author", "author_agency")
    serializer_class = NoteOutput

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(access.note_visibility_filter(self.request.user))
            .prefetch_related("people")
        )

    record_for_user = staticmethod(access.note_for_user)

    def person_ids(self, record) -> list[int]:
        return [p.pk for p in record.people.all()]

    @extend_schema(
        request=NoteInput, parameters=[IDEMPOTENCY_KEY_PARAMETER], responses={201: NoteOutput}
    )
    def create(self, request):
        key = idempotency_key(request)
        data = NoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        family = access.family_for_user(request.user, fields.pop("family"), write=False)
        if not access.can_add_notes(request.user, family):
            raise PermissionDenied
        fields["people"] = [access.member_of_family(family, p) for p in fields.get("people", [])]
        note = services.note_add(actor=request.user, family=family, idempotency_key=key, **fields)
        return Response(NoteOutput(note).data, status=201)
