"""Casework API: the same access rules (families.access) and services as the pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from families import access as family_access
from families.api import FamilyScopedViewSet
from families.models import Family, Person
from outcomes import access, selectors, services
from outcomes.models import (
    Action,
    Assessment,
    BudgetItem,
    Closure,
    DomainScore,
    FollowUp,
    Goal,
    Review,
    TierChange,
)
from tafcase.accounts.models import Agency
from tafcase.api_params import IDEMPOTENCY_KEY_PARAMETER, idempotency_key, query_id
from tafcase.audit.services import audit_viewed
from tafcase.fields import EventDateSerializerField, PastDateSerializerField


def _family(request, family_id, *, write: bool) -> Family:
    return family_access.family_for_user(request.user, family_id, write=write)


FAMILY_FILTER = extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("family", int, description="family id")])
)


# --- assessments ----------------------------------------------------------------------


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = DomainScore
        fields = ["person", "domain", "score", "rationale", "more_need_found"]


class AssessmentOutput(serializers.ModelSerializer):
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "family",
            "occasion",
            "status",
            "started_on",
            "completed_on",
            "no_formal_assessment",
            "family_view",
            "strengths",
            "contributors",
            "domain_set",
            "domain_set_version",
            "version",
            "scores",
        ]


class ScoreInput(serializers.Serializer):
    person = serializers.IntegerField(allow_null=True, help_text="null: the family profile")
    domain = serializers.CharField(max_length=60)
    score = serializers.IntegerField(min_value=1, max_value=5)
    rationale = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    more_need_found = serializers.BooleanField(required=False, default=False)


class AssessmentInput(serializers.Serializer):
    version = serializers.IntegerField()
    scores = ScoreInput(many=True, required=False, default=list)
    family_view = serializers.CharField(required=False, allow_blank=True, default="")
    strengths = serializers.CharField(required=False, allow_blank=True, default="")
    contributors = serializers.CharField(required=False, allow_blank=True, default="")
    complete = serializers.BooleanField(required=False, default=False)
    no_formal_assessment = serializers.BooleanField(required=False, default=False)


class AssessmentStartInput(serializers.Serializer):
    family = serializers.IntegerField()


class AssessmentAmendInput(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(max_length=1000, help_text="Why it needs amending.")


@FAMILY_FILTER
class AssessmentViewSet(FamilyScopedViewSet):
    queryset = Assessment.objects.none()
    record_for_user = staticmethod(access.assessment_for_user)
    serializer_class = AssessmentOutput

    def get_queryset(self):
        return super().get_queryset().prefetch_related("scores")

    def person_ids(self, record) -> list[int]:
        return [s.person_id for s in record.scores.all()]

    @extend_schema(request=AssessmentStartInput, responses={201: AssessmentOutput})
    def create(self, request):
        data = AssessmentStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        family = _family(request, data.validated_data["family"], write=True)
        assessment = services.assessment_start(actor=request.user, family=family)
        return Response(AssessmentOutput(assessment).data, status=201)

    @extend_schema(request=AssessmentInput, responses={200: AssessmentOutput, 409: dict})
    def partial_update(self, request, pk=None):
        assessment = access.assessment_for_user(request.user, pk, write=True)
        family = assessment.family
        data = AssessmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        people = {p.pk: p for p in Person.objects.filter(memberships__family=family)}
        scores = []
        for s in fields.pop("scores"):
            if s["person"] is not None and s["person"] not in people:
                raise serializers.ValidationError({"scores": "Only members of the family."})
            scores.append({**s, "person": people.get(s["person"])})
        assessment = services.assessment_save(
            actor=request.user,
            assessment=assessment,
            expected_version=fields.pop("version"),
            scores=scores,
            **fields,
        )
        return Response(AssessmentOutput(Assessment.objects.get(pk=assessment.pk)).data)

    @extend_schema(request=AssessmentAmendInput, responses={200: AssessmentOutput, 409: dict})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """Reopen a completed assessment to correct it, giving the reason (kept with a
        copy of it as it was); then save and complete it again as usual."""
        assessment = access.assessment_for_user(request.user, pk, write=True)
        data = AssessmentAmendInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.assessment_amend(
            actor=request.user,
            assessment=assessment,
            reason=data.validated_data["reason"],
            expected_version=data.validated_data["version"],
        )
        return Response(AssessmentOutput(self.get_queryset().get(pk=assessment.pk)).data)

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"], url_path="distance-travelled")
    def distance_travelled(self, request):
        """Change in every domain from baseline, per subject: ?family= is required."""
        family = _family(request, query_id(request, "family"), write=False)
        distance = selectors.distance_for(family)
        audit_viewed(request, family, family_id=family.pk)
        return Response(
            {
                "family": family.pk,
                "occasions": distance.occasions,
                "subjects": [
                    {
                        "subject": p.subject.key,
                        "name": p.subject.name,
                        "profile": p.subject.profile.value,
                        "domains": [
                            {
                                "domain": d.domain,
                                "baseline": d.baseline,
                                "latest": d.latest,
                                "change": d.change,
                                "direction": d.direction.value,
                            }
                            for d in p.domains
                        ],
                    }
                    for p in distance.subjects
                ],
            }
        )


# --- plan -----------------------------------------------------------------------------


class ActionOutput(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = [
            "id",
            "goal",
            "description",
            "owner_person",
            "owner_agency",
            "due_on",
            "status",
            "completed_on",
            "version",
        ]


class GoalOutput(serializers.ModelSerializer):
    actions = ActionOutput(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "family", "title", "criterion", "target", "members", "status", "version"]
        fields += ["actions"]


class GoalInput(serializers.Serializer):
    family = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    criterion = serializers.CharField(max_length=40)
    target = serializers.CharField(max_length=300)
    members = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="Members."
    )


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Goal.Status.choices)
    version = serializers.IntegerField()


class ActionInput(serializers.Serializer):
    goal = serializers.IntegerField()
    description = serializers.CharField(max_length=300)
    due_on = EventDateSerializerField()
    owner_person = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A member of the family."
    )
    owner_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), required=False, allow_null=True, default=None
    )


@FAMILY_FILTER
class GoalViewSet(FamilyScopedViewSet):
    queryset = Goal.objects.none()
    record_for_user = staticmethod(access.goal_for_user)
    serializer_class = GoalOutput

    def get_queryset(self):
        return super().get_queryset().prefetch_related("actions", "members")

    def person_ids(self, record) -> list[int]:
        return [p.pk for p in record.members.all()]

    @extend_schema(
        request=GoalInput, parameters=[IDEMPOTENCY_KEY_PARAMETER], responses={201: GoalOutput}
    )
    def create(self, request):
        key = idempotency_key(request)
        data = GoalInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        family = _family(request, fields.pop("family"), write=True)
        fields["members"] = [family_access.member_of_family(family, p) for p in fields["members"]]
        goal = services.goal_add(actor=request.user, family=family, idempotency_key=key, **fields)
        return Response(GoalOutput(goal).data, status=201)

    @extend_schema(request=StatusInput, responses={200: GoalOutput, 409: dict})
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        goal = access.goal_for_user(request.user, pk, write=True)
        data = StatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.goal_set_status(
            actor=request.user,
            goal=goal,
            status=data.validated_data["status"],
            expected_version=data.validated_data["version"],
        )
        return Response(GoalOutput(self.get_queryset().get(pk=pk)).data)


class ActionViewSet(FamilyScopedViewSet):
    queryset = Action.objects.none()
    record_for_user = staticmethod(access.action_for_user)
    serializer_class = ActionOutput
    family_path = "goal__family"
    related = ("goal",)

    @extend_schema(
        request=ActionInput, parameters=[IDEMPOTENCY_KEY_PARAMETER], responses={201: ActionOutput}
    )
    def person_ids(self, record) -> list[int]:
        return [record.owner_person_id]

    @extend_schema(request=ActionInput, responses={201: ActionOutput})
    def create(self, request):
        key = idempotency_key(request)
        data = ActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        goal = access.goal_for_user(request.user, fields.pop("goal"), write=True)
        if fields["owner_person"] is not None:
            fields["owner_person"] = family_access.member_of_family(
                goal.family, fields["owner_person"]
            )
        item = services.action_add(actor=request.user, goal=goal, idempotency_key=key, **fields)
        return Response(ActionOutput(item).data, status=201)

    @extend_schema(request=StatusInput, responses={200: ActionOutput, 409: dict})
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        item = access.action_for_user(request.user, pk, write=True)
        data = StatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.action_set_status(
            actor=request.user,
            action=item,
            status=data.validated_data["status"],
            expected_version=data.validated_data["version"],
        )
        return Response(ActionOutput(item).data)


# --- reviews, tier, budget, closure ---------------------------------------------------


class ReviewOutput(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = [
            "id",
            "family",
            "held_on",
            "attendees",
            "family_attended",
            "decisions",
            "plan_progress",
            "assessment",
        ]


class ReviewInput(serializers.Serializer):
    family = serializers.IntegerField()
    held_on = PastDateSerializerField()
    decisions = serializers.CharField()
    attendees = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), many=True, required=False, default=list
    )
    family_attended = serializers.BooleanField(required=False, default=True)
    plan_progress = serializers.CharField(required=False, allow_blank=True, default="")
    rescore = serializers.BooleanField(required=False, default=False)


def _create(request, input_class, output_class, service, *, keyed: bool = False):
    """Validate, resolve the family for writing, call the create service and answer 201.
    `keyed`: the service takes the Idempotency-Key header (a repeat answers 201 with the
    first request's record)."""
    key = idempotency_key(request) if keyed else None
    data = input_class(data=request.data)
    data.is_valid(raise_exception=True)
    fields = dict(data.validated_data)
    family = _family(request, fields.pop("family"), write=True)
    if keyed:
        fields["idempotency_key"] = key
    return Response(output_class(service(actor=request.user, family=family, **fields)).data, 201)


@FAMILY_FILTER
class ReviewViewSet(FamilyScopedViewSet):
    queryset = Review.objects.none()
    record_for_user = staticmethod(access.review_for_user)
    serializer_class = ReviewOutput

    def get_queryset(self):
        return super().get_queryset().prefetch_related("attendees")

    @extend_schema(
        request=ReviewInput, parameters=[IDEMPOTENCY_KEY_PARAMETER], responses={201: ReviewOutput}
    )
    def create(self, request):
        return _create(request, ReviewInput, ReviewOutput, services.review_record, keyed=True)


class TierChangeOutput(serializers.ModelSerializer):
    class Meta:
        model = TierChange
        fields = ["id", "family", "from_tier", "to_tier", "reason", "changed_at"]


class TierChangeInput(serializers.Serializer):
    family = serializers.IntegerField()
    to_tier = serializers.ChoiceField(choices=Family.Tier.choices)
    reason = serializers.CharField(max_length=500)


@FAMILY_FILTER
class TierChangeViewSet(FamilyScopedViewSet):
    queryset = TierChange.objects.none()
    record_for_user = staticmethod(access.tier_change_for_user)
    serializer_class = TierChangeOutput

    @extend_schema(request=TierChangeInput, responses={201: TierChangeOutput})
    def create(self, request):
        return _create(request, TierChangeInput, TierChangeOutput, services.tier_change)


class BudgetItemOutput(serializers.ModelSerializer):
    class Meta:
        model = BudgetItem
        fields = [
            "id",
            "family",
            "spent_on",
            "purpose",
            "amount",
            "needs_approval",
            "approved_by",
            "approved_at",
        ]


class BudgetItemInput(serializers.Serializer):
    family = serializers.IntegerField()
    spent_on = PastDateSerializerField()
    purpose = serializers.CharField(max_length=300)
    amount = serializers.DecimalField(max_digits=9, decimal_places=2)


@FAMILY_FILTER
class BudgetItemViewSet(FamilyScopedViewSet):
    queryset = BudgetItem.objects.none()
    record_for_user = staticmethod(access.budget_item_for_user)
    serializer_class = BudgetItemOutput

    @extend_schema(
        request=BudgetItemInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: BudgetItemOutput},
    )
    def create(self, request):
        return _create(
            request, BudgetItemInput, BudgetItemOutput, services.spend_record, keyed=True
        )

    @extend_schema(request=None, responses={200: BudgetItemOutput})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        item = access.budget_item_for_user(request.user, pk, write=True)
        if not access.can_approve_spend(request.user, item):
            raise PermissionDenied
        return Response(
            BudgetItemOutput(services.spend_approve(actor=request.user, item=item)).data
        )


class FollowUpOutput(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = ["id", "months_after", "due_on", "done_on", "outcome"]


class ClosureOutput(serializers.ModelSerializer):
    follow_ups = FollowUpOutput(many=True, read_only=True)

    class Meta:
        model = Closure
        fields = [
            "id",
            "family",
            "closed_on",
            "reason",
            "exit_plan",
            "destination",
            "signed_off_by",
            "signed_off_at",
            "follow_ups",
        ]


class ClosureInput(serializers.Serializer):
    family = serializers.IntegerField()
    closed_on = PastDateSerializerField()
    reason = serializers.ChoiceField(choices=Closure.Reason.choices)
    exit_plan = serializers.CharField()
    destination = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class FollowUpInput(serializers.Serializer):
    done_on = PastDateSerializerField()
    outcome = serializers.CharField()


@FAMILY_FILTER
class ClosureViewSet(FamilyScopedViewSet):
    queryset = Closure.objects.none()
    record_for_user = staticmethod(access.closure_for_user)
    serializer_class = ClosureOutput

    def get_queryset(self):
        return super().get_queryset().prefetch_related("follow_ups")

    @extend_schema(request=ClosureInput, responses={201: ClosureOutput})
    def create(self, request):
        return _create(request, ClosureInput, ClosureOutput, services.case_close)

    @extend_schema(request=None, responses={200: ClosureOutput})
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        closure = access.closure_for_user(request.user, pk, write=True)
        if not access.can_sign_off(request.user, closure):
            raise PermissionDenied
        services.closure_sign_off(actor=request.user, closure=closure)
        return Response(ClosureOutput(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=FollowUpInput, responses={200: FollowUpOutput})
    @action(detail=True, methods=["post"], url_path=r"follow-ups/(?P<follow_up_id>\d+)")
    def follow_up(self, request, pk=None, follow_up_id=None):
        item = access.follow_up_for_user(request.user, follow_up_id, write=True)
        if item.closure_id != family_access.record_id(pk):
            raise Http404("No follow-up found.")
        data = FollowUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.follow_up_record(actor=request.user, follow_up=item, **data.validated_data)
        return Response(FollowUpOutput(item).data)
