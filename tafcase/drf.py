"""The API's exception handler (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"])."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tafcase.errors import Conflict, StaleEdit, unique_violation

RACE_LOST = (
    "Another request made the same record at the same moment, so this one was not saved. "
    "Fetch the latest state and try again if it is still needed."
)


def exception_handler(exc, context):
    """Services raise Django's ValidationError, StaleEdit and Conflict; the API answers
    400, 409 and 409. A unique constraint refusing a row is two requests racing to make
    the same record: 409 too, never a server error."""
    if isinstance(exc, StaleEdit | Conflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError) and unique_violation(exc):
        return Response({"detail": RACE_LOST}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail)
    return drf_exception_handler(exc, context)
