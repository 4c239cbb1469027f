"""Admin forms: course, unit and module fields, carrying the stale-edit guard's opening time."""

from datetime import datetime

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property

from .models import Course, Module, Unit, normalize_topic


def parse_opened_at(value) -> datetime | None:
    """The hidden field's value back as a datetime; None for a missing or garbled value."""
    try:
        return parse_datetime(value or "")
    except ValueError:  # well-formed but impossible, e.g. month 13
        return None


class StaleEditGuardForm(forms.ModelForm):
    """Carries the course's updated_at as it was when the page was opened.

    Any change in a course's tree bumps the course's updated_at, so one timestamp guards the course
    fields, its units and their modules. The admin passes it to the first service call of the save,
    which compares it under the course's row lock (services.unchanged_since); when that refuses, the
    admin shows this form again with `conflict` set, and the form says why (catalog.admin.common).
    """

    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)
    conflict = None

    def guarded_course_id(self):
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        course_id = self.guarded_course_id()
        if course_id and not self.is_bound:
            updated_at = Course.objects.filter(pk=course_id).values_list("updated_at", flat=True).first()
            if updated_at is not None:
                self.initial["opened_at"] = updated_at.isoformat()

    @cached_property
    def changed_data(self):
        # The opening time is bookkeeping, not an edit: keep it out of change detection and the history.
        return [name for name in super().changed_data if name != "opened_at"]

    def clean(self):
        cleaned = super().clean()
        if self.conflict:
            raise forms.ValidationError(self.conflict, code="stale")
        cleaned["opened_at"] = parse_opened_at(cleaned.get("opened_at"))
        return cleaned


class CourseAdminForm(StaleEditGuardForm):
    # Status is deliberately absent: it moves only through the workflow buttons and actions.
    class Meta:
        model = Course
        fields = ["slug", "title", "topic", "description"]
        help_texts = {
            "slug": "The course's address: intro-to-sql is shown at /courses/intro-to-sql/. Lowercase letters, "
            "digits and hyphens.",
            "topic": 'Stored normalised: "Data Science" becomes data-science.',
        }

    def guarded_course_id(self):
        return self.instance.pk

    def clean_topic(self):
        topic = normalize_topic(self.cleaned_data.get("topic"))
        if not topic:
            raise forms.ValidationError("Use at least one letter or digit.", code="invalid_topic")
        return topic


class UnitAdminForm(StaleEditGuardForm):
    class Meta:
        model = Unit
        fields = ["course", "title"]

    def guarded_course_id(self):
        return self.instance.course_id if self.instance.pk else None


class UnitInlineForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["title", "order"]


class ModuleInlineForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = ["title", "content", "order"]
        widgets = {"content": forms.Textarea(attrs={"rows": 2, "cols": 60})}


class ModuleAdminForm(StaleEditGuardForm):
    class Meta:
        model = Module
        fields = ["unit", "title", "content"]

    def guarded_course_id(self):
        return self.instance.unit.course_id if self.instance.pk else None
