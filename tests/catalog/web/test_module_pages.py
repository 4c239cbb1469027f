"""Module pages for learners: content from the live release, Markdown rendered and made safe,
previous/next in course order; topic labels and long words on the learner pages."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from catalog import services
from catalog.models import Module, Unit
from tests.factories import CourseFactory, tree
from tests.helpers.releasing import content_of, course_url, start_tags, unsafe_parts

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

RICH = """# Reading data

## Why SELECT

Text with *emphasis*, **strength** and `inline < code`.

- first point
- second point

3. third
4. fourth

```sql
SELECT "<b>" FROM t WHERE a < b;
```

> A quotation.

| column | meaning |
|:-------|--------:|
| id     | the key |

See [the PostgreSQL manual](https://www.postgresql.org/docs/ "Docs") or <https://example.com/>, or write to
<someone@example.com>.

![A diagram](https://example.com/diagram.png)
"""

TREE = [
    {"title": "Basics", "modules": [{"title": "First", "content": RICH}, {"title": "Second"}]},
    {"title": "Joins", "modules": [{"title": "Third", "content": "Third's words."}]},
]


@pytest.fixture
def sql():
    return CourseFactory(slug="sql", title="Intro to SQL", topic="Databases", status="published", units=TREE)


def module(title) -> Module:
    return Module.objects.get(title=title)


def page_of(client, slug, module_id):
    return client.get(f"/courses/{slug}/modules/{module_id}/")


def html_of(client, slug, module_id) -> str:
    response = page_of(client, slug, module_id)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def nav_links(html) -> dict:
    """rel -> href of the previous/next links."""
    return {rel: href for rel, href in re.findall(r'<a rel="(prev|next)" href="([^"]+)"', html)}


class TestModulePage:
    def test_title_breadcrumb_and_content(self, client, sql):
        html = html_of(client, "sql", module("Third").pk)
        assert "<h1>Third</h1>" in html
        assert '<a href="/courses/sql/">Intro to SQL</a>' in html
        assert "Unit 2: Joins" in html
        assert "<p>Third&#x27;s words.</p>" in content_of(html) or "<p>Third's words.</p>" in content_of(html)
        assert "<title>Third – Intro to SQL – Course catalog</title>" in html

    def test_previous_and_next_follow_the_course_order_across_units(self, client, sql):
        first, second, third = (module(t).pk for t in ("First", "Second", "Third"))
        assert nav_links(html_of(client, "sql", first)) == {"next": f"/courses/sql/modules/{second}/"}
        assert nav_links(html_of(client, "sql", second)) == {
            "prev": f"/courses/sql/modules/{first}/",
            "next": f"/courses/sql/modules/{third}/",
        }
        assert nav_links(html_of(client, "sql", third)) == {"prev": f"/courses/sql/modules/{second}/"}

    def test_the_course_page_links_every_module(self, client, sql):
        html = client.get("/courses/sql/").content.decode()
        for title in ("First", "Second", "Third"):
            assert f'<a href="/courses/sql/modules/{module(title).pk}/">{title}</a>' in html

    def test_an_empty_module_says_so(self, client, sql):
        assert "This module has no content yet." in html_of(client, "sql", module("Second").pk)

    def test_learners_read_the_live_release(self, client, sql):
        third = module("Third")
        services.module_update(module=third, title="Third, renamed", content="Unpublished words.")
        added = services.module_create(unit=Unit.objects.get(title="Joins"), title="Fourth")
        html = html_of(client, "sql", third.pk)
        assert "Third&#x27;s words." in html or "Third's words." in html
        assert "Unpublished words." not in html and "Third, renamed" not in html
        assert page_of(client, "sql", added.pk).status_code == 404
        services.course_publish(course=sql)
        assert "Unpublished words." in html_of(client, "sql", third.pk)
        assert nav_links(html_of(client, "sql", third.pk))["next"] == f"/courses/sql/modules/{added.pk}/"

    def test_a_module_deleted_in_the_working_copy_stays_for_learners(self, client, sql):
        second = module("Second")
        services.module_delete(module=second)
        assert page_of(client, "sql", second.pk).status_code == 200

    def test_a_module_of_another_course_is_404(self, client, sql):
        CourseFactory(slug="other", status="published", units=tree(1))
        foreign = Module.objects.get(unit__course__slug="other")
        assert page_of(client, "sql", foreign.pk).status_code == 404
        assert page_of(client, "other", module("First").pk).status_code == 404

    @pytest.mark.parametrize("status", ["draft", "archived"])
    def test_a_hidden_courses_modules_are_404(self, client, editor, status):
        CourseFactory(slug="hidden", status=status, units=tree(1))
        hidden = Module.objects.get(unit__course__slug="hidden")
        assert page_of(client, "hidden", hidden.pk).status_code == 404
        client.force_login(editor)  # logged-in editors see what learners see here
        assert page_of(client, "hidden", hidden.pk).status_code == 404

    def test_a_withdrawn_courses_modules_are_404(self, client, sql):
        services.course_unpublish(course=sql)
        assert page_of(client, "sql", module("First").pk).status_code == 404

    @pytest.mark.parametrize("module_id", ["0", "999999999", "9" * 30])
    def test_unknown_ids_are_404(self, client, sql, module_id):
        assert client.get(f"/courses/sql/modules/{module_id}/").status_code == 404


class TestMarkdown:
    @pytest.fixture
    def rendered(self, client, sql):
        return content_of(html_of(client, "sql", module("First").pk))

    def test_headings(self, rendered):
        assert "<h1>Reading data</h1>" in rendered and "<h2>Why SELECT</h2>" in rendered

    def test_emphasis_and_inline_code(self, rendered):
        assert "<em>emphasis</em>" in rendered and "<strong>strength</strong>" in rendered
        assert "<code>inline &lt; code</code>" in rendered

    def test_lists(self, rendered):
        assert "<ul>\n<li>first point</li>\n<li>second point</li>\n</ul>" in rendered
        assert '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>' in rendered

    def test_code_blocks_keep_their_text_escaped(self, rendered):
        code = re.search(r"<pre><code[^>]*>(.*?)</code></pre>", rendered, re.S)
        assert code and code.group(1).startswith("SELECT ")
        assert "&lt;b&gt;" in code.group(1) and "a &lt; b" in code.group(1)
        assert "<b>" not in rendered

    def test_links_are_kept_and_marked_nofollow(self, rendered):
        links = {dict(attrs)["href"]: dict(attrs) for tag, attrs in start_tags(rendered) if tag == "a"}
        assert set(links) == {"https://www.postgresql.org/docs/", "https://example.com/", "mailto:someone@example.com"}
        assert links["https://www.postgresql.org/docs/"]["title"] == "Docs"
        assert all("nofollow" in (a.get("rel") or "") and "noopener" in a["rel"] for a in links.values())

    def test_quotes_tables_and_images(self, rendered):
        assert "<blockquote>" in rendered
        assert '<th style="text-align:left">column</th>' in rendered
        assert '<td style="text-align:right">the key</td>' in rendered
        assert '<img src="https://example.com/diagram.png" alt="A diagram">' in rendered


PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)"/>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](<javascript:alert(1)>)",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;avascript&#x3A;alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](DATA:text/html,<script>alert(1)</script>)",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![img](https://example.com/x.png "onerror=alert(1)")',
    '[x](https://example.com/ "\\" onmouseover=\\"alert(1)")',
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    "[x][evil]\n\n[evil]: <javascript:alert(1)>",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "> <img src=x onerror=alert(1)>",
    "- [x](javascript:alert(1))\n- <script>alert(1)</script>",
    "<a href='javascript:alert(1)'>x</a>",
    "\ufeff<script>alert(1)</script>",
    "</div><script>alert(1)</script>",
    '"><script>alert(1)</script>',
]


class TestUnsafeContent:
    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_nothing_that_runs_reaches_the_learner_page(self, client, payload):
        CourseFactory(
            slug="hostile",
            status="published",
            units=[{"title": "U", "modules": [{"title": "Payload", "content": f"Before.\n\n{payload}\n\nAfter."}]}],
        )
        html = html_of(client, "hostile", module("Payload").pk)
        assert unsafe_parts(html) == []
        assert "<script" not in html.lower()
        text = content_of(html)
        assert not [tag for tag, _attrs in start_tags(text) if tag in ("form", "input", "button", "link", "meta")]
        assert "Before." in text and "After." in text  # the rest of the content is still there

    def test_all_of_them_at_once(self, client):
        CourseFactory(
            slug="hostile",
            status="published",
            units=[{"title": "U", "modules": [{"title": "Payload", "content": "\n\n".join(PAYLOADS)}]}],
        )
        assert unsafe_parts(html_of(client, "hostile", module("Payload").pk)) == []

    @pytest.mark.parametrize("payload", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
    def test_titles_are_text(self, client, payload):
        CourseFactory(
            slug="hostile",
            title=f"Course {payload}",
            description=f"About {payload}",
            status="published",
            units=[{"title": f"Unit {payload}", "modules": [{"title": f"Module {payload}"}, {"title": "Next"}]}],
        )
        first, second = Module.objects.order_by("order")
        for html in (
            client.get("/courses/hostile/").content.decode(),
            html_of(client, "hostile", first.pk),
            html_of(client, "hostile", second.pk),
            client.get("/").content.decode(),
        ):
            assert unsafe_parts(html) == []
            assert "&lt;" in html

    @pytest.mark.parametrize("payload", PAYLOADS[::5])
    def test_previews_are_made_safe_too(self, editor_api, payload):
        course = CourseFactory(slug="hostile", units=[{"title": "U", "modules": [{"title": "Payload"}]}])
        services.module_update(module=module("Payload"), content=payload)
        url = urlsplit(editor_api.post(course_url("hostile") + "preview/").json()["url"]).path
        response = Client().get(f"{url}modules/{module('Payload').pk}/")
        assert response.status_code == 200
        assert unsafe_parts(response.content.decode()) == []
        assert course.status == "draft"


class TestPreviewModulePages:
    def test_previous_next_and_content_of_the_working_copy(self, editor_api, sql):
        services.module_update(module=module("Second"), content="**Working** copy.")
        extra = services.module_create(unit=Unit.objects.get(title="Basics"), title="Between", position=2)
        url = urlsplit(editor_api.post(course_url("sql") + "preview/").json()["url"]).path
        html = Client().get(f"{url}modules/{module('Second').pk}/").content.decode()
        assert "<strong>Working</strong> copy." in content_of(html)
        assert nav_links(html) == {
            "prev": f"{url}modules/{extra.pk}/",
            "next": f"{url}modules/{module('Third').pk}/",
        }
        assert f'href="{url}"' in html  # back to the preview's outline, not the live course page


class TestTopicLabels:
    def test_chips_and_the_course_page_show_topics_as_words(self, client):
        CourseFactory(slug="k8s", title="Kubernetes", topic="Cloud & DevOps", status="published", units=tree(1))
        home = client.get("/").content.decode()
        assert re.search(r">\s*Cloud &amp; DevOps <span class=\"count\">1</span>", home), home  # as first written
        assert not re.search(r">\s*cloud-devops\s*<", home)
        page = client.get("/courses/k8s/").content.decode()
        assert '<span class="topic">Cloud &amp; DevOps</span>' in page
        assert not re.search(r">\s*cloud-devops\s*<", page)


class TestLongWords:
    WORD = "Supercalifragilistic" * 40

    def test_a_long_unbroken_word_is_shown_whole(self, client):
        CourseFactory(
            slug="long",
            title=self.WORD[:200],
            description=self.WORD,
            status="published",
            units=[{"title": self.WORD[:200], "modules": [{"title": self.WORD[:200], "content": self.WORD}]}],
        )
        for url in ("/", "/courses/long/", f"/courses/long/modules/{module(self.WORD[:200]).pk}/"):
            response = client.get(url)
            assert response.status_code == 200
            assert self.WORD[:200] in response.content.decode()

    def test_the_stylesheet_lets_long_words_wrap(self, client, sql):
        css_path = finders.find("catalog/site.css")
        assert css_path, "catalog/site.css is not a static file"
        with open(css_path, encoding="utf-8") as f:
            css = f.read()
        # break-word, never anywhere (issue 22: "Ne/xt/mo/dul/e"); tests/browser/test_phone.py checks the result.
        assert re.search(r"(^|\n)\s*body\s*\{[^}]*overflow-wrap:\s*break-word", css)
        assert "anywhere" not in re.sub(r"/\*.*?\*/", "", css, flags=re.S)
        for url in ("/", "/courses/sql/", f"/courses/sql/modules/{module('First').pk}/"):
            assert re.search(r'<link[^>]+href="[^"]*site[^"]*\.css"', client.get(url).content.decode()), url
