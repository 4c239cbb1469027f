"""The declared schema of a course record: one course and its whole tree (import, API PUT/POST).

Two declarations of one format: DRF serializers (the reference for every message) and a JSON Schema
(published for generators at /api/schema/course-record.json, and the import's fast path: a record
it accepts needs no field-by-field validation). A record the schema refuses, or one that passes it
but still needs a closer look (blank titles once trimmed, a topic with no letter or digit, NUL or
surrogate characters), is validated by the serializers, so errors read the same either way.
"""

import re
from collections.abc import Mapping

import jsonschema_rs
from rest_framework import serializers

from catalog.domain import languages
from catalog.domain.limits import (  # noqa: F401 (re-exported: the record format's limits)
    MAX_CONTENT_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_MODULE_MINUTES,
    MAX_MODULES_PER_UNIT,
    MAX_RECORD_BYTES,
    MAX_UNITS,
)
from catalog.errors import CatalogValidationError
from catalog.models import (
    LANGUAGE_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    SLUG_PATTERN,
    TITLE_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    Course,
    Level,
    default_language,
    normalize_topic,
)


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


def json_kind(value) -> str:
    """What a JSON value is, in the words of the file's author (not Python's type names)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list | tuple) else "an object"


def _not_a(expected: str, data) -> serializers.ValidationError:
    return serializers.ValidationError({"non_field_errors": [f"Expected {expected}, got {json_kind(data)}."]})


class RecordListSerializer(serializers.ListSerializer):
    """DRF's own message names the Python type ("dict"); this one says what the file holds."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise _not_a("a list", data)
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Unknown keys are errors: in a course record they are nearly always typos."""

    class Meta:
        list_serializer_class = RecordListSerializer

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise _not_a("an object", data)
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


class StrictIntegerField(serializers.IntegerField):
    """A whole number written as a JSON number: `"5"`, `5.0` and `true` are refused, not converted."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class LanguageField(StrictCharField):
    """A BCP 47 tag, kept in its standard form (`pt-br` is `pt-BR`)."""

    def __init__(self, **kwargs):
        super().__init__(trim_whitespace=False, max_length=LANGUAGE_MAX_LENGTH, **kwargs)

    def to_internal_value(self, data):
        tag = languages.standard_language(super().to_internal_value(data))
        if tag is None:
            raise serializers.ValidationError(languages.MESSAGE)
        return tag


def minutes_field(**kwargs):
    return StrictIntegerField(min_value=0, max_value=MAX_MODULE_MINUTES, allow_null=True, **kwargs)


def level_field(**kwargs):
    return serializers.ChoiceField(choices=Level.choices, allow_null=True, **kwargs)


class ModuleRecordSerializer(StrictSerializer):
    title = StrictCharField(max_length=TITLE_MAX_LENGTH)
    content = StrictCharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, max_length=MAX_CONTENT_LENGTH
    )
    minutes = minutes_field(required=False, default=None)


class UnitRecordSerializer(StrictSerializer):
    title = StrictCharField(max_length=TITLE_MAX_LENGTH)
    modules = ModuleRecordSerializer(many=True, required=False, default=list, max_length=MAX_MODULES_PER_UNIT)


class WrittenTopic(str):
    """A topic's normal form ("cloud-devops") that remembers how it was written ("Cloud & DevOps"):
    the services keep that spelling as the display name of a topic seen for the first time."""

    written = ""

    def __new__(cls, value: str, written: str = ""):
        topic = super().__new__(cls, value)
        topic.written = written
        return topic


class TopicField(StrictCharField):
    def to_internal_value(self, data):
        value = normalize_topic(super().to_internal_value(data))
        written = getattr(data, "written", "") or data  # cleaned twice (API, then service): keep the first
        if not value:
            raise serializers.ValidationError("A topic needs at least one letter or digit.")
        if len(value) > TOPIC_MAX_LENGTH:
            raise serializers.ValidationError(f"Ensure this field has no more than {TOPIC_MAX_LENGTH} characters.")
        return WrittenTopic(value, written)


STATUSES = ", ".join(Course.Status.values)


class CourseRecordSerializer(StrictSerializer):
    slug = StrictSlugField()
    title = StrictCharField(max_length=TITLE_MAX_LENGTH)
    description = StrictCharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, max_length=MAX_DESCRIPTION_LENGTH
    )
    topic = TopicField(max_length=TITLE_MAX_LENGTH)
    level = level_field(required=False, default=None)
    language = LanguageField(required=False, default=default_language)
    status = serializers.ChoiceField(
        choices=Course.Status.choices,
        required=False,
        error_messages={"invalid_choice": f'"{{input}}" is not a status. Expected one of: {STATUSES}.'},
    )
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
    fast = fast_clean(data)
    if fast is not None:
        return fast
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


# --- the same format as a JSON Schema ---------------------------------------------------------

SCHEMA_ID = "https://catalog.example.org/api/schema/course-record.json"


def _title(what: str) -> dict:
    return {"type": "string", "minLength": 1, "maxLength": TITLE_MAX_LENGTH, "description": f"The {what}'s title."}


MODULE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title"],
    "properties": {
        "title": _title("module"),
        "content": {
            "type": "string",
            "maxLength": MAX_CONTENT_LENGTH,
            "default": "",
            "description": "Markdown, shown to learners rendered safely (no raw HTML).",
        },
        "minutes": {
            "type": ["integer", "null"],
            "minimum": 0,
            "maximum": MAX_MODULE_MINUTES,
            "default": None,
            "description": "How long the module takes, in minutes; null (the default): not known.",
        },
    },
}
UNIT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title"],
    "properties": {
        "title": _title("unit"),
        "modules": {"type": "array", "maxItems": MAX_MODULES_PER_UNIT, "items": MODULE, "default": []},
    },
}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "Course record",
    "description": "One course and its whole tree, as import_courses reads it and PUT /api/v1/courses/{slug}/ "
    "takes it. Order is the position in the arrays. Unknown keys are errors.",
    "type": "object",
    "additionalProperties": False,
    "required": ["slug", "title", "topic"],
    "properties": {
        "slug": {
            "type": "string",
            "pattern": SLUG_PATTERN,
            "maxLength": SLUG_MAX_LENGTH,
            "description": "The course's address: lowercase letters, digits and hyphens.",
        },
        "title": _title("course"),
        "description": {"type": "string", "maxLength": MAX_DESCRIPTION_LENGTH, "default": ""},
        "topic": {
            "type": "string",
            "minLength": 1,
            "maxLength": TITLE_MAX_LENGTH,
            "description": f"Stored normalised (`Data Science` is `data-science`, at most {TOPIC_MAX_LENGTH}).",
        },
        "level": {
            "enum": [*Level.values, None],
            "default": None,
            "description": "Who the course is for; null (the default): not said.",
        },
        "language": {
            "type": "string",
            "pattern": languages.PATTERN,
            "maxLength": LANGUAGE_MAX_LENGTH,
            "description": "A BCP 47 language tag (`en`, `pt-BR`), stored in its standard form; default: the "
            "catalog's CATALOG_DEFAULT_LANGUAGE (`en`).",
        },
        "status": {
            "enum": list(Course.Status.values),
            "description": "Reached through the workflow. `published` makes this content live; without it a "
            "published course's changes wait in its working copy. Default: draft for a new course, unchanged "
            "for an existing one.",
        },
        "units": {"type": "array", "maxItems": MAX_UNITS, "items": UNIT, "default": []},
    },
}

_validator = jsonschema_rs.validator_for(SCHEMA)
# What DRF's CharField refuses beyond the schema: NUL and lone surrogates.
_ODD = re.compile("[\x00\ud800-\udfff]")


def fast_clean(data) -> dict | None:
    """The cleaned record (as catalog.domain.records.clean_record gives it), or None: validate it the slow way."""
    if not isinstance(data, dict):
        return None
    try:
        if not _validator.is_valid(data):
            return None
    except (ValueError, OverflowError):  # lone surrogates, integers past 64 bits: the serializers say why
        return None
    title = _text(data["title"])
    topic = WrittenTopic(normalize_topic(data["topic"]), getattr(data["topic"], "written", "") or data["topic"])
    description = data.get("description", "")
    if title is None or not topic or len(topic) > TOPIC_MAX_LENGTH or _ODD.search(description):
        return None
    units = []
    for unit in data.get("units", ()):
        unit_title = _text(unit["title"])
        if unit_title is None:
            return None
        modules = []
        for module in unit.get("modules", ()):
            module_title, content = _text(module["title"]), module.get("content", "")
            minutes = module.get("minutes")
            if module_title is None or _ODD.search(content) or not (minutes is None or type(minutes) is int):
                return None
            modules.append({"title": module_title, "content": content, "minutes": minutes})
        units.append({"title": unit_title, "modules": modules})
    language = languages.standard_language(data["language"]) if "language" in data else default_language()
    if language is None:
        return None
    record = {
        "slug": data["slug"],
        "title": title,
        "description": description,
        "topic": topic,
        "level": data.get("level"),
        "language": language,
        "units": units,
    }
    if "status" in data:
        record["status"] = data["status"]
    return record


def _text(value: str) -> str | None:
    """A title as DRF keeps it (trimmed), or None when DRF would have something to say about it."""
    text = value.strip()
    if not text or "\x00" in text or (not text.isascii() and _ODD.search(text)):
        return None
    return text
