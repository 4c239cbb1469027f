"""An import's new courses get their search documents in bulk (catalog.services.importing.creating): the
same documents as a course written one at a time gets."""

import pytest
from django.db import connection

from tests.helpers.commands import course, run_import, write_jsonl

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]

UNITS = [
    {"title": "Beans", "modules": [{"title": "Roasting", "content": "Crème of the crop: how dark to roast."}]},
    {"title": "Machines", "modules": [{"title": "Pumps", "content": "Nine bars of pressure."}, {"title": "Steam"}]},
]


def records(suffix: str = "") -> list[dict]:
    return [
        course(f"cafe{suffix}", title="Café culture", description="Brewing espresso at home", topic="Food & Drink",
               units=UNITS),
        course(f"quokka{suffix}", title="Quokka care", description="Smiles", topic="Zoology", status="draft",
               units=UNITS[1:]),
    ]  # fmt: skip


def documents(*slugs: str) -> list[tuple]:
    """Each course's search document, and its listing's documents (None for a draft), as text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.search_vector::text, l.search_vector::text, l.title_vector::text "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS s(slug, n) JOIN catalog_course c ON c.slug = s.slug "
            "LEFT JOIN catalog_listing l ON l.course_id = c.id ORDER BY s.n",
            [list(slugs)],
        )
        return cursor.fetchall()


def test_the_documents_are_those_of_a_course_written_alone(tmp_path):
    assert run_import(write_jsonl(tmp_path, records()))[0] == 0  # a file of several new courses: in bulk
    for record in records("-alone"):  # one record a file: planned and written one at a time
        assert run_import(write_jsonl(tmp_path, [record], name=f"{record['slug']}.jsonl"))[0] == 0
    bulk, alone = documents("cafe", "quokka"), documents("cafe-alone", "quokka-alone")
    assert bulk == alone
    cafe, quokka = bulk
    assert "'cafe':1A" in cafe[0] and "'creme'" in cafe[0] and "'pressur'" in cafe[0]  # accents gone, content in
    assert cafe[1] == cafe[0] and "'bean':" in cafe[2] and "'pressur'" not in cafe[2]
    assert quokka[0] and quokka[1:] == (None, None)  # a draft has no listing
