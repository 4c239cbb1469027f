"""Template tags of the learner site's head: canonical addresses."""

from django import template

from catalog.origin import absolute
from catalog.web import seo

register = template.Library()


@register.simple_tag(takes_context=True)
def home_canonical(context) -> str:
    """The catalog page's one address: the page's own canonical path (every filter, sort and page in
    one spelling, catalog.web.listing.Links) when it gave one."""
    if context.get("canonical_path"):
        return absolute(context["request"], context["canonical_path"])
    return seo.home_canonical(context["request"])
