"""The OpenAPI 3 schema and the interactive docs, served without internet; the schema validates."""

import jsonschema_rs
import pytest
import yaml
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


class TestSchema:
    def test_the_schema_describes_every_endpoint(self, api):
        response = api.get("/api/schema/")
        assert response.status_code == 200
        schema = yaml.safe_load(response.content)
        assert schema["openapi"].startswith("3.")
        paths = schema["paths"]
        assert {"get", "post"} <= set(paths["/api/v1/courses/"])
        assert {"get", "put", "patch", "delete"} <= set(paths["/api/v1/courses/{slug}/"])
        for action in ("publish", "unpublish", "archive", "restore"):
            assert "post" in paths[f"/api/v1/courses/{{slug}}/{action}/"]
        assert "get" in paths["/api/v1/topics/"]
        names = {p["name"] for p in paths["/api/v1/courses/"]["get"]["parameters"]}
        assert {
            "search",
            "topic",
            "status",
            "created_after",
            "created_before",
            "ordering",
            "page",
            "page_size",
        } <= names

    def test_as_json_too(self, api):
        response = api.get("/api/schema/?format=json")
        assert response.status_code == 200 and response.json()["openapi"].startswith("3.")

    def test_the_docs_page_needs_no_internet(self, api):
        response = api.get("/api/docs/")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert "/api/schema/" in page and "swagger-ui" in page
        for outside in ("cdn.", "unpkg", "jsdelivr", "cdnjs", "googleapis", "//fonts."):
            assert outside not in page, outside
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
            src = next(part.split('"')[0] for part in page.split('="') if part.split('"')[0].endswith(asset))
            assert src.startswith("/static/"), src
            assert api.get(src).status_code == 200, src

    def test_learners_read_how_a_capped_search_count_is_said(self, api):
        schema = yaml.safe_load(api.get("/api/schema/").content)
        page = schema["components"]["schemas"]["PaginatedCourseSummaryList"]["properties"]
        assert page["count_capped"]["type"] == "boolean"
        assert "narrow" in page["count_capped"]["description"].lower()

    def test_the_schema_validates_without_warnings(self, tmp_path):
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
        assert "openapi" in yaml.safe_load((tmp_path / "s.yml").read_text())


class TestRecordSchema:
    """Generators validate their files against the record format's JSON Schema before importing."""

    def test_it_is_served_as_json_schema_and_describes_a_record(self, api):
        response = api.get("/api/schema/course-record.json")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/schema+json"
        schema = response.json()
        assert {"slug", "title", "topic", "units", "status"} <= set(schema["properties"])
        assert {"slug", "title", "topic"} <= set(schema["required"])

    def test_what_it_accepts_and_refuses_is_what_the_import_does(self, api):
        validator = jsonschema_rs.validator_for(api.get("/api/schema/course-record.json").json())
        good = {"slug": "intro", "title": "Intro", "topic": "Databases", "units": [{"title": "U", "modules": []}]}
        assert validator.is_valid(good)
        for bad in ({**good, "title": 5}, {k: v for k, v in good.items() if k != "topic"}, {**good, "status": "gone"}):
            assert not validator.is_valid(bad), bad
