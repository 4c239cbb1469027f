"""Topics' display names, filled for the topics already in use with their slug read as words (the
spelling they were first written in was not kept); editors can correct them in the admin."""

from django.db import migrations, models


def name_existing(apps, schema_editor):
    Course = apps.get_model("catalog", "Course")
    Listing = apps.get_model("catalog", "Listing")
    Topic = apps.get_model("catalog", "Topic")
    slugs = set(Course.objects.values_list("topic", flat=True)) | set(Listing.objects.values_list("topic", flat=True))
    rows = []
    for slug in sorted(s for s in slugs if s):
        words = slug.replace("-", " ").strip()
        rows.append(Topic(slug=slug, name=words[:1].upper() + words[1:]))
    Topic.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0015_search")]

    operations = [
        migrations.CreateModel(
            name="Topic",
            fields=[
                ("slug", models.CharField(max_length=100, primary_key=True, serialize=False)),
                (
                    "name",
                    models.CharField(help_text="How learners see the topic on chips and pages.", max_length=200),
                ),
            ],
            options={"ordering": ["slug"]},
        ),
        migrations.RunPython(name_existing, migrations.RunPython.noop),
    ]
