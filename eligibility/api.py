"""The nominations, screening and panels API: the pages' access rules (eligibility.access)
and services, with input and output serializers."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from eligibility import access, selectors, services
from eligibility.models import (
    AgendaItem,
    FrameworkVersion,
    Nomination,
    PanelMeeting,
    RecordedEvidence,
    Screening,
)
from families import access as family_access
from families import selectors as family_selectors
from families.access import AUTHORITY_WIDE_ROLES, families_visible_to, record_id
from families.models import Family, Membership, Person
from tafcase.accounts import authority as working
from tafcase.accounts.models import LocalAuthority, Role
from tafcase.api_params import IDEMPOTENCY_KEY_PARAMETER, idempotency_key, query_choice
from tafcase.audit.api import AuditedListMixin
from tafcase.audit.services import audit_viewed
from tafcase.fields import (
    DateOfBirthSerializerField,
    EventDateSerializerField,
    IdentitySerializerField,
    PastDateSerializerField,
    PostcodeSerializerField,
)
from tafcase.idempotency.services import derived_key

# --- nominations ----------------------------------------------------------------------


class EvidenceOutput(serializers.ModelSerializer):
    class Meta:
        model = RecordedEvidence
        fields = ["id", "criterion", "purpose", "person", "evidence_date", "source", "text"]


class ScreeningOutput(serializers.ModelSerializer):
    framework = serializers.StringRelatedField()
    overridden = serializers.BooleanField(read_only=True)

    class Meta:
        model = Screening
        fields = [
            "id",
            "framework",
            "as_of",
            "rulebook_eligible",
            "outcome",
            "overridden",
            "override_reason",
            "onward_route",
            "onward_detail",
            "decision",
            "decided_at",
        ]


class NominationOutput(serializers.ModelSerializer):
    """Summary fields for everyone who may see the nomination; the family's details,
    evidence and screening only for those who may see the family."""

    reference = serializers.CharField(read_only=True)
    family_reference = serializers.CharField(source="family.reference", read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "reference",
            "family",
            "family_reference",
            "route",
            "stage",
            "referrer_agency",
            "believed_criteria",
            "consent_given_on",
            "submitted_at",
            "stage_changed_at",
        ]

    def to_representation(self, instance):
        user = self.context["request"].user
        if not access.sees_progress(user, instance):
            # A nominator learns only that the nomination was received (DESIGN.md §4).
            return {
                "id": instance.pk,
                "reference": instance.reference,
                "route": instance.route,
                "stage": "received",
                "submitted_at": serializers.DateTimeField().to_representation(
                    instance.submitted_at
                ),
            }
        data = super().to_representation(instance)
        if self.context.get("detail") and self.context.get("sees_family"):
            data["reason"] = instance.reason
            data["is_re_referral"] = instance.is_re_referral
            data["evidence"] = EvidenceOutput(selectors.evidence_for(instance), many=True).data
            screening = instance.screenings.first()
            data["screening"] = ScreeningOutput(screening).data if screening else None
        return data


class MemberInput(serializers.Serializer):
    forename = serializers.CharField(max_length=80)
    surname = serializers.CharField(max_length=80)
    dob = DateOfBirthSerializerField(required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=Person.Sex.choices, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    upn = IdentitySerializerField("upn")
    nino = IdentitySerializerField("nino")
    nhs_number = IdentitySerializerField("nhs_number")
    la_person_id = IdentitySerializerField("la_person_id")


class CriterionInput(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    evidence_date = PastDateSerializerField()
    text = serializers.CharField()
    member = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Index into members; empty = household",
    )


class NominationInput(serializers.Serializer):
    family_name = serializers.CharField(max_length=120)
    address_line_1 = serializers.CharField(max_length=120, required=False, allow_blank=True)
    town = serializers.CharField(max_length=80, required=False, allow_blank=True)
    postcode = PostcodeSerializerField()
    reason = serializers.CharField()
    members = MemberInput(many=True)
    criteria = CriterionInput(many=True, required=False)
    consent_given_on = PastDateSerializerField(required=False, allow_null=True)
    consent_given_by = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="Index into members of who agreed"
    )
    local_authority = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The authority the family lives in, for partners who serve several.",
    )

    def validate(self, data):
        """Member indexes must point into `members` (a negative or too-large index is a
        400, not the last member or a server error)."""
        count = len(data.get("members", []))
        errors = {}
        if data.get("consent_given_by") is not None and data["consent_given_by"] >= count:
            errors["consent_given_by"] = ["Must be the index of one of the members."]
        for c in data.get("criteria", []):
            if c.get("member") is not None and c["member"] >= count:
                errors["criteria"] = ["A criterion's member must be the index of a member."]
        if errors:
            raise serializers.ValidationError(errors)
        return data


class EvidenceInput(serializers.Serializer):
    criterion = serializers.CharField(max_length=40)
    person = serializers.IntegerField(required=False, allow_null=True)
    purpose = serializers.ChoiceField(
        choices=RecordedEvidence.Purpose.choices, default=RecordedEvidence.Purpose.NEED
    )
    evidence_date = PastDateSerializerField()
    source = serializers.CharField(max_length=200)
    text = serializers.CharField()


class ScreeningInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Screening.Outcome.choices)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    onward_route = serializers.ChoiceField(
        choices=Screening.OnwardRoute.choices, required=False, allow_blank=True, default=""
    )
    onward_detail = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class AgendaBuildInput(serializers.Serializer):
    nominations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        allow_empty=False,
        help_text="The eligible nominations to add. Leave out to add every one waiting.",
    )


class MergeInput(serializers.Serializer):
    into = serializers.IntegerField(help_text="The known family this nomination is about.")


def _sees_family(user, nomination) -> bool:
    return families_visible_to(user).filter(pk=nomination.family_id).exists()


def _one_of(queryset, value, field: str, what: str):
    """An id from a request body, resolved within what the request may name (400)."""
    try:
        found = queryset.filter(pk=record_id(value)).first()
    except Http404:
        found = None
    if found is None:
        raise serializers.ValidationError({field: f"Choose {what}."})
    return found


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("stage", str)]))
class NominationViewSet(AuditedListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Nomination.objects.none()
    serializer_class = NominationOutput
    audit_what = "nominations (API)"

    def audited_ids(self, rows):
        return [n.family_id for n in rows], ()

    def get_queryset(self):
        nominations = selectors.with_list_columns(
            access.nominations_visible_to(self.request.user)
        ).order_by("submitted_at", "pk")
        stage = query_choice(self.request, "stage", Nomination.Stage.values)
        return nominations.filter(stage=stage) if stage else nominations

    def _detail(self, request, nomination, status=200):
        context = {
            "request": request,
            "detail": True,
            "sees_family": _sees_family(request.user, nomination),
        }
        return Response(NominationOutput(nomination, context=context).data, status=status)

    def retrieve(self, request, pk=None):
        nomination = access.nomination_for_user(request.user, pk, write=False)
        audit_viewed(request, nomination, family_id=nomination.family_id)
        return self._detail(request, nomination)

    @extend_schema(
        request=NominationInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: NominationOutput, 409: dict},
        description=(
            "Sent again with the same Idempotency-Key, answers 201 with the nomination the "
            "first request made and makes nothing new. Without the header, the key is a hash "
            "of the validated body: the same nomination sent twice by the same user within "
            "the key lifetime (IDEMPOTENCY_KEY_HOURS, 24 by default) is one nomination."
        ),
    )
    def create(self, request):
        key = idempotency_key(request)
        data = NominationInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        # Nominations are the create most often retried by partner systems, and a
        # duplicate is a second family record: identical bodies count as one request.
        key = key or derived_key(scope="nominations", data=fields)
        chosen_id = fields.pop("local_authority", None)
        chosen = get_object_or_404(LocalAuthority, pk=record_id(chosen_id)) if chosen_id else None
        authority = access.authority_for_nomination(request.user, chosen)
        nomination = services.nomination_submit(
            actor=request.user,
            local_authority=authority,
            route=Nomination.Route.REFERRAL,
            idempotency_key=key,
            **fields,
        )
        return self._detail(request, nomination, status=201)

    @extend_schema(request=MergeInput, responses={200: NominationOutput})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """The coordinator's decision that the nominated family is one already known."""
        nomination = access.nomination_for_user(request.user, pk, write=True)
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        into = family_access.family_for_user(request.user, data.validated_data["into"], write=True)
        nomination = services.nomination_merge(actor=request.user, nomination=nomination, into=into)
        return self._detail(request, nomination)

    @extend_schema(request=ScreeningInput, responses={201: ScreeningOutput})
    @action(detail=True, methods=["post"])
    def screen(self, request, pk=None):
        nomination = access.nomination_for_user(request.user, pk, write=True)
        data = ScreeningInput(data=request.data)
        data.is_valid(raise_exception=True)
        screening = services.nomination_screen(
            actor=request.user, nomination=nomination, **data.validated_data
        )
        return Response(ScreeningOutput(screening).data, status=201)

    @extend_schema(request=EvidenceInput, responses={201: EvidenceOutput})
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        nomination = access.nomination_for_user(request.user, pk, write=False)
        if not access.can_add_evidence(request.user, nomination):
            raise PermissionDenied
        data = EvidenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        person_id = fields.pop("person", None)
        person = (
            family_access.member_of_family(nomination.family, person_id)
            if person_id is not None
            else None
        )
        evidence = services.evidence_record(
            actor=request.user,
            family=nomination.family,
            nomination=nomination,
            person=person,
            **fields,
        )
        return Response(EvidenceOutput(evidence).data, status=201)


# --- panels ---------------------------------------------------------------------------


class AgendaItemOutput(serializers.ModelSerializer):
    nomination_reference = serializers.CharField(source="nomination.reference", read_only=True)
    family_reference = serializers.CharField(source="nomination.family.reference", read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "panel",
            "position",
            "nomination",
            "nomination_reference",
            "family_reference",
            "local_criteria_met",
            "agencies_involved",
            "likelihood",
            "reorder_reason",
            "decision",
            "level",
            "reasons",
            "referred_to",
            "lead_professional",
            "over_capacity",
            "decided_at",
        ]


class PanelOutput(serializers.ModelSerializer):
    class Meta:
        model = PanelMeeting
        fields = ["id", "meets_on", "chair", "member_agencies", "agencies_present", "quorum"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("detail"):
            data["agenda"] = AgendaItemOutput(selectors.agenda(instance), many=True).data
        return data


class PanelInput(serializers.Serializer):
    meets_on = EventDateSerializerField()
    chair = serializers.IntegerField(help_text="A panel chair or coordinator of the authority.")
    member_agencies = serializers.ListField(child=serializers.IntegerField())
    quorum = serializers.IntegerField(min_value=1)


class AttendanceInput(serializers.Serializer):
    agencies = serializers.ListField(child=serializers.IntegerField())


class DecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=AgendaItem.Decision.choices)
    reasons = serializers.CharField()
    level = serializers.ChoiceField(
        choices=Family.Tier.choices, required=False, allow_blank=True, default=""
    )
    lead_professional = serializers.IntegerField(
        required=False, allow_null=True, help_text="A key worker of the panel's authority."
    )
    referred_to = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    allow_over_capacity = serializers.BooleanField(required=False, default=False)


class RateInput(serializers.Serializer):
    likelihood = serializers.IntegerField(min_value=1, max_value=3, allow_null=True)


class MoveInput(serializers.Serializer):
    to_position = serializers.IntegerField(min_value=1)
    reason = serializers.CharField()


class PanelViewSet(AuditedListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = PanelMeeting.objects.none()
    serializer_class = PanelOutput
    audit_what = "panels (API)"  # meetings only: the agendas are on the detail

    def get_queryset(self):
        return access.panels_visible_to(self.request.user).prefetch_related(
            "member_agencies", "agencies_present"
        )

    def retrieve(self, request, pk=None):
        panel = access.panel_for_user(request.user, pk, write=False)
        audit_viewed(request, panel)
        return Response(PanelOutput(panel, context={"detail": True}).data)

    @extend_schema(request=PanelInput, responses={201: PanelOutput})
    def create(self, request):
        authority = access.authority_for_new_panel(request.user)
        data = PanelInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["chair"] = _one_of(
            selectors.panel_chairs_of(authority),
            fields["chair"],
            "chair",
            "a chair of this authority",
        )
        fields["member_agencies"] = [
            _one_of(
                selectors.agencies_for(authority), a, "member_agencies", "agencies that serve it"
            )
            for a in fields["member_agencies"]
        ]
        panel = services.panel_create(actor=request.user, local_authority=authority, **fields)
        return Response(PanelOutput(panel, context={"detail": True}).data, status=201)

    def _act(self, request, pk, act):
        panel = access.panel_for_user(request.user, pk, write=True)
        act(panel)
        return Response(PanelOutput(panel, context={"detail": True}).data)

    @extend_schema(request=AgendaBuildInput, responses={200: PanelOutput})
    @action(detail=True, methods=["post"])
    def build(self, request, pk=None):
        data = AgendaBuildInput(data=request.data)
        data.is_valid(raise_exception=True)
        chosen = data.validated_data.get("nominations")
        return self._act(
            request,
            pk,
            lambda panel: services.agenda_build(
                actor=request.user, panel=panel, nomination_ids=chosen
            ),
        )

    @extend_schema(request=None, responses={200: PanelOutput})
    @action(detail=True, methods=["post"])
    def sort(self, request, pk=None):
        return self._act(
            request, pk, lambda panel: services.agenda_sort(actor=request.user, panel=panel)
        )

    @extend_schema(request=AttendanceInput, responses={200: PanelOutput})
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(
            request,
            pk,
            lambda panel: services.panel_record_attendance(
                actor=request.user,
                panel=panel,
                agencies=[
                    _one_of(panel.member_agencies.all(), a, "agencies", "the panel's members")
                    for a in data.validated_data["agencies"]
                ],
            ),
        )


class AgendaItemViewSet(viewsets.GenericViewSet):
    queryset = AgendaItem.objects.none()
    serializer_class = AgendaItemOutput

    def _item(self, request, pk, *, write: bool) -> AgendaItem:
        return access.agenda_item_for_user(request.user, pk, write=write)

    def retrieve(self, request, pk=None):
        item = self._item(request, pk, write=False)
        audit_viewed(request, item, family_id=item.nomination.family_id)
        return Response(AgendaItemOutput(item).data)

    @extend_schema(request=DecisionInput, responses={200: AgendaItemOutput})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        item = self._item(request, pk, write=True)
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields.get("lead_professional") is not None:
            fields["lead_professional"] = _one_of(
                family_selectors.key_workers_of(item.panel.local_authority),
                fields["lead_professional"],
                "lead_professional",
                "a key worker of this authority",
            )
        item = services.agenda_decide(actor=request.user, item=item, **fields)
        return Response(AgendaItemOutput(item).data)

    @extend_schema(request=RateInput, responses={200: AgendaItemOutput})
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        item = self._item(request, pk, write=True)
        data = RateInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.agenda_rate(actor=request.user, item=item, **data.validated_data)
        return Response(AgendaItemOutput(item).data)

    @extend_schema(request=MoveInput, responses={200: AgendaItemOutput})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        item = self._item(request, pk, write=True)
        data = MoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.agenda_move(actor=request.user, item=item, **data.validated_data)
        item.refresh_from_db()
        return Response(AgendaItemOutput(item).data)


# --- rulebooks ------------------------------------------------------------------------


class FrameworkOutput(serializers.ModelSerializer):
    class Meta:
        model = FrameworkVersion
        fields = ["id", "code", "version", "is_active", "change_summary", "created_at", "data"]


class FrameworkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Framework versions of the authorities the user serves. Reading is for the programme
    team, auditors and administrators; administrators change them on the rulebook page."""

    queryset = FrameworkVersion.objects.none()
    serializer_class = FrameworkOutput

    def get_queryset(self):
        user = self.request.user
        authority_id = working.working_authority_id(user)
        if not user.has_role(*AUTHORITY_WIDE_ROLES, Role.ADMINISTRATOR) or authority_id is None:
            raise PermissionDenied
        return FrameworkVersion.objects.filter(local_authority_id=authority_id)
