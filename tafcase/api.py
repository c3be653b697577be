from drf_spectacular.authentication import SessionScheme, TokenScheme
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.reverse import reverse


@extend_schema(summary="Entry points of the API", responses={200: dict})
@api_view(["GET"])
def api_root(request):
    return Response(
        {
            "schema": reverse("api-schema", request=request),
            "docs": reverse("api-docs", request=request),
            "families": reverse("api:family-list", request=request),
            "people": reverse("api:person-list", request=request),
            "nominations": reverse("eligibility-api:nomination-list", request=request),
            "panels": reverse("eligibility-api:panel-list", request=request),
        }
    )


class _TokenScheme(TokenScheme):
    """Our token and session classes bind the working authority; documented like DRF's."""

    target_class = "tafcase.authentication.TokenAuthentication"


class _SessionScheme(SessionScheme):
    target_class = "tafcase.authentication.SessionAuthentication"
