"""Topics' display names: courses store and filters use the slug (cloud-devops); people read the name."""

from django.db import models

from catalog.models.courses import TITLE_MAX_LENGTH, TOPIC_MAX_LENGTH, normalize_topic


def default_topic_name(slug: str) -> str:
    """A topic as people read it when nobody wrote it otherwise: "cloud-devops" -> "Cloud devops"."""
    words = (slug or "").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def topic_name_problem(slug: str, name: str) -> str | None:
    """Why `name` cannot be the display name of topic `slug`, or None: it must be a spelling of it."""
    if not name:
        return "A topic needs a name."
    if len(name) > TITLE_MAX_LENGTH:
        return f"At most {TITLE_MAX_LENGTH} characters (it has {len(name)})."
    if normalize_topic(name) != slug:
        return (
            f"“{name}” would be the topic {normalize_topic(name) or '(none)'}, not {slug}: a name may change "
            "the spelling only (capitals, spaces, punctuation)."
        )
    return None


class Topic(models.Model):
    """A topic's display spelling ("Cloud & DevOps"): as first written, or as an editor set it in the
    admin. Any spelling of the same slug; a topic without a row reads as default_topic_name()."""

    slug = models.CharField(max_length=TOPIC_MAX_LENGTH, primary_key=True)
    name = models.CharField(max_length=TITLE_MAX_LENGTH, help_text="How learners see the topic on chips and pages.")

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.name
