"""A course's description is Markdown: rendered safely on its page, as plain words on cards and in
the page's meta description; the API carries it as written."""

import pytest

from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

DESCRIPTION = (
    "Ask **questions** of your data.\n\n- filter\n- join\n\n<script>alert(1)</script> "
    '<img src=x onerror="alert(2)"> [docs](https://example.org/sql "SQL")'
)


@pytest.fixture
def course():
    return CourseFactory(
        slug="intro-to-sql", title="Intro to SQL", status="published", description=DESCRIPTION, units=tree(1)
    )


def test_the_course_page_renders_the_description_as_markdown_safely(client, course):
    page = client.get("/courses/intro-to-sql/").content.decode()
    description = page.split('<div class="description">', 1)[1].split("</div>", 1)[0]
    assert "<strong>questions</strong>" in description
    assert "<li>filter</li>" in description
    assert '<a href="https://example.org/sql" title="SQL" rel="noopener noreferrer nofollow">docs</a>' in description
    assert "**" not in description
    assert "<script" not in page.split("</head>", 1)[1].replace('<script type="application/ld+json">', "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in description  # shown as text, never run
    assert "<img" not in description


def test_cards_and_the_meta_description_show_the_words_without_markup(client, course):
    home = client.get("/").content.decode()
    card = home.split('<p class="description">', 1)[1].split("</p>", 1)[0]
    assert card.startswith("Ask questions of your data. filter join")
    assert "**" not in card and "<strong>" not in card
    page = client.get("/courses/intro-to-sql/").content.decode()
    assert '<meta name="description" content="Ask questions of your data. filter join' in page


def test_the_api_carries_the_description_as_written(client, course):
    assert client.get("/api/v1/courses/intro-to-sql/").json()["description"] == DESCRIPTION
