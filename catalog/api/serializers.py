"""Course representations for the API: summary, detail with the ordered tree, topics, writes."""

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from catalog import selectors
from catalog.domain.records import (
    MAX_DESCRIPTION_LENGTH,
    CourseRecordSerializer,
    LanguageField,
    StrictCharField,
    StrictSlugField,
    TopicField,
    level_field,
)
from catalog.models import TITLE_MAX_LENGTH, Course, Module, Unit

SUMMARY_FIELDS = list(selectors.SUMMARY_FIELDS)


class CourseSummarySerializer(serializers.ModelSerializer):
    """A course of the list. Editors read the working copy, with its release state; learners read the
    live release (served as stored, catalog.selectors.learners), which has no release-state fields."""

    # Not read-only so that the schema marks them optional: learners' answers do not carry them.
    live_release = serializers.IntegerField(
        required=False, allow_null=True, help_text="Editors only: the number of the live release, or null."
    )
    has_unpublished_changes = serializers.BooleanField(
        required=False, help_text="Editors only: whether the working copy differs from the live release."
    )
    match = serializers.CharField(
        required=False,
        help_text="On a learner's search only: where the course matched, at most about 200 characters, "
        "HTML-escaped, the matched words in `<mark>…</mark>`.",
    )

    level = serializers.ChoiceField(
        choices=Course._meta.get_field("level").choices, allow_null=True, read_only=True, help_text="Null: not said."
    )
    language = serializers.CharField(read_only=True, help_text="A BCP 47 language tag, e.g. en or pt-BR.")
    duration_minutes = serializers.IntegerField(
        allow_null=True, read_only=True, help_text="The sum of the modules' minutes; null when none is known."
    )

    class Meta:
        model = Course
        fields = [*SUMMARY_FIELDS, "live_release", "has_unpublished_changes", "match"]
        read_only_fields = SUMMARY_FIELDS

    def to_representation(self, course):
        course.has_unpublished_changes = selectors.has_unpublished_changes(course)
        return super().to_representation(course)


class ModuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "title", "order"]


class UnitSerializer(serializers.ModelSerializer):
    modules = ModuleSerializer(many=True, read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "title", "order", "modules"]


class CourseDetailSerializer(CourseSummarySerializer):
    units = UnitSerializer(many=True, read_only=True)
    match = None  # a search result's, not a course's

    class Meta(CourseSummarySerializer.Meta):
        fields = [*(f for f in CourseSummarySerializer.Meta.fields if f != "match"), "units"]
        read_only_fields = [*SUMMARY_FIELDS, "units"]


class ReleaseDetailSerializer(CourseDetailSerializer):
    release = serializers.IntegerField(help_text="The release's number.")

    class Meta(CourseDetailSerializer.Meta):
        fields = [*CourseDetailSerializer.Meta.fields, "release"]


class ModuleUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    order = serializers.IntegerField()


class ModulePageSerializer(serializers.Serializer):
    """Schema of a module with its content and its neighbours in course order."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    order = serializers.IntegerField()
    content = serializers.CharField(help_text="Markdown.")
    minutes = serializers.IntegerField(allow_null=True, help_text="How long it takes; null when not known.")
    unit = ModuleUnitSerializer()
    previous = serializers.IntegerField(allow_null=True, help_text="The previous module's id in course order.")
    next = serializers.IntegerField(allow_null=True, help_text="The next module's id in course order.")


class ReleaseSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(allow_null=True, help_text="Who made it (null: the import, a script).")
    live = serializers.BooleanField(help_text="Whether learners see this release now.")


class ChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["added", "removed", "changed", "moved"])
    what = serializers.ChoiceField(choices=["course", "unit", "module"])
    title = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    to = serializers.JSONField(allow_null=True)

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be a class attribute: declared by name, after "to".
        return {**super().get_fields(), "from": serializers.JSONField(allow_null=True)}


class DiffSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True)


class PreviewSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The course page of the working copy, no login needed.")
    api_url = serializers.URLField(help_text="The API detail of the working copy, no login needed.")
    expires_at = serializers.DateTimeField()


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time with its offset (or Z): a time without one is ambiguous, so it is refused."""

    default_error_messages = {
        "naive": "Give the time with its offset or Z (e.g. 2026-12-01T09:00:00+01:00), not a local time."
    }

    def to_internal_value(self, value):
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well-formed but impossible (month 13): DateTimeField says so below
            parsed = None
        if parsed is not None and timezone.is_naive(parsed):
            self.fail("naive")
        return super().to_internal_value(value)


class ScheduleSerializer(serializers.Serializer):
    """Both optional; null cancels that switch. Times are ISO 8601 with an offset or Z."""

    publish_at = AwareDateTimeField(
        required=False, allow_null=True, help_text="Freezes the working copy now; it goes live then."
    )
    unpublish_at = AwareDateTimeField(required=False, allow_null=True, help_text="The live release is withdrawn then.")

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: ["Unknown field: use publish_at or unpublish_at."] for key in unknown}
                )
            if not data:
                raise serializers.ValidationError({"non_field_errors": ["Give publish_at, unpublish_at or both."]})
        return super().to_internal_value(data)


class ScheduleStateSerializer(serializers.Serializer):
    publish_at = serializers.DateTimeField(allow_null=True)
    unpublish_at = serializers.DateTimeField(allow_null=True)
    release = serializers.IntegerField(allow_null=True, help_text="The release frozen for publish_at.")


class TopicSerializer(serializers.Serializer):
    topic = serializers.CharField(help_text="The slug: what filters use (`?topic=data-science`).")
    name = serializers.CharField(
        help_text="The display spelling (`Data Science`): as first written, or as an editor set it in the admin."
    )
    course_count = serializers.IntegerField()


class SuggestionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    topic = serializers.CharField()


class SuggestionListSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True, help_text="Up to 8 published courses whose titles match, best first.")


class CourseCreateSerializer(CourseRecordSerializer):
    """POST: a new course (always a draft), optionally with its whole tree."""

    # `status` is accepted and ignored (the view drops it): a new course is always a draft.


class CourseRecordWriteSerializer(CourseRecordSerializer):
    """PUT: one record of the import format; the slug may be left out (the URL names it)."""

    def get_fields(self):
        fields = super().get_fields()
        fields["slug"].required = False
        return fields


class CoursePatchSerializer(serializers.Serializer):
    """PATCH: some fields of the course; a status change goes through the workflow."""

    slug = StrictSlugField(required=False)
    title = StrictCharField(max_length=TITLE_MAX_LENGTH, required=False)
    description = StrictCharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_DESCRIPTION_LENGTH
    )
    topic = TopicField(max_length=TITLE_MAX_LENGTH, required=False)
    level = level_field(required=False)
    language = LanguageField(required=False)
    status = serializers.ChoiceField(choices=Course.Status.choices, required=False)

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: [f"Unknown or read-only field. Writable: {', '.join(self.fields)}."] for key in unknown}
                )
        return super().to_internal_value(data)


class FeedEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text="The entry's number (the same a webhook delivery carries): higher is later. In the current "
        "state (the answers without a cursor), the entry that made the course's current state visible."
    )
    slug = serializers.CharField()
    kind = serializers.ChoiceField(choices=["published", "removed"])
    release = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField(help_text="When the change became visible to learners.")
    course = CourseSummarySerializer(allow_null=True, help_text="The summary learners read (null when removed).")


class FeedPageSerializer(serializers.Serializer):
    results = FeedEntrySerializer(many=True)
    next = serializers.CharField(help_text="Pass it as `cursor` to get what comes next.")
    has_more = serializers.BooleanField()
