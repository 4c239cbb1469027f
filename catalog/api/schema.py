"""OpenAPI pieces shared by the API's views: the error shapes, If-Match, public reads."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT, description='Field errors: {field path: [messages]}, or {"detail": …}'
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read; a write to a course that changed since then is refused with 412.",
)


class CatalogSchema(AutoSchema):
    """Reads are public: say so in the schema (an empty security requirement)."""

    def get_auth(self):
        auth = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auth:
            auth.append({})
        return auth
