"""One JSON representation per URL: cached bytes and ETags must not depend on the Accept header."""

from rest_framework.renderers import JSONRenderer


class CompactJSONRenderer(JSONRenderer):
    def get_indent(self, accepted_media_type, renderer_context):
        return None
