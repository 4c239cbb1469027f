"""Learner pages: published courses only, newest first, search, topic chips, pagination, the ordered tree."""

import re

import pytest

from catalog import services
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def catalog():
    sql = CourseFactory(
        slug="intro-to-sql",
        title="Intro to SQL",
        topic="Databases",
        status="published",
        description="Ask questions of your data.",
        units=[{"title": "Joins", "modules": [{"title": "Quaternion joins"}]}],
    )
    css = CourseFactory(slug="css-grid", title="CSS Grid", topic="Web Development", status="published", units=tree(1))
    CourseFactory(slug="secret-draft", title="Secret draft", topic="Databases", units=tree(1))
    CourseFactory(slug="old-archived", title="Old archived", topic="Databases", status="archived", units=tree(1))
    return sql, css


def card_titles(html: str) -> list[str]:
    return re.findall(r'<li class="course-card">\s*<h3><a href="[^"]+">([^<]+)</a>', html)


class TestHome:
    def test_lists_published_courses_newest_first(self, client, catalog):
        page = client.get("/").content.decode()
        assert card_titles(page) == ["CSS Grid", "Intro to SQL"]
        assert "Secret draft" not in page and "Old archived" not in page

    def test_title_favicon_labels_and_no_script(self, client, catalog):
        page = client.get("/").content.decode()
        assert "<title>Course catalog</title>" in page and 'rel="icon"' in page
        assert '<label for="q">Search courses</label>' in page and 'role="search"' in page
        assert page.count("<h1") == 1 and '<html lang="en">' in page and 'name="viewport"' in page
        # Server-rendered: nothing needs JavaScript; the one script only adds suggestions to the search box.
        assert [s for s in re.findall(r"<script[^>]*>", page) if "catalog/suggest" not in s] == []

    def test_favicon_ico(self, client):
        response = client.get("/favicon.ico")
        assert response.status_code == 302 and response["Location"].endswith("catalog/favicon.svg")

    def test_editors_see_the_learner_view_too(self, client, catalog, editor):
        client.force_login(editor)
        assert "Secret draft" not in client.get("/").content.decode()
        assert client.get("/courses/secret-draft/").status_code == 404
        assert client.get("/courses/old-archived/").status_code == 404

    def test_queries_do_not_grow_with_courses(self, client, django_assert_max_num_queries):
        for i in range(30):
            CourseFactory(status="published", topic=f"Topic {i % 5}", units=tree(2, 2))
        # The kept topic counts and the listings they lag behind, then a page's rows: no count of the catalog;
        # and the next scheduled switch, which bounds how long the edge may keep the page; the topics'
        # display names, once for the chips and the cards.
        with django_assert_max_num_queries(4):
            assert len(card_titles(client.get("/").content.decode())) == 20


class TestSearchAndTopics:
    def test_search_finds_words_in_module_titles(self, client, catalog):
        found = client.get("/", {"q": "quaternion"}).content.decode()
        assert card_titles(found) == ["Intro to SQL"]
        assert "<title>Search: quaternion – Course catalog</title>" in found  # the contract: "Search: …"
        assert 'value="quaternion"' in found

    def test_a_search_with_no_match_says_so(self, client, catalog):
        page = client.get("/", {"q": "astrophysics"}).content.decode()
        assert card_titles(page) == [] and "No course matches" in page

    @pytest.mark.parametrize("q", ["\x00", "'; drop table", "a" * 5000, "&|!()<>:*", "  "])
    def test_odd_searches_never_fail(self, client, catalog, q):
        assert client.get("/", {"q": q}).status_code == 200

    def test_chips_count_published_courses_only(self, client, catalog):
        page = client.get("/").content.decode()
        assert 'Databases <span class="count">1</span>' in page  # drafts and archived are not counted
        assert 'Web Development <span class="count">1</span>' in page  # the topic's name, as first written

    def test_a_chip_filters_and_shows_it_is_selected(self, client, catalog):
        chip = client.get("/", {"topic": "Databases"}).content.decode()  # any case or spacing
        assert card_titles(chip) == ["Intro to SQL"]
        assert re.search(r'href="/"\s+aria-current="true"', chip)  # the selected chip's link removes it
        assert "Clear topics" in chip

    def test_topics_are_repeatable(self, client, catalog):
        CourseFactory(title="Pandas", topic="Data Science", status="published")
        both = client.get("/?topic=databases&topic=data-science").content.decode()
        assert sorted(card_titles(both)) == ["Intro to SQL", "Pandas"]

    def test_chip_links_keep_the_search_and_other_topics(self, client, catalog):
        page = client.get("/?q=grid&topic=databases").content.decode()
        assert 'href="/?q=grid&amp;topic=databases&amp;topic=web-development"' in page
        assert '<input type="hidden" name="topic" value="databases">' in page


class TestPagination:
    @pytest.fixture
    def many(self):
        for i in range(23):
            CourseFactory(slug=f"c-{i:02d}", title=f"Course {i:02d}", status="published")

    def test_twenty_per_page(self, client, many):
        first = client.get("/").content.decode()
        assert "Page 1 of 2" in first and 'rel="next" href="/?page=2"' in first and 'rel="prev"' not in first
        assert card_titles(first)[0] == "Course 22" and len(card_titles(first)) == 20
        second = client.get("/?page=2").content.decode()
        assert card_titles(second) == ["Course 02", "Course 01", "Course 00"]
        assert 'rel="prev" href="/"' in second and "<title>Page 2 – Course catalog</title>" in second

    def test_page_links_keep_the_filters(self, client, many):
        page = client.get("/?topic=testing").content.decode()
        assert 'href="/?topic=testing&amp;page=2"' in page

    def test_no_page_number_is_page_one(self, client, many):
        for url in ("/?page=", "/?page=1", "/"):
            assert "Page 1 of 2" in client.get(url).content.decode(), url

    @pytest.mark.parametrize("value", ["abc", "0", "-1", "3", "99999", "1.5", "9" * 40, "%00", "²"])
    def test_a_page_that_does_not_exist_is_a_404_never_page_one(self, client, many, value):
        response = client.get(f"/?page={value}")
        assert response.status_code == 404
        assert "Page 1 of 2" not in response.content.decode()


class TestCoursePage:
    def test_shows_the_ordered_tree(self, client, catalog):
        sql, _ = catalog
        basics = services.unit_create(course=sql, title="Basics", position=1)
        services.module_create(unit=basics, title="SELECT")
        services.module_create(unit=basics, title="FROM first", position=1)
        assert "Basics" not in client.get("/courses/intro-to-sql/").content.decode()  # not yet published
        services.course_publish(course=sql)
        page = client.get("/courses/intro-to-sql/").content.decode()
        assert "<title>Intro to SQL – Course catalog</title>" in page
        assert "Ask questions of your data." in page and 'href="/?topic=databases"' in page
        assert (
            page.index("Basics")
            < page.index("FROM first")
            < page.index("SELECT")
            < page.index("Joins")
            < page.index("Quaternion joins")
        )
        assert page.count("<h1") == 1

    def test_a_published_reorder_shows_at_once(self, client, catalog):
        sql, _ = catalog
        services.module_create(unit=services.unit_create(course=sql, title="Basics"), title="One")
        services.unit_move(unit=sql.units.get(title="Basics"), position=1)
        services.course_publish(course=sql)
        page = client.get("/courses/intro-to-sql/").content.decode()
        assert page.index("Basics") < page.index("Joins")

    @pytest.mark.parametrize("slug", ["secret-draft", "old-archived", "missing"])
    def test_draft_archived_and_missing_courses_are_404(self, client, catalog, slug):
        assert client.get(f"/courses/{slug}/").status_code == 404

    def test_unpublished_course_disappears(self, client, catalog):
        sql, _ = catalog
        services.course_unpublish(course=sql)
        assert client.get("/courses/intro-to-sql/").status_code == 404
        assert "Intro to SQL" not in client.get("/").content.decode()


class TestSearchBox:
    """The search box: a plain form that works without JavaScript, with hooks for the suggestions script,
    and results that say where they matched."""

    def test_results_show_where_they_matched_escaped(self, client):
        CourseFactory(
            slug="k8s",
            title="Kubernetes <i>in</i> production",
            description="Clusters.",
            status="published",
            units=[{"title": "U", "modules": [{"title": "Helm", "content": "Package with helm charts."}]}],
        )
        page = client.get("/", {"q": "kubernets"}).content.decode()
        match = re.search(r'<p class="match">(.*?)</p>', page)[1]
        assert match.startswith("<mark>Kubernetes</mark>") and "<i>" not in match

    def test_the_box_is_a_form_with_the_combobox_hooks(self, client):
        page = client.get("/").content.decode()
        assert '<form class="search" method="get"' in page and 'name="q"' in page
        assert 'data-suggest-url="/api/v1/suggest/"' in page and 'role="listbox"' in page
        assert 'role="status" aria-live="polite"' in page and "catalog/suggest" in page
