"""OpenAPI pieces shared by the API's views: the error shapes, conditional headers, public reads.

`postprocess` (a drf-spectacular hook) declares what every operation may answer besides its own
answers, so that a client generated from the schema parses every real answer: 400 as field errors,
the errors any request can meet (a bad token, an unreachable database, throttling), ETag headers,
and 304 for a read's If-None-Match.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
# Replaced by the FieldErrors component in every operation (postprocess below).
FIELD_ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="Field errors")
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the editors' document you read (an editor's GET of the course, or the answer "
    'of your last write), e.g. `"3f2a…"`. Compared strongly: a weak tag (`W/"…"`) never matches. A write '
    "to a course that changed since then is refused with 412 and changes nothing. `*`: the course must exist.",
)
IF_NONE_MATCH_WRITE = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="`*`: only create; 412 when a course has this slug already.",
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


def _json(ref: str, description: str) -> dict:
    return {
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
        "description": description,
    }


FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": 'What is wrong with the request: `{"<field path>": ["<message>", …]}` (a path such as '
    '`units[0].modules[2].title`; `non_field_errors` for the body as a whole), or `{"detail": "<message>"}`.',
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
ERROR_SCHEMA = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
ETAG = {
    "ETag": {
        "schema": {"type": "string"},
        "description": "A strong tag of this document: send it back as If-None-Match (reads) or If-Match (writes).",
    }
}
IF_NONE_MATCH_READ = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag you have: 304 with no body while the answer is the same.",
}
# What any request may meet, whatever the operation.
EVERYWHERE = {
    "401": "Credentials that are not valid (an unknown or inactive token, another scheme than `Token`).",
    "406": "An Accept header that excludes JSON.",
    "503": "The database is unreachable; try again shortly.",
}
WRITES = {
    "413": "The body is larger than the limit (see the limits in the docs).",
    "415": "A body that is not `application/json`.",
}


def postprocess(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["FieldErrors"] = FIELD_ERRORS_SCHEMA
    schemas["Error"] = ERROR_SCHEMA
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            responses = operation.get("responses", {})
            if "400" in responses:
                responses["400"] = _json("FieldErrors", "Bad input: field errors or a detail.")
            for code, description in EVERYWHERE.items():
                responses.setdefault(code, _json("Error", description))
            if method == "get":
                responses.setdefault(
                    "429", _json("Error", "Too many reads from this address (API_ANON_THROTTLE_RATE).")
                )
                responses.setdefault("304", {"description": "Not modified: If-None-Match matched the ETag."})
                operation.setdefault("parameters", []).append(IF_NONE_MATCH_READ)
            elif "requestBody" in operation:
                responses.setdefault("400", _json("FieldErrors", "Bad input: field errors or a detail."))
                for code, description in WRITES.items():
                    responses.setdefault(code, _json("Error", description))
            for code, response in responses.items():
                if code.startswith("2") and "content" in response:
                    response.setdefault("headers", {}).update(ETAG)
    return result
