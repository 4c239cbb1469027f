"""`webhooks add URL [--secret S]`, `webhooks list`, `webhooks remove URL`: the endpoints, for operators."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from catalog import services
from catalog.errors import CatalogError
from catalog.models import WebhookDelivery, WebhookEndpoint


class Command(BaseCommand):
    help = (
        "Manage the webhook endpoints that receive every change learners can see (also in the admin). "
        "Exits 1 with the reason when a command is refused."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,list,remove}")
        add = actions.add_parser("add", help="add an endpoint (active at once)")
        add.add_argument("url", help="http(s) URL on a public address")
        add.add_argument(
            "--secret", default="", help="the signing secret, 16+ characters (made and printed if left out)"
        )
        add.add_argument("--inactive", action="store_true", help="add it switched off")
        actions.add_parser("list", help="list the endpoints with their state and pending deliveries")
        remove = actions.add_parser("remove", help="remove an endpoint and its deliveries")
        remove.add_argument("url")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"handle_{action}")(**options)
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc

    def handle_add(self, *, url, secret, inactive, **options):
        made = not secret
        endpoint = services.endpoint_add(url=url, secret=secret or services.secret_make(), active=not inactive)
        self.stdout.write(f"added {endpoint.url} ({'active' if endpoint.active else 'switched off'})")
        if made:
            self.stdout.write(f"secret: {endpoint.secret}")

    def handle_list(self, **options):
        endpoints = WebhookEndpoint.objects.annotate(
            pending=Count("deliveries", filter=Q(deliveries__status__in=WebhookDelivery.UNFINISHED))
        ).order_by("url")
        if not endpoints:
            self.stdout.write("no webhook endpoints")
            return
        for endpoint in endpoints:
            state = "active" if endpoint.active else "off"
            line = f"{state:<6} failures={endpoint.failures:<3} pending={endpoint.pending:<6} {endpoint.url}"
            self.stdout.write(line)
            if endpoint.switched_off_reason:
                when = f"{endpoint.switched_off_at:%Y-%m-%d %H:%M} UTC"
                self.stdout.write(f"       switched off {when}: {endpoint.switched_off_reason}")

    def handle_remove(self, *, url, **options):
        endpoint = WebhookEndpoint.objects.filter(url=url.strip()).first()
        if endpoint is None:
            raise CommandError(f"no webhook endpoint has the URL {url} (see `webhooks list`)")
        services.endpoint_remove(endpoint=endpoint)
        self.stdout.write(f"removed {endpoint.url}")
