"""Schemathesis over every operation of the OpenAPI schema, anonymous and as an editor: no 500s."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from config.wsgi import application
from tests.factories import CourseFactory, tree

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def keep_the_test_transaction(direct_wsgi_calls):
    """The app is called directly, not through Django's test client (see direct_wsgi_calls)."""


@pytest.fixture
def catalog():
    CourseFactory(slug="published-one", status="published", units=tree(2, 1))
    CourseFactory(slug="draft-one", units=tree(1))


@pytest.fixture
def editor_token(editor):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=editor).key


# What the contract promises for any input: no 5xx, documented status codes and content types,
# bodies that match the schema. Left out on purpose: a schema-valid request may still break a
# business rule (a duplicate slug: 400), learners' `status` is ignored rather than refused, and
# reads are public, so "accepts invalid auth" does not apply.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)


@schema.parametrize()
@SETTINGS
def test_anonymous(case, catalog):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@SETTINGS
def test_editor(case, catalog, editor_token):
    case.call_and_validate(headers={"Authorization": f"Token {editor_token}"}, checks=CHECKS)
