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
from django.utils.text import Truncator

from catalog import selectors
from catalog.db import replica
from catalog.domain import documents, markdown, outline
from catalog.origin import absolute
from catalog.selectors import previews, site
from catalog.web import listing, reading, seo


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
    context = _course_context(course, module_url=_module_url(slug))
    url = absolute(request, reverse("catalog:course", args=[slug]))
    context.update(canonical_url=url, json_ld=seo.json_ld(seo.course_structured_data(course, url)))
    return render(request, "catalog/course.html", context)


def module_page(request, slug, module_id):
    found = site.learner_module_page(slug=slug, module_id=module_id)
    if found is None:
        moved_to = selectors.learner_redirect(slug=slug)
        if moved_to is not None:
            return redirect(absolute(request, reverse("catalog:module", args=[moved_to, module_id])), permanent=True)
        raise Http404("This course has no such module, or is not published.")
    course, module, course_outline, _switch = found
    context = _module_context(course, module, _module_url(slug), f"/courses/{slug}/", course_outline)
    context["canonical_url"] = absolute(request, reverse("catalog:module", args=[slug, module["id"]]))
    return render(request, "catalog/module.html", context)


def preview_page(request, token):
    with replica.on_primary():
        course = previews.course_for(token)
        if course is None:
            raise Http404("This preview link is not valid (altered, or expired).")
        detail = previews.working_detail(course)
    context = _course_context(detail, module_url=_preview_module_url(token), preview=True)
    return previews.private(render(request, "catalog/course.html", context))


def preview_module_page(request, token, module_id):
    with replica.on_primary():
        course = previews.course_for(token)
        page = course and documents.module_page(selectors.working_document(course=course), module_id)
        if not page:
            raise Http404("This preview link is not valid, or the working copy has no such module.")
        detail = previews.working_detail(course)
    module_url = _preview_module_url(token)
    context = _module_context(
        detail, page, module_url, f"/preview/{token}/", outline.module_outline(detail, page["id"])
    )
    return previews.private(render(request, "catalog/module.html", {**context, "preview": True}))


def _module_url(slug):
    return lambda pk: f"/courses/{slug}/modules/{pk}/"


def _preview_module_url(token):
    return lambda pk: f"/preview/{token}/modules/{pk}/"


def _course_context(course: dict, *, module_url, preview=False) -> dict:
    for unit in course["units"]:
        for module in unit["modules"]:
            module["url"] = module_url(module["id"])
    first = outline.first_module_id(course)
    return {
        "course": course,
        "description": Truncator(markdown.plain(course["description"]) or course["title"]).words(30),
        "topic_query": urlencode([("topic", course["topic"])]),
        "preview": preview,
        "start_url": module_url(first) if first else None,
    }


def _module_context(course: dict, module: dict, module_url, course_url, course_outline: dict) -> dict:
    for unit in course_outline["units"]:
        for entry in unit["modules"]:
            entry["url"] = module_url(entry["id"])
    return {
        "course": course,
        "course_url": course_url,
        "module": module,
        "outline": course_outline,
        "content": reading.scroll_boxes(markdown.render(module["content"])),
        "previous_url": module_url(module["previous"]) if module["previous"] else None,
        "next_url": module_url(module["next"]) if module["next"] else None,
    }


def favicon(request):
    # Browsers and crawlers ask for /favicon.ico whatever a page's <link rel="icon"> says. Not a
    # permanent redirect: the static file's hashed name changes with each deploy.
    return redirect(static("catalog/favicon.svg"))
