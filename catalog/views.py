"""Pages for people: the learner catalog and a course page (server-rendered)."""
from django.shortcuts import render

from .selectors import course_list


def catalog_home(request):
    courses = course_list(user=request.user)[:20]
    return render(request, "catalog/home.html", {"courses": courses})
