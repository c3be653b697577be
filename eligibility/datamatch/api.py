"""Partner data and data-match API, for automation: the same rules and services as the
pages (data analysts and coordinators of the authority; everyone else 404)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from eligibility.datamatch import access, loading, selectors, services
from eligibility.datamatch.models import KIND_CHOICES, DatamatchRun, PartnerImport, ReviewItem
from eligibility.selectors import agencies_for
from families.access import record_id
from families.models import Person
from tafcase.accounts.models import Agency
from tafcase.audit.api import AuditedListMixin
from tafcase.audit.services import audit_viewed
from tafcase.fields import EventDateSerializerField, PastDateSerializerField


class ImportOutput(serializers.ModelSerializer):
    class Meta:
        model = PartnerImport
        fields = [
            "id",
            "kind",
            "agency",
            "as_of",
            "filename",
            "sha256",
            "rows",
            "loaded_rows",
            "rejected_rows",
            "warnings",
            "uploaded_at",
            "load_seconds",
        ]


class ImportInput(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    as_of = PastDateSerializerField()
    valid_rows_only = serializers.BooleanField(required=False, default=False)
    confirm_smaller = serializers.BooleanField(
        required=False,
        default=False,
        help_text="load the file even if it has no rows, or far fewer than the file of the "
        "same kind and agency that it would replace",
    )


class PartnerImportViewSet(AuditedListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = PartnerImport.objects.none()
    serializer_class = ImportOutput
    audit_what = "partner imports (API)"
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        authority = access.authority_for(self.request.user)
        return PartnerImport.objects.filter(local_authority=authority)

    def retrieve(self, request, pk=None):
        imported = access.partner_import_for_user(request.user, pk, write=False)
        audit_viewed(request, imported)
        return Response({**ImportOutput(imported).data, "errors": imported.errors})

    @extend_schema(request=ImportInput, responses={201: ImportOutput, 200: ImportOutput})
    def create(self, request):
        authority = access.authority_for(request.user)
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if not agencies_for(authority).filter(pk=fields["agency"].pk).exists():
            raise serializers.ValidationError({"agency": "Choose an agency that serves you."})
        try:
            outcome = loading.partner_file_import(
                actor=request.user,
                local_authority=authority,
                kind=fields["kind"],
                agency=fields["agency"],
                as_of=fields["as_of"],
                stream=fields["file"],
                filename=fields["file"].name,
                valid_rows_only=fields["valid_rows_only"],
                confirm_smaller=fields["confirm_smaller"],
            )
        except loading.ImportRejected as rejected:
            return Response(
                {
                    "detail": "The file was not loaded.",
                    "rows": rejected.rows,
                    "errors": [
                        {"line": e.line, "column": e.column, "reason": e.reason}
                        for e in rejected.errors
                    ],
                },
                status=400,
            )
        except loading.ImportNeedsConfirmation as held:
            return Response(
                {
                    "detail": f"The file was not loaded. {held.message} "
                    "Send confirm_smaller=true to load it.",
                    "code": "confirm_smaller",
                    "rows": held.rows,
                    "rows_in_force": held.previous.loaded_rows if held.previous else 0,
                    "import_in_force": held.previous.pk if held.previous else None,
                },
                status=400,
            )
        body = {**ImportOutput(outcome.partner_import).data, "duplicate": outcome.duplicate}
        return Response(body, status=200 if outcome.duplicate else 201)


class RunOutput(serializers.ModelSerializer):
    class Meta:
        model = DatamatchRun
        fields = [
            "id",
            "as_of",
            "status",
            "stage",
            "percent",
            "counts",
            "report",
            "error",
            "is_current",
            "created_at",
            "finished_at",
        ]


class RunInput(serializers.Serializer):
    as_of = EventDateSerializerField()


class DatamatchRunViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = DatamatchRun.objects.none()
    serializer_class = RunOutput
    audit_what = "data-match runs (API)"

    def get_queryset(self):
        authority = access.authority_for(self.request.user)
        return DatamatchRun.objects.filter(local_authority=authority)

    @extend_schema(request=RunInput, responses={202: RunOutput})
    def create(self, request):
        authority = access.authority_for(request.user)
        data = RunInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.run_start(
            actor=request.user, local_authority=authority, as_of=data.validated_data["as_of"]
        )
        return Response(RunOutput(run).data, status=202)


class ReviewItemOutput(serializers.ModelSerializer):
    kind = serializers.CharField(source="record.kind")
    record_id = serializers.CharField(source="record.record_id")

    class Meta:
        model = ReviewItem
        fields = ["id", "run", "kind", "record_id", "candidates", "status", "person"]


class ReviewDecisionInput(serializers.Serializer):
    person = serializers.IntegerField(
        allow_null=True, help_text="the person the record belongs to; null: nobody we know"
    )


class ReviewItemViewSet(AuditedListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ReviewItem.objects.none()
    serializer_class = ReviewItemOutput
    audit_what = "data-match review items (API)"

    def audited_ids(self, rows):
        return (), [p for item in rows for p in item.shown_person_ids]

    def get_queryset(self):
        return selectors.review_queue(access.authority_for(self.request.user))

    @extend_schema(request=ReviewDecisionInput, responses={200: ReviewItemOutput})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        item = access.review_item_for_user(request.user, pk, write=True)
        if item.status != ReviewItem.Status.OPEN or not item.run.is_current:
            raise Http404("That record has been decided.")
        authority = item.run.local_authority
        data = ReviewDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = None
        if data.validated_data["person"] is not None:
            person = Person.objects.filter(
                pk=record_id(data.validated_data["person"]), local_authority=authority
            ).first()
            if person is None:
                raise serializers.ValidationError({"person": "No such person."})
        item = services.review_decide(actor=request.user, item=item, person=person)
        return Response(ReviewItemOutput(item).data)
