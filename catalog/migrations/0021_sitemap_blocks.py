"""Kept sitemap blocks (issue 22's "sitemap index at once"): the counted listings, counted once here per
block of course ids; the services keep them from then on (catalog.services.releasing.counts). A block's
lastmod and its resized start as when its newest course went live."""

from django.db import migrations, models

# catalog.domain.sitemaps.BLOCK as of this migration (a migration does not follow the code).
_BLOCK = 100


def count_blocks(apps, schema_editor):
    Listing = apps.get_model("catalog", "Listing")
    SitemapBlock = apps.get_model("catalog", "SitemapBlock")
    blocks = {}
    rows = Listing.objects.filter(counted=True).values_list("course_id", "module_count", "live_from")
    for course_id, modules, live_from in rows.iterator(chunk_size=5000):
        courses, pages, lastmod = blocks.get(course_id // _BLOCK, (0, 0, live_from))
        blocks[course_id // _BLOCK] = (courses + 1, pages + modules + 1, max(lastmod, live_from))
    SitemapBlock.objects.bulk_create(
        [SitemapBlock(block=b, courses=n, pages=p, lastmod=at, resized=at) for b, (n, p, at) in sorted(blocks.items())],
        batch_size=1000,
    )


def uncount(apps, schema_editor):
    apps.get_model("catalog", "SitemapBlock").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0020_site_speed")]

    operations = [
        migrations.CreateModel(
            name="SitemapBlock",
            fields=[
                ("block", models.IntegerField(primary_key=True, serialize=False)),
                ("courses", models.IntegerField(default=0)),
                ("pages", models.BigIntegerField(default=0)),
                ("lastmod", models.DateTimeField()),
                ("resized", models.DateTimeField(null=True)),
            ],
        ),
        migrations.RunPython(count_blocks, uncount),
    ]
