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


# Reads anyone may make (learners get live releases; an editor's credentials show working copies).
PUBLIC_READS = {"list", "retrieve", "module"}

TOPIC = OpenApiParameter(
    "topic",
    {"type": "array", "items": {"type": "string"}},
    description="One topic, or several as `topic=a&topic=b` (either matches); any case or spacing "
    "(`Data Science` is `data-science`).",
    explode=True,
)
ORDERING = OpenApiParameter(
    "ordering",
    {"type": "string", "pattern": r"^-?(title|created_at|published_at)(,-?(title|created_at|published_at))*$"},
    description="`title`, `created_at` or `published_at`, each optionally with a leading `-` (descending); "
    "several comma-separated. Default: newest first (`-created_at`); with `search`, best match first.",
)


class CatalogSchema(AutoSchema):
    """Public reads need no credentials: their operations carry no security requirement (no lock)."""

    def get_auth(self):
        public = getattr(self.view, "action", None) in PUBLIC_READS or getattr(self.view, "public_reads", False)
        if self.method in SAFE_METHODS and public:
            return []
        return super().get_auth()
