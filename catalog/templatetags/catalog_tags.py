"""Template filters of the learner pages."""

from django import template
from django.utils.dateparse import parse_datetime

from catalog.domain.languages import language_name

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


@register.filter
def duration(minutes) -> str:
    """Minutes as people read a length: 45 -> "45 min", 90 -> "1 h 30 min", 120 -> "2 h"."""
    if minutes is None or minutes == "":
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


@register.filter
def language_label(tag: str) -> str:
    """A BCP 47 tag as people read it where the catalog knows its name ("pt-BR" -> "Portuguese (Brazil)")."""
    return language_name(tag or "")
