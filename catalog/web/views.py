"""Pages for people: the learner catalog, a course, a module, and previews of working copies.

Server-rendered, no JavaScript needed. Learners' pages show live releases only (read from the
listings, like the API); whoever is logged in sees what learners see (editors preview in the
admin or through preview links).
"""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse

from catalog import selectors
from catalog.db import replica
from catalog.domain import documents, markdown
from catalog.origin import absolute
from catalog.selectors import previews
from catalog.web import listing


def catalog_home(request):
    return render(request, "catalog/home.html", listing.home_context(request))


def course_page(request, slug):
    course = selectors.learner_course(slug=slug)
    if course is None:
        moved_to = selectors.learner_redirect(slug=slug)
        if moved_to is not None:
            return redirect(absolute(request, reverse("catalog:course", args=[moved_to])), permanent=True)
        # Drafts and archived courses do not exist for learners: 404, never 403.
        raise Http404("No published course has this address.")
    return render(request, "catalog/course.html", _course_context(course, module_url=_module_url(slug)))


def module_page(request, slug, module_id):
    found = selectors.learner_module(slug=slug, module_id=module_id)
    if found is None:
        moved_to = selectors.learner_redirect(slug=slug)
        if moved_to is not None:
            return redirect(absolute(request, reverse("catalog:module", args=[moved_to, module_id])), permanent=True)
        raise Http404("This course has no such module, or is not published.")
    course, module, _switch = found
    return render(
        request, "catalog/module.html", _module_context(course, module, _module_url(slug), f"/courses/{slug}/")
    )


def preview_page(request, token):
    with replica.on_primary():
        course = previews.course_for(token)
        if course is None:
            raise Http404("This preview link is not valid (altered, or expired).")
        detail = previews.working_detail(course)
    context = _course_context(detail, module_url=lambda pk: f"/preview/{token}/modules/{pk}/", preview=True)
    return previews.private(render(request, "catalog/course.html", context))


def preview_module_page(request, token, module_id):
    with replica.on_primary():
        course = previews.course_for(token)
        page = course and documents.module_page(selectors.working_document(course=course), module_id)
        if not page:
            raise Http404("This preview link is not valid, or the working copy has no such module.")
        detail = previews.working_detail(course)
    context = _module_context(detail, page, lambda pk: f"/preview/{token}/modules/{pk}/", f"/preview/{token}/")
    return previews.private(render(request, "catalog/module.html", {**context, "preview": True}))


def _module_url(slug):
    return lambda pk: f"/courses/{slug}/modules/{pk}/"


def _course_context(course: dict, *, module_url, preview=False) -> dict:
    for unit in course["units"]:
        for module in unit["modules"]:
            module["url"] = module_url(module["id"])
    return {"course": course, "topic_query": urlencode([("topic", course["topic"])]), "preview": preview}


def _module_context(course: dict, module: dict, module_url, course_url) -> dict:
    return {
        "course": course,
        "course_url": course_url,
        "module": module,
        "content": markdown.render(module["content"]),
        "previous_url": module_url(module["previous"]) if module["previous"] else None,
        "next_url": module_url(module["next"]) if module["next"] else None,
    }


def favicon(request):
    # Browsers and crawlers ask for /favicon.ico whatever a page's <link rel="icon"> says. Not a
    # permanent redirect: the static file's hashed name changes with each deploy.
    return redirect(static("catalog/favicon.svg"))
