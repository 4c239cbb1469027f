"""What search engines read on the learner pages: canonical addresses, Open Graph, and a course's JSON-LD.

JSON-LD follows the contract: `"@type": "Course"` with name, description, url, provider (an
Organization named CATALOG_PROVIDER_NAME), inLanguage, and educationalLevel and timeRequired (ISO
8601) when known: the fields Google's course rich results read (name, description and provider are
the ones it requires).
"""

import json
from urllib.parse import urlencode

from django.conf import settings

from catalog.domain import markdown
from catalog.models import canonical_topics
from catalog.origin import absolute

MAX_QUERY_LENGTH = 200
# Inside <script>, "</script>" or "<!--" in a title must not end the element: escape <, > and &.
_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def iso_duration(minutes) -> str | None:
    """90 -> "PT1H30M" (ISO 8601); None when unknown."""
    if not minutes:
        return None
    hours, rest = divmod(int(minutes), 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def course_structured_data(course: dict, url: str) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "name": course["title"],
        # Google requires a description: a course without one is described by its title. The
        # description is Markdown; structured data takes its words.
        "description": markdown.plain(course.get("description")) or course["title"],
        "url": url,
        "provider": {"@type": "Organization", "name": settings.CATALOG_PROVIDER_NAME},
        "inLanguage": course.get("language") or getattr(settings, "CATALOG_DEFAULT_LANGUAGE", "en"),
    }
    if course.get("level"):
        data["educationalLevel"] = course["level"]
    duration = iso_duration(course.get("duration_minutes"))
    if duration:
        data["timeRequired"] = duration
    return data


def json_ld(data: dict) -> str:
    """The text of a <script type="application/ld+json"> element (safe to mark safe)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)


def home_canonical(request) -> str:
    """The catalog page's one address for what it shows: search words, topics in canonical order, page > 1.
    Tracking and unknown parameters are left out, so `?utm_source=x` names the plain catalog."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    params = [("q", query)] if query else []
    params += [("topic", topic) for topic in sorted(canonical_topics(request.GET.getlist("topic")))]
    page = request.GET.get("page", "").strip()
    if page.isdigit() and int(page) > 1:
        params.append(("page", str(int(page))))
    base = absolute(request, request.path)
    return f"{base}?{urlencode(params)}" if params else base
