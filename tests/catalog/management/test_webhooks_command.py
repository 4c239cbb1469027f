"""`manage.py webhooks add|list|remove`: endpoints for operators, clear refusals, exit codes."""

import os
import subprocess
import sys

import pytest
from django.db import connection

from catalog import services
from catalog.models import WebhookEndpoint
from tests.helpers.commands import run
from tests.helpers.servers import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

URL = "http://127.0.0.1:9/hooks/catalog"
SECRET = "an-operators-secret-1234"


@pytest.fixture(autouse=True)
def allow_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True


class TestWebhooksCommand:
    def test_add_list_remove(self):
        code, out, err = run("webhooks", "add", URL, "--secret", SECRET)
        assert (code, out.strip()) == (0, f"added {URL} (active)"), err
        assert WebhookEndpoint.objects.get().secret == SECRET
        code, out, _ = run("webhooks", "list")
        assert code == 0 and out.split() == ["active", "failures=0", "pending=0", URL]
        code, out, _ = run("webhooks", "remove", URL)
        assert (code, out.strip()) == (0, f"removed {URL}")
        assert not WebhookEndpoint.objects.exists()
        assert run("webhooks", "list")[1].strip() == "no webhook endpoints"

    def test_add_without_a_secret_makes_one_and_prints_it(self):
        code, out, _ = run("webhooks", "add", URL, "--inactive")
        endpoint = WebhookEndpoint.objects.get()
        assert code == 0 and not endpoint.active
        assert out.splitlines() == [f"added {URL} (switched off)", f"secret: {endpoint.secret}"]

    def test_list_says_why_an_endpoint_was_switched_off(self):
        endpoint = services.endpoint_add(url=URL, secret=SECRET)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            active=False, failures=10, switched_off_at="2026-01-02T03:04:05Z", switched_off_reason="Gone for a day."
        )
        out = run("webhooks", "list")[1]
        assert out.splitlines()[0].split() == ["off", "failures=10", "pending=0", URL]
        assert "switched off 2026-01-02 03:04 UTC: Gone for a day." in out

    @pytest.mark.parametrize(
        "args, message",
        [
            (["add", "ftp://example.org/x", "--secret", SECRET], "url: Use an http:// or https:// URL."),
            (["add", URL, "--secret", "short"], "secret: Use at least 16 characters"),
            (["remove", "http://127.0.0.1:9/unknown"], "no webhook endpoint has the URL http://127.0.0.1:9/unknown"),
        ],
    )
    def test_refusals_exit_1_saying_why(self, args, message):
        code, _, err = run("webhooks", *args)
        assert code == 1 and message in err
        assert not WebhookEndpoint.objects.exists()

    def test_a_second_endpoint_with_the_same_url_is_refused(self):
        run("webhooks", "add", URL, "--secret", SECRET)
        code, _, err = run("webhooks", "add", URL, "--secret", SECRET)
        assert code == 1 and "exists already" in err

    def test_a_private_address_is_refused_without_the_setting(self, settings):
        settings.WEBHOOKS_ALLOW_PRIVATE = False
        code, _, err = run("webhooks", "add", URL, "--secret", SECRET)
        assert code == 1 and "127.0.0.1, a private, loopback" in err and "WEBHOOKS_ALLOW_PRIVATE=1" in err


@pytest.mark.postgres_only
def test_exit_codes_of_the_real_command():
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", "webhooks", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    missing = manage("remove", "http://127.0.0.1:9/nothing-here")
    assert missing.returncode == 1 and "no webhook endpoint has the URL" in missing.stderr
    usage = manage()
    assert usage.returncode == 2 and "add,list,remove" in usage.stderr
