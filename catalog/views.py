"""Pages for people: the learner catalog and a course page, server-rendered (no JavaScript needed)."""

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static

from .models import canonical_topics
from .selectors import course_list, course_search, course_with_tree, topic_counts

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
MAX_TOPICS = 20
# These pages show what learners see, whoever is logged in: editors preview drafts in the admin.
LEARNER = AnonymousUser()


def _page(paginator: Paginator, number):
    """The requested page; anything that is not one (abc, 0, -1, past the end) shows page 1."""
    try:
        return paginator.page(number or 1)
    except InvalidPage:
        return paginator.page(1)


def catalog_home(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    selected = canonical_topics(request.GET.getlist("topic"), limit=MAX_TOPICS)
    courses = course_list(user=LEARNER)
    if selected:
        courses = courses.filter(topic__in=selected)
    if query:
        courses = course_search(courses, query)
    page = _page(Paginator(courses, PAGE_SIZE), request.GET.get("page"))

    def query_string(topics):
        return urlencode([("q", query)] * bool(query) + [("topic", t) for t in topics])

    # Each chip toggles its topic and keeps the search words and the other selected topics.
    topics = [
        {
            **row,
            "selected": row["topic"] in selected,
            "query": query_string(sorted(set(selected) ^ {row["topic"]})),
        }
        for row in topic_counts()
    ]
    base = query_string(selected)
    return render(
        request,
        "catalog/home.html",
        {
            "page": page,
            "query": query,
            "topics": topics,
            "selected_topics": selected,
            "clear_topics_query": query_string([]),
            "base_query": f"{base}&" if base else "",
        },
    )


def course_page(request, slug):
    course = course_with_tree(user=LEARNER).filter(slug=slug).first()
    if course is None:
        # Drafts and archived courses do not exist for learners: 404, never 403.
        raise Http404("No published course has this address.")
    return render(
        request,
        "catalog/course.html",
        {
            "course": course,
            "topic_query": urlencode([("topic", course.topic)]),
        },
    )


def favicon(request):
    # Browsers and crawlers ask for /favicon.ico whatever a page's <link rel="icon"> says. Not a
    # permanent redirect: the static file's hashed name changes with each deploy.
    return redirect(static("catalog/favicon.svg"))
