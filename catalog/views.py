"""Pages for people: the learner catalog and a course page, server-rendered (no JavaScript needed)."""
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .models import normalize_topic
from .selectors import course_list, course_search, course_with_tree, topic_counts

PAGE_SIZE = 20
# These pages show what learners see, whoever is logged in: editors preview drafts in the admin.
LEARNER = AnonymousUser()


def catalog_home(request):
    query = request.GET.get("q", "").strip()[:200]
    selected = sorted({normalize_topic(t) for t in request.GET.getlist("topic")} - {""})
    courses = course_list(user=LEARNER)
    if selected:
        courses = courses.filter(topic__in=selected)
    if query:
        courses = course_search(courses, query)
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))

    def chip_query(topic):
        topics = [t for t in selected if t != topic] if topic in selected else [*selected, topic]
        return urlencode([("q", query)] * bool(query) + [("topic", t) for t in topics])

    topics = [
        {**row, "selected": row["topic"] in selected, "query": chip_query(row["topic"])} for row in topic_counts()
    ]
    base = urlencode([("q", query)] * bool(query) + [("topic", t) for t in selected])
    return render(request, "catalog/home.html", {
        "page": page, "query": query, "topics": topics, "selected_topics": selected,
        "base_query": f"{base}&" if base else "",
    })


def course_page(request, slug):
    course = course_with_tree(user=LEARNER).filter(slug=slug).first()
    if course is None:
        raise Http404("No published course has this address.")
    return render(request, "catalog/course.html", {"course": course})
