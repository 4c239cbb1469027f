"""Editors' time zones: an IANA name checked, and the cookie that carries the browser's."""

import zoneinfo

ZONE_COOKIE = "catalog_tz"
ZONE_COOKIE_AGE = 365 * 24 * 3600


def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The IANA zone `name` (e.g. Europe/Berlin), or None when it is not one."""
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):  # a garbled or unknown name, or a path
        return None
