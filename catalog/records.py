"""The declared schema of a course record: one course and its whole tree (import, API PUT/POST)."""

from collections.abc import Mapping

from rest_framework import serializers

from .errors import CatalogValidationError
from .models import SLUG_MAX_LENGTH, SLUG_PATTERN, TITLE_MAX_LENGTH, TOPIC_MAX_LENGTH, Course, normalize_topic

# Limits that keep one request or record from exhausting the server; documented in the README.
MAX_UNITS = 200
MAX_MODULES_PER_UNIT = 200
MAX_DESCRIPTION_LENGTH = 20_000
MAX_CONTENT_LENGTH = 100_000


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of turning them into text."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSlugField(serializers.RegexField):
    """A slug written as a JSON string: a number is refused, not turned into text."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": "Use only lowercase letters a-z, digits 0-9 and hyphens."})
        super().__init__(SLUG_PATTERN, max_length=SLUG_MAX_LENGTH, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Unknown keys are errors: in a course record they are nearly always typos."""

    def to_internal_value(self, data):
        errors = {}
        value = None
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = dict(exc.detail)
        if isinstance(data, Mapping):
            known = set(self.fields)
            for key in data:
                if key not in known:
                    errors[key] = [f"Unknown field. Expected one of: {', '.join(sorted(known))}."]
        if errors:
            raise serializers.ValidationError(errors)
        return value


class ModuleRecordSerializer(StrictSerializer):
    title = StrictCharField(max_length=TITLE_MAX_LENGTH)
    content = StrictCharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, max_length=MAX_CONTENT_LENGTH
    )


class UnitRecordSerializer(StrictSerializer):
    title = StrictCharField(max_length=TITLE_MAX_LENGTH)
    modules = ModuleRecordSerializer(many=True, required=False, default=list, max_length=MAX_MODULES_PER_UNIT)


class TopicField(StrictCharField):
    def to_internal_value(self, data):
        value = normalize_topic(super().to_internal_value(data))
        if not value:
            raise serializers.ValidationError("A topic needs at least one letter or digit.")
        if len(value) > TOPIC_MAX_LENGTH:
            raise serializers.ValidationError(f"Ensure this field has no more than {TOPIC_MAX_LENGTH} characters.")
        return value


class CourseRecordSerializer(StrictSerializer):
    slug = StrictSlugField()
    title = StrictCharField(max_length=TITLE_MAX_LENGTH)
    description = StrictCharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, max_length=MAX_DESCRIPTION_LENGTH
    )
    topic = TopicField(max_length=TITLE_MAX_LENGTH)
    status = serializers.ChoiceField(choices=Course.Status.choices, required=False)
    units = UnitRecordSerializer(many=True, required=False, default=list, max_length=MAX_UNITS)


def flatten_errors(detail, path: str = "", *, root: str = "record") -> dict[str, list[str]]:
    """DRF's nested error structure -> {"units[2].modules[0].title": ["This field is required."]}.

    Errors about the whole record (not one field) go under `root`.
    """
    out: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            if key == "non_field_errors":
                sub = path
            elif isinstance(key, int) or str(key).isdigit():
                sub = f"{path}[{key}]"
            else:
                sub = f"{path}.{key}" if path else str(key)
            for k, v in flatten_errors(value, sub, root=root).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            out.setdefault(path or root, []).extend(str(item) for item in detail)
        else:
            for i, item in enumerate(detail):
                if item:
                    for k, v in flatten_errors(item, f"{path}[{i}]", root=root).items():
                        out.setdefault(k, []).extend(v)
    else:
        out.setdefault(path or root, []).append(str(detail))
    return out


def clean_record(data) -> dict:
    """Validate one course record; returns plain dicts or raises CatalogValidationError."""
    if not isinstance(data, Mapping):
        raise CatalogValidationError({"record": ["A course record must be a JSON object."]})
    serializer = CourseRecordSerializer(data=data)
    if not serializer.is_valid():
        raise CatalogValidationError(flatten_errors(serializer.errors))
    return _plain(serializer.validated_data)


def _plain(value):
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
