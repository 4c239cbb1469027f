"""A course page's "Start course", and a module page's outline beside it (the current module marked) and its
place ("Module 3 of 9"), on learners' pages and previews alike."""

import pytest

from catalog import services
from catalog.models import Module
from catalog.selectors import previews
from tests.factories import CourseFactory, tree
from tests.helpers.releasing import start_tags

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def sql():
    return CourseFactory(slug="sql", title="Intro to SQL", status="published", units=tree(2, 3, 4))


def ids(course) -> list[int]:
    return list(
        Module.objects.filter(unit__course=course).order_by("unit__order", "order").values_list("pk", flat=True)
    )


def links(html, **wanted) -> list[str]:
    """The hrefs of the <a> elements with these attributes (aria_current="page" for aria-current)."""
    wanted = {name.replace("_", "-"): value for name, value in wanted.items()}
    return [
        dict(attrs)["href"]
        for tag, attrs in start_tags(html)
        if tag == "a" and all(dict(attrs).get(k) == v for k, v in wanted.items())
    ]


def outline_of(html) -> str:
    return html[html.index('<nav class="outline"') : html.index("</nav>", html.index('<nav class="outline"'))]


class TestStartCourse:
    def test_leads_to_the_first_module(self, client, sql):
        html = client.get("/courses/sql/").content.decode()
        assert links(html, **{"class": "button"}) == [f"/courses/sql/modules/{ids(sql)[0]}/"]
        assert ">Start course</a>" in html

    def test_the_first_module_of_the_live_release(self, client, sql):
        services.module_create(unit=sql.units.get(order=1), title="New first", position=1)  # the working copy only
        html = client.get("/courses/sql/").content.decode()
        assert links(html, **{"class": "button"}) == [f"/courses/sql/modules/{ids(sql)[1]}/"]

    def test_no_duration_until_it_is_known(self, client, sql):
        assert 'class="duration"' not in client.get("/courses/sql/").content.decode()


class TestOutline:
    def test_every_module_in_order_with_the_current_one_marked(self, client, sql):
        pks = ids(sql)
        html = client.get(f"/courses/sql/modules/{pks[4]}/").content.decode()
        outline = outline_of(html)
        assert links(outline) == [f"/courses/sql/modules/{pk}/" for pk in pks]
        assert links(html, aria_current="page") == [f"/courses/sql/modules/{pks[4]}/"]
        assert "Module 5 of 9" in html
        for unit in ("Unit 1", "Unit 2", "Unit 3"):
            assert f"<h3>{unit}</h3>" in outline

    def test_first_and_last(self, client, sql):
        pks = ids(sql)
        assert "Module 1 of 9" in client.get(f"/courses/sql/modules/{pks[0]}/").content.decode()
        last = client.get(f"/courses/sql/modules/{pks[-1]}/").content.decode()
        assert "Module 9 of 9" in last
        assert links(last, aria_current="page") == [f"/courses/sql/modules/{pks[-1]}/"]

    def test_a_preview_outlines_the_working_copy(self, client, sql):
        services.module_create(unit=sql.units.get(order=1), title="Draft module")
        token, _ = previews.token_for(sql)
        draft = Module.objects.get(title="Draft module")
        html = client.get(f"/preview/{token}/modules/{draft.pk}/").content.decode()
        assert "Module 3 of 10" in html
        assert links(html, aria_current="page") == [f"/preview/{token}/modules/{draft.pk}/"]
        assert len(links(outline_of(html))) == 10
