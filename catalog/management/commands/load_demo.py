"""Load the demo catalog and the demo editor login (idempotent: safe to run again)."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.domain.records import clean_record
from catalog.permissions import EDITORS_GROUP
from catalog.services import courses_upsert

DEMO_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "demo_catalog.json"
DEMO_USERNAME = "editor"
DEMO_PASSWORD = "editor"


class Command(BaseCommand):
    help = "Load the demo catalog and create the demo editor login (username and password: editor)."

    def handle(self, *args, **options):
        records = [clean_record(r) for r in json.loads(DEMO_FILE.read_text())["courses"]]
        with transaction.atomic():
            results = courses_upsert(records=records)
            self._editor()
        counts = {o: sum(r.outcome == o for r in results) for o in ("created", "updated", "unchanged")}
        self.stdout.write(
            f"Demo catalog: created {counts['created']}, updated {counts['updated']}, unchanged {counts['unchanged']}."
        )
        self.stdout.write(f"Demo editor login: {DEMO_USERNAME} / {DEMO_PASSWORD}")

    def _editor(self):
        user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.is_staff = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=EDITORS_GROUP))
