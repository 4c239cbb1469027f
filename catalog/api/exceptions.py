"""The one mapping from domain and infrastructure errors to HTTP answers (always JSON)."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, DataError, IntegrityError, InterfaceError, OperationalError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..errors import (
    CatalogBatchError,
    CatalogConflictError,
    CatalogNotFoundError,
    CatalogValidationError,
    InvalidTransitionError,
)
from ..records import flatten_errors

logger = logging.getLogger(__name__)


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The course changed since you read it (If-Match does not match its current ETag)."
    default_code = "precondition_failed"


class ServiceUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The catalog database is unreachable right now; try again shortly."
    default_code = "database_unavailable"


def exception_handler(exc, context):
    if isinstance(exc, RecursionError):
        return Response({"detail": "The JSON body is nested too deeply."}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": f"The request body is larger than the limit of {limit} bytes."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, ValidationError) and isinstance(exc.detail, dict):
        # Nested serializer errors become field paths, as in the import: "units[0].modules[2].title".
        return Response(flatten_errors(exc.detail, root="non_field_errors"), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, CatalogValidationError):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, CatalogBatchError):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (InvalidTransitionError, CatalogConflictError)):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, CatalogNotFoundError):
        return Response({"detail": exc.message}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("database unreachable: %s", exc)
        exc = ServiceUnavailable()
    elif isinstance(exc, DataError):
        logger.warning("database refused a value: %s", exc)
        return Response({"detail": "A value in this request cannot be stored."}, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, IntegrityError):
        logger.warning("concurrent write collided: %s", exc)
        return Response(
            {"detail": "A concurrent write collided with this one; retry it."}, status=status.HTTP_409_CONFLICT
        )
    elif isinstance(exc, DatabaseError):
        logger.exception("database error")
        exc = ServiceUnavailable("The catalog database could not answer this request; try again shortly.")
    return drf_exception_handler(exc, context)
