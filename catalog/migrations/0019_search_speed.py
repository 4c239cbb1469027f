"""The listings' search documents stay in the row (PostgreSQL): a search tests the document of every
listing it walks, and one kept out of line in the TOAST table cost a second lookup each (a listing's
row, with its detail and summary, is over the 2 kB at which PostgreSQL moves its biggest values out).
Storage MAIN keeps them in the row and moves the detail and the module text out instead; the summary,
which every list page reads, stays in the row too. Existing rows are rewritten so their values move.
Nothing changes on SQLite.
"""

from django.db import migrations

INLINE = ("search_vector", "title_vector", "summary")


def _storage(schema_editor, storage: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    columns = ", ".join(f"ALTER COLUMN {name} SET STORAGE {storage}" for name in INLINE)
    schema_editor.execute(f"ALTER TABLE catalog_listing {columns}")
    # A value is placed again only when it is written anew: `|| ''` makes an equal, new one.
    schema_editor.execute(
        "UPDATE catalog_listing SET search_vector = search_vector || ''::tsvector, "
        "title_vector = title_vector || ''::tsvector, summary = summary || ''"
    )


def forward(apps, schema_editor):
    _storage(schema_editor, "MAIN")


def backward(apps, schema_editor):
    _storage(schema_editor, "EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0018_release_slug")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
