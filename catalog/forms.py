"""Admin forms: course and unit fields, with the stale-edit guard that keeps editors from overwriting each other."""

from datetime import datetime

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property

from .models import Course, Module, Unit, normalize_topic

STALE_MESSAGE = (
    "Someone else changed this course since you opened it (last change {at:%Y-%m-%d %H:%M:%S} UTC). "
    "Your changes were not saved: reload the page to see theirs, then apply yours again."
)


def parse_opened_at(value) -> datetime | None:
    """The hidden field's value back as a datetime; None for a missing or garbled value."""
    try:
        return parse_datetime(value or "")
    except ValueError:  # well-formed but impossible, e.g. month 13
        return None


class StaleEditGuardForm(forms.ModelForm):
    """Carries the course's updated_at as it was when the page was opened, and refuses a stale save.

    Any change in a course's tree bumps the course's updated_at, so one timestamp guards the course
    fields, its units and their modules. The check here shows the error on the form; the service
    repeats it under the course's row lock (course_update(expected_updated_at=...)) for the race
    between this check and the write.
    """

    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)

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
        course_id = self.guarded_course_id()
        if not course_id:
            return cleaned
        current = Course.objects.filter(pk=course_id).values_list("updated_at", flat=True).first()
        if current is None:
            raise forms.ValidationError("This course was deleted by someone else meanwhile.", code="gone")
        opened = parse_opened_at(cleaned.get("opened_at"))
        if opened != current:
            raise forms.ValidationError(STALE_MESSAGE.format(at=current), code="stale")
        cleaned["opened_at"] = opened
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
