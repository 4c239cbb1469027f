"""Kept facet counts (issue 22's numbers): the counted listings, counted once here per topic, level,
language and duration range; the services keep them from then on (catalog.services.releasing.counts).
And an index the sitemap's placing of files reads alone (PostgreSQL; SQLite builds it without INCLUDE)."""

from collections import Counter

from django.db import migrations, models

# catalog.domain.facets.DURATION_RANGES as of this migration (a migration does not follow the code).
_LIMITS = (60, 180, 600)


def _span(minutes):
    if minutes is None:
        return -1
    return next((limit for limit in _LIMITS if minutes <= limit), 0)


def count_facets(apps, schema_editor):
    Listing = apps.get_model("catalog", "Listing")
    FacetCount = apps.get_model("catalog", "FacetCount")
    spans = Counter()
    rows = Listing.objects.filter(counted=True).values_list("topic", "level", "language", "duration_minutes")
    for (topic, level, language, minutes), n in Counter(rows.iterator(chunk_size=5000)).items():
        spans[(topic, level or "", language, _span(minutes))] += n
    FacetCount.objects.bulk_create(
        [FacetCount(topic=t, level=lv, language=lg, span=s, courses=n) for (t, lv, lg, s), n in sorted(spans.items())],
        batch_size=1000,
    )


def uncount(apps, schema_editor):
    apps.get_model("catalog", "FacetCount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0019_search_speed")]

    operations = [
        migrations.CreateModel(
            name="FacetCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("topic", models.CharField(max_length=100)),
                ("level", models.CharField(blank=True, default="", max_length=12)),
                ("language", models.CharField(max_length=35)),
                ("span", models.IntegerField()),
                ("courses", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("topic", "level", "language", "span"), name="facet_count_key")
                ],
            },
        ),
        migrations.RunPython(count_facets, uncount),
        migrations.AddIndex(
            model_name="listing",
            index=models.Index(
                fields=["course", "live_from"], include=("live_until", "module_count"), name="listing_sitemap"
            ),
        ),
    ]
