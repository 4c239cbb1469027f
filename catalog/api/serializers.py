"""Course representations for the API: summary, detail with the ordered tree, topics, writes."""

from rest_framework import serializers

from .. import selectors
from ..models import TITLE_MAX_LENGTH, Course, Module, Unit
from ..records import MAX_DESCRIPTION_LENGTH, CourseRecordSerializer, StrictCharField, StrictSlugField, TopicField

SUMMARY_FIELDS = list(selectors.SUMMARY_FIELDS)


class CourseSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = SUMMARY_FIELDS
        read_only_fields = SUMMARY_FIELDS


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

    class Meta(CourseSummarySerializer.Meta):
        fields = [*SUMMARY_FIELDS, "units"]
        read_only_fields = fields


class TopicSerializer(serializers.Serializer):
    topic = serializers.CharField()
    course_count = serializers.IntegerField()


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
    status = serializers.ChoiceField(choices=Course.Status.choices, required=False)

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: [f"Unknown or read-only field. Writable: {', '.join(self.fields)}."] for key in unknown}
                )
        return super().to_internal_value(data)
