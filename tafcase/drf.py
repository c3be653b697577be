"""The API's exception handler (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"])."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tafcase.errors import StaleEdit


def exception_handler(exc, context):
    """Services raise Django's ValidationError and StaleEdit; the API answers 400 and 409."""
    if isinstance(exc, StaleEdit):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail)
    return drf_exception_handler(exc, context)
