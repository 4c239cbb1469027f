"""API tests: shared URLs, record bodies, a snapshot of the catalog's rows (fixtures: conftest.py)."""

from catalog.models import Course, CourseTransition, Listing, Module, Release, Unit

LIST = "/api/v1/courses/"
TOPICS = "/api/v1/topics/"
SUMMARY_KEYS = {
    "id",
    "slug",
    "title",
    "description",
    "topic",
    "status",
    "published_at",
    "created_at",
    "updated_at",
    "unit_count",
    "module_count",
    "level",
    "language",
    "duration_minutes",
}
# Editors' answers show the working copy and add its release state.
EDITOR_KEYS = SUMMARY_KEYS | {"live_release", "has_unpublished_changes"}


def apply_feed(state: dict, entries) -> dict:
    """A follower's copy of the catalog ({slug: summary}) after the change feed's `entries`."""
    for entry in entries:
        if entry["kind"] == "published":
            state[entry["slug"]] = entry["course"]
        else:
            state.pop(entry["slug"], None)
    return state


def detail(slug: str) -> str:
    return f"{LIST}{slug}/"


def slugs(response) -> list[str]:
    """The slugs of a 200 list answer, in order."""
    assert response.status_code == 200, response.content
    return [course["slug"] for course in response.json()["results"]]


def record(**overrides) -> dict:
    """A PUT/POST body in the import's record format (without a slug: the URL names it)."""
    body = {
        "title": "Intro to SQL",
        "topic": "Databases",
        "description": "Learn SQL.",
        "units": [{"title": "Basics", "modules": [{"title": "SELECT"}, {"title": "WHERE"}]}],
    }
    body.update(overrides)
    return body


def catalog_state():
    """Everything a write could change; equal snapshots mean that nothing changed."""
    return (
        list(
            Course.objects.order_by("id").values_list(
                "id",
                "slug",
                "title",
                "description",
                "topic",
                "status",
                "published_at",
                "updated_at",
            )
        ),
        list(Unit.objects.order_by("id").values_list("id", "course_id", "title", "order", "updated_at")),
        list(Module.objects.order_by("id").values_list("id", "unit_id", "title", "order", "content", "updated_at")),
        CourseTransition.objects.count(),
        list(Release.objects.order_by("id").values_list("id", "course_id", "number")),
        list(Listing.objects.order_by("id").values_list("id", "slug", "release_id", "live_from", "live_until")),
    )


def assert_json_error(response, status: int, *names: str):
    """A JSON error answer with this status whose body names each of `names`.

    Without names: a 400 may hold DRF's field errors; any other error must say `detail`.
    """
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body, dict) and body, body
    if not names and status != 400:
        names = ("detail",)
    for name in names:
        assert name in body, (name, body)
        assert body[name], body
    return body
