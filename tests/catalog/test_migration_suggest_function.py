"""Migration 0023: one word's suggestions are one call of catalog_suggest; unapplied, the function is gone,
and applied again it answers as before."""

import pytest
from django.db import connection

from catalog.selectors.suggestions import learner_suggestions
from tests.factories import CourseFactory
from tests.helpers.migrations import latest, migrate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def defined() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = 'catalog_suggest'")
        return cursor.fetchone()[0] == 1


def test_the_function_goes_and_comes_back():
    try:
        CourseFactory(slug="k8s", title="Kubernetes in Production", topic="DevOps", status="published")
        assert defined() and learner_suggestions(text="kube") == [
            {"slug": "k8s", "title": "Kubernetes in Production", "topic": "devops"}
        ]
        migrate([("catalog", "0022_title_words")])
        assert not defined()
        migrate(latest())
        assert defined() and [s["slug"] for s in learner_suggestions(text="kube")] == ["k8s"]
    finally:
        migrate(latest())
