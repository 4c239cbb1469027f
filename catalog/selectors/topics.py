"""Topics' display names (catalog.models.Topic), with the slug read as words for a topic without one."""

from django.db.models import Count, F, OuterRef, Subquery

from catalog.models import Course, Topic, default_topic_name


def topic_names(*, slugs=None) -> dict[str, str]:
    """{slug: display name} for these topics (all known ones when None)."""
    rows = Topic.objects.all() if slugs is None else Topic.objects.filter(slug__in=list(slugs))
    names = dict(rows.values_list("slug", "name"))
    for slug in slugs or ():
        names.setdefault(slug, default_topic_name(slug))
    return names


def topic_suggestions(*, limit: int = 500) -> list[tuple[str, str]]:
    """(slug, name) of known topics, for the admin's topic field to suggest: most used first."""
    used = Course.objects.filter(topic=OuterRef("slug")).values("topic").annotate(n=Count("pk")).values("n")
    rows = Topic.objects.annotate(used=Subquery(used)).order_by(F("used").desc(nulls_last=True), "slug")[:limit]
    return [(row.slug, row.name) for row in rows]
