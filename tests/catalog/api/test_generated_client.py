"""A client generated from /api/schema/ by openapi-python-client parses every real answer of every
endpoint into its typed models: the schema and the code cannot drift apart.

Each row of CALLS is one real request (who sends it, the generated operation, its arguments, the
status it must get); a new endpoint or answer is one row. Every answer must: have a status the
schema declares (the client raises otherwise), parse into the declared model, carry no key the
schema does not declare, and validate against the declared JSON Schema (schemathesis' check).
"""

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from catalog import selectors, services
from catalog.models import Module
from catalog.selectors import previews
from config.wsgi import application
from tests.factories import CourseFactory, tree
from tests.helpers.generated_client import GeneratedClient, undeclared_keys

pytestmark = [pytest.mark.django_db]

RECORD = {"title": "Intro to SQL", "topic": "Databases", "units": [{"title": "Basics", "modules": [{"title": "A"}]}]}
STALE = '"0000000000000000"'


@dataclasses.dataclass(frozen=True)
class Call:
    name: str
    who: str  # anonymous, learner (no permission), creator (add_course only), editor
    operation: str  # the generated module, i.e. the schema's operationId
    status: int
    kwargs: Callable[[Any], dict] = lambda c: {}


def pub(**more):
    return lambda c: {"slug": c.published, **more}


def draft(**more):
    return lambda c: {"slug": c.draft, **more}


CALLS = [
    # learners' reads
    Call("list", "anonymous", "v1_courses_list", 200),
    Call("list page 2", "anonymous", "v1_courses_list", 200, lambda c: {"page": 2, "page_size": 1}),
    Call("list search", "anonymous", "v1_courses_list", 200, lambda c: {"search": "sql"}),
    Call("list filtered", "learner", "v1_courses_list", 200, lambda c: {"topic": ["Databases"], "ordering": "title"}),
    Call("list bad ordering", "anonymous", "v1_courses_list", 400, lambda c: {"ordering": "colour"}),
    Call("list past the end", "anonymous", "v1_courses_list", 404, lambda c: {"page": 99}),
    Call("detail", "anonymous", "v1_courses_retrieve", 200, pub()),
    Call("detail of an old slug", "anonymous", "v1_courses_retrieve", 301, lambda c: {"slug": "old-sql"}),
    Call("detail of a draft", "anonymous", "v1_courses_retrieve", 404, draft()),
    Call(
        "module",
        "anonymous",
        "v1_courses_modules_retrieve",
        200,
        lambda c: {"slug": c.published, "module_id": c.module},
    ),
    Call(
        "no such module",
        "anonymous",
        "v1_courses_modules_retrieve",
        404,
        lambda c: {"slug": c.published, "module_id": 1},
    ),
    Call("topics", "anonymous", "v1_topics_list", 200),
    Call("suggest", "anonymous", "v1_suggest_retrieve", 200, lambda c: {"q": "intro sq"}),
    Call("suggest too long", "anonymous", "v1_suggest_retrieve", 400, lambda c: {"q": "a" * 201}),
    Call("feed", "anonymous", "v1_changes_retrieve", 200, lambda c: {"limit": 1}),
    Call("feed with cursor", "anonymous", "v1_changes_retrieve", 200, lambda c: {"cursor": c.cursor}),
    Call("feed bad cursor", "anonymous", "v1_changes_retrieve", 400, lambda c: {"cursor": "nonsense"}),
    Call("preview", "anonymous", "v1_preview_retrieve", 200, lambda c: {"token": c.preview}),
    Call("preview altered", "anonymous", "v1_preview_retrieve", 404, lambda c: {"token": c.preview + "x"}),
    # editors' reads
    Call("editor list", "editor", "v1_courses_list", 200, lambda c: {"status": "draft"}),
    Call("editor detail", "editor", "v1_courses_retrieve", 200, draft()),
    Call(
        "editor module",
        "editor",
        "v1_courses_modules_retrieve",
        200,
        lambda c: {"slug": c.published, "module_id": c.module},
    ),
    Call("releases", "editor", "v1_courses_releases_list", 200, pub()),
    Call("releases, learner", "learner", "v1_courses_releases_list", 403, pub()),
    Call("releases, anonymous", "anonymous", "v1_courses_releases_list", 401, pub()),
    Call("release", "editor", "v1_courses_releases_retrieve", 200, pub(number=1)),
    Call("no such release", "editor", "v1_courses_releases_retrieve", 404, pub(number=9)),
    Call("diff", "editor", "v1_courses_diff_retrieve", 200, pub(to="1")),
    Call("bad diff", "editor", "v1_courses_diff_retrieve", 400, pub(from_="nope")),
    Call("schedule", "editor", "v1_courses_schedule_retrieve", 200, pub()),
    # writes
    Call("create", "editor", "v1_courses_create", 201, lambda c: {"body": {**RECORD, "slug": "new-one"}}),
    Call("create, learner", "learner", "v1_courses_create", 403, lambda c: {"body": {**RECORD, "slug": "new-one"}}),
    Call("create, anonymous", "anonymous", "v1_courses_create", 401, lambda c: {"body": {**RECORD, "slug": "n"}}),
    Call("create a taken slug", "editor", "v1_courses_create", 400, lambda c: {"body": {**RECORD, "slug": c.draft}}),
    Call("put new", "editor", "v1_courses_update", 201, lambda c: {"slug": "put-new", "body": RECORD}),
    Call("put existing", "editor", "v1_courses_update", 200, draft(body=RECORD)),
    Call("put a bad record", "editor", "v1_courses_update", 400, draft(body={**RECORD, "title": ""})),
    Call("put stale", "editor", "v1_courses_update", 412, draft(body=RECORD, if_match=STALE)),
    Call(
        "put, creator publishing",
        "creator",
        "v1_courses_update",
        403,
        lambda c: {"slug": "x", "body": {**RECORD, "status": "published"}},
    ),
    Call("patch", "editor", "v1_courses_partial_update", 200, draft(body={"title": "Renamed"})),
    Call("patch unknown", "editor", "v1_courses_partial_update", 404, lambda c: {"slug": "nothing", "body": {}}),
    Call("delete", "editor", "v1_courses_destroy", 204, draft()),
    Call("publish", "editor", "v1_courses_publish_create", 200, lambda c: {"slug": c.publishable}),
    Call("publish refused", "editor", "v1_courses_publish_create", 409, draft()),
    Call("unpublish", "editor", "v1_courses_unpublish_create", 200, pub()),
    Call("archive", "editor", "v1_courses_archive_create", 200, pub()),
    Call("restore refused", "editor", "v1_courses_restore_create", 409, pub()),
    Call("restore", "editor", "v1_courses_restore_create", 200, lambda c: {"slug": "archived-one"}),
    Call("discard", "editor", "v1_courses_discard_create", 200, pub()),
    Call("discard refused", "editor", "v1_courses_discard_create", 409, draft()),
    Call("revert", "editor", "v1_courses_releases_revert_create", 200, pub(number=1)),
    Call("preview link", "editor", "v1_courses_preview_create", 201, pub()),
    Call("revoke preview links", "editor", "v1_courses_preview_destroy", 204, pub()),
    Call("schedule", "editor", "v1_courses_schedule_update", 200, pub(body={"unpublish_at": "2999-01-01T00:00:00Z"})),
    Call(
        "schedule in the past",
        "editor",
        "v1_courses_schedule_update",
        400,
        pub(body={"unpublish_at": "2000-01-01T00:00:00Z"}),
    ),
    Call("schedule cancelled", "editor", "v1_courses_schedule_destroy", 200, pub()),
]


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return GeneratedClient(_jsonable(schema), tmp_path_factory.mktemp("client"))


def _jsonable(schema):
    import json

    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


@pytest.fixture(autouse=True)
def keep_the_test_transaction(direct_wsgi_calls):
    """The app is called directly, not through Django's test client (see direct_wsgi_calls)."""


@dataclasses.dataclass
class Catalog:
    published: str
    draft: str
    publishable: str
    module: int
    preview: str
    cursor: str


@pytest.fixture
def catalog():
    sql = CourseFactory(slug="old-sql", title="Intro to SQL", topic="Databases", status="published", units=tree(2, 1))
    services.course_update(course=sql, slug="sql")
    services.course_publish(course=sql)
    services.course_update(course=sql, title="SQL, second edition")
    CourseFactory(slug="web", topic="Web", status="published")
    CourseFactory(slug="draft-one")
    CourseFactory(slug="ready", units=tree(1))
    CourseFactory(slug="archived-one", status="archived")
    return Catalog(
        published="sql",
        draft="draft-one",
        publishable="ready",
        module=Module.objects.filter(unit__course__slug="sql").values_list("id", flat=True).first(),
        preview=previews.token_for(sql)[0],
        cursor=selectors.feed_page(cursor=None, limit=1000)["next"],
    )


@pytest.fixture
def tokens(editor, learner, django_user_model):
    creator = django_user_model.objects.create_user(username="creator", password="pw-creator-1")
    creator.user_permissions.add(Permission.objects.get(codename="add_course"))
    users = {"editor": editor, "learner": learner, "creator": creator}
    return {who: Token.objects.create(user=user).key for who, user in users.items()} | {"anonymous": None}


@pytest.mark.parametrize("call", CALLS, ids=[c.name for c in CALLS])
def test_every_answer_parses_into_the_declared_models(generated, catalog, tokens, call):
    client = generated.client(application, tokens[call.who])
    response = generated.call(client, call.operation, **call.kwargs(catalog))
    assert response.status_code == call.status, response.content[:500]
    if response.content:
        assert response.parsed is not None, (call.status, response.content[:300])
        assert undeclared_keys(response.parsed, generated.schema) == [], response.content[:500]


def test_every_operation_and_its_success_is_called(generated):
    """A new endpoint fails here until CALLS has a row for it (and for its success)."""
    called = {(c.operation, c.status) for c in CALLS}
    for operation, (path, method) in generated.operations.items():
        declared = generated.schema["paths"][path][method.lower()]["responses"]
        success = min(int(code) for code in declared if code.startswith("2"))
        assert (operation, success) in called, f"add a row to CALLS for {operation} answering {success}"


def test_error_bodies_are_typed(generated):
    """A 400 parses into the field errors model, every other error into `Error` ({"detail": …})."""
    for operation, (path, method) in generated.operations.items():
        for code, answer in generated.schema["paths"][path][method.lower()]["responses"].items():
            if code.startswith(("4", "5")):
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/FieldErrors" if code == "400" else "/Error"), (operation, code, ref)
