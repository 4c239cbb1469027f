"""Query parameters of the course list, declared as a django-filter FilterSet."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_filters.fields import BaseCSVField
from drf_spectacular.utils import extend_schema_field

from catalog.domain.filters import LanguagesField, LevelsField, MaxDurationField, TopicsField
from catalog.models import Course, Level, Listing
from catalog.permissions import is_editor
from catalog.selectors import course_search, listing_search, search_candidates


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class TopicFilter(django_filters.Filter):
    field_class = TopicsField

    def filter(self, qs, value):
        return qs.filter(topic__in=value) if value else qs


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class LanguageFilter(django_filters.Filter):
    field_class = LanguagesField

    def filter(self, qs, value):
        return qs.filter(language__in=value) if value else qs


class LevelFilter(django_filters.MultipleChoiceFilter):
    """Repeatable; either value matches. An unknown level is a 400 naming the choices."""

    field_class = LevelsField

    def __init__(self, **kwargs):
        super().__init__(choices=Level.choices, **kwargs)

    def filter(self, qs, value):
        return qs.filter(level__in=sorted(set(value))) if value else qs


class MaxDurationFilter(django_filters.Filter):
    """Courses whose duration is known and at most this many minutes."""

    field_class = MaxDurationField

    def filter(self, qs, value):
        return qs if value is None else qs.filter(duration_minutes__lte=value)


class DateOrDateTimeField(forms.Field):
    """ISO 8601 date (`2026-01-31`) or date-time (`2026-01-31T12:00:00Z`; naive means UTC)."""

    default_error_messages = {"invalid": "Enter an ISO 8601 date (2026-01-31) or date-time (2026-01-31T12:00:00Z)."}

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        # An unencoded "+02:00" arrives as " 02:00".
        candidates = [value, value[:-6] + "+" + value[-5:]] if value[-6:-5] == " " else [value]
        for candidate in candidates:
            try:
                # A bare date first: parse_datetime would read "2026-01-31" as its midnight.
                day = parse_date(candidate)
                if day is not None:
                    return day
                parsed = parse_datetime(candidate)
                if parsed is not None:
                    if timezone.is_naive(parsed):
                        parsed = parsed.replace(tzinfo=dt.UTC)
                    # In UTC, PostgreSQL accepts every date Python can represent (odd offsets too).
                    return parsed.astimezone(dt.UTC)
            except (ValueError, OverflowError):
                pass
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


class CreatedAfterFilter(django_filters.Filter):
    field_class = DateOrDateTimeField

    def filter(self, qs, value):
        if value is None:
            return qs
        if not isinstance(value, dt.datetime):
            value = _start_of(value)
        return qs.filter(created_at__gte=value)


class CreatedBeforeFilter(django_filters.Filter):
    """Inclusive: a date means up to the end of that day."""

    field_class = DateOrDateTimeField

    def filter(self, qs, value):
        if value is None:
            return qs
        if isinstance(value, dt.datetime):
            return qs.filter(created_at__lte=value)
        if value == dt.date.max:
            return qs  # the end of the last representable day: nothing is excluded
        return qs.filter(created_at__lt=_start_of(value + dt.timedelta(days=1)))


class StrictCSVField(BaseCSVField):
    """A comma-separated list whose every item says something: `title,` or `,,` is a 400, not a 500."""

    default_error_messages = {
        "empty_item": "An item of the list is empty: separate field names with single commas, e.g. title,-created_at."
    }

    def clean(self, value):
        if value and len(value) == 1 and not value[0].strip():
            value = []  # `?ordering=` or `?ordering=%20`: no ordering asked, like an absent parameter
        if value and any(not item.strip() for item in value):
            raise forms.ValidationError(self.error_messages["empty_item"], code="empty_item")
        return super().clean(value)


class CourseOrderingFilter(django_filters.OrderingFilter):
    base_field_class = StrictCSVField

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = [self._nulls_last(self.get_ordering_value(param)) for param in value]
        return qs.order_by(*ordering, "id")

    @staticmethod
    def _nulls_last(name: str):
        """A course whose duration is unknown comes after the known ones, either way (as on PostgreSQL)."""
        if name.lstrip("-") != "duration_minutes":
            return name
        field = F("duration_minutes")
        return field.desc(nulls_last=True) if name.startswith("-") else field.asc(nulls_last=True)


# Filters a learner's query may name but that never apply to learners (they see published courses only).
LEARNERS_IGNORE = ("status",)


class CourseFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=500,
        label="Full-text search in titles, description, topic, unit and module titles; best match first",
    )
    topic = TopicFilter(label="Topic, any case or spacing; repeat for several (either matches)")
    level = LevelFilter(label="Level (beginner, intermediate, advanced); repeat for several (either matches)")
    language = LanguageFilter(label="Language, a BCP 47 tag (en, pt-BR); repeat for several (either matches)")
    max_duration = MaxDurationFilter(
        field_name="duration_minutes", label="Minutes: courses whose duration is known and at most this"
    )
    status = django_filters.ChoiceFilter(choices=Course.Status.choices, method="filter_status")
    created_after = CreatedAfterFilter(
        field_name="created_at", label="Created on or after (ISO 8601 date or date-time)"
    )
    created_before = CreatedBeforeFilter(
        field_name="created_at", label="Created on or before (ISO 8601 date or date-time; a date includes that day)"
    )
    ordering = CourseOrderingFilter(fields=("title", "created_at", "published_at", "duration_minutes"))

    class Meta:
        model = Course
        fields = []

    def __init__(self, data=None, *args, request=None, **kwargs):
        if data is not None and not is_editor(getattr(request, "user", None)):
            # Learners always get published courses: their `status` is ignored, not validated.
            data = data.copy()
            for name in LEARNERS_IGNORE:
                data.pop(name, None)
        super().__init__(data, *args, request=request, **kwargs)

    def filter_search(self, qs, name, value):
        return course_search(qs, value)

    def filter_status(self, qs, name, value):
        return qs.filter(status=value) if value else qs


class ListingFilter(CourseFilter):
    """The same parameters over what learners see (listings); `published_at` is when it went live."""

    ordering = CourseOrderingFilter(
        fields=(
            ("title", "title"),
            ("created_at", "created_at"),
            ("live_from", "published_at"),
            ("duration_minutes", "duration_minutes"),
        )
    )

    class Meta:
        model = Listing
        fields = []

    candidates = None  # what the search ranked (catalog.selectors.Candidates), once it has run

    def filter_search(self, qs, name, value):
        self.candidates = search_candidates(qs, value)
        # In no order: `ordering` orders them, or the list reads the candidates, which are in order
        # (catalog.api.learners.course_list).
        return listing_search(qs, value, candidates=self.candidates, best_first=False)

    def filter_queryset(self, queryset):
        # The search ranks candidates among what the other filters kept, so it comes after them, and
        # before `ordering`, which replaces its best-match-first order.
        data = self.form.cleaned_data
        names = [n for n in self.filters if n not in ("search", "ordering")] + ["search", "ordering"]
        for name in names:
            queryset = self.filters[name].filter(queryset, data.get(name))
        return queryset


def reads_parameter(name: str) -> bool:
    """Whether the course list's FilterSet reads a query parameter of this name, as its form reads it
    (Widget.value_omitted_from_data knows the names a multi-part widget reads). For the learners'
    cache keys and links (catalog.cache.routes.use_list_filters) and the quick list (catalog.api.learners)."""
    present = {name: ""}
    return any(
        not spec.field.widget.value_omitted_from_data(present, {}, filter_name)
        for filter_name, spec in ListingFilter.base_filters.items()
    )
