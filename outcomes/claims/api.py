"""Claims API, for automation: the same access rules and services as the claims pages.

Windows: the programme team, auditor and manager of the working authority (the manager
sees totals, never claims). Claims: the programme team and auditor. Everyone else 404.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from outcomes import access
from outcomes.claims import documents, exports, services
from outcomes.claims.models import Claim, ClaimRun, ClaimWindow
from tafcase import web
from tafcase.accounts.authority import working_authority
from tafcase.api_params import IDEMPOTENCY_KEY_PARAMETER, idempotency_key, query_choice, query_id
from tafcase.audit.api import AuditedListMixin
from tafcase.audit.services import audit_viewed, client_ip
from tafcase.documents.api import DocumentOutput
from tafcase.fields import EventDateSerializerField, PastDateSerializerField
from tafcase.idempotency.services import derived_key


class ClaimWindowOutput(serializers.ModelSerializer):
    class Meta:
        model = ClaimWindow
        fields = [
            "id",
            "name",
            "framework_code",
            "cutoff_date",
            "deadline",
            "earliest_closure",
            "sample_percent",
            "stage",
            "sample_seed",
            "sampled_at",
            "declared_at",
            "submitted_at",
        ]


class ClaimWindowInput(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    # The page's rules for dates (tafcase.fields): a year like 0202 is refused, not stored.
    cutoff_date = EventDateSerializerField()
    deadline = EventDateSerializerField()
    earliest_closure = EventDateSerializerField(required=False, allow_null=True, default=None)
    sample_percent = serializers.IntegerField(min_value=1, max_value=100, default=10)


class ClaimRunOutput(serializers.ModelSerializer):
    class Meta:
        model = ClaimRun
        fields = [
            "id",
            "status",
            "percent",
            "families_total",
            "families_done",
            "claims_proposed",
            "error",
            "queued_at",
            "finished_at",
        ]


class ClaimOutput(serializers.ModelSerializer):
    family_reference = serializers.CharField(source="family.reference")

    class Meta:
        model = Claim
        fields = [
            "id",
            "reference",
            "window",
            "family",
            "family_reference",
            "framework_code",
            "framework_version",
            "result_code",
            "result_label",
            "amount",
            "attachment_date",
            "closure_date",
            "sustained_from",
            "sustained_to",
            "flags",
            "status",
            "sampled",
            "rejection_reason",
            "audit_note",
            "paid_on",
            "adjustment_of",
        ]


class ClaimDetail(ClaimOutput):
    class Meta(ClaimOutput.Meta):
        fields = [*ClaimOutput.Meta.fields, "snapshot"]


class EvidencePackInput(serializers.Serializer):
    claims = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=exports.EVIDENCE_PACK_LIMIT,
        help_text="The claim ids a spot check asks for.",
    )


class ClaimReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ClaimAuditInput(serializers.Serializer):
    passed = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ClaimPaymentInput(serializers.Serializer):
    paid_on = PastDateSerializerField(help_text="The date the claim was paid.")


class ClaimAdjustInput(serializers.Serializer):
    # The same bounds as the claim page's adjustment form.
    amount = serializers.IntegerField(
        min_value=-100_000, max_value=100_000, help_text="£; usually negative: what to take back."
    )
    reason = serializers.CharField(max_length=500)
    window = serializers.IntegerField(
        help_text="An open claim window of the same authority and framework to record it in."
    )


class ClaimWindowViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = ClaimWindow.objects.none()
    serializer_class = ClaimWindowOutput
    audit_what = "claim windows (API)"

    def get_queryset(self):
        return access.claim_windows_visible_to(self.request.user).order_by("-cutoff_date", "-pk")

    def retrieve(self, request, pk=None):
        window = access.claim_window_for_user(request.user, pk, write=False)
        audit_viewed(request, window)
        return Response(
            {**ClaimWindowOutput(window).data, "totals": services.window_totals(window)}
        )

    @extend_schema(request=ClaimWindowInput, responses={201: ClaimWindowOutput})
    def create(self, request):
        authority = working_authority(request.user)
        if authority is None or not access.can_run_claims(request.user, authority.pk):
            raise PermissionDenied
        data = ClaimWindowInput(data=request.data)
        data.is_valid(raise_exception=True)
        window = services.claim_window_open(
            actor=request.user, authority=authority, **data.validated_data
        )
        return Response(ClaimWindowOutput(window).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: ClaimRunOutput})
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        """Queue a claim run; poll GET …/run/ for its progress."""
        window = access.claim_window_for_user(request.user, pk, write=True)
        run = services.claim_run_start(actor=request.user, window=window)
        return Response(ClaimRunOutput(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: ClaimRunOutput})
    @run.mapping.get
    def run_progress(self, request, pk=None):
        window = access.claim_window_for_user(request.user, pk, write=False)
        run = window.runs.order_by("-queued_at", "-pk").first()
        return Response(ClaimRunOutput(run).data if run else None)

    @extend_schema(request=None, responses={202: DocumentOutput})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def schedule(self, request, pk=None):
        """Ask for the claim schedule PDF (programme team and auditor); the worker makes it:
        poll GET /api/documents/{id}/ until ready, then fetch its file."""
        window = access.claim_window_outputs_for_user(request.user, pk)
        document = documents.schedule_request(
            actor=request.user, window=window, ip=client_ip(request)
        )
        return Response(DocumentOutput(document).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)})
    @action(detail=True, methods=["get"], url_path="return")
    def return_csv(self, request, pk=None):
        """The CSV return: one row per claim, families by pseudonymous reference."""
        window = access.claim_window_outputs_for_user(request.user, pk)
        csv = exports.return_csv(window, actor=request.user, ip=client_ip(request))
        return web.csv_response(csv, exports.return_filename(window))

    @extend_schema(request=None, responses={200: ClaimWindowOutput})
    @action(detail=True, methods=["post"])
    def sample(self, request, pk=None):
        window = access.claim_window_for_user(request.user, pk, write=True)
        services.window_sample_draw(actor=request.user, window=window)
        window.refresh_from_db()
        return Response(ClaimWindowOutput(window).data)

    @extend_schema(request=None, responses={200: ClaimWindowOutput})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def declare(self, request, pk=None):
        """The manager's one write (read-only roles are otherwise refused every write)."""
        window = access.claim_window_for_user(request.user, pk, write=False)
        if not access.can_declare(request.user, window.local_authority_id):
            raise PermissionDenied
        services.window_declare(actor=request.user, window=window)
        window.refresh_from_db()
        return Response(ClaimWindowOutput(window).data)

    @extend_schema(request=None, responses={200: ClaimWindowOutput})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        window = access.claim_window_for_user(request.user, pk, write=True)
        services.window_submit(actor=request.user, window=window)
        window.refresh_from_db()
        return Response(ClaimWindowOutput(window).data)


class ClaimViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Claims of the working authority; `?window=` and `?status=` filter them."""

    queryset = Claim.objects.none()
    serializer_class = ClaimOutput
    audit_what = "claims (API)"

    def get_queryset(self):
        user = self.request.user
        authority = working_authority(user)
        if authority is None or not access.sees_claims(user, authority.pk):
            return Claim.objects.none()
        claims = Claim.objects.filter(local_authority=authority).select_related("family")
        window_id = query_id(self.request, "window")
        if window_id is not None:
            claims = claims.filter(window_id=window_id)
        wanted = query_choice(self.request, "status", Claim.Status.values)
        if wanted:
            claims = claims.filter(status=wanted)
        return claims.order_by("window_id", "pk")

    def audited_ids(self, rows):
        return [claim.family_id for claim in rows], ()

    def retrieve(self, request, pk=None):
        claim = access.claim_for_user(request.user, pk, write=False)
        audit_viewed(request, claim, family_id=claim.family_id)
        return Response(ClaimDetail(claim).data)

    @extend_schema(request=EvidencePackInput, responses={202: DocumentOutput})
    @action(
        detail=False,
        methods=["post"],
        url_path="evidence-pack",
        permission_classes=[IsAuthenticated],
    )
    def evidence_pack(self, request):
        """Ask for the evidence packs of a list of claims (a spot check); the worker makes
        the PDF: poll GET /api/documents/{id}/. Any claim not yours to see: 404 for all."""
        data = EvidencePackInput(data=request.data)
        data.is_valid(raise_exception=True)
        claims = access.claims_for_user(request.user, data.validated_data["claims"], write=False)
        document = documents.evidence_pack_request(
            actor=request.user, claims=claims, ip=client_ip(request)
        )
        return Response(DocumentOutput(document).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: ClaimOutput})
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        claim = access.claim_for_user(request.user, pk, write=True)
        services.claim_validate(actor=request.user, claim=claim)
        claim.refresh_from_db()
        return Response(ClaimOutput(claim).data)

    @extend_schema(request=ClaimReasonInput, responses={200: ClaimOutput})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        claim = access.claim_for_user(request.user, pk, write=True)
        data = ClaimReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_reject(actor=request.user, claim=claim, reason=data.validated_data["reason"])
        claim.refresh_from_db()
        return Response(ClaimOutput(claim).data)

    @extend_schema(request=ClaimAuditInput, responses={200: ClaimOutput})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def audit(self, request, pk=None):
        """The auditor's one write (read-only roles are otherwise refused every write)."""
        claim = access.claim_for_user(request.user, pk, write=False)
        if not access.can_audit_claims(request.user, claim.local_authority_id):
            raise PermissionDenied
        data = ClaimAuditInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_audit_decide(actor=request.user, claim=claim, **data.validated_data)
        claim.refresh_from_db()
        return Response(ClaimOutput(claim).data)

    @extend_schema(request=ClaimPaymentInput, responses={200: ClaimOutput, 409: dict})
    @action(detail=True, methods=["post"])
    def payment(self, request, pk=None):
        """Record that a claimed claim was paid. The same date again changes nothing; another
        date is 409."""
        claim = access.claim_for_user(request.user, pk, write=True)
        data = ClaimPaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_payment_record(
            actor=request.user, claim=claim, paid_on=data.validated_data["paid_on"]
        )
        claim.refresh_from_db()
        return Response(ClaimOutput(claim).data)

    @extend_schema(request=ClaimReasonInput, responses={200: ClaimOutput})
    @action(detail=True, methods=["post"], url_path="spot-check")
    def spot_check(self, request, pk=None):
        """Record that the national spot check rejected a claimed or paid claim."""
        claim = access.claim_for_user(request.user, pk, write=True)
        data = ClaimReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_spot_check_reject(
            actor=request.user, claim=claim, reason=data.validated_data["reason"]
        )
        claim.refresh_from_db()
        return Response(ClaimOutput(claim).data)

    @extend_schema(
        request=ClaimAdjustInput,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: ClaimOutput, 409: dict},
        description=(
            "Correct a submitted claim with an adjustment claim in a later open window; the "
            "answer is the adjustment. Sent again with the same Idempotency-Key, answers 201 "
            "with the adjustment the first request made and makes nothing new. Without the "
            "header, the key is a hash of the claim and the validated body: the same "
            "adjustment sent twice by the same user within the key lifetime "
            "(IDEMPOTENCY_KEY_HOURS, 24 by default) is one adjustment."
        ),
    )
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        claim = access.claim_for_user(request.user, pk, write=True)
        key = idempotency_key(request)
        data = ClaimAdjustInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        # An adjustment takes money back: a retried one must not take it back twice.
        key = key or derived_key(scope=f"claim-adjust:{claim.pk}", data=fields)
        # The window's id came in the request body: it goes through the access helper too.
        window = access.claim_window_for_user(request.user, fields.pop("window"), write=True)
        adjustment = services.claim_adjust(
            actor=request.user, claim=claim, window=window, idempotency_key=key, **fields
        )
        return Response(ClaimOutput(adjustment).data, status=status.HTTP_201_CREATED)
