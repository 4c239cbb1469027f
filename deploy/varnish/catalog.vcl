vcl 4.1;
# The course catalog's edge cache (Varnish 7 with the xkey vmod of varnish-modules): docs/deploy.md.
#
# Caches what learners read (the API's reads, the pages, sitemap.xml) for as long as each answer says
# (Surrogate-Control: max-age, never past the next scheduled switch) and forgets it when a write purges
# one of its surrogate keys (the `xkey` header), before the write returns. Everything else passes:
# requests with credentials (Authorization, a session or CSRF cookie), writes, /admin/, preview links,
# /metrics and the health checks. When the web servers or the database are down, what it holds keeps
# being served (grace), so learners can still browse.
#
#   varnishd -a :80 -f /etc/varnish/catalog.vcl -s malloc,1G
#
# backend.vcl, beside this file (or in vcl_path), is the operator's:
#   backend default { .host = "127.0.0.1"; .port = "8000"; }
# several web servers: a director named `default`'s backends (docs/deploy.md shows one).

import std;
import var;
import xkey;

include "backend.vcl";

# Who may purge: the web servers and whatever runs writes (imports, catalog_tick, the worker).
# Loopback only as shipped: add your web servers' addresses or network (docs/deploy.md).
acl purgers {
    "localhost";
    "127.0.0.1";
    "::1";
    # more purgers: the web servers' addresses or network (docker-compose.yml puts its network here)
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey) {
            return (synth(400, "Name the surrogate keys to purge in the xkey header"));
        }
        # Fetches that started before now may carry what this purge is about: they must not be kept.
        var.global_set("catalog.purged_at", "" + std.time2real(now, 0.0));
        set req.http.X-Purged = xkey.purge(req.http.xkey);
        return (synth(200, "Purged " + req.http.X-Purged));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(sessionid|csrftoken)=") {
        return (pass);  # an editor, a logged-in user, a machine client: never from or into the cache
    }
    if (req.url ~ "^/(admin|preview|healthz|readyz|metrics)(/|\?|$)" || req.url ~ "^/api/v1/preview/") {
        return (pass);
    }
    # Other cookies (analytics, a front-end's own) change nothing the catalog answers.
    unset req.http.Cookie;
    set req.url = std.querysort(req.url);
    var.set("catalog.lookup", "1");
    if (req.http.X-Catalog-Stale && req.restarts > 0) {
        # The web servers failed this request: whatever copy is held, however old, beats an error.
        set req.grace = 24h;
    } elsif (std.healthy(req.backend_hint)) {
        # Fresh copies only: one past its time may have outlived a scheduled switch.
        set req.grace = 0s;
    } else {
        set req.grace = 24h;  # a probe says the web servers are down (docs/deploy.md: probes)
    }
    return (hash);
}

sub vcl_backend_fetch {
    var.set_real("catalog.fetched_at", std.time2real(now, 0.0));
}

sub vcl_backend_response {
    if (beresp.status >= 500) {
        if (bereq.is_bgfetch || !bereq.http.X-Catalog-Stale) {
            return (abandon);  # keep the copy held; the client side serves it stale (vcl_synth)
        }
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # The app's own X-Cache says where it found the answer when this copy was filled: true now, not later.
    set beresp.http.X-Catalog-Origin-Cache = beresp.http.X-Cache;
    unset beresp.http.X-Cache;
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (!beresp.http.Surrogate-Control || beresp.http.Set-Cookie || beresp.http.Surrogate-Control ~ "no-store") {
        # Only what the app marks for the edge is kept.
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    set beresp.ttl = std.duration(
        regsub(beresp.http.Surrogate-Control, "^.*\bmax-age=([0-9]+).*$", "\1s"), 0s);
    if (std.real(var.global_get("catalog.purged_at"), 0.0) >= var.get_real("catalog.fetched_at")) {
        # A write purged while this was being fetched: it may hold what the write replaced.
        set beresp.ttl = 0s;
    }
    if (beresp.ttl <= 0s) {
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    set beresp.grace = 24h;  # served only when the web servers fail (vcl_recv)
    unset beresp.http.Surrogate-Control;
    return (deliver);
}

sub vcl_backend_error {
    if (bereq.is_bgfetch || !bereq.http.X-Catalog-Stale) {
        return (abandon);
    }
    set beresp.http.Content-Type = "application/json";
    set beresp.http.Retry-After = "5";
    synthetic({"{"detail": "The catalog cannot be reached just now; try again in a few seconds." }"});
    return (deliver);
}

sub vcl_synth {
    if (resp.status == 503 && req.restarts == 0 && var.get("catalog.lookup") == "1") {
        # The fetch failed (web servers or database down): look again, taking any copy held.
        set req.http.X-Catalog-Stale = "1";
        return (restart);
    }
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain";
        synthetic(resp.reason);
        return (deliver);
    }
}

sub vcl_deliver {
    # Honest at the edge: a copy it holds is a hit whatever the app said when it was filled; a fetch
    # says what the app did just now.
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
        set resp.http.X-Edge-Cache = "HIT";
        if (obj.ttl <= 0s) {
            set resp.http.X-Edge-Cache = "STALE";  # grace: the web servers are down
        }
    } else {
        set resp.http.X-Cache = resp.http.X-Catalog-Origin-Cache;
        set resp.http.X-Edge-Cache = "MISS";
        if (req.is_hitpass || var.get("catalog.lookup") != "1") {
            set resp.http.X-Edge-Cache = "PASS";
        }
    }
    if (!resp.http.X-Cache) {
        unset resp.http.X-Cache;
    }
    unset resp.http.X-Catalog-Origin-Cache;
    unset resp.http.xkey;
    unset resp.http.Surrogate-Control;
}
