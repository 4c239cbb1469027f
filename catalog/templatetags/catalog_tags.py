"""Template filters of the learner pages."""

from django import template
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe

from catalog import selectors
from catalog.domain import markdown as markdown_text
from catalog.domain.languages import language_name
from catalog.models import default_topic_name

register = template.Library()


@register.filter
def topic_label(topic: str) -> str:
    """A stored topic read as words, without its display name: "cloud-devops" -> "Cloud devops"."""
    return default_topic_name(topic)


@register.simple_tag(takes_context=True)
def topic_name(context, topic: str) -> str:
    """A topic's display name ("Cloud & DevOps"): from the page's `topic_names` when the view gave
    them (the catalog's chips), else read once per topic and page."""
    names = context.render_context.get("catalog_topic_names")
    if names is None:
        names = context.render_context["catalog_topic_names"] = dict(context.get("topic_names") or {})
    if topic not in names:
        names.update(selectors.topic_names(slugs=[topic]))
    return names[topic]


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
