"""What crawlers read: /robots.txt and the sitemaps of every published course page and module page.

`/sitemap.xml` is the sitemap itself while the catalog fits in one file (50,000 URLs), a sitemap index of
`/sitemap-<n>.xml` files past that. The sitemaps are cached like a list page: under the lists' token in
the learners' cache (a write kills them with the lists) and at the edge under the lists' surrogate key
(catalog.web.middleware.cache.for_the_edge), never kept past the next scheduled switch.
"""

import datetime as dt
import json
from xml.sax.saxutils import escape

from django.http import Http404, HttpResponse
from django.urls import reverse

from catalog import cache, selectors
from catalog.cache import keys
from catalog.origin import absolute
from catalog.selectors import site

XML = "application/xml; charset=utf-8"
HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def robots(request):
    home = reverse("catalog:home")  # the script prefix, when a proxy mounts the catalog under a path
    lines = [
        "User-agent: *",
        *(f"Disallow: {home}{path}/" for path in ("admin", "api", "preview")),
        "",
        f"Sitemap: {absolute(request, reverse('catalog:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def sitemap(request):
    return _cached(request, _index_or_only_file)


def sitemap_file(request, number):
    if not request.path.endswith(f"/sitemap-{number}.xml"):
        raise Http404("Sitemap files are numbered without leading zeros.")  # one cache entry per file
    return _cached(request, lambda req, expires_at: _file(req, number, expires_at))


def _files(request, expires_at) -> list[site.SitemapFile]:
    """Where each file starts and ends. Placing them reads the kept blocks (one row per 100 course ids);
    the placing is cached too (under the lists' token, like the files), so a crawler that reads the index
    and then each file pays for it once per write, and a file's miss reads only its own courses."""
    # The entry's shape is in its name: a process of another release, during a deployment, keeps its own.
    page = cache.page(url=absolute(request, reverse("catalog:sitemap")) + "#files-2", scope=keys.LISTS)
    hit = cache.lookup(page)
    if hit is not None:
        return [site.SitemapFile(n, a, b, dt.datetime.fromisoformat(at), p) for n, a, b, at, p in json.loads(hit.body)]
    files = site.sitemap_files()
    body = json.dumps([[f.number, f.first, f.last, f.lastmod.isoformat(), f.pages] for f in files]).encode()
    cache.store(page, body=body, etag=cache.etag_for(body), expires_at=expires_at)
    return files


def _index_or_only_file(request, expires_at) -> bytes:
    files = _files(request, expires_at)
    if len(files) <= 1:
        return _urlset(request, files[0] if files else None)
    parts = [HEAD, f'<sitemapindex xmlns="{NAMESPACE}">\n'.encode()]
    for file in files:
        loc = escape(absolute(request, reverse("catalog:sitemap-file", args=[file.number])))
        parts.append(f"<sitemap><loc>{loc}</loc><lastmod>{_w3c(file.lastmod)}</lastmod></sitemap>\n".encode())
    parts.append(b"</sitemapindex>\n")
    return b"".join(parts)


def _file(request, number: int, expires_at) -> bytes:
    files = _files(request, expires_at)
    if not 1 <= number <= len(files):
        count = len(files)
        raise Http404(f"There is no sitemap {number}: the catalog has {count} sitemap file{'s' * (count != 1)}.")
    return _urlset(request, files[number - 1])


def _urlset(request, file) -> bytes:
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}">\n']
    if file is not None:
        base = escape(absolute(request, reverse("catalog:home")))
        for slug, module_ids, lastmod in site.sitemap_entries(file):
            course = f"{base}courses/{slug}/"
            tail = f"</loc><lastmod>{lastmod}</lastmod></url>\n"
            parts.append(f"<url><loc>{course}{tail}")
            parts.append("".join(f"<url><loc>{course}modules/{pk}/{tail}" for pk in module_ids))
    parts.append("</urlset>\n")
    return "".join(parts).encode()


def _w3c(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _cached(request, build) -> HttpResponse:
    """The answer from the learners' cache, or built and stored under the tokens read before the build."""
    page = cache.page(url=absolute(request, request.path), scope=keys.LISTS)
    hit = cache.lookup_or_wait(page)
    if hit is not None:
        request.catalog_expires_at = dt.datetime.fromtimestamp(hit.expires, dt.UTC)
        return HttpResponse(hit.body, content_type=XML, headers={"ETag": hit.etag, "X-Cache": "HIT"})
    try:
        expires_at = selectors.next_switch()
        body = build(request, expires_at)
    except BaseException:
        cache.release(page)
        raise
    etag = cache.etag_for(body)
    cache.store(page, body=body, etag=etag, expires_at=expires_at)
    request.catalog_expires_at = expires_at
    return HttpResponse(body, content_type=XML, headers={"ETag": etag, "X-Cache": "MISS"})
