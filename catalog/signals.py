"""Receivers that mark a course changed on any save or delete; catalog.cache flushes on commit."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import cache
from .models import Course, Module, Unit


@receiver([post_save, post_delete], sender=Course, dispatch_uid="catalog_course_changed")
def course_saved_or_deleted(sender, instance, **kwargs):
    cache.course_changed(slugs=[instance.slug])


@receiver([post_save, post_delete], sender=Unit, dispatch_uid="catalog_unit_changed")
def unit_saved_or_deleted(sender, instance, **kwargs):
    cache.course_changed(course_ids=[instance.course_id])


@receiver([post_save, post_delete], sender=Module, dispatch_uid="catalog_module_changed")
def module_saved_or_deleted(sender, instance, **kwargs):
    cache.course_changed(course_ids=[_course_id_of(instance)])


def _course_id_of(module):
    if Module._meta.get_field("unit").is_cached(module):
        return module.unit.course_id
    return Unit.objects.filter(pk=module.unit_id).values_list("course_id", flat=True).first()
