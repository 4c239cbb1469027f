"""Module content as it reads on a phone and by keyboard: each table and code block in a box of its own
that scrolls sideways and can take focus (axe: scrollable-region-focusable), named for screen readers.

It works on markdown.render()'s output, which nh3 has cleaned: its <table> and <pre> carry no attribute,
and content cannot spell either tag (markup in content is escaped text), so plain replacement is exact.
"""

import re

_BLOCK = re.compile(r"<(table|pre)>|</(table|pre)>")
_NAMES = {"table": "Table", "pre": "Code"}


def scroll_boxes(html: str) -> str:
    counts = {"table": 0, "pre": 0}

    def box(match: re.Match) -> str:
        opening, closing = match.groups()
        if closing:
            return f"</{closing}></div>"
        counts[opening] += 1
        label = f"{_NAMES[opening]} {counts[opening]}, scrolls sideways"
        return f'<div class="scroll-box" role="region" tabindex="0" aria-label="{label}"><{opening}>'

    return _BLOCK.sub(box, html)
