"""Tables and code blocks of module content each in a focusable, named box that scrolls sideways."""

import pytest

from catalog.domain import markdown
from catalog.web import reading
from tests.helpers.releasing import start_tags

pytestmark = [pytest.mark.embedded]

CONTENT = """Text.

```
SELECT 1;
```

| a | b |
|---|---|
| 1 | 2 |

    indented code

Markup as text: <table> and <pre> stay text.
"""


def boxes(html) -> list[dict]:
    return [dict(attrs) for tag, attrs in start_tags(html) if tag == "div"]


def test_each_table_and_code_block_is_a_focusable_named_region():
    html = reading.scroll_boxes(markdown.render(CONTENT))
    assert boxes(html) == [
        {"class": "scroll-box", "role": "region", "tabindex": "0", "aria-label": label}
        for label in ("Code 1, scrolls sideways", "Table 1, scrolls sideways", "Code 2, scrolls sideways")
    ]
    assert html.count("<pre>") == 2 and html.count("</pre></div>") == 2
    assert html.count("<table>") == 1 and html.count("</table></div>") == 1
    assert "&lt;table&gt; and &lt;pre&gt; stay text" in html


def test_content_without_either_is_unchanged():
    html = markdown.render("Just *words*.")
    assert reading.scroll_boxes(html) == html
