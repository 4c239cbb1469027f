"""Template filters of the learner pages."""

from django import template
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe

from catalog.domain import markdown as markdown_text

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
def markdown(text: str) -> str:
    """Markdown as safe HTML, with the renderer of module pages (catalog.domain.markdown)."""
    return mark_safe(markdown_text.render(text))  # noqa: S308 - cleaned by nh3's allow-list


@register.filter
def markdown_plain(text: str) -> str:
    """Markdown's words without its markup (escaped by the template as any text)."""
    return markdown_text.plain(text)
