"""Prepared documents over the API: asked for by the owning app's endpoint (for example
POST /api/claim-windows/{id}/schedule/, which answers 202 with the document), then polled
here until ready and fetched from …/file/. Only the requester reaches them."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tafcase.documents.access import document_for_user
from tafcase.documents.models import Document
from tafcase.documents.views import download


class DocumentOutput(serializers.ModelSerializer):
    file = serializers.SerializerMethodField(help_text="Where to fetch it once ready.")

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "filename",
            "status",
            "stage",
            "percent",
            "error",
            "size",
            "requested_at",
            "finished_at",
            "file",
        ]

    def get_file(self, document: Document) -> str | None:
        if document.status != Document.Status.READY:
            return None
        return f"/api/documents/{document.pk}/file/"


class DocumentViewSet(viewsets.GenericViewSet):
    queryset = Document.objects.none()
    serializer_class = DocumentOutput

    def retrieve(self, request, pk=None):
        return Response(DocumentOutput(document_for_user(request.user, pk, write=False)).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        return download(request, document_for_user(request.user, pk, write=False))
