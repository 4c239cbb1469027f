"""Topics' display names: kept as first written, changed by editors (any spelling of the same slug)."""

from django.db import transaction
from django.db.models import Q

from catalog import cache
from catalog.errors import CatalogValidationError
from catalog.models import TITLE_MAX_LENGTH, Course, Topic, normalize_topic, topic_name_problem


def _spelling(text) -> str:
    return " ".join(str(text or "").split())


def topic_names_remember(*, names) -> None:
    """Keep the spelling of topics seen for the first time ("Cloud & DevOps" for cloud-devops); a
    topic that already has a name keeps it. Called with the topics as a write was given them."""
    rows = {}
    for value in names:
        # A cleaned record's topic carries its spelling (catalog.domain.records.WrittenTopic).
        name = _spelling(getattr(value, "written", None) or value)
        slug = normalize_topic(name)
        # Already in normal form ("data-science"): no spelling to keep, the slug's words serve.
        if slug and name != slug and len(name) <= TITLE_MAX_LENGTH:
            rows.setdefault(slug, Topic(slug=slug, name=name))
    if rows:
        known = set(Topic.objects.filter(slug__in=rows).values_list("slug", flat=True))
        Topic.objects.bulk_create([row for slug, row in rows.items() if slug not in known], ignore_conflicts=True)


@transaction.atomic
def topic_rename(*, topic: str, name: str) -> Topic:
    """Set a topic's display name. It must be a spelling of the same topic ("Cloud & DevOps" for
    cloud-devops): filters and addresses use the slug, so a name that means another topic is refused."""
    slug = normalize_topic(topic)
    name = _spelling(name)
    problem = topic_name_problem(slug, name)
    if problem:
        raise CatalogValidationError({"name": [problem]})
    row, _ = Topic.objects.select_for_update().get_or_create(slug=slug, defaults={"name": name})
    if row.name != name:
        row.name = name
        Topic.objects.filter(slug=slug).update(name=name)
    # Chips, lists and the topics list show the name, and so do the pages of this topic's courses.
    ids = Course.objects.filter(Q(topic=slug) | Q(listings__topic=slug)).values_list("pk", flat=True).distinct()
    cache.course_changed(course_ids=list(ids))
    return row
