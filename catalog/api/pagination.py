"""Pages of the course list: strict `page` and `page_size`, id-first queries, canonical links."""

import re

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from catalog.cache.routes import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, canonical_list_params, list_url
from catalog.origin import absolute
from catalog.permissions import is_editor
from catalog.selectors.learners import CANDIDATES
from catalog.selectors.paging import CountedPaginator

PAST_THE_END = "Invalid page: there are fewer pages than that."


def positive_int(raw: str, name: str, *, maximum: int | None = None) -> int:
    raw = raw.strip()
    # str.isdigit() also accepts "²" and "①", which int() cannot read.
    if re.fullmatch(r"[0-9]{19,}", raw) and maximum is None:
        raise NotFound(PAST_THE_END)
    if not re.fullmatch(r"[0-9]{1,18}", raw) or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        bound = f" from 1 to {maximum}" if maximum else " of 1 or more"
        raise ValidationError({name: [f"Must be a whole number{bound}."]})
    return int(raw)


def asked_page(query) -> int:
    """The `page` asked for (1 when absent): 400 unless a whole number of 1 or more, 404 past 19 digits."""
    raw = query.get("page", "").strip()
    return positive_int(raw, "page") if raw else 1


def asked_page_size(query) -> int:
    """The `page_size` asked for (DEFAULT_PAGE_SIZE when absent): 400 unless 1 to MAX_PAGE_SIZE."""
    raw = query.get("page_size", "").strip()
    return positive_int(raw, "page_size", maximum=MAX_PAGE_SIZE) if raw else DEFAULT_PAGE_SIZE


def page_link(request, number: int, *, keep_status: bool) -> str:
    """The canonical URL of page `number` of the list `request` asked for."""
    params = canonical_list_params(request.GET, keep_status=keep_status)
    return list_url(absolute(request, request.path), params, page=number)


class CoursePagination(PageNumberPagination):
    """400 on bad values, never a silent default; 404 past the last page."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    count = None  # when known beforehand

    def django_paginator_class(self, queryset, page_size):
        return CountedPaginator(queryset, page_size, count=self.count)

    def get_page_size(self, request):
        return asked_page_size(request.query_params)

    def get_page_number(self, request, paginator):
        return request.query_params.get(self.page_query_param, "").strip() or 1

    def paginate_ids(self, queryset, request, view=None) -> list:
        """The ids of the requested page, in order: an index-only scan however deep the page (or a slice
        of a list of ids: a search's ranked candidates)."""
        asked_page(request.query_params)  # its 400 before the paginator's 404
        ids = queryset if isinstance(queryset, list) else queryset.values_list("pk", flat=True)
        try:
            return list(super().paginate_queryset(ids, request, view))
        except NotFound:
            raise NotFound(PAST_THE_END) from None

    def paginate_queryset(self, queryset, request, view=None):
        ids = self.paginate_ids(queryset, request, view)
        rows = queryset.order_by().in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "1-based page number.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Courses per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        example = "https://catalog.example.org/api/v1/courses/?page={}"
        response["properties"]["next"]["example"] = example.format(4)
        response["properties"]["previous"]["example"] = example.format(2)
        if "Course" not in schema.get("items", {}).get("$ref", ""):
            return response  # only the course list searches
        response["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"Present (true) only on a search that matched more courses than it ranks: "
            f"the {CANDIDATES:,} newest strong matches (title, topic, unit titles) and the {CANDIDATES:,} "
            "newest matches of any kind are ranked and paged, and `count` counts those. "
            "Narrow the search (more words, a topic) to see the others.",
        }
        counted = {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"value": {"type": "string"}, "count": {"type": "integer"}},
                "required": ["value", "count"],
            },
        }
        response["properties"]["facets"] = {
            "type": "object",
            "description": "On a learner's search only: how many of its matches (its ranked candidates when "
            "`count_capped`) are in each topic, level and language, most first.",
            "properties": {"topic": counted, "level": counted, "language": counted},
            "required": ["topic", "level", "language"],
        }
        return response

    def _link(self, number):
        return page_link(self.request, number, keep_status=is_editor(self.request.user))

    def get_next_link(self):
        return self._link(self.page.next_page_number()) if self.page.has_next() else None

    def get_previous_link(self):
        return self._link(self.page.previous_page_number()) if self.page.has_previous() else None
