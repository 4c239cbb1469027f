"""Operate the learners' cache: `catalog_cache stats` and `catalog_cache clear`."""

import json as _json

from django.core.management.base import BaseCommand, CommandError

from catalog import cache


class Command(BaseCommand):
    help = "Show the learners' cache statistics (stats) or drop every cached page (clear)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["stats", "clear"])
        parser.add_argument("--json", action="store_true", help="stats as one JSON object")

    def handle(self, *args, action, **options):
        try:
            if action == "clear":
                cache.clear()
                self.stdout.write("Cleared every catalog cache entry.")
                return
            stats = cache.stats()
        except Exception as exc:  # noqa: BLE001 - a dead Redis is the operator's news, not a traceback
            raise CommandError(f"cache unreachable: {type(exc).__name__}: {exc}") from exc
        if options["json"]:
            self.stdout.write(_json.dumps(stats))
            return
        for key, value in stats.items():
            self.stdout.write(f"{key:18} {value if value is not None else '-'}")
