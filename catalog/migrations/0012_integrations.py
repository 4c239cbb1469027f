"""Integrations: preview links that can be revoked, and a change-feed entry behind every live course.

The feed's current state carries each course's latest entry id; a course that went live before the
feed existed (migration 0006) has none, so it gets its `published` entry here.
"""

from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone


def backfill_feed(apps, schema_editor):
    Listing = apps.get_model("catalog", "Listing")
    FeedEntry = apps.get_model("catalog", "FeedEntry")
    now = timezone.now()
    followed = FeedEntry.objects.values("course_id")
    live = (
        Listing.objects.filter(Q(live_until__isnull=True) | Q(live_until__gt=now), live_from__lte=now)
        .exclude(course_id__in=followed)
        .select_related("release")
        .order_by("live_from", "id")
    )
    FeedEntry.objects.bulk_create(
        FeedEntry(
            course_id=listing.course_id,
            slug=listing.slug,
            kind="published",
            release=listing.release.number,
            at=listing.live_from,
            summary=listing.summary,
        )
        for listing in live.iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_webhooks"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="preview_generation",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.RunPython(backfill_feed, migrations.RunPython.noop),
    ]
