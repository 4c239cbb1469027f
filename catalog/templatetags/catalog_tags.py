"""Template filters of the learner pages."""

from django import template
from django.utils.dateparse import parse_datetime

register = template.Library()


@register.filter
def topic_label(topic: str) -> str:
    """A stored topic as people read it: "cloud-devops" -> "Cloud devops"."""
    words = (topic or "").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


@register.filter
def as_datetime(value):
    """An API timestamp (ISO 8601 text) back as a datetime, for the date filter."""
    return parse_datetime(value) if isinstance(value, str) else value
