"""Markdown (module content, course descriptions) as HTML safe to put in a page: no script, handler or
javascript: link.

markdown-it-py renders CommonMark (plus tables) with raw HTML switched off, so markup in content is
shown as text; nh3 then keeps only an allow-list of tags, attributes and URL schemes, as a second
line of defence that does not depend on the renderer's choices.
"""

import functools
import html

import nh3
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str) -> str:
    html = _renderer.render(text or "")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


@functools.lru_cache(maxsize=512)  # at most 512 descriptions and their words (20,000 characters each, at worst)
def plain(text: str) -> str:
    """The words of Markdown without its markup, for places that take text only (cards, meta
    descriptions, structured data): rendered as for the page, then stripped of every tag. Remembered
    per text (a page of 20 cards rendered them at every uncached request: a fifth of the page's time)."""
    stripped = nh3.clean(_renderer.render(text or ""), tags=set())
    return " ".join(html.unescape(stripped).split())
