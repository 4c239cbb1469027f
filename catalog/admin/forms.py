"""Admin forms: course, unit and module fields, carrying the stale-edit guard's opening time."""

from datetime import datetime

from django import forms
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from catalog import selectors
from catalog.domain.languages import MESSAGE as LANGUAGE_MESSAGE
from catalog.domain.languages import SUGGESTED, standard_language
from catalog.models import Course, Module, Unit, default_language, normalize_topic


class EditorText:
    """Text as editors type it: too long is a validation message, never a silent cut; line breaks as LF.

    Browsers cut pasted text at an input's maxlength attribute (a 439-character title lands as its
    first 200 characters, mid-word, with no word said), so the attribute is not rendered; the field's
    max_length still refuses the value on save with "at most 200 characters (it has 439)".
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)

    def clean(self):
        cleaned = super().clean()
        # Browsers send a textarea's line breaks as CRLF; stored text uses LF, as the API and the
        # import write it. Without this, saving a page would "change" every multi-line text.
        for name, value in cleaned.items():
            if isinstance(value, str) and "\r" in value:
                cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        return cleaned


MARKDOWN_HELP = (
    "Markdown: **bold**, *italic*, # Heading, - list item, [link text](https://…), `code`. "
    "Preview shows it as learners will see it."
)


class MarkdownTextarea(forms.Textarea):
    """A text box for Markdown that grows with its text, with a Preview button (catalog/admin.js asks
    the admin's markdown-preview endpoint, which renders with the pages' own safe renderer)."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 6, "cols": 60, "class": "catalog-markdown", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<button type="button" class="catalog-markdown-preview-button" aria-expanded="false" data-url="{}">'
            'Preview</button><div class="catalog-markdown-preview" aria-live="polite" hidden></div>',
            box,
            reverse("admin:catalog_markdown_preview"),
        )


class TopicInput(forms.TextInput):
    """The topic's text box, suggesting the topics in use (a <datalist> of their display names)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}_suggestions"
        return context

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id', name)}_suggestions"
        options = format_html_join("", '<option value="{}"></option>', ((n,) for _, n in selectors.topic_suggestions()))
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


def parse_opened_at(value) -> datetime | None:
    """The hidden field's value back as a datetime; None for a missing or garbled value."""
    try:
        return parse_datetime(value or "")
    except ValueError:  # well-formed but impossible, e.g. month 13
        return None


class StaleEditGuardForm(EditorText, forms.ModelForm):
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


class LanguageInput(forms.TextInput):
    """A text box that suggests common language tags (a <datalist>) and takes any valid BCP 47 tag."""

    def render(self, name, value, attrs=None, renderer=None):
        listed = f"{(attrs or {}).get('id', name)}-suggestions"
        box = super().render(name, value, {**(attrs or {}), "list": listed, "autocomplete": "off"}, renderer)
        options = format_html_join("", '<option value="{}">{}</option>', sorted(SUGGESTED.items()))
        return format_html('{}<datalist id="{}">{}</datalist>', box, listed, options)


class CourseAdminForm(StaleEditGuardForm):
    # Status is deliberately absent: it moves only through the workflow buttons and actions.
    class Meta:
        model = Course
        fields = ["slug", "title", "topic", "description", "level", "language"]
        widgets = {
            "description": MarkdownTextarea(),
            "topic": TopicInput(),
            "language": LanguageInput(attrs={"size": 12}),
        }
        help_texts = {
            "description": "Shown on the course page. " + MARKDOWN_HELP,
            "slug": "The course's address: intro-to-sql is shown at /courses/intro-to-sql/. Lowercase letters, "
            "digits and hyphens.",
            "topic": "Pick a topic in use, or write a new one as learners should read it (“Cloud & DevOps”). "
            "Filters use its normal form (cloud-devops); rename a topic's display name under Topics.",
            "level": "Who the course is for; leave empty when it does not say.",
            "language": "A BCP 47 language tag: en, pt-BR, zh-Hant… (pick a suggestion or type any valid tag).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:  # absent for a viewer: every field is read-only
            self.fields["language"].required = False  # empty: the catalog's default language
        topic = self.instance.topic if self.instance.pk else None
        if topic and not self.is_bound:
            # Shown as people read it; saving it unchanged changes nothing (same normal form).
            self.initial["topic"] = selectors.topic_names(slugs=[topic])[topic]

    def clean_language(self):
        text = (self.cleaned_data.get("language") or "").strip()
        if not text:
            return default_language()
        tag = standard_language(text)
        if tag is None:
            raise forms.ValidationError(LANGUAGE_MESSAGE, code="invalid_language")
        return tag

    def guarded_course_id(self):
        return self.instance.pk

    def clean_topic(self):
        # As written ("Cloud & DevOps"): the service stores its normal form and keeps the spelling of
        # a new topic as its display name.
        written = " ".join((self.cleaned_data.get("topic") or "").split())
        if not normalize_topic(written):
            raise forms.ValidationError("Use at least one letter or digit.", code="invalid_topic")
        if normalize_topic(written) == normalize_topic(self.initial.get("topic")):
            return self.initial.get("topic")
        return written


class UnitAdminForm(StaleEditGuardForm):
    class Meta:
        model = Unit
        fields = ["course", "title"]

    def guarded_course_id(self):
        return self.instance.course_id if self.instance.pk else None


class PositionField(forms.IntegerField):
    """A row's place as the drag (or the move buttons) left it: only its rank among its siblings
    counts (django-nested-admin numbers from 0), and a new row may come without one."""

    def __init__(self, **kwargs):
        super().__init__(required=False, widget=forms.HiddenInput, **kwargs)


class PositionForm(EditorText, forms.ModelForm):
    """An inline row whose submitted place is read as `position`, not validated as the row's order.

    The services renumber 1..n; taking the field out of cleaned_data keeps a 0-based or gapped
    place from failing the model's order validation and the formset's (parent, order) check.
    """

    order = PositionField()
    position = None

    def clean(self):
        cleaned = super().clean()
        self.position = cleaned.pop("order", None)
        return cleaned


class UnitInlineForm(PositionForm):
    class Meta:
        model = Unit
        fields = ["title", "order"]


class ModuleInlineForm(PositionForm):
    class Meta:
        model = Module
        fields = ["title", "content", "minutes", "order"]
        widgets = {"content": MarkdownTextarea()}
        help_texts = {"content": MARKDOWN_HELP}


def unit_label(unit: Unit) -> str:
    """A unit as pickers name it: its course too ("Intro to SQL › 1. Basics")."""
    return f"{unit.course.title} › {unit}"


class ModuleAdminForm(StaleEditGuardForm):
    class Meta:
        model = Module
        fields = ["unit", "title", "content", "minutes"]
        widgets = {"content": MarkdownTextarea()}
        help_texts = {
            "content": MARKDOWN_HELP,
            "minutes": "How long the module takes; empty when not known. Courses show the sum.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].label_from_instance = unit_label

    def guarded_course_id(self):
        return self.instance.unit.course_id if self.instance.pk else None


SECONDS = "%Y-%m-%dT%H:%M:%S"
LOCAL_INPUTS = [SECONDS, "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]


def local_time_input() -> forms.DateTimeInput:
    # step=1: browsers offer seconds; the value is the editor's wall-clock time in the page's zone.
    return forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}, format=SECONDS)


class ScheduleForm(forms.Form):
    """A course's scheduled switches, as wall-clock times in the editor's zone (the `time_zone` field:
    the browser's, or picked here). A time left as it was is not sent to the service (setting
    publish_at again would freeze the working copy anew); a cleared time cancels that switch."""

    time_zone = forms.ChoiceField(
        required=False,  # the zone the page was shown in
        label="Time zone",
        help_text="The times above are read in this zone; your browser's is chosen for you.",
    )
    publish_at = forms.DateTimeField(
        required=False,
        label="Goes live at",
        help_text="Freezes the working copy as it is now; learners see it from this time.",
        input_formats=LOCAL_INPUTS,
        widget=local_time_input(),
    )
    unpublish_at = forms.DateTimeField(
        required=False,
        label="Withdrawn at",
        help_text="Learners no longer see the course from this time.",
        input_formats=LOCAL_INPUTS,
        widget=local_time_input(),
    )

    def __init__(self, *args, course: Course, zones: list[str], zone: str, **kwargs):
        initial = {"publish_at": course.publish_at, "unpublish_at": course.unpublish_at, "time_zone": zone}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["time_zone"].choices = [(name, name.replace("_", " ")) for name in zones]
        # The time fields come first on the page, the zone they are read in after them.
        self.order_fields(["publish_at", "unpublish_at", "time_zone"])

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "time_zone"}
