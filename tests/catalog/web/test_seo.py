"""What search engines read: canonical links on CATALOG_BASE_URL, Open Graph, a course's JSON-LD (schema.org
Course as Google's course rich results read it), and a title and description of each page of its own."""

import json
import re

import jsonschema
import pytest

from catalog.models import Module
from catalog.web import seo
from tests.factories import CourseFactory, tree
from tests.helpers.releasing import start_tags

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
BASE = "https://learn.example.org"

# schema.org/Course as Google's course rich results use it: name and description required (Text), provider
# an Organization with a name; the other properties the contract lists, typed as schema.org types them
# (inLanguage a BCP 47 tag, timeRequired an ISO 8601 duration, url a URL). Nothing else.
COURSE_SCHEMA = {
    "type": "object",
    "required": ["@context", "@type", "name", "description", "url", "provider", "inLanguage"],
    "additionalProperties": False,
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "Course"},
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 1},
        "url": {"type": "string", "pattern": "^https?://"},
        "provider": {
            "type": "object",
            "required": ["@type", "name"],
            "additionalProperties": False,
            "properties": {"@type": {"const": "Organization"}, "name": {"type": "string", "minLength": 1}},
        },
        "inLanguage": {"type": "string", "pattern": "^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$"},
        "educationalLevel": {"type": "string", "minLength": 1},
        "timeRequired": {"type": "string", "pattern": "^PT(?=[0-9])([0-9]+H)?([0-9]+M)?$"},
    },
}


@pytest.fixture(autouse=True)
def base(settings):
    settings.CATALOG_BASE_URL = BASE
    settings.CATALOG_PROVIDER_NAME = "Example Academy"


def head(html) -> dict:
    """{"canonical": href, "og:title": content, …, "title": text, "description": content} of a page."""
    found = {"title": re.search(r"<title>(.*?)</title>", html, re.S).group(1)}
    for tag, attrs in start_tags(html):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "canonical":
            found["canonical"] = attrs["href"]
        elif tag == "meta" and attrs.get("property", "").startswith("og:"):
            found[attrs["property"]] = attrs["content"]
        elif tag == "meta" and attrs.get("name") == "description":
            found["description"] = attrs["content"]
    return found


def structured(html) -> list[dict]:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(text) for text in scripts]


@pytest.fixture
def sql():
    return CourseFactory(
        slug="intro-to-sql",
        title="Intro to SQL",
        description="Read and join tables.",
        topic="Databases",
        status="published",
        units=tree(2, 1),
    )


class TestCoursePage:
    def test_canonical_and_open_graph_on_the_configured_base(self, client, sql):
        html = client.get("/courses/intro-to-sql/", HTTP_HOST="localhost").content.decode()
        found = head(html)
        assert found["canonical"] == f"{BASE}/courses/intro-to-sql/"
        assert found["og:url"] == found["canonical"]
        assert found["og:title"] == "Intro to SQL"
        assert found["og:description"] == "Read and join tables."
        assert found["og:type"] == "website"
        assert found["title"] == "Intro to SQL – Course catalog"

    def test_json_ld_course_as_the_contract_lists(self, client, sql):
        [data] = structured(client.get("/courses/intro-to-sql/").content.decode())
        jsonschema.validate(data, COURSE_SCHEMA)
        assert data == {
            "@context": "https://schema.org",
            "@type": "Course",
            "name": "Intro to SQL",
            "description": "Read and join tables.",
            "url": f"{BASE}/courses/intro-to-sql/",
            "provider": {"@type": "Organization", "name": "Example Academy"},
            "inLanguage": "en",
        }

    def test_a_course_without_description_is_described_by_its_title(self, client):
        CourseFactory(slug="bare", title="Bare", description="", status="published", units=tree(1))
        [data] = structured(client.get("/courses/bare/").content.decode())
        jsonschema.validate(data, COURSE_SCHEMA)
        assert data["description"] == "Bare"

    def test_a_title_cannot_close_the_script(self, client):
        title = "SQL </script><script>alert(1)</script> & <!-- more"
        CourseFactory(slug="tricky", title=title, status="published", units=tree(1))
        html = client.get("/courses/tricky/").content.decode()
        [data] = structured(html)
        assert data["name"] == title
        assert html.count("<script") == 1

    @pytest.mark.parametrize(
        ("minutes", "iso"), [(None, None), (0, None), (45, "PT45M"), (60, "PT1H"), (95, "PT1H35M"), (600, "PT10H")]
    )
    def test_time_required_in_iso_8601(self, minutes, iso):
        assert seo.iso_duration(minutes) == iso

    def test_level_and_duration_when_known(self):
        course = {"title": "T", "description": "D", "level": "beginner", "language": "pt-BR", "duration_minutes": 95}
        data = seo.course_structured_data(course, f"{BASE}/courses/t/")
        jsonschema.validate(data, COURSE_SCHEMA)
        assert (data["educationalLevel"], data["inLanguage"], data["timeRequired"]) == ("beginner", "pt-BR", "PT1H35M")
        assert "educationalLevel" not in seo.course_structured_data({"title": "T", "description": ""}, BASE)


class TestModulePage:
    def test_canonical_is_the_plain_module_address(self, client, sql):
        pk = Module.objects.filter(unit__course=sql).order_by("unit__order", "order").first().pk
        found = head(client.get(f"/courses/intro-to-sql/modules/0{pk}/").content.decode())
        assert found["canonical"] == f"{BASE}/courses/intro-to-sql/modules/{pk}/"
        assert found["og:url"] == found["canonical"]
        assert found["title"] == "Module 1.1 – Intro to SQL – Course catalog"
        assert found["description"] == "Module 1.1: module 1 of 3 in Intro to SQL"


class TestListingPages:
    def test_topic_search_and_later_pages_are_titled_and_described_each_their_own(self, client, sql):
        for _ in range(20):
            CourseFactory(status="published", topic="Databases", units=tree(1))
        queries = ({}, {"topic": "Databases"}, {"q": "sql"}, {"page": "2"}, {"topic": "Databases", "page": "2"})
        pages = [head(client.get("/", query).content.decode()) for query in queries]
        titles = [found["title"] for found in pages]
        descriptions = [found["description"] for found in pages]
        assert titles == [
            "Course catalog",
            "Databases courses – Course catalog",
            "Search: sql – Course catalog",
            "Page 2 – Course catalog",
            "Databases courses – Page 2 – Course catalog",
        ]
        assert len(set(descriptions)) == len(descriptions)

    def test_canonical_keeps_what_the_page_shows_and_drops_the_rest(self, client, sql):
        found = head(client.get("/", {"topic": "Databases", "utm_source": "mail", "page": "1"}).content.decode())
        assert found["canonical"] == f"{BASE}/?topic=databases"
        assert head(client.get("/").content.decode())["canonical"] == f"{BASE}/"
