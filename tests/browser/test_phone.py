"""The learner pages on a 375 px phone and by keyboard: no link text breaks inside a word, nothing scrolls
sideways but tables and code (inside their own focusable box), topic chips in one row; and axe-core finds no
critical or serious violation on any learner page, error pages included (production mode)."""

import pytest

from catalog.models import Module
from catalog.selectors import previews
from tests.browser.test_accessibility import blocking
from tests.browser.test_editor_flow import SCREENSHOTS
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
CODE = (
    "```python\n"
    + "\n".join(
        f"result_{i} = session.query(Course).filter(Course.topic == 'databases').order_by(Course.created_at).all()"
        for i in range(8)
    )
    + "\n```"
)
TABLE = (
    "| "
    + " | ".join(f"Column heading {i}" for i in range(9))
    + " |\n|"
    + "---|" * 9
    + "\n"
    + "\n".join("| " + " | ".join(f"value {r}.{c}" for c in range(9)) + " |" for r in range(6))
)
CONTENT = f"""# Joining tables

Read this before you start: {LONG_WORD} is a long word that must wrap without the page scrolling.

{CODE}

A wide table:

{TABLE}
"""

# The words of every link's text, each as client rectangles: a word on more than one line broke inside.
BROKEN_WORDS = """() => {
  const broken = [];
  for (const link of document.querySelectorAll('a')) {
    if (!link.getClientRects().length) continue;  // not shown
    const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(`${match[0]} (in "${link.textContent.trim()}")`);
      }
    }
  }
  return broken;
}"""
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def courses():
    CourseFactory(
        slug="sql-joins",
        title="Joining Tables in SQL",
        topic="Databases",
        status="published",
        units=[
            {
                "title": "Joins",
                "modules": [{"title": "Inner and outer joins", "content": CONTENT}, {"title": "Self joins"}],
            },
            {"title": "Practice", "modules": [{"title": "Exercises", "content": "Try it."}]},
        ],
    )
    for i, topic in enumerate(
        [
            "Web development",
            "Data science",
            "Machine learning",
            "Cloud and DevOps",
            "Security",
            "Mobile apps",
            "Design",
            "Project management",
        ]
    ):
        CourseFactory(slug=f"course-{i}", title=f"{topic} essentials", topic=topic, status="published", units=tree(1))
    for i in range(20):
        CourseFactory(
            slug=f"more-{i}", title=f"More databases {i}", topic="Databases", status="published", units=tree(1)
        )
    return Module.objects.get(title="Inner and outer joins")


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def production(settings):
    settings.DEBUG = False  # Django's error handlers answer only in production mode


def learner_paths(module) -> list[str]:
    token, _ = previews.token_for(module.unit.course)
    return [
        "/",
        "/?topic=databases",
        "/?q=joins",
        "/?page=2",
        "/courses/sql-joins/",
        f"/courses/sql-joins/modules/{module.pk}/",
        f"/preview/{token}/",
        f"/preview/{token}/modules/{module.pk}/",
        "/no-such-page/",
        "/?page=9",
        "/courses/no-such-course/",
    ]


def test_nothing_breaks_inside_a_word_or_scrolls_sideways(phone, live_server, courses, production):
    for path in learner_paths(courses):
        phone.goto(f"{live_server.url}{path}")
        assert phone.evaluate(BROKEN_WORDS) == [], path
        assert phone.evaluate(SIDEWAYS) <= 0, f"{path} scrolls sideways on a phone"


def test_the_check_sees_a_word_broken_the_old_way(phone, live_server, courses):
    """The stylesheet before issue 22 broke "Next module" into "Ne/xt/mo/dul/e": the check must say so."""
    phone.goto(f"{live_server.url}/courses/sql-joins/modules/{courses.pk}/")
    phone.add_style_tag(
        content=".module-nav { grid-template-columns: 1fr 1fr 1fr; } body { overflow-wrap: anywhere; }"
        " .module-nav a { width: 3.2em; }"
    )
    assert phone.evaluate(BROKEN_WORDS) != []


def test_a_long_word_in_content_wraps_and_tables_and_code_scroll_in_their_box(phone, live_server, courses):
    phone.goto(f"{live_server.url}/courses/sql-joins/modules/{courses.pk}/")
    assert phone.evaluate(SIDEWAYS) <= 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "module-phone.png"), full_page=True)  # the README's
    boxes = phone.locator(".content .scroll-box")
    assert boxes.count() == 2  # the code block and the table
    for i in range(2):
        box = boxes.nth(i)
        assert box.evaluate("el => el.scrollWidth > el.clientWidth"), "its content is wider than the phone"
        # The keyboard reaches it and scrolls it.
        box.focus()
        assert box.evaluate("el => document.activeElement === el")
        phone.keyboard.press("ArrowRight")
        phone.keyboard.press("ArrowRight")
        phone.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle())


def test_tab_reaches_the_code_and_the_table(phone, live_server, courses):
    phone.goto(f"{live_server.url}/courses/sql-joins/modules/{courses.pk}/")
    phone.focus("h1")
    reached = []
    for _ in range(40):
        phone.keyboard.press("Tab")
        label = phone.evaluate("document.activeElement.getAttribute('aria-label')")
        if label:
            reached.append(label)
    assert {"Code 1, scrolls sideways", "Table 1, scrolls sideways"} <= set(reached)


def test_topic_chips_are_one_row_that_scrolls(phone, live_server, courses):
    phone.goto(f"{live_server.url}/")
    tops = phone.locator(".chips li").evaluate_all(
        "items => items.map(li => Math.round(li.getBoundingClientRect().top))"
    )
    assert len(tops) == 9 and len(set(tops)) == 1, tops
    assert phone.locator(".chips").evaluate("el => el.scrollWidth > el.clientWidth")
    assert phone.evaluate(SIDEWAYS) <= 0


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_axe_finds_nothing_critical_or_serious(browser, live_server, courses, production, viewport):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        for path in learner_paths(courses):
            page.goto(f"{live_server.url}{path}")
            assert blocking(axe, page) == [], path
    finally:
        context.close()
