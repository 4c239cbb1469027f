"""Receivers that mark a course changed when what learners see of it changes; catalog.cache flushes on commit.

Learners read listings only, so a listing saved or deleted (publish, withdrawal, a new address,
a course deleted with its listings) is what invalidates; the working copy changes nothing for them.
Services that write listings in bulk (which sends no signals) mark the courses themselves.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalog import cache
from catalog.models import Listing


@receiver([post_save, post_delete], sender=Listing, dispatch_uid="catalog_listing_changed")
def listing_saved_or_deleted(sender, instance, **kwargs):
    cache.course_changed(slugs=[instance.slug])
