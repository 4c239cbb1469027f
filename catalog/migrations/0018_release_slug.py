"""The slug is part of a release: each release keeps the address it goes live at."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_slugs(apps, schema_editor):
    Release = apps.get_model("catalog", "Release")
    Listing = apps.get_model("catalog", "Listing")
    Course = apps.get_model("catalog", "Course")
    # A listed release serves the address its listing has; any other one the course's current slug.
    listed = Listing.objects.filter(release=OuterRef("pk")).values("slug")[:1]
    Release.objects.filter(listings__isnull=False).update(slug=Subquery(listed))
    current = Course.objects.filter(pk=OuterRef("course_id")).values("slug")[:1]
    Release.objects.filter(slug="").update(slug=Subquery(current))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0017_course_metadata")]

    operations = [
        migrations.AddField(
            model_name="release",
            name="slug",
            field=models.CharField(blank=True, db_default="", default="", max_length=100),
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
    ]
