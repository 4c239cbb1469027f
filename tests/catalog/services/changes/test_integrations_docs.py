"""The webhook receiver printed in docs/integrations.md, run as printed against the real sender."""

import hashlib
import hmac
import re
import threading
import time
import urllib.error
import urllib.request
from http.server import HTTPServer

import pytest

from catalog import services
from catalog.models import WebhookDelivery
from tests.factories import CourseFactory, tree
from tests.helpers.servers import ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def receiver_source() -> str:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "integrations.md").read_text(), re.S)
    (block,) = [b for b in blocks if "class Hook(BaseHTTPRequestHandler)" in b]
    assert len([line for line in block.splitlines() if line.strip()]) <= 17  # short enough to copy
    return block.replace('HTTPServer(("", 8080), Hook).serve_forever()', "")


@pytest.fixture
def documented_receiver():
    handled = []
    namespace = {"handle": handled.append}
    exec(receiver_source(), namespace)  # noqa: S102 - our own documentation, verbatim
    server = HTTPServer(("127.0.0.1", 0), namespace["Hook"])
    server.RequestHandlerClass.log_message = lambda *args: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", namespace["SECRET"].decode(), handled
    server.shutdown()
    server.server_close()


def test_the_documented_receiver_accepts_what_the_catalog_sends(settings, documented_receiver):
    url, secret, handled = documented_receiver
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    services.endpoint_add(url=url, secret=secret)
    CourseFactory(slug="a", status="published", units=tree(1))
    assert services.deliveries_send_due() == 1
    assert [(p["slug"], p["kind"]) for p in handled] == [("a", "published")]
    assert WebhookDelivery.objects.get().last_code == 204


@pytest.mark.parametrize("age, key", [(301, None), (0, b"not the secret")])
def test_the_documented_receiver_rejects_old_or_forged_requests(documented_receiver, age, key):
    url, secret, handled = documented_receiver
    body = b'{"id":1}'
    t = str(int(time.time()) - age)
    signature = hmac.new(key or secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, body, {"X-Catalog-Signature": f"t={t},v1={signature}"}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 401 and handled == []


def prose(name: str) -> str:
    return " ".join((ROOT / name).read_text().split())


def test_receivers_are_told_to_deduplicate_by_the_signed_body_id():
    text = prose("docs/integrations.md")
    assert "Deduplicate by the **signed body's `id`**, not by the `X-Catalog-Delivery` header" in text
    assert "a replay within the tolerance window harmless: deduplication is what the window relies on" in text


def test_the_delivery_header_is_not_signed_so_only_the_body_id_identifies_a_delivery(documented_receiver):
    url, secret, handled = documented_receiver
    body, t = b'{"id": 5}', str(int(time.time()))
    signature = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    for forged in ("5", "6"):  # a changed header leaves the signature valid
        headers = {"X-Catalog-Signature": f"t={t},v1={signature}", "X-Catalog-Delivery": forged}
        urllib.request.urlopen(urllib.request.Request(url, body, headers, method="POST"), timeout=5)
    assert [p["id"] for p in handled] == [5, 5]


@pytest.mark.parametrize(
    "name, phrases",
    [
        (
            "README.md",
            ["The token scheme is `Token`", "**editors'** ETag", "record follows the course it created",
             "the feed's fields, limits"],
        ),
        (
            "docs/integrations.md",
            ["`Authorization: Token <key>`", "Which ETag `If-Match` expects: the editors' document's",
             "| `at` | when the change became visible", "**Limits** of a record",
             "the record follows the course it first created", "`--recreate`"],
        ),
    ],
)  # fmt: skip
def test_an_integrator_finds_the_token_scheme_the_etag_the_feed_the_limits_and_import_identity(name, phrases):
    text = prose(name)
    assert [phrase for phrase in phrases if phrase not in text] == []
