"""Template tags of the learner site's head and pages: canonical addresses and durations."""

from django import template

from catalog.web import seo

register = template.Library()


@register.simple_tag(takes_context=True)
def home_canonical(context) -> str:
    return seo.home_canonical(context["request"])


@register.filter
def minutes_label(minutes) -> str:
    """95 -> "1 h 35 min"; "" when unknown."""
    if not minutes:
        return ""
    hours, rest = divmod(int(minutes), 60)
    return " ".join(part for part in (f"{hours} h" if hours else "", f"{rest} min" if rest else "") if part)
