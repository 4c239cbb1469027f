"""No draft or archived course reaches a non-editor, through any URL the project has.

The test walks the URL configuration itself: a new endpoint that is not listed below fails it,
so whoever adds one has to say how learners may (or may not) reach hidden courses through it.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from catalog import services
from catalog.models import Course, Module
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

SECRET = "zanzibarquux"  # in every field of the hidden courses, nowhere else
# Phrases of the hidden courses that no URL below contains (a search page may echo its query).
FORBIDDEN = ["Hidden title", "Hidden description", "Hidden unit", "Hidden module", "Hidden content"]


def hidden_record(slug):
    return {
        "slug": slug,
        "title": f"Hidden title {SECRET}",
        "description": f"Hidden description {SECRET}.",
        "topic": f"{SECRET} topic",
        "units": [
            {
                "title": f"Hidden unit {SECRET}",
                "modules": [{"title": f"Hidden module {SECRET}", "content": f"Hidden content {SECRET}"}],
            }
        ],
    }


@pytest.fixture
def hidden():
    """A draft, an archived course, one published then unpublished, one scheduled to go live later;
    and two published courses whose working copies hold hidden changes: one publishable, one that
    breaks the publish rule (all its units deleted)."""
    CourseFactory(**hidden_record("secret-draft"))
    archived = CourseFactory(**hidden_record("secret-archived"), status=Course.Status.PUBLISHED)
    services.course_archive(course=archived)
    unpublished = CourseFactory(**hidden_record("secret-unpublished"), status=Course.Status.PUBLISHED)
    services.course_unpublish(course=unpublished)
    scheduled = CourseFactory(**hidden_record("secret-scheduled"))
    services.course_schedule(course=scheduled, publish_at=timezone.now() + dt.timedelta(days=1))
    CourseFactory(slug="visible", title="Visible course", topic="Open", status=Course.Status.PUBLISHED, units=tree(1))
    pending = CourseFactory(slug="pending", title="Pending course", topic="Open", status="published", units=tree(1))
    services.course_upsert_tree(record=hidden_record("pending"))  # the working copy only
    broken = CourseFactory(slug="broken", title="Broken course", topic="Open", status="published", units=tree(1))
    services.course_update(course=broken, title=f"Hidden title {SECRET}")
    services.unit_delete(unit=broken.units.get())
    assert pending.listings.exists() and broken.listings.exists()
    return ["secret-draft", "secret-archived", "secret-unpublished", "secret-scheduled"]


# Published courses learners see as released, whose working copies hold the hidden words.
CHANGED = ["pending", "broken"]


def learner_urls(slugs):
    """Every URL a learner can ask for that shows catalog data, with every parameter that selects."""
    lists = [
        "",
        "?page=1",
        "?page_size=100",
        f"?search={SECRET}",
        f"?topic={SECRET}%20topic",
        "?status=draft",
        "?status=archived",
        "?created_after=2000-01-01",
        "?created_before=2999-01-01",
        "?ordering=title",
        "?ordering=-published_at",
        "?ordering=created_at",
        "?format=json",
        "?level=beginner",
        "?language=en",
        "?max_duration=10000",
        "?ordering=duration_minutes",
    ]
    urls = [f"/api/v1/courses/{q}" for q in lists]
    urls += ["/api/v1/topics/", "/api/v1/topics/?format=json"]
    urls += [f"/api/v1/suggest/?q={SECRET}", f"/api/v1/suggest/?q={SECRET[:-1]}", f"/api/v1/suggest/?q={SECRET[:4]}"]
    urls += ["/", f"/?q={SECRET}", f"/?topic={SECRET}%20topic", "/?page=2", "/?topic=open"]
    urls += ["/?level=beginner", "/?language=en", "/?max_duration=10000", "/?sort=title", "/?sort=shortest"]
    urls += ["/robots.txt", "/sitemap.xml", "/sitemap-1.xml"]
    module_ids = list(Module.objects.values_list("id", flat=True))
    for slug in slugs:
        urls += [f"/api/v1/courses/{slug}/", f"/courses/{slug}/", f"/api/v1/courses/{slug}/?format=json"]
        urls += [f"/api/v1/courses/{slug}/{action}/" for action in ("publish", "unpublish", "archive", "restore")]
        urls += [f"/api/v1/courses/{slug}/{action}/" for action in ("discard", "preview", "schedule", "releases")]
        urls += [f"/api/v1/courses/{slug}/{path}" for path in ("releases/1/", "releases/1/revert/", "diff/")]
        urls += [f"/api/v1/courses/{slug}/diff/?from=1&to=draft"]
        for pk in module_ids:
            urls += [f"/api/v1/courses/{slug}/modules/{pk}/", f"/courses/{slug}/modules/{pk}/"]
    urls += ["/preview/forged-token/", "/api/v1/preview/forged-token/", "/preview/forged-token/modules/1/"]
    return urls


# Every route of the URL configuration and how this test covers it.
COVERED = {
    "healthz": "no catalog data",
    "readyz": "no catalog data",
    "admin/": "staff only (tests/catalog/admin/test_courses.py); learners are sent to the login page",
    "api/v1/courses/": "learner_urls",
    "api/v1/courses/<slug>/": "learner_urls",
    "api/v1/courses/<slug>/<transition>/": "learner_urls (POST only; GET is 405)",
    "api/v1/courses/<slug>/<editors only>/": "learner_urls: editors only (401/403)",
    "api/v1/courses/<slug>/<editors only>/<n>/": "learner_urls: editors only (401/403)",
    "api/v1/courses/<slug>/<editors only>/<n>/revert/": "learner_urls: editors only (401/403)",
    "api/v1/courses/<slug>/modules/<id>/": "learner_urls, every module id of every course",
    "courses/<slug>/modules/<id>/": "learner_urls, every module id of every course",
    "api/v1/preview/<token>/": "learner_urls: a forged token; valid ones are editors' (test_previews.py)",
    "preview/<token>/": "learner_urls: a forged token; valid ones are editors' (test_previews.py)",
    "preview/<token>/modules/<id>/": "learner_urls: a forged token; valid ones are editors' (test_previews.py)",
    "api/v1/topics/": "learner_urls",
    "api/v1/suggest/": "learner_urls",
    "api/v1/changes/": "test_the_feed_shows_no_hidden_content (tombstones name courses that were published)",
    "api/schema/": "the schema describes shapes, never data",
    "api/schema/course-record.json": "the record format's JSON Schema: shapes, never data",
    "api/docs/": "static page",
    "api/redoc/": "static page",
    "api/<anything else>": "JSON 404",
    "": "learner_urls",
    "courses/<slug>/": "learner_urls",
    "favicon.ico": "redirect to a static file",
    "robots.txt": "learner_urls",
    "sitemap.xml": "learner_urls",
    "sitemap-<int:number>.xml": "learner_urls",
}


def routes(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if text == "admin/":
                yield text
            else:
                yield from routes(pattern, text)
        elif isinstance(pattern, URLPattern):
            yield text


def normalise(route: str) -> str:
    import re

    route = route.replace("^", "").replace("$", "").replace("\\.(?P<format>[a-z0-9]+)/?", "")
    route = re.sub(r"\(\?P<(pk|slug)>[^)]*\)", "<slug>", route)
    route = route.replace("<slug:slug>", "<slug>")
    route = re.sub(r"<slug>/(publish|unpublish|archive|restore)/", "<slug>/<transition>/", route)
    route = re.sub(r"<slug>/(discard|preview|schedule|releases|diff)/", "<slug>/<editors only>/", route)
    route = re.sub(r"\(\?P<number>[^)]*\)", "<n>", route)
    route = re.sub(r"\(\?P<module_id>[^)]*\)|<int:module_id>", "<id>", route)
    route = route.replace("<str:token>", "<token>")
    return "api/<anything else>" if route == "api/.*" else route


def test_every_route_is_accounted_for():
    found = {normalise(r) for r in routes()}
    assert found == set(COVERED), f"new or removed routes: {found ^ set(COVERED)}"


@pytest.mark.parametrize("who", ["anonymous", "learner (token)", "learner (session)"])
def test_no_hidden_course_reaches_a_non_editor(hidden, who, api, learner_api, client, learner):
    if who == "learner (session)":
        client.force_login(learner)
    requester = {"anonymous": api, "learner (token)": learner_api, "learner (session)": client}[who]
    for url in learner_urls(hidden + CHANGED):
        writes = ("/publish/", "/restore/", "/discard/", "/preview/", "/revert/")
        for method in ("get", "post") if any(w in url for w in writes) else ("get",):
            response = getattr(requester, method)(url)
            leaked = [p for p in FORBIDDEN if p.encode() in response.content]
            if SECRET not in url:
                leaked += [SECRET] * (SECRET.encode() in response.content)
            assert not leaked, f"{method.upper()} {url} leaked a hidden course: {leaked}"
            for slug in hidden:
                assert slug.encode() not in response.content, f"{method.upper()} {url} named {slug}"
            assert response.status_code < 500, url
    # Counts, facets and totals are the visible courses' alone.
    assert api.get("/api/v1/courses/").json()["count"] == 3
    assert api.get("/api/v1/topics/").json() == [{"topic": "open", "name": "Open", "course_count": 3}]
    assert [api.get(f"/api/v1/courses/{s}/").json()["title"] for s in CHANGED] == ["Pending course", "Broken course"]
    assert {r.status_code for r in (requester.get(f"/api/v1/courses/{s}/") for s in hidden)} == {404}
    assert {r.status_code for r in (requester.get(f"/courses/{s}/") for s in hidden)} == {404}
    # A learner cannot publish one either (nothing changed).
    assert Course.objects.filter(slug__in=hidden, status=Course.Status.PUBLISHED).count() == 0


def test_editors_do_see_them_so_the_secret_is_findable(hidden, editor_api):
    # The test above could pass because the data was never there; it is, for editors.
    body = editor_api.get(f"/api/v1/courses/?search={SECRET}&status=draft").content
    assert SECRET.encode() in body
    assert editor_api.get("/api/v1/courses/secret-archived/").status_code == 200


def test_the_feed_shows_no_hidden_content(hidden, api):
    """The feed names a course only while learners can see it, or in the tombstone of its leaving."""
    entries, cursor = [], None
    while True:
        body = api.get("/api/v1/changes/", {"cursor": cursor} if cursor else {}).json()
        entries += body["results"]
        cursor = body["next"]
        if not body["has_more"]:
            break
    text = str(entries)
    assert not [p for p in [*FORBIDDEN, SECRET] if p in text]
    published = {e["slug"] for e in entries if e["kind"] == "published"}
    assert published == {"visible", *CHANGED}
    assert {e["slug"] for e in entries if e["kind"] == "removed"} <= {"secret-archived", "secret-unpublished"}
