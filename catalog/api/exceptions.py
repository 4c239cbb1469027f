"""The one mapping from domain and infrastructure errors to HTTP answers (always JSON)."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, DataError, IntegrityError, InterfaceError, OperationalError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from catalog.domain.records import flatten_errors
from catalog.errors import (
    DATABASE_UNAVAILABLE,
    CatalogBatchError,
    CatalogConflictError,
    CatalogNotFoundError,
    CatalogValidationError,
    FeedCursorError,
    FeedCursorExpiredError,
    InvalidTransitionError,
    PreconditionFailedError,
)

logger = logging.getLogger(__name__)


class ServiceUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = DATABASE_UNAVAILABLE
    default_code = "database_unavailable"


# Domain errors, the status each answers with; the message is the error's own.
STATUS_OF = (
    (CatalogValidationError, status.HTTP_400_BAD_REQUEST),
    (CatalogBatchError, status.HTTP_400_BAD_REQUEST),
    (InvalidTransitionError, status.HTTP_409_CONFLICT),
    (CatalogConflictError, status.HTTP_409_CONFLICT),
    (PreconditionFailedError, status.HTTP_412_PRECONDITION_FAILED),
    (CatalogNotFoundError, status.HTTP_404_NOT_FOUND),
    (FeedCursorError, status.HTTP_400_BAD_REQUEST),
    (FeedCursorExpiredError, status.HTTP_410_GONE),
)


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
    for error_class, code in STATUS_OF:
        if isinstance(exc, error_class):
            body = exc.errors if isinstance(exc, CatalogValidationError) else {"detail": exc.message}
            return Response(body, status=code)
    if isinstance(exc, DatabaseError):
        return _database_error(exc, context)
    return drf_exception_handler(exc, context)


def _database_error(exc, context):
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("database unreachable: %s", exc)
        return drf_exception_handler(ServiceUnavailable(), context)
    if isinstance(exc, DataError):
        logger.warning("database refused a value: %s", exc)
        return Response({"detail": "A value in this request cannot be stored."}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        logger.warning("concurrent write collided: %s", exc)
        return Response(
            {"detail": "A concurrent write collided with this one; retry it."}, status=status.HTTP_409_CONFLICT
        )
    logger.exception("database error")
    unavailable = ServiceUnavailable("The catalog database could not answer this request; try again shortly.")
    return drf_exception_handler(unavailable, context)
