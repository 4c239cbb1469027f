"""The course list's filter parameters as form fields: one reading, and one set of refusals, for the
API's FilterSet (catalog.api.filters) and the learners' catalog page (catalog.web.listing)."""

from django import forms

from catalog.domain import languages
from catalog.models import Level, canonical_topics


class TopicsField(forms.Field):
    """Every `topic` value of the query, normalised like stored topics."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return canonical_topics(value)


class LevelsField(forms.MultipleChoiceField):
    """Every `level` of the query (either matches); `level=` (blank) asks for nothing, like a blank
    `topic`; anything else must be a level."""

    # A hidden input, not a <select multiple>: its absence from a query is known (the learners' cache
    # keys ask each filter's widget which parameters it reads: catalog.api.filters.reads_parameter).
    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", Level.choices)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": f"'%(value)s' is not a level: use {', '.join(Level.values)} (repeat for several)."},
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return sorted({item for item in super().to_python(value) if item.strip()})


class LanguagesField(forms.Field):
    """Every `language` value of the query, each a BCP 47 tag, in its standard form (`pt-br` is `pt-BR`)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": "'%(value)s' is not a BCP 47 language tag (e.g. en, pt-BR)."}

    def to_python(self, value):
        tags = set()
        for item in value or []:
            if not item.strip():
                continue
            tag = languages.standard_language(item.strip())
            if tag is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": item})
            tags.add(tag)
        return sorted(tags)


class MaxDurationField(forms.IntegerField):
    """Minutes: a whole number from 0."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 10**9)
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages", {"invalid": "Give a whole number of minutes, e.g. 90."})
        super().__init__(**kwargs)
